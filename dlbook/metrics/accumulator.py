"""指标累加器：在多个批量上对若干个量分别求和。"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Accumulator"]


class Accumulator:
    """对 ``n`` 个量分别累加，例如（损失之和、正确数、样本数）。

    Examples
    --------
    >>> acc = Accumulator(3)
    >>> acc.add(2.5, 8, 10)
    >>> acc.add(1.5, 9, 10)
    >>> acc[0], acc[1] / acc[2]
    (4.0, 0.85)
    >>> acc.reset(); acc.data
    [0.0, 0.0, 0.0]
    """

    def __init__(self, n: int) -> None:
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n 必须是正整数，收到 {n!r}")
        self.data = [0.0] * n

    def add(self, *args: float) -> None:
        """把 ``args`` 逐项加到对应的和上；个数必须等于 ``n``。"""
        if len(args) != len(self.data):
            raise ValueError(f"需要 {len(self.data)} 个数，收到 {len(args)} 个")
        self.data = [total + float(value) for total, value in zip(self.data, args)]

    def reset(self) -> None:
        """把所有和清零。"""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx: int) -> float:
        return self.data[idx]

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterable[float]:
        return iter(self.data)
