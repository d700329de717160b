"""从零实现的基础算子与 PyTorch 自带实现逐一对照。"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from dlbook.ops.basic import (
    accuracy,
    count_correct,
    cross_entropy,
    linreg,
    sgd,
    softmax,
    squared_loss,
)


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(1, 6),
    cols=st.integers(1, 8),
    scale=st.floats(0.1, 50.0),
    seed=st.integers(0, 2**16),
)
def test_softmax_matches_torch(rows: int, cols: int, scale: float, seed: int) -> None:
    X = torch.randn(rows, cols, generator=torch.Generator().manual_seed(seed)) * scale
    torch.testing.assert_close(softmax(X), torch.softmax(X, dim=1))


def test_softmax_is_stable_for_large_scores() -> None:
    X = torch.tensor([[1000.0, 1001.0], [-1000.0, -1000.0]])
    P = softmax(X)
    assert torch.isfinite(P).all()
    torch.testing.assert_close(P, torch.softmax(X, dim=1))


def test_softmax_rejects_non_matrix() -> None:
    with pytest.raises(ValueError, match="二维"):
        softmax(torch.ones(3))


def test_cross_entropy_matches_torch() -> None:
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(7, 5, generator=g)
    y = torch.randint(0, 5, (7,), generator=g)
    ours = cross_entropy(softmax(logits), y)
    theirs = nn.CrossEntropyLoss(reduction="none")(logits, y)
    assert ours.shape == (7,)
    torch.testing.assert_close(ours, theirs)


def test_cross_entropy_checks_shapes() -> None:
    with pytest.raises(ValueError, match="y_hat"):
        cross_entropy(torch.ones(3, 2), torch.zeros(4, dtype=torch.long))


def test_accuracy_counts_correct_predictions() -> None:
    g = torch.Generator().manual_seed(1)
    y_hat = torch.randn(50, 4, generator=g)
    y = torch.randint(0, 4, (50,), generator=g)
    expected = (y_hat.argmax(dim=1) == y).sum().item()
    assert accuracy(y_hat, y) == float(expected)
    assert isinstance(accuracy(y_hat, y), float)
    c = count_correct(y_hat, y)
    assert isinstance(c, torch.Tensor) and c.dim() == 0 and c.item() == expected


def test_accuracy_with_class_indices() -> None:
    assert accuracy(torch.tensor([1, 0, 2]), torch.tensor([1, 1, 2])) == 2.0


def test_sgd_matches_torch_optimizer() -> None:
    """对损失之和用手写 sgd，等价于对损失平均值用 torch.optim.SGD。"""
    g = torch.Generator().manual_seed(2)
    X, y = torch.randn(8, 3, generator=g), torch.randn(8, 1, generator=g)
    w0, b0 = torch.randn(3, 1, generator=g), torch.zeros(1)

    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    for _ in range(3):
        squared_loss(linreg(X, w, b), y).sum().backward()
        sgd([w, b], lr=0.1, batch_size=8)

    net = nn.Linear(3, 1)
    with torch.no_grad():
        net.weight.copy_(w0.T)
        net.bias.copy_(b0)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (F.mse_loss(net(X), y) / 2).backward()
        opt.step()
    torch.testing.assert_close(w.detach(), net.weight.detach().T)
    torch.testing.assert_close(b.detach(), net.bias.detach())
    assert torch.equal(w.grad, torch.zeros_like(w))


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
def test_sgd_rejects_bad_lr(lr: float) -> None:
    w = torch.ones(2, requires_grad=True)
    w.sum().backward()
    with pytest.raises(ValueError, match="lr"):
        sgd([w], lr, 1)


def test_sgd_rejects_bad_batch_size_and_missing_grad() -> None:
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="backward"):
        sgd([w], 0.1, 1)
    with pytest.raises(ValueError, match="batch_size"):
        sgd([w], 0.1, 0)


def test_linreg_matches_functional_linear() -> None:
    g = torch.Generator().manual_seed(3)
    X, w, b = torch.randn(4, 3, generator=g), torch.randn(3, 1, generator=g), torch.randn(1)
    torch.testing.assert_close(linreg(X, w, b), F.linear(X, w.T, b))


def test_squared_loss_matches_mse() -> None:
    g = torch.Generator().manual_seed(4)
    y_hat, y = torch.randn(6, 1, generator=g), torch.randn(6, generator=g)
    ours = squared_loss(y_hat, y)
    assert ours.shape == (6, 1)  # 没有被广播成 (6, 6)
    theirs = nn.MSELoss(reduction="none")(y_hat, y.reshape(6, 1)) / 2
    torch.testing.assert_close(ours, theirs)
