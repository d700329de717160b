"""MobileNetV2：微调一节用的预训练网络（torchvision 的结构，ImageNet 的权重可以离线安装）。

D2L 的微调一节用 ImageNet 上预训练的 ResNet-18；能离线安装的 ImageNet 权重里没有 ResNet 与 VGG，
只有 torchvision 自己的 MobileNetV2 权重文件（见 :func:`dlbook.data.pretrained.mobilenet_v2_state_dict`）。
:func:`mobilenet_v2` 建出 torchvision 的 MobileNetV2，按需载入这份权重，再换上新的输出层。
"""

from __future__ import annotations

import os

import torch
from torch import nn
from torchvision import models

from dlbook.utils.checks import check_positive

__all__ = ["MobileNetV2", "mobilenet_v2"]

#: ImageNet 的类别数：预训练权重的输出层有这么多个输出。
IMAGENET_CLASSES = 1000


class MobileNetV2(models.MobileNetV2):
    """torchvision 的 MobileNetV2，多一个开关 :attr:`body_frozen`。

    主体 ``features`` （卷积层，输出 1280 个通道）之后是输出层 ``classifier``
    （暂退概率 0.2 的 ``nn.Dropout`` 与 ``nn.Linear(1280, num_classes)``）。冻结主体时
    （``body_frozen=True``），主体的参数不求梯度，``train()`` 也让主体留在评估模式：
    批量规范化层一直用预训练时估计的均值与方差，训练只改输出层——这就是“线性探测”。
    """

    #: 主体是否冻结（参数不求梯度、始终处于评估模式）。
    body_frozen: bool = False

    def freeze_body(self) -> MobileNetV2:
        """冻结主体 ``features``：参数不再求梯度，批量规范化层不再更新统计量。返回模型本身。"""
        self.features.requires_grad_(False)
        self.body_frozen = True
        return self.train(self.training)

    def train(self, mode: bool = True) -> MobileNetV2:
        """与 ``nn.Module.train`` 相同，只是冻结的主体始终留在评估模式。"""
        super().train(mode)
        if self.body_frozen:
            self.features.eval()
        return self


def mobilenet_v2(
    num_classes: int | None = None,
    *,
    pretrained: bool = False,
    freeze_body: bool = False,
    root: str | os.PathLike[str] | None = None,
    generator: torch.Generator | None = None,
) -> MobileNetV2:
    """建一个 MobileNetV2（宽度 1.0，torchvision 的结构）；给出 ``num_classes`` 时换上新的输出层。

    Parameters
    ----------
    num_classes : int, optional
        新输出层的输出个数（目标数据集的类别数）。``None`` 时保留 ImageNet 的 1000 类输出层
        （``pretrained=True`` 时它也是预训练的）。
    pretrained : bool
        是否载入 ImageNet 上预训练的权重（:func:`dlbook.data.pretrained.mobilenet_v2_state_dict`，
        torchvision 的 ``IMAGENET1K_V1``）。载入的是整个网络（含 1000 类的输出层）；给出 ``num_classes``
        时主体保留，输出层换成新的 ``nn.Linear(1280, num_classes)``。为 ``False`` 时所有参数按 torchvision 的方式
        随机初始化（卷积层 He 初始化，用 PyTorch 的全局随机数）。
    freeze_body : bool
        冻结主体（:meth:`MobileNetV2.freeze_body`），只训练新的输出层。
    root : path, optional
        权重文件所在的目录，交给 :func:`~dlbook.data.pretrained.mobilenet_v2_state_dict`。
    generator : torch.Generator, optional
        新输出层的初值用它抽取（与 torchvision 相同的分布：权重 :math:`N(0, 0.01^2)`，偏置 0），
        不依赖全局随机数状态。

    Examples
    --------
    >>> mobilenet_v2().classifier[-1].out_features              # ImageNet 的 1000 类
    1000
    >>> net = mobilenet_v2(10)
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    >>> net.classifier
    Sequential(
      (0): Dropout(p=0.2, inplace=False)
      (1): Linear(in_features=1280, out_features=10, bias=True)
    )
    >>> frozen = mobilenet_v2(10, freeze_body=True).train()
    >>> frozen.features.training, frozen.classifier.training
    (False, True)
    >>> sum(p.numel() for p in frozen.parameters() if p.requires_grad)   # 只剩输出层：1280 × 10 + 10
    12810
    """
    if num_classes is not None:
        check_positive("num_classes", num_classes)
    net = MobileNetV2(num_classes=IMAGENET_CLASSES)
    if pretrained:
        from dlbook.data.pretrained import mobilenet_v2_state_dict

        net.load_state_dict(mobilenet_v2_state_dict(root))
    if num_classes is not None:
        # 新的输出层：预训练的输出层对应 ImageNet 的 1000 类，对目标数据集没有用
        head = nn.Linear(net.last_channel, num_classes)
        with torch.no_grad():
            head.weight.normal_(0.0, 0.01, generator=generator)
            head.bias.zero_()
        net.classifier[-1] = head
    if freeze_body:
        net.freeze_body()
    return net
