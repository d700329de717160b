import torch

from dlbook.exercises import check_cross_entropy_from_logits, check_log_softmax
from tests.exercises.helpers import assert_fails


def test_log_softmax_rejects_the_naive_formula():
    def naive(X):
        return torch.log(torch.exp(X) / torch.exp(X).sum(dim=1, keepdim=True))

    assert_fails(check_log_softmax(naive), "含很大的数", "出现了 nan 或 inf")


def test_log_softmax_rejects_the_log_of_a_stable_softmax():
    def log_of_softmax(X):
        E = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return torch.log(E / E.sum(dim=1, keepdim=True))

    assert_fails(check_log_softmax(log_of_softmax), "含很大的数", "出现了 nan 或 inf")


def test_log_softmax_rejects_normalising_over_the_wrong_axis():
    def wrong_axis(X):
        return X - torch.logsumexp(X, dim=0, keepdim=True)

    assert_fails(check_log_softmax(wrong_axis), "2×5 的随机 logits", "上比参考")


def test_cross_entropy_rejects_the_mean():
    def mean(logits, y):
        return torch.nn.functional.cross_entropy(logits, y)

    assert_fails(check_cross_entropy_from_logits(mean), "4 个样本、3 个类别", "形状应为 (4,)")


def test_cross_entropy_rejects_probabilities_that_overflow():
    def via_softmax(logits, y):
        p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
        return -torch.log(p[range(len(y)), y])

    assert_fails(check_cross_entropy_from_logits(via_softmax), "很大的 logits", "nan 或 inf")


def test_cross_entropy_rejects_indexing_columns_only():
    def columns(logits, y):
        return torch.logsumexp(logits, dim=1) - logits[:, y]

    result = check_cross_entropy_from_logits(columns)
    assert_fails(result, "4 个样本、3 个类别", "形状应为 (4,)，实际是 (4, 4)")
