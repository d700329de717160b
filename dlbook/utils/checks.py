"""各模型工厂共用的小工具：参数检查，以及用给定的随机数生成器抽取初值（全书只写这一次）。"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = [
    "check_positive",
    "check_positive_number",
    "check_probability",
    "check_sizes",
    "init_normal",
    "reset_parameters",
]


def check_positive(name: str, value: object) -> None:
    """``value`` 不是正整数时抛出 ``ValueError``，信息里写出参数名与收到的值。"""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} 必须是正整数，收到 {value!r}")


def check_sizes(**sizes: object) -> None:
    """对每个关键字参数调用 :func:`check_positive`，例如 ``check_sizes(vocab_size=v, num_layers=n)``。"""
    for name, value in sizes.items():
        check_positive(name, value)


def check_positive_number(name: str, value: object, *, allow_zero: bool = False) -> float:
    """``value`` 不是有限的正数（``allow_zero=True`` 时为非负数）时抛出 ``ValueError``；返回 ``float(value)``。"""
    kind = "非负数" if allow_zero else "正数"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
        or (value == 0 and not allow_zero)
    ):
        raise ValueError(f"{name} 必须是{kind}（有限），收到 {value!r}")
    return float(value)


def check_probability(name: str, value: object) -> None:
    """``value`` 不在 ``[0, 1)`` 之内时抛出 ``ValueError``。"""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"{name} 必须在 [0, 1) 之间，收到 {value!r}")


def reset_parameters(net: nn.Module, generator: torch.Generator | None) -> nn.Module:
    """用 ``generator`` 按 PyTorch 的默认分布重新抽取 ``net`` 中所有卷积层、全连接层的参数。

    PyTorch 默认把 ``nn.Conv2d`` 与 ``nn.Linear`` 的权重和偏置都取自
    :math:`U(-1/\\sqrt{n_{in}}, 1/\\sqrt{n_{in}})`，:math:`n_{in}` 是每个输出单元的输入个数
    （卷积层是 输入通道数 × 核高 × 核宽）。这里用同样的分布、但用显式给出的生成器重新抽一遍，
    模型的初值便不依赖全局随机数状态。批量规范化层的 γ、β 本来就是常数 1 和 0，不需要处理。
    ``generator`` 为 ``None`` 时什么也不做。返回 ``net`` 本身，便于链式调用。

    Examples
    --------
    >>> g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    >>> a = reset_parameters(nn.Conv2d(3, 4, 3), g1)
    >>> b = reset_parameters(nn.Conv2d(3, 4, 3), g2)
    >>> torch.equal(a.weight, b.weight), bool(a.weight.abs().max() <= 1 / 27 ** 0.5)
    (True, True)
    """
    if generator is None:
        return net
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d | nn.Linear):
                bound = 1 / (m.weight[0].numel() ** 0.5)  # 1 / sqrt(每个输出单元的输入个数)
                m.weight.uniform_(-bound, bound, generator=generator)
                if m.bias is not None:
                    m.bias.uniform_(-bound, bound, generator=generator)
    return net


def init_normal(net: nn.Module, sigma: float, generator: torch.Generator | None) -> nn.Module:
    """把 ``net`` 中每个全连接层的权重取自 :math:`N(0, \\sigma^2)`、偏置置为 0（书中第 2–3 章的初始化）。

    ``generator`` 给出时用它抽取，初值便不依赖全局随机数状态。返回 ``net`` 本身。

    Examples
    --------
    >>> net = init_normal(nn.Linear(100, 3), 0.01, torch.Generator().manual_seed(0))
    >>> round(net.weight.std().item(), 2), net.bias.abs().max().item()
    (0.01, 0.0)
    """
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=sigma, generator=generator)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
    return net
