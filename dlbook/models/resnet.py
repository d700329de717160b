"""ResNet：残差块让每一层学习“在输入上加多少”，使很深的网络也容易训练。"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.models.init import reset_parameters
from dlbook.utils.checks import check_positive

__all__ = ["Residual", "SigmoidBlock", "resnet_stage", "resnet18", "sigmoid_stack"]


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
    num_classes: int = 10,
    *,
    in_channels: int = 1,
    ratio: int = 1,
    stem: str = "imagenet",
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """ResNet-18：开头（``net[0]``），四个各有两个残差块的阶段，再接全局平均池化与全连接层。

    - ``net[0]``：``stem="imagenet"`` （默认，书中第 6 章的版本）是与 GoogLeNet 相同的 7×7 卷积
      （64 通道，步幅 2）+ 批量规范化 + ReLU + 3×3 最大池化（步幅 2），高宽缩小为 1/4；
      ``stem="small"`` 是为 28×28 小图像准备的 3×3 卷积（步幅 1，填充 1）+ 批量规范化 + ReLU，不缩小
      （第 11 章“多 GPU 的简洁实现”用它，D2L 的同名函数也这样改）；
    - ``net[1]`` 到 ``net[4]``：四个阶段，通道数 64、128、256、512，后三个阶段开头高宽减半；
    - 全局平均池化、展平、全连接 512 → ``num_classes``。

    4 个阶段 × 2 个残差块 × 2 个卷积层 = 16 层，加上开头的卷积层与最后的全连接层，共 18 层。
    书中把 Fashion-MNIST 放大到 96×96 训练。``ratio`` 把所有通道数除以它（结构不变）。

    Examples
    --------
    >>> net = resnet18()
    >>> net(torch.zeros(2, 1, 96, 96)).shape
    torch.Size([2, 10])
    >>> sum(isinstance(m, nn.Conv2d) for m in net.modules())    # 17 个 3×3/7×7 卷积 + 3 个 1×1 卷积
    20
    >>> small = resnet18(stem="small")
    >>> [tuple(small[:i + 1](torch.zeros(1, 1, 28, 28)).shape[1:]) for i in range(1, 5)]
    [(64, 28, 28), (128, 14, 14), (256, 7, 7), (512, 4, 4)]
    >>> resnet18(ratio=4)[-1].in_features
    128
    """
    check_positive("num_classes", num_classes)
    check_positive("in_channels", in_channels)
    check_positive("ratio", ratio)
    if 64 % ratio:
        raise ValueError(f"ratio 必须整除 64，收到 {ratio}")
    c = 64 // ratio
    if stem == "imagenet":
        head = [
            nn.Conv2d(in_channels, c, kernel_size=7, stride=2, padding=3),
            nn.BatchNorm2d(c),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        ]
    elif stem == "small":
        head = [nn.Conv2d(in_channels, c, kernel_size=3, padding=1), nn.BatchNorm2d(c), nn.ReLU()]
    else:
        raise ValueError(f"stem 必须是 'imagenet' 或 'small'，收到 {stem!r}")
    net = nn.Sequential(
        nn.Sequential(*head),
        resnet_stage(c, c, 2, first_stage=True),
        resnet_stage(c, 2 * c, 2),
        resnet_stage(2 * c, 4 * c, 2),
        resnet_stage(4 * c, 8 * c, 2),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(8 * c, num_classes),
    )
    return reset_parameters(net, generator)


class SigmoidBlock(nn.Module):
    """一个全连接层加 sigmoid：``residual=False`` 时输出 :math:`\\sigma(W x + b)`，
    ``residual=True`` 时再加上输入（捷径）：:math:`x + \\sigma(W x + b)`。

    Examples
    --------
    >>> blk = SigmoidBlock(4, residual=True)
    >>> x = torch.zeros(2, 4)
    >>> torch.equal(blk(x), x + torch.sigmoid(blk.linear(x)))
    True
    """

    def __init__(self, width: int, residual: bool) -> None:
        super().__init__()
        check_positive("width", width)
        self.linear = nn.Linear(width, width)
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.sigmoid(self.linear(x))
        return x + y if self.residual else y


def sigmoid_stack(
    depth: int,
    *,
    residual: bool,
    width: int = 64,
    in_features: int = 784,
    num_classes: int = 10,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """一个很深的全连接网络：展平、全连接 ``in_features → width``，``depth`` 个 :class:`SigmoidBlock`，
    全连接 ``width → num_classes``，共 ``depth + 2`` 个全连接层。

    ``residual`` 决定每个块有没有捷径，其余完全相同（同一个 ``generator`` 种子给出同样的初值）：
    这是一对只差捷径的“普通网络”与“残差网络”，用来比较很深时梯度能否传到底层、网络能否训练。

    Examples
    --------
    >>> plain = sigmoid_stack(20, residual=False, generator=torch.Generator().manual_seed(0))
    >>> res = sigmoid_stack(20, residual=True, generator=torch.Generator().manual_seed(0))
    >>> plain(torch.zeros(3, 1, 28, 28)).shape
    torch.Size([3, 10])
    >>> sum(isinstance(m, nn.Linear) for m in plain.modules())
    22
    >>> all(torch.equal(p, q) for p, q in zip(plain.parameters(), res.parameters()))
    True
    """
    check_positive("depth", depth)
    check_positive("width", width)
    net = nn.Sequential(
        nn.Flatten(),
        nn.Linear(in_features, width),
        *(SigmoidBlock(width, residual) for _ in range(depth)),
        nn.Linear(width, num_classes),
    )
    return reset_parameters(net, generator)
