"""dlbook.ops.activations：从零实现的 ReLU 与 PyTorch 相同，且保持形状与数据类型。"""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.ops.activations import relu


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), seed=st.integers(0, 2**16))
def test_relu_matches_torch(shape: list[int], seed: int) -> None:
    X = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    Y = relu(X)
    assert Y.shape == X.shape and Y.dtype == X.dtype
    torch.testing.assert_close(Y, torch.relu(X))


def test_relu_is_zero_exactly_on_the_non_positive_half() -> None:
    X = torch.tensor([-1e30, -1.0, -0.0, 0.0, 0.5, 2.5])
    assert relu(X).tolist() == [0.0, 0.0, 0.0, 0.0, 0.5, 2.5]
