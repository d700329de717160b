"""Kaggle 的多类别对数损失（dlbook.metrics.classification.log_loss）。"""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.metrics.classification import log_loss


def test_log_loss_by_hand():
    probs = torch.tensor([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    labels = torch.tensor([0, 1])
    assert log_loss(probs, labels) == pytest.approx(-(math.log(0.5) + math.log(0.8)) / 2)


def test_rows_are_renormalised_and_zeros_clipped():
    # 没有归一化的行（和为 2）与归一化后的同一行得分相同；0 概率被截到 1e-15
    assert log_loss(torch.tensor([[1.0, 1.0]]), torch.tensor([0])) == pytest.approx(math.log(2))
    assert log_loss(torch.tensor([[0.0, 1.0]]), torch.tensor([0])) == pytest.approx(
        -math.log(1e-15), rel=1e-6
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="probs"):
        log_loss(torch.ones(3), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="eps"):
        log_loss(torch.ones(1, 2), torch.tensor([0]), eps=0.0)
