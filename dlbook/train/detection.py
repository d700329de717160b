"""单发多框检测（SSD）的损失、训练与预测。模型在 :mod:`dlbook.models.ssd`，指标在
:mod:`dlbook.metrics.detection`。

取代 D2L 的 ``calc_loss``、SSD 一节的训练循环与 ``predict``：

* :func:`ssd_loss`：锚框类别的交叉熵加上正类锚框偏移量的 L1 损失；
* :func:`train_ssd`：每一轮调用书中讲的 :func:`~dlbook.train.loop.train_epoch`，一步换成
  :class:`SSDStep` （前向计算之后先用 :func:`~dlbook.ops.boxes.multibox_target` 给锚框标注类别与偏移量）；
* :func:`predict_ssd`：softmax 得到类别概率，:func:`~dlbook.ops.boxes.multibox_detection` 把偏移量加到
  锚框上并做非极大值抑制；
* :func:`evaluate_detector`：在留出图像上检测，算 AP@0.5 与 mAP@0.5（:func:`~dlbook.metrics.detection.detection_scores`）。
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

from dlbook.metrics.detection import DetectionScores, bbox_eval, cls_eval, detection_scores
from dlbook.ops.boxes import multibox_detection, multibox_target
from dlbook.plotting.liveplot import LivePlot
from dlbook.train.loop import EpochRecord, History, train_epoch
from dlbook.utils.checks import check_positive, check_positive_number
from dlbook.utils.seeding import seed_everything

__all__ = [
    "DetectionHistory",
    "SSDStep",
    "evaluate_detector",
    "predict_ssd",
    "ssd_loss",
    "train_ssd",
]


def ssd_loss(
    cls_preds: torch.Tensor,
    cls_labels: torch.Tensor,
    bbox_preds: torch.Tensor,
    bbox_labels: torch.Tensor,
    bbox_masks: torch.Tensor,
) -> torch.Tensor:
    """SSD 的逐样本损失：每个锚框类别的交叉熵的平均，加上掩码后偏移量的 L1 损失的平均。

    .. math:: \\ell = \\frac{1}{A}\\sum_{a=1}^{A} -\\log \\hat p_{a, c_a}
              + \\frac{1}{4A}\\sum_{a=1}^{A}\\sum_{k=1}^{4} m_{a}\\,|\\hat t_{a,k} - t_{a,k}|

    其中 :math:`A` 是锚框数，:math:`c_a` 是锚框 :math:`a` 的类别标签（0 为背景），
    :math:`m_a` 是掩码（背景锚框为 0：它们没有要回归的边界框）。与 D2L 相同，L1 损失的分母是全部
    锚框的偏移量个数。

    Parameters
    ----------
    cls_preds : torch.Tensor
        ``(批量, 锚框数, 类别数 + 1)`` 的得分（未归一化）。
    cls_labels : torch.Tensor
        ``(批量, 锚框数)`` 的类别标签。
    bbox_preds, bbox_labels, bbox_masks : torch.Tensor
        ``(批量, 锚框数 × 4)`` 的预测偏移量、标签偏移量与掩码。

    Returns
    -------
    torch.Tensor
        ``(批量,)``。

    Examples
    --------
    两个锚框，得分全为 0（交叉熵 log 2）；只有第一个是正类，它的偏移量每项差 1（L1 平均 4/8）。

    >>> cls_preds, cls_labels = torch.zeros(1, 2, 2), torch.tensor([[1, 0]])
    >>> bbox_preds, bbox_labels = torch.ones(1, 8), torch.zeros(1, 8)
    >>> masks = torch.tensor([[1.0, 1, 1, 1, 0, 0, 0, 0]])
    >>> loss = ssd_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, masks)
    >>> torch.allclose(loss, torch.tensor([math.log(2) + 0.5]))
    True
    """
    batch_size, num_classes = cls_preds.shape[0], cls_preds.shape[2]
    cls = F.cross_entropy(
        cls_preds.reshape(-1, num_classes), cls_labels.reshape(-1), reduction="none"
    ).reshape(batch_size, -1)
    bbox = F.l1_loss(bbox_preds * bbox_masks, bbox_labels * bbox_masks, reduction="none")
    return cls.mean(dim=1) + bbox.mean(dim=1)


class SSDStep:
    """:func:`~dlbook.train.loop.train_epoch` 的一步（代替默认的 :func:`~dlbook.train.loop.train_step`），
    顺便累加 D2L 的两个训练指标。

    一步：前向得到锚框、类别得分与偏移量；:func:`~dlbook.ops.boxes.multibox_target` 按小批量的真实
    边界框给每个锚框标注类别与偏移量；``loss`` （即 :func:`ssd_loss`）给出逐样本损失，对其平均值反向
    传播、更新参数。预测对了类别的锚框数与偏移量的绝对误差之和留在设备上累加，读
    :attr:`class_error`、:attr:`bbox_mae` 时才同步；每轮开始前调用 :meth:`reset`。
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """清零累加量。"""
        self.correct: Any = 0
        self.abs_error: Any = 0
        self.num_anchors = 0
        self.num_offsets = 0

    def __call__(
        self, net: nn.Module, X: torch.Tensor, Y: torch.Tensor, loss: Any, updater: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        anchors, cls_preds, bbox_preds = net(X)
        bbox_labels, bbox_masks, cls_labels = multibox_target(anchors, Y)
        losses = loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks)
        updater.zero_grad(set_to_none=True)
        losses.mean().backward()
        updater.step()
        with torch.no_grad():
            self.correct = self.correct + cls_eval(cls_preds, cls_labels)
            self.abs_error = self.abs_error + bbox_eval(bbox_preds, bbox_labels, bbox_masks)
        self.num_anchors += cls_labels.numel()
        self.num_offsets += bbox_labels.numel()
        return losses.detach(), cls_preds.detach()

    @property
    def class_error(self) -> float:
        """锚框类别的错误率（读它时同步一次）。"""
        return 1.0 - float(self.correct) / self.num_anchors

    @property
    def bbox_mae(self) -> float:
        """偏移量的平均绝对误差（读它时同步一次）。"""
        return float(self.abs_error) / self.num_offsets


