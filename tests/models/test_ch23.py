"""第 2–3 章的模型：从零实现与简洁实现在相同参数下给出相同的结果。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.diagrams.activations import activation_and_derivative, plot_activations
from dlbook.diagrams.losses import loss_and_gradient, plot_regression_losses
from dlbook.models import (
    DropoutMLPScratch,
    MLPScratch,
    SoftmaxRegressionScratch,
    dropout_mlp,
    linear_regression,
    mlp,
    softmax_regression,
)
from dlbook.ops import cross_entropy, huber_loss, l1_loss, l2_loss, softmax


def _images(n=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)


def test_softmax_and_cross_entropy_match_torch():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(16, 10, generator=g) * 5
    y = torch.randint(0, 10, (16,), generator=g)
    assert torch.allclose(softmax(logits), torch.softmax(logits, dim=1), atol=1e-6)
    ours = cross_entropy(softmax(logits), y)
    theirs = nn.CrossEntropyLoss(reduction="none")(logits, y)
    assert torch.allclose(ours, theirs, atol=1e-5)


def test_softmax_regression_scratch_equals_concise():
    X, y = _images()
    scratch = SoftmaxRegressionScratch(generator=torch.Generator().manual_seed(0))
    concise = softmax_regression()
    with torch.no_grad():
        concise[1].weight.copy_(scratch.W.T)
        concise[1].bias.copy_(scratch.b)
    probs = scratch(X)
    logits = concise(X)
    assert torch.allclose(probs, torch.softmax(logits, dim=1), atol=1e-6)
    assert torch.allclose(
        cross_entropy(probs, y), nn.CrossEntropyLoss(reduction="none")(logits, y), atol=1e-5
    )
    # 梯度也相同：手写交叉熵对 W 的梯度 == CrossEntropyLoss 对 weight 的梯度（转置）
    cross_entropy(probs, y).sum().backward()
    nn.CrossEntropyLoss(reduction="sum")(logits, y).backward()
    assert torch.allclose(scratch.W.grad.T, concise[1].weight.grad, atol=1e-5)


@pytest.mark.parametrize(
    "factory",
    [
        lambda g: SoftmaxRegressionScratch(generator=g),
        lambda g: softmax_regression(generator=g),
        lambda g: MLPScratch(generator=g),
        lambda g: mlp(generator=g),
        lambda g: dropout_mlp(generator=g),
        lambda g: linear_regression(784, generator=g),
    ],
)
def test_init_is_normal_001_and_reproducible(factory):
    a = factory(torch.Generator().manual_seed(1))
    b = factory(torch.Generator().manual_seed(1))
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(pa, pb)
        if pa.dim() == 2:  # 权重
            assert abs(pa.std().item() - 0.01) < 0.001
            assert abs(pa.mean().item()) < 0.001
        else:  # 偏置
            assert torch.equal(pa, torch.zeros_like(pa)), name


def test_mlp_scratch_equals_concise():
    X, y = _images()
    scratch = MLPScratch(generator=torch.Generator().manual_seed(0))
    concise = mlp()
    with torch.no_grad():
        concise[1].weight.copy_(scratch.W1.T)
        concise[1].bias.copy_(scratch.b1)
        concise[3].weight.copy_(scratch.W2.T)
        concise[3].bias.copy_(scratch.b2)
    assert torch.allclose(scratch(X), concise(X), atol=1e-6)
    assert len(list(scratch.parameters())) == 4


def _copy_dropout_weights(scratch, concise):
    with torch.no_grad():
        for src, dst in zip(
            [scratch.lin1, scratch.lin2, scratch.lin3], [concise[1], concise[4], concise[7]]
        ):
            dst.weight.copy_(src.weight)
            dst.bias.copy_(src.bias)


def test_dropout_mlp_scratch_equals_concise_in_eval_mode():
    X, _ = _images()
    scratch = DropoutMLPScratch(generator=torch.Generator().manual_seed(0)).eval()
    concise = dropout_mlp().eval()
    _copy_dropout_weights(scratch, concise)
    assert torch.allclose(scratch(X), concise(X), atol=1e-6)


def test_dropout_mlp_scratch_drops_only_in_train_mode():
    X, _ = _images()
    net = DropoutMLPScratch(generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        net.eval()
        assert torch.equal(net(X), net(X))
        net.train()
        assert not torch.equal(net(X), net(X))
        # dropout 为 0 时训练模式与评估模式相同
        net0 = DropoutMLPScratch(dropout1=0.0, dropout2=0.0).train()
        assert torch.equal(net0(X), net0.eval()(X))


def test_dropout_mlp_scratch_default_init_matches_pytorch_bounds():
    net = DropoutMLPScratch(generator=torch.Generator().manual_seed(0))
    bound = 1 / 784**0.5
    assert net.lin1.weight.abs().max().item() <= bound
    assert net.lin1.weight.abs().max().item() > 0.9 * bound


def test_dropout_mlp_scratch_reproducible_training_step():
    X, y = _images()
    outs = []
    for _ in range(2):
        net = DropoutMLPScratch(generator=torch.Generator().manual_seed(5))
        opt = torch.optim.SGD(net.parameters(), lr=0.5)
        for _ in range(3):
            opt.zero_grad()
            nn.functional.cross_entropy(net(X), y).backward()
            opt.step()
        outs.append(net.eval()(X))
    assert torch.equal(outs[0], outs[1])


@pytest.mark.parametrize(
    "make",
    [
        lambda: SoftmaxRegressionScratch(0),
        lambda: softmax_regression(784, -1),
        lambda: MLPScratch(num_hiddens=2.5),
        lambda: mlp(num_inputs=True),
        lambda: dropout_mlp(dropout1=1.2),
        lambda: DropoutMLPScratch(dropout2=-0.5),
        lambda: linear_regression(0),
    ],
)
def test_bad_arguments_raise(make):
    with pytest.raises(ValueError):
        make()


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


def test_loss_gradients():
    d = torch.tensor([-3.0, -0.5, 0.5, 3.0])
    assert torch.equal(loss_and_gradient(l2_loss, d)[1], d)
    assert torch.equal(loss_and_gradient(l1_loss, d)[1], torch.sign(d))
    assert torch.equal(loss_and_gradient(huber_loss, d)[1], torch.tensor([-1.0, -0.5, 0.5, 1.0]))


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


def test_figures_draw():
    import matplotlib.pyplot as plt

    axes = plot_regression_losses()
    assert len(axes) == 3 and all(len(ax.get_lines()) == 3 for ax in axes)
    axes = plot_activations(("relu", "tanh"))
    assert axes.shape == (2, 2)
    plt.close("all")


def test_perceptron_converges_within_the_theorem_bound():
    from dlbook.models import train_perceptron

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
    from dlbook.models import train_perceptron

    X = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    result = train_perceptron(X, torch.tensor([-1, -1, 1, 1]), max_epochs=200)
    assert not result.converged and result.num_updates > 0
    with pytest.raises(ValueError, match="-1"):
        train_perceptron(X, torch.tensor([0, 0, 1, 1]))
    with pytest.raises(ValueError):
        train_perceptron(X, torch.tensor([1, -1]))
