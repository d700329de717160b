"""dlbook.diagrams.conv：第 5 章的互相关、填充与步幅、多通道、池化与 LeNet 示意图。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from dlbook.diagrams.conv import (
    draw_cross_correlation,
    draw_lenet,
    draw_multi_channel,
    draw_padding_and_stride,
    draw_pooling,
    draw_pooling_comparison,
)


@pytest.mark.parametrize(
    "draw",
    [draw_cross_correlation, draw_padding_and_stride, draw_multi_channel, draw_pooling, draw_lenet],
)
def test_diagrams_draw(draw):
    ax = draw()
    assert ax.patches and ax.texts
    ax.figure.canvas.draw()
    plt.close("all")


def test_diagram_bad_position():
    with pytest.raises(ValueError, match="position"):
        draw_cross_correlation(position=(2, 0))
    with pytest.raises(ValueError, match="position"):
        draw_pooling(position=(0, 5))
    plt.close("all")


def test_pooling_comparison_draws_both_outputs_of_pool2d():
    ax = draw_pooling_comparison()
    texts = [t.get_text() for t in ax.texts]
    # 输入 16 格与标题，然后依次是最大池化的 4 格与名字、平均池化的 4 格与名字
    assert texts[17:22] == ["8", "2", "2", "7", "最大池化"]
    assert texts[22:27] == ["2", "2", "1", "4", "平均池化"]
    ax.figure.canvas.draw()
    with pytest.raises(ValueError, match="二维"):
        draw_pooling_comparison(torch.zeros(1, 4, 4))
    plt.close("all")
