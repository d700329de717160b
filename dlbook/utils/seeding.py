"""随机种子：让一次运行可以被完全复现。"""

from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["epoch_generator", "init_generator", "init_seed", "seed_everything"]

#: 初始化用的种子比数据的种子大这么多，见 :func:`init_seed`。
INIT_SEED_OFFSET = 1000


def seed_everything(seed: int) -> torch.Generator:
    """为 Python、NumPy 和 PyTorch 设定同一个种子，并返回一个以它为种子的 ``torch.Generator``。

    Examples
    --------
    >>> g = seed_everything(42)
    >>> a = torch.rand(2, generator=g)
    >>> g = seed_everything(42)
    >>> torch.equal(a, torch.rand(2, generator=g))
    True
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def init_seed(seed: int) -> int:
    """由一次运行的种子 ``seed`` 得到初始化模型参数所用的种子 ``seed + 1000``。

    生成数据、打乱数据用 ``seed`` 本身；初始化与它分开，否则两者会取到同一串随机数
    （例如权重向量恰好等于第一个样本的特征），结果失真。

    Examples
    --------
    >>> init_seed(0), init_seed(3)
    (1000, 1003)
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
    return seed + INIT_SEED_OFFSET


def init_generator(seed: int) -> torch.Generator:
    """以 :func:`init_seed` 为种子的 ``torch.Generator``，交给模型工厂的 ``generator`` 参数。

    Examples
    --------
    >>> torch.equal(torch.rand(2, generator=init_generator(0)),
    ...             torch.rand(2, generator=torch.Generator().manual_seed(1000)))
    True
    """
    return torch.Generator().manual_seed(init_seed(seed))


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """第 ``epoch`` 轮打乱数据用的 ``torch.Generator``，由 ``(seed, epoch)`` 这一对数共同决定。

    用 NumPy 的 ``SeedSequence`` 把这一对数散列成种子，而不是简单地取 ``seed + epoch``：
    那样种子 1 的第 0 轮会与种子 0 的第 1 轮完全相同，相邻种子的运行就不再独立。

    Examples
    --------
    >>> order = lambda s, e: torch.randperm(8, generator=epoch_generator(s, e)).tolist()
    >>> order(0, 1) == order(0, 1), order(1, 0) == order(0, 1)
    (True, False)
    """
    for name, value in (("seed", seed), ("epoch", epoch)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} 必须是非负整数，收到 {value!r}")
    state = np.random.SeedSequence([seed, epoch]).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(state))
