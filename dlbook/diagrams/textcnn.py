"""第 14 章的示意图：textCNN 怎样处理一个句子（词向量 → 一维卷积 → 时间上的最大池化 → 拼接）。

图中每个格子的颜色是真实算出来的数：词向量与核用给定的种子抽取，卷积用
:func:`~dlbook.ops.conv.corr1d_multi_in`，池化用 :func:`~dlbook.ops.conv.max_over_time_pool`。
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle

from dlbook.ops.conv import corr1d_multi_in, max_over_time_pool
from dlbook.plotting.figures import use_book_style

__all__ = ["draw_textcnn"]

#: 每种宽度的核的颜色（卷积输出的边框与池化结果的边框都用它）。
KERNEL_COLORS = ("#3182bd", "#e6550d", "#31a354", "#756bb1")


def _cells(ax: Axes, values: torch.Tensor, x: float, y: float, edge: str, cmap: str) -> None:
    """把二维的 ``values`` 画成一格一格的色块，左上角在 ``(x, y)``，数值越大颜色越深。"""
    lo, hi = values.min().item(), values.max().item()
    scale = hi - lo if hi > lo else 1.0
    colors = plt.get_cmap(cmap)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            shade = 0.15 + 0.7 * (values[i, j].item() - lo) / scale
            ax.add_patch(
                Rectangle((x + j, y - i - 1), 1, 1, facecolor=colors(shade), edgecolor=edge, lw=0.8)
            )


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, color="#555555"))


def draw_textcnn(
    tokens: Sequence[str] = ("this", "movie", "is", "so", "great", "!"),
    embed_size: int = 5,
    kernel_sizes: Sequence[int] = (2, 4),
    channels_per_kernel: int = 2,
    seed: int = 0,
    ax: Axes | None = None,
) -> Axes:
    """画 textCNN 的一次前向计算（D2L 的 textCNN 示意图的做法）。

    从左到右：句子的词向量排成 ``embed_size × 句长`` 的矩阵（每列一个词元，每行一个通道）；每种宽度的
    ``channels_per_kernel`` 个核各得到一行长 ``句长 - 宽度 + 1`` 的输出（ReLU 之前）；每行取最大值
    （加粗的格子）；最大值拼成一个向量，交给全连接层。

    Returns
    -------
    Axes
        画好的坐标轴；每行卷积输出的最大值在 ``ax.dlbook_pooled`` 里（与图中加粗的格子一致）。

    Examples
    --------
    >>> ax = draw_textcnn()
    >>> ax.dlbook_pooled.shape  # 两种宽度 × 每种 2 个通道
    torch.Size([4])
    >>> [t.get_text() for t in ax.texts][:3]
    ['this', 'movie', 'is']
    >>> plt.close("all")
    """
    n = len(tokens)
    if n < max(kernel_sizes):
        raise ValueError(f"句子至少要有 {max(kernel_sizes)} 个词元（最宽的核），收到 {n} 个")
    if len(kernel_sizes) > len(KERNEL_COLORS):
        raise ValueError(f"最多画 {len(KERNEL_COLORS)} 种宽度的核")
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(embed_size, n, generator=g)  # (通道, 时间步)
    rows = []  # (颜色, 宽度, 输出)
    for color, k in zip(KERNEL_COLORS, kernel_sizes):
        for _ in range(channels_per_kernel):
            K = torch.randn(embed_size, k, generator=g)
            rows.append((color, k, corr1d_multi_in(X, K)))
    pooled = max_over_time_pool(
        torch.stack(
            [torch.nn.functional.pad(r, (0, n - len(r)), value=float("-inf")) for _, _, r in rows]
        )
    )
    use_book_style()
    height = max(embed_size, len(rows) * 1.5) + 2.5
    width = n + 2 * n + 9
    if ax is None:
        _, ax = plt.subplots(figsize=(0.42 * width, 0.42 * height))
    ax.axis("off")
    ax.set_aspect("equal")
    # 词向量矩阵
    _cells(ax, X, 0, 0, "#636363", "Greys")
    for j, token in enumerate(tokens):
        ax.text(j + 0.5, -embed_size - 0.3, token, ha="center", va="top", fontsize=9, rotation=30)
    ax.text(n / 2, 0.3, "词向量（通道 × 时间步）", ha="center", va="bottom", fontsize=10)
    # 卷积输出，每行一个输出通道；最大值加粗
    x_conv = n + 3
    ax.text(x_conv + n / 2, 0.3, "一维卷积的输出", ha="center", va="bottom", fontsize=10)
    x_pool = x_conv + n + 2.5
    for r, (color, k, out) in enumerate(rows):
        y = -r * 1.5
        _cells(ax, out[None], x_conv, y, color, "Greys")
        best = int(out.argmax())
        ax.add_patch(Rectangle((x_conv + best, y - 1), 1, 1, fill=False, edgecolor=color, lw=2.5))
        ax.text(x_conv - 0.2, y - 0.5, f"宽 {k}", ha="right", va="center", fontsize=8, color=color)
        _arrow(ax, (x_conv + len(out) + 0.1, y - 0.5), (x_pool - 0.1, -r - 0.5))
        ax.add_patch(Rectangle((x_pool, -r - 1), 1, 1, facecolor="white", edgecolor=color, lw=2))
    _arrow(ax, (n + 0.3, -embed_size / 2), (x_conv - 1.4, -embed_size / 2))
    ax.text(x_pool + 0.5, 0.3, "最大池化\n后拼接", ha="center", va="bottom", fontsize=10)
    # 全连接层与两个类别
    x_out = x_pool + 4
    mid = -len(rows) / 2
    _arrow(ax, (x_pool + 1.2, mid), (x_out - 0.1, mid))
    ax.text((x_pool + 1 + x_out) / 2, mid + 0.3, "全连接", ha="center", va="bottom", fontsize=9)
    for c in range(2):
        ax.add_patch(
            Rectangle((x_out, mid + 1 - c - 1), 1, 1, facecolor="#fee6ce", edgecolor="#636363")
        )
    ax.text(x_out + 1.3, mid, "2 类", ha="left", va="center", fontsize=10)
    ax.set_xlim(-0.5, x_out + 3.5)
    ax.set_ylim(-height + 0.5, 2)
    ax.dlbook_pooled = pooled
    return ax
