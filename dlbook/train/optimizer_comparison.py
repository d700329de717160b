"""比较优化器的训练循环（第 10 章）。

* :func:`train_optimizer`：用给定的优化器训练线性回归，记录整个数据集上的损失怎样随训练的轮数与时间下降。
  数据是 :func:`dlbook.data.house_prices.load_house_regression`：D2L 的这些实验用 NASA 的翼型噪声数据
  （airfoil），本书不附带这份数据，改用第 3 章已经用过的 Kaggle 房价数据的数值特征，预测对数房价。
  这是一个凸问题，各种优化器最后停在差不多的地方，适合核对实现、不适合比较算法。
* :func:`compare_optimizers`：在非凸的分类问题上（例如 Fashion-MNIST 上的多层感知机）用同样的预算、
  同样的初值与数据顺序训练几种优化器，每个种子一组，返回每轮的训练记录，供页面比较与检查论断。
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from dlbook.data.loader import TensorBatches
from dlbook.plotting.liveplot import LivePlot
from dlbook.train.loop import evaluate_loss
from dlbook.train.trainer import _make_plot, _set_loader_epoch
from dlbook.utils.checks import check_positive
from dlbook.utils.seeding import init_generator

if TYPE_CHECKING:
    from dlbook.train.loop import History

__all__ = ["OptimizerHistory", "compare_optimizers", "train_optimizer"]


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
        小批量数据，例如 :func:`~dlbook.data.house_prices.load_house_regression` 的返回值；每轮遍历一次。
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
    >>> from dlbook.data.house_prices import load_house_regression
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


def compare_optimizers(
    optimizers: Mapping[str, Callable[[Iterable[nn.Parameter]], Any]],
    make_net: Callable[[torch.Generator], nn.Module],
    make_data: Callable[[int], tuple[Iterable[Any], Iterable[Any] | None]],
    num_epochs: int,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    loss: Callable[..., torch.Tensor] | None = None,
) -> dict[str, list[History]]:
    """用同样的预算比较几种优化器：每个种子一组，组内各优化器的初值与数据顺序完全相同。

    对每个种子 ``seed``：``make_data(seed)`` 给出 ``(train_iter, test_iter)`` （打乱顺序由种子决定），
    对每个优化器用 ``make_net(init_generator(seed))`` 建一个新模型（所以同一个种子下初值相同），
    再用 :func:`~dlbook.train.trainer.train_classifier` 训练 ``num_epochs`` 轮。

    Parameters
    ----------
    optimizers : mapping
        名字 → ``make_optimizer(params)``，例如 ``{"SGD": lambda p: torch.optim.SGD(p, lr=0.1)}``。
    make_net : callable
        ``make_net(generator)`` 返回模型（输出 logits）。
    make_data : callable
        ``make_data(seed)`` 返回 ``(train_iter, test_iter)``；``test_iter`` 可以为 ``None``。
    num_epochs : int
        每次训练的轮数。
    seeds : sequence of int
        种子，默认 ``(0, 1, 2)``。
    loss : callable, optional
        逐样本的损失，默认 ``nn.CrossEntropyLoss(reduction="none")``。

    Returns
    -------
    dict
        名字 → 每个种子一个 :class:`~dlbook.train.loop.History` 的列表（顺序同 ``seeds``）。

    Examples
    --------
    >>> from dlbook.data.synthetic import load_array, sparse_classification_data
    >>> X, y, _ = sparse_classification_data(200, 20, 5, seed=0)
    >>> runs = compare_optimizers(
    ...     {"SGD": lambda p: torch.optim.SGD(p, lr=0.1), "Adam": lambda p: torch.optim.Adam(p, lr=0.01)},
    ...     lambda g: nn.Linear(20, 2), lambda seed: (load_array((X, y), 20, seed=seed), None),
    ...     num_epochs=2, seeds=(0, 1))
    >>> sorted(runs), [len(h) for h in runs.values()], len(runs["SGD"][0].column("train_loss"))
    (['Adam', 'SGD'], [2, 2], 2)
    """
    from dlbook.train.trainer import train_classifier

    if not optimizers:
        raise ValueError("optimizers 不能为空：至少要有一个优化器")
    for name, make in optimizers.items():
        if not callable(make):
            raise TypeError(f"optimizers[{name!r}] 必须是可调用对象 make_optimizer(params)")
    if not callable(make_net) or not callable(make_data):
        raise TypeError("make_net 与 make_data 必须是可调用对象")
    check_positive("num_epochs", num_epochs)
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds 不能为空")
    loss = nn.CrossEntropyLoss(reduction="none") if loss is None else loss
    runs: dict[str, list[History]] = {name: [] for name in optimizers}
    for seed in seeds:
        train_iter, test_iter = make_data(seed)
        for name, make in optimizers.items():
            net = make_net(init_generator(seed))
            runs[name].append(
                train_classifier(
                    net,
                    train_iter,
                    test_iter,
                    num_epochs,
                    optimizer=make(net.parameters()),
                    loss=loss,
                    seed=seed,
                    plot=False,
                    verbose=False,
                )
            )
    return runs
