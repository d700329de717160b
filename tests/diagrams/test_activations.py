"""dlbook.diagrams.activations：激活函数的导数与它们的图。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from dlbook.diagrams.activations import activation_and_derivative, plot_activations


def test_activation_derivatives():
    x = torch.linspace(-5, 5, 101)
    s, ds = activation_and_derivative("sigmoid", x)
    assert torch.allclose(ds, s * (1 - s))
    t, dt = activation_and_derivative("tanh", x)
    assert torch.allclose(dt, 1 - t**2, atol=1e-6)
    r, dr = activation_and_derivative("relu", x)
    assert torch.equal(r, torch.relu(x))
    assert torch.equal(dr[x > 0], torch.ones_like(dr[x > 0]))
    assert torch.equal(dr[x < 0], torch.zeros_like(dr[x < 0]))
    with pytest.raises(ValueError, match="gelu"):
        activation_and_derivative("gelu", x)


def test_plot_activations_draws_function_and_derivative_rows():
    axes = plot_activations(("relu", "tanh"))
    assert axes.shape == (2, 2)
    plt.close("all")
