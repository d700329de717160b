"""dlbook.utils.checks：合法的值原样通过，不合法的值（含 bool、NaN、无穷）报出参数名与收到的值。"""

from __future__ import annotations

import math

import pytest

from dlbook.utils.checks import (
    check_positive,
    check_positive_number,
    check_probability,
    check_sizes,
)


@pytest.mark.parametrize("value", [1, 7, 10**12])
def test_check_positive_accepts_positive_integers(value: int) -> None:
    check_positive("n", value)


@pytest.mark.parametrize("value", [0, -3, 2.0, True, "3", None])
def test_check_positive_rejects_everything_else(value: object) -> None:
    with pytest.raises(ValueError, match=rf"^num_hiddens 必须是正整数，收到 {value!r}$"):
        check_positive("num_hiddens", value)


def test_check_sizes_names_the_first_bad_argument() -> None:
    check_sizes(vocab_size=28, num_layers=2)
    with pytest.raises(ValueError, match="num_layers"):
        check_sizes(vocab_size=28, num_layers=0, batch_size=-1)


@pytest.mark.parametrize(("value", "expected"), [(3, 3.0), (0.5, 0.5), (1e-12, 1e-12)])
def test_check_positive_number_returns_a_float(value: float, expected: float) -> None:
    result = check_positive_number("lr", value)
    assert result == expected and type(result) is float


@pytest.mark.parametrize("value", [0, 0.0, -1e-9, math.nan, math.inf, True, "0.1"])
def test_check_positive_number_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="lr 必须是正数（有限）"):
        check_positive_number("lr", value)


def test_check_positive_number_can_allow_zero() -> None:
    assert check_positive_number("wd", 0, allow_zero=True) == 0.0
    with pytest.raises(ValueError, match="wd 必须是非负数（有限）"):
        check_positive_number("wd", -0.1, allow_zero=True)
    with pytest.raises(ValueError, match="非负数"):
        check_positive_number("wd", math.inf, allow_zero=True)


@pytest.mark.parametrize("value", [0, 0.0, 0.5, 0.999])
def test_check_probability_accepts_the_half_open_interval(value: float) -> None:
    check_probability("dropout", value)


@pytest.mark.parametrize("value", [1, 1.0, -0.1, math.nan, False, "0.5"])
def test_check_probability_rejects(value: object) -> None:
    with pytest.raises(ValueError, match=r"dropout 必须在 \[0, 1\) 之间"):
        check_probability("dropout", value)
