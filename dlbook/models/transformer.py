"""Transformer：逐位置前馈网络、残差连接与层规范化、编码器块与解码器块、编码器与解码器。

取代 D2L 的 ``PositionWiseFFN``、``AddNorm``、``EncoderBlock``、``TransformerEncoder``、
``DecoderBlock`` 与 ``TransformerDecoder``。训练与预测沿用第 8 章的
:func:`~dlbook.train.seq2seq.train_seq2seq` 与 :func:`~dlbook.train.seq2seq.predict_seq2seq`。

与 D2L 的两处不同：

* 解码器的自注意力**总是**遮蔽后面的位置（第 :math:`i` 个查询只看前 :math:`i` 个键），训练与预测
  用同一段代码：预测时把以前各步送进每个块的输入缓存在状态里，新的一步把它们接在前面当作键和值；
  于是逐步解码与一次解码整个序列的结果相同（测试里核对过）。
* 预测时新词元的位置编码接着已经解码的步数往后数（D2L 的实现每一步都用位置 0）。

解码器的状态 ``(编码器输出, 源序列有效长度, 每个块的缓存)`` 每一步都换成新的元组，从不原地修改。
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from dlbook.models.attention import MultiHeadAttention, PositionalEncoding
from dlbook.models.bahdanau import AttentionDecoder
from dlbook.models.seq2seq import Encoder, EncoderDecoder, init_seq2seq
from dlbook.utils.checks import check_probability, check_sizes

__all__ = [
    "AddNorm",
    "PositionWiseFFN",
    "TransformerDecoder",
    "TransformerDecoderBlock",
    "TransformerEncoder",
    "TransformerEncoderBlock",
    "transformer",
]

#: 解码器的状态：编码器输出、源序列有效长度、每个块以前各步的输入（还没有解码过时为 None）。
State = tuple[torch.Tensor, "torch.Tensor | None", tuple["torch.Tensor | None", ...]]


class PositionWiseFFN(nn.Module):
    """逐位置前馈网络：对序列的每个位置用同一个两层感知机（全连接 → ReLU → 全连接）。

    ``activation`` 是中间的激活函数的类（默认 ``nn.ReLU``；BERT 用 ``nn.GELU``）。

    Examples
    --------
    >>> ffn = PositionWiseFFN(4, 8, 6)
    >>> ffn(torch.ones(2, 3, 4)).shape
    torch.Size([2, 3, 6])
    """

    def __init__(
        self,
        num_inputs: int,
        ffn_num_hiddens: int,
        num_outputs: int,
        activation: type[nn.Module] = nn.ReLU,
    ) -> None:
        super().__init__()
        check_sizes(num_inputs=num_inputs, ffn_num_hiddens=ffn_num_hiddens, num_outputs=num_outputs)
        self.dense1 = nn.Linear(num_inputs, ffn_num_hiddens)
        self.relu = activation()  # 名字沿用 D2L；BERT 用 nn.GELU
        self.dense2 = nn.Linear(ffn_num_hiddens, num_outputs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.dense2(self.relu(self.dense1(X)))


class AddNorm(nn.Module):
    """残差连接后做层规范化：``LayerNorm(X + dropout(Y))``，``Y`` 是子层的输出。

    ``eps`` 是层规范化加在方差上的小数（PyTorch 默认 1e-5；BERT 用 1e-12）。

    Examples
    --------
    >>> add_norm = AddNorm(4).eval()
    >>> out = add_norm(torch.ones(2, 3, 4), torch.arange(24.0).reshape(2, 3, 4))
    >>> out.shape, [round(v, 4) for v in out[0, 0].tolist()]   # 每个位置各自规范化
    (torch.Size([2, 3, 4]), [-1.3416, -0.4472, 0.4472, 1.3416])
    """

    def __init__(
        self, norm_shape: int | tuple[int, ...], dropout: float = 0.0, eps: float = 1e-5
    ) -> None:
        super().__init__()
        check_probability("dropout", dropout)
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(norm_shape, eps=eps)

    def forward(self, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
        return self.ln(X + self.dropout(Y))


class TransformerEncoderBlock(nn.Module):
    """编码器块：多头自注意力 → 加与规范化 → 逐位置前馈网络 → 加与规范化。输出与输入同形。

    ``activation`` 与 ``norm_eps`` 交给 :class:`PositionWiseFFN` 与 :class:`AddNorm` （默认 ReLU 与 1e-5，
    同 D2L；BERT 用 GELU 与 1e-12）。

    Examples
    --------
    >>> blk = TransformerEncoderBlock(24, 48, num_heads=8).eval()
    >>> blk(torch.ones(2, 100, 24), torch.tensor([3, 2])).shape
    torch.Size([2, 100, 24])
    """

    def __init__(
        self,
        num_hiddens: int,
        ffn_num_hiddens: int,
        num_heads: int,
        dropout: float = 0.0,
        use_bias: bool = False,
        *,
        activation: type[nn.Module] = nn.ReLU,
        norm_eps: float = 1e-5,
    ) -> None:
        super().__init__()
        self.attention = MultiHeadAttention(
            num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads, dropout, use_bias
        )
        self.addnorm1 = AddNorm(num_hiddens, dropout, norm_eps)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens, activation)
        self.addnorm2 = AddNorm(num_hiddens, dropout, norm_eps)

    def forward(self, X: torch.Tensor, valid_lens: torch.Tensor | None = None) -> torch.Tensor:
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class TransformerEncoder(Encoder):
    """Transformer 编码器：词元嵌入（乘 :math:`\\sqrt d`）加位置编码，再经过 ``num_blks`` 个编码器块。

    返回最后一个块的输出 ``(批量, 时间步, num_hiddens)``；``attention_weights`` 是最近一次
    ``forward`` 中每个块的自注意力权重，每个形状 ``(批量 * 头数, 时间步, 时间步)``。

    Examples
    --------
    >>> encoder = TransformerEncoder(200, 24, 48, num_heads=8, num_blks=2).eval()
    >>> encoder(torch.ones(2, 100, dtype=torch.long), torch.tensor([3, 2])).shape
    torch.Size([2, 100, 24])
    >>> len(encoder.attention_weights), encoder.attention_weights[0].shape
    (2, torch.Size([16, 100, 100]))
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        ffn_num_hiddens: int,
        num_heads: int,
        num_blks: int,
        dropout: float = 0.0,
        use_bias: bool = False,
    ) -> None:
        super().__init__()
        check_sizes(vocab_size=vocab_size, num_hiddens=num_hiddens, num_blks=num_blks)
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.ModuleList(
            TransformerEncoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias)
            for _ in range(num_blks)
        )
        self.attention_weights: list[torch.Tensor] = []

    def forward(
        self, X: torch.Tensor, valid_lens: torch.Tensor | None = None, *args: Any
    ) -> torch.Tensor:
        # 嵌入乘 sqrt(d)（同 D2L）；transformer() 把嵌入的初值取成标准差 1/sqrt(d)，乘后标准差为 1
        X = self.pos_encoding(self.embedding(X.long()) * math.sqrt(self.num_hiddens))
        weights = []
        for blk in self.blks:
            X = blk(X, valid_lens)
            weights.append(blk.attention.attention.attention_weights)
        self.attention_weights = weights
        return X


