"""用固定的预训练主体一次性抽取特征，之后只在特征上训练一个小的输出网络（D2L 13.14 节的做法）。

D2L 在狗的品种识别里不微调 ResNet-34 的主体：它的参数固定，只训练接在后面的两层小网络。主体既然不变，
每张图像的特征也不变——抽一次、存下来，训练输出网络的每一轮就只是在特征上做矩阵乘法，比每轮都让图像
穿过整个主体快上百倍。
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.data.augmentation import imagenet_input

__all__ = ["pretrained_features"]


def pretrained_features(
    body: nn.Module,
    images: torch.Tensor,
    *,
    size: int | None = None,
    batch_size: int = 64,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """让 ``uint8`` 图像 ``(N, C, H, W)`` 逐批穿过预训练主体 ``body``，返回全局平均汇聚后的特征 ``(N, 通道数)``。

    每批先除以 255，缩放到 ``size×size`` （给出时），单通道复制成三个通道并按 ImageNet 的均值与标准差
    标准化（:func:`~dlbook.data.augmentation.imagenet_input`），再送进 ``body``。``body`` 在评估模式下
    运行（批量规范化用预训练的统计量），不求梯度；结束后恢复它原来的模式。

    Examples
    --------
    >>> body = nn.Sequential(nn.Conv2d(3, 5, 3), nn.ReLU())
    >>> pretrained_features(body, torch.zeros(7, 1, 8, 8, dtype=torch.uint8), size=6, batch_size=3).shape
    torch.Size([7, 5])
    """
    if images.dtype != torch.uint8 or images.dim() != 4:
        raise ValueError(
            f"images 应是 uint8、形状 (N, C, H, W) 的张量，收到 {images.dtype} {tuple(images.shape)}"
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size 必须是正整数，收到 {batch_size!r}")
    device = torch.device(device) if device is not None else next(body.parameters()).device
    normalize = imagenet_input()
    was_training = body.training
    body.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            X = images[start : start + batch_size].to(device).float().div_(255)
            if size is not None and X.shape[-2:] != (size, size):
                X = F.interpolate(
                    X, size=(size, size), mode="bilinear", antialias=True, align_corners=False
                )
            out.append(body(normalize(X)).mean(dim=(2, 3)).cpu())
    body.train(was_training)
    return torch.cat(out) if out else torch.empty(0, 0)
