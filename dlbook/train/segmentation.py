"""语义分割的训练：逐像素的交叉熵，每轮调用书中讲的 :func:`~dlbook.train.loop.train_epoch`，
每轮之后在留出图像上算像素精度与平均交并比（:mod:`dlbook.metrics.segmentation`）。

与分类的唯一区别在损失与指标：网络对每个像素输出一个类别得分向量，损失是所有像素交叉熵的平均
（:func:`pixel_cross_entropy`）；精度按像素计而不是按图像计，所以这里不用
:func:`~dlbook.train.trainer.train_classifier` 的“每张图像一个标签”的精度，而是每轮在验证集上累加混淆矩阵。
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.metrics.segmentation import SegmentationScores, segmentation_scores
from dlbook.plotting.liveplot import LivePlot
from dlbook.train.loop import EpochRecord, History, train_epoch
from dlbook.utils.checks import check_positive, check_positive_number
from dlbook.utils.seeding import seed_everything

__all__ = ["SegmentationHistory", "pixel_cross_entropy", "train_segmenter"]


def pixel_cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """逐像素的交叉熵：得分 ``(B, K, H, W)``、标签 ``(B, H, W)`` → 每个像素的损失 ``(B, H, W)``。

    训练循环对它求平均，就是 D2L 的 ``F.cross_entropy(...).mean(1).mean(1)`` 再对批量平均。

    Examples
    --------
    >>> pixel_cross_entropy(torch.zeros(1, 4, 2, 3), torch.zeros(1, 2, 3, dtype=torch.long)).shape
    torch.Size([1, 2, 3])
    """
    return F.cross_entropy(y_hat, y, reduction="none")


@dataclass
class SegmentationHistory(History):
    """分割训练的逐轮记录：``train_loss`` 是逐像素交叉熵的平均，``test_acc`` 是验证集的像素精度，
    另记每轮验证集的平均交并比 ``mean_iou`` 与最后一轮的 :class:`~dlbook.metrics.segmentation.SegmentationScores`。

    Examples
    --------
    >>> h = SegmentationHistory(device="cpu")
    >>> h.append(EpochRecord(1, 0.5, None, None, 0.9, 100, 1.0, 100.0, 1.0), 0.6)
    >>> h.summary()
    'loss 0.500, val pixel acc 0.900, val mIoU 0.600, 100.0 examples/sec on cpu'
    """

    task: str = "segmentation"
    mean_iou: list[float] = field(default_factory=list)
    scores: SegmentationScores | None = None

    def append(self, record: EpochRecord, mean_iou: float = math.nan) -> None:  # type: ignore[override]
        """添加一轮的记录与这一轮验证集上的平均交并比。"""
        super().append(record)
        self.mean_iou.append(mean_iou)

    def summary(self) -> str:
        """一行总结：训练损失、验证集的像素精度与平均交并比、吞吐量。"""
        r = self.final
        return (
            f"loss {r.train_loss:.3f}, val pixel acc {r.test_acc:.3f}, "
            f"val mIoU {self.mean_iou[-1]:.3f}, {self.examples_per_sec():.1f} examples/sec on {self.device}"
        )


def train_segmenter(
    net: nn.Module,
    train_iter: Iterable[Any],
    val_iter: Iterable[Any],
    num_epochs: int,
    num_classes: int,
    *,
    lr: float,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    device: torch.device | str | None = None,
    seed: int | None = None,
    plot: bool | LivePlot = True,
    verbose: bool = True,
) -> SegmentationHistory:
    """用小批量随机梯度下降训练分割网络，返回每轮的记录（D2L 的 FCN 一节用 ``train_ch13``）。

    每一轮调用 :func:`~dlbook.train.loop.train_epoch` （损失 :func:`pixel_cross_entropy`），之后在
    ``val_iter`` 上算像素精度与平均交并比（:func:`~dlbook.metrics.segmentation.segmentation_scores`）；
    画出训练损失、验证集像素精度与 mIoU 三条曲线。

    Parameters
    ----------
    net : nn.Module
        输出 ``(B, num_classes, H, W)`` 得分的网络，例如 :func:`~dlbook.models.fcn.fcn`。
    train_iter, val_iter : iterable of (X, Y)
        图像 ``(B, 3, H, W)`` 与类别 ``(B, H, W)``。
    num_epochs, num_classes : int
        训练轮数与类别数（含背景）。
    lr, weight_decay, momentum : float
        ``torch.optim.SGD`` 的参数（对逐像素损失的平均值反向传播）。
    device : torch.device or str, optional
        默认是模型参数所在的设备。
    seed : int, optional
        训练前调用 :func:`dlbook.seed_everything`。
    plot : bool or LivePlot
        是否画训练曲线。
    verbose : bool
        结束时是否打印总结行。
    """
    check_positive("num_epochs", num_epochs)
    check_positive_number("lr", lr)
    if seed is not None:
        seed_everything(seed)
    device = torch.device(device) if device is not None else next(net.parameters()).device
    net.to(device)
    optimizer = torch.optim.SGD(
        net.parameters(), lr=lr, weight_decay=weight_decay, momentum=momentum
    )
    live: LivePlot | None
    if isinstance(plot, LivePlot):
        live = plot
    elif plot:
        live = LivePlot(
            xlabel="epoch",
            legend=["train loss", "val pixel acc", "val mIoU"],
            xlim=(1, max(num_epochs, 2)),
        )
    else:
        live = None
    history = SegmentationHistory(device=str(device))
    wall_start = time.perf_counter()
    try:
        for epoch in range(num_epochs):
            if hasattr(train_iter, "set_epoch"):
                train_iter.set_epoch(epoch)
            start = time.perf_counter()
            stats = train_epoch(
                net, train_iter, pixel_cross_entropy, optimizer, device=device, accuracy=False
            )
            train_loss = stats.loss  # 每轮只同步一次
            seconds = time.perf_counter() - start
            scores = segmentation_scores(net, val_iter, num_classes)
            n = stats.num_examples
            record = EpochRecord(
                epoch=epoch + 1,
                train_loss=train_loss,
                train_acc=None,
                test_loss=None,
                test_acc=scores.pixel_accuracy,
                num_examples=n,
                train_seconds=seconds,
                examples_per_sec=n / seconds if seconds > 0 else 0.0,
                wall_time=time.perf_counter() - wall_start,
            )
            history.append(record, scores.mean_iou)
            history.scores = scores
            if live is not None:
                live.add(epoch + 1, (train_loss, scores.pixel_accuracy, scores.mean_iou))
    finally:
        if live is not None:
            live.finish()
    if verbose:
        print(history.summary())
    return history
