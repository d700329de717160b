"""dlbook.train.fitting：多项式拟合收敛到最小二乘解；两种权重衰减的一步更新与手算的公式相同。"""

from __future__ import annotations

import pytest
import torch

from dlbook.data import load_array, polynomial_data, synthetic_linear_data
from dlbook.train.fitting import (
    train_polynomial,
    train_weight_decay_concise,
    train_weight_decay_scratch,
)

QUIET = {"plot": False, "verbose": False}


@pytest.fixture(scope="module")
def cubic() -> tuple[torch.Tensor, ...]:
    """三阶多项式 5 + 1.2x - 3.4x²/2! + 5.6x³/3! 加标准差 0.1 的噪声，各 100 个训练与测试样本。"""
    return polynomial_data([5, 1.2, -3.4, 5.6], seed=0)


def test_polynomial_with_the_right_degree_reaches_the_least_squares_fit(cubic) -> None:
    train_features, _, train_labels, _ = cubic
    net, history = train_polynomial(4, *cubic, num_epochs=40, lr=0.1, batch_size=10, **QUIET)
    best = torch.linalg.lstsq(train_features[:, :4], train_labels).solution.T
    torch.testing.assert_close(net[0].weight.detach(), best, atol=0.05, rtol=0)
    assert net[0].bias is None and len(history) == 40
    # 剩下的只有噪声：均方误差约为噪声的方差 0.1² = 0.01
    assert 0.005 < history.column("train_loss")[-1] < 0.02
    assert 0.005 < history.column("test_loss")[-1] < 0.02


def test_polynomial_underfits_with_too_few_features_and_is_reproducible(cubic) -> None:
    train_features, _, train_labels, _ = cubic
    kwargs = {"num_epochs": 5, "lr": 0.1, "batch_size": 10, **QUIET}
    linear, history = train_polynomial(2, *cubic, **kwargs)
    assert linear[0].weight.shape == (1, 2)
    # 只用 1 与 x 两个特征，任何权重的训练误差都不低于最小二乘解的误差，它是噪声方差的上百倍
    X = train_features[:, :2]
    floor = float(((X @ torch.linalg.lstsq(X, train_labels).solution - train_labels) ** 2).mean())
    assert floor > 100 * 0.1**2
    assert history.column("train_loss")[-1] >= floor * (1 - 1e-5)
    again, _ = train_polynomial(2, *cubic, **kwargs)
    assert torch.equal(linear[0].weight, again[0].weight)
    other, _ = train_polynomial(2, *cubic, **kwargs, init_seed=123)
    assert not torch.equal(linear[0].weight, other[0].weight)


@pytest.fixture(scope="module")
def one_batch() -> tuple[torch.Tensor, torch.Tensor, list]:
    """20 个 5 维样本，整个数据集一个小批量：训练一轮就是一步梯度下降。"""
    X, y = synthetic_linear_data(torch.full((5,), 0.01), 0.05, 20, seed=0)
    return X, y, load_array((X, y), 20, shuffle=False)


def test_scratch_weight_decay_step_is_gradient_plus_lambda_w(one_batch) -> None:
    X, y, batches = one_batch
    lr, lambd = 0.1, 3.0
    w, history = train_weight_decay_scratch(
        lambd, batches, None, 5, lr=lr, num_epochs=1, init_seed=7, **QUIET
    )
    w0 = torch.normal(0, 1, size=(5, 1), generator=torch.Generator().manual_seed(7))
    residual = X @ w0 - y  # 偏置从 0 开始
    # 平方损失 (ŷ - y)²/2 对样本求平均的梯度，加上 λ‖w‖²/2 的梯度 λw
    expected = w0 - lr * (X.T @ residual / 20 + lambd * w0)
    torch.testing.assert_close(w, expected)
    assert len(history) == 1


def test_concise_weight_decay_decays_only_the_weight(one_batch) -> None:
    X, y, batches = one_batch
    lr, wd = 0.1, 3.0
    net, _ = train_weight_decay_concise(
        wd, batches, None, 5, lr=lr, num_epochs=1, init_seed=7, **QUIET
    )
    g = torch.Generator().manual_seed(7)  # 权重与偏置依次取自 N(0, 1)
    W0, b0 = torch.empty(1, 5).normal_(generator=g), torch.empty(1).normal_(generator=g)
    residual = X @ W0.T + b0 - y
    # nn.MSELoss 没有 1/2：梯度是 2·残差；weight_decay 只加在权重上
    expected_W = W0 - lr * (2 * (residual * X).mean(0, keepdim=True) + wd * W0)
    expected_b = b0 - lr * 2 * residual.mean()
    torch.testing.assert_close(net[0].weight.detach(), expected_W)
    torch.testing.assert_close(net[0].bias.detach(), expected_b)
