"""检查点：原子地保存训练状态，安全地（``weights_only=True``）读回。

一个检查点是一个字典：模型参数、优化器状态、训练历史与各个随机数生成器的状态。
写入时先写到同一目录下的临时文件，再用 ``os.replace`` 一步换上去：进程在任何时刻被打断，
磁盘上要么是旧的完整检查点，要么是新的完整检查点，不会出现写了一半的文件。
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from dlbook.utils.serialization import load_state, save_state

__all__ = [
    "CHECKPOINT_NAME",
    "save_checkpoint",
    "load_checkpoint",
    "capture_rng_state",
    "restore_rng_state",
]

#: 训练循环在 ``checkpoint_dir`` 中使用的文件名（每轮覆盖，始终是最新的一轮）。
CHECKPOINT_NAME = "checkpoint.pt"


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any]) -> Path:
    """把 ``state`` 原子地写到 ``path``，返回该路径。

    ``state`` 只应包含张量、数字、字符串、布尔值、``None`` 以及由它们组成的列表、元组和字典，
    这样才能用 ``weights_only=True`` 读回。

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> p = save_checkpoint(d / "ckpt.pt", {"epoch": 3, "w": torch.ones(2)})
    >>> load_checkpoint(p)["w"]
    tensor([1., 1.])
    >>> sorted(f.name for f in d.iterdir())  # 没有残留的临时文件
    ['ckpt.pt']
    """
    return save_state(state, path)


def load_checkpoint(
    path: str | os.PathLike[str], map_location: str | torch.device | None = "cpu"
) -> dict[str, Any]:
    """用 ``torch.load(..., weights_only=True)`` 读回 :func:`save_checkpoint` 写的文件。

    ``weights_only=True`` 只允许张量与基本容器，读入来历不明的文件也不会执行任意代码。
    文件不存在时抛出 ``FileNotFoundError``，文件被截断或损坏时抛出
    :class:`~dlbook.utils.serialization.CorruptFileError`。
    """
    return load_state(path, map_location=map_location)


def capture_rng_state() -> dict[str, Any]:
    """记录 Python、NumPy、PyTorch（CPU 与已初始化的 CUDA）随机数生成器的状态。

    返回的字典可以放进检查点（NumPy 的状态被转成张量，满足 ``weights_only``）。

    Examples
    --------
    >>> state = capture_rng_state()
    >>> a = torch.rand(3)
    >>> restore_rng_state(state)
    >>> torch.equal(a, torch.rand(3))
    True
    """
    version, keys, gauss = random.getstate()
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state(legacy=True)
    state: dict[str, Any] = {
        "python": (version, list(keys), gauss),
        "numpy": {
            "name": str(np_name),
            "keys": torch.from_numpy(np.asarray(np_keys, dtype=np.int64)),
            "pos": int(np_pos),
            "has_gauss": int(np_has_gauss),
            "gauss": float(np_gauss),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    """恢复 :func:`capture_rng_state` 记录的状态。"""
    version, keys, gauss = state["python"]
    random.setstate((version, tuple(keys), gauss))
    npst = state["numpy"]
    np.random.set_state(
        (
            npst["name"],
            npst["keys"].numpy().astype(np.uint32),
            npst["pos"],
            npst["has_gauss"],
            npst["gauss"],
        )
    )
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
