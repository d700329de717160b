"""检查器的公共部分：比较读者的函数与参考实现，给出中文的判定与提示。

每个 ``check_…`` 函数都由这里的 :func:`check_function` 驱动：在一组固定种子生成的输入（包括边界情形）
上分别调用读者的函数与参考实现，先比较返回值的类型、形状、数据类型和设备，再用
与 :func:`torch.testing.assert_close` 相同的容差比较数值。遇到第一处不一致就停下，报告是哪一组输入、
哪一个位置，并给出这一组输入对应的提示——但从不给出正确的值。
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

PASSED = "通过"
NOT_DONE = "尚未完成"
FAILED = "未通过"


@dataclass(frozen=True)
class CheckResult:
    """一次检查的结论。

    Attributes
    ----------
    status : str
        ``"通过"``、``"尚未完成"`` （函数还在抛出 ``NotImplementedError``）或 ``"未通过"``。
    message : str
        给读者看的说明：通过了哪些输入，或第一处不一致在哪里以及提示。

    Notes
    -----
    在笔记本里它显示为一行中文说明；用在 ``if`` 或 ``assert`` 里时，只有“通过”为真。

    Examples
    --------
    >>> result = CheckResult(PASSED, "在 3 组输入上都与参考一致。")
    >>> bool(result), result
    (True, 【通过】在 3 组输入上都与参考一致。)
    """

    status: str
    message: str

    @property
    def passed(self) -> bool:
        """是否通过。"""
        return self.status == PASSED

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"【{self.status}】{self.message}"

    __str__ = __repr__


@dataclass(frozen=True)
class Case:
    """一组检查用的输入。

    Attributes
    ----------
    name : str
        这组输入的中文名字，出现在消息里，例如 ``"含很大的数"``。
    args : tuple
        位置参数；每次调用前都会深拷贝一份，读者的函数原地修改输入也不会影响参考。
    kwargs : dict
        关键字参数。
    hint : str
        这组输入没有通过时给读者的提示（指出要注意什么，不给出答案）。
    """

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    hint: str = ""


def _to_device(obj: Any, device: torch.device | None) -> Any:
    if device is None:
        return obj
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_device(x, device) for x in obj)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    return obj


def _index(flat_index: int, shape: Sequence[int]) -> tuple[int, ...]:
    index = []
    for size in reversed(shape):
        index.append(flat_index % size)
        flat_index //= size
    return tuple(reversed(index))


#: 与 :func:`torch.testing.assert_close` 相同的默认容差 ``(rtol, atol)``。这里不直接调用它：
#: 它第一次被调用时要导入几秒钟，而每个练习单元都应在 0.2 秒内跑完。
_DEFAULT_TOLERANCES = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
}


def _deviation(actual: float, expected: float) -> str:
    """“比参考偏大/偏小（相对误差约 …）”：说出方向与量级，不说出参考值本身。

    整数（下标、类别、个数）只说“与参考不符”：下标的大小没有意义，个数的差会直接泄露答案。
    """
    if isinstance(actual, int) and isinstance(expected, int):
        return "与参考不符"
    direction = "偏大" if actual > expected else "偏小"
    relative = abs(actual - expected) / max(abs(expected), 1e-12)
    return f"比参考{direction}（相对误差约 {relative:.0e}）"


def compare(
    actual: Any,
    expected: Any,
    *,
    what: str = "返回值",
    rtol: float | None = None,
    atol: float | None = None,
) -> str | None:
    """比较一个返回值与参考值，返回第一处不一致的中文描述；一致时返回 ``None``。

    依次比较：类型；张量的形状、数据类型、设备、有没有 nan/inf，再逐元素比较数值（
    容差默认与 :func:`torch.testing.assert_close` 相同，也可以给定 ``rtol``/``atol``）；元组与列表先比长度
    再逐项比较；数比较数值；其余对象用 ``==``。描述只说哪里不一致（浮点数还说偏大还是偏小与相对误差的量级），不说正确的值是什么。

    Parameters
    ----------
    actual, expected : Any
        读者函数与参考实现的返回值。
    what : str
        消息里对这个值的称呼，例如 ``"第 2 个返回值"``。
    rtol, atol : float, optional
        数值容差，两者要么都给、要么都不给。

    Returns
    -------
    str or None

    Examples
    --------
    >>> compare(torch.zeros(2, 3), torch.zeros(3, 2))
    '返回值的形状应为 (3, 2)，实际是 (2, 3)'
    >>> compare(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5]))
    '返回值在位置 (1,) 上比参考偏小（相对误差约 2e-01）'
    >>> compare([1, 2], [1, 2]) is None
    True
    """
    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            return f"{what}应是张量（torch.Tensor），实际是 {type(actual).__name__}"
        if actual.shape != expected.shape:
            return f"{what}的形状应为 {tuple(expected.shape)}，实际是 {tuple(actual.shape)}"
        if actual.dtype != expected.dtype:
            return f"{what}的数据类型应为 {expected.dtype}，实际是 {actual.dtype}"
        if actual.device != expected.device:
            return f"{what}应在设备 {expected.device} 上，实际在 {actual.device} 上"
        actual = actual.detach()
        expected = expected.detach()
        if actual.is_floating_point():
            bad = ~torch.isfinite(actual) & torch.isfinite(expected)
            if bad.any():
                where = _index(int(bad.flatten().nonzero()[0]), actual.shape)
                return f"{what}在位置 {where} 上是 {actual[where].item()}（出现了 nan 或 inf）"
        if actual.is_floating_point():
            default_rtol, default_atol = _DEFAULT_TOLERANCES.get(actual.dtype, (1.3e-6, 1e-5))
            close = torch.isclose(
                actual,
                expected,
                rtol=default_rtol if rtol is None else rtol,
                atol=default_atol if atol is None else atol,
                equal_nan=True,
            )
        else:
            close = actual == expected
        if not close.all():
            where = _index(int((~close).flatten().nonzero()[0]), actual.shape)
            deviation = _deviation(actual[where].item(), expected[where].item())
            return f"{what}在位置 {where} 上{deviation}"
        return None
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)):
            return f"{what}应是 {type(expected).__name__}，实际是 {type(actual).__name__}"
        if len(actual) != len(expected):
            return f"{what}应有 {len(expected)} 项，实际有 {len(actual)} 项"
        for i, (a, e) in enumerate(zip(actual, expected)):
            problem = compare(a, e, what=f"{what}的第 {i} 项", rtol=rtol, atol=atol)
            if problem:
                return problem
        return None
    if isinstance(expected, bool) or not isinstance(expected, (int, float)):
        if actual != expected:
            return f"{what}与参考不符（实际是 {actual!r}）"
        return None
    if isinstance(actual, torch.Tensor) and actual.numel() == 1:
        actual = actual.item()
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return f"{what}应是一个数，实际是 {type(actual).__name__}"
    if not math.isclose(actual, expected, rel_tol=rtol or 1e-6, abs_tol=atol or 1e-9):
        return f"{what}{_deviation(actual, expected)}"
    return None


def not_done(name: str) -> CheckResult:
    """函数还在抛出 ``NotImplementedError`` 时的结论。"""
    return CheckResult(NOT_DONE, f"{name} 还在抛出 NotImplementedError：写好实现后再运行这个检查。")


def failed(name: str, case: str, problem: str, hint: str = "") -> CheckResult:
    """在输入 ``case`` 上发现问题 ``problem`` 时的结论；``hint`` 附在后面。"""
    message = f"{name} 在输入「{case}」上：{problem}。"
    if hint:
        message += f"提示：{hint}"
    return CheckResult(FAILED, message)


def passed(name: str, n_cases: int) -> CheckResult:
    """全部 ``n_cases`` 组输入都一致时的结论。"""
    return CheckResult(PASSED, f"{name} 在全部 {n_cases} 组输入上都与参考一致。")


def call(fn: Callable[..., Any], case: Case, device: torch.device | None = None) -> Any:
    """用一组输入的深拷贝（放到 ``device`` 上）调用 ``fn``。"""
    args = _to_device(copy.deepcopy(case.args), device)
    kwargs = _to_device(copy.deepcopy(case.kwargs), device)
    return fn(*args, **kwargs)


def check_function(
    fn: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Sequence[Case],
    *,
    name: str,
    device: torch.device | str | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    what: str = "返回值",
) -> CheckResult:
    """在每组输入上比较 ``fn`` 与 ``reference``，返回第一处不一致或“通过”。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    reference : callable
        参考实现，签名与 ``fn`` 相同。
    cases : sequence of Case
        输入，按顺序检查；简单的放前面，边界情形放后面。
    name : str
        消息里对这个函数的称呼。
    device : torch.device or str, optional
        把输入放到这个设备上（默认原样，即 CPU）。
    rtol, atol : float, optional
        数值容差，见 :func:`compare`。
    what : str
        消息里对被比较的值的称呼。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> cases = [Case("两个元素", (torch.tensor([1.0, 2.0]),), hint="逐元素平方")]
    >>> check_function(lambda x: x ** 2, torch.square, cases, name="square")
    【通过】square 在全部 1 组输入上都与参考一致。
    >>> check_function(lambda x: x * 2, torch.square, cases, name="square")
    【未通过】square 在输入「两个元素」上：返回值在位置 (0,) 上比参考偏大（相对误差约 1e+00）。提示：逐元素平方
    """
    device = None if device is None else torch.device(device)
    for case in cases:
        try:
            actual = call(fn, case, device)
        except NotImplementedError:
            return not_done(name)
        except Exception as error:  # noqa: BLE001 - 读者代码的任何错误都要变成一条说明
            problem = f"抛出了 {type(error).__name__}: {error}"
            return failed(name, case.name, problem, case.hint)
        expected = call(reference, case, device)
        problem = compare(actual, expected, what=what, rtol=rtol, atol=atol)
        if problem:
            return failed(name, case.name, problem, case.hint)
    return passed(name, len(cases))


def seeded(seed: int) -> torch.Generator:
    """一个以 ``seed`` 为种子的 CPU 随机数生成器，让检查用的输入每次都相同。"""
    return torch.Generator().manual_seed(seed)
