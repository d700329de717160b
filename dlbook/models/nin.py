"""NiN（网络中的网络）：每个卷积层后接两个 1×1 卷积，最后用全局平均池化代替全连接层。"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.init import reset_parameters
from dlbook.utils.checks import check_positive, check_probability

__all__ = ["nin_block", "nin"]


def nin_block(
    in_channels: int, out_channels: int, kernel_size: int, stride: int, padding: int
) -> nn.Sequential:
    """一个 NiN 块：一个普通卷积，后接两个 1×1 卷积，每个卷积之后都有 ReLU。

    1×1 卷积在每个像素位置上对通道做一次全连接变换，等于在每个像素上放了一个小的多层感知机
    （所有位置共享同一组权重）。

    Examples
    --------
    >>> blk = nin_block(1, 8, kernel_size=3, stride=1, padding=1)
    >>> blk(torch.zeros(2, 1, 10, 10)).shape
    torch.Size([2, 8, 10, 10])
    >>> [m.kernel_size for m in blk if isinstance(m, nn.Conv2d)]
    [(3, 3), (1, 1), (1, 1)]
    """
    check_positive("in_channels", in_channels)
    check_positive("out_channels", out_channels)
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1),
        nn.ReLU(),
    )


def nin(
    num_classes: int = 10,
    *,
    in_channels: int = 1,
    dropout: float = 0.5,
    ratio: int = 1,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """NiN：四个 NiN 块（卷积核 11、5、3、3，与 AlexNet 的前几层相当），块之间是 3×3、步幅 2 的最大池化。

    最后一个块输出 ``num_classes`` 个通道，全局平均池化把每个通道平均成一个数，作为该类的得分，
    网络里没有全连接层。各层输出（224×224 输入）：96 × 54 × 54 → 96 × 26 × 26 → 256 × 26 × 26 →
    256 × 12 × 12 → 384 × 12 × 12 → 384 × 5 × 5 → ``num_classes`` × 5 × 5 → ``num_classes`` × 1 × 1 →
    展平。因为最后是全局平均池化，任何不小于 67×67 的输入都可以，书中用 224×224。
    ``ratio`` 把前三个块的通道数（96、256、384）除以它。

    Examples
    --------
    >>> net = nin()
    >>> net(torch.zeros(2, 1, 224, 224)).shape
    torch.Size([2, 10])
    >>> any(isinstance(m, nn.Linear) for m in net.modules())
    False
    >>> [blk[0].out_channels for blk in nin(ratio=4)[:5:2]]
    [24, 64, 96]
    """
    check_positive("num_classes", num_classes)
    check_positive("ratio", ratio)
    check_probability("dropout", dropout)
    if any(c % ratio for c in (96, 256, 384)):
        raise ValueError(f"ratio 必须整除 96、256 与 384，收到 {ratio}")
    c1, c2, c3 = 96 // ratio, 256 // ratio, 384 // ratio
    net = nn.Sequential(
        nin_block(in_channels, c1, kernel_size=11, stride=4, padding=0),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(c1, c2, kernel_size=5, stride=1, padding=2),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(c2, c3, kernel_size=3, stride=1, padding=1),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Dropout(p=dropout),
        # 最后一个块的输出通道数就是类别数
        nin_block(c3, num_classes, kernel_size=3, stride=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),  # 全局平均池化：每个通道平均成一个数
        nn.Flatten(),  # (批量, 类别数, 1, 1) → (批量, 类别数)
    )
    return reset_parameters(net, generator)
