"""累加器。"""

import pytest
import torch

import dlbook


def test_accumulator_checks_arity():
    acc = dlbook.Accumulator(2)
    acc.add(1, 2)
    acc.add(torch.tensor(3.0), 4)
    assert list(acc) == [4.0, 6.0]
    with pytest.raises(ValueError, match="需要 2 个数"):
        acc.add(1)
    with pytest.raises(ValueError, match="正整数"):
        dlbook.Accumulator(0)
