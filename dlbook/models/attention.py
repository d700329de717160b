"""注意力机制的基本部件：遮蔽 softmax、加性注意力、缩放点积注意力、多头注意力与正弦位置编码。

取代 D2L 的 ``masked_softmax``、``AdditiveAttention``、``DotProductAttention``、
``MultiHeadAttention``、``transpose_qkv``、``transpose_output`` 与 ``PositionalEncoding``。

所有注意力层的 ``forward`` 都取 ``(queries, keys, values, valid_lens=None)``：

- ``queries`` 形状 ``(批量, 查询个数, 查询维数)``；
- ``keys`` 形状 ``(批量, 键值对个数, 键维数)``，``values`` 形状 ``(批量, 键值对个数, 值维数)``；
- ``valid_lens`` 为 ``None``、``(批量,)`` 或 ``(批量, 查询个数)``：每个查询只看前 ``valid_lens`` 个键值对；

返回 ``(批量, 查询个数, 值维数)``，并把最近一次的注意力权重存在 ``attention_weights`` 中。
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlbook.models.init import reset_parameters
from dlbook.models.seq2seq import sequence_mask
from dlbook.utils.checks import check_positive, check_probability, check_sizes

__all__ = [
    "AdditiveAttention",
    "DotProductAttention",
    "MultiHeadAttention",
    "PositionalEncoding",
    "masked_softmax",
    "positional_encoding",
    "transpose_output",
    "transpose_qkv",
]

#: 遮蔽 softmax 把无效位置的得分换成这个很大的负数，``exp`` 之后它的权重（在 float32 下）恰好为 0。
MASK_VALUE = -1e6


def _check_valid_lens(valid_lens: torch.Tensor | None, batch: int, num_queries: int) -> None:
    if valid_lens is None:
        return
    if not isinstance(valid_lens, torch.Tensor):
        raise TypeError(f"valid_lens 必须是张量或 None，收到 {type(valid_lens).__name__}")
    if valid_lens.shape not in ((batch,), (batch, num_queries)):
        raise ValueError(
            f"valid_lens 的形状必须是 ({batch},) 或 ({batch}, {num_queries})，"
            f"收到 {tuple(valid_lens.shape)}"
        )


def masked_softmax(X: torch.Tensor, valid_lens: torch.Tensor | None) -> torch.Tensor:
    """在最后一个轴上做 softmax，但每一行只在前 ``valid_lens`` 个位置上归一化，其余位置权重为 0。

    Parameters
    ----------
    X : torch.Tensor
        得分，形状 ``(批量, 查询个数, 键个数)``。
    valid_lens : torch.Tensor or None
        ``None`` 表示不遮蔽；形状 ``(批量,)`` 时同一个样本的所有查询共用一个有效长度；
        形状 ``(批量, 查询个数)`` 时每个查询各有一个有效长度。

    Returns
    -------
    torch.Tensor
        与 ``X`` 同形的权重，每行在有效位置上之和为 1。

    Notes
    -----
    无效位置的得分先被换成 :data:`MASK_VALUE` （-1e6）再做 softmax，它的 ``exp`` 下溢为 0。
    有效长度为 0 的行所有得分都相同，得到的是均匀分布（与 D2L 相同）。

    Examples
    --------
    >>> X = torch.zeros(2, 2, 4)
    >>> masked_softmax(X, torch.tensor([2, 3]))
    tensor([[[0.5000, 0.5000, 0.0000, 0.0000],
             [0.5000, 0.5000, 0.0000, 0.0000]],
    <BLANKLINE>
            [[0.3333, 0.3333, 0.3333, 0.0000],
             [0.3333, 0.3333, 0.3333, 0.0000]]])
    >>> masked_softmax(X, torch.tensor([[1, 3], [2, 4]]))
    tensor([[[1.0000, 0.0000, 0.0000, 0.0000],
             [0.3333, 0.3333, 0.3333, 0.0000]],
    <BLANKLINE>
            [[0.5000, 0.5000, 0.0000, 0.0000],
             [0.2500, 0.2500, 0.2500, 0.2500]]])
    """
    if not isinstance(X, torch.Tensor) or X.dim() != 3:
        raise ValueError(
            f"X 必须是 (批量, 查询个数, 键个数) 的三维张量，收到 {getattr(X, 'shape', X)!r}"
        )
    _check_valid_lens(valid_lens, X.shape[0], X.shape[1])
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])  # 每个查询重复一次
    else:
        valid_lens = valid_lens.reshape(-1)
    X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=MASK_VALUE)
    return torch.softmax(X.reshape(shape), dim=-1)


def _check_qkv(queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> None:
    for name, t in (("queries", queries), ("keys", keys), ("values", values)):
        if not isinstance(t, torch.Tensor) or t.dim() != 3:
            raise ValueError(
                f"{name} 必须是三维张量 (批量, 个数, 维数)，收到 {getattr(t, 'shape', t)!r}"
            )
    if not queries.shape[0] == keys.shape[0] == values.shape[0]:
        raise ValueError(
            f"queries、keys、values 的批量大小必须相同，收到 {queries.shape[0]}、"
            f"{keys.shape[0]}、{values.shape[0]}"
        )
    if keys.shape[1] != values.shape[1]:
        raise ValueError(f"键与值的个数必须相同，收到 {keys.shape[1]} 与 {values.shape[1]}")


class AdditiveAttention(nn.Module):
    """加性注意力：评分 :math:`a(\\mathbf q, \\mathbf k) = \\mathbf w_v^\\top \\tanh(\\mathbf W_q\\mathbf q + \\mathbf W_k \\mathbf k)`。

    查询与键的维数可以不同：两者先各自映射到 ``num_hiddens`` 维再相加。三个全连接层都没有偏置。
    给出 ``generator`` 时，权重按 PyTorch 的默认分布由它抽取。

    Examples
    --------
    >>> attention = AdditiveAttention(key_size=2, query_size=20, num_hiddens=8,
    ...                               generator=torch.Generator().manual_seed(0))
    >>> queries, keys = torch.ones(2, 1, 20), torch.ones(2, 10, 2)
    >>> values = torch.arange(40.0).reshape(1, 10, 4).repeat(2, 1, 1)
    >>> with torch.no_grad():
    ...     out = attention(queries, keys, values, torch.tensor([2, 6]))
    >>> out.shape, attention.attention_weights.shape
    (torch.Size([2, 1, 4]), torch.Size([2, 1, 10]))
    >>> attention.attention_weights[1, 0, :7]     # 键都相同：有效的 6 个位置平分权重
    tensor([0.1667, 0.1667, 0.1667, 0.1667, 0.1667, 0.1667, 0.0000])
    """

    def __init__(
        self,
        key_size: int,
        query_size: int,
        num_hiddens: int,
        dropout: float = 0.0,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        check_sizes(key_size=key_size, query_size=query_size, num_hiddens=num_hiddens)
        check_probability("dropout", dropout)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)
        self.attention_weights: torch.Tensor | None = None
        reset_parameters(self, generator)

    def forward(
        self,
        queries: torch.Tensor,
        keys: torch.Tensor,
        values: torch.Tensor,
        valid_lens: torch.Tensor | None = None,
    ) -> torch.Tensor:
        _check_qkv(queries, keys, values)
        queries, keys = self.W_q(queries), self.W_k(keys)
        # 广播相加：(批量, 查询个数, 1, h) + (批量, 1, 键个数, h) → (批量, 查询个数, 键个数, h)
        features = torch.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)  # (批量, 查询个数, 键个数)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class DotProductAttention(nn.Module):
    """缩放点积注意力：评分 :math:`a(\\mathbf q, \\mathbf k) = \\mathbf q^\\top \\mathbf k / \\sqrt d`。

    查询与键的维数 ``d`` 必须相同。这一层没有可学习的参数。

    Examples
    --------
    >>> attention = DotProductAttention().eval()
    >>> queries, keys = torch.ones(2, 1, 2), torch.ones(2, 10, 2)
    >>> values = torch.arange(40.0).reshape(1, 10, 4).repeat(2, 1, 1)
    >>> out = attention(queries, keys, values, torch.tensor([2, 6]))
    >>> out.shape, out[0, 0].tolist()          # 前 2 个值的平均
    (torch.Size([2, 1, 4]), [2.0, 3.0, 4.0, 5.0])
    """

    def __init__(self, dropout: float = 0.0) -> None:
        super().__init__()
        check_probability("dropout", dropout)
        self.dropout = nn.Dropout(dropout)
        self.attention_weights: torch.Tensor | None = None

    def forward(
        self,
        queries: torch.Tensor,
        keys: torch.Tensor,
        values: torch.Tensor,
        valid_lens: torch.Tensor | None = None,
    ) -> torch.Tensor:
        _check_qkv(queries, keys, values)
        if queries.shape[-1] != keys.shape[-1]:
            raise ValueError(
                f"点积注意力要求查询与键的维数相同，收到 {queries.shape[-1]} 与 {keys.shape[-1]}"
            )
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


def transpose_qkv(X: torch.Tensor, num_heads: int) -> torch.Tensor:
    """把 ``(批量, 个数, num_hiddens)`` 拆成 ``num_heads`` 个头，头并入批量轴。

    返回形状 ``(批量 * num_heads, 个数, num_hiddens / num_heads)``；第 ``b * num_heads + i``
    个“样本”是第 ``b`` 个样本的第 ``i`` 个头，它取最后一轴上第 ``i`` 段连续的
    ``num_hiddens / num_heads`` 个元素。

    Examples
    --------
    >>> X = torch.arange(12.0).reshape(1, 2, 6)
    >>> transpose_qkv(X, 3)
    tensor([[[ 0.,  1.],
             [ 6.,  7.]],
    <BLANKLINE>
            [[ 2.,  3.],
             [ 8.,  9.]],
    <BLANKLINE>
            [[ 4.,  5.],
             [10., 11.]]])
    >>> torch.equal(transpose_output(transpose_qkv(X, 3), 3), X)
    True
    """
    check_positive("num_heads", num_heads)
    if X.dim() != 3 or X.shape[-1] % num_heads:
        raise ValueError(
            f"X 必须是三维张量且最后一维能被 num_heads={num_heads} 整除，收到 {tuple(X.shape)}"
        )
    # (批量, 个数, h) → (批量, 个数, 头数, h / 头数)
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    # → (批量, 头数, 个数, h / 头数)
    X = X.permute(0, 2, 1, 3)
    # → (批量 * 头数, 个数, h / 头数)
    return X.reshape(-1, X.shape[2], X.shape[3])


def transpose_output(X: torch.Tensor, num_heads: int) -> torch.Tensor:
    """:func:`transpose_qkv` 的逆变换：``(批量 * 头数, 个数, d)`` → ``(批量, 个数, 头数 * d)``。

    Examples
    --------
    >>> transpose_output(torch.zeros(6, 5, 4), 3).shape
    torch.Size([2, 5, 12])
    """
    check_positive("num_heads", num_heads)
    if X.dim() != 3 or X.shape[0] % num_heads:
        raise ValueError(
            f"X 必须是三维张量且第一维能被 num_heads={num_heads} 整除，收到 {tuple(X.shape)}"
        )
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])  # (批量, 头数, 个数, d)
    X = X.permute(0, 2, 1, 3)  # (批量, 个数, 头数, d)
    return X.reshape(X.shape[0], X.shape[1], -1)


class MultiHeadAttention(nn.Module):
    """多头注意力：``num_heads`` 个缩放点积注意力并行计算，输出拼接后再经过一个全连接层。

    查询、键、值先分别经 ``W_q``、``W_k``、``W_v`` 映射到 ``num_hiddens`` 维，再拆成
    ``num_heads`` 个 ``num_hiddens / num_heads`` 维的头（:func:`transpose_qkv`），所有头一次用
    :class:`DotProductAttention` 算完，拼回来（:func:`transpose_output`）后经过 ``W_o``。
    ``self.attention.attention_weights`` 的形状是 ``(批量 * 头数, 查询个数, 键个数)``。
    给出 ``generator`` 时，四个全连接层的参数按 PyTorch 的默认分布由它抽取。

    Examples
    --------
    >>> attention = MultiHeadAttention(key_size=100, query_size=100, value_size=100,
    ...                                num_hiddens=100, num_heads=5,
    ...                                generator=torch.Generator().manual_seed(0))
    >>> X, Y = torch.ones(2, 4, 100), torch.ones(2, 6, 100)
    >>> attention(X, Y, Y, torch.tensor([3, 2])).shape
    torch.Size([2, 4, 100])
    >>> attention.attention.attention_weights.shape
    torch.Size([10, 4, 6])
    """

    def __init__(
        self,
        key_size: int,
        query_size: int,
        value_size: int,
        num_hiddens: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = False,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        check_sizes(
            key_size=key_size,
            query_size=query_size,
            value_size=value_size,
            num_hiddens=num_hiddens,
            num_heads=num_heads,
        )
        check_probability("dropout", dropout)
        if num_hiddens % num_heads:
            raise ValueError(f"num_hiddens={num_hiddens} 必须能被 num_heads={num_heads} 整除")
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)
        self.W_v = nn.Linear(value_size, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        reset_parameters(self, generator)

    def forward(
        self,
        queries: torch.Tensor,
        keys: torch.Tensor,
        values: torch.Tensor,
        valid_lens: torch.Tensor | None = None,
    ) -> torch.Tensor:
        _check_qkv(queries, keys, values)
        _check_valid_lens(valid_lens, queries.shape[0], queries.shape[1])
        # 映射后拆头：(批量, 个数, num_hiddens) → (批量 * 头数, 个数, num_hiddens / 头数)
        queries = transpose_qkv(self.W_q(queries), self.num_heads)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)
        values = transpose_qkv(self.W_v(values), self.num_heads)
        if valid_lens is not None:
            # 每个样本的有效长度对它的每个头都重复一次（头在批量轴上相邻）
            valid_lens = torch.repeat_interleave(valid_lens, self.num_heads, dim=0)
        output = self.attention(queries, keys, values, valid_lens)
        # 拼回各头：(批量 * 头数, 查询个数, d) → (批量, 查询个数, num_hiddens)
        return self.W_o(transpose_output(output, self.num_heads))


def positional_encoding(max_len: int, num_hiddens: int) -> torch.Tensor:
    """正弦位置编码表 ``P``，形状 ``(max_len, num_hiddens)``。

    :math:`P_{i,2j} = \\sin(i / 10000^{2j/d})`，:math:`P_{i,2j+1} = \\cos(i / 10000^{2j/d})`，
    :math:`i` 是位置，:math:`d` 是 ``num_hiddens``；奇数也可以，最后一列是正弦。

    Examples
    --------
    >>> P = positional_encoding(3, 4)
    >>> P.shape, P[0].tolist()
    (torch.Size([3, 4]), [0.0, 1.0, 0.0, 1.0])
    >>> round(P[1, 0].item(), 4), round(P[1, 2].item(), 4)  # sin(1)、sin(1/100)
    (0.8415, 0.01)
    """
    check_positive("max_len", max_len)
    check_positive("num_hiddens", num_hiddens)
    position = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1)
    freqs = torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
    angles = position / freqs  # (max_len, ceil(num_hiddens / 2))
    P = torch.zeros(max_len, num_hiddens)
    P[:, 0::2] = torch.sin(angles)
    P[:, 1::2] = torch.cos(angles[:, : num_hiddens // 2])
    return P


class PositionalEncoding(nn.Module):
    """把正弦位置编码加到输入上，再做暂退：``dropout(X + P[:T])``。

    编码表 ``P`` 形状 ``(1, max_len, num_hiddens)``，登记为（不存入 ``state_dict`` 的）缓冲区，
    随模型一起移到 GPU。输入 ``X`` 形状 ``(批量, 时间步, num_hiddens)``，时间步不得超过 ``max_len``。

    Examples
    --------
    >>> pe = PositionalEncoding(num_hiddens=4, max_len=10).eval()
    >>> pe.P.shape
    torch.Size([1, 10, 4])
    >>> pe(torch.zeros(2, 3, 4))[1, 0]     # 位置 0：sin 0 = 0，cos 0 = 1
    tensor([0., 1., 0., 1.])
    """

    def __init__(self, num_hiddens: int, dropout: float = 0.0, max_len: int = 1000) -> None:
        super().__init__()
        check_positive("num_hiddens", num_hiddens)
        check_positive("max_len", max_len)
        check_probability("dropout", dropout)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer(
            "P", positional_encoding(max_len, num_hiddens).unsqueeze(0), persistent=False
        )

    def forward(self, X: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """``offset`` 是第一个时间步的位置（逐步解码时等于已经解码的步数）。"""
        if offset < 0:
            raise ValueError(f"offset 必须是非负整数，收到 {offset!r}")
        last = offset + X.shape[1] if X.dim() == 3 else 0
        if X.dim() != 3 or last > self.P.shape[1] or X.shape[2] != self.P.shape[2]:
            raise ValueError(
                f"X 的形状必须是 (批量, 时间步, {self.P.shape[2]})，且 offset + 时间步 ≤ "
                f"{self.P.shape[1]}，收到 {tuple(X.shape)}、offset={offset}"
            )
        X = X + self.P[:, offset:last, :].to(X.dtype)
        return self.dropout(X)
