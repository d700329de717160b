"""编码器–解码器与序列到序列学习（seq2seq）的模型：编码器与解码器的接口、循环神经网络编码器与
解码器、书中的 seq2seq 工厂与初始化，以及遮蔽（``sequence_mask``）。

取代 D2L 的 ``Encoder``、``Decoder``、``EncoderDecoder``、``Seq2SeqEncoder``、``Seq2SeqDecoder`` 与
``sequence_mask``；损失、训练与预测（``masked_cross_entropy``、``train_seq2seq``、``predict_seq2seq``）
在 :mod:`dlbook.train.seq2seq`。

与 D2L 的一处不同：D2L 的解码器每一步都把**当前的**隐状态的最后一层当作上下文变量，逐词预测时
这个“上下文”会随着解码而改变，与训练时（一次看到整句，上下文始终是编码器的最终状态）不一致。
这里的解码器状态是 ``(上下文, 隐状态)``，上下文在 :meth:`Seq2SeqDecoder.init_state` 中取自编码器，
之后保持不变，训练与预测用的是同一个模型。
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from dlbook.utils.checks import check_probability, check_sizes

__all__ = [
    "Decoder",
    "Encoder",
    "EncoderDecoder",
    "Seq2SeqDecoder",
    "Seq2SeqEncoder",
    "init_seq2seq",
    "seq2seq",
    "sequence_mask",
]


# ---------------------------------------------------------------------------
# 编码器–解码器的接口
# ---------------------------------------------------------------------------


class Encoder(nn.Module):
    """编码器的接口：把变长的输入序列变成某种状态（编码）。"""

    def forward(self, X: torch.Tensor, *args: Any) -> Any:
        raise NotImplementedError


class Decoder(nn.Module):
    """解码器的接口：``init_state`` 把编码器的输出变成解码器的初始状态，``forward`` 逐步生成输出。"""

    def init_state(self, enc_outputs: Any, *args: Any) -> Any:
        raise NotImplementedError

    def forward(self, X: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        raise NotImplementedError


class EncoderDecoder(nn.Module):
    """把编码器和解码器连起来：编码源序列，用它初始化解码器，再解码目标序列。

    Examples
    --------
    >>> net = seq2seq(10, 12, embed_size=8, num_hiddens=16, num_layers=2)
    >>> X = torch.zeros(4, 7, dtype=torch.long)          # 批量 4，源序列 7 个时间步
    >>> Y_hat, state = net(X, torch.zeros(4, 5, dtype=torch.long))
    >>> Y_hat.shape                                      # (批量, 目标时间步, 目标词表)
    torch.Size([4, 5, 12])
    """

    def __init__(self, encoder: Encoder, decoder: Decoder) -> None:
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def forward(
        self, enc_X: torch.Tensor, dec_X: torch.Tensor, *args: Any
    ) -> tuple[torch.Tensor, Any]:
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)


# ---------------------------------------------------------------------------
# 循环神经网络编码器与解码器
# ---------------------------------------------------------------------------


class Seq2SeqEncoder(Encoder):
    """循环神经网络编码器：嵌入层 → 多层 GRU。

    返回 ``(output, state)``：``output`` 是最上层在每个时间步的隐状态 ``(时间步, 批量, 隐藏单元数)``，
    ``state`` 是每层最后一个时间步的隐状态 ``(层数, 批量, 隐藏单元数)``。

    Examples
    --------
    >>> encoder = Seq2SeqEncoder(10, embed_size=8, num_hiddens=16, num_layers=2)
    >>> output, state = encoder(torch.zeros(4, 7, dtype=torch.long))
    >>> output.shape, state.shape
    (torch.Size([7, 4, 16]), torch.Size([2, 4, 16]))
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        num_hiddens: int,
        num_layers: int,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_sizes(
            vocab_size=vocab_size,
            embed_size=embed_size,
            num_hiddens=num_hiddens,
            num_layers=num_layers,
        )
        check_probability("dropout", dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X: torch.Tensor, *args: Any) -> tuple[torch.Tensor, torch.Tensor]:
        # X：(批量, 时间步) → 嵌入 (批量, 时间步, 嵌入维数) → 时间步优先
        embs = self.embedding(X.long()).permute(1, 0, 2)
        output, state = self.rnn(embs)
        return output, state


