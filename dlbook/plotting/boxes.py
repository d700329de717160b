"""在图像上画边界框：显示一张图像张量，在它上面画框、写类别（第 12 章的目标检测各节都用它）。

框用角点表示 ``(x1, y1, x2, y2)``、单位像素；数据集与锚框用的相对坐标先乘以图像的宽高
（见 :mod:`dlbook.ops.boxes`）。
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle

from dlbook.plotting.figures import use_book_style

__all__ = ["BOX_COLORS", "bbox_to_rect", "show_bboxes", "show_image"]

#: :func:`show_bboxes` 默认依次使用的颜色。
BOX_COLORS = ("b", "g", "r", "m", "c")


def show_image(
    img: torch.Tensor | np.ndarray,
    ax: plt.Axes | None = None,
    figsize: tuple[float, float] = (3.5, 3.5),
    axis: bool = True,
) -> plt.Axes:
    """显示一张图像并返回它的 ``Axes``，之后可以在上面画框。

    坐标轴的单位是像素（原点在左上角，``y`` 向下），与边界框的像素坐标一致。

    Parameters
    ----------
    img : torch.Tensor 或 numpy.ndarray
        ``(3, H, W)`` 的张量（``uint8``，或取值 ``[0, 1]`` 的浮点数），或 ``(H, W, 3)`` 的数组。
    ax : matplotlib.axes.Axes, optional
        画在哪个 ``Axes`` 上；不给时新建一张图。
    figsize : (float, float), 默认 (3.5, 3.5)
        新建图时的尺寸（英寸）。
    axis : bool, 默认 True
        是否显示像素刻度。

    Examples
    --------
    >>> ax = show_image(torch.zeros(3, 20, 30, dtype=torch.uint8))
    >>> [float(v) for v in (*ax.get_xlim(), *ax.get_ylim())]  # y 轴向下
    [-0.5, 29.5, 19.5, -0.5]
    >>> plt.close("all")
    """
    use_book_style()
    if isinstance(img, torch.Tensor):
        if img.ndim != 3 or img.shape[0] != 3:
            raise ValueError(f"img 张量的形状必须是 (3, H, W)，收到 {tuple(img.shape)}")
        img = img.detach().cpu().permute(1, 2, 0).numpy()
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 1)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    ax.imshow(img)
    if not axis:
        ax.axis("off")
    return ax


def bbox_to_rect(
    bbox: Sequence[float] | torch.Tensor, color: str, linewidth: float = 2
) -> Rectangle:
    """把角点框 ``(x1, y1, x2, y2)`` 变成 matplotlib 的空心矩形（左上角、宽、高）。

    Examples
    --------
    >>> rect = bbox_to_rect(torch.tensor([10.0, 20.0, 50.0, 40.0]), "r")
    >>> rect.get_xy(), rect.get_width(), rect.get_height()
    ((10.0, 20.0), 40.0, 20.0)
    """
    x1, y1, x2, y2 = (float(v) for v in bbox)
    return Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=color, linewidth=linewidth)


def show_bboxes(
    axes: plt.Axes,
    bboxes: torch.Tensor | Sequence[Sequence[float]],
    labels: str | Sequence[str] | None = None,
    colors: str | Sequence[str] | None = None,
    *,
    linewidth: float = 2,
) -> None:
    """在 ``axes`` 上画一组框，可选地在每个框的左上角写上标签。

    颜色按顺序循环使用；标签文字在框色的底上，白框配黑字，其余配白字（与 D2L 相同）。
    坐标轴的范围保持不变：超出图像的框被图像的边缘截断。

    Parameters
    ----------
    axes : matplotlib.axes.Axes
        已经显示了图像的 ``Axes`` （例如 :func:`show_image` 的返回值）。
    bboxes : torch.Tensor 或 序列
        ``(N, 4)`` 的角点框，单位像素。
    labels : str 或 str 的序列, optional
        每个框的标签；比框少时，多出的框不写标签。
    colors : str 或 str 的序列, optional
        框的颜色，默认 :data:`BOX_COLORS`。
    linewidth : float, 默认 2
        线宽（框很多时用细线）。

    Examples
    --------
    >>> ax = show_image(torch.zeros(3, 64, 64, dtype=torch.uint8))
    >>> show_bboxes(ax, torch.tensor([[4.0, 4.0, 30.0, 40.0], [20, 10, 60, 60]]), ["猫", "狗"])
    >>> len(ax.patches), [t.get_text() for t in ax.texts]
    (2, ['猫', '狗'])
    >>> plt.close("all")
    """
    labels = _as_list(labels, [])
    colors = _as_list(colors, list(BOX_COLORS))
    if isinstance(bboxes, torch.Tensor):
        bboxes = bboxes.detach().cpu().reshape(-1, 4).tolist()
    xlim, ylim = axes.get_xlim(), axes.get_ylim()
    for i, bbox in enumerate(bboxes):
        color = colors[i % len(colors)]
        rect = axes.add_patch(bbox_to_rect(bbox, color, linewidth))
        if i < len(labels):
            axes.text(
                *rect.get_xy(),
                labels[i],
                va="top",
                ha="left",
                fontsize=8,
                color="k" if color == "w" else "w",
                bbox=dict(facecolor=color, lw=0, pad=1),
                clip_on=True,
            )
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)


def _as_list(obj: Any, default: list[str]) -> list[str]:
    if obj is None:
        return default
    if isinstance(obj, str):
        return [obj]
    return list(obj)
