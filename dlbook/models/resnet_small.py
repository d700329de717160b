"""为 28×28 小图像修改的 ResNet-18：“多 GPU 的简洁实现”一节用它在 Fashion-MNIST 上做数据并行训练。

残差块与阶段直接取自 :mod:`dlbook.models.resnet`；不同的只有开头：ImageNet 版的 7×7 卷积（步幅 2）
加 3×3 最大池化会把 28×28 的输入一下缩小到 7×7，这里换成 3×3 卷积（步幅 1、填充 1），也去掉最大池化，
四个阶段看到的特征图依次是 28×28、14×14、7×7、4×4。
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.utils.checks import check_positive, reset_parameters
from dlbook.models.resnet import resnet_stage

__all__ = ["resnet18_small"]


def resnet18_small(
    num_classes: int = 10, *, in_channels: int = 1, generator: torch.Generator | None = None
) -> nn.Sequential:
    """适合 28×28 输入的 ResNet-18：3×3 卷积开头、没有最大池化，其余与 :func:`~dlbook.models.resnet.resnet18` 相同。

    - ``net[0]``：3×3 卷积（64 通道，步幅 1，填充 1）+ 批量规范化 + ReLU；
    - ``net[1]`` 到 ``net[4]``：四个阶段，通道数 64、128、256、512，后三个阶段开头高宽减半；
    - 全局平均池化、展平、全连接 512 → ``num_classes``。

    Parameters
    ----------
    num_classes : int, 默认 10
        类别数。
    in_channels : int, 默认 1
        输入通道数（Fashion-MNIST 是灰度图）。
    generator : torch.Generator, optional
        给出时用它重新抽取卷积层与全连接层的参数（分布同 PyTorch 默认），初值可复现。

    Examples
    --------
    >>> net = resnet18_small()
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> [tuple(net[:i + 1](torch.zeros(1, 1, 28, 28)).shape[1:]) for i in range(1, 5)]
    [(64, 28, 28), (128, 14, 14), (256, 7, 7), (512, 4, 4)]
    """
    check_positive("num_classes", num_classes)
    check_positive("in_channels", in_channels)
    stem = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1),
        nn.BatchNorm2d(64),
        nn.ReLU(),
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
