"""GoogLeNet：由 Inception 块组成，每个块里四条并行的路径用不同大小的窗口提取信息。"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from dlbook.models.init import reset_parameters
from dlbook.utils.checks import check_positive

__all__ = ["INCEPTION_STAGES", "Inception", "googlenet"]

#: GoogLeNet 阶段 3、4、5 中九个 Inception 块的通道数（论文表 1），每个块一行：
#: ``(c1, (c2 压缩, c2), (c3 压缩, c3), c4)``，含义见 :class:`Inception`。
INCEPTION_STAGES: tuple[tuple[tuple[int, tuple[int, int], tuple[int, int], int], ...], ...] = (
    ((64, (96, 128), (16, 32), 32), (128, (128, 192), (32, 96), 64)),
    (
        (192, (96, 208), (16, 48), 64),
        (160, (112, 224), (24, 64), 64),
        (128, (128, 256), (24, 64), 64),
        (112, (144, 288), (32, 64), 64),
        (256, (160, 320), (32, 128), 128),
    ),
    ((256, (160, 320), (32, 128), 128), (384, (192, 384), (48, 128), 128)),
)


def _conv_relu(in_channels: int, out_channels: int, kernel_size: int, **kw: int) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, kernel_size, **kw), nn.ReLU()]


class Inception(nn.Module):
    """Inception 块：四条并行路径（``branches[0]`` 到 ``branches[3]``）的输出在通道维上拼接，高和宽不变。

    1. 1×1 卷积，``c1`` 个通道；
    2. 1×1 卷积减少到 ``c2[0]`` 个通道，再 3×3 卷积（填充 1）到 ``c2[1]`` 个通道；
    3. 1×1 卷积减少到 ``c3[0]`` 个通道，再 5×5 卷积（填充 2）到 ``c3[1]`` 个通道；
    4. 3×3 最大池化（步幅 1、填充 1），再 1×1 卷积到 ``c4`` 个通道。

    每条路径是一个 ``nn.Sequential``，每个卷积之后接 ReLU。输出通道数是 ``c1 + c2[1] + c3[1] + c4``。

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
    >>> [len(branch) for branch in blk.branches]     # 卷积与 ReLU（第 4 条路径先池化）
    [2, 4, 4, 3]
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
        # 第 2、3 条路径：先用 1×1 卷积压缩通道，再做 k×k 卷积（填充使高宽不变）
        reduce_then = [
            _conv_relu(in_channels, mid, 1) + _conv_relu(mid, out, k, padding=k // 2)
            for (mid, out), k in ((c2, 3), (c3, 5))
        ]
        pool_then = [nn.MaxPool2d(3, stride=1, padding=1), *_conv_relu(in_channels, c4, 1)]
        self.branches = nn.ModuleList(
            nn.Sequential(*layers)
            for layers in (_conv_relu(in_channels, c1, 1), *reduce_then, pool_then)
        )
        self.out_channels = c1 + c2[1] + c3[1] + c4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)  # 在通道维上拼接


def googlenet(
    num_classes: int = 10,
    *,
    in_channels: int = 1,
    ratio: int = 1,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """GoogLeNet：五个阶段（``net[0]`` 到 ``net[4]``）加一个全连接输出层。

    - 阶段 1：7×7 卷积（64 通道，步幅 2）+ 3×3 最大池化（步幅 2），高宽各缩小为 1/4；
    - 阶段 2：1×1 卷积（64）+ 3×3 卷积（192）+ 最大池化；
    - 阶段 3、4、5：按 :data:`INCEPTION_STAGES` 依次是 2、5、2 个 Inception 块
      （输出 256、480；512、512、512、528、832；832、1024 通道）；阶段 3、4 之后接最大池化，
      阶段 5 之后接全局平均池化与展平；
    - 全连接层 1024 → ``num_classes``。

    每个阶段（除最后一个）都用步幅 2 的池化把高宽减半，共缩小 32 倍；书中把 Fashion-MNIST 放大到
    96×96，阶段 5 之前是 3×3。``ratio`` 把所有通道数除以它（结构不变）。

    Examples
    --------
    >>> net = googlenet()
    >>> net(torch.zeros(2, 1, 96, 96)).shape
    torch.Size([2, 10])
    >>> len(net), sum(isinstance(m, Inception) for m in net.modules())
    (6, 9)
    >>> googlenet(ratio=8)[-1].in_features
    128
    """
    check_positive("num_classes", num_classes)
    check_positive("in_channels", in_channels)
    check_positive("ratio", ratio)

    def width(c: int) -> int:
        if c % ratio:
            raise ValueError(f"ratio 必须整除 GoogLeNet 的每个通道数，{c} 不能被 {ratio} 整除")
        return c // ratio

    halve = dict(kernel_size=3, stride=2, padding=1)  # 每个阶段末尾把高宽减半的最大池化
    stages = [
        nn.Sequential(
            *_conv_relu(in_channels, width(64), 7, stride=2, padding=3), nn.MaxPool2d(**halve)
        ),
        nn.Sequential(
            *_conv_relu(width(64), width(64), 1),
            *_conv_relu(width(64), width(192), 3, padding=1),
            nn.MaxPool2d(**halve),
        ),
    ]
    channels = width(192)
    for i, rows in enumerate(INCEPTION_STAGES):
        blocks = []
        for c1, (c2a, c2b), (c3a, c3b), c4 in rows:
            block = Inception(
                channels, width(c1), (width(c2a), width(c2b)), (width(c3a), width(c3b)), width(c4)
            )
            blocks.append(block)
            channels = block.out_channels
        last = i == len(INCEPTION_STAGES) - 1
        tail = [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()] if last else [nn.MaxPool2d(**halve)]
        stages.append(nn.Sequential(*blocks, *tail))
    net = nn.Sequential(*stages, nn.Linear(channels, num_classes))
    return reset_parameters(net, generator)
