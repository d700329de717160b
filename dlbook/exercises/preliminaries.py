"""第 1 章 预备知识的练习检查器：广播求两两距离、中心差分求数值梯度。"""

from __future__ import annotations

from collections.abc import Callable

import torch

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _pairwise_sq_dists_reference(X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    # 展开 ‖x − y‖² = ‖x‖² − 2 xᵀy + ‖y‖²（torch.cdist 第一次调用要几秒）
    return (X * X).sum(1)[:, None] - 2 * X @ Y.T + (Y * Y).sum(1)[None, :]


def check_pairwise_sq_dists(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(X, Y)``：返回形状 ``(n, m)`` 的矩阵，第 ``(i, j)`` 个元素是 ``‖X[i] − Y[j]‖²``。

    ``X`` 形状 ``(n, d)``，``Y`` 形状 ``(m, d)``；要求用广播一次算出，不写 Python 循环。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult
        “通过”“尚未完成”或“未通过”，附第一处不一致与提示。

    Examples
    --------
    >>> def pairwise_sq_dists(X, Y):
    ...     raise NotImplementedError
    >>> check_pairwise_sq_dists(pairwise_sq_dists)
    【尚未完成】pairwise_sq_dists 还在抛出 NotImplementedError：写好实现后再运行这个检查。
    """
    g = seeded(0)
    cases = [
        Case(
            "X 为 2×3，Y 为 4×3",
            (torch.randn(2, 3, generator=g), torch.randn(4, 3, generator=g)),
            hint="结果的行对应 X 的行、列对应 Y 的行；给 X 和 Y 各插入一个长度为 1 的轴再相减，"
            "广播出 (n, m, d) 的差，再在最后一个轴上求平方和。",
        ),
        Case(
            "含相同的点",
            (torch.eye(3), torch.eye(3)),
            hint="同一个点与自己的距离是 0；注意要的是距离的平方，不要开方。",
        ),
        Case(
            "只有一个点，d = 1",
            (torch.tensor([[2.0]]), torch.tensor([[-1.0], [5.0]])),
            hint="d = 1 时差的平方和就是差的平方。",
        ),
        Case(
            "float64 输入",
            (
                torch.randn(3, 2, generator=g, dtype=torch.float64),
                torch.randn(5, 2, generator=g, dtype=torch.float64),
            ),
            hint="结果的数据类型应与输入相同：不要用 torch.zeros(...) 先建一个 float32 的结果。",
        ),
    ]
    return check_function(
        fn,
        _pairwise_sq_dists_reference,
        cases,
        name="pairwise_sq_dists",
        device=device,
        rtol=1e-5,
        atol=1e-5,
    )


def _autograd_gradient(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, h: float = 1e-4
) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x)
    return grad


def _cube_sum(x: torch.Tensor) -> torch.Tensor:
    return (x**3).sum()


def _x_sin_x(x: torch.Tensor) -> torch.Tensor:
    return (x * torch.sin(x)).sum()


def _quadratic_form(x: torch.Tensor) -> torch.Tensor:
    A = torch.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=x.dtype, device=x.device)
    return x @ A @ x


def check_numerical_gradient(
    fn: Callable[..., torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(f, x, h=1e-4)``：用中心差分逐个坐标估计标量函数 ``f`` 在 ``x`` 处的梯度。

    第 ``i`` 个分量是 :math:`(f(x + h e_i) - f(x - h e_i)) / (2h)`，结果与 ``x`` 同形、同数据类型；
    检查用 float64 的输入，把结果与自动求导的梯度比较（相对容差 1e-5）。

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
    >>> def numerical_gradient(f, x, h=1e-4):
    ...     raise NotImplementedError
    >>> check_numerical_gradient(numerical_gradient).status
    '尚未完成'
    """
    g = seeded(1)
    cases = [
        Case(
            "f(x) = Σ x³，x 有 5 个元素",
            (_cube_sum, torch.randn(5, generator=g, dtype=torch.float64)),
            hint="每次只移动一个坐标 x[i]，其余坐标不动；用 x 的副本，别改动传进来的 x。",
        ),
        Case(
            "f(x) = Σ x·sin x，x 形状 (2, 3)",
            (_x_sin_x, torch.randn(2, 3, generator=g, dtype=torch.float64)),
            hint="x 可以是矩阵：结果要与 x 同形，可以在 x.reshape(-1) 的视图上逐个坐标移动。",
        ),
        Case(
            "f(x) = xᵀAx",
            (_quadratic_form, torch.tensor([1.0, -2.0], dtype=torch.float64)),
            hint="中心差分是 (f(x+h) − f(x−h)) / (2h)：前向差分的误差是 O(h)，达不到这里的精度。",
        ),
    ]
    return check_function(
        fn,
        _autograd_gradient,
        cases,
        name="numerical_gradient",
        device=device,
        rtol=1e-5,
        atol=1e-6,
    )
