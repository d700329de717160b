"""dlbook：《动手学深度学习》笔记版的配套 Python 包。

书中展示的每一段实现都来自这个包；这里把公共接口统一导出。
"""

__version__ = "0.1.0"

from .devices import best_device, cpu, gpu, list_devices, num_gpus, try_all_gpus, try_gpu
from .metrics import Accumulator
from .plot import plot, set_axes, set_figsize, show_images, use_book_style
from .seeding import seed_everything
from .timing import Timer

__all__ = [
    "Accumulator",
    "Timer",
    "best_device",
    "cpu",
    "gpu",
    "list_devices",
    "num_gpus",
    "plot",
    "seed_everything",
    "set_axes",
    "set_figsize",
    "show_images",
    "try_all_gpus",
    "try_gpu",
    "use_book_style",
]
