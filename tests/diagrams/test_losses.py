"""dlbook.diagrams.losses：回归损失的梯度与它们的图。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import torch

from dlbook.diagrams.losses import loss_and_gradient, plot_regression_losses
from dlbook.ops.losses import huber_loss, l1_loss, l2_loss


def test_loss_gradients():
    d = torch.tensor([-3.0, -0.5, 0.5, 3.0])
    assert torch.equal(loss_and_gradient(l2_loss, d)[1], d)
    assert torch.equal(loss_and_gradient(l1_loss, d)[1], torch.sign(d))
    assert torch.equal(loss_and_gradient(huber_loss, d)[1], torch.tensor([-1.0, -0.5, 0.5, 1.0]))


def test_plot_regression_losses_draws_three_losses():
    axes = plot_regression_losses()
    assert len(axes) == 3 and all(len(ax.get_lines()) == 3 for ax in axes)
    plt.close("all")
