"""第 14 章 自然语言处理：应用的练习检查器：截断与填充、可分解注意力的“注意”一步。"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def check_truncate_pad(fn: Callable[[Sequence[Any], int, Any], list]) -> CheckResult:
    """检查 ``fn(tokens, num_steps, pad)``：把词元列表截断或填充到正好 ``num_steps`` 个，返回新列表。

    长的保留前 ``num_steps`` 个，短的在末尾补 ``pad``。

    Parameters
    ----------
    fn : callable
        读者写的函数。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def my_truncate_pad(tokens, num_steps, pad):
    ...     raise NotImplementedError
    >>> check_truncate_pad(my_truncate_pad).status
    '尚未完成'
    """
    from dlbook.data.translation import truncate_pad  # 导入 dlbook.data 要 2 秒多：用到时才导入

    cases = [
        Case("短句补齐", ([5, 9, 2], 5, 0), hint="在末尾补 pad，直到长度为 num_steps；返回列表。"),
        Case(
            "长句截断",
            ([1, 2, 3, 4, 5, 6, 7], 4, 0),
            hint="保留开头的 num_steps 个词元，不是结尾的。",
        ),
        Case(
            "长度正好",
            (["a", "b"], 2, "<pad>"),
            hint="长度已经等于 num_steps 时原样返回（一个新列表）。",
        ),
        Case("空句子", ([], 3, "<pad>"), hint="空句子全部由 pad 组成。"),
    ]
    return check_function(fn, truncate_pad, cases, name="truncate_pad")


def _soft_align_reference(A: torch.Tensor, B: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    e = A @ B.transpose(1, 2)  # (批量, m, n)
    beta = torch.softmax(e, dim=-1) @ B
    alpha = torch.softmax(e.transpose(1, 2), dim=-1) @ A
    return beta, alpha


def check_soft_align(
    fn: Callable[[torch.Tensor, torch.Tensor], tuple], device: str | None = None
) -> CheckResult:
    """检查 ``fn(A, B)``：可分解注意力模型的“注意”一步（这里省去多层感知机 f，直接用点积）。

    ``A`` ``(批量, m, d)`` 是前提的词向量，``B`` ``(批量, n, d)`` 是假设的词向量。
    :math:`e_{ij} = a_i^\\top b_j`；返回 ``(beta, alpha)``：``beta`` ``(批量, m, d)`` 的第 ``i`` 行是
    :math:`\\sum_j \\mathrm{softmax}_j(e_{i\\cdot})\\, b_j` （与 :math:`a_i` 软对齐的假设），``alpha``
    ``(批量, n, d)`` 的第 ``j`` 行是 :math:`\\sum_i \\mathrm{softmax}_i(e_{\\cdot j})\\, a_i`。

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
    >>> def soft_align(A, B):
    ...     raise NotImplementedError
    >>> check_soft_align(soft_align).status
    '尚未完成'
    """
    g = seeded(22)
    cases = [
        Case(
            "批量 2、m = 3、n = 4",
            (torch.randn(2, 3, 5, generator=g), torch.randn(2, 4, 5, generator=g)),
            hint="e = A @ Bᵀ 的形状是 (批量, m, n)；beta 在 e 的最后一个轴（对 j）上做 softmax 再乘 B。",
        ),
        Case(
            "m = n",
            (torch.randn(1, 3, 2, generator=g), torch.randn(1, 3, 2, generator=g)),
            hint="alpha 对 i 归一化：在 e 的第 1 个轴上做 softmax（或转置后在最后一个轴上），再乘 A。",
        ),
        Case(
            "单个词的假设",
            (torch.randn(2, 4, 3, generator=g), torch.randn(2, 1, 3, generator=g)),
            hint="n = 1 时每个 a_i 只能对齐到唯一的 b，beta 的每一行都等于它。",
        ),
    ]
    return check_function(
        fn, _soft_align_reference, cases, name="soft_align", device=device, rtol=1e-5, atol=1e-5
    )
