"""AlexNet：更深、更宽的卷积网络，ReLU 激活、最大池化与暂退法（书中的 Fashion-MNIST 版本）。"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.init import reset_parameters
from dlbook.utils.checks import check_positive, check_probability

__all__ = ["alexnet"]


def alexnet(
    num_classes: int = 10,
    *,
    in_channels: int = 1,
    dropout: float = 0.5,
    ratio: int = 1,
    image_size: int = 224,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """AlexNet，输入为 ``(批量, in_channels, image_size, image_size)``；书中用它分类缩放到 224×224 的 Fashion-MNIST。

    与 2012 年的原网络相比有两处简化：输入是 1 个通道（灰度图）而不是 3 个，输出是 10 类而不是 1000 类；
    原网络分在两块 GPU 上的两半卷积层在这里合成一层，也没有局部响应归一化。各层输出（224×224 输入）：

    - 卷积 11×11，96 通道，步幅 4，填充 1：96 × 54 × 54；最大池化 3×3，步幅 2：96 × 26 × 26
    - 卷积 5×5，256 通道，填充 2：256 × 26 × 26；最大池化：256 × 12 × 12
    - 三个卷积 3×3（384、384、256 通道），填充 1：256 × 12 × 12；最大池化：256 × 5 × 5
    - 展平为 6400 维，全连接 6400 → 4096 → 4096 → ``num_classes``，前两层之后接暂退法

    每个卷积层与前两个全连接层之后接 ReLU。展平后的维数由输入的高宽决定（224×224 时是 6400），
    所以网络只接受 ``image_size`` 这一种高宽。

    ``ratio`` 把每个卷积层的通道数与两个隐藏全连接层的宽度都除以它，``image_size`` 改变输入的高宽：
    层数、窗口、步幅与池化都不变。本书在 CPU 上构建时用它训练一个缩小的 AlexNet（见实验 ``alexnet`` 的快速档）。

    Parameters
    ----------
    num_classes : int, 默认 10
        类别数。
    in_channels : int, 默认 1
        输入通道数。
    dropout : float, 默认 0.5
        两个暂退层的丢弃概率。
    ratio : int, 默认 1
        通道数与隐藏层宽度的除数，必须整除 96、256、384 与 4096。
    image_size : int, 默认 224
        输入的高和宽；至少 65，三次池化之后特征图才不小于 1×1。
    generator : torch.Generator, optional
        给出时用它按 PyTorch 默认的分布重新抽取所有卷积层与全连接层的参数，初值可以复现。

    Examples
    --------
    >>> net = alexnet()
    >>> net(torch.zeros(2, 1, 224, 224)).shape
    torch.Size([2, 10])
    >>> sum(p.numel() for p in net.parameters())
    46764746
    >>> small = alexnet(ratio=8, image_size=96)
    >>> small(torch.zeros(2, 1, 96, 96)).shape, small[-1].in_features
    (torch.Size([2, 10]), 512)
    """
    check_positive("num_classes", num_classes)
    check_positive("in_channels", in_channels)
    check_positive("ratio", ratio)
    check_probability("dropout", dropout)
    widths = (96, 256, 384, 384, 256, 4096)
    if any(w % ratio for w in widths):
        raise ValueError(f"ratio 必须整除 {widths}，收到 {ratio}")
    c1, c2, c3, c4, c5, hidden = (w // ratio for w in widths)
    check_positive("image_size", image_size)
    side = (image_size + 2 - 11) // 4 + 1  # 第一个卷积之后的高宽
    for _ in range(3):  # 三次 3×3、步幅 2 的最大池化
        if side < 3:
            raise ValueError(f"image_size 至少是 65，收到 {image_size}")
        side = (side - 3) // 2 + 1
    net = nn.Sequential(
        # 大窗口、大步幅：一开始就把 224×224 缩到 54×54，减少后面的计算量
        nn.Conv2d(in_channels, c1, kernel_size=11, stride=4, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        # 窗口变小、填充保持高宽不变，通道数增加
        nn.Conv2d(c1, c2, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        # 连续三个 3×3 卷积，之后再池化一次
        nn.Conv2d(c2, c3, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(c3, c4, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(c4, c5, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        # 两个 4096 维的全连接层用暂退法抑制过拟合
        nn.Linear(c5 * side * side, hidden),
        nn.ReLU(),
        nn.Dropout(p=dropout),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Dropout(p=dropout),
        nn.Linear(hidden, num_classes),
    )
    return reset_parameters(net, generator)
