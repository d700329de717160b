"""第 7 章的示意图：按时间展开的循环神经网络、小批量的两种划分、截断的通过时间反向传播、计算图。

划分小批量的图由 :mod:`dlbook.data.text` 中真正的迭代器算出，所以图与训练时用的数据完全一致。
每个函数画在一个新的（或给定的）``Axes`` 上并返回它，不调用 ``plt.show()``。
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from dlbook.data.text import seq_data_iter_random, seq_data_iter_sequential
from dlbook.plotting.figures import use_book_style

__all__ = [
    "draw_bptt_graph",
    "draw_minibatch_partitions",
    "draw_truncation",
    "draw_unrolled_rnn",
]

INPUT_COLOR = "#c7e9c0"
HIDDEN_COLOR = "#9ecae1"
OUTPUT_COLOR = "#fdd0a2"
PARAM_COLOR = "#dadaeb"
UNUSED_COLOR = "#eeeeee"


def _new_axes(ax: Axes | None, width: float, height: float, scale: float = 0.55) -> Axes:
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(scale * width, scale * height))
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(-0.2, height + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _box(ax: Axes, x: float, y: float, text: str, color: str, w: float = 1.0, h: float = 0.7):
    """以 ``(x, y)`` 为中心画一个圆角框。"""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=color,
            edgecolor="black",
            linewidth=1,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(
    ax: Axes,
    start,
    end,
    *,
    style: str = "-",
    color: str = "black",
    label: str = "",
    label_offset=(0.0, 0.0),
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=12,
            linewidth=1.1,
            linestyle=style,
            color=color,
        )
    )
    if label:
        mx = (start[0] + end[0]) / 2 + label_offset[0]
        my = (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=9, color="#444444")


def draw_unrolled_rnn(text: str = "alice", ax: Axes | None = None) -> Axes:
    """把字符级循环神经网络语言模型按时间展开：输入 ``text[:-1]``，每一步预测下一个字符 ``text[1:]``。

    每一列是一个时间步：输入 :math:`\\mathbf{x}_t` （当前字符的独热编码）和上一步的隐状态
    :math:`\\mathbf{h}_{t-1}` 一起算出 :math:`\\mathbf{h}_t`，输出层由它给出
    :math:`\\mathbf{o}_t`，训练时与下一个字符比较。所有时间步共用同一组参数。

    Examples
    --------
    >>> ax = draw_unrolled_rnn("alice")
    >>> [t.get_text() for t in ax.texts if len(t.get_text()) == 1]
    ['a', 'l', 'l', 'i', 'i', 'c', 'c', 'e']
    >>> plt.close("all")
    """
    if len(text) < 2:
        raise ValueError(f"text 至少要有两个字符（输入和要预测的下一个字符），收到 {text!r}")
    steps = len(text) - 1
    dx = 1.9
    width, height = 2.2 + dx * (steps - 1), 5.2
    ax = _new_axes(ax, width, height)
    y_in, y_h, y_out, y_label = 0.6, 2.2, 3.8, 4.75
    ax.text(0.3, y_h, "$\\mathbf{h}_0$", ha="center", va="center", fontsize=11)
    for t in range(steps):
        x = 1.4 + dx * t
        _box(ax, x, y_in, text[t], INPUT_COLOR)
        ax.text(x - 0.75, y_in, f"$\\mathbf{{x}}_{t + 1}$", ha="center", va="center", fontsize=9)
        _box(ax, x, y_h, f"$\\mathbf{{h}}_{t + 1}$", HIDDEN_COLOR)
        _box(ax, x, y_out, f"$\\mathbf{{o}}_{t + 1}$", OUTPUT_COLOR)
        ax.text(x, y_label, text[t + 1], ha="center", va="center", fontsize=11, color="#b2182b")
        first = t == 0
        _arrow(
            ax,
            (x, y_in + 0.35),
            (x, y_h - 0.35),
            label="$W_{xh}$" if first else "",
            label_offset=(0.38, 0),
        )
        _arrow(
            ax,
            (x, y_h + 0.35),
            (x, y_out - 0.35),
            label="$W_{hq}$" if first else "",
            label_offset=(0.38, 0),
        )
        ax.plot([x, x], [y_out + 0.35, y_label - 0.25], color="#b2182b", linestyle=":", lw=1)
        start = 0.55 if first else x - dx + 0.5
        _arrow(
            ax,
            (start, y_h),
            (x - 0.5, y_h),
            label="" if first else "$W_{hh}$",
            label_offset=(0, 0.25),
        )
    ax.text(width / 2, y_label + 0.4, "标签：下一个字符", ha="center", fontsize=9, color="#b2182b")
    return ax


def _strip(ax: Axes, y: float, cells: list[tuple[str, str]], *, size: float = 1.0) -> None:
    """画一行格子；``cells`` 是每格的（文字，底色）。"""
    for i, (label, color) in enumerate(cells):
        ax.add_patch(
            Rectangle((i * size, y), size, size, facecolor=color, edgecolor="white", linewidth=1)
        )
        if label:
            ax.text(i * size + size / 2, y + size / 2, label, ha="center", va="center", fontsize=8)


def draw_minibatch_partitions(
    num_tokens: int = 36,
    batch_size: int = 2,
    num_steps: int = 5,
    seed: int = 0,
    ax: Axes | None = None,
) -> Axes:
    """在一段长 ``num_tokens`` 的语料上画出两种划分：上一行是顺序分区，下一行是随机采样。

    每个格子是一个词元；被用作输入的子序列按所在的小批量着色，格子里的数字是“第几批”；
    灰色的词元没有用作任何输入（偏移之前的，以及凑不满一批的零头）。两行都是
    :func:`~dlbook.data.text.seq_data_iter_sequential` 与 :func:`~dlbook.data.text.seq_data_iter_random`
    在同一个种子下的真实输出。

    Examples
    --------
    >>> ax = draw_minibatch_partitions(36, 2, 5, seed=0)
    >>> sorted({t.get_text() for t in ax.texts if t.get_text().isdigit()})
    ['1', '2', '3']
    >>> plt.close("all")
    """
    colors = plt.get_cmap("tab10").colors
    height = 5.6
    ax = _new_axes(ax, num_tokens + 7, height, scale=0.32)
    rows = [
        ("顺序分区", seq_data_iter_sequential),
        ("随机采样", seq_data_iter_random),
    ]
    for r, (title, make) in enumerate(rows):
        g = torch.Generator().manual_seed(seed)
        cells = [("", UNUSED_COLOR)] * num_tokens
        for b, (X, _) in enumerate(make(range(num_tokens), batch_size, num_steps, generator=g)):
            color = colors[b % len(colors)]
            for row in X.tolist():
                for pos in row:
                    cells[pos] = (str(b + 1), color)
        y = height - 2.2 - r * 2.6
        ax.text(-0.3, y + 0.5, title, ha="right", va="center", fontsize=10)
        _strip(ax, y, cells)
    ax.set_xlim(-6.5, num_tokens + 0.2)
    ax.text(
        num_tokens / 2,
        height - 0.4,
        f"批量大小 {batch_size}，时间步数 {num_steps}：格中数字为第几个小批量，灰色未被使用",
        ha="center",
        fontsize=9,
    )
    return ax


def draw_truncation(
    text: str = "alice was beginning to get very tired of sitting by her sister",
    num_steps: int = 6,
    seed: int = 0,
    ax: Axes | None = None,
) -> Axes:
    """同一段文字上的三种反向传播范围：随机截断、常规截断（每 ``num_steps`` 个字符）与完整计算。

    每一段颜色相同的字符是一次反向传播能到达的范围：梯度从段尾传回段首为止。随机截断的段长
    取自几何分布（平均 ``num_steps``），由 ``seed`` 决定。

    Examples
    --------
    >>> ax = draw_truncation("abcdefghij", num_steps=4)
    >>> [t.get_text() for t in ax.texts][-3:]
    ['随机截断', '常规截断', '完整计算']
    >>> plt.close("all")
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps 必须是正整数，收到 {num_steps!r}")
    n = len(text)
    g = torch.Generator().manual_seed(seed)
    # 随机截断：段长服从 P(长度 = k) = p(1-p)^(k-1)，均值 1/p = num_steps
    random_lengths = []
    while sum(random_lengths) < n:
        u = float(torch.rand((), generator=g))
        p = 1.0 / num_steps
        k = 1
        while u > p and k < 4 * num_steps:
            u = (u - p) / (1 - p)
            k += 1
        random_lengths.append(k)
    regular = [num_steps] * (n // num_steps + 1)
    schemes = [("随机截断", random_lengths), ("常规截断", regular), ("完整计算", [n])]
    palette = ("#9ecae1", "#fdd0a2")
    ax = _new_axes(ax, n + 5, 4.6, scale=0.3)
    titles = []
    for r, (title, lengths) in enumerate(schemes):
        y = 3.3 - r * 1.5
        cells, start = [], 0
        for s, length in enumerate(lengths):
            for i in range(start, min(start + length, n)):
                cells.append((text[i], palette[s % 2]))
            start += length
        _strip(ax, y, cells)
        titles.append((y, title))
    for y, title in titles:
        ax.text(-0.3, y + 0.5, title, ha="right", va="center", fontsize=10)
    ax.set_xlim(-5.5, n + 0.2)
    return ax


def draw_bptt_graph(num_steps: int = 3, ax: Axes | None = None) -> Axes:
    """三个时间步的循环神经网络的计算图：实线是数据的流向，虚线是参数的使用。

    反向传播沿实线逆向走：目标 :math:`L` 对 :math:`\\mathbf{W}_{hh}` 的梯度要把每个时间步上
    :math:`\\mathbf{W}_{hh}` 的贡献都加起来，而 :math:`\\mathbf{h}_t` 的梯度既来自
    :math:`\\mathbf{o}_t`，也来自 :math:`\\mathbf{h}_{t+1}`。

    Examples
    --------
    >>> ax = draw_bptt_graph(3)
    >>> sum(t.get_text().startswith("$\\\\mathbf{h}") for t in ax.texts)
    3
    >>> plt.close("all")
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or not 1 <= num_steps <= 6:
        raise ValueError(f"num_steps 必须是 1 到 6 之间的整数，收到 {num_steps!r}")
    dx = 2.4
    width, height = 2.1 + dx * (num_steps - 1), 6.4
    ax = _new_axes(ax, width, height, scale=0.6)
    y_x, y_h, y_o, y_l = 0.5, 2.3, 4.0, 5.6
    xs = [1.6 + dx * t for t in range(num_steps)]
    # 参数：W_xh 在下方左侧，W_hh 在隐状态一行左侧，W_hq 在输出一行左侧
    params = {
        "W_xh": (0.3, 1.3, "$\\mathbf{W}_{xh}$"),
        "W_hh": (0.3, 3.15, "$\\mathbf{W}_{hh}$"),
        "W_hq": (0.3, 4.9, "$\\mathbf{W}_{hq}$"),
    }
    for px, py, label in params.values():
        _box(ax, px, py, label, PARAM_COLOR, w=0.95, h=0.6)
    _box(ax, (xs[0] + xs[-1]) / 2, y_l + 0.25, "$L$", "#fcbba1", w=0.8, h=0.6)
    for t, x in enumerate(xs):
        _box(ax, x, y_x, f"$\\mathbf{{x}}_{t + 1}$", INPUT_COLOR, w=0.8, h=0.6)
        _box(ax, x, y_h, f"$\\mathbf{{h}}_{t + 1}$", HIDDEN_COLOR, w=0.8, h=0.6)
        _box(ax, x, y_o, f"$\\mathbf{{o}}_{t + 1}$", OUTPUT_COLOR, w=0.8, h=0.6)
        _arrow(ax, (x, y_x + 0.3), (x, y_h - 0.3))
        _arrow(ax, (x, y_h + 0.3), (x, y_o - 0.3))
        _arrow(ax, (x, y_o + 0.3), ((xs[0] + xs[-1]) / 2, y_l - 0.05))
        if t > 0:
            _arrow(ax, (xs[t - 1] + 0.4, y_h), (x - 0.4, y_h))
        # 参数的使用（虚线）
        _arrow(ax, (0.78, 1.3), (x - 0.3, y_h - 0.3), style="--", color="#756bb1")
        _arrow(ax, (0.78, 3.15), (x - 0.35, y_h + 0.2), style="--", color="#756bb1")
        _arrow(ax, (0.78, 4.9), (x - 0.35, y_o + 0.15), style="--", color="#756bb1")
    return ax
