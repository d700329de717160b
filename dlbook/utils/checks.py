"""参数检查：不合法的参数抛出 ``ValueError``，信息里写出参数名、收到的值与接受的范围。"""

from __future__ import annotations

import math

__all__ = [
    "check_positive",
    "check_positive_number",
    "check_probability",
    "check_sizes",
]


def check_positive(name: str, value: object) -> None:
    """``value`` 不是正整数时抛出 ``ValueError``，信息里写出参数名与收到的值。"""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} 必须是正整数，收到 {value!r}")


def check_sizes(**sizes: object) -> None:
    """对每个关键字参数调用 :func:`check_positive`，例如 ``check_sizes(vocab_size=v, num_layers=n)``。"""
    for name, value in sizes.items():
        check_positive(name, value)


def check_positive_number(name: str, value: object, *, allow_zero: bool = False) -> float:
    """``value`` 不是有限的正数（``allow_zero=True`` 时为非负数）时抛出 ``ValueError``；返回 ``float(value)``。"""
    kind = "非负数" if allow_zero else "正数"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
        or (value == 0 and not allow_zero)
    ):
        raise ValueError(f"{name} 必须是{kind}（有限），收到 {value!r}")
    return float(value)


def check_probability(name: str, value: object) -> None:
    """``value`` 不在 ``[0, 1)`` 之内时抛出 ``ValueError``。"""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"{name} 必须在 [0, 1) 之间，收到 {value!r}")
