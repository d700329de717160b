"""记录“这些数字是怎么来的”：dlbook 与 PyTorch 的版本、设备、运行档位与数据来源。

书的每一页页脚（:mod:`dlbook.book.footer`）都显示这里的版本与提交，读者据此判断页面上的训练结果出自什么环境；
``python -m dlbook info`` 打印 :func:`build_info`。
"""

from __future__ import annotations

import platform

import torch

from dlbook import __version__
from dlbook.utils.devices import best_device

__all__ = ["build_info", "git_commit", "versions"]


def git_commit() -> str | None:
    """dlbook 所在的 git 仓库当前的提交（从源码仓库安装时）；不在仓库里时返回 ``None``。"""
    import subprocess
    from pathlib import Path

    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def versions() -> dict[str, str]:
    """dlbook、PyTorch 与 Python 的版本，以及源码的 git 提交（有的话）。

    Examples
    --------
    >>> sorted(k for k in versions() if k != "commit")
    ['dlbook', 'python', 'torch']
    """
    info = {"dlbook": __version__, "torch": torch.__version__, "python": platform.python_version()}
    commit = git_commit()
    if commit:
        info["commit"] = commit
    return info


def build_info() -> dict[str, str]:
    """收集当前环境的版本、设备、运行档位与 Fashion-MNIST 的来源（只查看文件，不解码）。

    Examples
    --------
    >>> info = build_info()
    >>> sorted(info)
    ['data', 'device', 'dlbook', 'profile', 'python', 'torch']
    >>> info["data"].startswith("Fashion-MNIST")
    True
    """
    from dlbook.data.fashion_mnist import describe_fashion_mnist_source
    from dlbook.experiments.profiles import profile_setting

    return {
        **{k: v for k, v in versions().items() if k != "commit"},
        "device": str(best_device()),
        "profile": profile_setting(),
        "data": describe_fashion_mnist_source(),
    }
