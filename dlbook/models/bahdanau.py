"""带 Bahdanau 注意力的 seq2seq：解码器每一步用当前的隐状态作查询，在编码器的各个时间步上做加性注意力。

取代 D2L 的 ``AttentionDecoder`` 与 ``Seq2SeqAttentionDecoder``。编码器仍是第 8 章的
:class:`~dlbook.models.seq2seq.Seq2SeqEncoder`，训练与预测也沿用 :func:`~dlbook.train.seq2seq.train_seq2seq`
与 :func:`~dlbook.train.seq2seq.predict_seq2seq`。

解码器的状态 ``(编码器输出, 隐状态, 源序列有效长度)`` 每一步都换成新的元组，从不原地修改，
所以逐词预测时可以缓存每个前缀的状态（束搜索要用）。
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from dlbook.models.attention import AdditiveAttention
from dlbook.models.seq2seq import Decoder, EncoderDecoder, Seq2SeqEncoder, init_seq2seq
from dlbook.utils.checks import check_probability, check_sizes

__all__ = ["AttentionDecoder", "Seq2SeqAttentionDecoder", "seq2seq_attention"]

State = tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]


class AttentionDecoder(Decoder):
    """带注意力的解码器的接口：``attention_weights`` 是最近一次 ``forward`` 的注意力权重。"""

    @property
    def attention_weights(self) -> Any:
        raise NotImplementedError


class Seq2SeqAttentionDecoder(AttentionDecoder):
    """GRU 解码器加上 Bahdanau 注意力。

    第 :math:`t'` 步的查询是解码器上一步最上层的隐状态 :math:`\\mathbf s_{t'-1}`，键和值都是编码器
    最上层在各个时间步的隐状态 :math:`\\mathbf h_t`；注意力汇聚的结果是这一步的上下文变量
    :math:`\\mathbf c_{t'}`，它与目标词元的嵌入拼接后送进 GRU。源序列的填充位置被遮蔽，
    它们的注意力权重为 0。``attention_weights`` 的形状是 ``(批量, 解码的时间步, 源时间步)``。

    Examples
    --------
    >>> encoder = Seq2SeqEncoder(10, embed_size=8, num_hiddens=16, num_layers=2)
    >>> decoder = Seq2SeqAttentionDecoder(12, embed_size=8, num_hiddens=16, num_layers=2)
    >>> X, valid_lens = torch.zeros(4, 7, dtype=torch.long), torch.tensor([7, 5, 3, 1])
    >>> state = decoder.init_state(encoder(X), valid_lens)
    >>> Y_hat, state = decoder(torch.zeros(4, 5, dtype=torch.long), state)
    >>> Y_hat.shape, decoder.attention_weights.shape
    (torch.Size([4, 5, 12]), torch.Size([4, 5, 7]))
    >>> decoder.attention_weights[3, 0].tolist()  # 有效长度为 1：只看第一个源词元
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
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
        self.attention = AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self._attention_weights: torch.Tensor | None = None

    @property
    def attention_weights(self) -> torch.Tensor | None:
        return self._attention_weights

    def init_state(self, enc_outputs: Any, enc_valid_lens: torch.Tensor | None = None) -> State:
        """初始状态：编码器各时间步的输出（批量优先）、编码器的最终隐状态、源序列的有效长度。"""
        outputs, hidden_state = enc_outputs
        return outputs.permute(1, 0, 2), hidden_state, enc_valid_lens

    def forward(self, X: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        enc_outputs, hidden_state, enc_valid_lens = state
        embs = self.embedding(X.long()).permute(1, 0, 2)  # (时间步, 批量, 嵌入维数)
        outputs, weights = [], []
        for x in embs:  # 一步一步走：每一步的查询取决于上一步的隐状态
            query = hidden_state[-1].unsqueeze(1)  # (批量, 1, 隐藏单元数)
            context = self.attention(query, enc_outputs, enc_outputs, enc_valid_lens)
            x = torch.cat([context, x.unsqueeze(1)], dim=-1)  # (批量, 1, 隐藏 + 嵌入)
            out, hidden_state = self.rnn(x.permute(1, 0, 2), hidden_state)
            outputs.append(out)
            weights.append(self.attention.attention_weights)
        self._attention_weights = torch.cat(weights, dim=1)  # (批量, 时间步, 源时间步)
        Y_hat = self.dense(torch.cat(outputs, dim=0)).permute(1, 0, 2)  # (批量, 时间步, 词表)
        return Y_hat, (enc_outputs, hidden_state, enc_valid_lens)


def seq2seq_attention(
    src_vocab_size: int,
    tgt_vocab_size: int,
    *,
    embed_size: int = 32,
    num_hiddens: int = 32,
    num_layers: int = 2,
    dropout: float = 0.1,
    generator: torch.Generator | None = None,
) -> EncoderDecoder:
    """书中带 Bahdanau 注意力的 seq2seq：GRU 编码器 + 带加性注意力的 GRU 解码器。

    默认值同 D2L（嵌入 32、隐藏 32、2 层、暂退 0.1）；初始化同 :func:`~dlbook.models.seq2seq.seq2seq`
    （:func:`~dlbook.models.seq2seq.init_seq2seq`），给出 ``generator`` 时初值可复现。

    Examples
    --------
    >>> net = seq2seq_attention(10, 12, generator=torch.Generator().manual_seed(0))
    >>> X = torch.zeros(4, 7, dtype=torch.long)
    >>> Y_hat, _ = net(X, torch.zeros(4, 5, dtype=torch.long), torch.tensor([7, 5, 3, 1]))
    >>> Y_hat.shape
    torch.Size([4, 5, 12])
    """
    net = EncoderDecoder(
        Seq2SeqEncoder(src_vocab_size, embed_size, num_hiddens, num_layers, dropout),
        Seq2SeqAttentionDecoder(tgt_vocab_size, embed_size, num_hiddens, num_layers, dropout),
    )
    return init_seq2seq(net, generator)
