"""第 9 章 注意力机制的练习检查器：遮蔽 softmax、正弦位置编码。"""

from __future__ import annotations

from collections.abc import Callable

import torch

from dlbook.exercises.core import Case, CheckResult, check_function, seeded
from dlbook.models.attention import masked_softmax, positional_encoding


def check_masked_softmax(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(X, valid_lens)``：在最后一个轴上做 softmax，每行只在前 ``valid_lens`` 个位置上归一化。

    ``X`` 形状 ``(批量, 查询个数, 键个数)``，``valid_lens`` 形状 ``(批量,)``，取值在 ``1`` 到
    ``键个数`` 之间；被遮蔽的位置权重为 0，有效位置的权重之和为 1。

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
    >>> def my_masked_softmax(X, valid_lens):
    ...     raise NotImplementedError
    >>> check_masked_softmax(my_masked_softmax).status
    '尚未完成'
    """
    g = seeded(14)
    cases = [
        Case(
            "有效长度 2 与 3",
            (torch.randn(2, 2, 4, generator=g), torch.tensor([2, 3])),
            hint="位置 j ≥ valid_len 的得分在 softmax 之前换成一个很小的数（例如 −1e6），"
            "它的 exp 下溢为 0；换成 0 是不够的，exp(0) = 1。",
        ),
        Case(
            "有效长度等于键个数",
            (torch.randn(2, 3, 3, generator=g), torch.tensor([3, 3])),
            hint="有效长度等于键个数时就是普通的 softmax。",
        ),
        Case(
            "有效长度 1",
            (torch.randn(1, 2, 5, generator=g), torch.tensor([1])),
            hint="只有一个有效位置时，它的权重是 1，其余全是 0。",
        ),
    ]
    return check_function(fn, masked_softmax, cases, name="masked_softmax", device=device)


def check_positional_encoding(fn: Callable[[int, int], torch.Tensor]) -> CheckResult:
    """检查 ``fn(max_len, d)``：正弦位置编码表，形状 ``(max_len, d)``，``float32``。

    :math:`P_{i,2j} = \\sin(i / 10000^{2j/d})`，:math:`P_{i,2j+1} = \\cos(i / 10000^{2j/d})`，
    ``d`` 为偶数。

    Parameters
    ----------
    fn : callable
        读者写的函数。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def my_positional_encoding(max_len, d):
    ...     raise NotImplementedError
    >>> check_positional_encoding(my_positional_encoding).status
    '尚未完成'
    """
    cases = [
        Case(
            "max_len = 3，d = 4",
            (3, 4),
            hint="偶数列 (0, 2, …) 用 sin，奇数列 (1, 3, …) 用 cos；位置 0 那一行是 [0, 1, 0, 1, …]。",
        ),
        Case(
            "max_len = 10，d = 8",
            (10, 8),
            hint="第 2j 与 2j+1 列共用频率 1 / 10000^(2j/d)：指数里是 2j / d，j 从 0 数到 d/2 − 1。",
        ),
        Case(
            "max_len = 50，d = 6",
            (50, 6),
            hint="位置 i 从 0 开始；先算出 (max_len, d/2) 的角度 i / 10000^(2j/d)，再分别取 sin 与 cos。",
        ),
    ]
    return check_function(
        fn, positional_encoding, cases, name="positional_encoding", rtol=1e-4, atol=1e-5
    )
