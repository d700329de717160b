"""dlbook.train.perceptron：感知机算法（收敛界与异或）。"""

from __future__ import annotations

import pytest
import torch

from dlbook.train.perceptron import train_perceptron


def test_perceptron_converges_within_the_theorem_bound():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(300, 3, generator=g)
    w_true = torch.tensor([0.48, 0.6, 0.64])  # 单位向量
    score = X @ w_true
    keep = score.abs() > 0.2
    X, y = X[keep], torch.where(score[keep] > 0, 1, -1)
    result = train_perceptron(X, y, max_epochs=1000)
    assert result.converged
    assert torch.equal(torch.sign(X @ result.w + result.b), y.float())
    r = X.norm(dim=1).max().item()
    rho = (y * (X @ w_true)).min().item()
    assert result.num_updates <= (r**2 + 1) / rho**2


def test_perceptron_cannot_learn_xor_and_checks_labels():
    X = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    result = train_perceptron(X, torch.tensor([-1, -1, 1, 1]), max_epochs=200)
    assert not result.converged and result.num_updates > 0
    with pytest.raises(ValueError, match="-1"):
        train_perceptron(X, torch.tensor([0, 0, 1, 1]))
    with pytest.raises(ValueError):
        train_perceptron(X, torch.tensor([1, -1]))
