"""dlbook.metrics.detection：D2L 的两个训练指标，以及 AP/mAP 在手算的情形上的值。"""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.metrics.detection import (
    average_precision,
    bbox_eval,
    cls_eval,
    detection_scores,
    match_detections,
)

BOX = [0.1, 0.1, 0.5, 0.5]


def test_cls_and_bbox_eval_match_d2l_formulas():
    cls_preds = torch.randn(2, 5, 3)
    cls_labels = torch.randint(0, 3, (2, 5))
    expected = float((cls_preds.argmax(dim=-1).type(cls_labels.dtype) == cls_labels).sum())
    assert cls_eval(cls_preds, cls_labels).item() == expected
    preds, labels = torch.randn(2, 20), torch.randn(2, 20)
    masks = (torch.rand(2, 20) > 0.5).float()
    expected = float(torch.abs((labels - preds) * masks).sum())
    assert bbox_eval(preds, labels, masks).item() == pytest.approx(expected)


def test_perfect_detection_gives_ap_one():
    labels = torch.tensor([[[0, *BOX], [1, 0.6, 0.6, 0.9, 0.9]]])
    dets = torch.tensor([[1, 0.8, 0.6, 0.6, 0.9, 0.9], [0, 0.9, *BOX]])
    s = detection_scores([dets], labels)
    assert s.ap == {0: 1.0, 1: 1.0} and s.mean_ap == 1.0
    assert s.recall == 1.0 and s.mean_iou == pytest.approx(1.0) and s.num_gt == 2


def test_miss_gives_ap_zero():
    labels = torch.tensor([[[0, *BOX]]])
    wrong_place = torch.tensor([[0, 0.9, 0.6, 0.6, 0.9, 0.9]])
    wrong_class = torch.tensor([[1, 0.9, *BOX]])
    for dets in (wrong_place, wrong_class, torch.zeros(0, 6)):
        s = detection_scores([dets], labels)
        assert s.ap == {0: 0.0} and s.recall == 0.0 and math.isnan(s.mean_iou)


def test_iou_threshold_decides_a_hit():
    labels = torch.tensor([[[0, 0.0, 0.0, 0.4, 0.4]]])
    # 与真实框的 IoU = 0.3·0.4 / (0.16 + 0.12 - 0.12) = 0.75
    dets = torch.tensor([[0, 0.9, 0.1, 0.0, 0.4, 0.4]])
    assert detection_scores([dets], labels, 0.7).ap == {0: 1.0}
    assert detection_scores([dets], labels, 0.8).ap == {0: 0.0}
    assert detection_scores([dets], labels, 0.7).mean_iou == pytest.approx(0.75)


def test_average_precision_hand_computed():
    # 顺序：TP、FP、TP、FP，3 个真实框。召回率 1/3 处精确率 1，2/3 处 2/3；第三个框没找到。
    scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    hits = torch.tensor([True, False, True, False])
    assert average_precision(scores, hits, 3) == pytest.approx(1 / 3 + 1 / 3 * 2 / 3)
    # 顺序与输入的排列无关，只与置信度有关
    perm = torch.tensor([3, 1, 0, 2])
    assert average_precision(scores[perm], hits[perm], 3) == pytest.approx(1 / 3 + 2 / 9)
    # 单调包络：FP 之后的 TP 抬高了之前的精确率
    assert average_precision(
        torch.tensor([0.9, 0.8, 0.7]), torch.tensor([False, True, True]), 2
    ) == pytest.approx(2 / 3)
    assert math.isnan(average_precision(torch.zeros(0), torch.zeros(0, dtype=torch.bool), 0))
    assert average_precision(torch.zeros(0), torch.zeros(0, dtype=torch.bool), 2) == 0.0


def test_duplicates_are_false_positives_and_padding_is_ignored():
    labels = torch.tensor([[0, *BOX], [-1, 0, 0, 0, 0]])
    dets = torch.tensor([[0, 0.7, *BOX], [0, 0.9, *BOX]])
    is_tp, ious = match_detections(dets, labels)
    assert is_tp.tolist() == [False, True]  # 置信度高的先占去真实框
    assert ious.tolist() == [0.0, 1.0]
    # 一个命中、一个重复：AP 仍是 1（召回率在第一个检测处已到 1），removed 的行（类别 -1）不算
    dets_with_removed = torch.cat([dets, torch.tensor([[-1, 0.95, 0.6, 0.6, 0.9, 0.9]])])
    s = detection_scores([dets_with_removed], labels[None])
    assert s.ap == {0: 1.0} and s.num_gt == 1


def test_classes_without_ground_truth_are_not_averaged():
    labels = torch.tensor([[[0, *BOX]]])
    dets = torch.tensor([[0, 0.9, *BOX], [2, 0.8, 0.6, 0.6, 0.9, 0.9]])
    s = detection_scores([dets], labels)
    assert s.ap == {0: 1.0} and s.mean_ap == 1.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="图像数"):
        detection_scores([torch.zeros(0, 6)], torch.zeros(2, 1, 5))
    with pytest.raises(ValueError, match="iou_threshold"):
        match_detections(torch.zeros(0, 6), torch.zeros(0, 5), 0.0)
    with pytest.raises(ValueError, match="num_gt"):
        average_precision(torch.zeros(0), torch.zeros(0, dtype=torch.bool), -1)
