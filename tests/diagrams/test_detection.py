"""dlbook.diagrams.detection：SSD 结构图上的形状读自真实的前向计算。"""

from __future__ import annotations

import matplotlib.pyplot as plt

from dlbook.diagrams.detection import draw_ssd_structure
from dlbook.models.ssd import tiny_ssd


def test_ssd_structure_shows_real_shapes():
    ax = draw_ssd_structure(tiny_ssd(1, width=0.5), image_size=128)
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "输入\n3×128×128"
    assert "基本网络块\n32×16×16" in texts
    assert "全局最大汇聚\n64×1×1" in texts
    assert texts[-1] == "五个尺度的预测连结起来：共 1364 个锚框"
    plt.close(ax.figure)
