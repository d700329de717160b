import torch

from dlbook.exercises import check_allreduce, check_split_batch
from tests.exercises.helpers import assert_fails


def test_split_batch_rejects_torch_chunk():
    result = check_split_batch(lambda X, n: list(torch.chunk(X, n)))
    assert_fails(result, "10 个样本分给 4 个设备", "第 2 项的形状应为 (2, 1)，实际是 (3, 1)")


def test_split_batch_rejects_dropping_the_remainder():
    def drop(X, n):
        size = X.shape[0] // n
        return [X[i * size : (i + 1) * size] for i in range(n)]

    assert_fails(check_split_batch(drop), "10 个样本分给 4 个设备", "第 0 项的形状应为 (3, 1)")


def test_split_batch_rejects_interleaving():
    result = check_split_batch(lambda X, n: [X[i::n] for i in range(n)])
    assert_fails(result, "8 个样本分给 2 个设备", "上比参考")


def test_allreduce_rejects_rebinding_the_list():
    def rebind(data):
        total = sum(data)
        for i in range(len(data)):
            data[i] = total.clone()

    assert_fails(check_allreduce(rebind), "2 个设备", "上比参考偏小")


def test_allreduce_rejects_the_mean():
    def mean(data):
        total = sum(d.clone() for d in data) / len(data)
        for d in data:
            d.copy_(total)

    assert_fails(check_allreduce(mean), "2 个设备", "上比参考偏小")


def test_allreduce_rejects_summing_into_the_first_only():
    def first_only(data):
        for d in data[1:]:
            data[0].add_(d)

    assert_fails(check_allreduce(first_only), "2 个设备", "第 1 项在位置")
