"""第 10 章 优化算法的练习检查器：动量法的一步、Adam 的一步。"""

from __future__ import annotations

from collections.abc import Callable

import torch

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _momentum_step_reference(
    x: torch.Tensor, v: torch.Tensor, grad: torch.Tensor, lr: float, beta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    v = beta * v + grad
    return x - lr * v, v


def check_momentum_step(fn: Callable[..., tuple], device: str | None = None) -> CheckResult:
    """检查 ``fn(x, v, grad, lr, beta)``：动量法的一步，返回 ``(新的 x, 新的 v)``，不原地修改输入。

    约定与本书相同：:math:`v \\leftarrow \\beta v + g`，:math:`x \\leftarrow x - \\eta v`
    （速度是梯度的“泄漏平均”之和，不乘 :math:`1-\\beta`）。

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
    >>> def momentum_step(x, v, grad, lr, beta):
    ...     raise NotImplementedError
    >>> check_momentum_step(momentum_step).status
    '尚未完成'
    """
    g = seeded(15)
    cases = [
        Case(
            "速度为零的第一步",
            (torch.tensor([1.0, -2.0]), torch.zeros(2), torch.tensor([0.5, 1.0]), 0.1, 0.9),
            hint="先更新速度 v ← βv + g，再用新的速度更新 x ← x − ηv；返回两个张量 (x, v)。",
        ),
        Case(
            "已有速度",
            (
                torch.randn(3, generator=g),
                torch.randn(3, generator=g),
                torch.randn(3, generator=g),
                0.05,
                0.5,
            ),
            hint="本书的约定里梯度不乘 (1 − β)：v ← βv + g。",
        ),
        Case(
            "β = 0（退化为梯度下降）",
            (
                torch.randn(2, 2, generator=g),
                torch.randn(2, 2, generator=g),
                torch.randn(2, 2, generator=g),
                0.2,
                0.0,
            ),
            hint="β = 0 时旧速度不起作用，这一步就是 x − ηg。",
        ),
    ]
    return check_function(fn, _momentum_step_reference, cases, name="momentum_step", device=device)


def _adam_step_reference(
    x: torch.Tensor,
    m: torch.Tensor,
    v: torch.Tensor,
    grad: torch.Tensor,
    t: int,
    lr: float = 0.01,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # 不调用 torch.optim.Adam：它第一次 step 要导入几秒钟
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / (torch.sqrt(v_hat) + eps), m, v


def check_adam_step(fn: Callable[..., tuple], device: str | None = None) -> CheckResult:
    """检查 ``fn(x, m, v, grad, t, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8)``：Adam 的第 ``t`` 步。

    返回 ``(新的 x, 新的 m, 新的 v)``；``t`` 从 1 数起，用于偏差修正：

    .. math::
        m \\leftarrow \\beta_1 m + (1-\\beta_1) g,\\quad
        v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2,\\\\
        \\hat m = m / (1-\\beta_1^t),\\quad \\hat v = v / (1-\\beta_2^t),\\quad
        x \\leftarrow x - \\eta \\hat m / (\\sqrt{\\hat v} + \\epsilon).

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
    >>> def adam_step(x, m, v, grad, t, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
    ...     raise NotImplementedError
    >>> check_adam_step(adam_step).status
    '尚未完成'
    """
    g = seeded(16)
    cases = [
        Case(
            "第 1 步",
            (
                torch.tensor([1.0, -1.0]),
                torch.zeros(2),
                torch.zeros(2),
                torch.tensor([0.2, -3.0]),
                1,
            ),
            hint="第 1 步的偏差修正把 m̂ 还原为 g、v̂ 还原为 g²，所以每个坐标都移动约 η：别漏了"
            "除以 1 − β₁ᵗ 与 1 − β₂ᵗ。",
        ),
        Case(
            "第 10 步、已有状态",
            (
                torch.randn(3, generator=g),
                torch.randn(3, generator=g) * 0.1,
                torch.rand(3, generator=g) * 0.01,
                torch.randn(3, generator=g),
                10,
            ),
            hint="t 是当前这一步的序号（从 1 数起），偏差修正用 βᵗ，不是 βᵗ⁻¹。",
        ),
        Case(
            "很小的梯度",
            (torch.ones(2), torch.zeros(2), torch.zeros(2), torch.tensor([1e-6, -1e-7]), 3),
            hint="ε 加在 √v̂ 之后：√v̂ + ε，而不是 √(v̂ + ε)。",
        ),
    ]
    return check_function(
        fn, _adam_step_reference, cases, name="adam_step", device=device, rtol=1e-5, atol=1e-7
    )
