import torch
from torch import nn

from dlbook.exercises import check_count_parameters, check_tensor_reduction
from tests.exercises.helpers import assert_fails


class _Reduction(nn.Module):
    def __init__(self, in_units, out_units, *, wrap=True, shape=None):
        super().__init__()
        weight = torch.randn(*(shape or (in_units, in_units, out_units)))
        self.weight = nn.Parameter(weight) if wrap else weight


def test_tensor_reduction_without_forward_is_not_done():
    assert check_tensor_reduction(_Reduction).status == "尚未完成"  # nn.Module 的 forward 还没有写


def test_tensor_reduction_rejects_plain_tensors():
    class PlainTensor(_Reduction):
        def __init__(self, in_units, out_units):
            super().__init__(in_units, out_units, wrap=False)

        def forward(self, X):
            return torch.einsum("bi,bj,ijk->bk", X, X, self.weight)

    result = check_tensor_reduction(PlainTensor)
    assert_fails(result, "in_units = 3，out_units = 2，批量 4", "没有登记名为 weight")


def test_tensor_reduction_rejects_the_diagonal_only():
    class Diagonal(_Reduction):
        def forward(self, X):
            return torch.einsum("bi,iik->bk", X * X, self.weight)

    result = check_tensor_reduction(Diagonal)
    assert_fails(result, "in_units = 3，out_units = 2，批量 4", "前向计算的输出在位置")


def test_tensor_reduction_rejects_a_weight_without_the_output_axis():
    class NoOutputAxis(_Reduction):
        def __init__(self, in_units, out_units):
            super().__init__(in_units, out_units, shape=(in_units, in_units))

    result = check_tensor_reduction(NoOutputAxis)
    assert_fails(result, "in_units = 3，out_units = 2，批量 4", "weight 的形状应为 (3, 3, 2)")


def test_tensor_reduction_rejects_mixing_samples():
    class MixedSamples(_Reduction):
        def forward(self, X):
            return torch.einsum("ai,bj,ijk->bk", X, X, self.weight)

    result = check_tensor_reduction(MixedSamples)
    assert_fails(result, "in_units = 3，out_units = 2，批量 4", "前向计算的输出在位置")


def test_count_parameters_rejects_the_state_dict():
    def state_dict_count(net):
        return sum(t.numel() for t in net.state_dict().values())

    result = check_count_parameters(state_dict_count)
    assert_fails(result, "含批量规范化层的 MLP", "返回值与参考不符")


def test_count_parameters_rejects_counting_tensors():
    result = check_count_parameters(lambda net: len(list(net.parameters())))
    assert_fails(result, "nn.Linear(4, 3)", "返回值与参考不符")


def test_count_parameters_rejects_counting_shared_layers_twice():
    def per_child(net):
        layers = list(net) if isinstance(net, nn.Sequential) else [net]
        return sum(p.numel() for layer in layers for p in layer.parameters())

    result = check_count_parameters(per_child)
    assert_fails(result, "两层共享同一个 nn.Linear(4, 4)", "返回值与参考不符")
