"""微积分的图：二元函数的等高线与梯度箭头（梯度由自动微分求出）。"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes

from dlbook.ops.calculus import value_and_grad_2d
from dlbook.plotting.figures import use_book_style

__all__ = ["draw_gradient_field"]


def draw_gradient_field(
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-2.0, 2.0),
    *,
    levels: int | Sequence[float] = 10,
    num_arrows: int = 11,
    resolution: int = 200,
    normalize: bool = True,
    points: Sequence[tuple[float, float]] = (),
    ax: Axes | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (4.0, 4.0),
) -> Axes:
    """画二元函数 ``f(x1, x2)`` 的等高线，并在网格点上画出梯度箭头。

    梯度 ``∇f = (∂f/∂x1, ∂f/∂x2)`` 由 :func:`dlbook.value_and_grad_2d` 用自动微分求出。
    坐标轴等比例、箭头按数据坐标绘制，所以图上看到的角度就是真实角度：每个箭头都与经过
    该点的等高线垂直，并指向函数值增大最快的方向。``points`` 中的每个点额外画一个粗箭头和
    一小段等高线切线（虚线），便于直接看出二者正交。

    Parameters
    ----------
    f : callable
        逐元素计算的二元函数，接受两个同形状的张量。
    xlim, ylim : tuple of float
        横轴 ``x1`` 与纵轴 ``x2`` 的范围。
    levels : int or sequence of float
        等高线的条数，或具体的等高线取值。
    num_arrows : int
        每个方向上画箭头的网格点数。
    resolution : int
        计算等高线所用网格的每边点数。
    normalize : bool
        为 ``True`` 时所有箭头画成同样长度，只表示方向；否则长度正比于梯度的大小。
    points : sequence of (float, float)
        需要重点标出梯度与切线的点。
    ax : matplotlib.axes.Axes, optional
        画在哪个坐标系里；默认新建一张图。
    title : str, optional
        标题。
    figsize : tuple of float
        新建图时的尺寸（英寸）。

    Returns
    -------
    matplotlib.axes.Axes
        画好的坐标系。

    Examples
    --------
    >>> ax = draw_gradient_field(lambda x1, x2: x1**2 + 2 * x2**2, num_arrows=5, points=[(1, 1)])
    >>> len(ax.collections) >= 2  # 等高线与箭头
    True
    >>> ax.get_xlabel()
    '$x_1$'
    >>> plt.close("all")
    """
    if num_arrows < 2 or resolution < 2:
        raise ValueError(f"num_arrows 与 resolution 至少为 2，收到 {num_arrows} 与 {resolution}")
    if xlim[0] >= xlim[1] or ylim[0] >= ylim[1]:
        raise ValueError(f"xlim 与 ylim 必须是 (最小值, 最大值)，收到 {xlim} 与 {ylim}")
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)

    grid1, grid2 = torch.meshgrid(
        torch.linspace(*xlim, resolution, dtype=torch.float64),
        torch.linspace(*ylim, resolution, dtype=torch.float64),
        indexing="xy",
    )
    values, _, _ = value_and_grad_2d(f, grid1, grid2)
    contours = ax.contour(
        grid1.numpy(),
        grid2.numpy(),
        values.numpy(),
        levels=levels,
        cmap="viridis",
        linewidths=1.0,
    )
    ax.clabel(contours, inline=True, fontsize=7, fmt="%.2g")

    a1, a2 = torch.meshgrid(
        torch.linspace(*xlim, num_arrows, dtype=torch.float64),
        torch.linspace(*ylim, num_arrows, dtype=torch.float64),
        indexing="xy",
    )
    _, g1, g2 = value_and_grad_2d(f, a1, a2)
    spacing = min((xlim[1] - xlim[0]), (ylim[1] - ylim[0])) / (num_arrows - 1)
    norm = torch.sqrt(g1**2 + g2**2)
    if normalize:
        scale = 0.7 * spacing / norm.clamp_min(1e-12)
    else:
        scale = torch.full_like(norm, 0.9 * spacing / float(norm.max().clamp_min(1e-12)))
    u, v = (g1 * scale).numpy(), (g2 * scale).numpy()
    ax.quiver(
        a1.numpy(),
        a2.numpy(),
        u,
        v,
        angles="xy",
        scale_units="xy",
        scale=1,
        color="tab:red",
        width=0.004,
        alpha=0.85,
    )

    if points:
        p1 = torch.tensor([float(p[0]) for p in points], dtype=torch.float64)
        p2 = torch.tensor([float(p[1]) for p in points], dtype=torch.float64)
        _, h1, h2 = value_and_grad_2d(f, p1, p2)
        length = torch.sqrt(h1**2 + h2**2).clamp_min(1e-12)
        d1, d2 = (h1 / length).numpy(), (h2 / length).numpy()
        reach = 1.5 * spacing
        for x, y, e1, e2 in zip(p1.numpy(), p2.numpy(), d1, d2):
            ax.annotate(
                "",
                xy=(x + reach * e1, y + reach * e2),
                xytext=(x, y),
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.8},
            )
            ax.plot(
                [x - reach * e2, x + reach * e2],
                [y + reach * e1, y - reach * e1],
                "k--",
                linewidth=1.2,
            )
            ax.plot([x], [y], "ko", markersize=4)

    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title if title is not None else "等高线与梯度方向", fontsize=10)
    return ax
