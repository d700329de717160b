"""在图像上画边界框：图像的布局、框的位置与颜色、标签。"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from dlbook.plotting.boxes import show_bboxes, show_image


def test_show_image_accepts_uint8_and_float_tensors_and_arrays():
    img = torch.zeros(3, 10, 20, dtype=torch.uint8)
    img[0, :, :5] = 255
    ax = show_image(img, axis=False)
    shown = ax.get_images()[0].get_array()
    assert shown.shape == (10, 20, 3) and shown[0, 0, 0] == 255 and not ax.axison
    ax = show_image(torch.full((3, 4, 4), 2.0))  # 浮点数截到 [0, 1]
    assert float(ax.get_images()[0].get_array().max()) == 1.0
    show_image(np.zeros((4, 4, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"\(3, H, W\)"):
        show_image(torch.zeros(4, 4))
    plt.close("all")


def test_show_bboxes_cycles_colors_and_labels_only_given_boxes():
    ax = show_image(torch.zeros(3, 50, 50, dtype=torch.uint8))
    boxes = torch.tensor([[1.0, 2.0, 11.0, 22.0], [5, 5, 9, 9], [0, 0, 40, 40]])
    show_bboxes(ax, boxes, labels=["甲", "乙"], colors=["w", "r"])
    assert [p.get_xy() for p in ax.patches] == [(1.0, 2.0), (5.0, 5.0), (0.0, 0.0)]
    assert ax.patches[0].get_width() == 10 and ax.patches[0].get_height() == 20
    edge = [matplotlib.colors.to_hex(p.get_edgecolor()) for p in ax.patches]
    assert edge == ["#ffffff", "#ff0000", "#ffffff"]
    assert [t.get_text() for t in ax.texts] == ["甲", "乙"]
    assert matplotlib.colors.to_hex(ax.texts[0].get_color()) == "#000000"  # 白框黑字
    show_bboxes(ax, [[0, 0, 1, 1]], labels="丙", colors="g")
    assert ax.texts[-1].get_text() == "丙" and len(ax.patches) == 4
    limits = ax.get_xlim(), ax.get_ylim()
    show_bboxes(ax, [[-30, -30, 100, 100]], linewidth=0.5)  # 超出图像的框不改变坐标轴范围
    assert (ax.get_xlim(), ax.get_ylim()) == limits and ax.patches[-1].get_linewidth() == 0.5
    plt.close("all")
