"""第 12 章 计算机视觉的练习检查器：交并比（IoU）、非极大值抑制（NMS）。"""

from __future__ import annotations

from collections.abc import Callable

import torch

from dlbook.exercises.core import Case, CheckResult, check_function, seeded
from dlbook.ops.boxes import box_iou, nms


def _random_boxes(n: int, g: torch.Generator) -> torch.Tensor:
    corner = torch.rand(n, 2, generator=g) * 0.6
    size = torch.rand(n, 2, generator=g) * 0.4 + 0.05
    return torch.cat([corner, corner + size], dim=1)


def check_box_iou(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(boxes1, boxes2)``：两组角点框 ``(x1, y1, x2, y2)`` 两两之间的交并比，形状 ``(N, M)``。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def my_box_iou(boxes1, boxes2):
    ...     raise NotImplementedError
    >>> check_box_iou(my_box_iou).status
    '尚未完成'
    """
    g = seeded(19)
    unit = torch.tensor([[0.0, 0.0, 1.0, 1.0]])
    cases = [
        Case(
            "相同的框与部分重叠的框",
            (unit, torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.5, 0.0, 1.5, 1.0]])),
            hint="交集的左上角取两框左上角的较大者，右下角取右下角的较小者；"
            "IoU = 交 / (面积₁ + 面积₂ − 交)，并集里交集只能算一次。",
        ),
        Case(
            "不相交的框",
            (unit, torch.tensor([[2.0, 2.0, 3.0, 3.0], [-3.0, 2.0, -2.0, 3.0]])),
            hint="不相交时交集的宽或高是负数，要截成 0（clamp(min=0)），否则两个负数相乘得到正的“交集”。",
        ),
        Case(
            "包含关系",
            (torch.tensor([[0.0, 0.0, 4.0, 4.0]]), torch.tensor([[1.0, 1.0, 2.0, 2.0]])),
            hint="小框完全在大框里面时，交集就是小框。",
        ),
        Case(
            "3×4 个随机框",
            (_random_boxes(3, g), _random_boxes(4, g)),
            hint="结果的第 (i, j) 个元素对应 boxes1[i] 与 boxes2[j]：用 boxes1[:, None, :2] 这样的广播"
            "一次算出全部 N×M 对。",
        ),
    ]
    return check_function(fn, box_iou, cases, name="box_iou", device=device, rtol=1e-5, atol=1e-6)


def check_nms(
    fn: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(boxes, scores, iou_threshold)``：非极大值抑制，返回保留的框的下标（``long``），按分数从高到低。

    按分数从高到低处理，保留当前最高者，去掉与它的 IoU **大于** ``iou_threshold`` 的框，重复到没有候选。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def my_nms(boxes, scores, iou_threshold):
    ...     raise NotImplementedError
    >>> check_nms(my_nms).status
    '尚未完成'
    """
    g = seeded(20)
    boxes = torch.tensor(
        [[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0], [2.0, 2.0, 3.0, 3.0], [2.1, 2.1, 3.0, 3.0]]
    )
    row = torch.tensor([[0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 3.0, 1.0], [4.0, 0.0, 5.0, 1.0]])
    chain = torch.tensor([[0.0, 0.0, 2.0, 1.0], [1.0, 0.0, 3.0, 1.0], [2.0, 0.0, 4.0, 1.0]])
    cases = [
        Case(
            "两组重叠的框",
            (boxes, torch.tensor([0.8, 0.9, 0.7, 0.75]), 0.5),
            hint="先把框按分数从高到低排序：分数最高的框一定保留，它压制与它重叠的框。",
        ),
        Case(
            "互不重叠的框",
            (row, torch.tensor([0.2, 0.9, 0.5]), 0.5),
            hint="没有框被压制时返回全部下标，按分数从高到低排列，而不是按原来的下标顺序。",
        ),
        Case(
            "链式重叠",
            (chain, torch.tensor([0.9, 0.8, 0.7]), 0.3),
            hint="被压制的框不再压制别人：框 1 被框 0 去掉后，框 2 只需和保留下来的框比较。",
        ),
        Case(
            "20 个随机框",
            (_random_boxes(20, g), torch.rand(20, generator=g), 0.4),
            hint="返回 long 型的下标张量；每保留一个框，就从候选中去掉与它 IoU > 阈值的框。",
        ),
    ]
    return check_function(fn, nms, cases, name="nms", device=device)
