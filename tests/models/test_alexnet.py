"""dlbook.models.alexnet：逐层形状、参数个数、暂退法、可复现的初始化，以及能在固定小批量上学习。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.models.alexnet import alexnet


def test_alexnet_shapes_and_parameters(shapes, count):
    with torch.device("meta"):  # 只看结构：不分配、不初始化 4700 万个参数
        net = alexnet()
    assert shapes(net, 224) == [
        (96, 54, 54), (96, 54, 54), (96, 26, 26),
        (256, 26, 26), (256, 26, 26), (256, 12, 12),
        (384, 12, 12), (384, 12, 12), (384, 12, 12), (384, 12, 12),
        (256, 12, 12), (256, 12, 12), (256, 5, 5),
        (6400,), (4096,), (4096,), (4096,), (4096,), (4096,), (4096,), (10,),
    ]  # fmt: skip
    # 卷积层 11712 + 614656 + 885120 + 1327488 + 884992，全连接层 26218496 + 16781312 + 40970
    assert count(net) == 46_764_746
    assert [m.p for m in net if isinstance(m, nn.Dropout)] == [0.5, 0.5]
    with pytest.raises(RuntimeError):  # 全连接层的输入固定为 6400 维：输入必须是 224×224
        net(torch.zeros(1, 1, 96, 96, device="meta"))
    with pytest.raises(ValueError, match="dropout"):
        alexnet(dropout=1.0)


@pytest.mark.slow  # 初始化三次 4700 万个参数
def test_generator_makes_init_reproducible(check_reproducible_init):
    check_reproducible_init(alexnet)


@pytest.mark.slow
def test_training_steps_reduce_loss_on_a_fixed_batch(check_learns_fixed_batch):
    check_learns_fixed_batch(alexnet, 224)


def test_ratio_and_image_size_scale_the_same_layers():
    full, small = alexnet(), alexnet(ratio=8, image_size=72)
    assert [type(m) for m in full] == [type(m) for m in small]
    assert small(torch.zeros(2, 1, 72, 72)).shape == (2, 10)
    assert [m.out_channels for m in small if isinstance(m, torch.nn.Conv2d)] == [12, 32, 48, 48, 32]
    with pytest.raises(ValueError, match="image_size"):
        alexnet(image_size=64)
    with pytest.raises(ValueError, match="ratio"):
        alexnet(ratio=5)
