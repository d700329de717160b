"""textCNN（Kim, 2014）：词嵌入 → 几种宽度的一维卷积 → 时间上的最大池化 → 拼接 → 全连接。

一维卷积与时间上的最大池化的从零实现在 :mod:`dlbook.ops.conv` （:func:`~dlbook.ops.conv.corr1d_multi_in`、
:func:`~dlbook.ops.conv.max_over_time_pool`）；这里的模型用 PyTorch 的 ``nn.Conv1d`` 与
``nn.AdaptiveMaxPool1d``，两者的结果相同（测试套件逐元素对照）。
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["TextCNN"]


def _positive_ints(values: Sequence[int], name: str) -> list[int]:
    values = list(values)
    if not values or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ValueError(f"{name} 必须是非空的正整数序列，收到 {values!r}")
    return values


class TextCNN(nn.Module):
    """textCNN：每个词元查出一个词向量，词向量的各个分量当作一维卷积的输入通道。

    对形状 ``(批量, 时间步)`` 的词元索引：

    1. 词嵌入得到 ``(批量, 时间步, embed_size)``；``static_embedding=True`` 时再拼上一个 **不训练**
       的词嵌入（Kim 的 “multichannel”、D2L 的 ``constant_embedding``），共 ``2 × embed_size`` 个通道；
    2. 交换后两维成 ``(批量, 通道, 时间步)``，对每种宽度 ``k`` 用一个 ``nn.Conv1d`` （输出通道
       ``c``），接 ReLU；输出长度是 ``时间步 - k + 1``，所以时间步不能少于最宽的核；
    3. 时间上的最大池化：每个输出通道只留整个序列上的最大值，得到 ``(批量, c)``；
    4. 各宽度的结果拼成 ``(批量, sum(num_channels))``，暂退后经全连接层输出 ``num_classes`` 个 logits。

    D2L 的 PyTorch 代码在第 3 步用的是 ``nn.AdaptiveAvgPool1d`` （时间上的 **平均** 池化），与它正文
    说的最大池化不一致；这里按 Kim 的论文与正文，用最大池化。

    Parameters
    ----------
    vocab_size : int
        词表大小。
    embed_size : int
        词向量的维数。
    kernel_sizes : sequence of int
        卷积核的宽度，例如 D2L 的 ``[3, 4, 5]``。
    num_channels : sequence of int
        每种宽度的输出通道数，与 ``kernel_sizes`` 一样长。
    num_classes : int, 默认 2
        类别数。
    dropout : float, 默认 0.5
        拼接之后、全连接之前的暂退概率。
    static_embedding : bool, 默认 True
        是否再拼一个不训练的词嵌入（用预训练词向量时才有意义，见 :meth:`load_embeddings`）。
    embedding : Tensor, 形状 (vocab_size, embed_size), optional
        预训练词向量；给出时建好模型后交给 :meth:`load_embeddings`。
    generator : torch.Generator, optional
        用它抽取初值，初值便可以复现：词嵌入取自 :math:`N(0, 1)`，卷积层与全连接层的权重用 Xavier
        均匀分布（D2L 的 ``init_weights``），偏置为 0（D2L 保留 PyTorch 默认的随机偏置）。

    Examples
    --------
    >>> net = TextCNN(100, 8, [3, 4, 5], [6, 6, 6], generator=torch.Generator().manual_seed(0))
    >>> X = torch.randint(0, 100, (2, 10))
    >>> net(X).shape
    torch.Size([2, 2])
    >>> [tuple(f.shape) for f in net.features(X)]  # 三种宽度各 6 个通道，拼接前
    [(2, 6), (2, 6), (2, 6)]
    >>> net.constant_embedding.weight.requires_grad
    False
    >>> a = TextCNN(100, 8, [3], [4], generator=torch.Generator().manual_seed(1))
    >>> b = TextCNN(100, 8, [3], [4], generator=torch.Generator().manual_seed(1))
    >>> all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    True
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        kernel_sizes: Sequence[int],
        num_channels: Sequence[int],
        num_classes: int = 2,
        *,
        dropout: float = 0.5,
        static_embedding: bool = True,
        embedding: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        (vocab_size,) = _positive_ints([vocab_size], "vocab_size")
        (embed_size,) = _positive_ints([embed_size], "embed_size")
        (num_classes,) = _positive_ints([num_classes], "num_classes")
        kernel_sizes = _positive_ints(kernel_sizes, "kernel_sizes")
        num_channels = _positive_ints(num_channels, "num_channels")
        if len(kernel_sizes) != len(num_channels):
            raise ValueError(
                f"kernel_sizes 与 num_channels 必须一样长，收到 {len(kernel_sizes)} 与 {len(num_channels)}"
            )
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout 必须在 [0, 1) 之内，收到 {dropout!r}")
        self.kernel_sizes = kernel_sizes
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.constant_embedding: nn.Embedding | None = None
        in_channels = embed_size
        if static_embedding:
            self.constant_embedding = nn.Embedding(vocab_size, embed_size)
            self.constant_embedding.weight.requires_grad_(False)
            in_channels = 2 * embed_size
        self.convs = nn.ModuleList(
            nn.Conv1d(in_channels, c, k) for c, k in zip(num_channels, kernel_sizes)
        )
        self.pool = nn.AdaptiveMaxPool1d(1)  # 时间上的最大池化
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(dropout)
        self.decoder = nn.Linear(sum(num_channels), num_classes)
        self.reset_parameters(generator)
        if embedding is not None:
            self.load_embeddings(embedding)

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """重新抽取全部参数：词嵌入取自 :math:`N(0, 1)`，卷积层与全连接层的权重用 Xavier 均匀分布、偏置为 0。"""
        with torch.no_grad():
            for emb in (self.embedding, self.constant_embedding):
                if emb is not None:
                    emb.weight.normal_(generator=generator)
            for m in [*self.convs, self.decoder]:
                nn.init.xavier_uniform_(m.weight, generator=generator)
                nn.init.zeros_(m.bias)

    def load_embeddings(self, vectors: torch.Tensor) -> TextCNN:
        """把预训练词向量（第 ``i`` 行是词表中第 ``i`` 个词元的向量）复制进两个词嵌入，返回模型本身。

        训练的词嵌入从这里出发继续更新，不训练的那个一直保持预训练的值。

        Examples
        --------
        >>> net = TextCNN(3, 2, [1], [1])
        >>> _ = net.load_embeddings(torch.ones(3, 2))
        >>> net.embedding.weight.sum().item(), net.constant_embedding.weight.sum().item()
        (6.0, 6.0)
        """
        shape = tuple(self.embedding.weight.shape)
        if tuple(vectors.shape) != shape:
            raise ValueError(f"vectors 的形状必须是 {shape}，收到 {tuple(vectors.shape)}")
        with torch.no_grad():
            self.embedding.weight.copy_(vectors)
            if self.constant_embedding is not None:
                self.constant_embedding.weight.copy_(vectors)
        return self

    def features(self, inputs: torch.Tensor) -> list[torch.Tensor]:
        """每种宽度的卷积经 ReLU 与时间上的最大池化之后的结果，各为 ``(批量, 输出通道)``。"""
        if inputs.dim() != 2 or inputs.shape[1] < max(self.kernel_sizes):
            raise ValueError(
                f"inputs 必须是 (批量, 时间步) 且时间步不少于最宽的核 {max(self.kernel_sizes)}，"
                f"收到 {tuple(inputs.shape)}"
            )
        embeddings = self.embedding(inputs)
        if self.constant_embedding is not None:
            embeddings = torch.cat((embeddings, self.constant_embedding(inputs)), dim=2)
        embeddings = embeddings.permute(0, 2, 1)  # (批量, 通道, 时间步)：词向量的分量是通道
        return [self.pool(self.relu(conv(embeddings))).squeeze(-1) for conv in self.convs]

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        encoding = torch.cat(self.features(inputs), dim=1)
        return self.decoder(self.dropout(encoding))
