"""参数初始化：模型工厂用它们抽取初值，给出随机数生成器时初值可以复现。

- :func:`init_normal`：全连接层的权重取自 :math:`N(0, \\sigma^2)`、偏置为 0（第 2–4 章）；
- :func:`reset_parameters`：按 PyTorch 的默认分布、但用给定的生成器重新抽取卷积层与全连接层的参数。

第 4 章演示用的其他初始化函数（``init_constant``、``init_xavier`` ……）在 :mod:`dlbook.models.blocks`。
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["init_normal", "reset_parameters"]


def init_normal(
    m: nn.Module, sigma: float = 0.01, generator: torch.Generator | None = None
) -> None:
    """全连接层：权重 ~ N(0, sigma²)，偏置为 0；其他模块不动。配合 ``net.apply(init_normal)`` 使用。

    ``generator`` 给出时用它抽取权重，初值便不依赖全局随机数状态（模型工厂逐层调用它）。

    Examples
    --------
    >>> layer = nn.Linear(100, 3)
    >>> init_normal(layer, 0.01, torch.Generator().manual_seed(0))
    >>> round(layer.weight.std().item(), 2), layer.bias.abs().max().item()
    (0.01, 0.0)
    >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    >>> _ = net.apply(init_normal)
    >>> bool((net[2].bias == 0).all()), bool(net[0].weight.std() < 0.05)
    (True, True)
    """
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, mean=0.0, std=sigma, generator=generator)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


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
