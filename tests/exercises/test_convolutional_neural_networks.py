import torch

from dlbook.exercises import check_corr2d_strided, check_max_pool2d
from tests.exercises.helpers import assert_fails


def _windows(X, kh, kw, stride):
    h = (X.shape[0] - kh) // stride + 1
    w = (X.shape[1] - kw) // stride + 1
    for i in range(h):
        for j in range(w):
            yield i, j, X[i * stride : i * stride + kh, j * stride : j * stride + kw]


def _corr(X, K, stride, flip=False):
    h = (X.shape[0] - K.shape[0]) // stride + 1
    w = (X.shape[1] - K.shape[1]) // stride + 1
    Y = torch.zeros(h, w)
    kernel = K.flip(0, 1) if flip else K
    for i, j, window in _windows(X, *K.shape, stride):
        Y[i, j] = (window * kernel).sum()
    return Y


def test_corr2d_strided_rejects_a_flipped_kernel():
    result = check_corr2d_strided(lambda X, K, s: _corr(X, K, s, flip=True))
    assert_fails(result, "4×4 输入、2×2 核、步幅 1", "上比参考")


def test_corr2d_strided_rejects_an_ignored_stride():
    result = check_corr2d_strided(lambda X, K, s: _corr(X, K, 1))
    assert_fails(result, "5×5 输入、3×3 核、步幅 2", "形状应为 (2, 2)，实际是 (3, 3)")


def test_corr2d_strided_rejects_a_missing_plus_one():
    def no_plus_one(X, K, s):
        return _corr(X, K, s)[:-1, :-1]

    assert_fails(check_corr2d_strided(no_plus_one), "4×4 输入、2×2 核、步幅 1", "形状应为 (3, 3)")


def _pool(X, k, s, reduce):
    h, w = (X.shape[0] - k) // s + 1, (X.shape[1] - k) // s + 1
    Y = torch.zeros(h, w)
    for i, j, window in _windows(X, k, k, s):
        Y[i, j] = reduce(window)
    return Y


def test_max_pool2d_rejects_average_pooling():
    result = check_max_pool2d(lambda X, k, s: _pool(X, k, s, torch.mean))
    assert_fails(result, "4×4 输入、窗口 2、步幅 2", "比参考偏小")


def test_max_pool2d_rejects_a_running_maximum_that_starts_at_zero():
    def from_zero(X, k, s):
        return _pool(X, k, s, lambda window: max(0.0, window.max().item()))

    assert_fails(check_max_pool2d(from_zero), "全是负数", "比参考偏大")


def test_max_pool2d_rejects_an_ignored_stride():
    result = check_max_pool2d(lambda X, k, s: _pool(X, k, 1, torch.max))
    assert_fails(result, "4×4 输入、窗口 2、步幅 2", "形状应为 (2, 2)，实际是 (3, 3)")
