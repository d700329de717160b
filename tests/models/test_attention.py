"""注意力机制的部件（dlbook.models.attention）：遮蔽 softmax、加性与点积注意力、多头注意力、位置编码。"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from dlbook.models.attention import (
    AdditiveAttention,
    DotProductAttention,
    MultiHeadAttention,
    PositionalEncoding,
    masked_softmax,
    positional_encoding,
    transpose_output,
    transpose_qkv,
)

# ---------------------------------------------------------------------------
# 遮蔽 softmax
# ---------------------------------------------------------------------------


def _softmax(z):
    e = [math.exp(v) for v in z]
    return [v / sum(e) for v in e]


def test_masked_softmax_1d_valid_lens_by_hand():
    X = torch.tensor(
        [
            [[1.0, 2.0, 3.0, 4.0], [0.0, -1.0, 5.0, 2.0]],
            [[2.0, 0.0, 1.0, -3.0], [1.0, 1.0, 1.0, 9.0]],
        ]
    )
    got = masked_softmax(X, torch.tensor([2, 3]))
    # 第 0 个样本只看前 2 个位置，第 1 个样本只看前 3 个位置
    expected = [
        [_softmax([1, 2]) + [0, 0], _softmax([0, -1]) + [0, 0]],
        [_softmax([2, 0, 1]) + [0], _softmax([1, 1, 1]) + [0]],
    ]
    torch.testing.assert_close(got, torch.tensor(expected))
    # 一个具体的数：e^2 / (e^1 + e^2)
    assert got[0, 0, 1].item() == pytest.approx(math.exp(2) / (math.exp(1) + math.exp(2)), rel=1e-6)
    assert got[1, 1, :3].tolist() == pytest.approx([1 / 3] * 3)


def test_masked_softmax_2d_valid_lens_by_hand():
    X = torch.tensor([[[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], [[0.5, 0.5, 7.0], [0.0, 1.0, 2.0]]])
    got = masked_softmax(X, torch.tensor([[1, 3], [2, 2]]))
    expected = [
        [[1.0, 0.0, 0.0], _softmax([3, 2, 1])],
        [[0.5, 0.5, 0.0], _softmax([0, 1]) + [0.0]],
    ]
    torch.testing.assert_close(got, torch.tensor(expected))
    torch.testing.assert_close(got.sum(-1), torch.ones(2, 2))
    # 无效位置上的得分改成什么都不影响结果
    X2 = X.clone()
    X2[0, 0, 1:] = 100.0
    X2[1, :, 2] = -50.0
    torch.testing.assert_close(masked_softmax(X2, torch.tensor([[1, 3], [2, 2]])), got)


def test_masked_softmax_none_and_errors():
    X = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(masked_softmax(X, None), torch.softmax(X, -1))
    with pytest.raises(ValueError, match="valid_lens"):
        masked_softmax(X, torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="valid_lens"):
        masked_softmax(X, torch.ones(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="X"):
        masked_softmax(X[0], None)
    with pytest.raises(TypeError, match="valid_lens"):
        masked_softmax(X, [1, 2])


# ---------------------------------------------------------------------------
# 加性注意力与缩放点积注意力
# ---------------------------------------------------------------------------


def test_additive_attention_shapes_weights_and_seeding():
    g = torch.Generator().manual_seed(0)
    q = torch.randn(3, 4, 5, generator=g)
    k = torch.randn(3, 6, 7, generator=g)
    v = torch.randn(3, 6, 2, generator=g)
    valid = torch.tensor([2, 6, 4])
    a = AdditiveAttention(7, 5, 8, generator=torch.Generator().manual_seed(1))
    b = AdditiveAttention(7, 5, 8, generator=torch.Generator().manual_seed(1))
    out = a(q, k, v, valid)
    assert out.shape == (3, 4, 2)
    w = a.attention_weights
    assert w.shape == (3, 4, 6)
    torch.testing.assert_close(w.sum(-1), torch.ones(3, 4))
    assert w[0, :, 2:].abs().max().item() == 0.0 and w[2, :, 4:].abs().max().item() == 0.0
    torch.testing.assert_close(out, torch.bmm(w, v))
    torch.testing.assert_close(b(q, k, v, valid), out)
    # 评分与手写公式一致
    with torch.no_grad():
        scores = torch.tanh((q @ a.W_q.weight.T)[:, :, None] + (k @ a.W_k.weight.T)[:, None])
        scores = (scores @ a.w_v.weight.T).squeeze(-1)
        torch.testing.assert_close(a(q, k, v), torch.softmax(scores, -1) @ v)
    with pytest.raises(ValueError, match="dropout"):
        AdditiveAttention(2, 2, 2, dropout=1.5)
    with pytest.raises(ValueError, match="键与值"):
        a(q, k, v[:, :5])


def test_dot_product_attention_matches_formula():
    g = torch.Generator().manual_seed(0)
    q, k, v = (
        torch.randn(2, 3, 4, generator=g),
        torch.randn(2, 5, 4, generator=g),
        torch.randn(2, 5, 3, generator=g),
    )
    att = DotProductAttention()
    out = att(q, k, v, torch.tensor([[1, 2, 5], [5, 3, 4]]))
    scores = q @ k.transpose(1, 2) / 2.0  # sqrt(4) = 2
    row = torch.softmax(scores[0, 1, :2], -1)
    torch.testing.assert_close(out[0, 1], row @ v[0, :2])
    torch.testing.assert_close(out[0, 0], v[0, 0])  # 只看一个键：权重为 1
    assert att.attention_weights.shape == (2, 3, 5)
    with pytest.raises(ValueError, match="维数相同"):
        att(q, torch.randn(2, 5, 3), v)


# ---------------------------------------------------------------------------
# 多头注意力
# ---------------------------------------------------------------------------


def test_transpose_qkv_roundtrip_and_layout():
    X = torch.arange(2 * 3 * 8.0).reshape(2, 3, 8)
    Y = transpose_qkv(X, 4)
    assert Y.shape == (8, 3, 2)
    # 第 1 个样本的第 2 个头 = 第 1 个样本最后一轴的第 4、5 个元素
    torch.testing.assert_close(Y[1 * 4 + 2], X[1, :, 4:6])
    torch.testing.assert_close(transpose_output(Y, 4), X)
    with pytest.raises(ValueError, match="整除"):
        transpose_qkv(X, 3)


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("kv_size", [16, 12])
def test_multihead_attention_equals_torch(bias, kv_size):
    num_hiddens, num_heads = 16, 4
    g = torch.Generator().manual_seed(0)
    ours = MultiHeadAttention(
        kv_size, num_hiddens, kv_size, num_hiddens, num_heads, bias=bias, generator=g
    )
    ref = nn.MultiheadAttention(
        num_hiddens, num_heads, bias=bias, batch_first=True, kdim=kv_size, vdim=kv_size
    )
    with torch.no_grad():
        if ref._qkv_same_embed_dim:
            ref.in_proj_weight.copy_(torch.cat([ours.W_q.weight, ours.W_k.weight, ours.W_v.weight]))
        else:
            ref.q_proj_weight.copy_(ours.W_q.weight)
            ref.k_proj_weight.copy_(ours.W_k.weight)
            ref.v_proj_weight.copy_(ours.W_v.weight)
        ref.out_proj.weight.copy_(ours.W_o.weight)
        if bias:
            ref.in_proj_bias.copy_(torch.cat([ours.W_q.bias, ours.W_k.bias, ours.W_v.bias]))
            ref.out_proj.bias.copy_(ours.W_o.bias)
    q = torch.randn(3, 5, num_hiddens, generator=g)
    kv = torch.randn(3, 7, kv_size, generator=g)
    valid_lens = torch.tensor([2, 7, 4])
    key_padding_mask = torch.arange(7)[None, :] >= valid_lens[:, None]  # True = 忽略
    with torch.no_grad():
        out = ours(q, kv, kv, valid_lens)
        ref_out, ref_w = ref(q, kv, kv, key_padding_mask=key_padding_mask)
    torch.testing.assert_close(out, ref_out, atol=1e-6, rtol=1e-5)
    weights = ours.attention.attention_weights.reshape(3, num_heads, 5, 7).mean(1)
    torch.testing.assert_close(weights, ref_w, atol=1e-6, rtol=1e-5)
    assert ours.attention.attention_weights.shape == (3 * num_heads, 5, 7)


def test_multihead_attention_checks_and_seeding():
    with pytest.raises(ValueError, match="整除"):
        MultiHeadAttention(8, 8, 8, 10, 4)
    with pytest.raises(ValueError, match="num_heads"):
        MultiHeadAttention(8, 8, 8, 8, 0)
    a = MultiHeadAttention(8, 8, 8, 8, 2, generator=torch.Generator().manual_seed(3))
    b = MultiHeadAttention(8, 8, 8, 8, 2, generator=torch.Generator().manual_seed(3))
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert a.W_q.weight.abs().max().item() <= 1 / math.sqrt(8)
    with pytest.raises(ValueError, match="valid_lens"):
        a(torch.ones(2, 3, 8), torch.ones(2, 4, 8), torch.ones(2, 4, 8), torch.tensor([1, 2, 3]))


# ---------------------------------------------------------------------------
# 位置编码
# ---------------------------------------------------------------------------


def test_positional_encoding_values_and_module():
    P = positional_encoding(50, 8)
    i, j = 7, 1  # 第 2j、2j+1 列的频率是 1 / 10000^(2j/d)
    w = 1 / 10000 ** (2 * j / 8)
    assert P[i, 2 * j].item() == pytest.approx(math.sin(i * w), abs=1e-6)
    assert P[i, 2 * j + 1].item() == pytest.approx(math.cos(i * w), abs=1e-6)
    assert positional_encoding(4, 5).shape == (4, 5)
    pe = PositionalEncoding(8, dropout=0.0, max_len=50)
    X = torch.randn(2, 10, 8)
    torch.testing.assert_close(pe(X), X + P[:10])
    assert "P" not in pe.state_dict()
    with pytest.raises(ValueError, match="时间步"):
        pe(torch.zeros(1, 51, 8))
    # offset：逐步解码时从已解码的步数开始数位置
    torch.testing.assert_close(pe(X[:, 3:], offset=3), X[:, 3:] + P[3:10])
    with pytest.raises(ValueError, match="offset"):
        pe(torch.zeros(1, 5, 8), offset=46)
    with pytest.raises(ValueError, match="offset"):
        pe(X, offset=-1)


def test_positional_encoding_relative_position_is_a_rotation():
    d, delta = 16, 5
    P = positional_encoding(100, d).double()
    freqs = 1 / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    # 对每一对 (sin, cos) 列，位置 pos+delta 的编码 = 一个只依赖 delta 的旋转矩阵乘以位置 pos 的编码
    M = torch.zeros(d, d, dtype=torch.float64)
    for j, w in enumerate(freqs):
        c, s = math.cos(delta * w), math.sin(delta * w)
        M[2 * j : 2 * j + 2, 2 * j : 2 * j + 2] = torch.tensor(
            [[c, s], [-s, c]], dtype=torch.float64
        )
    predicted = P[: 100 - delta] @ M.T
    assert (predicted - P[delta:]).abs().max().item() < 1e-5
