"""ResNet：残差块让每一层学习“在输入上加多少”，使很深的网络也容易训练。"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.utils.checks import check_positive, reset_parameters

__all__ = ["Residual", "resnet_stage", "resnet18"]


class Residual(nn.Module):
    """残差块：两个 3×3 卷积（各接批量规范化），输出与输入相加后再过 ReLU，即 :math:`\\mathrm{ReLU}(g(x) + x)`。

    当输出的通道数或高宽与输入不同（``stride > 1``）时，输入无法直接相加，这时设
    ``use_1x1conv=True``：输入先经过一个 1×1 卷积（步幅同为 ``stride``）变成相同的形状。

    Parameters
    ----------
    in_channels : int
        输入通道数。
    num_channels : int
        输出通道数。
    use_1x1conv : bool, 默认 False
        捷径上是否加 1×1 卷积；不加时要求 ``in_channels == num_channels`` 且 ``stride == 1``。
    stride : int, 默认 1
        第一个 3×3 卷积（以及 1×1 卷积）的步幅；2 表示高宽减半。

    Examples
    --------
    >>> X = torch.rand(4, 3, 6, 6)
    >>> Residual(3, 3)(X).shape                                  # 形状不变
    torch.Size([4, 3, 6, 6])
    >>> Residual(3, 6, use_1x1conv=True, stride=2)(X).shape       # 通道加倍，高宽减半
    torch.Size([4, 6, 3, 3])
    """

    def __init__(
        self, in_channels: int, num_channels: int, use_1x1conv: bool = False, stride: int = 1
    ) -> None:
        super().__init__()
        check_positive("in_channels", in_channels)
        check_positive("num_channels", num_channels)
        check_positive("stride", stride)
        if not use_1x1conv and (in_channels != num_channels or stride != 1):
            raise ValueError(
                "不加 1×1 卷积时输入必须能与输出直接相加：需要 in_channels == num_channels 且 "
                f"stride == 1，收到 in_channels={in_channels}、num_channels={num_channels}、"
                f"stride={stride}；请设 use_1x1conv=True"
            )
        self.conv1 = nn.Conv2d(in_channels, num_channels, kernel_size=3, padding=1, stride=stride)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = (
            nn.Conv2d(in_channels, num_channels, kernel_size=1, stride=stride)
            if use_1x1conv
            else None
        )
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)  # 捷径：把输入加到两层卷积的输出上


def resnet_stage(
    in_channels: int, num_channels: int, num_residuals: int, first_stage: bool = False
) -> nn.Sequential:
    """ResNet 的一个阶段：``num_residuals`` 个残差块。

    除第一个阶段外，每个阶段的第一个块用 1×1 卷积与步幅 2 把通道数变成 ``num_channels``、高宽减半；
    其余的块形状不变。第一个阶段紧跟在步幅 2 的最大池化之后，不再减半，通道数也不变。

    Examples
    --------
    >>> stage = resnet_stage(64, 128, 2)
    >>> stage(torch.zeros(1, 64, 8, 8)).shape
    torch.Size([1, 128, 4, 4])
    >>> [blk.conv3 is not None for blk in stage]
    [True, False]
    """
    check_positive("num_residuals", num_residuals)
    if first_stage and in_channels != num_channels:
        raise ValueError(
            f"第一个阶段不改变通道数：需要 in_channels == num_channels，收到 {in_channels} 与 {num_channels}"
        )
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_stage:
            blocks.append(Residual(in_channels, num_channels, use_1x1conv=True, stride=2))
        else:
            blocks.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blocks)


def resnet18(
    num_classes: int = 10, *, in_channels: int = 1, generator: torch.Generator | None = None
) -> nn.Sequential:
    """ResNet-18：与 GoogLeNet 相同的开头，四个各有两个残差块的阶段，再接全局平均池化与全连接层。

    - ``net[0]``：7×7 卷积（64 通道，步幅 2）+ 批量规范化 + ReLU + 3×3 最大池化（步幅 2）；
    - ``net[1]`` 到 ``net[4]``：四个阶段，通道数 64、128、256、512，后三个阶段开头高宽减半；
    - 全局平均池化、展平、全连接 512 → ``num_classes``。

    4 个阶段 × 2 个残差块 × 2 个卷积层 = 16 层，加上开头的卷积层与最后的全连接层，共 18 层。
    书中把 Fashion-MNIST 放大到 96×96 训练。

    Examples
    --------
    >>> net = resnet18()
    >>> net(torch.zeros(2, 1, 96, 96)).shape
    torch.Size([2, 10])
    >>> sum(isinstance(m, nn.Conv2d) for m in net.modules())    # 17 个 3×3/7×7 卷积 + 3 个 1×1 卷积
    20
    """
    check_positive("num_classes", num_classes)
    check_positive("in_channels", in_channels)
    stem = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    net = nn.Sequential(
        stem,
        resnet_stage(64, 64, 2, first_stage=True),
        resnet_stage(64, 128, 2),
        resnet_stage(128, 256, 2),
        resnet_stage(256, 512, 2),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(512, num_classes),
    )
    return reset_parameters(net, generator)
