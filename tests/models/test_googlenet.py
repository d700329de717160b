"""dlbook.models.googlenet：Inception 块的通道拼接、GoogLeNet 的逐层形状与参数个数，以及能在固定小批量上学习。"""

from __future__ import annotations

import pytest
import torch

from dlbook.models.googlenet import INCEPTION_STAGES, Inception, googlenet


def test_inception_and_googlenet(shapes, count):
    blk = Inception(192, 64, (96, 128), (16, 32), 32)
    Y = blk(torch.zeros(2, 192, 12, 12))
    assert Y.shape == (2, 256, 12, 12) and blk.out_channels == 256
    # 四条路径各自的输出通道依次拼接：把某一条路径的输出置零，只影响它那几个通道
    with torch.no_grad():
        blk.branches[2][2].weight.zero_()  # 第 3 条路径的 5×5 卷积
        blk.branches[2][2].bias.fill_(-1.0)  # ReLU 之后为 0
    Y = blk(torch.rand(1, 192, 6, 6))
    assert bool((Y[:, 64 + 128 : 64 + 128 + 32] == 0).all())
    net = googlenet()
    assert shapes(net, 96) == [
        (64, 24, 24),
        (192, 12, 12),
        (480, 6, 6),
        (832, 3, 3),
        (1024,),
        (10,),
    ]
    assert count(net) == 5_977_530
    outs = [m.out_channels for m in net.modules() if isinstance(m, Inception)]
    assert outs == [256, 480, 512, 512, 512, 528, 832, 832, 1024]
    with pytest.raises(ValueError, match="c2"):
        Inception(8, 1, (2,), (1, 1), 1)


def test_stages_follow_the_channel_table_and_ratio_divides_every_width():
    net = googlenet()
    blocks = [m for m in net.modules() if isinstance(m, Inception)]
    rows = [row for stage in INCEPTION_STAGES for row in stage]
    for blk, (c1, c2, c3, c4) in zip(blocks, rows, strict=True):
        convs = [[m for m in b if isinstance(m, torch.nn.Conv2d)] for b in blk.branches]
        widths = [[m.out_channels for m in path] for path in convs]
        assert widths == [[c1], list(c2), list(c3), [c4]]
    small = googlenet(ratio=8)
    assert small(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert small[-1].in_features == 1024 // 8
    with pytest.raises(ValueError, match="ratio"):
        googlenet(ratio=16)  # 24 不能被 16 整除


def test_generator_makes_init_reproducible(check_reproducible_init):
    check_reproducible_init(googlenet)


@pytest.mark.slow
def test_training_steps_reduce_loss_on_a_fixed_batch(check_learns_fixed_batch):
    check_learns_fixed_batch(googlenet, 96)
