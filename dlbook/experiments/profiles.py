"""运行档位：同一个实验用书中的完整设置（full）还是 CPU 上的快速设置（quick）。

环境变量 ``DLBOOK_PROFILE`` 选择档位：

* ``full``：总是使用书中的设置（模型、学习率、批量、轮数、图像尺寸都与书一致）；
* ``quick``：总是使用快速设置（同样的模型结构，更少的样本或轮数），适合只有 CPU 的机器；
* ``auto`` （默认）：有 CUDA 或 MPS 设备时用 ``full``；只有 CPU 时，对标记为“在 CPU 上也便宜”的
  实验（第 2–5 章）用 ``full``，其余用 ``quick``。
"""

from __future__ import annotations

import os

import torch

from dlbook.utils.devices import best_device

__all__ = ["PROFILES", "profile_setting", "resolve_profile"]

#: 可选的档位名。
PROFILES = ("full", "quick", "auto")


def profile_setting(profile: str | None = None) -> str:
    """返回要使用的档位名：``profile`` 优先，其次环境变量 ``DLBOOK_PROFILE``，默认 ``"auto"``。

    Examples
    --------
    >>> profile_setting("quick")
    'quick'
    >>> profile_setting("fast")
    Traceback (most recent call last):
    ...
    ValueError: 档位必须是 full、quick 或 auto，收到 'fast'
    """
    value = profile if profile is not None else os.environ.get("DLBOOK_PROFILE", "auto")
    value = value.strip().lower() if isinstance(value, str) else value
    if value == "":
        value = "auto"
    if value not in PROFILES:
        raise ValueError(f"档位必须是 full、quick 或 auto，收到 {value!r}")
    return value


def resolve_profile(
    profile: str | None = None,
    *,
    device: torch.device | str | None = None,
    cheap_on_cpu: bool = False,
) -> str:
    """把档位（可能是 ``auto``）解析成 ``"full"`` 或 ``"quick"``。

    Parameters
    ----------
    profile : {"full", "quick", "auto"}, optional
        不给时读环境变量 ``DLBOOK_PROFILE``。
    device : torch.device or str, optional
        实验将在哪个设备上运行；不给时取 :func:`dlbook.best_device`。
    cheap_on_cpu : bool
        这个实验的完整设置在 CPU 上是否也便宜（几分钟以内）。

    Examples
    --------
    >>> resolve_profile("auto", device="cuda")
    'full'
    >>> resolve_profile("auto", device="cpu", cheap_on_cpu=False)
    'quick'
    >>> resolve_profile("auto", device="cpu", cheap_on_cpu=True)
    'full'
    >>> resolve_profile("quick", device="cuda")
    'quick'
    """
    value = profile_setting(profile)
    if value != "auto":
        return value
    device = torch.device(device) if device is not None else best_device()
    if device.type in ("cuda", "mps") or cheap_on_cpu:
        return "full"
    return "quick"
