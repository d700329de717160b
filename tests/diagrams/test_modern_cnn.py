"""dlbook.diagrams.modern_cnn：第 6 章的结构示意图能画出、读取真实的模块，函数类示意图的几何关系正确。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlbook.diagrams import modern_cnn
from dlbook.models.googlenet import Inception
from dlbook.models.vgg import vgg_block


@pytest.mark.parametrize(
    "draw",
    [
        modern_cnn.draw_vgg_block,
        modern_cnn.draw_nin_block,
        modern_cnn.draw_inception,
        modern_cnn.draw_residual,
        modern_cnn.draw_residual_blocks,
        modern_cnn.plot_function_classes,
    ],
)
def test_modern_cnn_diagrams_draw(draw):
    out = draw()
    axes = list(out) if isinstance(out, np.ndarray) else [out]
    for ax in axes:
        assert ax.patches and (ax.texts or ax.get_title())
    axes[0].figure.canvas.draw()
    plt.close("all")


def test_block_diagrams_read_the_modules():
    ax = modern_cnn.draw_vgg_block(vgg_block(3, 16, 32))
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("3×3 卷积, 32, 填充 1") == 3 and "2×2 最大池化, 步幅 2" in texts
    ax = modern_cnn.draw_inception(Inception(832, 384, (192, 384), (48, 128), 128))
    assert "384 + 384 + 128 + 128 = 1024" in ax.texts[-2].get_text()
    plt.close("all")


def test_function_classes_geometry():
    def contains(outer, inner):
        (c1, r1), (c2, r2) = outer, inner
        return float(np.hypot(c1[0] - c2[0], c1[1] - c2[1])) + r2 <= r1

    nested, other = modern_cnn.NESTED, modern_cnn.NON_NESTED
    assert all(contains(b, a) for a, b in zip(nested, nested[1:]))
    assert not all(contains(b, a) for a, b in zip(other, other[1:]))
    d = [modern_cnn.closest_distance(modern_cnn.TARGET, c, r) for c, r in nested]
    assert d == sorted(d, reverse=True)  # 嵌套：越大的类离 f* 越近（不会更远）
    d = [modern_cnn.closest_distance(modern_cnn.TARGET, c, r) for c, r in other]
    assert d != sorted(d, reverse=True)
    with pytest.raises(ValueError, match="radius"):
        modern_cnn.closest_distance((0, 0), (1, 1), -1)