class TransformerDecoderBlock(nn.Module):
    """解码器块：遮蔽的多头自注意力 → 加与规范化 → 编码器–解码器注意力 → 加与规范化 →
    逐位置前馈网络 → 加与规范化。

    ``forward(X, enc_outputs, enc_valid_lens, cache)`` 返回 ``(输出, 新的缓存)``。``cache`` 是以前各步
    送进本块的输入 ``(批量, 已解码步数, num_hiddens)`` （没有时为 ``None``）；它与 ``X`` 拼起来当作
    自注意力的键和值，第 :math:`i` 个查询只能看到它自己和它之前的位置。新的缓存就是拼接的结果。

    Examples
    --------
    >>> blk = TransformerDecoderBlock(24, 48, num_heads=8).eval()
    >>> enc_outputs = torch.ones(2, 100, 24)
    >>> Y, cache = blk(torch.ones(2, 10, 24), enc_outputs, torch.tensor([3, 2]))
    >>> Y.shape, cache.shape
    (torch.Size([2, 10, 24]), torch.Size([2, 10, 24]))
    >>> Y, cache = blk(torch.ones(2, 1, 24), enc_outputs, torch.tensor([3, 2]), cache)
    >>> Y.shape, cache.shape                       # 第 11 步：键和值是 11 个位置
    (torch.Size([2, 1, 24]), torch.Size([2, 11, 24]))
    """

    def __init__(
        self,
        num_hiddens: int,
        ffn_num_hiddens: int,
        num_heads: int,
        dropout: float = 0.0,
        use_bias: bool = False,
    ) -> None:
        super().__init__()
        self.attention1 = MultiHeadAttention(
            num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads, dropout, use_bias
        )
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.attention2 = MultiHeadAttention(
            num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads, dropout, use_bias
        )
        self.addnorm2 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)
        self.addnorm3 = AddNorm(num_hiddens, dropout)

    def forward(
        self,
        X: torch.Tensor,
        enc_outputs: torch.Tensor,
        enc_valid_lens: torch.Tensor | None,
        cache: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        key_values = X if cache is None else torch.cat([cache, X], dim=1)
        batch_size, num_steps, _ = X.shape
        past = key_values.shape[1] - num_steps
        # 第 i 个查询（绝对位置 past + i）只看前 past + i + 1 个键：形状 (批量, 查询个数)
        dec_valid_lens = torch.arange(past + 1, past + num_steps + 1, device=X.device)
        dec_valid_lens = dec_valid_lens.repeat(batch_size, 1)
        X2 = self.attention1(X, key_values, key_values, dec_valid_lens)  # 遮蔽的自注意力
        Y = self.addnorm1(X, X2)
        Y2 = self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens)  # 编码器–解码器注意力
        Z = self.addnorm2(Y, Y2)
        return self.addnorm3(Z, self.ffn(Z)), key_values


