import torch

from dlbook.exercises import check_soft_align, check_truncate_pad
from tests.exercises.helpers import assert_fails


def soft_align(A, B):
    e = A @ B.transpose(1, 2)
    beta = torch.softmax(e, dim=-1) @ B
    alpha = torch.softmax(e.transpose(1, 2), dim=-1) @ A
    return beta, alpha


def test_truncate_pad_rejects_keeping_the_end():
    def keep_end(tokens, num_steps, pad):
        return list(tokens[-num_steps:]) + [pad] * (num_steps - len(tokens))

    assert_fails(check_truncate_pad(keep_end), "长句截断", "第 0 项与参考不符")


def test_truncate_pad_rejects_padding_in_front():
    def pad_front(tokens, num_steps, pad):
        return [pad] * (num_steps - len(tokens)) + list(tokens[:num_steps])

    assert_fails(check_truncate_pad(pad_front), "短句补齐", "第 0 项与参考不符")


def test_truncate_pad_rejects_no_truncation():
    def no_truncation(tokens, num_steps, pad):
        return list(tokens) + [pad] * (num_steps - len(tokens))

    assert_fails(check_truncate_pad(no_truncation), "长句截断", "应有 4 项，实际有 7 项")


def test_soft_align_rejects_normalising_alpha_over_the_wrong_axis():
    def wrong_alpha(A, B):
        e = A @ B.transpose(1, 2)
        return torch.softmax(e, dim=-1) @ B, torch.softmax(e, dim=-1).transpose(1, 2) @ A

    assert_fails(check_soft_align(wrong_alpha), "批量 2、m = 3、n = 4", "第 1 项在位置")


def test_soft_align_rejects_swapped_outputs():
    def swapped(A, B):
        beta, alpha = soft_align(A, B)
        return alpha, beta

    assert_fails(check_soft_align(swapped), "批量 2、m = 3、n = 4", "第 0 项的形状应为 (2, 3, 5)")


def test_soft_align_rejects_a_missing_softmax():
    def no_softmax(A, B):
        e = A @ B.transpose(1, 2)
        return e @ B, e.transpose(1, 2) @ A

    assert_fails(check_soft_align(no_softmax), "批量 2、m = 3、n = 4", "第 0 项在位置")
