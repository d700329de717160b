"""dlbook.train.detection：SSD 的损失（与 D2L 的写法对照）、一步、训练循环与预测的格式。"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from dlbook.models.ssd import tiny_ssd
from dlbook.train.detection import (
    DetectionHistory,
    SSDStep,
    evaluate_detector,
    predict_ssd,
    ssd_loss,
    train_ssd,
)


def _d2l_calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks):
    """D2L 的 calc_loss，原样照抄作对照。"""
    cls_loss = nn.CrossEntropyLoss(reduction="none")
    bbox_loss = nn.L1Loss(reduction="none")
    batch_size, num_classes = cls_preds.shape[0], cls_preds.shape[2]
    cls = (
        cls_loss(cls_preds.reshape(-1, num_classes), cls_labels.reshape(-1))
        .reshape(batch_size, -1)
        .mean(dim=1)
    )
    bbox = bbox_loss(bbox_preds * bbox_masks, bbox_labels * bbox_masks).mean(dim=1)
    return cls + bbox


def test_ssd_loss_equals_d2l():
    torch.manual_seed(0)
    cls_preds, cls_labels = torch.randn(3, 7, 4), torch.randint(0, 4, (3, 7))
    bbox_preds, bbox_labels = torch.randn(3, 28), torch.randn(3, 28)
    masks = (cls_labels > 0).float().repeat_interleave(4, dim=1)
    ours = ssd_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, masks)
    assert ours.shape == (3,)
    torch.testing.assert_close(
        ours, _d2l_calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, masks)
    )


def test_ssd_loss_ignores_background_offsets():
    cls_preds, cls_labels = torch.zeros(1, 2, 2), torch.tensor([[0, 0]])
    masks = torch.zeros(1, 8)
    loss = ssd_loss(cls_preds, cls_labels, torch.randn(1, 8), torch.randn(1, 8), masks)
    assert loss.item() == pytest.approx(math.log(2))


def _toy_data(n=8, size=64):
    """每张图一个亮的方块（类别 0），其余是暗的背景。"""
    gen = torch.Generator().manual_seed(0)
    X = torch.zeros(n, 3, size, size)
    Y = torch.full((n, 2, 5), -1.0)
    for i in range(n):
        x, y = torch.randint(0, size // 2, (2,), generator=gen).tolist()
        w = size // 3
        X[i, :, y : y + w, x : x + w] = 1.0
        Y[i, 0] = torch.tensor([0, x / size, y / size, (x + w) / size, (y + w) / size])
    return [(X[:4], Y[:4]), (X[4:], Y[4:])]


def test_ssd_step_counts_anchors_and_offsets():
    torch.manual_seed(0)
    net = tiny_ssd(1, width=0.25)
    (X, Y), _ = _toy_data()
    step = SSDStep()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    losses, cls_preds = step(net, X, Y, ssd_loss, opt)
    num_anchors = cls_preds.shape[1]
    assert losses.shape == (4,) and not losses.requires_grad
    assert step.num_anchors == 4 * num_anchors and step.num_offsets == 4 * num_anchors * 4
    assert 0 <= step.class_error <= 1 and step.bbox_mae >= 0
    step.reset()
    assert step.num_anchors == 0


def test_train_ssd_lowers_loss_and_errors():
    torch.manual_seed(0)
    net = tiny_ssd(1, width=0.25)
    data = _toy_data()
    h = train_ssd(net, data, 4, lr=0.2, seed=0, plot=False, verbose=False)
    assert isinstance(h, DetectionHistory) and len(h) == 4 and len(h.class_error) == 4
    losses = h.column("train_loss")
    assert losses[-1] < losses[0]
    assert h.class_error[-1] < h.class_error[0]
    assert h.summary().startswith("class err ")
    assert h.final.num_examples == 8


def test_predict_ssd_format_and_evaluate_detector():
    torch.manual_seed(0)
    net = tiny_ssd(1, width=0.25)
    data = _toy_data()
    net.train()
    dets = predict_ssd(net, data[0][0])
    assert net.training  # 恢复原来的模式
    assert len(dets) == 4
    for d in dets:
        assert d.shape[1] == 6 and (d[:, 0] >= 0).all()
        assert (d[:-1, 1] >= d[1:, 1]).all()  # 按置信度降序
    scores = evaluate_detector(net, data)
    assert scores.num_images == 8 and scores.num_gt == 8 and 0 <= scores.mean_ap <= 1


def test_train_ssd_bad_arguments():
    net = tiny_ssd(1, width=0.25)
    with pytest.raises(ValueError, match="num_epochs"):
        train_ssd(net, _toy_data(), 0, plot=False)
    with pytest.raises(ValueError, match="lr"):
        train_ssd(net, _toy_data(), 1, lr=-1.0, plot=False)