@dataclass
class DetectionHistory(History):
    """SSD 训练的逐轮记录：``train_loss`` 是 :func:`ssd_loss` 的平均，另记每轮训练中锚框类别的错误率
    与偏移量的平均绝对误差（D2L 的两条曲线）。

    Examples
    --------
    >>> h = DetectionHistory(device="cpu")
    >>> h.append(EpochRecord(1, 0.5, None, None, None, 100, 1.0, 100.0, 1.0), 0.01, 0.004)
    >>> h.summary()
    'class err 1.00e-02, bbox mae 4.00e-03, 100.0 examples/sec on cpu'
    """

    task: str = "detection"
    class_error: list[float] = field(default_factory=list)
    bbox_mae: list[float] = field(default_factory=list)

    def append(  # type: ignore[override]
        self, record: EpochRecord, class_error: float = math.nan, bbox_mae: float = math.nan
    ) -> None:
        """添加一轮的记录与这一轮的两个训练指标。"""
        super().append(record)
        self.class_error.append(class_error)
        self.bbox_mae.append(bbox_mae)

    def summary(self) -> str:
        """一行总结，格式与 D2L 相同：``class err …, bbox mae …, … examples/sec on cpu``。"""
        return (
            f"class err {self.class_error[-1]:.2e}, bbox mae {self.bbox_mae[-1]:.2e}, "
            f"{self.examples_per_sec():.1f} examples/sec on {self.device}"
        )


