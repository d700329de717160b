"""语义分割的指标：混淆矩阵、像素精度、每类交并比（IoU）与平均交并比（mIoU）。

设混淆矩阵 :math:`N` 的 :math:`N_{ij}` 是真实类别为 :math:`i`、预测为 :math:`j` 的像素数，则

.. math::
    \\text{像素精度} = \\frac{\\sum_i N_{ii}}{\\sum_{ij} N_{ij}}, \\qquad
    \\text{IoU}_i = \\frac{N_{ii}}{\\sum_j N_{ij} + \\sum_j N_{ji} - N_{ii}}, \\qquad
    \\text{mIoU} = \\frac{1}{K}\\sum_i \\text{IoU}_i .

像素精度被占多数的背景左右（全部预测成背景也能得到很高的像素精度）；mIoU 对每个类别一视同仁，
是 FCN 论文与 VOC 评测报告的主要指标。混淆矩阵在全部图像上累加之后再算（不是每张图像算一次再平均）。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

__all__ = ["SegmentationScores", "confusion_matrix", "segmentation_scores"]


def confusion_matrix(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """逐像素的混淆矩阵 ``(num_classes, num_classes)``：行是真实类别，列是预测类别。

    Examples
    --------
    >>> confusion_matrix(torch.tensor([[0, 1], [1, 1]]), torch.tensor([[0, 0], [1, 1]]), 2)
    tensor([[1, 1],
            [0, 2]])
    """
    if pred.shape != target.shape:
        raise ValueError(
            f"pred 与 target 的形状必须相同，收到 {tuple(pred.shape)} 与 {tuple(target.shape)}"
        )
    index = target.reshape(-1).long() * num_classes + pred.reshape(-1).long()
    counts = torch.bincount(index, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


@dataclass
class SegmentationScores:
    """由混淆矩阵算出的分数。

    Attributes
    ----------
    confusion : torch.Tensor
        ``(K, K)`` 的混淆矩阵（行是真实类别）。
    pixel_accuracy : float
        预测正确的像素比例。
    iou : list of float
        每个类别的交并比；某类既不出现也没被预测时为 ``nan``，不计入 ``mean_iou``。
    mean_iou : float
        各类交并比的平均。

    Examples
    --------
    >>> s = SegmentationScores.from_confusion(torch.tensor([[1, 1], [0, 2]]))
    >>> s.pixel_accuracy, [round(v, 3) for v in s.iou], round(s.mean_iou, 3)
    (0.75, [0.5, 0.667], 0.583)
    """

    confusion: torch.Tensor
    pixel_accuracy: float
    iou: list[float]
    mean_iou: float

    @classmethod
    def from_confusion(cls, confusion: torch.Tensor) -> SegmentationScores:
        """由混淆矩阵计算像素精度、每类 IoU 与 mIoU。"""
        cm = confusion.double()
        tp = cm.diagonal()
        union = cm.sum(0) + cm.sum(1) - tp
        iou = torch.where(union > 0, tp / union.clamp(min=1), torch.full_like(tp, float("nan")))
        return cls(
            confusion=confusion,
            pixel_accuracy=(tp.sum() / cm.sum()).item(),
            iou=iou.tolist(),
            mean_iou=iou.nanmean().item(),
        )


@torch.no_grad()
def segmentation_scores(
    net: Any, data_iter: Iterable[tuple[torch.Tensor, torch.Tensor]], num_classes: int
) -> SegmentationScores:
    """在 ``data_iter`` 的全部图像上预测（每个像素取得分最大的类别），累加混淆矩阵后评分。

    评估期间 ``nn.Module`` 处于评估模式，结束后恢复原来的模式；批次移到模型参数所在的设备上。

    Examples
    --------
    >>> net = torch.nn.Identity()  # “得分”就是输入：两个通道里较大的那个是预测
    >>> X = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]]]])  # (1, 2, 1, 2)
    >>> segmentation_scores(net, [(X, torch.tensor([[[0, 0]]]))], 2).pixel_accuracy
    0.5
    """
    params = list(net.parameters()) if isinstance(net, nn.Module) else []
    device = params[0].device if params else torch.device("cpu")
    was_training = net.training if isinstance(net, nn.Module) else None
    if was_training is not None:
        net.eval()
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=device)
    try:
        for X, Y in data_iter:
            X, Y = X.to(device), Y.to(device)
            confusion += confusion_matrix(net(X).argmax(dim=1), Y, num_classes)
    finally:
        if was_training is not None:
            net.train(was_training)
    if int(confusion.sum()) == 0:
        raise ValueError("data_iter 为空：至少需要一个批次")
    return SegmentationScores.from_confusion(confusion.cpu())
