"""优化算法一章的一维与二维优化轨迹，以及轨迹图。

第 10 章的每一节都做两类实验：

* 在一个简单的目标函数（:math:`x^2`、:math:`x_1^2 + 2x_2^2` ……）上从固定起点走若干步，
  把每一步的位置画在函数图像或等高线上（本模块的 :func:`trace_1d`、:func:`train_2d`、
  :func:`show_trace_1d`、:func:`show_trace_2d`）；
* 在真实数据上训练一个线性回归模型，比较不同优化器、批量大小下损失随轮数与时间的下降
  （:func:`dlbook.data.house_prices.load_house_regression`、
  :func:`dlbook.train.optimizer_comparison.train_optimizer`）。
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch

from dlbook.plotting.figures import plot, set_axes, use_book_style

__all__ = [
    "show_trace_1d",
    "show_trace_2d",
    "trace_1d",
    "train_2d",
    "trace_optimizer",
]


def _check_steps(num_steps: Any) -> None:
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 0:
        raise ValueError(f"num_steps 必须是非负整数，收到 {num_steps!r}")


def _as_float(value: Any) -> float:
    return float(value.item()) if isinstance(value, torch.Tensor) else float(value)


# ---------------------------------------------------------------------------
# 一维与二维的优化轨迹
# ---------------------------------------------------------------------------


def trace_1d(
    step: Callable[[float], float],
    x0: float = 10.0,
    num_steps: int = 10,
    *,
    verbose: bool = True,
) -> list[float]:
    r"""从 ``x0`` 出发反复执行一维的更新 ``x = step(x)``，返回包括起点在内的 ``num_steps + 1`` 个位置。

    梯度下降是 ``step = lambda x: x - lr * f_grad(x)``，牛顿法是
    ``step = lambda x: x - f_grad(x) / f_hess(x)``；同一个函数可以追踪任何一维的迭代。

    Parameters
    ----------
    step : callable
        一步更新：输入当前位置（浮点数），返回下一个位置。
    x0 : float
        起点。
    num_steps : int
        迭代步数（非负）。
    verbose : bool
        是否打印最后的位置，例如 ``epoch 10, x: 0.060466``。

    Returns
    -------
    list of float

    Examples
    --------
    在 :math:`f(x) = x^2` 上以学习率 0.2 做梯度下降，每步把 :math:`x` 乘以 :math:`1 - 2 \times 0.2`：

    >>> xs = trace_1d(lambda x: x - 0.2 * 2 * x, x0=10.0, num_steps=3)
    epoch 3, x: 2.160000
    >>> [round(x, 2) for x in xs]
    [10.0, 6.0, 3.6, 2.16]
    """
    if not callable(step):
        raise TypeError("step 必须是可调用对象 step(x) -> 新的 x")
    _check_steps(num_steps)
    x = _as_float(x0)
    results = [x]
    for _ in range(num_steps):
        x = _as_float(step(x))
        results.append(x)
    if verbose:
        print(f"epoch {num_steps}, x: {x:f}")
    return results


def train_2d(
    step: Callable[..., tuple[Any, Any, Any, Any]],
    x0: tuple[float, float] = (-5.0, -2.0),
    num_steps: int = 20,
    *,
    verbose: bool = True,
) -> list[tuple[float, float]]:
    r"""用一个二维的优化算法从 ``x0`` 出发走 ``num_steps`` 步，返回包括起点在内的各个位置。

    ``step(x1, x2, s1, s2)`` 返回新的 ``(x1, x2, s1, s2)``：``s1``、``s2`` 是算法自己的状态
    （动量法的速度、AdaGrad 的梯度平方累加……），从 0 开始；梯度下降不需要状态，原样返回即可。

    Parameters
    ----------
    step : callable
        一步更新 ``step(x1, x2, s1, s2) -> (x1, x2, s1, s2)``。
    x0 : (float, float)
        起点，默认 :math:`(-5, -2)`。
    num_steps : int
        步数（非负）。
    verbose : bool
        是否打印最后的位置，例如 ``epoch 20, x1: -0.057646, x2: -0.000073``。

    Returns
    -------
    list of (float, float)
        ``num_steps + 1`` 个点。

    Examples
    --------
    在 :math:`f(\mathbf{x}) = x_1^2 + 2x_2^2` 上以学习率 0.1 做梯度下降：

    >>> def gd_2d(x1, x2, s1, s2):
    ...     return x1 - 0.1 * 2 * x1, x2 - 0.1 * 4 * x2, s1, s2
    >>> points = train_2d(gd_2d, num_steps=2)
    epoch 2, x1: -3.200000, x2: -0.720000
    >>> len(points), points[1]
    (3, (-4.0, -1.2))
    """
    if not callable(step):
        raise TypeError("step 必须是可调用对象 step(x1, x2, s1, s2) -> (x1, x2, s1, s2)")
    _check_steps(num_steps)
    if len(x0) != 2:
        raise ValueError(f"x0 必须是两个数 (x1, x2)，收到 {x0!r}")
    x1, x2 = _as_float(x0[0]), _as_float(x0[1])
    s1 = s2 = 0.0
    results = [(x1, x2)]
    for _ in range(num_steps):
        out = step(x1, x2, s1, s2)
        if not isinstance(out, tuple) or len(out) != 4:
            raise TypeError("step 必须返回四元组 (x1, x2, s1, s2)")
        x1, x2, s1, s2 = out
        results.append((_as_float(x1), _as_float(x2)))
    if verbose:
        print(f"epoch {num_steps}, x1: {results[-1][0]:f}, x2: {results[-1][1]:f}")
    return results


def trace_optimizer(
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    x0: tuple[float, float] = (-5.0, -2.0),
    num_steps: int = 20,
) -> list[tuple[float, float]]:
    r"""用 ``make_optimizer([x])`` 构造的优化器（``torch.optim`` 的或本书从零实现的）最小化
    二维函数 ``f(x1, x2)``，梯度由自动微分求出；返回包括起点在内的 ``num_steps + 1`` 个位置，
    可以直接交给 :func:`show_trace_2d`。计算用 float64。

    Examples
    --------
    >>> f = lambda x1, x2: x1**2 + 2 * x2**2
    >>> points = trace_optimizer(f, lambda p: torch.optim.SGD(p, lr=0.1), num_steps=2)
    >>> [tuple(round(v, 6) for v in pt) for pt in points]
    [(-5.0, -2.0), (-4.0, -1.2), (-3.2, -0.72)]
    """
    _check_steps(num_steps)
    if len(x0) != 2:
        raise ValueError(f"x0 必须是两个数 (x1, x2)，收到 {x0!r}")
    x = torch.tensor([_as_float(v) for v in x0], dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([x])
    points = [tuple(x.tolist())]
    for _ in range(num_steps):
        optimizer.zero_grad()
        f(x[0], x[1]).backward()
        optimizer.step()
        points.append(tuple(x.tolist()))
    return points


def show_trace_1d(
    f: Callable[[torch.Tensor], torch.Tensor],
    results: Sequence[float],
    ax: plt.Axes | None = None,
    *,
    xlim: tuple[float, float] | None = None,
) -> plt.Axes:
    """画出函数 ``f`` 的图像与一维的优化轨迹 ``results`` （带圆点的折线）。

    Parameters
    ----------
    f : callable
        目标函数，作用在一维张量上（逐元素）。
    results : sequence of float
        :func:`trace_1d` 返回的位置。
    ax : matplotlib.axes.Axes, optional
        画在这个坐标系里（例如并排比较几个学习率）；默认新建一张图。
    xlim : (float, float), optional
        画函数的区间；默认是关于 0 对称、刚好包住整条轨迹的区间。

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = show_trace_1d(lambda x: x ** 2, [10.0, 6.0, 3.6])
    >>> [len(line.get_xdata()) for line in ax.get_lines()][1]
    3
    >>> bool(ax.get_xlim()[0] <= -10)
    True
    >>> plt.close("all")
    """
    if not callable(f):
        raise TypeError("f 必须是可调用对象 f(x)")
    xs = [_as_float(x) for x in results]
    if not xs:
        raise ValueError("results 不能为空")
    if xlim is None:
        n = max(abs(min(xs)), abs(max(xs)), 1e-3)
        xlim = (-n, n)
    grid = torch.linspace(xlim[0], xlim[1], 400, dtype=torch.float64)
    values = torch.as_tensor(f(torch.tensor(xs, dtype=torch.float64)))
    return plot(
        [grid, xs],
        [f(grid), values],
        xlabel="x",
        ylabel="f(x)",
        fmts=("-", "-o"),
        axes=ax,
    )


def show_trace_2d(
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    results: Sequence[tuple[float, float]],
    ax: plt.Axes | None = None,
    *,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> plt.Axes:
    """在函数 ``f(x1, x2)`` 的等高线图上画出二维的优化轨迹 ``results``。

    Parameters
    ----------
    f : callable
        目标函数 ``f(x1, x2)``，作用在两个同形状的张量上（逐元素）。
    results : sequence of (float, float)
        :func:`train_2d` 返回的点。
    ax : matplotlib.axes.Axes, optional
        画在这个坐标系里（例如 ``plt.subplots(1, 3)`` 并排比较几个学习率）；默认新建一张图。
    xlim, ylim : (float, float), optional
        等高线的范围；默认比轨迹的外接矩形四周各多出一些。轨迹发散时给出它们，只看原点附近。

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = show_trace_2d(lambda x1, x2: x1 ** 2 + 2 * x2 ** 2, [(-5.0, -2.0), (-4.0, -1.2)])
    >>> ax.get_xlabel(), len(ax.get_lines())
    ('x1', 1)
    >>> plt.close("all")
    """
    if not callable(f):
        raise TypeError("f 必须是可调用对象 f(x1, x2)")
    points = np.array([[_as_float(a), _as_float(b)] for a, b in results], dtype=float)
    if points.size == 0:
        raise ValueError("results 不能为空")
    limits = []
    for i, given in enumerate((xlim, ylim)):
        if given is None:
            lo, hi = float(points[:, i].min()), float(points[:, i].max())
            pad = max(0.5, 0.1 * (hi - lo))
            given = (lo - pad, hi + pad)
        limits.append(given)
    (x_lo, x_hi), (y_lo, y_hi) = limits
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(3.5, 2.5))
    g1, g2 = torch.meshgrid(
        torch.linspace(x_lo, x_hi, 200, dtype=torch.float64),
        torch.linspace(y_lo, y_hi, 200, dtype=torch.float64),
        indexing="xy",
    )
    z = np.asarray(torch.as_tensor(f(g1, g2)).detach().cpu().numpy())
    ax.contour(g1.numpy(), g2.numpy(), z, colors="#1f77b4", levels=12)
    ax.plot(points[:, 0], points[:, 1], "-o", color="#ff7f0e", markersize=3)
    set_axes(ax, "x1", "x2", xlim=(x_lo, x_hi), ylim=(y_lo, y_hi))
    return ax
