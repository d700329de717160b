"""张量的内存布局：存储区（storage）与头信息（形状、步幅、偏移）。

一个张量由两部分组成：一块一维的**存储区**，按顺序存放真实的数值；以及一份**头信息**，
记录形状 ``size``、步幅 ``stride`` 与存储偏移 ``storage_offset``。逻辑下标为
``(i_0, ..., i_{d-1})`` 的元素位于存储区的第 ``offset + Σ_k i_k · stride[k]`` 个位置。
转置、切片、``view`` 只生成新的头信息，与原张量共用同一块存储区（即“视图”）。

查询布局的函数（``describe_layout``、``storage_indices`` 等）在 :mod:`dlbook.ops.layout`；
本模块把布局画出来（:func:`draw_storage`、:func:`draw_views`）。
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle

from dlbook.ops.layout import describe_layout, storage_indices, storage_size, storage_values
from dlbook.plotting.figures import use_book_style

__all__ = ["draw_storage", "draw_views"]


# ---------------------------------------------------------------------------
# 绘图
# ---------------------------------------------------------------------------

_ROW_COLORS = plt.get_cmap("tab10").colors
_GAP = 2.6  # 存储区与逻辑视图之间的竖直距离（单位：格）


def _light(color: Any, amount: float = 0.35) -> tuple[float, float, float]:
    """把颜色与白色混合，得到不透明的浅色（箭头可以藏在格子后面）。"""
    r, g, b = color[:3]
    return (1 - amount + amount * r, 1 - amount + amount * g, 1 - amount + amount * b)


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _grid_positions(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """把逻辑下标排成平面网格：返回每个元素的 (列 x, 行 y, 所在“行”的编号)。

    0 维画成 1 格，1 维画成一行，2 维画成矩阵，3 维把 ``shape[0]`` 个矩阵左右排开。
    “行”的编号是除最后一维以外所有下标的行优先编号，用来给同一行的元素上同一种颜色。
    """
    if len(shape) == 0:
        return np.zeros(1), np.zeros(1), np.zeros(1, dtype=int)
    if len(shape) == 1:
        shape3 = (1, 1, shape[0])
    elif len(shape) == 2:
        shape3 = (1, shape[0], shape[1])
    else:
        shape3 = shape
    blocks, rows, cols = shape3
    b, r, c = np.meshgrid(np.arange(blocks), np.arange(rows), np.arange(cols), indexing="ij")
    x = (b * (cols + 1) + c).ravel().astype(float)
    y = r.ravel().astype(float)
    row_id = (b * rows + r).ravel()
    return x, y, row_id


def _stride_arcs(t: torch.Tensor) -> list[tuple[int, int, float]]:
    """要画的步幅弧线：(维 k, 步幅 s, 弯曲程度 rad)，短的在内、长的在外。"""
    if t.numel() == 0:
        return []
    arcs = [(k, s) for k, (size, s) in enumerate(zip(t.shape, t.stride())) if size > 1 and s > 0]
    arcs.sort(key=lambda ks: ks[1])
    return [(k, s, 0.6 + 0.25 * level) for level, (k, s) in enumerate(arcs)]


def _vertical_extent(t: torch.Tensor) -> tuple[float, float]:
    """图中内容的 (下沿, 上沿)；二次贝塞尔弧的顶点高出弦 rad·s/2。"""
    _, gy, _ = _grid_positions(tuple(t.shape))
    rows = int(gy.max()) + 1 if len(gy) else 1
    top = max([1.6] + [1.05 + rad * s / 2 + 0.9 for _, s, rad in _stride_arcs(t)])
    return -_GAP - rows - 1.6, top


def _logical_width(shape: tuple[int, ...]) -> int:
    if len(shape) == 0:
        return 1
    if len(shape) < 3:
        return shape[-1]
    return shape[0] * (shape[2] + 1) - 1


def draw_storage(
    t: torch.Tensor,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    storage_label: str = "存储区",
    arrows: bool = True,
    width: float | None = None,
    max_storage: int = 48,
) -> Axes:
    """画出张量 ``t`` 的一维存储区、它的逻辑视图，以及两者之间的对应关系。

    上方一排格子是存储区（格子下方的小号数字是存储下标），下方是按逻辑形状排列的元素。
    同一逻辑“行”（除最后一维外下标相同的元素）用同一种颜色，存储区中被它们占用的格子也涂成
    这种颜色；未被 ``t`` 用到的存储格子留白。箭头把每个逻辑元素连到它的存储位置；存储区上方的
    弧线标出从元素 ``[0, ..., 0]`` 沿第 ``k`` 维前进一步要在存储区中跳过的距离 ``stride[k]``。
    连续张量的颜色在存储区中一段一段、依次排开；转置后的张量颜色交错，箭头交叉。

    Parameters
    ----------
    t : torch.Tensor
        最多 3 维的张量，所在存储区不超过 ``max_storage`` 个元素。
    ax : matplotlib.axes.Axes, optional
        画在哪个坐标系里；默认新建一张图。
    title : str, optional
        子图标题。
    storage_label : str
        存储区左侧的文字，画多个张量时可用来区分不同的存储区。
    arrows : bool
        是否画逻辑元素到存储位置的箭头。
    width : float, optional
        横轴的格数；画多个子图时传入相同的值，使存储区上下对齐。
    max_storage : int
        允许画出的最大存储区元素个数。

    Returns
    -------
    matplotlib.axes.Axes
        画好的坐标系。

    Examples
    --------
    >>> a = torch.arange(6).reshape(2, 3)
    >>> ax = draw_storage(a.T, title="a.T")
    >>> len([p for p in ax.patches if isinstance(p, Rectangle)])  # 6 个存储格 + 6 个逻辑格
    12
    >>> plt.close("all")
    """
    if t.dim() > 3:
        raise ValueError(f"draw_storage 只画 0 到 3 维的张量，收到 {t.dim()} 维")
    n = storage_size(t)
    if n > max_storage:
        raise ValueError(f"存储区有 {n} 个元素，超过 max_storage={max_storage}，图会太拥挤")
    use_book_style()
    shape = tuple(t.shape)
    values = storage_values(t).tolist()
    index = storage_indices(t).reshape(-1).tolist()
    gx, gy, row_id = _grid_positions(shape)
    logical_w = _logical_width(shape)
    rows = int(gy.max()) + 1 if len(gy) else 1
    total_w = max(n, logical_w) if width is None else width
    if ax is None:
        bottom, top = _vertical_extent(t)
        _, ax = plt.subplots(figsize=(0.42 * (total_w + 3.5), 0.42 * (top - bottom)))

    # 存储区：y ∈ [0, 1]；逻辑视图从 y = -_GAP 往下排。
    storage_x0 = (total_w - n) / 2
    logical_x0 = (total_w - logical_w) / 2
    used_color: dict[int, Any] = {}
    for pos, rid in zip(index, row_id):
        used_color[pos] = _ROW_COLORS[int(rid) % len(_ROW_COLORS)]
    for pos in range(n):
        color = _light(used_color[pos]) if pos in used_color else "white"
        ax.add_patch(
            Rectangle(
                (storage_x0 + pos, 0),
                1,
                1,
                facecolor=color,
                edgecolor="black",
                linewidth=0.8,
            )
        )
        ax.text(
            storage_x0 + pos + 0.5,
            0.5,
            _format_value(values[pos]),
            ha="center",
            va="center",
            fontsize=9,
        )
        ax.text(
            storage_x0 + pos + 0.5,
            -0.28,
            str(pos),
            ha="center",
            va="center",
            fontsize=6.5,
            color="dimgray",
        )
    ax.text(storage_x0 - 0.3, 0.5, storage_label, ha="right", va="center", fontsize=9)

    flat_values = t.detach().reshape(-1).tolist() if t.numel() else []
    for k, (x, y, rid) in enumerate(zip(gx, gy, row_id)):
        color = _ROW_COLORS[int(rid) % len(_ROW_COLORS)]
        left, bottom = logical_x0 + x, -_GAP - y - 1
        ax.add_patch(
            Rectangle(
                (left, bottom),
                1,
                1,
                facecolor=_light(color),
                edgecolor="black",
                linewidth=0.8,
                zorder=2,
            )
        )
        ax.text(
            left + 0.5,
            bottom + 0.5,
            _format_value(flat_values[k]),
            ha="center",
            va="center",
            fontsize=9,
            zorder=3,
        )
        if arrows:
            ax.add_patch(
                FancyArrowPatch(
                    (left + 0.5, bottom + 0.5),
                    (storage_x0 + index[k] + 0.5, -0.45),
                    arrowstyle="-|>",
                    mutation_scale=7,
                    color=color,
                    linewidth=0.9,
                    shrinkA=0,
                    shrinkB=1,
                    zorder=1,
                )
            )
    ax.text(logical_x0 - 0.3, -_GAP - rows / 2, "视图", ha="right", va="center", fontsize=9)

    # 步幅弧线：从元素 [0, ..., 0] 出发，沿第 k 维走一步。
    offset = t.storage_offset()
    for k, s, rad in _stride_arcs(t):
        start, end = storage_x0 + offset + 0.5, storage_x0 + offset + s + 0.5
        ax.add_patch(
            FancyArrowPatch(
                (start, 1.05),
                (end, 1.05),
                connectionstyle=f"arc3,rad={-rad}",
                arrowstyle="-|>",
                mutation_scale=7,
                color="black",
                linewidth=0.8,
            )
        )
        ax.text(
            (start + end) / 2,
            1.1 + rad * s / 2,
            f"stride[{k}]={s}",
            ha="center",
            va="bottom",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            fontsize=7.5,
        )

    info = describe_layout(t)
    caption = (
        f"shape={info['shape']}  stride={info['stride']}  offset={info['storage_offset']}  "
        f"连续：{'是' if info['is_contiguous'] else '否'}"
    )
    ax.text(total_w / 2, -_GAP - rows - 0.5, caption, ha="center", va="top", fontsize=8.5)
    ax.set_xlim(-3.2, total_w + 0.3)
    ax.set_ylim(*_vertical_extent(t))
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def draw_views(
    tensors: Sequence[torch.Tensor],
    titles: Sequence[str] | None = None,
    *,
    arrows: bool = True,
) -> np.ndarray:
    """上下排列地画出几个张量的存储区与视图（每个张量调用一次 :func:`draw_storage`）。

    共用同一块存储区的张量，其存储区标注为相同的名字（“存储区 A”），否则标注不同的名字，
    一眼就能看出哪些是视图、哪些是副本（例如 ``contiguous()`` 新开的存储区）。

    Examples
    --------
    >>> a = torch.arange(6).reshape(2, 3)
    >>> axes = draw_views([a, a.T, a.T.contiguous()], ["a", "a.T", "a.T.contiguous()"])
    >>> [ax.texts[0].get_text() for ax in axes]  # 第一段文字是第一个存储格里的值
    ['0', '0', '0']
    >>> [t.get_text() for ax in axes for t in ax.texts if t.get_text().startswith("存储区")]
    ['存储区 A', '存储区 A', '存储区 B']
    >>> plt.close("all")
    """
    if len(tensors) == 0:
        raise ValueError("tensors 不能为空")
    if titles is not None and len(titles) != len(tensors):
        raise ValueError(f"titles 有 {len(titles)} 个，而 tensors 有 {len(tensors)} 个")
    use_book_style()
    width = max(max(storage_size(t), _logical_width(tuple(t.shape))) for t in tensors)
    heights = [top - bottom for bottom, top in map(_vertical_extent, tensors)]
    fig, axes = plt.subplots(
        len(tensors),
        1,
        figsize=(0.42 * (width + 3.5), 0.42 * sum(heights)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    names: dict[int, str] = {}
    for i, (t, ax) in enumerate(zip(tensors, axes[:, 0])):
        ptr = t.untyped_storage().data_ptr()
        names.setdefault(ptr, chr(ord("A") + len(names)))
        draw_storage(
            t,
            ax=ax,
            title=None if titles is None else titles[i],
            storage_label=f"存储区 {names[ptr]}",
            arrows=arrows,
            width=width,
        )
    fig.tight_layout()
    return axes[:, 0]
