"""第 2 章 线性神经网络的练习检查器：数值稳定的 log-softmax、由 logits 直接算交叉熵。"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _log_softmax_reference(X: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(X, dim=1)


def check_log_softmax(
    fn: Callable[[torch.Tensor], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(X)``：对形状 ``(n, q)`` 的 ``X`` 按行计算 :math:`\\log \\mathrm{softmax}`。

    要求数值稳定：输入中有 1000 或 −1000 这样的数时，结果也不能出现 ``inf`` 或 ``nan``。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> check_log_softmax(lambda X: torch.log_softmax(X, dim=1))
    【通过】log_softmax 在全部 4 组输入上都与参考一致。
    """
    g = seeded(2)
    cases = [
        Case(
            "2×5 的随机 logits",
            (torch.randn(2, 5, generator=g),),
            hint="每一行单独归一化：log softmax(x)_j = x_j − log Σ_k exp(x_k)，求和在 dim=1 上，"
            "并保持维度（keepdim=True）以便广播。",
        ),
        Case(
            "含很大的数",
            (torch.tensor([[1000.0, 0.0, -1.0], [1.0, 2.0, 3.0]]),),
            hint="exp(1000) 在 float32 中溢出为 inf。log-sum-exp 对每行减去同一个数结果不变："
            "先减去每行的最大值再取指数。",
        ),
        Case(
            "含很小的数",
            (torch.tensor([[-1000.0, 0.0], [-1000.0, -1001.0]]),),
            hint="先算 softmax 再取对数时，exp(−1000) 下溢为 0，log 0 = −inf："
            "直接在对数空间里算，不要对概率取对数。",
        ),
        Case(
            "只有一列", (torch.randn(3, 1, generator=g),), hint="只有一个类别时概率为 1，对数为 0。"
        ),
    ]
    return check_function(fn, _log_softmax_reference, cases, name="log_softmax", device=device)


def _cross_entropy_reference(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits, y, reduction="none")


def check_cross_entropy_from_logits(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(logits, y)``：返回每个样本的交叉熵损失，形状 ``(n,)``，不求平均。

    ``logits`` 形状 ``(n, q)`` 是未经 softmax 的输出，``y`` 形状 ``(n,)`` 是 ``long`` 类别下标。
    与 ``nn.CrossEntropyLoss(reduction="none")`` 一样，要求 logits 很大时也不溢出。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def cross_entropy_from_logits(logits, y):
    ...     raise NotImplementedError
    >>> check_cross_entropy_from_logits(cross_entropy_from_logits).passed
    False
    """
    g = seeded(3)
    cases = [
        Case(
            "4 个样本、3 个类别",
            (torch.randn(4, 3, generator=g), torch.tensor([0, 2, 1, 2])),
            hint="每个样本的损失是 −log softmax(logits)[i, y[i]]：用 logits[range(n), y] 取出正确类别的"
            "那一项；要返回每个样本的损失，不要求平均。",
        ),
        Case(
            "很大的 logits",
            (torch.tensor([[500.0, 0.0, -500.0], [0.0, 800.0, 1.0]]), torch.tensor([1, 1])),
            hint="交叉熵 = logsumexp(logits) − logits[y]；logsumexp 先减去每行最大值，否则 exp 溢出。",
        ),
        Case(
            "只有一个样本",
            (torch.randn(1, 5, generator=g), torch.tensor([4])),
            hint="n = 1 时结果的形状是 (1,)，不是标量。",
        ),
    ]
    return check_function(
        fn,
        _cross_entropy_reference,
        cases,
        name="cross_entropy_from_logits",
        device=device,
        rtol=1e-5,
        atol=1e-5,
    )
