"""边界框与锚框算子：与 torchvision 对照，并在手算的小例子上核对锚框、标注与偏移量。"""

import math

import pytest
import torch
import torchvision
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.ops.boxes import (
    assign_anchor_to_bbox,
    box_area,
    box_center_to_corner,
    box_corner_to_center,
    box_iou,
    multibox_detection,
    multibox_prior,
    multibox_target,
    nms,
    offset_boxes,
    offset_inverse,
)

coordinate = st.floats(-100, 100, allow_nan=False, width=32)


def random_boxes(n: int, generator: torch.Generator, degenerate: bool = True) -> torch.Tensor:
    """随机的角点框；``degenerate`` 时约三分之一的框宽或高为 0，还有几个完全重合的框。"""
    xy = torch.rand(n, 2, generator=generator) * 10
    wh = torch.rand(n, 2, generator=generator) * 4
    if degenerate:
        flat = torch.rand(n, 2, generator=generator) < 0.15
        wh = torch.where(flat, torch.zeros_like(wh), wh)
    boxes = torch.cat((xy, xy + wh), dim=1)
    if degenerate and n >= 4:
        boxes[1] = boxes[0]  # 完全相同的框
        boxes[3] = boxes[2]
    return boxes


# ---------------------------------------------------------------- 表示的转换


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(coordinate, coordinate, coordinate, coordinate), min_size=1, max_size=8))
def test_corner_center_round_trip(rows):
    boxes = torch.tensor(rows, dtype=torch.float64)
    torch.testing.assert_close(box_center_to_corner(box_corner_to_center(boxes)), boxes)
    torch.testing.assert_close(box_corner_to_center(box_center_to_corner(boxes)), boxes)


def test_conversions_keep_leading_dimensions():
    boxes = torch.rand(2, 3, 5, 4)
    assert box_corner_to_center(boxes).shape == (2, 3, 5, 4)
    assert box_center_to_corner(boxes).shape == (2, 3, 5, 4)


def test_conversion_on_a_hand_made_box():
    corner = torch.tensor([60.0, 45.0, 378.0, 516.0])
    center = torch.tensor([219.0, 280.5, 318.0, 471.0])
    torch.testing.assert_close(box_corner_to_center(corner), center)
    torch.testing.assert_close(box_center_to_corner(center), corner)


def test_boxes_must_have_four_coordinates():
    with pytest.raises(ValueError, match="最后一维必须是 4"):
        box_corner_to_center(torch.zeros(3, 5))
    with pytest.raises(TypeError, match="必须是张量"):
        box_iou([[0, 0, 1, 1]], torch.zeros(1, 4))


# ---------------------------------------------------------------- IoU


@pytest.mark.parametrize("seed", range(5))
def test_box_iou_equals_torchvision(seed):
    g = torch.Generator().manual_seed(seed)
    boxes1, boxes2 = random_boxes(30, g), random_boxes(20, g)
    boxes2[:4] = boxes1[:4]  # 相同的框（含退化框）出现在两组中
    ours, theirs = box_iou(boxes1, boxes2), torchvision.ops.box_iou(boxes1, boxes2)
    torch.testing.assert_close(ours, theirs, equal_nan=True)
    assert (ours == 0).any(), "随机框里应当有不相交的对"


def test_box_iou_special_cases():
    a = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    cases = torch.tensor(
        [
            [0.0, 0.0, 2.0, 2.0],  # 相同：1
            [2.0, 0.0, 4.0, 2.0],  # 只有一条边相接：0
            [5.0, 5.0, 6.0, 6.0],  # 不相交：0
            [1.0, 0.0, 1.0, 2.0],  # 宽为 0，在内部：0
            [0.0, 0.0, 1.0, 1.0],  # 被包含：1/4
        ]
    )
    torch.testing.assert_close(box_iou(a, cases), torch.tensor([[1.0, 0.0, 0.0, 0.0, 0.25]]))
    point = torch.tensor([[1.0, 1.0, 1.0, 1.0]])
    assert box_iou(point, point).isnan().all()  # 0/0，与 torchvision 相同
    assert box_area(cases).tolist() == [4.0, 4.0, 1.0, 0.0, 1.0]


# ---------------------------------------------------------------- NMS


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.9])
def test_nms_equals_torchvision(seed, threshold):
    g = torch.Generator().manual_seed(seed)
    boxes = random_boxes(60, g)
    scores = torch.randperm(60, generator=g).float() / 60  # 没有并列的分数
    torch.testing.assert_close(
        nms(boxes, scores, threshold), torchvision.ops.nms(boxes, scores, threshold)
    )


def test_nms_keeps_no_overlapping_pair_and_handles_empty_input():
    g = torch.Generator().manual_seed(0)
    boxes = random_boxes(100, g, degenerate=False)
    scores = torch.rand(100, generator=g)
    keep = nms(boxes, scores, 0.4)
    iou = box_iou(boxes[keep], boxes[keep]).fill_diagonal_(0)
    assert iou.max() <= 0.4
    assert (scores[keep].diff() <= 0).all()
    empty = nms(torch.zeros(0, 4), torch.zeros(0), 0.5)
    assert empty.dtype == torch.long and empty.numel() == 0