class TransformerDecoder(AttentionDecoder):
    """Transformer 解码器：嵌入加位置编码，``num_blks`` 个解码器块，最后一个全连接层输出词表上的得分。

    ``attention_weights`` 是最近一次 ``forward`` 的 ``(自注意力权重, 编码器–解码器注意力权重)``，
    两者都是每个块一个张量，形状 ``(批量 * 头数, 查询个数, 键个数)``。

    Examples
    --------
    >>> encoder = TransformerEncoder(200, 24, 48, num_heads=8, num_blks=2).eval()
    >>> decoder = TransformerDecoder(150, 24, 48, num_heads=8, num_blks=2).eval()
    >>> valid_lens = torch.tensor([3, 2])
    >>> state = decoder.init_state(encoder(torch.ones(2, 100, dtype=torch.long), valid_lens), valid_lens)
    >>> Y_hat, state = decoder(torch.ones(2, 10, dtype=torch.long), state)
    >>> Y_hat.shape, [c.shape for c in state[2]]
    (torch.Size([2, 10, 150]), [torch.Size([2, 10, 24]), torch.Size([2, 10, 24])])
    >>> self_attention, cross_attention = decoder.attention_weights
    >>> self_attention[0].shape, cross_attention[0].shape
    (torch.Size([16, 10, 10]), torch.Size([16, 10, 100]))
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        ffn_num_hiddens: int,
        num_heads: int,
        num_blks: int,
        dropout: float = 0.0,
        use_bias: bool = False,
    ) -> None:
        super().__init__()
        check_sizes(vocab_size=vocab_size, num_hiddens=num_hiddens, num_blks=num_blks)
        self.num_hiddens, self.num_blks = num_hiddens, num_blks
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.ModuleList(
            TransformerDecoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias)
            for _ in range(num_blks)
        )
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self._attention_weights: tuple[list[torch.Tensor], list[torch.Tensor]] = ([], [])

    @property
    def attention_weights(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        return self._attention_weights

    def init_state(
        self, enc_outputs: torch.Tensor, enc_valid_lens: torch.Tensor | None = None, *args: Any
    ) -> State:
        """初始状态：编码器输出、源序列有效长度，每个块的缓存都还是空的。"""
        return enc_outputs, enc_valid_lens, (None,) * self.num_blks

    def forward(self, X: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        enc_outputs, enc_valid_lens, caches = state
        past = 0 if caches[0] is None else caches[0].shape[1]  # 已经解码了几步
        X = self.embedding(X.long()) * math.sqrt(self.num_hiddens)
        # 位置从 past 开始数：逐步解码时第 t 步的词元用位置 t 的编码
        X = self.pos_encoding(X, offset=past)
        new_caches, self_weights, cross_weights = [], [], []
        for blk, cache in zip(self.blks, caches):
            X, key_values = blk(X, enc_outputs, enc_valid_lens, cache)
            new_caches.append(key_values)
            self_weights.append(blk.attention1.attention.attention_weights)
            cross_weights.append(blk.attention2.attention.attention_weights)
        self._attention_weights = (self_weights, cross_weights)
        return self.dense(X), (enc_outputs, enc_valid_lens, tuple(new_caches))


def transformer(
    src_vocab_size: int,
    tgt_vocab_size: int,
    *,
    num_hiddens: int = 32,
    ffn_num_hiddens: int = 64,
    num_heads: int = 4,
    num_blks: int = 2,
    dropout: float = 0.1,
    embedding_std: float | None = None,
    generator: torch.Generator | None = None,
) -> EncoderDecoder:
    """书中的 Transformer 编码器–解码器（默认值同 D2L：隐藏 32、前馈隐藏 64、4 头、2 块、暂退 0.1）。

    初始化同第 8 章的 seq2seq（:func:`~dlbook.models.seq2seq.init_seq2seq`：全连接层的权重用 Xavier
    均匀分布），只有嵌入不同：两个嵌入层的参数取均值 0、标准差 ``embedding_std`` 的正态分布，默认
    :math:`1/\\sqrt d` （``d`` 即 ``num_hiddens``）。编码器与解码器把嵌入乘以 :math:`\\sqrt d`，于是
    送进第一块的嵌入标准差是 1，与取值在 :math:`[-1, 1]` 内的位置编码同一个量级。D2L 的嵌入取标准正态
    （``embedding_std=1.0``），乘以 :math:`\\sqrt d` 后标准差是 :math:`\\sqrt d`：位置编码几乎被淹没，
    第一块的注意力得分大得让 softmax 饱和，每个头都只看一个位置（第 9 章 Transformer 一节用数字说明）。
    给出 ``generator`` 时初值可复现。

    Examples
    --------
    >>> net = transformer(10, 12, generator=torch.Generator().manual_seed(0))
    >>> X = torch.zeros(4, 7, dtype=torch.long)
    >>> Y_hat, _ = net(X, torch.zeros(4, 5, dtype=torch.long), torch.tensor([7, 5, 3, 1]))
    >>> Y_hat.shape
    torch.Size([4, 5, 12])
    >>> big = transformer(1000, 12, num_hiddens=64, num_heads=4, embedding_std=1.0)
    >>> small = transformer(1000, 12, num_hiddens=64, num_heads=4)
    >>> [round(n.encoder.embedding.weight.std().item() * 64 ** 0.5, 1) for n in (big, small)]
    [8.0, 1.0]
    """
    if embedding_std is None:
        embedding_std = num_hiddens**-0.5
    if not (isinstance(embedding_std, (int, float)) and 0 < embedding_std < math.inf):
        raise ValueError(f"embedding_std 必须是有限的正数，收到 {embedding_std!r}")
    net = EncoderDecoder(
        TransformerEncoder(
            src_vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout
        ),
        TransformerDecoder(
            tgt_vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout
        ),
    )
    init_seq2seq(net, generator)
    with torch.no_grad():
        for embedding in (net.encoder.embedding, net.decoder.embedding):
            embedding.weight.normal_(0.0, float(embedding_std), generator=generator)
    return net
