"""暂退法、L2 惩罚与手写 ReLU：与 PyTorch 自带实现逐一比较。"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlbook.ops import dropout_layer, l2_penalty, relu


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_statistics_match_torch(p):
    X = torch.ones(400_000)
    g = torch.Generator().manual_seed(0)
    ours = dropout_layer(X, p, generator=g)
    torch.manual_seed(0)
    theirs = nn.functional.dropout(X, p, training=True)
    for out in (ours, theirs):
        kept = out != 0
        # 保留下来的元素都被放大为 1 / (1 - p)
        assert torch.allclose(out[kept], torch.full_like(out[kept], 1 / (1 - p)))
        # 丢弃的比例约为 p，期望不变
        assert abs((~kept).float().mean().item() - p) < 0.005
        assert abs(out.mean().item() - 1.0) < 0.01
    assert abs((ours == 0).float().mean().item() - (theirs == 0).float().mean().item()) < 0.005


def test_dropout_edge_cases_and_reproducibility():
    X = torch.arange(16, dtype=torch.float32).reshape(2, 8)
    assert dropout_layer(X, 0) is X
    assert torch.equal(dropout_layer(X, 1), torch.zeros_like(X))
    a = dropout_layer(X, 0.5, generator=torch.Generator().manual_seed(7))
    b = dropout_layer(X, 0.5, generator=torch.Generator().manual_seed(7))
    assert torch.equal(a, b)
    torch.manual_seed(3)
    c = dropout_layer(X, 0.5)
    torch.manual_seed(3)
    assert torch.equal(c, dropout_layer(X, 0.5))


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", None])
def test_dropout_rejects_bad_probability(p):
    with pytest.raises(ValueError, match="dropout"):
        dropout_layer(torch.ones(3), p)


def test_dropout_gradient_flows_only_through_kept_units():
    X = torch.ones(1000, requires_grad=True)
    out = dropout_layer(X, 0.5, generator=torch.Generator().manual_seed(1))
    out.sum().backward()
    assert torch.equal(X.grad, (out != 0).float() * 2)


def test_l2_penalty_value_and_gradient():
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    value = l2_penalty(w)
    assert value.item() == pytest.approx(7.0)
    value.backward()
    assert torch.equal(w.grad, w.detach())


def test_l2_penalty_matches_sgd_weight_decay():
    """手写的 λ·‖w‖²/2 惩罚 + 手写 sgd 的一步 == ``torch.optim.SGD(weight_decay=λ)`` 的一步。"""
    from dlbook.ops import linreg, sgd, squared_loss

    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(5, 200, generator=g), torch.randn(5, 1, generator=g)
    w0, b0 = torch.randn(200, 1, generator=g), torch.zeros(1)
    lambd, lr = 3.0, 0.003

    # 从零实现：逐样本损失加上惩罚（广播到每个样本），求和后反向传播，sgd 再除以批量大小
    w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    for _ in range(3):
        loss = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
        loss.sum().backward()
        sgd([w, b], lr, batch_size=5)

    # 简洁实现：只对权重设置 weight_decay，偏置不衰减
    net = nn.Linear(200, 1)
    with torch.no_grad():
        net.weight.copy_(w0.T)
        net.bias.copy_(b0)
    trainer = torch.optim.SGD(
        [{"params": net.weight, "weight_decay": lambd}, {"params": net.bias}], lr=lr
    )
    for _ in range(3):
        trainer.zero_grad()
        (nn.functional.mse_loss(net(X), y) / 2).backward()
        trainer.step()

    assert torch.allclose(w.detach().T, net.weight.detach(), atol=1e-6)
    assert torch.allclose(b.detach(), net.bias.detach(), atol=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=20))
def test_relu_matches_torch(values):
    X = torch.tensor(values)
    assert torch.equal(relu(X), torch.relu(X))


def test_relu_gradient():
    X = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    relu(X).sum().backward()
    assert X.grad.tolist() == [0.0, 1.0, 1.0]
