"""第 4 章 深度学习计算的练习检查器：自定义的“张量降维”层、统计模型的参数个数。"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from dlbook.exercises.core import (
    Case,
    CheckResult,
    call,
    check_function,
    compare,
    failed,
    not_done,
    passed,
    seeded,
)


def check_tensor_reduction(cls: Callable[[int, int], nn.Module]) -> CheckResult:
    """检查自定义层 ``cls(in_units, out_units)``：“张量降维”层 :math:`y_k = \\sum_{i,j} W_{ijk} x_i x_j`。

    它要登记一个名为 ``weight``、形状 ``(in_units, in_units, out_units)`` 的参数；前向计算接收
    ``(批量, in_units)`` 的 ``X``，对每个样本分别计算，返回 ``(批量, out_units)``。先检查它是
    ``nn.Module``、登记了参数且形状正确，再在随机输入上把输出与用它自己的参数算出的结果比较。

    Parameters
    ----------
    cls : callable
        读者写的层（类或返回层的函数）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> class TensorReduction(torch.nn.Module):
    ...     def __init__(self, in_units, out_units):
    ...         raise NotImplementedError
    >>> check_tensor_reduction(TensorReduction).status
    '尚未完成'
    """
    name = "TensorReduction"
    g = seeded(5)
    shapes = [(3, 2, 4), (1, 3, 1), (4, 1, 2)]  # (in_units, out_units, 批量)
    for in_units, out_units, batch in shapes:
        case = f"in_units = {in_units}，out_units = {out_units}，批量 {batch}"
        try:
            layer = cls(in_units, out_units)
        except NotImplementedError:
            return not_done(name)
        except Exception as error:  # noqa: BLE001
            return failed(name, case, f"创建时抛出了 {type(error).__name__}: {error}")
        if not isinstance(layer, nn.Module):
            return failed(
                name,
                case,
                f"创建出的对象是 {type(layer).__name__}，不是 nn.Module",
                "类要继承 nn.Module，并在 __init__ 里先调用 super().__init__()。",
            )
        params = dict(layer.named_parameters())
        if "weight" not in params:
            return failed(
                name,
                case,
                f"没有登记名为 weight 的参数（登记的有 {sorted(params)}）",
                "把张量包成 nn.Parameter 再赋给 self.weight，模块才会把它登记为参数。",
            )
        shape = (in_units, in_units, out_units)
        if tuple(params["weight"].shape) != shape:
            return failed(
                name,
                case,
                f"参数 weight 的形状应为 {shape}，实际是 {tuple(params['weight'].shape)}",
                "W 的三个下标依次是 i、j、k。",
            )
        X = torch.randn(batch, in_units, generator=g)
        with torch.no_grad():
            try:
                actual = call(layer, Case(case, (X,)))
            except NotImplementedError:
                return not_done(name)
            except Exception as error:  # noqa: BLE001
                return failed(
                    name,
                    case,
                    f"前向计算抛出了 {type(error).__name__}: {error}",
                    "forward 接收形状 (批量, in_units) 的 X。",
                )
            expected = torch.einsum("bi,bj,ijk->bk", X, X, params["weight"])
        problem = compare(actual, expected, what="前向计算的输出", rtol=1e-4, atol=1e-5)
        if problem:
            return failed(
                name,
                case,
                problem,
                "对所有的 i 和 j 求和（不只是 i = j），每个样本用它自己的 x；"
                "torch.einsum 可以一次写出这个求和。",
            )
    return passed(name, len(shapes))


def _count_parameters_reference(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def check_count_parameters(fn: Callable[[nn.Module], int]) -> CheckResult:
    """检查 ``fn(net)``：返回模型中可学习参数的标量个数（共享的参数只算一次，缓冲区不算）。

    Parameters
    ----------
    fn : callable
        读者写的函数，返回一个整数。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> check_count_parameters(lambda net: sum(p.numel() for p in net.parameters()))
    【通过】count_parameters 在全部 3 组输入上都与参考一致。
    """
    shared = nn.Linear(4, 4)
    cases = [
        Case(
            "nn.Linear(4, 3)",
            (nn.Linear(4, 3),),
            hint="权重与偏置都要算：每个参数张量贡献 numel() 个标量。",
        ),
        Case(
            "含批量规范化层的 MLP",
            (nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2)),),
            hint="批量规范化层的 running_mean、running_var 是缓冲区，不是可学习参数："
            "用 net.parameters() 而不是 state_dict()。",
        ),
        Case(
            "两层共享同一个 nn.Linear(4, 4)",
            (nn.Sequential(shared, nn.ReLU(), shared),),
            hint="共享的参数只算一次；net.parameters() 已经去掉了重复。",
        ),
    ]
    return check_function(fn, _count_parameters_reference, cases, name="count_parameters")
