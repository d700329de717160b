"""第 3 章 多层感知机的练习检查器：数值稳定的 softplus、Xavier 均匀初始化的边界。"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch.nn import functional as F

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _softplus_reference(x: torch.Tensor) -> torch.Tensor:
    return F.softplus(x)


def check_softplus(
    fn: Callable[[torch.Tensor], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(x)``：逐元素计算 :math:`\\mathrm{softplus}(x) = \\log(1 + e^x)`，对很大、很小的 ``x`` 都稳定。

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
    >>> check_softplus(torch.nn.functional.softplus)
    【通过】softplus 在全部 3 组输入上都与参考一致。
    """
    g = seeded(4)
    cases = [
        Case(
            "标准正态的输入",
            (torch.randn(6, generator=g),),
            hint="按定义 log(1 + exp(x)) 逐元素计算即可，结果与 x 同形。",
        ),
        Case(
            "很大的正数",
            (torch.tensor([50.0, 100.0, 1000.0]),),
            hint="exp(100) 在 float32 中溢出为 inf。x > 0 时从 1 + eˣ 中提出 eˣ，"
            "把式子改写成只对非正数取指数的形式。",
        ),
        Case(
            "很小的负数与 0",
            (torch.tensor([[-1000.0, -30.0], [0.0, 1e-3]]),),
            hint="x 很负时 eˣ 很小，log(1 + eˣ) 用 torch.log1p 才准确；在 0 附近结果是 log 2，"
            "不能用 max(x, 0) 近似。",
        ),
    ]
    return check_function(fn, _softplus_reference, cases, name="softplus", device=device)


def _xavier_bound_reference(fan_in: int, fan_out: int) -> float:
    return math.sqrt(6.0 / (fan_in + fan_out))


def check_xavier_bound(fn: Callable[[int, int], float]) -> CheckResult:
    """检查 ``fn(fan_in, fan_out)``：Xavier 均匀初始化 :math:`U(-a, a)` 的边界 :math:`a`。

    Parameters
    ----------
    fn : callable
        读者写的函数，返回一个数。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def xavier_bound(fan_in, fan_out):
    ...     raise NotImplementedError
    >>> check_xavier_bound(xavier_bound).status
    '尚未完成'
    """
    hint = (
        "Xavier 要求权重的方差为 2 / (n_in + n_out)；均匀分布 U(−a, a) 的方差是 a² / 3，"
        "令两者相等解出 a。"
    )
    cases = [
        Case("fan_in = 784，fan_out = 256", (784, 256), hint=hint),
        Case("fan_in = 256，fan_out = 10", (256, 10), hint=hint),
        Case("fan_in = fan_out = 1", (1, 1), hint=hint),
    ]
    return check_function(fn, _xavier_bound_reference, cases, name="xavier_bound")
