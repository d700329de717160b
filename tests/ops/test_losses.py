"""dlbook.ops.losses：L2、L1、Huber 逐元素损失与 PyTorch 的实现相同。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.ops.losses import huber_loss, l1_loss, l2_loss


def test_regression_losses_match_torch():
    g = torch.Generator().manual_seed(0)
    y_hat, y = torch.randn(100, generator=g) * 3, torch.randn(100, generator=g)
    F = nn.functional
    assert torch.allclose(l2_loss(y_hat, y), F.mse_loss(y_hat, y, reduction="none") / 2)
    assert torch.allclose(l1_loss(y_hat, y), F.l1_loss(y_hat, y, reduction="none"))
    for delta in (0.5, 1.0, 2.0):
        assert torch.allclose(
            huber_loss(y_hat, y, delta), F.huber_loss(y_hat, y, reduction="none", delta=delta)
        )
    with pytest.raises(ValueError):
        huber_loss(y_hat, y, delta=0)
