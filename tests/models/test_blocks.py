"""dlbook.models.blocks：第 4 章的教学用块（自定义顺序块、固定参数、嵌套、自定义层、初始化函数、参数绑定）。"""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from dlbook.models.blocks import (
    MLP,
    CenteredLayer,
    FixedHiddenMLP,
    MyLinear,
    MySequential,
    NestMLP,
    init_constant,
    init_uniform_keep_large,
    init_xavier,
    stacked_blocks,
    tied_mlp,
)


def test_mlp_and_my_sequential_match_sequential():
    torch.manual_seed(0)
    layers = [nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10)]
    X = torch.rand(3, 20)
    mine, ref = MySequential(*layers), nn.Sequential(*layers)
    torch.testing.assert_close(mine(X), ref(X))
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert MLP()(X).shape == (3, 10)


def test_my_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="nn.Module"):
        MySequential(nn.ReLU(), lambda x: x)


def test_fixed_hidden_mlp_constant_weight_is_not_trained():
    net = FixedHiddenMLP()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["linear.weight", "linear.bias"]
    assert "rand_weight" not in net.state_dict()  # 非持久缓冲区
    before = net.rand_weight.clone()
    out = net(torch.rand(2, 20))
    assert out.dim() == 0 and float(out.detach().abs()) <= 1
    out.backward()
    assert net.linear.weight.grad is not None
    torch.testing.assert_close(net.rand_weight, before)


def test_nested_blocks():
    chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())
    assert chimera(torch.rand(2, 20)).dim() == 0
    rgnet = nn.Sequential(stacked_blocks(4), nn.Linear(4, 1))
    assert rgnet(torch.rand(2, 4)).shape == (2, 1)
    assert "0.block 3.2.weight" in rgnet.state_dict()


def test_custom_layers():
    Y = nn.Sequential(nn.Linear(8, 128), CenteredLayer())(torch.rand(4, 8))
    assert abs(float(Y.detach().mean())) < 1e-6
    net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
    out = net(torch.rand(2, 64))
    assert out.shape == (2, 1)
    out.sum().backward()  # 梯度要能传回自定义层的参数
    assert net[0].weight.grad is not None
    with pytest.raises(ValueError, match="in_units"):
        MyLinear(0, 3)


def test_init_helpers():
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    net.apply(init_constant)
    assert bool((net[0].weight == 1).all()) and bool((net[2].bias == 0).all())
    torch.manual_seed(0)
    net.apply(init_uniform_keep_large)
    w = net[0].weight.detach()
    assert bool(((w == 0) | (w.abs() >= 5)).all()) and bool((w.abs() <= 10).all())
    assert bool((w != 0).any())
    conv = nn.Conv2d(3, 4, 3)
    init_xavier(conv)
    fan_in, fan_out = 3 * 9, 4 * 9
    assert float(conv.weight.detach().abs().max()) <= (6 / (fan_in + fan_out)) ** 0.5


def test_tied_parameters_share_memory_and_sum_gradients():
    net = tied_mlp()
    with torch.no_grad():
        net[2].weight[0, 0] = 100
    assert net[4].weight[0, 0] == 100
    assert net[2].weight.data_ptr() == net[4].weight.data_ptr()
    assert len(list(net.parameters())) == 6  # 共享的层只算一次
    untied = copy.deepcopy(net)
    untied[4] = copy.deepcopy(untied[2])
    X = torch.rand(3, 4)
    net(X).sum().backward()
    untied(X).sum().backward()
    summed = untied[2].weight.grad + untied[4].weight.grad
    assert torch.allclose(net[2].weight.grad, summed)
    assert not torch.allclose(net[2].weight.grad, untied[2].weight.grad)
