"""dlbook.models.lenet：逐层形状、参数检查，以及可复现、按 PyTorch 默认范围缩放的初始化。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.models.lenet import lenet


def test_lenet_shapes(shapes):
    net = lenet()
    assert shapes(net, 28) == [
        (6, 28, 28),
        (6, 28, 28),
        (6, 14, 14),
        (16, 10, 10),
        (16, 10, 10),
        (16, 5, 5),
        (400,),
        (120,),
        (120,),
        (84,),
        (84,),
        (10,),
    ]
    assert isinstance(net[1], nn.Sigmoid) and isinstance(net[2], nn.AvgPool2d)
    assert lenet(num_classes=3)(torch.rand(1, 1, 28, 28)).shape == (1, 3)
    with pytest.raises(ValueError, match="num_classes"):
        lenet(0)


def test_lenet_generator_is_reproducible_and_default_scaled():
    a = lenet(generator=torch.Generator().manual_seed(0))
    b = lenet(generator=torch.Generator().manual_seed(0))
    c = lenet(generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, c[0].weight)
    for m in a.modules():
        if isinstance(m, nn.Conv2d | nn.Linear):
            bound = 1 / m.weight[0].numel() ** 0.5
            assert float(m.weight.detach().abs().max()) <= bound
            assert float(m.bias.detach().abs().max()) <= bound
