"""注意力机制的部件（dlbook.models.attention）与热图（dlbook.plotting.figures.show_heatmaps）。"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from dlbook.models.attention import (  # noqa: E402
    AdditiveAttention,
    DotProductAttention,
    MultiHeadAttention,
    PositionalEncoding,
    masked_softmax,
    positional_encoding,
    transpose_output,
    transpose_qkv,
)
from dlbook.plotting.figures import show_heatmaps  # noqa: E402

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


# ---------------------------------------------------------------------------
# 热图
# ---------------------------------------------------------------------------


def test_show_heatmaps_grid():
    fig = show_heatmaps(torch.rand(2, 3, 4, 5), "键", "查询", titles=["一", "二", "三"])
    assert len(fig.axes) == 2 * 3 + 1  # 6 个热图 + 1 条颜色条
    assert fig.axes[2].get_title() == "三" and fig.axes[3].get_ylabel() == "查询"
    assert fig.axes[4].get_xlabel() == "键"
    plt.close(fig)
    with pytest.raises(ValueError, match="matrices"):
        show_heatmaps(torch.eye(3), "x", "y")


# ---------------------------------------------------------------------------
# Nadaraya–Watson 核回归
# ---------------------------------------------------------------------------


def test_gaussian_kernel_pooling_by_hand_and_shapes():
    from dlbook.models.nadaraya_watson import gaussian_kernel_pooling

    q = torch.tensor([0.0, 1.0])
    k = torch.tensor([0.0, 1.0, 3.0])
    v = torch.tensor([2.0, 4.0, 8.0])
    y_hat, weights = gaussian_kernel_pooling(q, k, v, w=2.0)
    # 查询 1.0 的得分：-((1-0)*2)^2/2 = -2，0，-((1-3)*2)^2/2 = -8
    e = [math.exp(-2), 1.0, math.exp(-8)]
    expected_w = [x / sum(e) for x in e]
    assert weights[1].tolist() == pytest.approx(expected_w, rel=1e-5)
    assert y_hat[1].item() == pytest.approx(sum(a * b for a, b in zip(expected_w, [2, 4, 8])))
    # 每个查询各有一组键值对：结果与逐个计算相同
    K, V = torch.rand(2, 3), torch.rand(2, 3)
    y2, w2 = gaussian_kernel_pooling(q, K, V)
    torch.testing.assert_close(y2[0], gaussian_kernel_pooling(q[:1], K[0], V[0])[0][0])
    assert w2.shape == (2, 3)
    with pytest.raises(ValueError, match="keys"):
        gaussian_kernel_pooling(q, torch.rand(3, 3), torch.rand(3, 3))


def test_leave_one_out_and_data():
    from dlbook.models.nadaraya_watson import (
        kernel_regression_data,
        kernel_regression_target,
        leave_one_out,
    )

    L = leave_one_out(torch.arange(5.0))
    assert L.shape == (5, 4) and L[2].tolist() == [0.0, 1.0, 3.0, 4.0]
    x_train, y_train, x_test, y_truth = kernel_regression_data(n_train=30, noise=0.0, seed=1)
    assert x_train.shape == (30,) and x_test.shape == (50,)
    torch.testing.assert_close(y_train, kernel_regression_target(x_train))
    assert not torch.equal(kernel_regression_data(seed=1)[0], kernel_regression_data(seed=2)[0])
    with pytest.raises(ValueError, match="seed"):
        kernel_regression_data(seed=-1)


def test_nw_kernel_regression_learns_w_and_reduces_loss():
    from dlbook.models.nadaraya_watson import (
        NWKernelRegression,
        kernel_regression_data,
        leave_one_out,
    )

    x, y, _, _ = kernel_regression_data(seed=0)
    keys, values = leave_one_out(x), leave_one_out(y)
    net = NWKernelRegression(generator=torch.Generator().manual_seed(0))
    w0 = net.w.item()
    assert 0 <= w0 < 1
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = ((net(x, keys, values) - y) ** 2 / 2).sum()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 2 and net.w.item() > w0
    assert net.attention_weights.shape == (50, 49)
