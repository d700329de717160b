import torch

from dlbook.exercises import check_box_iou, check_nms
from dlbook.ops.boxes import box_iou
from tests.exercises.helpers import assert_fails


def _iou(boxes1, boxes2, *, clamp=True, subtract=True):
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    upper_left = torch.max(boxes1[:, None, :2], boxes2[None, :, :2])
    lower_right = torch.min(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = lower_right - upper_left
    if clamp:
        wh = wh.clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = area1[:, None] + area2[None, :] - (inter if subtract else 0)
    return inter / union


def test_box_iou_rejects_a_missing_clamp():
    assert_fails(
        check_box_iou(lambda a, b: _iou(a, b, clamp=False)), "不相交的框", "出现了 nan 或 inf"
    )


def test_box_iou_rejects_counting_the_intersection_twice():
    result = check_box_iou(lambda a, b: _iou(a, b, subtract=False))
    assert_fails(result, "相同的框与部分重叠的框", "上比参考偏小")


def test_box_iou_rejects_the_transposed_matrix():
    result = check_box_iou(lambda a, b: _iou(b, a).T.contiguous()[:0])
    assert_fails(result, "相同的框与部分重叠的框", "形状应为 (1, 2)")


def _greedy(boxes, scores, threshold, order):
    keep = []
    remaining = list(order)
    while remaining:
        best = remaining.pop(0)
        keep.append(best)
        iou = box_iou(boxes[best : best + 1], boxes)[0]
        remaining = [i for i in remaining if iou[i] <= threshold]
    return torch.tensor(keep, dtype=torch.long)


def test_nms_rejects_processing_in_index_order():
    result = check_nms(lambda b, s, t: _greedy(b, s, t, range(len(s))))
    assert_fails(result, "两组重叠的框", "上与参考不符")


def test_nms_rejects_kept_indices_in_index_order():
    def sorted_indices(b, s, t):
        return _greedy(b, s, t, s.argsort(descending=True).tolist()).sort().values

    assert_fails(check_nms(sorted_indices), "互不重叠的框", "位置 (0,) 上与参考不符")


def test_nms_rejects_suppressing_against_every_box():
    def against_all(b, s, t):
        order = s.argsort(descending=True).tolist()
        iou = box_iou(b, b)
        return torch.tensor(
            [i for k, i in enumerate(order) if all(iou[i, j] <= t for j in order[:k])],
            dtype=torch.long,
        )

    assert_fails(check_nms(against_all), "链式重叠", "形状应为 (2,)，实际是 (1,)")
