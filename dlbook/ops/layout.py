"""张量的内存布局：存储区（storage）与头信息（形状、步幅、偏移）。

一个张量由两部分组成：一块一维的**存储区**，按顺序存放真实的数值；以及一份**头信息**，
记录形状 ``size``、步幅 ``stride`` 与存储偏移 ``storage_offset``。逻辑下标为
``(i_0, ..., i_{d-1})`` 的元素位于存储区的第 ``offset + Σ_k i_k · stride[k]`` 个位置。
转置、切片、``view`` 只生成新的头信息，与原张量共用同一块存储区（即“视图”）。

本模块提供查询布局的函数；把布局画出来的函数在 :mod:`dlbook.diagrams.tensors`。
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

__all__ = [
    "contiguous_strides",
    "satisfies_contiguity",
    "storage_size",
    "storage_values",
    "storage_indices",
    "shares_storage",
    "describe_layout",
]


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """按行优先（C 顺序）紧密存放形状为 ``shape`` 的张量时，每一维的步幅。

    最后一维的步幅是 1，往前每一维的步幅等于后一维的步幅乘以后一维的长度：
    ``stride[i] = stride[i + 1] * size[i + 1]``。

    Examples
    --------
    >>> contiguous_strides((2, 3, 4))
    (12, 4, 1)
    >>> torch.zeros(2, 3, 4).stride()
    (12, 4, 1)
    """
    strides: list[int] = []
    step = 1
    for size in reversed(tuple(shape)):
        if size < 0:
            raise ValueError(f"shape 的每一维必须非负，收到 {tuple(shape)}")
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def satisfies_contiguity(shape: Sequence[int], stride: Sequence[int]) -> bool:
    """检查 ``(shape, stride)`` 是否满足连续性条件。

    条件是：对每个长度大于 1 的维 ``i``，``stride[i]`` 等于它之后所有维长度的乘积
    （等价于 ``stride[-1] == 1`` 且 ``stride[i] == stride[i + 1] * size[i + 1]``）。
    长度为 1 的维只有一个下标，它的步幅从不参与寻址，所以不受约束；含 0 个元素的张量总是连续的。
    这与 :meth:`torch.Tensor.is_contiguous` 的规则一致。

    Examples
    --------
    >>> satisfies_contiguity((3, 4), (4, 1))
    True
    >>> satisfies_contiguity((4, 3), (1, 4))  # 3x4 矩阵转置后的布局
    False
    """
    shape, stride = tuple(shape), tuple(stride)
    if len(shape) != len(stride):
        raise ValueError(f"shape 与 stride 的维数必须相同，收到 {shape} 与 {stride}")
    if any(size == 0 for size in shape):
        return True
    expected = 1
    for size, step in zip(reversed(shape), reversed(stride)):
        if size != 1 and step != expected:
            return False
        expected *= size
    return True


def storage_size(t: torch.Tensor) -> int:
    """张量 ``t`` 所在存储区中的元素个数（不是 ``t`` 自己的元素个数）。

    Examples
    --------
    >>> x = torch.arange(12)
    >>> storage_size(x[2:5]), x[2:5].numel()
    (12, 3)
    """
    return t.untyped_storage().nbytes() // t.element_size()


def storage_values(t: torch.Tensor) -> torch.Tensor:
    """把 ``t`` 所在的整块存储区按存放顺序读成一个一维张量（与 ``t`` 共享内存）。

    它代替了已弃用的 ``Tensor.storage()``：转置、切片等视图与原张量得到的结果相同。

    Examples
    --------
    >>> a = torch.arange(6).reshape(2, 3)
    >>> storage_values(a.T)
    tensor([0, 1, 2, 3, 4, 5])
    """
    return torch.as_strided(t.detach(), (storage_size(t),), (1,), 0)


def storage_indices(t: torch.Tensor) -> torch.Tensor:
    """与 ``t`` 同形状的整数张量，每个位置上是该元素在存储区中的下标。

    计算的正是 ``offset + Σ_k i_k · stride[k]``：用 ``t`` 的头信息去“查看”一个
    ``0, 1, 2, ...`` 的序列即可得到。

    Examples
    --------
    >>> a = torch.arange(6).reshape(2, 3)
    >>> storage_indices(a.T)
    tensor([[0, 3],
            [1, 4],
            [2, 5]])
    >>> storage_indices(a[:, 1:])
    tensor([[1, 2],
            [4, 5]])
    """
    positions = torch.arange(storage_size(t))
    return torch.as_strided(positions, t.shape, t.stride(), t.storage_offset())


def shares_storage(a: torch.Tensor, b: torch.Tensor) -> bool:
    """``a`` 与 ``b`` 是否使用同一块存储区（一个是另一个的视图，或二者是同一张量的视图）。

    Examples
    --------
    >>> a = torch.arange(6)
    >>> shares_storage(a, a.reshape(2, 3)), shares_storage(a, a.clone())
    (True, False)
    """
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def describe_layout(t: torch.Tensor) -> dict[str, Any]:
    """汇总张量的头信息与连续性，返回一个字典。

    返回的键：``shape``、``stride``、``storage_offset``、``storage_size`` （存储区的元素个数）、
    ``numel``、``contiguous_stride`` （同形状的连续张量应有的步幅）与 ``is_contiguous``。

    Examples
    --------
    >>> a = torch.arange(12).reshape(3, 4)
    >>> describe_layout(a.T)  # doctest: +NORMALIZE_WHITESPACE
    {'shape': (4, 3), 'stride': (1, 4), 'storage_offset': 0, 'storage_size': 12, 'numel': 12,
     'contiguous_stride': (3, 1), 'is_contiguous': False}
    >>> describe_layout(a[1:, 2])["storage_offset"]
    6
    """
    info = {
        "shape": tuple(t.shape),
        "stride": tuple(t.stride()),
        "storage_offset": t.storage_offset(),
        "storage_size": storage_size(t),
        "numel": t.numel(),
        "contiguous_stride": contiguous_strides(t.shape),
        "is_contiguous": t.is_contiguous(),
    }
    return info
