"""dlbook.utils.summary：逐层的输出形状、参数个数与乘加次数（与手算相同），以及表格的排版。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.utils.summary import LayerInfo, format_layer_summary, layer_summary


def test_layer_summary_counts_by_hand() -> None:
    net = nn.Sequential(
        nn.Conv2d(3, 8, kernel_size=3, padding=1),  # 8×(3×3×3)+8 个参数；每个输出 27 次乘加
        nn.ReLU(),
        nn.Sequential(nn.Conv2d(8, 8, 1, groups=2), nn.MaxPool2d(2)),  # 分组：每个输出 4 次乘加
        nn.Flatten(),
        nn.Linear(8 * 4 * 4, 5),
    )
    rows = layer_summary(net, (3, 8, 8))
    assert [r.name for r in rows] == ["0", "1", "2", "3", "4"]
    assert [r.kind for r in rows] == ["Conv2d", "ReLU", "Sequential", "Flatten", "Linear"]
    assert [r.output_shape for r in rows] == [(8, 8, 8), (8, 8, 8), (8, 4, 4), (128,), (5,)]
    assert [r.params for r in rows] == [8 * 27 + 8, 0, 8 * 4 + 8, 0, 128 * 5 + 5]
    assert [r.macs for r in rows] == [8 * 8 * 8 * 27, 0, 8 * 8 * 8 * 4, 0, 5 * 128]
    assert sum(r.params for r in rows) == sum(p.numel() for p in net.parameters())


def test_layer_summary_restores_the_mode_and_leaves_no_hooks() -> None:
    net = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    before = net[1].running_mean.clone()
    layer_summary(net, (4,))
    assert net.training and all(not m._forward_hooks for m in net.modules())
    assert torch.equal(net[1].running_mean, before)  # 评估模式：不更新移动平均
    net.eval()
    layer_summary(net, (4,))
    assert not net.training
    with pytest.raises(ValueError, match="没有子模块"):
        layer_summary(nn.Linear(2, 2), (2,))


def test_format_layer_summary_aligns_columns_and_totals() -> None:
    rows = [
        LayerInfo("0", "Conv2d", (96, 54, 54), 11_712, 34_152_192),
        LayerInfo("1", "ReLU", (96, 54, 54), 0, 0),
        LayerInfo("2", "Linear", (10,), 999, 1_000),
    ]
    lines = format_layer_summary(rows, names=True).splitlines()
    assert lines[0].split() == ["层", "输出形状", "参数", "乘加"]
    assert lines[1].split() == ["0:Conv2d", "(96,", "54,", "54)", "11.7K", "34.15M"]
    assert lines[3].split() == ["2:Linear", "(10,)", "999", "1.0K"]
    assert lines[-1].split() == ["合计", "12.7K", "34.15M"]
    # 数字列右对齐：每行的最后一个字符落在同一列（表头里的中文占两格）
    widths = [sum(2 if ord(c) > 0x2E80 else 1 for c in line) for line in lines]
    assert len(set(widths)) == 1
