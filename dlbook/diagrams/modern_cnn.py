"""第 6 章的示意图：VGG 块、NiN 块、Inception 块、残差块，以及嵌套与非嵌套的函数类。

块的示意图都由 :mod:`dlbook.models` 中的真实模块生成：每个方框的文字（核大小、步幅、通道数）读自
模块本身，所以图与代码不会不一致。每个函数画在新的（或给定的）``Axes`` 上并返回它，不调用
``plt.show()``。
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from torch import nn

from dlbook.plotting.figures import use_book_style

__all__ = [
    "describe_layer",
    "draw_vgg_block",
    "draw_nin_block",
    "draw_inception",
    "draw_residual",
    "draw_residual_blocks",
    "closest_distance",
    "plot_function_classes",
]

# 方框的底色：卷积、池化、激活与规范化、输入输出
COLORS = {
    "conv": "#c6dbef",
    "pool": "#fdd0a2",
    "act": "#e5f5e0",
    "norm": "#fcbba1",
    "io": "#f0f0f0",
    "concat": "#dadaeb",
}
BOX_W, BOX_H, GAP = 3.9, 0.62, 0.42


def _pair(v: int | tuple[int, ...]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def describe_layer(m: nn.Module) -> tuple[str, str]:
    """一层在示意图上的文字与颜色类别，例如 ``("3×3 卷积，128，填充 1", "conv")``。

    Examples
    --------
    >>> describe_layer(nn.Conv2d(64, 128, 3, padding=1))
    ('3×3 卷积, 128, 填充 1', 'conv')
    >>> describe_layer(nn.MaxPool2d(2, stride=2))
    ('2×2 最大池化, 步幅 2', 'pool')
    >>> describe_layer(nn.ReLU())
    ('ReLU', 'act')
    """
    if isinstance(m, nn.Conv2d):
        (kh, kw), (sh, _), (ph, _) = _pair(m.kernel_size), _pair(m.stride), _pair(m.padding)
        text = f"{kh}×{kw} 卷积, {m.out_channels}"
        if sh != 1:
            text += f", 步幅 {sh}"
        if ph:
            text += f", 填充 {ph}"
        return text, "conv"
    if isinstance(m, nn.MaxPool2d | nn.AvgPool2d):
        (kh, kw), (sh, _) = _pair(m.kernel_size), _pair(m.stride)
        name = "最大池化" if isinstance(m, nn.MaxPool2d) else "平均池化"
        text = f"{kh}×{kw} {name}, 步幅 {sh}"
        ph = _pair(m.padding)[0]
        if ph:
            text += f", 填充 {ph}"
        return text, "pool"
    if isinstance(m, nn.BatchNorm2d | nn.BatchNorm1d):
        return "批量规范化", "norm"
    if isinstance(m, nn.ReLU | nn.Sigmoid):
        return type(m).__name__, "act"
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return "全局平均池化", "pool"
    return type(m).__name__, "io"


def _box(ax: Axes, x: float, y: float, text: str, kind: str, width: float = BOX_W) -> None:
    """以 ``(x, y)`` 为中心画一个圆角方框。"""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - BOX_H / 2),
            width,
            BOX_H,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=COLORS[kind],
            edgecolor="#525252",
            linewidth=1,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], **kw) -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color="#525252", **kw)
    )


def _column(ax: Axes, x: float, y: float, items: Sequence[tuple[str, str]], width=BOX_W) -> float:
    """从 ``y`` 开始向下画一列方框，相邻方框之间画箭头；返回最后一个方框的中心 ``y``。"""
    for i, (text, kind) in enumerate(items):
        if i:
            _arrow(ax, (x, y + BOX_H / 2 + GAP), (x, y + BOX_H / 2))
        _box(ax, x, y, text, kind, width)
        if i < len(items) - 1:
            y -= BOX_H + GAP
    return y


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    ax.axis("off")
    ax.set_aspect("equal")
    return ax


def _fit(ax: Axes, pad: float = 0.3) -> Axes:
    """按画上去的方框与文字调整坐标范围。"""
    xs, ys = [], []
    for p in ax.patches:
        if isinstance(p, FancyBboxPatch):
            xs += [p.get_x(), p.get_x() + p.get_width()]
            ys += [p.get_y(), p.get_y() + p.get_height()]
    for t in ax.texts:
        x, y = t.get_position()
        xs.append(x)
        ys.append(y)
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    return ax


def _sequential_block(block: nn.Sequential, title: str, in_channels: int, ax: Axes | None) -> Axes:
    items = [(f"输入（{in_channels} 通道）", "io")]
    items += [describe_layer(m) for m in block]
    items.append(("输出", "io"))
    ax = _new_axes(ax, (3.0, 0.52 * len(items) + 0.6))
    _column(ax, 0.0, 0.0, items)
    ax.text(0.0, BOX_H / 2 + 0.35, title, ha="center", va="bottom", fontsize=11)
    return _fit(ax)


def draw_vgg_block(block: nn.Sequential | None = None, ax: Axes | None = None) -> Axes:
    """画一个 VGG 块：若干个 3×3 卷积（各接 ReLU），最后是 2×2 最大池化。默认是 ``vgg_block(2, 64, 128)``。

    Examples
    --------
    >>> ax = draw_vgg_block()
    >>> [t.get_text() for t in ax.texts][1:4]
    ['3×3 卷积, 128, 填充 1', 'ReLU', '3×3 卷积, 128, 填充 1']
    >>> plt.close("all")
    """
    from dlbook.models.vgg import vgg_block

    block = vgg_block(2, 64, 128) if block is None else block
    in_channels = next(m for m in block if isinstance(m, nn.Conv2d)).in_channels
    return _sequential_block(block, "VGG 块", in_channels, ax)


def draw_nin_block(block: nn.Sequential | None = None, ax: Axes | None = None) -> Axes:
    """画一个 NiN 块：一个普通卷积后接两个 1×1 卷积，每个卷积后接 ReLU。默认是 NiN 的第二个块。

    Examples
    --------
    >>> ax = draw_nin_block()
    >>> sum("1×1 卷积" in t.get_text() for t in ax.texts)
    2
    >>> plt.close("all")
    """
    from dlbook.models.nin import nin_block

    block = nin_block(96, 256, kernel_size=5, stride=1, padding=2) if block is None else block
    in_channels = next(m for m in block if isinstance(m, nn.Conv2d)).in_channels
    return _sequential_block(block, "NiN 块", in_channels, ax)


def draw_inception(block: nn.Module | None = None, ax: Axes | None = None) -> Axes:
    """画 Inception 块的四条并行路径与通道维上的拼接。默认是 GoogLeNet 阶段 3 的第一个块。

    每条路径的方框文字读自块中的卷积层与池化层，底部写出拼接后的通道数
    ``c1 + c2[1] + c3[1] + c4``。

    Examples
    --------
    >>> ax = draw_inception()
    >>> ax.texts[-2].get_text()
    '通道维拼接：64 + 128 + 32 + 32 = 256'
    >>> plt.close("all")
    """
    from dlbook.models.googlenet import Inception

    blk = Inception(192, 64, (96, 128), (16, 32), 32) if block is None else block
    # 每条路径的卷积与池化（ReLU 不画）
    paths = [[m for m in branch if not isinstance(m, nn.ReLU)] for branch in blk.branches]
    width = 3.4
    ax = _new_axes(ax, (12.0, 4.2))
    xs = [i * (width + 0.35) for i in range(4)]
    center = (xs[0] + xs[-1]) / 2
    top = 0.0
    _box(ax, center, top, f"输入（{paths[0][0].in_channels} 通道）", "io", width=width * 1.6)
    row1 = top - (BOX_H + GAP * 2)
    bottoms = []
    for x, path in zip(xs, paths):
        items = [describe_layer(m) for m in path]
        # 路径 1 只有一个方框：放在与其他路径最后一个方框同一行
        y0 = row1 if len(items) == 2 else row1 - (BOX_H + GAP)
        _arrow(ax, (center, top - BOX_H / 2), (x, y0 + BOX_H / 2))
        bottoms.append(_column(ax, x, y0, items, width=width))
    concat_y = min(bottoms) - (BOX_H + GAP * 2)
    channels = [path[-1].out_channels for path in paths]
    for x, b in zip(xs, bottoms):
        _arrow(ax, (x, b - BOX_H / 2), (center, concat_y + BOX_H / 2))
    text = "通道维拼接：" + " + ".join(map(str, channels)) + f" = {sum(channels)}"
    _box(ax, center, concat_y, text, "concat", width=width * 2.2)
    ax.text(center, top + BOX_H / 2 + 0.3, "Inception 块", ha="center", va="bottom", fontsize=11)
    return _fit(ax)


def draw_residual(block: nn.Module | None = None, ax: Axes | None = None) -> Axes:
    """画一个残差块：左边是两层卷积的主路径，右边是捷径（恒等或 1×1 卷积），二者相加后过 ReLU。

    默认是 ``Residual(64, 64)``；有 1×1 卷积时捷径上画出这个卷积的步幅与通道数。

    Examples
    --------
    >>> from dlbook.models.resnet import Residual
    >>> ax = draw_residual(Residual(64, 128, use_1x1conv=True, stride=2))
    >>> [t.get_text() for t in ax.texts if "1×1" in t.get_text()]
    ['1×1 卷积, 128, 步幅 2', '有 1×1 卷积的残差块']
    >>> plt.close("all")
    """
    from dlbook.models.resnet import Residual

    blk = Residual(64, 64) if block is None else block
    ax = _new_axes(ax, (5.4, 5.2))
    main = [
        (f"输入 x（{blk.conv1.in_channels} 通道）", "io"),
        describe_layer(blk.conv1),
        describe_layer(blk.bn1),
        ("ReLU", "act"),
        describe_layer(blk.conv2),
        describe_layer(blk.bn2),
    ]
    bottom = _column(ax, 0.0, 0.0, main)
    add_y = bottom - (BOX_H + GAP)
    out_y = add_y - (BOX_H + GAP)
    _arrow(ax, (0.0, bottom - BOX_H / 2), (0.0, add_y + 0.25))
    ax.add_patch(Circle((0.0, add_y), 0.25, facecolor="white", edgecolor="#525252"))
    ax.text(0.0, add_y, "+", ha="center", va="center", fontsize=12)
    _arrow(ax, (0.0, add_y - 0.25), (0.0, out_y + BOX_H / 2))
    _box(ax, 0.0, out_y, "ReLU", "act")
    # 捷径：从输入右侧出发，绕到加号
    side = BOX_W / 2 + 1.9
    ax.plot([BOX_W / 2, side], [0.0, 0.0], color="#525252", linewidth=1)
    if blk.conv3 is not None:
        mid = (0.0 + add_y) / 2
        ax.plot([side, side], [0.0, mid + BOX_H / 2], color="#525252", linewidth=1)
        text, kind = describe_layer(blk.conv3)
        _box(ax, side, mid, text, kind, width=3.0)
        ax.plot([side, side], [mid - BOX_H / 2, add_y], color="#525252", linewidth=1)
        title = "有 1×1 卷积的残差块"
    else:
        ax.plot([side, side], [0.0, add_y], color="#525252", linewidth=1)
        ax.text(side + 0.1, add_y / 2, "恒等\n映射", ha="left", va="center", fontsize=9)
        title = "残差块"
    _arrow(ax, (side, add_y), (0.25, add_y))
    ax.text(0.0, BOX_H / 2 + 0.35, title, ha="center", va="bottom", fontsize=11)
    return _fit(ax)


def draw_residual_blocks() -> np.ndarray:
    """左右两张图：形状不变的残差块 ``Residual(64, 64)`` 与通道加倍、高宽减半的
    ``Residual(64, 128, use_1x1conv=True, stride=2)``。返回两个 ``Axes``。

    Examples
    --------
    >>> axes = draw_residual_blocks()
    >>> len(axes)
    2
    >>> plt.close("all")
    """
    from dlbook.models.resnet import Residual

    use_book_style()
    _, axes = plt.subplots(1, 2, figsize=(11, 5.2))
    draw_residual(Residual(64, 64), ax=axes[0])
    draw_residual(Residual(64, 128, use_1x1conv=True, stride=2), ax=axes[1])
    return axes


def closest_distance(target: Sequence[float], center: Sequence[float], radius: float) -> float:
    """圆形的“函数类”（圆心 ``center``、半径 ``radius``）中离 ``target`` 最近的点到它的距离。

    ``target`` 在圆内时距离为 0。

    Examples
    --------
    >>> closest_distance((3.0, 4.0), (0.0, 0.0), 2.0)
    3.0
    >>> closest_distance((0.5, 0.0), (0.0, 0.0), 1.0)
    0.0
    """
    if radius < 0:
        raise ValueError(f"radius 必须非负，收到 {radius!r}")
    d = float(np.hypot(target[0] - center[0], target[1] - center[1]))
    return max(0.0, d - radius)


#: 两组函数类（圆心、半径），:func:`plot_function_classes` 用它们画图。嵌套的每个圆都包含前一个；
#: 非嵌套的圆越来越大，但整体在移动。目标函数 f* 在右上方。
NESTED = (((0.0, 0.0), 0.7), ((0.35, 0.25), 1.15), ((0.8, 0.55), 1.75), ((1.3, 0.9), 2.4))
NON_NESTED = (((0.0, 0.0), 0.7), ((1.5, 0.2), 1.0), ((-0.7, -0.6), 1.4), ((0.4, -1.8), 1.9))
TARGET = (3.5, 2.4)


def plot_function_classes(
    nested: Sequence[tuple[tuple[float, float], float]] = NESTED,
    non_nested: Sequence[tuple[tuple[float, float], float]] = NON_NESTED,
    target: tuple[float, float] = TARGET,
) -> np.ndarray:
    """左图：嵌套的函数类 :math:`\\mathcal{F}_1 \\subseteq \\mathcal{F}_2 \\subseteq \\cdots`；
    右图：非嵌套的函数类。星号是要找的函数 :math:`f^*`。

    虚线连接 :math:`f^*` 与每个圆上离它最近的点，图例列出这个距离（由 :func:`closest_distance` 算出），图题写出这些距离
    是否随着函数类变大而单调不增：嵌套时一定如此，非嵌套时更大的函数类反而可能离得更远。
    返回两个 ``Axes``。

    Examples
    --------
    >>> axes = plot_function_classes()
    >>> [ax.get_title() for ax in axes]
    ['嵌套的函数类：距离单调不增', '非嵌套的函数类：距离并不单调']
    >>> plt.close("all")
    """
    use_book_style()
    _, axes = plt.subplots(1, 2, figsize=(10, 4.6))
    colors = [plt.get_cmap("tab10")(i % 10) for i in range(max(len(nested), len(non_nested)))]
    for ax, classes, name in zip(axes, (nested, non_nested), ("嵌套的函数类", "非嵌套的函数类")):
        dists = []
        for i, (center, radius) in enumerate(classes):
            d = closest_distance(target, center, radius)
            dists.append(d)
            ax.add_patch(
                Circle(
                    center,
                    radius,
                    fill=False,
                    edgecolor=colors[i],
                    linewidth=2,
                    label=f"$\\mathcal{{F}}_{i + 1}$：离 $f^*$ {d:.2f}",
                )
            )
            if d > 0:  # 虚线连到圆上离 f* 最近的点
                v = np.subtract(target, center)
                near = np.add(center, v / np.linalg.norm(v) * radius)
                ax.plot(*zip(near, target), linestyle="--", color=colors[i], linewidth=1)
        ax.legend(loc="lower right", fontsize=9, frameon=False)
        ax.plot(*target, marker="*", markersize=16, color="#d62728")
        ax.text(target[0] + 0.15, target[1], "$f^*$", fontsize=13, va="center", color="#d62728")
        monotone = all(b <= a + 1e-12 for a, b in zip(dists, dists[1:]))
        ax.set_title(f"{name}：距离{'单调不增' if monotone else '并不单调'}")
        ax.set_aspect("equal")
        ax.axis("off")
        every = [c for c, _ in classes]
        reach = max(r for _, r in classes) + 0.6
        ax.set_xlim(min(min(x for x, _ in every), target[0]) - reach, target[0] + 2.8)
        ax.set_ylim(
            min(y for _, y in every) - reach, max(max(y for _, y in every) + reach, target[1] + 0.6)
        )
    return axes
