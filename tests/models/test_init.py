"""dlbook.models.init：两种初始化的分布、可复现性，以及只动该动的层。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.models.init import init_normal, reset_parameters


@pytest.mark.parametrize("sigma", [0.01, 0.5])
def test_init_normal_draws_weights_from_n0_sigma_and_zeroes_biases(sigma: float) -> None:
    layer = nn.Linear(200, 100)
    init_normal(layer, sigma, torch.Generator().manual_seed(0))
    w = layer.weight.detach()
    # 2 万个样本：均值与标准差的抽样误差约为 sigma / 141，留 4 倍的余量
    assert abs(float(w.mean())) < 4 * sigma / 141
    assert float(w.std()) == pytest.approx(sigma, rel=4 / 141)
    assert torch.equal(layer.bias, torch.zeros(100))


def test_init_normal_is_reproducible_and_touches_only_linear_layers() -> None:
    def make(seed: int) -> nn.Sequential:
        net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 3, bias=False))
        g = torch.Generator().manual_seed(seed)
        net.apply(lambda m: init_normal(m, 0.01, g))
        return net

    a, b, c = make(0), make(0), make(1)
    assert torch.equal(a[2].weight, b[2].weight) and not torch.equal(a[2].weight, c[2].weight)
    conv_before = nn.Conv2d(1, 2, 3)
    conv_after = nn.Conv2d(1, 2, 3)
    conv_after.load_state_dict(conv_before.state_dict())
    init_normal(conv_after)  # 不是全连接层：不动
    assert torch.equal(conv_after.weight, conv_before.weight)


def test_reset_parameters_uses_pytorch_default_bounds_and_the_generator() -> None:
    net = nn.Sequential(nn.Conv2d(3, 4, 5), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(16, 2))
    same = reset_parameters(net, torch.Generator().manual_seed(0))
    assert same is net
    conv, bn, linear = net[0], net[1], net[3]
    for m, fan_in in ((conv, 3 * 5 * 5), (linear, 16)):
        bound = 1 / fan_in**0.5
        assert (
            float(m.weight.detach().abs().max()) <= bound
            and float(m.bias.detach().abs().max()) <= bound
        )
        # 确实铺满了区间，而不是更窄的分布（几十个权重全落在一半以内的概率小于 2 的 -30 次方）
        assert float(m.weight.detach().abs().max()) > 0.5 * bound
    assert torch.equal(bn.weight, torch.ones(4)) and torch.equal(bn.bias, torch.zeros(4))
    other = nn.Sequential(nn.Conv2d(3, 4, 5), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(16, 2))
    reset_parameters(other, torch.Generator().manual_seed(0))
    assert all(torch.equal(p, q) for p, q in zip(net.parameters(), other.parameters()))


def test_reset_parameters_without_generator_changes_nothing() -> None:
    layer = nn.Linear(3, 2)
    before = layer.weight.detach().clone()
    reset_parameters(layer, None)
    assert torch.equal(layer.weight, before)