# ---------------------------------------------------------------- 锚框


def test_multibox_prior_on_a_two_by_two_map():
    anchors = multibox_prior(torch.zeros(1, 3, 2, 2), sizes=[0.5, 0.25], ratios=[1.0, 4.0])
    assert anchors.shape == (1, 2 * 2 * 3, 4)
    # 像素 (0, 0) 的中心是 (0.25, 0.25)，(0, 1) 是 (0.75, 0.25)，(1, 0) 是 (0.25, 0.75)
    per_pixel = torch.tensor(
        [
            [-0.25, -0.25, 0.25, 0.25],  # s=0.5, r=1：半宽半高 0.25
            [-0.125, -0.125, 0.125, 0.125],  # s=0.25, r=1
            [-0.5, -0.125, 0.5, 0.125],  # s=0.5, r=4：宽 0.5·2，高 0.5/2
        ]
    )
    centers = torch.tensor([[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]])
    expected = (centers.repeat(1, 2)[:, None, :] + per_pixel).reshape(1, -1, 4)
    torch.testing.assert_close(anchors, expected)


@pytest.mark.parametrize("shape", [(3, 5), (6, 4), (1, 1)])
def test_multibox_prior_counts_and_pixel_aspect_ratios(shape):
    height, width = shape
    sizes, ratios = [0.75, 0.5, 0.25], [1.0, 2.0, 0.5]
    anchors = multibox_prior(torch.zeros(2, 8, height, width), sizes, ratios)
    n, m = len(sizes), len(ratios)
    assert anchors.shape == (1, height * width * (n + m - 1), 4)
    boxes = anchors[0].reshape(height, width, n + m - 1, 4)
    pixel = boxes * torch.tensor([width, height, width, height])
    w = pixel[..., 2] - pixel[..., 0]
    h = pixel[..., 3] - pixel[..., 1]
    expected_s = torch.tensor([0.75, 0.5, 0.25, 0.75, 0.75])
    expected_r = torch.tensor([1.0, 1.0, 1.0, 2.0, 0.5])
    torch.testing.assert_close(w / h, expected_r.expand_as(w))  # 以像素计的宽高比就是 r
    torch.testing.assert_close(torch.sqrt(w * h), (expected_s * height).expand_as(w))
    centers = box_corner_to_center(boxes)[..., :2]
    i, j = height - 1, width - 1  # 最后一个像素的中心
    torch.testing.assert_close(
        centers[i, j, 0], torch.tensor([(j + 0.5) / width, (i + 0.5) / height])
    )


def test_multibox_prior_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sizes"):
        multibox_prior(torch.zeros(1, 1, 2, 2), sizes=[1.5], ratios=[1.0])
    with pytest.raises(ValueError, match="ratios"):
        multibox_prior(torch.zeros(1, 1, 2, 2), sizes=[0.5], ratios=[0.0])
    with pytest.raises(ValueError, match="至少"):
        multibox_prior(torch.zeros(1, 1, 2, 2), sizes=[], ratios=[1.0])


# ---------------------------------------------------------------- 标注锚框（手算的例子）

#: 两个真实框：类别 0 的 [0, 0, 0.4, 0.4] 与类别 2 的 [0.5, 0.5, 1, 1]，外加一行填充。
LABELS = torch.tensor(
    [[[0.0, 0.0, 0.0, 0.4, 0.4], [2.0, 0.5, 0.5, 1.0, 1.0], [-1.0, 0.0, 0.0, 0.0, 0.0]]]
)
#: 与真实框 0 的 IoU：0.08/0.16 = 0.5、0.09/0.23、0、0、1；与真实框 1：0、0、0.2/0.25 = 0.8、0、0。
ANCHORS = torch.tensor(
    [
        [0.0, 0.0, 0.4, 0.2],
        [0.1, 0.1, 0.5, 0.5],
        [0.5, 0.5, 0.9, 1.0],
        [0.0, 0.6, 0.2, 1.0],
        [0.0, 0.0, 0.4, 0.4],
    ]
)


def test_assign_anchor_to_bbox_by_hand():
    # 贪心：IoU 1 把真实框 0 给锚框 4，0.8 把真实框 1 给锚框 2；其余锚框按阈值 0.5：
    # 锚框 0 的 IoU 恰好 0.5 → 真实框 0；锚框 1（0.39）与锚框 3（0）是背景。
    assigned = assign_anchor_to_bbox(LABELS[0, :2, 1:], ANCHORS)
    assert assigned.tolist() == [0, -1, 1, -1, 0]
    assert assigned.dtype == torch.long
    # 阈值提高后，锚框 0 变成背景，贪心那一步不受影响
    assert assign_anchor_to_bbox(LABELS[0, :2, 1:], ANCHORS, 0.6).tolist() == [-1, -1, 1, -1, 0]


