"""边界框与锚框的算子：两种表示的转换、交并比、锚框的生成与标注、偏移量、非极大值抑制和预测的解码。

函数名沿用 D2L（``box_iou``、``multibox_prior``、``multibox_target``、``multibox_detection`` 等），
跟着视频读书的读者可以直接找到它们。所有函数都是向量化的张量运算（只在“每个真实框一次”
“每个保留的框一次”这样的小循环里用 Python），输出与输入在同一个设备上。

约定：

- **角点表示**（corner）：``(x1, y1, x2, y2)``，左上角与右下角；**中心表示**（center）：
  ``(cx, cy, w, h)``，中心与宽高。坐标轴与图像一致：``x`` 向右，``y`` 向下。
- 锚框与数据集中的标注用除以图像宽高后的相对坐标（落在 ``[0, 1]``）；画图时再乘回像素。
- 类别：标签里的类别从 0 开始，类别为 -1 的行是填充；:func:`multibox_target` 给锚框的类别
  把 0 留给背景，真实类别加 1。

测试套件把 :func:`box_iou` 与 :func:`nms` 和 ``torchvision.ops.box_iou``、``torchvision.ops.nms``
在随机框（包括宽或高为 0 的退化框）上逐元素对照。
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = [
    "box_corner_to_center",
    "box_center_to_corner",
    "box_area",
    "box_iou",
    "multibox_prior",
    "assign_anchor_to_bbox",
    "offset_boxes",
    "offset_inverse",
    "multibox_target",
    "nms",
    "multibox_detection",
]

#: 偏移量的缩放：中心偏移乘 10（除以 0.1），宽高的对数比乘 5（除以 0.2），与 D2L 和 SSD 相同。
CENTER_SCALE = 10.0
SIZE_SCALE = 5.0


def _check_boxes(boxes: torch.Tensor, name: str) -> None:
    if not isinstance(boxes, torch.Tensor):
        raise TypeError(f"{name} 必须是张量，收到 {type(boxes).__name__}")
    if boxes.ndim == 0 or boxes.shape[-1] != 4:
        raise ValueError(
            f"{name} 的最后一维必须是 4（一个框的四个坐标），收到形状 {tuple(boxes.shape)}"
        )


def box_corner_to_center(boxes: torch.Tensor) -> torch.Tensor:
    """把角点表示 ``(x1, y1, x2, y2)`` 转成中心表示 ``(cx, cy, w, h)``。

    .. math:: c_x = \\frac{x_1 + x_2}{2},\\quad c_y = \\frac{y_1 + y_2}{2},\\quad
              w = x_2 - x_1,\\quad h = y_2 - y_1.

    Parameters
    ----------
    boxes : torch.Tensor
        形状 ``(..., 4)`` 的框，前面的维度任意。

    Returns
    -------
    torch.Tensor
        形状相同的中心表示。

    Examples
    --------
    >>> box_corner_to_center(torch.tensor([[0.0, 0.0, 4.0, 2.0], [1.0, 1.0, 2.0, 5.0]]))
    tensor([[2.0000, 1.0000, 4.0000, 2.0000],
            [1.5000, 3.0000, 1.0000, 4.0000]])
    """
    _check_boxes(boxes, "boxes")
    x1, y1, x2, y2 = boxes.unbind(-1)
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def box_center_to_corner(boxes: torch.Tensor) -> torch.Tensor:
    """把中心表示 ``(cx, cy, w, h)`` 转成角点表示 ``(x1, y1, x2, y2)``，是 :func:`box_corner_to_center` 的逆。

    Parameters
    ----------
    boxes : torch.Tensor
        形状 ``(..., 4)`` 的中心表示。

    Returns
    -------
    torch.Tensor
        形状相同的角点表示。

    Examples
    --------
    >>> box_center_to_corner(torch.tensor([2.0, 1.0, 4.0, 2.0]))
    tensor([0., 0., 4., 2.])
    """
    _check_boxes(boxes, "boxes")
    cx, cy, w, h = boxes.unbind(-1)
    return torch.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), dim=-1)


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """角点表示的框的面积 ``(x2 - x1)(y2 - y1)``，形状 ``(...,)``。

    Examples
    --------
    >>> box_area(torch.tensor([[0.0, 0.0, 4.0, 2.0], [1.0, 1.0, 1.0, 5.0]]))
    tensor([8., 0.])
    """
    _check_boxes(boxes, "boxes")
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """两组角点框两两之间的交并比（IoU，Jaccard 系数）。

    .. math:: J(\\mathcal{A}, \\mathcal{B}) = \\frac{|\\mathcal{A} \\cap \\mathcal{B}|}
              {|\\mathcal{A} \\cup \\mathcal{B}|}
              = \\frac{|\\mathcal{A} \\cap \\mathcal{B}|}
              {|\\mathcal{A}| + |\\mathcal{B}| - |\\mathcal{A} \\cap \\mathcal{B}|}.

    交集是一个矩形：左上角取两框左上角的较大者，右下角取右下角的较小者，宽高为负（不相交）时
    截成 0。用广播一次算出全部 ``N × M`` 对。两个面积都为 0 的框的并集为 0，结果是 ``nan``，
    与 ``torchvision.ops.box_iou`` 相同。

    Parameters
    ----------
    boxes1 : torch.Tensor
        形状 ``(N, 4)``。
    boxes2 : torch.Tensor
        形状 ``(M, 4)``。

    Returns
    -------
    torch.Tensor
        形状 ``(N, M)``，第 ``(i, j)`` 个元素是 ``boxes1[i]`` 与 ``boxes2[j]`` 的 IoU。

    Examples
    --------
    >>> a = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    >>> b = torch.tensor([[1.0, 1.0, 3.0, 3.0], [0.0, 0.0, 2.0, 2.0], [5.0, 5.0, 6.0, 6.0]])
    >>> box_iou(a, b)
    tensor([[0.1429, 1.0000, 0.0000]])
    """
    _check_boxes(boxes1, "boxes1")
    _check_boxes(boxes2, "boxes2")
    areas1, areas2 = box_area(boxes1), box_area(boxes2)
    upper_left = torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    lower_right = torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    inter = (lower_right - upper_left).clamp(min=0).prod(dim=-1)
    return inter / (areas1[:, None] + areas2[None, :] - inter)


def multibox_prior(
    data: torch.Tensor, sizes: Sequence[float], ratios: Sequence[float]
) -> torch.Tensor:
    """以特征图（或图像）``data`` 的每个像素为中心生成锚框。

    设输入高 ``H``、宽 ``W``，缩放比（size）:math:`s_1, \\dots, s_n`，宽高比（ratio）
    :math:`r_1, \\dots, r_m`。每个像素只取含 :math:`s_1` 或含 :math:`r_1` 的组合

    .. math:: (s_1, r_1), (s_1, r_2), \\dots, (s_1, r_m), (s_2, r_1), \\dots, (s_n, r_1),

    共 :math:`n + m - 1` 个锚框（全部组合有 :math:`nm` 个，太多）。缩放比 ``s`` 与宽高比
    ``r`` 的锚框以像素计宽 :math:`sH\\sqrt{r}`、高 :math:`sH/\\sqrt{r}`：面积是
    :math:`(sH)^2`，宽与高之比正好是 ``r``。返回的是除以 ``W``、``H`` 之后的相对坐标，
    所以相对宽度是 :math:`s\\sqrt{r}\\,H/W`，相对高度是 :math:`s/\\sqrt{r}`。像素 ``(i, j)``
    的中心是 :math:`((j + 0.5)/W, (i + 0.5)/H)`。超出图像的部分不截断。

    Parameters
    ----------
    data : torch.Tensor
        形状 ``(..., H, W)``，只用到它的高、宽和设备（通常是 ``(B, C, H, W)`` 的特征图）。
    sizes : sequence of float
        缩放比，每个在 ``(0, 1]``。
    ratios : sequence of float
        宽高比，每个为正。

    Returns
    -------
    torch.Tensor
        形状 ``(1, H·W·(n+m-1), 4)`` 的角点相对坐标，同一像素的锚框相邻，像素按行优先排列。

    Raises
    ------
    ValueError
        ``sizes`` 或 ``ratios`` 为空，或者有不合法的值。

    Examples
    --------
    >>> anchors = multibox_prior(torch.zeros(1, 3, 2, 2), sizes=[0.5, 0.25], ratios=[1, 4])
    >>> anchors.shape
    torch.Size([1, 12, 4])
    >>> anchors[0, :3]
    tensor([[ 0.0000,  0.0000,  0.5000,  0.5000],
            [ 0.1250,  0.1250,  0.3750,  0.3750],
            [-0.2500,  0.1250,  0.7500,  0.3750]])
    """
    if len(sizes) == 0 or len(ratios) == 0:
        raise ValueError("sizes 与 ratios 都至少要有一个值")
    if any(not 0 < s <= 1 for s in sizes):
        raise ValueError(f"sizes 的每个值必须在 (0, 1] 中，收到 {list(sizes)}")
    if any(not r > 0 for r in ratios):
        raise ValueError(f"ratios 的每个值必须为正，收到 {list(ratios)}")
    height, width = data.shape[-2:]
    device = data.device
    size = torch.tensor(sizes, dtype=torch.float32, device=device)
    ratio = torch.tensor(ratios, dtype=torch.float32, device=device)
    # n + m - 1 个 (s, r) 组合：s 全部配 r_1，再让 s_1 配其余的 r
    s = torch.cat((size, size[:1].expand(len(ratios) - 1)))
    r = torch.cat((ratio[:1].expand(len(sizes)), ratio[1:]))
    half_w = s * torch.sqrt(r) * height / width / 2
    half_h = s / torch.sqrt(r) / 2
    center_y = (torch.arange(height, device=device, dtype=torch.float32) + 0.5) / height
    center_x = (torch.arange(width, device=device, dtype=torch.float32) + 0.5) / width
    cy, cx = torch.meshgrid(center_y, center_x, indexing="ij")
    centers = torch.stack((cx, cy, cx, cy), dim=-1).reshape(-1, 1, 4)  # (H·W, 1, 4)
    extents = torch.stack((-half_w, -half_h, half_w, half_h), dim=-1)  # (n+m-1, 4)
    return (centers + extents).reshape(1, -1, 4)


def assign_anchor_to_bbox(
    ground_truth: torch.Tensor, anchors: torch.Tensor, iou_threshold: float = 0.5
) -> torch.Tensor:
    """把每个真实边界框分配给锚框（D2L 的算法）。

    1. 在 IoU 矩阵 ``X`` （锚框 × 真实框）里找最大的元素 ``x_{ij}``，把真实框 ``j`` 分给锚框
       ``i``，然后删去第 ``i`` 行和第 ``j`` 列；重复到每个真实框都分到一个锚框。这保证每个
       真实框至少有一个锚框，哪怕它与所有锚框的 IoU 都很小。
    2. 其余锚框各自找 IoU 最大的真实框，IoU 不小于 ``iou_threshold`` 时分给它。

    实现上先做第 2 步（向量化），再用第 1 步的结果覆盖，结果相同。

    Parameters
    ----------
    ground_truth : torch.Tensor
        形状 ``(G, 4)`` 的真实框（角点）。
    anchors : torch.Tensor
        形状 ``(A, 4)`` 的锚框（角点）。
    iou_threshold : float, 默认 0.5
        第 2 步的阈值。

    Returns
    -------
    torch.Tensor
        形状 ``(A,)`` 的 ``long`` 张量：每个锚框分到的真实框下标，-1 表示背景。

    Examples
    --------
    >>> gt = torch.tensor([[0.0, 0.0, 0.5, 0.5], [0.5, 0.5, 1.0, 1.0]])
    >>> anchors = torch.tensor([[0.0, 0.0, 0.4, 0.5], [0.1, 0.0, 0.5, 0.5],
    ...                         [0.6, 0.6, 0.9, 0.9], [0.0, 0.5, 0.5, 1.0]])
    >>> assign_anchor_to_bbox(gt, anchors)
    tensor([ 0,  0,  1, -1])
    """
    _check_boxes(ground_truth, "ground_truth")
    _check_boxes(anchors, "anchors")
    num_anchors, num_gt = anchors.shape[0], ground_truth.shape[0]
    anchors_bbox_map = torch.full((num_anchors,), -1, dtype=torch.long, device=anchors.device)
    if num_gt == 0 or num_anchors == 0:
        return anchors_bbox_map
    jaccard = box_iou(anchors, ground_truth).nan_to_num(0.0)
    max_ious, indices = jaccard.max(dim=1)
    above = max_ious >= iou_threshold
    anchors_bbox_map[above] = indices[above]
    for _ in range(min(num_gt, num_anchors)):
        flat = torch.argmax(jaccard)
        anc_idx, box_idx = flat // num_gt, flat % num_gt
        anchors_bbox_map[anc_idx] = box_idx
        jaccard[:, box_idx] = -1
        jaccard[anc_idx, :] = -1
    return anchors_bbox_map


def offset_boxes(
    anchors: torch.Tensor, assigned_bb: torch.Tensor, eps: float = 1e-6
) -> torch.Tensor:
    """锚框 ``A`` 到分配给它的真实框 ``B`` 的偏移量（模型要学着预测的量）。

    设两者的中心表示为 :math:`(x_a, y_a, w_a, h_a)` 与 :math:`(x_b, y_b, w_b, h_b)`，

    .. math:: \\left(\\frac{x_b - x_a}{0.1\\,w_a},\\ \\frac{y_b - y_a}{0.1\\,h_a},\\
              \\frac{\\log(w_b/w_a)}{0.2},\\ \\frac{\\log(h_b/h_a)}{0.2}\\right).

    中心的偏移按锚框的宽高归一化，宽高取对数比，这样大框与小框的偏移量分布相近；
    除以 0.1 与 0.2 把它们放大到方差约为 1 的范围。``eps`` 防止 ``log(0)``。

    Parameters
    ----------
    anchors : torch.Tensor
        形状 ``(A, 4)`` 的锚框（角点）。
    assigned_bb : torch.Tensor
        形状 ``(A, 4)`` 的真实框（角点），与 ``anchors`` 一一对应。
    eps : float, 默认 1e-6
        加在宽高比上的小数。

    Returns
    -------
    torch.Tensor
        形状 ``(A, 4)`` 的偏移量。

    Examples
    --------
    >>> anchors = torch.tensor([[0.0, 0.0, 0.2, 0.4]])
    >>> offset_boxes(anchors, torch.tensor([[0.02, 0.04, 0.22, 0.44]]), eps=0.0)
    tensor([[1.0000, 1.0000, 0.0000, 0.0000]])
    """
    _check_boxes(anchors, "anchors")
    _check_boxes(assigned_bb, "assigned_bb")
    c_anc = box_corner_to_center(anchors)
    c_bb = box_corner_to_center(assigned_bb)
    offset_xy = CENTER_SCALE * (c_bb[:, :2] - c_anc[:, :2]) / c_anc[:, 2:]
    offset_wh = SIZE_SCALE * torch.log(eps + c_bb[:, 2:] / c_anc[:, 2:])
    return torch.cat((offset_xy, offset_wh), dim=1)


def offset_inverse(anchors: torch.Tensor, offset_preds: torch.Tensor) -> torch.Tensor:
    """由锚框和预测的偏移量还原边界框：:func:`offset_boxes` 的逆（忽略 ``eps``）。

    Parameters
    ----------
    anchors : torch.Tensor
        形状 ``(A, 4)`` 的锚框（角点）。
    offset_preds : torch.Tensor
        形状 ``(A, 4)`` 的偏移量。

    Returns
    -------
    torch.Tensor
        形状 ``(A, 4)`` 的预测框（角点）。

    Examples
    --------
    >>> anchors = torch.tensor([[0.0, 0.0, 0.2, 0.4]])
    >>> offset_inverse(anchors, torch.tensor([[1.0, 1.0, 0.0, 0.0]]))
    tensor([[0.0200, 0.0400, 0.2200, 0.4400]])
    """
    _check_boxes(anchors, "anchors")
    _check_boxes(offset_preds, "offset_preds")
    anc = box_corner_to_center(anchors)
    xy = offset_preds[:, :2] * anc[:, 2:] / CENTER_SCALE + anc[:, :2]
    wh = torch.exp(offset_preds[:, 2:] / SIZE_SCALE) * anc[:, 2:]
    return box_center_to_corner(torch.cat((xy, wh), dim=1))


def multibox_target(
    anchors: torch.Tensor, labels: torch.Tensor, iou_threshold: float = 0.5
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """给一批图像的锚框标注类别和偏移量（训练目标检测模型的标签）。

    对每张图像：用 :func:`assign_anchor_to_bbox` 把真实框分给锚框；分到真实框的锚框，
    类别是该框的类别加 1，偏移量由 :func:`offset_boxes` 算出，掩码为 1；其余锚框是背景
    （类别 0），偏移量与掩码都为 0。掩码让背景锚框不参与偏移量的损失。

    与 D2L 的一处不同：类别为 -1 的填充行先被去掉。D2L 的香蕉数据集每张图正好一个框，
    没有填充；有填充时，它的实现会把填充行也当真实框，给它们各分一个锚框。

    Parameters
    ----------
    anchors : torch.Tensor
        形状 ``(A, 4)`` 或 ``(1, A, 4)`` 的锚框（角点，相对坐标）。
    labels : torch.Tensor
        形状 ``(B, M, 5)``，每行 ``[类别, x1, y1, x2, y2]``，类别 -1 表示填充。
    iou_threshold : float, 默认 0.5
        见 :func:`assign_anchor_to_bbox`。

    Returns
    -------
    bbox_offset : torch.Tensor
        形状 ``(B, A·4)`` 的偏移量。
    bbox_mask : torch.Tensor
        形状 ``(B, A·4)``，正类锚框的四个位置为 1，背景为 0。
    class_labels : torch.Tensor
        形状 ``(B, A)`` 的 ``long`` 类别，0 为背景。

    Examples
    --------
    >>> anchors = torch.tensor([[0.0, 0.0, 0.5, 0.5], [0.5, 0.5, 1.0, 1.0]])
    >>> labels = torch.tensor([[[1.0, 0.0, 0.0, 0.5, 0.5], [-1.0, 0.0, 0.0, 0.0, 0.0]]])
    >>> offset, mask, cls = multibox_target(anchors, labels)
    >>> cls
    tensor([[2, 0]])
    >>> mask
    tensor([[1., 1., 1., 1., 0., 0., 0., 0.]])
    """
    if anchors.ndim == 3:
        anchors = anchors.squeeze(0)
    _check_boxes(anchors, "anchors")
    if labels.ndim != 3 or labels.shape[-1] != 5:
        raise ValueError(f"labels 的形状必须是 (B, M, 5)，收到 {tuple(labels.shape)}")
    num_anchors, device = anchors.shape[0], anchors.device
    batch_offset, batch_mask, batch_class = [], [], []
    for label in labels:
        label = label[label[:, 0] >= 0]
        bbox_map = assign_anchor_to_bbox(label[:, 1:], anchors, iou_threshold)
        positive = bbox_map >= 0
        matched = bbox_map[positive]
        class_labels = torch.zeros(num_anchors, dtype=torch.long, device=device)
        class_labels[positive] = label[matched, 0].long() + 1
        offset = torch.zeros(num_anchors, 4, dtype=anchors.dtype, device=device)
        offset[positive] = offset_boxes(anchors[positive], label[matched, 1:])
        mask = positive.to(anchors.dtype).unsqueeze(-1).expand(-1, 4)
        batch_offset.append(offset.reshape(-1))
        batch_mask.append(mask.reshape(-1))
        batch_class.append(class_labels)
    return torch.stack(batch_offset), torch.stack(batch_mask), torch.stack(batch_class)


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """非极大值抑制：按分数从高到低，保留一个框，去掉与它 IoU 大于 ``iou_threshold`` 的框。

    维护按分数降序排列的候选列表 ``L``：取出最高者 ``B_1`` 放进结果，删去 ``L`` 中与
    ``B_1`` 的 IoU 超过阈值的框，对剩下的重复，直到 ``L`` 为空。结果中任何两个框的 IoU 都不
    超过阈值。循环次数等于保留的框数，每次一个向量化的 IoU。与 ``torchvision.ops.nms`` 的
    约定相同（IoU 为 ``nan`` 的退化框不被抑制）；分数相同的框按下标先后处理。

    Parameters
    ----------
    boxes : torch.Tensor
        形状 ``(N, 4)`` 的角点框。
    scores : torch.Tensor
        形状 ``(N,)`` 的分数。
    iou_threshold : float
        IoU 大于它的框被去掉。

    Returns
    -------
    torch.Tensor
        保留的框的下标（``long``），按分数从高到低。

    Examples
    --------
    >>> boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0], [2.0, 2.0, 3.0, 3.0]])
    >>> nms(boxes, torch.tensor([0.8, 0.9, 0.7]), iou_threshold=0.5)
    tensor([1, 2])
    """
    _check_boxes(boxes, "boxes")
    if scores.shape != boxes.shape[:1]:
        raise ValueError(f"scores 的形状必须是 ({boxes.shape[0]},)，收到 {tuple(scores.shape)}")
    order = torch.argsort(scores, descending=True, stable=True)  # 分数相同时按下标
    keep = []
    while order.numel() > 0:
        best = order[0]
        keep.append(best)
        iou = box_iou(boxes[best].unsqueeze(0), boxes[order[1:]]).reshape(-1)
        order = order[1:][~(iou > iou_threshold)]
    if not keep:
        return torch.zeros(0, dtype=torch.long, device=boxes.device)
    return torch.stack(keep)


def multibox_detection(
    cls_probs: torch.Tensor,
    offset_preds: torch.Tensor,
    anchors: torch.Tensor,
    nms_threshold: float = 0.5,
    pos_threshold: float = 0.009,
) -> torch.Tensor:
    """把模型对锚框的类别概率和偏移量变成检测结果（D2L 的做法）。

    对每张图像：每个锚框取非背景类中概率最大的类别与其概率作为置信度，用
    :func:`offset_inverse` 得到预测框；对置信度不低于 ``pos_threshold`` 的预测框做一次与类别无关的
    :func:`nms`；被抑制的框与置信度低于阈值的框类别记为 -1。保留的框按置信度降序排在
    前面，其余按锚框顺序排在后面。（D2L 还把低于阈值的框的置信度改成 ``1 - 置信度``；
    这里保持原值。逐类别的 NMS 见 ``torchvision.ops.batched_nms``。）

    Parameters
    ----------
    cls_probs : torch.Tensor
        形状 ``(B, C+1, A)`` 的类别概率，第 0 类是背景。
    offset_preds : torch.Tensor
        形状 ``(B, A·4)`` 的偏移量。
    anchors : torch.Tensor
        形状 ``(A, 4)`` 或 ``(1, A, 4)`` 的锚框。
    nms_threshold : float, 默认 0.5
        NMS 的 IoU 阈值。
    pos_threshold : float, 默认 0.009
        置信度低于它的框视为背景。

    Returns
    -------
    torch.Tensor
        形状 ``(B, A, 6)``，每行 ``[类别, 置信度, x1, y1, x2, y2]``，类别从 0 开始（不含背景），
        -1 表示被去掉。

    Examples
    --------
    >>> anchors = torch.tensor([[0.1, 0.1, 0.5, 0.5], [0.12, 0.1, 0.52, 0.5], [0.6, 0.6, 0.9, 0.9]])
    >>> cls_probs = torch.tensor([[[0.1, 0.2, 0.3], [0.9, 0.8, 0.7]]])
    >>> out = multibox_detection(cls_probs, torch.zeros(1, 12), anchors)
    >>> out[0, :, :2]
    tensor([[ 0.0000,  0.9000],
            [ 0.0000,  0.7000],
            [-1.0000,  0.8000]])
    """
    if anchors.ndim == 3:
        anchors = anchors.squeeze(0)
    _check_boxes(anchors, "anchors")
    batch_size, _, num_anchors = cls_probs.shape
    if offset_preds.shape != (batch_size, num_anchors * 4):
        raise ValueError(
            f"offset_preds 的形状必须是 ({batch_size}, {num_anchors * 4})，"
            f"收到 {tuple(offset_preds.shape)}"
        )
    out = []
    for cls_prob, offset_pred in zip(cls_probs, offset_preds):
        conf, class_id = cls_prob[1:].max(dim=0)
        predicted_bb = offset_inverse(anchors, offset_pred.reshape(-1, 4))
        # 置信度低于阈值的框最终都记为 -1，而 NMS 中一个框只会抑制分数比它低的框，所以先去掉它们再做
        # NMS，留下的框完全相同；锚框成千上万、多数置信度很低，这样快得多。
        candidates = torch.nonzero(conf >= pos_threshold).reshape(-1)
        keep = candidates[nms(predicted_bb[candidates], conf[candidates], nms_threshold)]
        kept = torch.zeros(num_anchors, dtype=torch.bool, device=anchors.device)
        kept[keep] = True
        order = torch.cat((keep, torch.nonzero(~kept).reshape(-1)))
        class_id = torch.where(kept, class_id, -1)[order]
        conf, predicted_bb = conf[order], predicted_bb[order]
        rows = torch.cat((class_id.unsqueeze(1).to(conf.dtype), conf.unsqueeze(1), predicted_bb), 1)
        out.append(rows)
    return torch.stack(out)
