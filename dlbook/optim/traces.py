"""优化算法一章共用的工具：一维与二维的优化轨迹、轨迹图，以及在房价数据上比较优化器的训练循环。

第 10 章的每一节都做两类实验：

* 在一个简单的目标函数（:math:`x^2`、:math:`x_1^2 + 2x_2^2` ……）上从固定起点走若干步，
  把每一步的位置画在函数图像或等高线上（:func:`trace_1d`、:func:`train_2d`、
  :func:`show_trace_1d`、:func:`show_trace_2d`）；
* 在真实数据上训练一个线性回归模型，比较不同优化器、批量大小下损失随轮数与时间的下降
  （:func:`load_house_regression`、:func:`train_optimizer`）。

D2L 的这些实验用 NASA 的翼型噪声数据（airfoil）；本书不附带这份数据，改用第 3 章已经用过的
Kaggle 房价数据的数值特征，预测对数房价（见 :func:`load_house_regression`）。
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch

from dlbook.data.loader import TensorBatches
from dlbook.plotting.liveplot import LivePlot
from dlbook.utils.checks import check_positive, check_positive_number
from dlbook.plotting.figures import plot, set_axes, use_book_style
from dlbook.utils.seeding import init_generator
from dlbook.train.loop import _make_plot, _set_loader_epoch, evaluate_loss

__all__ = [
    "OptimizerHistory",
    "load_house_regression",
    "show_trace_1d",
    "show_trace_2d",
    "trace_1d",
    "train_2d",
    "trace_optimizer",
    "train_optimizer",
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


# ---------------------------------------------------------------------------
# 真实数据：房价回归
# ---------------------------------------------------------------------------

#: 房价训练集的样本数。
HOUSE_NUM_EXAMPLES = 1460


@functools.cache
def _house_regression_tensors(clip: float | None) -> tuple[torch.Tensor, torch.Tensor]:
    from dlbook.data import load_house_prices

    train_df, _ = load_house_prices()
    numeric = train_df.drop(columns=["Id", "SalePrice"]).select_dtypes(include="number")
    numeric = (numeric - numeric.mean()) / numeric.std()
    numeric = numeric.fillna(0)
    if clip is not None:
        numeric = numeric.clip(-clip, clip)
    features = torch.tensor(numeric.to_numpy(dtype="float32"))
    log_price = np.log(train_df["SalePrice"].to_numpy(dtype="float64"))
    log_price = (log_price - log_price.mean()) / log_price.std(ddof=1)
    labels = torch.tensor(log_price, dtype=torch.float32).reshape(-1, 1)
    return features, labels


def load_house_regression(
    batch_size: int,
    num_examples: int = HOUSE_NUM_EXAMPLES,
    *,
    clip: float | None = 3.0,
    seed: int = 0,
) -> tuple[TensorBatches, int]:
    r"""比较优化算法用的回归数据：Kaggle 房价训练集的数值特征与标准化的对数房价。

    取训练集前 ``num_examples`` 行的 36 个数值列（不含 ``Id`` 与标签），每列做 Z-score 标准化、
    缺失值填 0、再截断到 :math:`[-3, 3]` （少数极端样本的特征可达 30 个标准差，批量很小的
    随机梯度下降遇到它们时损失会突然跳高）；标签是 :math:`\log(\text{SalePrice})` 标准化之后的值（均值 0、方差 1），
    所以什么也不学、总预测 0 的模型的平方损失（除以 2）约为 0.5。

    Parameters
    ----------
    batch_size : int
        批量大小；等于 ``num_examples`` 时每轮只有一个批次（梯度下降）。
    num_examples : int
        使用的样本数，最多 1460（训练集的全部行）。
    clip : float or None
        标准化之后把特征截断到 ``[-clip, clip]``；``None`` 表示不截断。
    seed : int
        打乱的种子：第 ``e`` 轮的顺序由 ``(seed, e)`` 决定，每轮重新打乱。

    Returns
    -------
    data_iter : dlbook.data.TensorBatches
        每轮重新打乱的小批量 ``(X, y)``，``y`` 的形状为 ``(批量大小, 1)``。
    feature_dim : int
        特征个数。

    Examples
    --------
    >>> data_iter, feature_dim = load_house_regression(batch_size=10, num_examples=1000)
    >>> feature_dim, len(data_iter), data_iter.num_examples
    (36, 100, 1000)
    >>> X, y = next(iter(data_iter))
    >>> X.shape, y.shape
    (torch.Size([10, 36]), torch.Size([10, 1]))
    """
    check_positive("batch_size", batch_size)
    check_positive("num_examples", num_examples)
    if num_examples > HOUSE_NUM_EXAMPLES:
        raise ValueError(
            f"num_examples 最多为 {HOUSE_NUM_EXAMPLES}（训练集的行数），收到 {num_examples}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
    if clip is not None:
        clip = check_positive_number("clip", clip)
    features, labels = _house_regression_tensors(clip)
    data_iter = TensorBatches(
        (features[:num_examples], labels[:num_examples]), batch_size, shuffle=True, seed=seed
    )
    return data_iter, features.shape[1]


# ---------------------------------------------------------------------------
# 比较优化器的训练循环
# ---------------------------------------------------------------------------


@dataclass
class OptimizerHistory:
    """:func:`train_optimizer` 的记录：每隔约 200 个样本在整个数据集上算一次的平均损失。

    Attributes
    ----------
    epochs : list of float
        记录时已经训练的轮数（可以是小数，例如 0.27 轮）；第一项是训练前的 0。
    losses : list of float
        对应时刻整个数据集上的平均平方损失（除以 2）。
    seconds : list of float
        对应时刻累计的训练秒数（不含计算这些损失与画图的时间）。

    Examples
    --------
    >>> h = OptimizerHistory([0.0, 0.5, 1.0], [0.5, 0.3, 0.25], [0.0, 0.1, 0.2])
    >>> h.final_loss, h.sec_per_epoch
    (0.25, 0.2)
    """

    epochs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def final_loss(self) -> float:
        """最后一次记录的损失。"""
        if not self.losses:
            raise IndexError("还没有任何记录")
        return self.losses[-1]

    @property
    def sec_per_epoch(self) -> float:
        """平均每轮的训练秒数。"""
        if not self.epochs or self.epochs[-1] == 0:
            return 0.0
        return self.seconds[-1] / self.epochs[-1]


def _num_examples(data_iter: Iterable[Any]) -> int:
    n = getattr(data_iter, "num_examples", None)
    if isinstance(n, int):
        return n
    return sum(int(y.shape[0]) for _, y in data_iter)


def train_optimizer(
    make_optimizer: Callable[[Iterable[torch.nn.Parameter]], Any],
    data_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
    feature_dim: int,
    num_epochs: int = 2,
    *,
    seed: int = 0,
    eval_every: int = 200,
    plot: bool | LivePlot = True,
    ylim: tuple[float, float] | None = None,
    verbose: bool = True,
) -> OptimizerHistory:
    r"""用 ``make_optimizer`` 构造的优化器训练线性回归，记录整个数据集上的损失怎样随训练下降。

    模型是 ``nn.Linear(feature_dim, 1)``，权重取自 :math:`N(0, 0.01^2)`、偏置为 0
    （:func:`dlbook.models.linear.linear_regression`，由 ``seed`` 决定）；每一步对小批量的平方损失
    :math:`\frac{1}{2}(\hat{y} - y)^2` 的平均值反向传播，再调用优化器的 ``step()``。
    每训练约 ``eval_every`` 个样本（以及训练前）在整个数据集上算一次平均损失，横轴是已训练的轮数。

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(params)`` 返回优化器，例如 ``lambda p: torch.optim.SGD(p, lr=0.05)``；
        它需要有 ``zero_grad()`` 与 ``step()`` 两个方法（``torch.optim.Optimizer`` 都有）。
    data_iter : iterable of (X, y)
        小批量数据，例如 :func:`load_house_regression` 的返回值；每轮遍历一次。
    feature_dim : int
        特征个数。
    num_epochs : int
        训练轮数。
    seed : int
        初始化的种子（:func:`dlbook.utils.seeding.init_generator`）；数据的打乱由 ``data_iter`` 自己决定。
    eval_every : int
        每训练这么多个样本记录一次损失（一步跨过几个记录点时只记一次）。
    plot : bool or LivePlot
        是否画损失曲线（也可以传入自己的 :class:`~dlbook.plotting.liveplot.LivePlot`）。
    ylim : (float, float), optional
        损失曲线的纵轴范围。
    verbose : bool
        结束时是否打印最终损失与每轮秒数。

    Returns
    -------
    OptimizerHistory

    Examples
    --------
    >>> data_iter, d = load_house_regression(batch_size=100, num_examples=1000)
    >>> h = train_optimizer(lambda p: torch.optim.SGD(p, lr=0.05), data_iter, d, 2, plot=False)
    loss: ..., ... sec/epoch
    >>> h.epochs[:3], h.losses[0] > h.final_loss
    ([0.0, 0.2, 0.4], True)
    """
    from dlbook.models.linear import linear_regression
    from dlbook.ops.basic import squared_loss

    if not callable(make_optimizer):
        raise TypeError("make_optimizer 必须是可调用对象 make_optimizer(params) -> 优化器")
    check_positive("feature_dim", feature_dim)
    check_positive("num_epochs", num_epochs)
    check_positive("eval_every", eval_every)
    if data_iter is None or not isinstance(data_iter, Iterable):
        raise TypeError(
            f"data_iter 必须是可迭代的 (X, y) 批次序列，收到 {type(data_iter).__name__}"
        )
    net = linear_regression(feature_dim, sigma=0.01, generator=init_generator(seed))
    optimizer = make_optimizer(net.parameters())
    if not all(callable(getattr(optimizer, m, None)) for m in ("step", "zero_grad")):
        raise TypeError("make_optimizer 必须返回有 zero_grad() 与 step() 方法的优化器")
    per_epoch = _num_examples(data_iter)
    if per_epoch == 0:
        raise ValueError("data_iter 为空：至少需要一个批次")
    # 损失在整个数据集上算：数据本来就是内存里的张量时一次算完，不逐批遍历（也不打乱它的轮次）
    eval_data = [data_iter.tensors] if isinstance(data_iter, TensorBatches) else data_iter
    history = OptimizerHistory()
    live = _make_plot(plot, xlabel="epoch", ylabel="loss", xlim=(0, num_epochs), ylim=ylim)

    def record(n: int, seconds: float) -> None:
        loss = evaluate_loss(net, eval_data, squared_loss)
        history.epochs.append(n / per_epoch)
        history.losses.append(loss)
        history.seconds.append(seconds)
        if live is not None:
            live.add(n / per_epoch, loss)

    record(0, 0.0)
    n, seconds = 0, 0.0
    try:
        for epoch in range(num_epochs):
            _set_loader_epoch(data_iter, epoch)  # 第 epoch 轮的顺序只由 (seed, epoch) 决定
            start = time.perf_counter()
            for X, y in data_iter:
                optimizer.zero_grad()
                loss = squared_loss(net(X), y).mean()
                loss.backward()
                optimizer.step()
                before, n = n, n + y.shape[0]
                if n // eval_every > before // eval_every or n == per_epoch * num_epochs:
                    seconds += time.perf_counter() - start
                    record(n, seconds)
                    start = time.perf_counter()
            seconds += time.perf_counter() - start
    finally:
        if live is not None:
            live.finish()
    if not math.isfinite(history.final_loss) and verbose:
        print("损失发散了（不是有限数）：学习率可能太大")
    if verbose:
        print(f"loss: {history.final_loss:.3f}, {seconds / num_epochs:.3g} sec/epoch")
    return history