class Seq2SeqDecoder(Decoder):
    """循环神经网络解码器：每个时间步的输入是目标词元的嵌入与上下文变量的拼接。

    上下文变量是编码器最上层在最后一个时间步的隐状态；解码器隐状态的初值是编码器的最终状态
    （所以编码器与解码器的层数、隐藏单元数必须相同）。输出是每个时间步在目标词表上的得分。

    Examples
    --------
    >>> encoder = Seq2SeqEncoder(10, 8, 16, 2)
    >>> decoder = Seq2SeqDecoder(12, 8, 16, 2)
    >>> state = decoder.init_state(encoder(torch.zeros(4, 7, dtype=torch.long)))
    >>> Y_hat, (context, H) = decoder(torch.zeros(4, 5, dtype=torch.long), state)
    >>> Y_hat.shape, context.shape, H.shape
    (torch.Size([4, 5, 12]), torch.Size([4, 16]), torch.Size([2, 4, 16]))
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        num_hiddens: int,
        num_layers: int,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_sizes(
            vocab_size=vocab_size,
            embed_size=embed_size,
            num_hiddens=num_hiddens,
            num_layers=num_layers,
        )
        check_probability("dropout", dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs: Any, *args: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """解码器的初始状态 ``(上下文, 隐状态)``：上下文是编码器最上层的最终隐状态。"""
        _, enc_state = enc_outputs
        return enc_state[-1], enc_state

    def forward(
        self, X: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        context, H = state
        embs = self.embedding(X.long()).permute(1, 0, 2)  # (时间步, 批量, 嵌入维数)
        # 同一个上下文变量拼到每个时间步的输入上
        context_steps = context.unsqueeze(0).expand(embs.shape[0], -1, -1)
        output, H = self.rnn(torch.cat([embs, context_steps], dim=2), H)
        Y_hat = self.dense(output).permute(1, 0, 2)  # (批量, 时间步, 词表)
        return Y_hat, (context, H)


def seq2seq(
    src_vocab_size: int,
    tgt_vocab_size: int,
    *,
    embed_size: int = 32,
    num_hiddens: int = 32,
    num_layers: int = 2,
    dropout: float = 0.1,
    generator: torch.Generator | None = None,
) -> EncoderDecoder:
    """书中的序列到序列模型：GRU 编码器 + GRU 解码器（默认值同 D2L：嵌入 32、隐藏 32、2 层、暂退 0.1）。

    权重矩阵用 Xavier 均匀分布初始化（同 D2L），其余参数保持 PyTorch 的默认值；给出 ``generator``
    时所有随机初值都由它抽取，初值便可复现。
    """
    net = EncoderDecoder(
        Seq2SeqEncoder(src_vocab_size, embed_size, num_hiddens, num_layers, dropout),
        Seq2SeqDecoder(tgt_vocab_size, embed_size, num_hiddens, num_layers, dropout),
    )
    return init_seq2seq(net, generator)


def init_seq2seq(net: nn.Module, generator: torch.Generator | None = None) -> nn.Module:
    """按书中的方式初始化编码器–解码器（原地修改并返回 ``net``）。

    嵌入层取标准正态分布；全连接层与 GRU 的权重矩阵用 Xavier 均匀分布（同 D2L 的 ``init_seq2seq``），
    偏置取 PyTorch 默认的均匀分布；其余参数（例如层规范化）保持不变。所有随机数都由 ``generator``
    抽取（给出时初值可复现）。
    """
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.Embedding):
                module.weight.normal_(generator=generator)
            elif isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight, generator=generator)
                if module.bias is not None:
                    bound = 1 / math.sqrt(module.in_features)
                    module.bias.uniform_(-bound, bound, generator=generator)
            elif isinstance(module, nn.GRU):
                bound = 1 / math.sqrt(module.hidden_size)
                for name, p in module.named_parameters():
                    if name.startswith("weight"):
                        nn.init.xavier_uniform_(p, generator=generator)
                    else:
                        p.uniform_(-bound, bound, generator=generator)
    return net


# ---------------------------------------------------------------------------
# 遮蔽
# ---------------------------------------------------------------------------


def sequence_mask(X: torch.Tensor, valid_len: torch.Tensor, value: float = 0.0) -> torch.Tensor:
    """把每行有效长度之后的元素换成 ``value`` （返回新张量）。

    Examples
    --------
    >>> X = torch.tensor([[1, 2, 3], [4, 5, 6]])
    >>> sequence_mask(X, torch.tensor([1, 2]))
    tensor([[1, 0, 0],
            [4, 5, 0]])
    """
    steps = torch.arange(X.shape[1], device=X.device)
    mask = steps[None, :] < valid_len[:, None]
    if X.dim() > 2:
        mask = mask.reshape(*mask.shape, *([1] * (X.dim() - 2)))
    return torch.where(mask, X, torch.as_tensor(value, dtype=X.dtype, device=X.device))
