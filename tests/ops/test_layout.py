"""dlbook.ops.layout：与 PyTorch 自己的步幅、连续性判断一致；存储下标真的指向元素所在的位置。"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.ops.layout import (
    contiguous_strides,
    describe_layout,
    satisfies_contiguity,
    shares_storage,
    storage_indices,
    storage_size,
    storage_values,
)

shapes = st.lists(st.integers(0, 4), min_size=1, max_size=4)


@st.composite
def views(draw: st.DrawFn) -> torch.Tensor:
    """一个 3 维张量的随机视图：任意换轴，再在每一维上取带步长的切片。"""
    base = torch.arange(4 * 5 * 6).reshape(4, 5, 6)
    t = base.permute(*draw(st.permutations(range(3))))
    index = []
    for size in t.shape:
        start = draw(st.integers(0, size - 1))
        index.append(slice(start, draw(st.integers(start + 1, size)), draw(st.integers(1, 3))))
    return t[tuple(index)]


@settings(max_examples=50, deadline=None)
@given(shape=shapes)
def test_contiguous_strides_match_torch(shape: list[int]) -> None:
    assert contiguous_strides(shape) == torch.empty(shape).stride()
    assert satisfies_contiguity(shape, contiguous_strides(shape))


def test_contiguous_strides_rejects_negative_sizes() -> None:
    with pytest.raises(ValueError, match="非负"):
        contiguous_strides((2, -1))


@settings(max_examples=80, deadline=None)
@given(t=views())
def test_views_agree_with_torch_and_address_their_storage(t: torch.Tensor) -> None:
    assert satisfies_contiguity(t.shape, t.stride()) == t.is_contiguous()
    # 按存储下标到存储区里取数，正好取回张量本身
    assert torch.equal(storage_values(t)[storage_indices(t)], t)
    assert storage_size(t) == 120 and shares_storage(t, t.contiguous()) == t.is_contiguous()
    info = describe_layout(t)
    assert info["shape"] == tuple(t.shape) and info["numel"] == t.numel()
    assert info["is_contiguous"] == satisfies_contiguity(info["shape"], info["stride"])
    assert info["contiguous_stride"] == torch.empty(t.shape).stride()


def test_storage_values_is_a_view_of_the_storage() -> None:
    a = torch.arange(6.0).reshape(2, 3)
    v = storage_values(a.T[1:])
    assert v.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    a[1, 2] = -1.0  # 改原张量，存储区的读数跟着变：二者共享内存
    assert v[5] == -1.0
    assert shares_storage(a, v) and not shares_storage(a, a.clone())


def test_satisfies_contiguity_ignores_size_one_dims_and_checks_lengths() -> None:
    assert satisfies_contiguity((3, 1, 4), (4, 99, 1))
    assert torch.empty(3, 1, 4).as_strided((3, 1, 4), (4, 99, 1)).is_contiguous()
    assert satisfies_contiguity((0, 5), (7, 7))
    with pytest.raises(ValueError, match="维数"):
        satisfies_contiguity((2, 3), (1,))
