"""单发多框检测（SSD）：D2L 的 TinySSD 及其组成部分。

SSD 在几个分辨率不同的特征图上各生成一组锚框（:func:`dlbook.ops.boxes.multibox_prior`），再用两个
3×3 卷积在每个像素上为以它为中心的每个锚框预测类别（:func:`cls_predictor`）与偏移量
（:func:`bbox_predictor`）。特征图由高宽减半块（:func:`down_sample_blk`）逐级缩小：大的特征图上锚框小、
检测小目标，小的特征图上锚框大、检测大目标。:class:`TinySSD` 把五个尺度的预测拼在一起，训练与预测
在 :mod:`dlbook.train.detection`。

与 D2L 相比多了一个参数 ``width``：所有卷积的通道数乘以它，让 CPU 上也能在几十秒内训练。
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from dlbook.ops.boxes import multibox_prior
from dlbook.utils.checks import check_positive

__all__ = [
    "SSD_RATIOS",
    "SSD_SIZES",
    "TinySSD",
    "base_net",
    "bbox_predictor",
    "cls_predictor",
    "concat_preds",
    "down_sample_blk",
    "flatten_pred",
    "tiny_ssd",
]

#: 五个尺度上锚框的大小（占图像边长的比例）：D2L 的取值，从 0.2 线性增大到 0.88，每个尺度再加上
#: 它与下一个尺度的几何平均（例如 :math:`\sqrt{0.2 \times 0.37} \approx 0.272`）。
SSD_SIZES: tuple[tuple[float, float], ...] = (
    (0.2, 0.272),
    (0.37, 0.447),
    (0.54, 0.619),
    (0.71, 0.79),
    (0.88, 0.961),
)
#: 每个尺度上锚框的宽高比（D2L 的取值）。
SSD_RATIOS: tuple[tuple[float, ...], ...] = ((1.0, 2.0, 0.5),) * 5


def cls_predictor(num_inputs: int, num_anchors: int, num_classes: int) -> nn.Conv2d:
    """类别预测层：3×3 卷积（填充 1，高宽不变），每个像素输出 ``num_anchors × (num_classes + 1)``
    个通道，即以该像素为中心的每个锚框对每个类别（加上背景类 0）的得分。

    Examples
    --------
    >>> cls_predictor(8, 5, 10)(torch.zeros(2, 8, 20, 20)).shape
    torch.Size([2, 55, 20, 20])
    """
    return nn.Conv2d(num_inputs, num_anchors * (num_classes + 1), kernel_size=3, padding=1)


def bbox_predictor(num_inputs: int, num_anchors: int) -> nn.Conv2d:
    """边界框预测层：3×3 卷积，每个像素为每个锚框输出 4 个偏移量。

    Examples
    --------
    >>> bbox_predictor(8, 5)(torch.zeros(2, 8, 20, 20)).shape
    torch.Size([2, 20, 20, 20])
    """
    return nn.Conv2d(num_inputs, num_anchors * 4, kernel_size=3, padding=1)


def flatten_pred(pred: torch.Tensor) -> torch.Tensor:
    """把 ``(批量, 通道, 高, 宽)`` 的预测变成 ``(批量, 高 × 宽 × 通道)``。

    先把通道维移到最后，使同一个像素的全部预测连在一起——这与 :func:`~dlbook.ops.boxes.multibox_prior`
    排列锚框的顺序（逐像素，每个像素的锚框相邻）一致。

    Examples
    --------
    >>> flatten_pred(torch.zeros(2, 55, 20, 20)).shape
    torch.Size([2, 22000])
    """
    return torch.flatten(pred.permute(0, 2, 3, 1), start_dim=1)


def concat_preds(preds: Sequence[torch.Tensor]) -> torch.Tensor:
    """把各尺度的预测（高宽、通道数都可以不同）展平后沿第 1 维连接起来。

    Examples
    --------
    >>> Y1, Y2 = torch.zeros(2, 55, 20, 20), torch.zeros(2, 33, 10, 10)
    >>> concat_preds([Y1, Y2]).shape                  # 20·20·55 + 10·10·33
    torch.Size([2, 25300])
    """
    return torch.cat([flatten_pred(p) for p in preds], dim=1)


def down_sample_blk(in_channels: int, out_channels: int) -> nn.Sequential:
    """高宽减半块：两个“3×3 卷积（填充 1）+ 批量规范化 + ReLU”，再接步幅 2 的 2×2 最大汇聚。

    两个 3×3 卷积之后，输出的每个元素在输入上的感受野是 6×6（汇聚之前是 5×5）。

    Examples
    --------
    >>> down_sample_blk(3, 10)(torch.zeros(2, 3, 20, 20)).shape
    torch.Size([2, 10, 10, 10])
    """
    check_positive("in_channels", in_channels)
    check_positive("out_channels", out_channels)
    layers: list[nn.Module] = []
    for _ in range(2):
        layers += [
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
        ]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


def base_net(channels: Sequence[int] = (16, 32, 64)) -> nn.Sequential:
    """基本网络块：串联的高宽减半块，通道数依次是 ``channels`` （D2L：16、32、64），高宽缩小
    :math:`2^{\\text{len(channels)}}` 倍。

    Examples
    --------
    >>> base_net()(torch.zeros(2, 3, 256, 256)).shape
    torch.Size([2, 64, 32, 32])
    """
    sizes = [3, *channels]
    return nn.Sequential(*(down_sample_blk(sizes[i], sizes[i + 1]) for i in range(len(channels))))


def _scaled(channels: int, width: float) -> int:
    return max(1, round(channels * width))


class TinySSD(nn.Module):
    """D2L 的 TinySSD：五个尺度的特征图上各一组锚框、一个类别预测层与一个边界框预测层。

    五个块依次是：基本网络块（:func:`base_net`，高宽缩小 8 倍）、三个高宽减半块
    （:func:`down_sample_blk`）和一个把高宽压到 1×1 的全局最大汇聚。256×256 的输入得到
    32×32、16×16、8×8、4×4、1×1 五个特征图；每个像素上有 ``len(sizes[i]) + len(ratios[i]) - 1``
    个锚框（D2L：4 个）。

    Parameters
    ----------
    num_classes : int
        目标的类别数（不含背景）。
    width : float, 默认 1.0
        通道数的倍数：1.0 是 D2L 的通道数（16、32、64、128、128、128），0.5 时减半。
    sizes, ratios : sequence of sequence of float
        五个尺度上锚框的大小与宽高比，默认 :data:`SSD_SIZES`、:data:`SSD_RATIOS`。

    Examples
    --------
    >>> net = TinySSD(num_classes=1)
    >>> anchors, cls_preds, bbox_preds = net(torch.zeros(32, 3, 256, 256))
    >>> anchors.shape, cls_preds.shape, bbox_preds.shape     # (32² + 16² + 8² + 4² + 1) × 4 = 5444
    (torch.Size([1, 5444, 4]), torch.Size([32, 5444, 2]), torch.Size([32, 21776]))
    """

    def __init__(
        self,
        num_classes: int,
        *,
        width: float = 1.0,
        sizes: Sequence[Sequence[float]] = SSD_SIZES,
        ratios: Sequence[Sequence[float]] = SSD_RATIOS,
    ) -> None:
        super().__init__()
        check_positive("num_classes", num_classes)
        if not (isinstance(width, (int, float)) and width > 0):
            raise ValueError(f"width 必须是正数，收到 {width!r}")
        if len(sizes) != 5 or len(ratios) != 5:
            raise ValueError(
                f"sizes 与 ratios 须各有 5 项（每个尺度一项），收到 {len(sizes)} 与 {len(ratios)}"
            )
        self.num_classes = num_classes
        self.sizes = [tuple(s) for s in sizes]
        self.ratios = [tuple(r) for r in ratios]
        num_anchors = [len(s) + len(r) - 1 for s, r in zip(self.sizes, self.ratios, strict=True)]
        base = [_scaled(c, width) for c in (16, 32, 64)]
        c = _scaled(128, width)
        self.blocks = nn.ModuleList(
            [
                base_net(base),
                down_sample_blk(base[-1], c),
                down_sample_blk(c, c),
                down_sample_blk(c, c),
                nn.AdaptiveMaxPool2d((1, 1)),
            ]
        )
        in_channels = [base[-1], c, c, c, c]
        self.cls_predictors = nn.ModuleList(
            [
                cls_predictor(i, a, num_classes)
                for i, a in zip(in_channels, num_anchors, strict=True)
            ]
        )
        self.bbox_predictors = nn.ModuleList(
            [bbox_predictor(i, a) for i, a in zip(in_channels, num_anchors, strict=True)]
        )

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """返回 ``(anchors, cls_preds, bbox_preds)``：锚框 ``(1, 锚框数, 4)`` （坐标除以图像边长），
        类别得分 ``(批量, 锚框数, num_classes + 1)``，偏移量 ``(批量, 锚框数 × 4)``。"""
        anchors, cls_preds, bbox_preds = [], [], []
        for i, block in enumerate(self.blocks):
            X = block(X)
            anchors.append(multibox_prior(X, sizes=self.sizes[i], ratios=self.ratios[i]))
            cls_preds.append(self.cls_predictors[i](X))
            bbox_preds.append(self.bbox_predictors[i](X))
        cls = concat_preds(cls_preds)
        return (
            torch.cat(anchors, dim=1),
            cls.reshape(cls.shape[0], -1, self.num_classes + 1),
            concat_preds(bbox_preds),
        )


def tiny_ssd(num_classes: int = 1, width: float = 1.0) -> TinySSD:
    """D2L 的 TinySSD（:class:`TinySSD`），通道数乘以 ``width``。

    Examples
    --------
    >>> net = tiny_ssd(num_classes=3, width=0.5)
    >>> anchors, cls_preds, bbox_preds = net(torch.zeros(2, 3, 128, 128))
    >>> anchors.shape, cls_preds.shape, bbox_preds.shape     # (16² + 8² + 4² + 2² + 1) × 4 = 1364
    (torch.Size([1, 1364, 4]), torch.Size([2, 1364, 4]), torch.Size([2, 5456]))
    """
    return TinySSD(num_classes, width=width)
