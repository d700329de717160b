"""情感分析用的双向循环神经网络（D2L 的 ``BiRNN``）：嵌入层、双向 LSTM、全连接输出层。

每条评论是一行词元索引（用 ``<pad>`` 填充到同样的长度）。嵌入层把每个词元变成向量，双向 LSTM 从前往后、
从后往前各读一遍，两个方向 **读到最后的隐状态** 连起来作为整条评论的表示，全连接层把它变成两类的得分。

与 D2L 的不同：D2L 把填充后的整行都交给 LSTM，取第一个与最后一个时间步的输出——短评论的“最后一个时间步”
是一串填充之后的位置，正向 LSTM 在读到它之前已经读过许多 ``<pad>``。这里用
:func:`torch.nn.utils.rnn.pack_padded_sequence` 按每条评论的真实长度运行 LSTM（填充不参与计算），
正向的最终隐状态读完了最后一个真实词元，反向的读完了第一个。
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

__all__ = ["BiRNN", "birnn"]


class BiRNN(nn.Module):
    """双向 LSTM 文本分类器。

    Parameters
    ----------
    vocab_size : int
        词表大小。
    embed_size : int
        词向量的维数（用 GloVe 50 维时为 50）。
    num_hiddens : int
        每个方向的隐藏单元数。
    num_layers : int
        LSTM 的层数。
    num_outputs : int
        类别数。
    padding_idx : int
        填充词元的索引（:func:`dlbook.data.sentiment.load_sentiment` 的词表里是 1）；它不参与计算。
    dropout : float
        暂退概率，用在两处：词向量送进 LSTM 之前、整条评论的表示送进输出层之前。
        训练集只有一万来条评论，微调的词向量很快就会过拟合，暂退法是主要的正则化。

    Examples
    --------
    >>> net = BiRNN(vocab_size=10, embed_size=4, num_hiddens=3, num_layers=1)
    >>> X = torch.tensor([[2, 3, 4, 1, 1], [5, 1, 1, 1, 1]])    # 1 是 <pad>
    >>> net(X).shape
    torch.Size([2, 2])
    >>> Y = torch.tensor([[2, 3, 4], [5, 1, 1]])                 # 少填充两个位置，结果不变
    >>> torch.allclose(net(X), net(Y))
    True
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        num_hiddens: int,
        num_layers: int,
        num_outputs: int = 2,
        *,
        padding_idx: int = 1,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.padding_idx = padding_idx
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.encoder = nn.LSTM(embed_size, num_hiddens, num_layers=num_layers, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.decoder = nn.Linear(2 * num_hiddens, num_outputs)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        # inputs：(批量大小, 时间步数)；真实长度是非填充词元的个数（至少 1，全是填充的行当作长度 1）
        lengths = (inputs != self.padding_idx).sum(dim=1).clamp(min=1)
        # LSTM 要求时间步在第一维：(时间步数, 批量大小, 词向量维数)
        embeddings = self.dropout(self.embedding(inputs.T))
        packed = pack_padded_sequence(embeddings, lengths.cpu(), enforce_sorted=False)
        _, (h, _) = self.encoder(packed)
        # h：(层数 * 2, 批量大小, 隐藏单元数)；最后一层的正向与反向最终隐状态连起来
        encoding = torch.cat((h[-2], h[-1]), dim=1)
        return self.decoder(self.dropout(encoding))


def birnn(
    vocab_size: int,
    embed_size: int = 50,
    num_hiddens: int = 100,
    num_layers: int = 2,
    *,
    dropout: float = 0.0,
    embedding: torch.Tensor | None = None,
    freeze_embedding: bool = False,
    generator: torch.Generator | None = None,
) -> BiRNN:
    """建一个 :class:`BiRNN` 并按 D2L 的方式初始化：全连接层与 LSTM 的权重矩阵用 Xavier 均匀分布（LSTM 的
    偏置用 PyTorch 的默认分布），嵌入层用标准正态分布；``generator`` 使初始化可复现。

    给出 ``embedding`` （形状 ``(vocab_size, embed_size)`` 的预训练词向量，例如按词表查出的 GloVe 向量）时
    用它作嵌入层的初值；``freeze_embedding=True`` 时嵌入层不再训练（D2L 的做法），否则与其余参数一起微调。
    默认是 D2L 的网络（100 维词向量、每个方向 100 个隐藏单元、两层）；本书的英文用 GloVe 的 50 维向量。

    Examples
    --------
    >>> net = birnn(100, 8, 16, 1, generator=torch.Generator().manual_seed(0))
    >>> sum(p.numel() for p in net.parameters())
    4194
    >>> glove = torch.ones(100, 8)
    >>> net = birnn(100, 8, 16, 1, embedding=glove, freeze_embedding=True)
    >>> net.embedding.weight.requires_grad, bool((net.embedding.weight == 1).all())
    (False, True)
    """
    net = BiRNN(vocab_size, embed_size, num_hiddens, num_layers, dropout=dropout)
    with torch.no_grad():
        if embedding is None:
            net.embedding.weight.normal_(generator=generator)
        else:
            if tuple(embedding.shape) != (vocab_size, embed_size):
                raise ValueError(
                    f"embedding 的形状必须是 ({vocab_size}, {embed_size})，收到 {tuple(embedding.shape)}"
                )
            net.embedding.weight.copy_(embedding)
        bound = num_hiddens**-0.5
        for name, param in net.encoder.named_parameters():
            if name.startswith("weight"):
                nn.init.xavier_uniform_(param, generator=generator)
            else:  # 偏置：PyTorch 的默认分布 U(-1/√h, 1/√h)，但用 generator 抽取
                nn.init.uniform_(param, -bound, bound, generator=generator)
        nn.init.xavier_uniform_(net.decoder.weight, generator=generator)
        net.decoder.bias.zero_()
    net.embedding.weight.requires_grad_(not freeze_embedding)
    return net
