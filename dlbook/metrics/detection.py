"""目标检测的评价指标：锚框上的类别错误率与偏移量的平均绝对误差（D2L 的训练指标），以及留出图像上的
平均精度 AP@0.5 与它的类别平均 mAP@0.5（检测器找没找到目标）。

* :func:`cls_eval` 与 :func:`bbox_eval` 是 D2L 的两个累加量：预测对了类别的锚框数、被遮蔽后的
  偏移量误差的绝对值之和。它们衡量的是**训练目标**拟合得多好，不是检测结果：每个锚框的类别与
  偏移量标签由 :func:`~dlbook.ops.boxes.multibox_target` 给出，绝大多数锚框是背景。
* :func:`average_precision` 与 :func:`detection_scores` 衡量**检测结果**：把检测按置信度从高到低排列，
  与真实边界框的 IoU 不小于 0.5 且类别相同、那个真实框还没被更高置信度的检测占去的算命中（TP），
  其余算误检（FP）；沿着这个顺序，精确率 = TP / 已检出的框数，召回率 = TP / 真实框数，
  AP 是精确率–召回率曲线（取右侧的最大精确率，即单调的包络）下的面积（PASCAL VOC 2010 起的算法）。
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from dlbook.ops.boxes import box_iou

__all__ = [
    "DetectionScores",
    "average_precision",
    "bbox_eval",
    "cls_eval",
    "detection_scores",
    "match_detections",
]


def cls_eval(cls_preds: torch.Tensor, cls_labels: torch.Tensor) -> torch.Tensor:
    """预测对了类别的锚框数（零维张量，留在设备上，不同步）。

    ``cls_preds`` 是 ``(批量, 锚框数, 类别数 + 1)`` 的得分，``cls_labels`` 是 ``(批量, 锚框数)`` 的标签
    （0 是背景）。类别错误率是 ``1 - cls_eval(...) / cls_labels.numel()``。

    Examples
    --------
    >>> cls_preds = torch.tensor([[[2.0, 0.0], [0.0, 1.0], [3.0, 0.0]]])
    >>> cls_eval(cls_preds, torch.tensor([[0, 1, 1]]))
    tensor(2)
    """
    return (cls_preds.argmax(dim=-1) == cls_labels).sum()


def bbox_eval(
    bbox_preds: torch.Tensor, bbox_labels: torch.Tensor, bbox_masks: torch.Tensor
) -> torch.Tensor:
    """被遮蔽后偏移量误差的绝对值之和（零维张量，不同步）。

    背景锚框的掩码是 0，不计误差；平均绝对误差是 ``bbox_eval(...) / bbox_labels.numel()``
    （D2L 的写法：分母是全部锚框的偏移量个数，包括背景的）。

    Examples
    --------
    >>> preds, labels = torch.tensor([[1.0, 2.0, 0.5, 0.5]]), torch.zeros(1, 4)
    >>> bbox_eval(preds, labels, torch.tensor([[1.0, 1.0, 0.0, 0.0]]))
    tensor(3.)
    """
    return ((bbox_labels - bbox_preds) * bbox_masks).abs().sum()


def average_precision(scores: torch.Tensor, is_tp: torch.Tensor, num_gt: int) -> float:
    """一个类别的平均精度：按置信度排序后的精确率–召回率曲线下的面积（单调包络，逐点插值）。

    Parameters
    ----------
    scores : torch.Tensor
        这个类别全部检测的置信度 ``(检测数,)``。
    is_tp : torch.Tensor
        每个检测是否命中（布尔，见 :func:`match_detections`）。
    num_gt : int
        这个类别的真实边界框数；为 0 时 AP 没有定义，返回 ``nan``。

    Examples
    --------
    两个真实框：置信度最高的命中、第二个误检、第三个命中。召回率 0.5 处精确率 1，召回率 1 处
    精确率 2/3，AP = 0.5 × 1 + 0.5 × 2/3。

    >>> round(average_precision(torch.tensor([0.9, 0.8, 0.7]), torch.tensor([True, False, True]), 2), 4)
    0.8333
    >>> average_precision(torch.tensor([0.9]), torch.tensor([False]), 1)      # 只有误检
    0.0
    """
    if num_gt < 0:
        raise ValueError(f"num_gt 不能为负，收到 {num_gt}")
    if num_gt == 0:
        return math.nan
    if scores.numel() == 0:
        return 0.0
    order = torch.argsort(scores, descending=True, stable=True)
    tp = is_tp[order].double()
    tp_cum = torch.cumsum(tp, 0)
    precision = tp_cum / torch.arange(1, len(tp) + 1, dtype=torch.float64)
    recall = tp_cum / num_gt
    # 单调包络：每个召回率处取它右侧（更低置信度处）的最大精确率
    envelope = torch.flip(torch.cummax(torch.flip(precision, [0]), 0).values, [0])
    recall_steps = torch.diff(recall, prepend=torch.zeros(1, dtype=torch.float64))
    return float((recall_steps * envelope).sum())


def match_detections(
    detections: torch.Tensor, labels: torch.Tensor, iou_threshold: float = 0.5
) -> tuple[torch.Tensor, torch.Tensor]:
    """一张图像上的检测与真实框逐一配对：返回每个检测是否命中与命中时的 IoU。

    检测按置信度从高到低处理；一个检测与同类、尚未被占去的真实框中 IoU 最大的那个配对，IoU 不小于
    ``iou_threshold`` 才算命中。与同一个真实框重复的检测算误检。

    Parameters
    ----------
    detections : torch.Tensor
        ``(检测数, 6)``，每行 ``[类别, 置信度, x1, y1, x2, y2]``
        （:func:`~dlbook.ops.boxes.multibox_detection` 的一行；类别为 -1 的行应先去掉）。
    labels : torch.Tensor
        ``(真实框数, 5)``，每行 ``[类别, x1, y1, x2, y2]``；类别为 -1 的填充行不算。
    iou_threshold : float
        命中所需的最小 IoU。

    Returns
    -------
    is_tp : torch.Tensor
        ``(检测数,)`` 布尔。
    ious : torch.Tensor
        ``(检测数,)``，命中的检测与它的真实框的 IoU，误检为 0。

    Examples
    --------
    >>> dets = torch.tensor([[0, 0.9, 0.1, 0.1, 0.5, 0.5], [0, 0.8, 0.1, 0.1, 0.5, 0.5],
    ...                      [1, 0.7, 0.1, 0.1, 0.5, 0.5]])
    >>> labels = torch.tensor([[0, 0.1, 0.1, 0.5, 0.5], [-1, 0, 0, 0, 0]])
    >>> match_detections(dets, labels)        # 第二个重复、第三个类别不对
    (tensor([ True, False, False]), tensor([1., 0., 0.]))
    """
    if not 0 < iou_threshold <= 1:
        raise ValueError(f"iou_threshold 必须在 (0, 1] 内，收到 {iou_threshold!r}")
    labels = labels[labels[:, 0] >= 0]
    n = detections.shape[0]
    is_tp = torch.zeros(n, dtype=torch.bool)
    ious = torch.zeros(n)
    if n == 0 or labels.shape[0] == 0:
        return is_tp, ious
    iou = box_iou(detections[:, 2:6].float(), labels[:, 1:5].float()).cpu()
    same_class = detections[:, :1].long().cpu() == labels[:, 0].long().cpu()
    iou = torch.where(same_class, iou, torch.full_like(iou, -1.0))
    taken = torch.zeros(labels.shape[0], dtype=torch.bool)
    for i in torch.argsort(detections[:, 1].cpu(), descending=True, stable=True).tolist():
        candidates = torch.where(taken, torch.full_like(iou[i], -1.0), iou[i])
        best = int(candidates.argmax())
        if candidates[best] >= iou_threshold:
            is_tp[i], ious[i], taken[best] = True, candidates[best], True
    return is_tp, ious


@dataclass
class DetectionScores:
    """留出图像上的检测指标（:func:`detection_scores` 的返回值）。

    Attributes
    ----------
    ap : dict[int, float]
        每个类别的 AP（类别号从 0 数起；没有真实框的类别不列出）。
    mean_ap : float
        各类别 AP 的平均，即 mAP。
    mean_iou : float
        命中的检测与它的真实框的平均 IoU（没有命中时为 ``nan``）。
    recall : float
        被某个检测命中的真实框的比例（全部检测都算，不设置信度门槛）。
    num_gt : int
        真实框总数。
    num_images : int
        图像数。
    iou_threshold : float
        命中所需的最小 IoU。
    """

    ap: dict[int, float]
    mean_ap: float
    mean_iou: float
    recall: float
    num_gt: int
    num_images: int
    iou_threshold: float


def detection_scores(
    detections: Sequence[torch.Tensor],
    labels: Sequence[torch.Tensor] | torch.Tensor,
    iou_threshold: float = 0.5,
) -> DetectionScores:
    """一组图像上的 AP（每个类别）、mAP、命中检测的平均 IoU 与召回率。

    Parameters
    ----------
    detections : sequence of torch.Tensor
        每张图像一个 ``(检测数, 6)`` 张量，行是 ``[类别, 置信度, x1, y1, x2, y2]``；类别为 -1 的行
        （被非极大值抑制去掉的）不算。
    labels : sequence of torch.Tensor or torch.Tensor
        每张图像的真实框 ``(真实框数, 5)`` （或堆成 ``(图像数, 真实框数, 5)``），类别为 -1 的是填充行。
        坐标与检测用同一个单位（例如都除以图像边长）。
    iou_threshold : float
        命中所需的最小 IoU（默认 0.5，即 AP@0.5）。

    Examples
    --------
    两张图：第一张的目标被准确找到，第二张的检测框偏到了一边（IoU 远小于 0.5）。

    >>> labels = torch.tensor([[[0, 0.1, 0.1, 0.5, 0.5]], [[0, 0.5, 0.5, 0.9, 0.9]]])
    >>> hit = torch.tensor([[0, 0.9, 0.1, 0.1, 0.5, 0.5]])
    >>> miss = torch.tensor([[0, 0.8, 0.1, 0.5, 0.3, 0.9]])
    >>> s = detection_scores([hit, miss], labels)
    >>> s.ap, s.mean_ap, s.recall, s.mean_iou
    ({0: 0.5}, 0.5, 0.5, 1.0)
    """
    if len(detections) != len(labels):
        raise ValueError(f"detections 与 labels 的图像数不同：{len(detections)} 与 {len(labels)}")
    scores: dict[int, list[torch.Tensor]] = {}
    hits: dict[int, list[torch.Tensor]] = {}
    num_gt: dict[int, int] = {}
    matched_ious: list[torch.Tensor] = []
    for dets, gt in zip(detections, labels, strict=True):
        dets = dets[dets[:, 0] >= 0].cpu()
        gt = gt[gt[:, 0] >= 0].cpu()
        for c in gt[:, 0].long().tolist():
            num_gt[c] = num_gt.get(c, 0) + 1
        is_tp, ious = match_detections(dets, gt, iou_threshold)
        matched_ious.append(ious[is_tp])
        for c in dets[:, 0].long().unique().tolist():
            rows = dets[:, 0].long() == c
            scores.setdefault(c, []).append(dets[rows, 1])
            hits.setdefault(c, []).append(is_tp[rows])
    ap = {
        c: average_precision(
            torch.cat(scores.get(c, [torch.zeros(0)])),
            torch.cat(hits.get(c, [torch.zeros(0, dtype=torch.bool)])),
            n,
        )
        for c, n in sorted(num_gt.items())
    }
    ious = torch.cat(matched_ious) if matched_ious else torch.zeros(0)
    total_gt = sum(num_gt.values())
    return DetectionScores(
        ap=ap,
        mean_ap=sum(ap.values()) / len(ap) if ap else math.nan,
        mean_iou=float(ious.mean()) if ious.numel() else math.nan,
        recall=ious.numel() / total_gt if total_gt else math.nan,
        num_gt=total_gt,
        num_images=len(detections),
        iou_threshold=iou_threshold,
    )
