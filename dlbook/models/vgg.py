"""VGG：把“若干个 3×3 卷积 + 一个最大池化”当作可重复使用的块，堆叠成深层网络。"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from dlbook.models.init import reset_parameters
from dlbook.utils.checks import check_positive, check_probability

__all__ = ["VGG11_ARCH", "vgg_block", "vgg", "vgg11"]

#: VGG-11 的卷积部分：每个元素是一个块的（卷积层数，输出通道数）；共 8 个卷积层，加 3 个全连接层是 11 层。
VGG11_ARCH: tuple[tuple[int, int], ...] = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def vgg_block(num_convs: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """一个 VGG 块：``num_convs`` 个 3×3 卷积（填充 1，各接 ReLU），再接一个 2×2、步幅 2 的最大池化。

    卷积保持高和宽不变，池化把高和宽减半；只有第一个卷积改变通道数。

    Examples
    --------
    >>> blk = vgg_block(2, 3, 8)
    >>> blk(torch.zeros(1, 3, 32, 32)).shape
    torch.Size([1, 8, 16, 16])
    >>> [type(m).__name__ for m in blk]
    ['Conv2d', 'ReLU', 'Conv2d', 'ReLU', 'MaxPool2d']
    """
    check_positive("num_convs", num_convs)
    check_positive("in_channels", in_channels)
    check_positive("out_channels", out_channels)
    layers: list[nn.Module] = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(
    arch: Sequence[tuple[int, int]] = VGG11_ARCH,
    num_classes: int = 10,
    *,
    in_channels: int = 1,
    dropout: float = 0.5,
    num_hiddens: int = 4096,
    image_size: int = 224,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """按 ``arch`` 堆叠 VGG 块，再接与 AlexNet 相同的三个全连接层（4096、4096、``num_classes``）。

    每个块把高和宽减半，``len(arch)`` 个块之后 224×224 的输入变成 ``224 / 2**len(arch)``；
    默认的 5 个块得到 7×7。展平后的维数由 ``image_size`` 决定，网络只接受这一种高宽。

    Parameters
    ----------
    arch : sequence of (int, int)
        每个块的（卷积层数，输出通道数）。
    num_classes : int, 默认 10
        类别数。
    in_channels : int, 默认 1
        输入通道数。
    dropout : float, 默认 0.5
        两个暂退层的丢弃概率。
    num_hiddens : int, 默认 4096
        两个隐藏全连接层的宽度。
    image_size : int, 默认 224
        输入的高和宽。
    generator : torch.Generator, optional
        给出时用它按 PyTorch 默认的分布重新抽取所有卷积层与全连接层的参数。

    Examples
    --------
    >>> net = vgg(((1, 8), (1, 16)))      # 两个块：224 → 56
    >>> net[2]
    Flatten(start_dim=1, end_dim=-1)
    >>> net[3].in_features == 16 * 56 * 56
    True
    """
    arch = tuple(tuple(pair) for pair in arch)
    if not arch or any(len(pair) != 2 for pair in arch):
        raise ValueError(f"arch 必须是非空的（卷积层数，输出通道数）序列，收到 {arch!r}")
    check_positive("num_classes", num_classes)
    check_positive("num_hiddens", num_hiddens)
    check_positive("image_size", image_size)
    check_probability("dropout", dropout)
    blocks = []
    for num_convs, out_channels in arch:
        blocks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    side = image_size // 2 ** len(arch)
    if side < 1:
        raise ValueError(
            f"arch 有 {len(arch)} 个块，{image_size}×{image_size} 的输入会被池化到 0×0"
        )
    net = nn.Sequential(
        *blocks,
        nn.Flatten(),
        nn.Linear(in_channels * side * side, num_hiddens),
        nn.ReLU(),
        nn.Dropout(p=dropout),
        nn.Linear(num_hiddens, num_hiddens),
        nn.ReLU(),
        nn.Dropout(p=dropout),
        nn.Linear(num_hiddens, num_classes),
    )
    return reset_parameters(net, generator)


def vgg11(
    num_classes: int = 10,
    *,
    ratio: int = 1,
    in_channels: int = 1,
    dropout: float = 0.5,
    num_hiddens: int = 4096,
    image_size: int = 224,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """VGG-11：:data:`VGG11_ARCH` 的 5 个块（8 个卷积层）加 3 个全连接层，输入 224×224。

    ``ratio`` 把每个块的输出通道数除以它。书中训练的是 ``ratio=4`` 的窄版本：卷积层的计算量约为
    原来的 1/16，在一块 GPU 上十几分钟就能训练完，结构（层数、核大小、池化）与 VGG-11 完全相同。
    ``num_hiddens`` 与 ``image_size`` 见 :func:`vgg`。

    Examples
    --------
    >>> net = vgg11()
    >>> net(torch.zeros(1, 1, 224, 224)).shape
    torch.Size([1, 10])
    >>> [blk[0].out_channels for blk in vgg11(ratio=4)[:5]]
    [16, 32, 64, 128, 128]
    >>> vgg11(ratio=8, num_hiddens=256, image_size=32)(torch.zeros(1, 1, 32, 32)).shape
    torch.Size([1, 10])
    """
    check_positive("ratio", ratio)
    if any(c % ratio for _, c in VGG11_ARCH):
        raise ValueError(f"ratio 必须整除每个块的通道数 {[c for _, c in VGG11_ARCH]}，收到 {ratio}")
    arch = [(n, c // ratio) for n, c in VGG11_ARCH]
    return vgg(
        arch,
        num_classes,
        in_channels=in_channels,
        dropout=dropout,
        num_hiddens=num_hiddens,
        image_size=image_size,
        generator=generator,
    )
