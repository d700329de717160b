"""语义分割的指标（dlbook.metrics.segmentation）。"""

from __future__ import annotations

import math

import torch

from dlbook.metrics.segmentation import SegmentationScores, confusion_matrix, segmentation_scores


def test_confusion_matrix_and_scores_by_hand():
    target = torch.tensor([[0, 0, 1, 1], [2, 2, 2, 0]])
    pred = torch.tensor([[0, 1, 1, 1], [2, 2, 0, 0]])
    cm = confusion_matrix(pred, target, 4)
    assert cm.tolist() == [[2, 1, 0, 0], [0, 2, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0]]
    s = SegmentationScores.from_confusion(cm)
    assert s.pixel_accuracy == 6 / 8
    assert s.iou[:3] == [2 / 4, 2 / 3, 2 / 3] and math.isnan(s.iou[3])  # 第 3 类从未出现：不计入
    assert math.isclose(s.mean_iou, (2 / 4 + 2 / 3 + 2 / 3) / 3)


def test_scores_accumulate_over_batches():
    logits = torch.randn(6, 3, 4, 5, generator=torch.Generator().manual_seed(0))
    labels = torch.randint(0, 3, (6, 4, 5), generator=torch.Generator().manual_seed(1))
    whole = segmentation_scores(torch.nn.Identity(), [(logits, labels)], 3)
    split = segmentation_scores(
        torch.nn.Identity(), [(logits[:2], labels[:2]), (logits[2:], labels[2:])], 3
    )
    assert torch.equal(whole.confusion, split.confusion)
    assert whole.pixel_accuracy == float((logits.argmax(1) == labels).double().mean())
