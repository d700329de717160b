"""从零实现的学习率调度器：每个调度器都是“第几轮（或第几次更新）→ 学习率”的函数。

* :class:`SquareRootScheduler`：:math:`\\eta_t = \\eta_0 / \\sqrt{t + 1}`；
* :class:`FactorScheduler`：每一步乘以一个因子，不低于下限 :math:`\\eta_t = \\max(\\eta_{\\min}, \\eta_0 \\alpha^t)`；
* :class:`MultiFactorScheduler`：到了指定的几轮各乘一次因子（分段常数）；
* :class:`CosineScheduler`：先线性预热，再按余弦曲线从 :math:`\\eta_0` 降到 :math:`\\eta_T`。

它们都没有内部状态：``scheduler(t)`` 只取决于 ``t``，可以画图、可以从中途继续训练。
:func:`dlbook.train.trainer.train_classifier` 的 ``scheduler`` 参数接受它们，在第 ``t`` 轮（从 0 数起）
开始时把优化器的学习率设为 ``scheduler(t)``；:func:`to_torch_scheduler` 把它们包装成
PyTorch 的 ``LambdaLR``。
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from dlbook.utils.checks import check_positive_number

__all__ = [
    "CosineScheduler",
    "FactorScheduler",
    "MultiFactorScheduler",
    "SquareRootScheduler",
    "to_torch_scheduler",
]


def _check_step(t: object) -> int:
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise ValueError(f"轮数（更新次数）必须是非负整数，收到 {t!r}")
    return t


class SquareRootScheduler:
    r"""平方根衰减：:math:`\eta_t = \eta_0 (t + 1)^{-1/2}`。

    Examples
    --------
    >>> s = SquareRootScheduler(base_lr=0.1)
    >>> [round(s(t), 4) for t in (0, 3, 99)]
    [0.1, 0.05, 0.01]
    """

    def __init__(self, base_lr: float = 0.1) -> None:
        self.base_lr = check_positive_number("base_lr", base_lr)

    def __call__(self, t: int) -> float:
        return self.base_lr * (_check_step(t) + 1) ** -0.5

    def __repr__(self) -> str:
        return f"SquareRootScheduler(base_lr={self.base_lr})"


class FactorScheduler:
    r"""按因子衰减，不低于下限：:math:`\eta_t = \max(\eta_{\min}, \eta_0 \alpha^t)`。

    Parameters
    ----------
    factor : float
        每一步乘上的因子 :math:`\alpha \in (0, 1]`。
    base_lr : float
        初始学习率 :math:`\eta_0`。
    min_lr : float
        学习率的下限 :math:`\eta_{\min}`，不能为负。

    Examples
    --------
    >>> s = FactorScheduler(factor=0.5, base_lr=2.0, min_lr=0.3)
    >>> [s(t) for t in range(5)]
    [2.0, 1.0, 0.5, 0.3, 0.3]
    """

    def __init__(self, factor: float = 0.9, base_lr: float = 0.1, min_lr: float = 1e-7) -> None:
        self.factor = check_positive_number("factor", factor)
        if self.factor > 1:
            raise ValueError(f"factor 必须在 (0, 1] 内，收到 {factor!r}")
        self.base_lr = check_positive_number("base_lr", base_lr)
        self.min_lr = check_positive_number("min_lr", min_lr, allow_zero=True)

    def __call__(self, t: int) -> float:
        return max(self.min_lr, self.base_lr * self.factor ** _check_step(t))

    def __repr__(self) -> str:
        return (
            f"FactorScheduler(factor={self.factor}, base_lr={self.base_lr}, min_lr={self.min_lr})"
        )


class MultiFactorScheduler:
    r"""分段常数：每到 ``milestones`` 中的一轮，学习率乘以 ``factor``。

    :math:`\eta_t = \eta_0 \alpha^{k(t)}`，:math:`k(t)` 是不超过 :math:`t` 的里程碑个数。

    Examples
    --------
    >>> s = MultiFactorScheduler(milestones=[2, 4], factor=0.5, base_lr=1.0)
    >>> [s(t) for t in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self, milestones: Sequence[int], factor: float = 0.5, base_lr: float = 0.1
    ) -> None:
        milestones = list(milestones)
        for m in milestones:
            _check_step(m)
        if milestones != sorted(set(milestones)):
            raise ValueError(f"milestones 必须严格递增，收到 {milestones!r}")
        self.milestones = milestones
        self.factor = check_positive_number("factor", factor)
        self.base_lr = check_positive_number("base_lr", base_lr)

    def __call__(self, t: int) -> float:
        t = _check_step(t)
        passed = sum(1 for m in self.milestones if m <= t)
        return self.base_lr * self.factor**passed

    def __repr__(self) -> str:
        return (
            f"MultiFactorScheduler(milestones={self.milestones}, factor={self.factor}, "
            f"base_lr={self.base_lr})"
        )