def test_greedy_step_gives_every_box_an_anchor():
    gt = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.45, 0.45, 0.55, 0.55]])
    anchors = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.9, 0.9]])
    # 小框与两个锚框的 IoU 都远低于 0.5，仍然分到锚框 1（锚框 0 已给了大框）
    assert assign_anchor_to_bbox(gt, anchors).tolist() == [0, 1]
    assert assign_anchor_to_bbox(torch.zeros(0, 4), anchors).tolist() == [-1, -1]


def test_offset_boxes_by_hand():
    # 锚框 0：中心 (0.2, 0.1)、宽高 (0.4, 0.2)；真实框 0：中心 (0.2, 0.2)、宽高 (0.4, 0.4)
    # → (0, 10·0.1/0.2, 5·log 1, 5·log 2)
    # 锚框 2：中心 (0.7, 0.75)、宽高 (0.4, 0.5)；真实框 1：中心 (0.75, 0.75)、宽高 (0.5, 0.5)
    # → (10·0.05/0.4, 0, 5·log 1.25, 0)
    offsets = offset_boxes(ANCHORS[[0, 2]], LABELS[0, :2, 1:])
    expected = torch.tensor(
        [[0.0, 5.0, 0.0, 5 * math.log(2)], [1.25, 0.0, 5 * math.log(1.25), 0.0]]
    )
    torch.testing.assert_close(offsets, expected, atol=1e-4, rtol=0)


def test_multibox_target_by_hand():
    offset, mask, classes = multibox_target(ANCHORS.unsqueeze(0), LABELS.repeat(2, 1, 1))
    assert offset.shape == mask.shape == (2, 20) and classes.shape == (2, 5)
    # 类别加 1，0 是背景；填充行（类别 -1）没有分到锚框
    assert classes.tolist() == [[1, 0, 3, 0, 1]] * 2
    assert mask[0].reshape(5, 4)[:, 0].tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]
    expected = torch.zeros(5, 4)
    expected[0] = torch.tensor([0.0, 5.0, 0.0, 5 * math.log(2)])
    expected[2] = torch.tensor([1.25, 0.0, 5 * math.log(1.25), 0.0])
    torch.testing.assert_close(offset[1].reshape(5, 4), expected, atol=1e-4, rtol=0)


def test_multibox_target_with_only_padding_is_all_background():
    labels = torch.full((1, 2, 5), -1.0)
    offset, mask, classes = multibox_target(ANCHORS, labels)
    assert classes.sum() == 0 and mask.sum() == 0 and offset.abs().sum() == 0


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_offset_inverse_inverts_offset_boxes(seed):
    g = torch.Generator().manual_seed(seed)
    anchors = random_boxes(16, g, degenerate=False) + torch.tensor([0.0, 0.0, 0.1, 0.1])
    targets = random_boxes(16, g, degenerate=False) + torch.tensor([0.0, 0.0, 0.1, 0.1])
    recovered = offset_inverse(anchors, offset_boxes(anchors, targets, eps=0.0))
    torch.testing.assert_close(recovered, targets, atol=1e-4, rtol=1e-4)


# ---------------------------------------------------------------- 检测结果


def test_multibox_detection_by_hand():
    anchors = torch.tensor(
        [
            [0.1, 0.08, 0.52, 0.92],
            [0.08, 0.2, 0.56, 0.95],
            [0.15, 0.3, 0.62, 0.91],
            [0.55, 0.2, 0.9, 0.88],
        ]
    )
    cls_probs = torch.tensor(
        [[[0.0, 0.0, 0.0, 0.0], [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]]]
    )  # 背景、狗、猫（D2L 的例子）
    out = multibox_detection(cls_probs, torch.zeros(1, 16), anchors, nms_threshold=0.5)
    assert out.shape == (1, 4, 6)
    # 保留 0.9 的狗与 0.9 的猫；另外两个与狗框重叠太多被抑制
    kept = out[0][out[0, :, 0] >= 0]
    assert kept[:, 0].tolist() == [0.0, 1.0]
    torch.testing.assert_close(kept[:, 1], torch.tensor([0.9, 0.9]))
    torch.testing.assert_close(kept[:, 2:], anchors[[0, 3]])
    assert (out[0, 2:, 0] == -1).all()


def test_multibox_detection_drops_low_confidence_and_checks_shapes():
    anchors = torch.tensor([[0.0, 0.0, 0.2, 0.2], [0.5, 0.5, 0.7, 0.7]])
    cls_probs = torch.tensor([[[0.995, 0.5], [0.005, 0.5]]])
    out = multibox_detection(cls_probs, torch.zeros(1, 8), anchors)
    assert out[0, :, 0].tolist() == [0.0, -1.0]  # 置信度 0.005 < 0.009
    with pytest.raises(ValueError, match="offset_preds"):
        multibox_detection(cls_probs, torch.zeros(1, 4), anchors)
