import torch

from dlbook.exercises import check_masked_softmax, check_positional_encoding
from tests.exercises.helpers import assert_fails


def _mask(X, valid_lens):
    return torch.arange(X.shape[-1])[None, None, :] >= valid_lens[:, None, None]


def test_masked_softmax_rejects_no_mask():
    result = check_masked_softmax(lambda X, valid_lens: torch.softmax(X, dim=-1))
    assert_fails(result, "有效长度 2 与 3", "上比参考")


def test_masked_softmax_rejects_zero_scores_as_the_mask():
    def zero_mask(X, valid_lens):
        return torch.softmax(X.masked_fill(_mask(X, valid_lens), 0.0), dim=-1)

    assert_fails(check_masked_softmax(zero_mask), "有效长度 2 与 3", "上比参考")


def test_masked_softmax_rejects_zeroing_after_softmax_without_renormalising():
    def zero_after(X, valid_lens):
        return torch.softmax(X, dim=-1).masked_fill(_mask(X, valid_lens), 0.0)

    assert_fails(check_masked_softmax(zero_after), "有效长度 2 与 3", "上比参考偏小")


def _encoding(max_len, d, *, swap=False, exponent=2):
    P = torch.zeros(max_len, d)
    i = torch.arange(max_len, dtype=torch.float32)[:, None]
    j = torch.arange(0, d, 2, dtype=torch.float32)
    angles = i / torch.pow(10000, exponent * (j / 2) / d)
    first, second = (torch.cos, torch.sin) if swap else (torch.sin, torch.cos)
    P[:, 0::2], P[:, 1::2] = first(angles), second(angles)
    return P


def test_positional_encoding_rejects_swapped_sin_and_cos():
    result = check_positional_encoding(lambda n, d: _encoding(n, d, swap=True))
    assert_fails(result, "max_len = 3，d = 4", "位置 (0, 0) 上比参考偏大")


def test_positional_encoding_rejects_the_wrong_exponent():
    result = check_positional_encoding(lambda n, d: _encoding(n, d, exponent=1))
    assert_fails(result, "max_len = 3，d = 4", "上比参考")


def test_positional_encoding_rejects_float64():
    result = check_positional_encoding(lambda n, d: _encoding(n, d).double())
    assert_fails(result, "max_len = 3，d = 4", "数据类型应为 torch.float32")
