"""设备：发现 CPU、CUDA GPU 与 Apple MPS，并挑选最合适的一个。

导入本模块不会探测任何硬件；只有调用函数时才会查询 PyTorch。
"""

from __future__ import annotations

import torch

__all__ = [
    "cpu",
    "gpu",
    "num_gpus",
    "try_gpu",
    "try_all_gpus",
    "best_device",
    "list_devices",
    "parse_device",
]


def cpu() -> torch.device:
    """返回 CPU 设备。

    Examples
    --------
    >>> cpu()
    device(type='cpu')
    """
    return torch.device("cpu")


def num_gpus() -> int:
    """可用的 CUDA GPU 数量（没有 CUDA 时为 0）。

    Examples
    --------
    >>> num_gpus() >= 0
    True
    """
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def gpu(i: int = 0) -> torch.device:
    """返回第 ``i`` 块 CUDA GPU；``i`` 超出范围时抛出 ``ValueError``。"""
    if not isinstance(i, int) or i < 0:
        raise ValueError(f"i 必须是非负整数，收到 {i!r}")
    n = num_gpus()
    if i >= n:
        raise ValueError(f"没有第 {i} 块 GPU：本机有 {n} 块 CUDA GPU")
    return torch.device(f"cuda:{i}")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def try_gpu(i: int = 0) -> torch.device:
    """有第 ``i`` 块 CUDA GPU 就返回它，否则返回 Apple MPS（若有）或 CPU。

    Examples
    --------
    >>> try_gpu().type in {"cuda", "mps", "cpu"}
    True
    """
    if i < num_gpus():
        return torch.device(f"cuda:{i}")
    if i == 0 and _mps_available():
        return torch.device("mps")
    return cpu()


def try_all_gpus() -> list[torch.device]:
    """返回所有 CUDA GPU；一块都没有时返回 ``[best_device()]``，列表从不为空。

    Examples
    --------
    >>> len(try_all_gpus()) >= 1
    True
    """
    gpus = [torch.device(f"cuda:{i}") for i in range(num_gpus())]
    return gpus or [best_device()]


def best_device() -> torch.device:
    """按 CUDA → MPS → CPU 的顺序挑选训练用的设备。

    Examples
    --------
    >>> best_device().type in {"cuda", "mps", "cpu"}
    True
    """
    return try_gpu(0)


def list_devices() -> list[torch.device]:
    """列出本机可用的全部设备：CPU 总在第一个，其后是各块 CUDA GPU 和 MPS。

    Examples
    --------
    >>> list_devices()[0]
    device(type='cpu')
    """
    devices = [cpu()]
    devices += [torch.device(f"cuda:{i}") for i in range(num_gpus())]
    if _mps_available():
        devices.append(torch.device("mps"))
    return devices


def parse_device(text: str) -> torch.device:
    """把命令行里的设备名变成本机上确实存在的设备；``"auto"`` 表示 :func:`best_device`。

    CUDA 的编号要小于本机 GPU 的块数，否则与其他不可用的设备一样给出一行错误。

    Examples
    --------
    >>> parse_device("cpu")
    device(type='cpu')
    >>> parse_device("tpu")
    Traceback (most recent call last):
    ...
    ValueError: 无法识别的设备 'tpu'：可以是 auto、cpu、cuda、cuda:1、mps
    """
    if text == "auto":
        return best_device()
    try:
        device = torch.device(text)
    except RuntimeError as err:
        raise ValueError(f"无法识别的设备 {text!r}：可以是 auto、cpu、cuda、cuda:1、mps") from err
    if device.type == "cuda":
        n = num_gpus()
        if n == 0:
            raise ValueError(f"设备 {text!r} 不可用：这台机器没有 CUDA")
        if device.index is not None and device.index >= n:
            raise ValueError(
                f"设备 {text!r} 不可用：这台机器只有 {n} 块 CUDA GPU（cuda:0 到 cuda:{n - 1}）"
            )
    elif device.type == "mps" and not _mps_available():
        raise ValueError(f"设备 {text!r} 不可用：这台机器没有 Apple MPS")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"无法识别的设备 {text!r}：可以是 auto、cpu、cuda、cuda:1、mps")
    return device
