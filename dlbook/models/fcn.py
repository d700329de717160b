"""全卷积网络（FCN）：预训练的 MobileNetV2 主体、1×1 卷积到类别数、双线性初始化的转置卷积放大回原图。

D2L 的 FCN 用 ImageNet 上预训练的 ResNet-18 去掉全局平均池化与全连接层作主体。能离线安装的 ImageNet
权重里没有 ResNet，只有 torchvision 的 MobileNetV2（:func:`dlbook.data.pretrained.mobilenet_v2_state_dict`），
所以主体换成 MobileNetV2 的卷积部分 ``features`` ——它与 ResNet-18 一样把高宽缩小 32 倍，输出 1280 个
通道。其余与 D2L 相同：1×1 卷积把通道数变成类别数，步幅 32 的转置卷积（核 64、填充 16）把高宽放大 32 倍，
它的核初始化成双线性插值（:func:`bilinear_kernel`）。

``stride=16`` 时主体只取到高宽缩小 16 倍为止（``features[:14]``，96 个通道），转置卷积相应地放大 16 倍：
128×128 的小图像在步幅 32 下只剩 4×4 个位置，放大回去的预测太粗。
"""

from __future__ import annotations

import os

import torch
from torch import nn

from dlbook.data.augmentation import IMAGENET_MEAN, IMAGENET_STD
from dlbook.models.mobilenet import mobilenet_v2
from dlbook.utils.checks import check_positive

__all__ = ["FCN", "bilinear_kernel", "fcn"]

#: 主体缩小高宽的倍数 → 取 MobileNetV2 的 ``features`` 的前几层（``None`` 表示全部）。
_BODY_LAYERS = {32: None, 16: 14}


def bilinear_kernel(in_channels: int, out_channels: int, kernel_size: int) -> torch.Tensor:
    """双线性插值的转置卷积核 ``(in_channels, out_channels, k, k)`` （D2L 的 ``bilinear_kernel``）。

    核是两个一维“帐篷”函数的外积 :math:`(1 - |i - c| / f)(1 - |j - c| / f)`，其中
    :math:`f = \\lceil k / 2 \\rceil`、中心 :math:`c` 在核的正中；只有输入通道 ``i`` 连到输出通道 ``i``
    （其余为 0），每个通道各自放大。核 ``2s``、步幅 ``s``、填充 ``s / 2`` 的转置卷积用这个核时，
    离边界 ``s / 2`` 个像素以内的部分与 ``F.interpolate(scale_factor=s, mode="bilinear")`` 完全相同
    （边界上插值函数复制边缘像素，转置卷积把图像之外当作 0）。

    Examples
    --------
    >>> bilinear_kernel(1, 1, 4)[0, 0]
    tensor([[0.0625, 0.1875, 0.1875, 0.0625],
            [0.1875, 0.5625, 0.5625, 0.1875],
            [0.1875, 0.5625, 0.5625, 0.1875],
            [0.0625, 0.1875, 0.1875, 0.0625]])
    """
    check_positive("kernel_size", kernel_size)
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    og = torch.arange(kernel_size, dtype=torch.float32)
    tent = 1 - torch.abs(og - center) / factor
    weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
    channels = range(min(in_channels, out_channels))
    weight[channels, channels, :, :] = tent[:, None] * tent[None, :]
    return weight


class FCN(nn.Module):
    """全卷积网络：``[0, 1]`` 的图像 ``(B, 3, H, W)`` → 每个像素的类别得分 ``(B, num_classes, H, W)``。

    先按 ImageNet 的均值与方差逐通道规范化（预训练主体见过的输入就是这样的），再依次通过
    ``body`` （高宽缩小 ``stride`` 倍）、``classifier`` （1×1 卷积到类别数）与 ``upsample``
    （转置卷积，放大 ``stride`` 倍）。``H`` 与 ``W`` 是 ``stride`` 的倍数时输出与输入一样大。
    """

    def __init__(self, body: nn.Module, body_channels: int, num_classes: int, stride: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).reshape(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).reshape(1, 3, 1, 1))
        self.body = body
        self.classifier = nn.Conv2d(body_channels, num_classes, kernel_size=1)
        self.upsample = nn.ConvTranspose2d(
            num_classes, num_classes, kernel_size=2 * stride, padding=stride // 2, stride=stride
        )
        with torch.no_grad():
            self.upsample.weight.copy_(bilinear_kernel(num_classes, num_classes, 2 * stride))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = (X - self.mean) / self.std
        return self.upsample(self.classifier(self.body(X)))


def fcn(
    num_classes: int,
    *,
    pretrained: bool = True,
    stride: int = 32,
    root: str | os.PathLike[str] | None = None,
) -> FCN:
    """建一个 FCN：主体是 MobileNetV2 的 ``features`` （``stride=32``：全部，1280 个通道；``stride=16``：
    前 14 层，96 个通道），``pretrained`` 时载入 ImageNet 的权重（:func:`~dlbook.models.mobilenet.mobilenet_v2`），
    否则按 torchvision 的方式随机初始化（从零训练的对照）。1×1 卷积用 PyTorch 的默认初始化（全局随机数），
    转置卷积（核 ``2 stride``、填充 ``stride / 2``）初始化成双线性插值。

    Examples
    --------
    >>> net = fcn(4, pretrained=False)
    >>> net(torch.zeros(2, 3, 64, 96)).shape
    torch.Size([2, 4, 64, 96])
    >>> fcn(4, pretrained=False, stride=16).classifier
    Conv2d(96, 4, kernel_size=(1, 1), stride=(1, 1))
    """
    check_positive("num_classes", num_classes)
    if stride not in _BODY_LAYERS:
        raise ValueError(f"stride 必须是 {' 或 '.join(map(str, _BODY_LAYERS))}，收到 {stride!r}")
    features = mobilenet_v2(pretrained=pretrained, root=root).features
    body = features if _BODY_LAYERS[stride] is None else features[: _BODY_LAYERS[stride]]
    return FCN(body, body[-1].out_channels, num_classes, stride)