class CosineScheduler:
    r"""带线性预热的余弦调度。

    前 ``warmup_steps`` 步从 ``warmup_begin_lr`` 线性升到 ``base_lr``；之后到第 ``max_update`` 步，

    .. math:: \eta_t = \eta_T + \frac{\eta_0 - \eta_T}{2}
              \left(1 + \cos\left(\pi \frac{t - w}{T - w}\right)\right),

    其中 :math:`w` 是预热步数、:math:`T` 是 ``max_update``；再往后保持 :math:`\eta_T` （``final_lr``）。

    Examples
    --------
    >>> s = CosineScheduler(max_update=10, base_lr=1.0, final_lr=0.0)
    >>> s(0), s(5), s(10), s(20)
    (1.0, 0.5, 0.0, 0.0)
    >>> w = CosineScheduler(max_update=10, base_lr=1.0, warmup_steps=4)
    >>> [w(t) for t in range(5)]
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """

    def __init__(
        self,
        max_update: int,
        base_lr: float = 0.01,
        final_lr: float = 0.0,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0.0,
    ) -> None:
        if isinstance(max_update, bool) or not isinstance(max_update, int) or max_update < 1:
            raise ValueError(f"max_update 必须是正整数，收到 {max_update!r}")
        _check_step(warmup_steps)
        if warmup_steps >= max_update:
            raise ValueError(
                f"warmup_steps 必须小于 max_update，收到 {warmup_steps} 与 {max_update}"
            )
        self.max_update = max_update
        self.base_lr = check_positive_number("base_lr", base_lr)
        self.final_lr = check_positive_number("final_lr", final_lr, allow_zero=True)
        if self.final_lr > self.base_lr:
            raise ValueError(f"final_lr 不能大于 base_lr，收到 {final_lr} 与 {base_lr}")
        self.warmup_steps = warmup_steps
        self.warmup_begin_lr = check_positive_number(
            "warmup_begin_lr", warmup_begin_lr, allow_zero=True
        )

    def __call__(self, t: int) -> float:
        t = _check_step(t)
        if t < self.warmup_steps:
            frac = t / self.warmup_steps
            return self.warmup_begin_lr + (self.base_lr - self.warmup_begin_lr) * frac
        if t >= self.max_update:
            return self.final_lr
        progress = (t - self.warmup_steps) / (self.max_update - self.warmup_steps)
        return (
            self.final_lr + (self.base_lr - self.final_lr) * (1 + math.cos(math.pi * progress)) / 2
        )

    def __repr__(self) -> str:
        return (
            f"CosineScheduler(max_update={self.max_update}, base_lr={self.base_lr}, "
            f"final_lr={self.final_lr}, warmup_steps={self.warmup_steps}, "
            f"warmup_begin_lr={self.warmup_begin_lr})"
        )


def to_torch_scheduler(
    scheduler: SquareRootScheduler | FactorScheduler | MultiFactorScheduler | CosineScheduler,
    optimizer: torch.optim.Optimizer,
) -> torch.optim.lr_scheduler.LambdaLR:
    """把本模块的调度器包装成 PyTorch 的 ``LambdaLR``：第 ``t`` 次 ``step()`` 之后学习率为 ``scheduler(t)``。

    ``LambdaLR`` 把优化器的学习率设为“初始学习率 × 函数值”，所以函数取 ``scheduler(t) / 初始学习率``；
    优化器的初始学习率必须大于 0。

    Examples
    --------
    >>> net = torch.nn.Linear(2, 1)
    >>> opt = torch.optim.SGD(net.parameters(), lr=0.5)
    >>> sched = to_torch_scheduler(FactorScheduler(factor=0.5, base_lr=1.0, min_lr=0.0), opt)
    >>> lrs = []
    >>> for _ in range(3):
    ...     lrs.append(opt.param_groups[0]["lr"])
    ...     opt.step(); sched.step()
    >>> lrs
    [1.0, 0.5, 0.25]
    """
    if not callable(scheduler):
        raise TypeError("scheduler 必须是可调用对象 scheduler(t) -> 学习率")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer 必须是 torch.optim.Optimizer，收到 {type(optimizer).__name__}")
    initial = [group["lr"] for group in optimizer.param_groups]
    if any(lr <= 0 for lr in initial):
        raise ValueError("优化器的初始学习率必须大于 0")
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, [lambda t, lr0=lr0: scheduler(t) / lr0 for lr0 in initial]
    )
