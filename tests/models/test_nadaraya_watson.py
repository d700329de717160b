"""dlbook.models.nadaraya_watson：高斯核注意力汇聚（与手算相同）、留一法的数据，以及带参数的核回归能学习。"""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.models.nadaraya_watson import (
    NWKernelRegression,
    gaussian_kernel_pooling,
    kernel_regression_data,
    kernel_regression_target,
    leave_one_out,
)


def test_gaussian_kernel_pooling_by_hand_and_shapes():
    q = torch.tensor([0.0, 1.0])
    k = torch.tensor([0.0, 1.0, 3.0])
    v = torch.tensor([2.0, 4.0, 8.0])
    y_hat, weights = gaussian_kernel_pooling(q, k, v, w=2.0)
    # 查询 1.0 的得分：-((1-0)*2)^2/2 = -2，0，-((1-3)*2)^2/2 = -8
    e = [math.exp(-2), 1.0, math.exp(-8)]
    expected_w = [x / sum(e) for x in e]
    assert weights[1].tolist() == pytest.approx(expected_w, rel=1e-5)
    assert y_hat[1].item() == pytest.approx(sum(a * b for a, b in zip(expected_w, [2, 4, 8])))
    # 每个查询各有一组键值对：结果与逐个计算相同
    K, V = torch.rand(2, 3), torch.rand(2, 3)
    y2, w2 = gaussian_kernel_pooling(q, K, V)
    torch.testing.assert_close(y2[0], gaussian_kernel_pooling(q[:1], K[0], V[0])[0][0])
    assert w2.shape == (2, 3)
    with pytest.raises(ValueError, match="keys"):
        gaussian_kernel_pooling(q, torch.rand(3, 3), torch.rand(3, 3))


def test_leave_one_out_and_data():
    L = leave_one_out(torch.arange(5.0))
    assert L.shape == (5, 4) and L[2].tolist() == [0.0, 1.0, 3.0, 4.0]
    x_train, y_train, x_test, y_truth = kernel_regression_data(n_train=30, noise=0.0, seed=1)
    assert x_train.shape == (30,) and x_test.shape == (50,)
    torch.testing.assert_close(y_train, kernel_regression_target(x_train))
    assert not torch.equal(kernel_regression_data(seed=1)[0], kernel_regression_data(seed=2)[0])
    with pytest.raises(ValueError, match="seed"):
        kernel_regression_data(seed=-1)


def test_nw_kernel_regression_learns_w_and_reduces_loss():
    x, y, _, _ = kernel_regression_data(seed=0)
    keys, values = leave_one_out(x), leave_one_out(y)
    net = NWKernelRegression(generator=torch.Generator().manual_seed(0))
    w0 = net.w.item()
    assert 0 <= w0 < 1
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = ((net(x, keys, values) - y) ** 2 / 2).sum()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 2 and net.w.item() > w0
    assert net.attention_weights.shape == (50, 49)
