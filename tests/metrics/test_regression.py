"""dlbook.metrics.regression：对数均方根误差。"""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.metrics.regression import log_rmse


def test_log_rmse_matches_formula_and_clips():
    labels = torch.tensor([[100.0], [200.0], [400.0]])
    preds = torch.tensor([[120.0], [150.0], [0.5]])
    expected = math.sqrt(
        ((math.log(120 / 100)) ** 2 + (math.log(150 / 200)) ** 2 + (math.log(1 / 400)) ** 2) / 3
    )
    assert log_rmse(lambda X: X, preds, labels) == pytest.approx(expected, rel=1e-5)
    assert log_rmse(lambda X: X, labels, labels) == 0.0
