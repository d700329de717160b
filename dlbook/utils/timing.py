"""计时器：记录多次运行的时间，求总和、平均与累计。"""

from __future__ import annotations

import time

__all__ = ["Timer"]


class Timer:
    """记录多次运行时间的秒表，创建时即开始计时。

    Examples
    --------
    >>> timer = Timer()
    >>> _ = sum(range(1000))
    >>> elapsed = timer.stop()
    >>> elapsed >= 0 and len(timer.times) == 1
    True
    >>> timer.sum() == timer.times[0]
    True
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self._start = 0.0
        self.start()

    def start(self) -> None:
        """（重新）开始计时。"""
        self._start = time.perf_counter()

    def stop(self) -> float:
        """停止计时，记录并返回这一段的秒数。"""
        self.times.append(time.perf_counter() - self._start)
        return self.times[-1]

    def avg(self) -> float:
        """各段的平均秒数；还没有记录时为 0。"""
        return sum(self.times) / len(self.times) if self.times else 0.0

    def sum(self) -> float:
        """各段秒数之和。"""
        return sum(self.times)

    def cumsum(self) -> list[float]:
        """累计秒数：第 k 项是前 k 段之和。

        Examples
        --------
        >>> t = Timer()
        >>> t.times = [1.0, 2.0, 3.0]
        >>> t.cumsum()
        [1.0, 3.0, 6.0]
        """
        out, total = [], 0.0
        for t in self.times:
            total += t
            out.append(total)
        return out
