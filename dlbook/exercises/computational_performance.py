"""第 11 章 计算性能的练习检查器：把小批量切给多个设备、全归约。"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _split_batch_reference(X: torch.Tensor, n: int) -> list[torch.Tensor]:
    return list(X.tensor_split(n))


def check_split_batch(
    fn: Callable[[torch.Tensor, int], Sequence[torch.Tensor]], device: str | None = None
) -> CheckResult:
    """检查 ``fn(X, n)``：沿第 0 维把 ``X`` 切成 ``n`` 片，返回列表。

    各片的样本数相差不超过 1，多出来的样本分给前面的片；所有样本都要分出去，顺序不变。

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
    >>> check_split_batch(lambda X, n: list(X.tensor_split(n)))
    【通过】split_batch 在全部 4 组输入上都与参考一致。
    """
    g = seeded(17)
    cases = [
        Case(
            "8 个样本分给 2 个设备",
            (torch.randn(8, 3, generator=g), 2),
            hint="返回 n 个张量的列表，第 i 片是连续的一段样本。",
        ),
        Case(
            "10 个样本分给 4 个设备",
            (torch.arange(10.0).reshape(10, 1), 4),
            hint="10 = 3 + 3 + 2 + 2：每片 ⌊10/4⌋ 个，余下的 2 个分给前 2 片；torch.chunk 切出的是 "
            "3 + 3 + 3 + 1，不符合“相差不超过 1”。",
        ),
        Case(
            "5 个样本分给 2 个设备",
            (torch.arange(5), 2),
            hint="不能整除时也要把所有样本分出去，不能丢掉余数。",
        ),
        Case(
            "3 个样本分给 3 个设备",
            (torch.randn(3, 2, 2, generator=g), 3),
            hint="每片 1 个样本时，每片的形状是 (1, …)，保留批量维。",
        ),
    ]
    return check_function(fn, _split_batch_reference, cases, name="split_batch", device=device)


def _allreduce_reference(data: list[torch.Tensor]) -> list[torch.Tensor]:
    total = sum(data)
    return [total.clone() for _ in data]


def _returning_inputs(fn: Callable[[list[torch.Tensor]], None]) -> Callable[..., list]:
    def run(data: list[torch.Tensor]) -> list[torch.Tensor]:
        originals = list(data)  # 调用之后检查的是这些张量本身，而不是列表里的名字
        fn(data)
        return originals

    return run


def check_allreduce(
    fn: Callable[[list[torch.Tensor]], None], device: str | None = None
) -> CheckResult:
    """检查 ``fn(data)``：把列表中各“设备”上的张量相加，再把总和**原地**写回每一个张量。

    检查的是调用之前列表里的那些张量对象本身：只让列表指向新的张量不算写回。

    Parameters
    ----------
    fn : callable
        读者写的函数（不必返回值）。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def allreduce(data):
    ...     raise NotImplementedError
    >>> check_allreduce(allreduce).status
    '尚未完成'
    """
    g = seeded(18)
    cases = [
        Case(
            "2 个设备",
            ([torch.ones(1, 2), torch.ones(1, 2) * 2],),
            hint="调用之后每个张量都等于所有张量之和（不是平均）。",
        ),
        Case(
            "4 个设备、形状 (2, 3)",
            ([torch.randn(2, 3, generator=g) for _ in range(4)],),
            hint="要原地写回（data[i].copy_(总和) 或 data[i][:] = 总和）：data[i] = 总和 只是让列表"
            "指向了新张量，设备 i 上原来的张量没有改变。",
        ),
        Case("1 个设备", ([torch.randn(3, generator=g)],), hint="只有一个设备时它的值不变。"),
    ]
    return check_function(
        _returning_inputs(fn),
        _allreduce_reference,
        cases,
        name="allreduce",
        device=device,
        rtol=1e-5,
        atol=1e-6,
        what="调用之后，data 中",
    )
