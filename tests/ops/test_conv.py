"""从零实现的卷积与池化（dlbook.ops.conv）与 torch.nn.functional 对照。"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from dlbook.ops.conv import (
    conv2d_flops,
    conv_matrix,
    conv_output_shape,
    corr1d,
    corr1d_multi_in,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    max_over_time_pool,
    pool2d,
    trans_conv,
    trans_conv_by_matrix,
    trans_conv_output_shape,
)

ATOL = 1e-5


@st.composite
def conv_case(draw, max_size: int = 7, max_kernel: int = 4):
    """随机的输入尺寸、核尺寸、填充与步幅，保证核不大于填充后的输入。"""
    k_h = draw(st.integers(1, max_kernel))
    k_w = draw(st.integers(1, max_kernel))
    p_h = draw(st.integers(0, 2))
    p_w = draw(st.integers(0, 2))
    n_h = draw(st.integers(max(1, k_h - 2 * p_h), max_size))
    n_w = draw(st.integers(max(1, k_w - 2 * p_w), max_size))
    s_h = draw(st.integers(1, 3))
    s_w = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    return (n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w), seed


def _rand(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


@settings(max_examples=60, deadline=None)
@given(conv_case())
def test_corr2d_matches_conv2d(case):
    n, k, p, s, seed = case
    X, K = _rand(n, seed), _rand(k, seed + 1)
    expected = F.conv2d(X[None, None], K[None, None], padding=p, stride=s)[0, 0]
    torch.testing.assert_close(corr2d(X, K, padding=p, stride=s), expected, atol=ATOL, rtol=0)


@settings(max_examples=30, deadline=None)
@given(conv_case(max_size=6, max_kernel=3), st.integers(1, 3), st.integers(1, 3))
def test_corr2d_multi_in_out_matches_conv2d(case, c_i, c_o):
    n, k, p, s, seed = case
    X, K = _rand((c_i, *n), seed), _rand((c_o, c_i, *k), seed + 1)
    expected = F.conv2d(X[None], K, padding=p, stride=s)[0]
    torch.testing.assert_close(
        corr2d_multi_in_out(X, K, padding=p, stride=s), expected, atol=ATOL, rtol=0
    )
    torch.testing.assert_close(
        corr2d_multi_in(X, K[0], padding=p, stride=s), expected[0], atol=ATOL, rtol=0
    )


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 4), st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(0, 999)
)
def test_1x1_conv_is_matrix_product(c_i, c_o, h, w, seed):
    X, K = _rand((c_i, h, w), seed), _rand((c_o, c_i, 1, 1), seed + 1)
    torch.testing.assert_close(
        corr2d_multi_in_out_1x1(X, K), corr2d_multi_in_out(X, K), atol=ATOL, rtol=0
    )
    torch.testing.assert_close(
        corr2d_multi_in_out_1x1(X, K), F.conv2d(X[None], K)[0], atol=ATOL, rtol=0
    )


@st.composite
def pool_case(draw):
    """PyTorch 要求池化的填充不超过窗口的一半。"""
    k_h, k_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    p_h, p_w = draw(st.integers(0, k_h // 2)), draw(st.integers(0, k_w // 2))
    n_h = draw(st.integers(max(1, k_h - 2 * p_h), 7))
    n_w = draw(st.integers(max(1, k_w - 2 * p_w), 7))
    s_h, s_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    channels = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    return (channels, n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w), seed


@settings(max_examples=60, deadline=None)
@given(pool_case())
def test_max_pool_matches_torch(case):
    shape, k, p, s, seed = case
    X = _rand(shape, seed)
    expected = F.max_pool2d(X[None], k, stride=s, padding=p)[0]
    torch.testing.assert_close(pool2d(X, k, "max", padding=p, stride=s), expected, atol=0, rtol=0)


@settings(max_examples=60, deadline=None)
@given(pool_case())
def test_avg_pool_matches_torch(case):
    shape, k, p, s, seed = case
    X = _rand(shape, seed)
    expected = F.avg_pool2d(X[None], k, stride=s, padding=p)[0]
    torch.testing.assert_close(
        pool2d(X, k, "avg", padding=p, stride=s), expected, atol=ATOL, rtol=0
    )


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(1, 5),
    st.integers(1, 5),
)
def test_output_shape_formula_matches_pytorch(n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):
    if k_h > n_h + 2 * p_h or k_w > n_w + 2 * p_w:
        with pytest.raises(ValueError, match="kernel_size"):
            conv_output_shape((n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w))
        return
    conv = nn.Conv2d(1, 1, (k_h, k_w), padding=(p_h, p_w), stride=(s_h, s_w), bias=False)
    with torch.no_grad():
        out = conv(torch.zeros(1, 1, n_h, n_w))
    assert conv_output_shape((n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w)) == tuple(out.shape[2:])


@pytest.mark.parametrize(
    ("kernel", "padding", "stride", "expected"),
    [
        (3, 1, 1, (8, 8)),  # 正文的四种情形，输入都是 8×8
        ((5, 3), (2, 1), 1, (8, 8)),
        (3, 1, 2, (4, 4)),
        ((3, 5), (0, 1), (3, 4), (2, 2)),
    ],
)
def test_book_cases(kernel, padding, stride, expected):
    assert conv_output_shape(8, kernel, padding, stride) == expected
    conv = nn.Conv2d(1, 1, kernel, padding=padding, stride=stride)
    assert tuple(conv(torch.rand(1, 1, 8, 8)).shape[2:]) == expected


def test_book_examples():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert corr2d(X, K).tolist() == [[19.0, 25.0], [37.0, 43.0]]
    assert pool2d(X, (2, 2)).tolist() == [[4.0, 5.0], [7.0, 8.0]]
    assert pool2d(X, (2, 2), "avg").tolist() == [[2.0, 3.0], [5.0, 6.0]]
    X2 = torch.stack([X, X + 1])
    K2 = torch.stack([K, K + 1])
    assert corr2d_multi_in(X2, K2).tolist() == [[56.0, 72.0], [104.0, 120.0]]
    assert corr2d_multi_in_out(X2, torch.stack([K2, K2 + 1, K2 + 2])).shape == (3, 2, 2)


def test_edge_detection():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    assert Y[:, 1].eq(1).all() and Y[:, 5].eq(-1).all() and Y.abs().sum() == 12
    assert corr2d(X.T, torch.tensor([[1.0, -1.0]])).abs().sum() == 0  # 水平边缘检测不到


def test_corr2d_is_differentiable():
    K = torch.rand(2, 2, requires_grad=True)
    corr2d(torch.rand(4, 4), K).sum().backward()
    assert K.grad is not None and K.grad.shape == (2, 2)


def test_pool2d_keeps_channels_separate():
    X = torch.arange(32.0).reshape(2, 4, 4)
    Y = pool2d(X, 3, padding=1, stride=2)
    assert Y.shape == (2, 2, 2)
    torch.testing.assert_close(Y[1], Y[0] + 16)


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: corr2d(torch.rand(2, 2, 2), torch.rand(2, 2)), ValueError, "X"),
        (lambda: corr2d(torch.rand(2, 2), torch.rand(3, 3)), ValueError, "kernel_size"),
        (lambda: corr2d(torch.rand(3, 3), torch.rand(2, 2), stride=0), ValueError, "stride"),
        (lambda: corr2d(torch.rand(3, 3), torch.rand(2, 2), padding=-1), ValueError, "padding"),
        (lambda: corr2d(torch.rand(3, 3), torch.rand(2, 2), padding=1.5), TypeError, "padding"),
        (lambda: pool2d(torch.rand(3, 3), 2, mode="min"), ValueError, "mode"),
        (lambda: corr2d_multi_in(torch.rand(2, 3, 3), torch.rand(3, 2, 2)), ValueError, "通道"),
        (
            lambda: corr2d_multi_in_out_1x1(torch.rand(2, 3, 3), torch.rand(1, 2, 2, 2)),
            ValueError,
            "1, 1",
        ),
        (lambda: conv_output_shape(0, 1), ValueError, "input_size"),
    ],
)
def test_bad_arguments(call, err, match):
    with pytest.raises(err, match=match):
        call()


@settings(max_examples=25, deadline=None)
@given(
    c_i=st.integers(1, 4),
    c_o=st.integers(1, 4),
    n=st.integers(4, 9),
    k=st.integers(1, 3),
    p=st.integers(0, 2),
    s=st.integers(1, 3),
)
def test_conv2d_flops_matches_pytorch_flop_counter(c_i, c_o, n, k, p, s):
    from torch.utils.flop_counter import FlopCounterMode

    X, K = torch.zeros(1, c_i, n, n + 1), torch.zeros(c_o, c_i, k, k)
    with FlopCounterMode(display=False) as counter:
        F.conv2d(X, K, padding=p, stride=s)
    output_size = conv_output_shape((n, n + 1), k, padding=p, stride=s)
    assert conv2d_flops(c_i, c_o, k, output_size) == counter.get_total_flops()


def test_conv2d_flops_rejects_bad_arguments():
    with pytest.raises(ValueError, match="in_channels"):
        conv2d_flops(0, 1, 3, 4)
    with pytest.raises(ValueError, match="output_size"):
        conv2d_flops(1, 1, 3, (4, 0))


# ---------------------------------------------------------------------------
# 转置卷积：散布的写法与卷积矩阵转置的写法，都与 nn.ConvTranspose2d 相等
# ---------------------------------------------------------------------------

TRANS_CONV_GRID = [
    # (输入高宽, 核高宽, 填充, 步幅, 输入通道, 输出通道)
    ((2, 2), (2, 2), 0, 1, 1, 1),
    ((3, 4), (3, 2), 0, 2, 1, 1),
    ((3, 3), (4, 4), 1, 2, 2, 3),
    ((4, 2), (3, 3), (1, 0), (2, 3), 3, 2),
    ((2, 3), (4, 4), 1, 3, 1, 2),
    ((3, 3), (2, 3), 0, (1, 2), 2, 1),
    ((2, 2), (64, 64), 16, 32, 2, 2),  # FCN 的设置：放大 32 倍
]


@pytest.mark.parametrize(("n", "k", "p", "s", "c_i", "c_o"), TRANS_CONV_GRID)
def test_trans_conv_matches_conv_transpose2d(n, k, p, s, c_i, c_o):
    X, K = _rand((c_i, *n), 0), _rand((c_i, c_o, *k), 1)
    layer = nn.ConvTranspose2d(c_i, c_o, k, stride=s, padding=p, bias=False)
    layer.weight.data = K
    with torch.no_grad():
        expected = layer(X[None])[0]
    assert tuple(expected.shape[1:]) == trans_conv_output_shape(n, k, p, s)
    torch.testing.assert_close(trans_conv(X, K, padding=p, stride=s), expected, atol=1e-4, rtol=0)
    torch.testing.assert_close(
        trans_conv_by_matrix(X, K, padding=p, stride=s), expected, atol=1e-4, rtol=0
    )
    if c_i == c_o == 1:  # 单通道的写法与多通道一致
        torch.testing.assert_close(
            trans_conv(X[0], K[0, 0], padding=p, stride=s), expected[0], atol=1e-4, rtol=0
        )


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "c_i", "c_o"),
    [
        ((4, 4), (2, 2), 0, 1, 1, 1),
        ((5, 4), (3, 2), 1, 2, 2, 3),
        ((6, 5), (3, 3), (1, 0), (2, 3), 3, 2),
    ],
)
def test_conv_matrix_is_the_convolution(n, k, p, s, c_i, c_o):
    X, K = _rand((c_i, *n), 2), _rand((c_o, c_i, *k), 3)
    expected = F.conv2d(X[None], K, padding=p, stride=s)[0]
    W = conv_matrix(K, n, padding=p, stride=s)
    assert W.shape == (expected.numel(), X.numel())
    torch.testing.assert_close(
        (W @ X.reshape(-1)).reshape(expected.shape), expected, atol=1e-4, rtol=0
    )


def test_trans_conv_is_adjoint_of_conv():
    """〈conv(X), Y〉 = 〈X, trans_conv(Y)〉：转置卷积是卷积的伴随（矩阵的转置）。"""
    X, K = _rand((2, 5, 5), 4), _rand((3, 2, 3, 3), 5)
    Y = _rand((3, 3, 3), 6)
    conv = F.conv2d(X[None], K, padding=1, stride=2)[0]
    torch.testing.assert_close((conv * Y).sum(), (X * trans_conv(Y, K, padding=1, stride=2)).sum())


def test_trans_conv_rejects_bad_arguments():
    with pytest.raises(ValueError, match="padding"):
        trans_conv(torch.ones(2, 2), torch.ones(2, 2), padding=2)
    with pytest.raises(ValueError, match="c_i"):
        trans_conv(torch.ones(2, 2, 2), torch.ones(3, 1, 2, 2))


# ---------------------------------------------------------------------------
# 一维互相关与时间上的最大池化
# ---------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    c_i=st.integers(1, 5),
    n=st.integers(1, 12),
    data=st.data(),
    seed=st.integers(0, 2**31 - 1),
)
def test_corr1d_multi_in_matches_conv1d(c_i, n, data, seed):
    w = data.draw(st.integers(1, n))
    g = torch.Generator().manual_seed(seed)
    X, K = torch.randn(c_i, n, generator=g), torch.randn(c_i, w, generator=g)
    expected = F.conv1d(X[None], K[None])[0, 0]
    torch.testing.assert_close(corr1d_multi_in(X, K), expected, atol=ATOL, rtol=0)
    torch.testing.assert_close(corr1d(X[0], K[0]), F.conv1d(X[None, :1], K[None, :1])[0, 0])
    # 多输入通道的一维互相关 = 高与输入相同的二维互相关
    torch.testing.assert_close(corr1d_multi_in(X, K), corr2d(X, K)[0], atol=ATOL, rtol=0)


def test_corr1d_multi_in_out_channels_match_nn_conv1d():
    """nn.Conv1d 的每个输出通道 = 它那一组核的 corr1d_multi_in 加上偏置。"""
    torch.manual_seed(0)
    layer = nn.Conv1d(4, 3, kernel_size=3)
    X = torch.randn(2, 4, 9)
    with torch.no_grad():
        Y = layer(X)
    for b in range(2):
        for o in range(3):
            expected = corr1d_multi_in(X[b], layer.weight[o].detach()) + layer.bias[o].item()
            torch.testing.assert_close(Y[b, o], expected, atol=ATOL, rtol=0)


def test_book_corr1d_examples():
    X = torch.arange(7.0)
    torch.testing.assert_close(
        corr1d(X, torch.tensor([1.0, 2.0])), torch.tensor([2.0, 5.0, 8.0, 11.0, 14.0, 17.0])
    )
    X3 = torch.stack([torch.arange(7.0), torch.arange(1.0, 8.0), torch.arange(2.0, 9.0)])
    K3 = torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, -3.0]])
    torch.testing.assert_close(
        corr1d_multi_in(X3, K3), torch.tensor([2.0, 8.0, 14.0, 20.0, 26.0, 32.0])
    )


@settings(max_examples=30, deadline=None)
@given(
    shape=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    seed=st.integers(0, 2**31 - 1),
)
def test_max_over_time_pool_matches_torch(shape, seed):
    X = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    Y = max_over_time_pool(X)
    assert Y.shape == X.shape[:-1]
    torch.testing.assert_close(Y, X.amax(dim=-1))
    if X.dim() in (2, 3):  # AdaptiveMaxPool1d 接受 (C, L) 与 (N, C, L)
        torch.testing.assert_close(Y, nn.AdaptiveMaxPool1d(1)(X).squeeze(-1))
        torch.testing.assert_close(Y, F.max_pool1d(X, X.shape[-1]).squeeze(-1))


def test_max_over_time_pool_gradient_goes_to_the_maximum():
    X = torch.tensor([[1.0, 3.0, 2.0]], requires_grad=True)
    max_over_time_pool(X).sum().backward()
    assert X.grad.tolist() == [[0.0, 1.0, 0.0]]


def test_corr1d_rejects_bad_arguments():
    with pytest.raises(ValueError, match="一维"):
        corr1d(torch.ones(2, 3), torch.ones(2))
    with pytest.raises(ValueError, match="宽度"):
        corr1d(torch.ones(2), torch.ones(3))
    with pytest.raises(ValueError, match="通道数相同"):
        corr1d_multi_in(torch.ones(2, 5), torch.ones(3, 2))
    with pytest.raises(ValueError, match="时间步"):
        max_over_time_pool(torch.ones(2, 0))
