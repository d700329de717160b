"""目标检测的示意图：单发多框检测（SSD）的多尺度结构。

图中的形状由 :class:`dlbook.models.ssd.TinySSD` 的一次真实前向计算得到，图与代码不会不一致。
"""

from __future__ import annotations

import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from dlbook.plotting.figures import use_book_style

__all__ = ["draw_ssd_structure"]

_BLOCK_NAMES = ("基本网络块", "高宽减半块", "高宽减半块", "高宽减半块", "全局最大汇聚")


def _box(ax: Axes, x: float, y: float, w: float, h: float, text: str, color: str) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02", fc=color, ec="0.3", lw=0.8
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=8)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8, lw=0.8, color="0.3")
    )


def draw_ssd_structure(
    net: torch.nn.Module | None = None, image_size: int = 256, ax: Axes | None = None
) -> Axes:
    """画出 TinySSD 的多尺度结构：上面一行是依次缩小的五个块与各自输出的形状，下面一行是每个尺度上的
    类别预测与边界框预测（锚框个数 = 高 × 宽 × 每个像素的锚框数）。

    Parameters
    ----------
    net : TinySSD, optional
        要画的模型，默认 ``tiny_ssd(num_classes=1)``。
    image_size : int
        输入图像的边长。
    ax : matplotlib.axes.Axes, optional
        画在哪里；默认新建一张图。

    Examples
    --------
    >>> ax = draw_ssd_structure(image_size=128)
    >>> [t.get_text() for t in ax.texts][1]
    '基本网络块\\n64×16×16'
    """
    import matplotlib.pyplot as plt

    from dlbook.models.ssd import tiny_ssd

    use_book_style()
    net = tiny_ssd(num_classes=1) if net is None else net
    shapes = []
    with torch.no_grad():
        X = torch.zeros(1, 3, image_size, image_size)
        for block in net.blocks:
            X = block(X)
            shapes.append(tuple(X.shape[1:]))
    per_pixel = [len(s) + len(r) - 1 for s, r in zip(net.sizes, net.ratios, strict=True)]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 2.6))
    step, w, h = 1.8, 1.5, 0.55
    _box(ax, 0, 1, w * 0.8, h, f"输入\n3×{image_size}×{image_size}", "#f0f0f0")
    for i, (name, (c, hh, ww)) in enumerate(zip(_BLOCK_NAMES, shapes, strict=True)):
        x = (i + 1) * step
        _box(ax, x, 1, w, h, f"{name}\n{c}×{hh}×{ww}", "#c6dbef" if i < 4 else "#fdd0a2")
        _arrow(ax, (x - step + w / 2 * (0.8 if i == 0 else 1), 1), (x - w / 2, 1))
        _arrow(ax, (x, 1 - h / 2), (x, h / 2 + 0.03))
        anchors = hh * ww * per_pixel[i]
        text = f"类别、边界框预测\n{hh}×{ww}×{per_pixel[i]}\n= {anchors} 个锚框"
        _box(ax, x, -0.05, w, h * 1.35, text, "#e5f5e0")
    total = sum(hh * ww * a for (_, hh, ww), a in zip(shapes, per_pixel, strict=True))
    ax.text(3 * step, -0.72, f"五个尺度的预测连结起来：共 {total} 个锚框", ha="center", fontsize=8)
    ax.set_xlim(-0.8, 5 * step + 0.9)
    ax.set_ylim(-0.9, 1.45)
    ax.set_axis_off()
    return ax
