"""第 5 章的示意图：互相关、填充与步幅、多输入通道、池化窗口与 LeNet 的结构。

图中的数值都由 :mod:`dlbook.ops.conv` 中的函数或模型本身算出，所以图与正文的计算结果一致。
每个函数画在一个新的（或给定的）``Axes`` 上并返回它，不调用 ``plt.show()``。
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle

from dlbook.ops.conv import corr2d, corr2d_multi_in, pool2d
from dlbook.plotting.figures import use_book_style

__all__ = [
    "draw_cross_correlation",
    "draw_padding_and_stride",
    "draw_multi_channel",
    "draw_pooling",
    "draw_pooling_comparison",
    "draw_lenet",
]

# 输入窗口、核、输出元素的高亮色（第二种颜色用于第二个窗口）
WINDOW_COLORS = ("#9ecae1", "#fdd0a2")
KERNEL_COLOR = "#c7e9c0"
OUTPUT_COLORS = ("#9ecae1", "#fdd0a2")
PAD_COLOR = "#eeeeee"


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2g}"


def _product(a: float, b: float) -> str:
    """``a×b``；负的第二个因子加括号（``2×(-3)``，而不是 ``2×-3``）。"""
    second = _fmt(b) if b >= 0 else f"({_fmt(b)})"
    return f"{_fmt(a)}×{second}"


def _grid(
    ax: Axes,
    values: torch.Tensor,
    x: float,
    y: float,
    fills: dict[tuple[int, int], str] | None = None,
    default_fill: str = "white",
    fontsize: float = 11,
    text_color: str = "black",
) -> None:
    """以 ``(x, y)`` 为左上角画一个数值矩阵，每格边长 1；``fills`` 给出个别格子的底色。"""
    fills = fills or {}
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            ax.add_patch(
                Rectangle(
                    (x + j, y - i - 1),
                    1,
                    1,
                    facecolor=fills.get((i, j), default_fill),
                    edgecolor="black",
                    linewidth=1,
                )
            )
            ax.text(
                x + j + 0.5,
                y - i - 0.5,
                _fmt(float(values[i, j])),
                ha="center",
                va="center",
                fontsize=fontsize,
                color=text_color,
            )


def _label(ax: Axes, x: float, y: float, text: str, fontsize: float = 11) -> None:
    ax.text(x, y, text, ha="center", va="bottom", fontsize=fontsize)


def _symbol(ax: Axes, x: float, y: float, text: str) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=18)


def _window_fills(
    top: int, left: int, height: int, width: int, color: str
) -> dict[tuple[int, int], str]:
    return {(top + a, left + b): color for a in range(height) for b in range(width)}


def _new_axes(ax: Axes | None, width: float, height: float) -> Axes:
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(0.45 * width, 0.45 * height))
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(-height, 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_cross_correlation(
    X: torch.Tensor | None = None,
    K: torch.Tensor | None = None,
    position: tuple[int, int] = (0, 0),
    ax: Axes | None = None,
) -> Axes:
    """画二维互相关：输入 * 核 = 输出，并高亮计算第 ``position`` 个输出元素用到的窗口。

    默认输入是 ``0..8`` 排成的 3×3 矩阵，核是 ``[[0, 1], [2, 3]]``，输出由
    :func:`~dlbook.ops.conv.corr2d` 算出；图下方写出高亮元素的计算式。

    Examples
    --------
    >>> ax = draw_cross_correlation()
    >>> ax.texts[-1].get_text()
    '0×0 + 1×1 + 3×2 + 4×3 = 19'
    >>> plt.close("all")
    """
    X = torch.arange(9.0).reshape(3, 3) if X is None else X
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]]) if K is None else K
    Y = corr2d(X, K)
    i, j = position
    if not (0 <= i < Y.shape[0] and 0 <= j < Y.shape[1]):
        raise ValueError(f"position 必须在输出形状 {tuple(Y.shape)} 之内，收到 {position}")
    (n_h, n_w), (k_h, k_w), (o_h, o_w) = X.shape, K.shape, Y.shape
    x_k = n_w + 1.5
    x_y = x_k + k_w + 1.5
    width, height = x_y + o_w, max(n_h, k_h, o_h) + 2.6
    ax = _new_axes(ax, width, height)
    top = -1.0
    _grid(ax, X, 0, top, _window_fills(i, j, k_h, k_w, WINDOW_COLORS[0]))
    _grid(ax, K, x_k, top, _window_fills(0, 0, k_h, k_w, KERNEL_COLOR))
    _grid(ax, Y, x_y, top, {(i, j): OUTPUT_COLORS[0]})
    _label(ax, n_w / 2, top + 0.15, "输入")
    _label(ax, x_k + k_w / 2, top + 0.15, "核")
    _label(ax, x_y + o_w / 2, top + 0.15, "输出")
    mid = top - max(n_h, k_h, o_h) / 2
    _symbol(ax, n_w + 0.75, mid, "*")
    _symbol(ax, x_k + k_w + 0.75, mid, "=")
    window = X[i : i + k_h, j : j + k_w]
    terms = " + ".join(_product(float(a), float(b)) for a, b in zip(window.flatten(), K.flatten()))
    ax.text(
        width / 2,
        top - max(n_h, k_h, o_h) - 0.8,
        f"{terms} = {_fmt(float(Y[i, j]))}",
        ha="center",
        va="center",
        fontsize=11,
    )
    return ax


def draw_padding_and_stride(
    X: torch.Tensor | None = None,
    K: torch.Tensor | None = None,
    padding: int = 1,
    stride: tuple[int, int] = (3, 2),
    highlight: Sequence[tuple[int, int]] = ((0, 0), (0, 1)),
    ax: Axes | None = None,
) -> Axes:
    """画带填充与步幅的互相关：灰色格子是补上的 0，彩色窗口对应 ``highlight`` 中的输出元素。

    默认是 3×3 输入四周填充 1、2×2 核、高方向步幅 3、宽方向步幅 2，输出 2×2。

    Examples
    --------
    >>> ax = draw_padding_and_stride()
    >>> [t.get_text() for t in ax.texts if " = " in t.get_text()]
    ['0×0 + 0×1 + 0×2 + 0×3 = 0', '0×0 + 0×1 + 1×2 + 2×3 = 8']
    >>> plt.close("all")
    """
    X = torch.arange(9.0).reshape(3, 3) if X is None else X
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]]) if K is None else K
    if len(highlight) > len(WINDOW_COLORS):
        raise ValueError(f"highlight 最多 {len(WINDOW_COLORS)} 个位置，收到 {len(highlight)}")
    s_h, s_w = stride
    Y = corr2d(X, K, padding=padding, stride=stride)
    Xp = torch.nn.functional.pad(X, (padding,) * 4)
    (n_h, n_w), (k_h, k_w), (o_h, o_w) = Xp.shape, K.shape, Y.shape
    fills = {
        (a, b): PAD_COLOR
        for a in range(n_h)
        for b in range(n_w)
        if not (padding <= a < n_h - padding and padding <= b < n_w - padding)
    }
    out_fills: dict[tuple[int, int], str] = {}
    formulas = []
    for color_in, color_out, (i, j) in zip(WINDOW_COLORS, OUTPUT_COLORS, highlight):
        if not (0 <= i < o_h and 0 <= j < o_w):
            raise ValueError(f"highlight 中的 {(i, j)} 超出输出形状 {(o_h, o_w)}")
        fills.update(_window_fills(i * s_h, j * s_w, k_h, k_w, color_in))
        out_fills[(i, j)] = color_out
        window = Xp[i * s_h : i * s_h + k_h, j * s_w : j * s_w + k_w]
        terms = " + ".join(
            _product(float(a), float(b)) for a, b in zip(window.flatten(), K.flatten())
        )
        formulas.append(f"{terms} = {_fmt(float(Y[i, j]))}")
    x_k = n_w + 1.5
    x_y = x_k + k_w + 1.5
    width = x_y + o_w + 1.2
    height = n_h + 1.6 + 0.8 * len(formulas)
    ax = _new_axes(ax, width, height)
    top = -1.0
    _grid(ax, Xp, 0, top, fills)
    _grid(ax, K, x_k, top, _window_fills(0, 0, k_h, k_w, KERNEL_COLOR))
    _grid(ax, Y, x_y, top, out_fills)
    _label(ax, n_w / 2, top + 0.15, f"输入（填充 {padding}）")
    _label(ax, x_k + k_w / 2, top + 0.15, "核")
    _label(ax, x_y + o_w / 2, top + 0.15, f"输出（步幅 {s_h}, {s_w}）")
    mid = top - n_h / 2
    _symbol(ax, n_w + 0.75, mid, "*")
    _symbol(ax, x_k + k_w + 0.75, mid, "=")
    for r, text in enumerate(formulas):
        ax.text(width / 2, top - n_h - 0.7 - 0.8 * r, text, ha="center", va="center", fontsize=11)
    return ax


def draw_multi_channel(
    X: torch.Tensor | None = None, K: torch.Tensor | None = None, ax: Axes | None = None
) -> Axes:
    """画两个输入通道的互相关：每个通道与自己的核做互相关，再把两个结果相加。

    默认使用正文的例子（两个 3×3 输入通道、两个 2×2 核），输出由
    :func:`~dlbook.ops.conv.corr2d_multi_in` 算出。

    Examples
    --------
    >>> ax = draw_multi_channel()
    >>> ax.texts[-1].get_text()
    '(0×0 + 1×1 + 3×2 + 4×3) + (1×1 + 2×2 + 4×3 + 5×4) = 56'
    >>> plt.close("all")
    """
    if X is None:
        X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
    if K is None:
        K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0] or X.shape[0] < 1:
        raise ValueError(
            f"X 与 K 必须是通道数相同的三维张量，收到 {tuple(X.shape)}、{tuple(K.shape)}"
        )
    Y = corr2d_multi_in(X, K)
    c, n_h, n_w = X.shape
    _, k_h, k_w = K.shape
    o_h, o_w = Y.shape
    row_h = max(n_h, k_h) + 1.2  # 每个通道占一行
    x_k = n_w + 1.5
    x_y = x_k + k_w + 2.8
    width = x_y + o_w + 0.5
    height = c * row_h + 2.2
    ax = _new_axes(ax, width, height)
    top = -1.0
    for ch in range(c):
        y = top - ch * row_h
        shade = WINDOW_COLORS[ch % len(WINDOW_COLORS)]
        _grid(ax, X[ch], 0, y, _window_fills(0, 0, k_h, k_w, shade))
        _grid(ax, K[ch], x_k, y, _window_fills(0, 0, k_h, k_w, shade))
        _symbol(ax, n_w + 0.75, y - n_h / 2, "*")
        ax.text(-0.15, y - n_h / 2, f"通道 {ch}", ha="right", va="center", fontsize=10)
        if ch:
            _symbol(ax, x_k + k_w / 2, y + 0.6, "+")
    _label(ax, n_w / 2, top + 0.15, "输入")
    _label(ax, x_k + k_w / 2, top + 0.15, "核")
    y_mid = top - ((c - 1) * row_h + max(n_h, k_h)) / 2
    y_out = y_mid + o_h / 2
    _grid(ax, Y, x_y, y_out, {(0, 0): KERNEL_COLOR})
    _label(ax, x_y + o_w / 2, y_out + 0.15, "输出")
    _symbol(ax, x_k + k_w + 1.4, y_mid, "=")
    # 右括号把各通道的结果括在一起，表示相加
    ax.plot(
        [x_k + k_w + 0.4, x_k + k_w + 0.6, x_k + k_w + 0.6, x_k + k_w + 0.4],
        [top, top, top - (c - 1) * row_h - k_h, top - (c - 1) * row_h - k_h],
        color="black",
        linewidth=1,
    )
    parts = []
    for ch in range(c):
        window = X[ch, :k_h, :k_w]
        terms = " + ".join(
            _product(float(a), float(b)) for a, b in zip(window.flatten(), K[ch].flatten())
        )
        parts.append(f"({terms})")
    ax.text(
        width / 2,
        top - (c - 1) * row_h - max(n_h, k_h) - 0.8,
        " + ".join(parts) + f" = {_fmt(float(Y[0, 0]))}",
        ha="center",
        va="center",
        fontsize=10,
    )
    return ax


def draw_pooling(
    X: torch.Tensor | None = None,
    pool_size: tuple[int, int] = (2, 2),
    mode: str = "max",
    position: tuple[int, int] = (0, 0),
    ax: Axes | None = None,
) -> Axes:
    """画一个池化窗口：高亮输入中的窗口与对应的输出元素，输出由 :func:`~dlbook.ops.conv.pool2d` 算出。

    Examples
    --------
    >>> ax = draw_pooling()
    >>> ax.texts[-1].get_text()
    'max(0, 1, 3, 4) = 4'
    >>> plt.close("all")
    """
    X = torch.arange(9.0).reshape(3, 3) if X is None else X
    Y = pool2d(X, pool_size, mode=mode)
    i, j = position
    if not (0 <= i < Y.shape[0] and 0 <= j < Y.shape[1]):
        raise ValueError(f"position 必须在输出形状 {tuple(Y.shape)} 之内，收到 {position}")
    p_h, p_w = pool_size
    (n_h, n_w), (o_h, o_w) = X.shape, Y.shape
    x_y = n_w + 2.5
    width, height = x_y + o_w + 0.5, max(n_h, o_h) + 2.6
    ax = _new_axes(ax, width, height)
    top = -1.0
    _grid(ax, X, 0, top, _window_fills(i, j, p_h, p_w, WINDOW_COLORS[0]))
    _grid(ax, Y, x_y, top, {(i, j): OUTPUT_COLORS[0]})
    name = "最大池化" if mode == "max" else "平均池化"
    _label(ax, n_w / 2, top + 0.15, "输入")
    _label(ax, x_y + o_w / 2, top + 0.15, "输出")
    mid = top - max(n_h, o_h) / 2
    ax.text(n_w + 1.25, mid + 0.35, f"{p_h}×{p_w}", ha="center", va="center", fontsize=9)
    ax.text(n_w + 1.25, mid - 0.35, name, ha="center", va="center", fontsize=9)
    ax.add_patch(
        FancyArrowPatch((n_w + 0.3, mid), (x_y - 0.2, mid), arrowstyle="-|>", mutation_scale=12)
    )
    window = ", ".join(_fmt(float(v)) for v in X[i : i + p_h, j : j + p_w].flatten())
    ax.text(
        width / 2,
        top - max(n_h, o_h) - 0.8,
        f"{mode}({window}) = {_fmt(float(Y[i, j]))}",
        ha="center",
        va="center",
        fontsize=11,
    )
    return ax


# 不重叠的池化窗口各用一种底色，输出中对应的元素用同样的底色
_REGION_COLORS = ("#9ecae1", "#fdd0a2", "#c7e9c0", "#dadaeb")


def draw_pooling_comparison(X: torch.Tensor | None = None, pool_size: int = 2) -> Axes:
    """在同一个输入上并排画出最大池化与平均池化：每个窗口与它的两个输出用同一种底色。

    窗口大小与步幅都是 ``pool_size`` （窗口互不重叠，PyTorch 的默认做法），两种输出都由
    :func:`~dlbook.ops.conv.pool2d` 算出。默认输入的左上窗口里只有一个很强的响应 8，其余都是 0；
    右上窗口是均匀的 2。两个窗口的平均值都是 2，平均池化分不出它们；最大池化给出 8 与 2。

    Examples
    --------
    >>> ax = draw_pooling_comparison()
    >>> [t.get_text() for t in ax.texts if "池化" in t.get_text()]
    ['最大池化', '平均池化']
    >>> plt.close("all")
    """
    if X is None:
        X = torch.tensor(
            [
                [0.0, 0.0, 2.0, 2.0],
                [0.0, 8.0, 2.0, 2.0],
                [1.0, 0.0, 1.0, 3.0],
                [1.0, 2.0, 5.0, 7.0],
            ]
        )
    if X.dim() != 2:
        raise ValueError(f"X 必须是二维张量（高, 宽），收到形状 {tuple(X.shape)}")
    p = pool_size
    Y_max = pool2d(X, p, mode="max", stride=p)
    Y_avg = pool2d(X, p, mode="avg", stride=p)
    (n_h, n_w), (o_h, o_w) = X.shape, Y_max.shape
    colors = {
        (a, b): _REGION_COLORS[(a * o_w + b) % len(_REGION_COLORS)]
        for a in range(o_h)
        for b in range(o_w)
    }
    input_fills = {
        (a * p + i, b * p + j): color
        for (a, b), color in colors.items()
        for i in range(p)
        for j in range(p)
    }
    x_out = n_w + 3.0
    gap = 1.6
    width = x_out + o_w + 0.5
    height = max(n_h, 2 * o_h + gap) + 1.6
    ax = _new_axes(None, width, height)
    top = -1.0
    _grid(ax, X, 0, top, input_fills)
    _label(ax, n_w / 2, top + 0.15, f"输入（{p}×{p} 窗口，步幅 {p}）", fontsize=10)
    for k, (Y, name) in enumerate([(Y_max, "最大池化"), (Y_avg, "平均池化")]):
        y0 = top - k * (o_h + gap)
        _grid(ax, Y, x_out, y0, colors)
        ax.text(x_out + o_w + 0.3, y0 - o_h / 2, name, ha="left", va="center", fontsize=10)
        ax.add_patch(
            FancyArrowPatch(
                (n_w + 0.3, top - n_h / 2),
                (x_out - 0.2, y0 - o_h / 2),
                arrowstyle="-|>",
                mutation_scale=12,
            )
        )
    ax.set_xlim(-0.2, width + 2.2)
    return ax


# LeNet 每一层在图上的名字（按 nn.Sequential 中的类型）
_LAYER_NAMES = {
    "Conv2d": "卷积",
    "AvgPool2d": "平均池化",
    "MaxPool2d": "最大池化",
    "Linear": "全连接",
}


def _stages(
    net: torch.nn.Module, input_shape: tuple[int, ...]
) -> list[tuple[str, tuple[int, ...]]]:
    """把网络逐层运行一遍，返回 ``(操作说明, 输出形状)``；激活函数与 Flatten 并入前一层的说明。"""
    X = torch.zeros((1, *input_shape))
    stages: list[tuple[str, tuple[int, ...]]] = [("输入", tuple(input_shape))]
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            kind = type(layer).__name__
            if kind in _LAYER_NAMES:
                desc = _LAYER_NAMES[kind]
                if kind == "Conv2d":
                    k, p = layer.kernel_size, layer.padding
                    desc += f" {k[0]}×{k[1]}" + (f"，填充 {p[0]}" if p[0] else "")
                elif kind.endswith("Pool2d"):
                    desc += f" {layer.kernel_size}×{layer.kernel_size}，步幅 {layer.stride}"
                stages.append((desc, tuple(X.shape[1:])))
            elif kind in ("Sigmoid", "ReLU", "Tanh"):
                name, shape = stages[-1]
                stages[-1] = (f"{name} + {kind.lower()}", shape)
    return stages


def draw_lenet(net: torch.nn.Module | None = None, ax: Axes | None = None) -> Axes:
    """画 LeNet 的结构：特征图画成一叠方块（边长与空间尺寸成正比），全连接层画成竖条。

    每一层的输出形状由网络在一个全零输入上实际运行得到，所以图总与 :func:`~dlbook.models.lenet`
    一致。

    Examples
    --------
    >>> ax = draw_lenet()
    >>> [t.get_text() for t in ax.texts if "@" in t.get_text()]
    ['1@28×28', '6@28×28', '6@14×14', '16@10×10', '16@5×5']
    >>> plt.close("all")
    """
    from dlbook.models.lenet import lenet

    net = lenet() if net is None else net
    stages = _stages(net, (1, 28, 28))
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 3.2))
    ax.axis("off")
    scale = 0.09  # 每个像素在图上的长度
    gap = 2.3
    x = 0.0
    prev_right = None
    for desc, shape in stages:
        if len(shape) == 3:
            c, h, w = shape
            layers = min(c, 4)
            side_w, side_h = w * scale, h * scale
            offset = 0.12
            for k in reversed(range(layers)):
                ax.add_patch(
                    Rectangle(
                        (x + k * offset, -side_h / 2 + k * offset),
                        side_w,
                        side_h,
                        facecolor="#deebf7" if desc != "输入" else "#f0f0f0",
                        edgecolor="#3182bd" if desc != "输入" else "#636363",
                    )
                )
            right = x + side_w + (layers - 1) * offset
            label = f"{c}@{h}×{w}"
        else:
            (n,) = shape
            bar_h = min(n, 120) * 0.022 + 0.3
            ax.add_patch(
                Rectangle((x, -bar_h / 2), 0.25, bar_h, facecolor="#e5f5e0", edgecolor="#31a354")
            )
            right = x + 0.25
            label = str(n)
        ax.text((x + right) / 2, -1.75, label, ha="center", va="top", fontsize=10)
        if prev_right is not None:
            ax.add_patch(
                FancyArrowPatch(
                    (prev_right + 0.1, 0), (x - 0.1, 0), arrowstyle="-|>", mutation_scale=10
                )
            )
            # 操作说明写在箭头上方，长的说明折成两行
            ax.text(
                (prev_right + x) / 2,
                0.25,
                desc.replace("，", "\n").replace(" + ", "\n+ ").replace("池化 ", "池化\n"),
                ha="center",
                va="bottom",
                fontsize=7.5,
            )
        prev_right = right
        x = right + gap
    ax.set_xlim(-0.3, x - gap + 0.3)
    ax.set_ylim(-2.3, 2.0)
    ax.set_aspect("equal")
    return ax