def train_ssd(
    net: nn.Module,
    train_iter: Iterable[Any],
    num_epochs: int,
    *,
    lr: float = 0.2,
    weight_decay: float = 5e-4,
    device: torch.device | str | None = None,
    seed: int | None = None,
    plot: bool | LivePlot = True,
    verbose: bool = True,
) -> DetectionHistory:
    """用小批量随机梯度下降（带权重衰减，D2L：学习率 0.2、衰减 5e-4）训练 SSD，返回每轮的记录。

    每一轮调用 :func:`~dlbook.train.loop.train_epoch`，一步是 :class:`SSDStep`；画出 D2L 的两条曲线：
    锚框类别的错误率与偏移量的平均绝对误差。

    Parameters
    ----------
    net : nn.Module
        返回 ``(anchors, cls_preds, bbox_preds)`` 的模型，例如 :func:`~dlbook.models.ssd.tiny_ssd`。
    train_iter : iterable of (X, Y)
        图像 ``(批量, 3, 高, 宽)`` 与标签 ``(批量, 目标数, 5)`` （行是 ``[类别, x1, y1, x2, y2]``，
        坐标除以图像边长，填充行的类别为 -1）。
    num_epochs : int
        训练轮数。
    lr, weight_decay : float
        SGD 的学习率与权重衰减。
    device : torch.device or str, optional
        默认是模型参数所在的设备。
    seed : int, optional
        训练前调用 :func:`dlbook.seed_everything` （决定数据打乱的顺序）。
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
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, weight_decay=weight_decay)
    live: LivePlot | None
    if isinstance(plot, LivePlot):
        live = plot
    elif plot:
        live = LivePlot(
            xlabel="轮", legend=["类别错误率", "边界框平均绝对误差"], xlim=(1, max(num_epochs, 2))
        )
    else:
        live = None
    history = DetectionHistory(device=str(device))
    step = SSDStep()
    wall_start = time.perf_counter()
    try:
        for epoch in range(num_epochs):
            if hasattr(train_iter, "set_epoch"):
                train_iter.set_epoch(epoch)
            step.reset()
            start = time.perf_counter()
            stats = train_epoch(
                net, train_iter, ssd_loss, optimizer, device=device, accuracy=False, step=step
            )
            class_error, bbox_mae = step.class_error, step.bbox_mae  # 每轮只同步一次
            seconds = time.perf_counter() - start
            n = stats.num_examples
            record = EpochRecord(
                epoch=epoch + 1,
                train_loss=stats.loss,
                train_acc=None,
                test_loss=None,
                test_acc=None,
                num_examples=n,
                train_seconds=seconds,
                examples_per_sec=n / seconds if seconds > 0 else 0.0,
                wall_time=time.perf_counter() - wall_start,
            )
            history.append(record, class_error, bbox_mae)
            if live is not None:
                live.add(epoch + 1, (class_error, bbox_mae))
    finally:
        if live is not None:
            live.finish()
    if verbose:
        print(history.summary())
    return history


@torch.no_grad()
def predict_ssd(
    net: nn.Module,
    X: torch.Tensor,
    *,
    nms_threshold: float = 0.5,
    pos_threshold: float = 0.009,
) -> list[torch.Tensor]:
    """对一批图像做检测，每张图像返回一个 ``(检测数, 6)`` 张量，行是 ``[类别, 置信度, x1, y1, x2, y2]``
    （按置信度从高到低；被非极大值抑制去掉的行已删除；坐标除以图像边长）。

    类别概率是类别得分在最后一维上的 softmax；:func:`~dlbook.ops.boxes.multibox_detection` 取每个锚框
    概率最大的非背景类、把预测的偏移量加到锚框上，再做非极大值抑制（阈值 ``nms_threshold``）。
    """
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    try:
        anchors, cls_preds, bbox_preds = net(X.to(device))
    finally:
        net.train(was_training)
    cls_probs = F.softmax(cls_preds, dim=2).permute(0, 2, 1)
    output = multibox_detection(
        cls_probs, bbox_preds, anchors, nms_threshold=nms_threshold, pos_threshold=pos_threshold
    )
    return [out[out[:, 0] >= 0] for out in output]


def evaluate_detector(
    net: nn.Module,
    data_iter: Iterable[Any],
    *,
    iou_threshold: float = 0.5,
    nms_threshold: float = 0.5,
) -> DetectionScores:
    """在 ``data_iter`` 的全部图像上检测（:func:`predict_ssd`），返回 AP、mAP、命中检测的平均 IoU 与
    召回率（:func:`~dlbook.metrics.detection.detection_scores`）。"""
    detections: list[torch.Tensor] = []
    labels: list[torch.Tensor] = []
    for X, Y in data_iter:
        detections += [d.cpu() for d in predict_ssd(net, X, nms_threshold=nms_threshold)]
        labels += list(Y.cpu())
    return detection_scores(detections, labels, iou_threshold)
