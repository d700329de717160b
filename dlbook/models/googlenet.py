"""GoogLeNet：由 Inception 块组成，每个块里四条并行的路径用不同大小的窗口提取信息。"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.utils.checks import check_positive, reset_parameters

__all__ = ["Inception", "googlenet"]


class Inception(nn.Module):
    """Inception 块：四条并行路径的输出在通道维上拼接，高和宽不变。

    1. 1×1 卷积，``c1`` 个通道；
    2. 1×1 卷积减少到 ``c2[0]`` 个通道，再 3×3 卷积（填充 1）到 ``c2[1]`` 个通道；
    3. 1×1 卷积减少到 ``c3[0]`` 个通道，再 5×5 卷积（填充 2）到 ``c3[1]`` 个通道；
    4. 3×3 最大池化（步幅 1、填充 1），再 1×1 卷积到 ``c4`` 个通道。

    每个卷积之后接 ReLU。输出通道数是 ``c1 + c2[1] + c3[1] + c4``。

    Parameters
    ----------
    in_channels : int
        输入通道数。
    c1, c4 : int
        第 1、4 条路径的输出通道数。
    c2, c3 : (int, int)
        第 2、3 条路径中 1×1 卷积与后一个卷积的输出通道数。

    Examples
    --------
    >>> blk = Inception(192, 64, (96, 128), (16, 32), 32)
    >>> blk.out_channels
    256
    >>> blk(torch.zeros(1, 192, 12, 12)).shape
    torch.Size([1, 256, 12, 12])
    """

    def __init__(
        self,
        in_channels: int,
        c1: int,
        c2: Sequence[int],
        c3: Sequence[int],
        c4: int,
    ) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("c1", c1), ("c4", c4)):
            check_positive(name, value)
        for name, pair in (("c2", c2), ("c3", c3)):
            if len(pair) != 2:
                raise ValueError(f"{name} 必须是两个正整数，收到 {pair!r}")
            for value in pair:
                check_positive(name, value)
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)
        self.out_channels = c1 + c2[1] + c3[1] + c4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)  # 在通道维上拼接


def googlenet(
    num_classes: int = 10, *, in_channels: int = 1, generator: torch.Generator | None = None
) -> nn.Sequential:
    """GoogLeNet：五个阶段（``net[0]`` 到 ``net[4]``）加一个全连接输出层。

    - 阶段 1：7×7 卷积（64 通道，步幅 2）+ 3×3 最大池化（步幅 2），高宽各缩小为 1/4；
    - 阶段 2：1×1 卷积（64）+ 3×3 卷积（192）+ 最大池化；
    - 阶段 3：两个 Inception 块（输出 256、480 通道）+ 最大池化；
    - 阶段 4：五个 Inception 块（输出 512、512、512、528、832 通道）+ 最大池化；
    - 阶段 5：两个 Inception 块（输出 832、1024 通道）+ 全局平均池化 + 展平；
    - 全连接层 1024 → ``num_classes``。

    每个阶段（除最后一个）都用步幅 2 的池化把高宽减半，共缩小 32 倍；书中把 Fashion-MNIST 放大到
    96×96，阶段 5 之前是 3×3。

    Examples
    --------
    >>> net = googlenet()
    >>> net(torch.zeros(2, 1, 96, 96)).shape
    torch.Size([2, 10])
    >>> len(net), sum(isinstance(m, Inception) for m in net.modules())
    (6, 9)
    """
    check_positive("num_classes", num_classes)
    check_positive("in_channels", in_channels)
    b1 = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b2 = nn.Sequential(
        nn.Conv2d(64, 64, kernel_size=1),
        nn.ReLU(),
        nn.Conv2d(64, 192, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b3 = nn.Sequential(
        Inception(192, 64, (96, 128), (16, 32), 32),
        Inception(256, 128, (128, 192), (32, 96), 64),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b4 = nn.Sequential(
        Inception(480, 192, (96, 208), (16, 48), 64),
        Inception(512, 160, (112, 224), (24, 64), 64),
        Inception(512, 128, (128, 256), (24, 64), 64),
        Inception(512, 112, (144, 288), (32, 64), 64),
        Inception(528, 256, (160, 320), (32, 128), 128),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b5 = nn.Sequential(
        Inception(832, 256, (160, 320), (32, 128), 128),
        Inception(832, 384, (192, 384), (48, 128), 128),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
    )
    net = nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
    return reset_parameters(net, generator)
