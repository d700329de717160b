"""dlbook.models.nin：NiN 块与 NiN 的逐层形状、参数个数、全局平均池化，以及能在固定小批量上学习。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.models.nin import nin, nin_block


def test_nin_shapes_and_global_pooling(shapes, count):
    blk = nin_block(3, 5, kernel_size=3, stride=2, padding=1)
    assert blk(torch.zeros(1, 3, 8, 8)).shape == (1, 5, 4, 4)
    net = nin()
    assert shapes(net, 224) == [
        (96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5),
        (384, 5, 5), (10, 5, 5), (10, 1, 1), (10,),
    ]  # fmt: skip
    assert count(net) == 1_992_166
    assert not any(isinstance(m, nn.Linear) for m in net.modules())
    # 全局平均池化：输入尺寸可以变，最小 67×67（文档字符串里这样写）
    assert net(torch.zeros(1, 1, 67, 67)).shape == (1, 10)
    with pytest.raises(RuntimeError):
        net(torch.zeros(1, 1, 66, 66))


def test_generator_makes_init_reproducible(check_reproducible_init):
    check_reproducible_init(nin)


@pytest.mark.slow
def test_training_steps_reduce_loss_on_a_fixed_batch(check_learns_fixed_batch):
    check_learns_fixed_batch(nin, 224)
