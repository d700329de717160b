"""dlbook.models.mlp：多层感知机与带暂退法的多层感知机，从零实现与简洁实现在相同参数下结果相同。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.models.mlp import DropoutMLPScratch, MLPScratch, dropout_mlp, mlp


@pytest.mark.parametrize(
    "factory",
    [
        lambda g: MLPScratch(generator=g),
        lambda g: mlp(generator=g),
        lambda g: dropout_mlp(generator=g),
    ],
)
def test_init_is_normal_001_and_reproducible(factory, check_normal_init):
    check_normal_init(factory)


def test_mlp_scratch_equals_concise(images):
    X, y = images
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


def test_dropout_mlp_scratch_equals_concise_in_eval_mode(images):
    X, _ = images
    scratch = DropoutMLPScratch(generator=torch.Generator().manual_seed(0)).eval()
    concise = dropout_mlp().eval()
    _copy_dropout_weights(scratch, concise)
    assert torch.allclose(scratch(X), concise(X), atol=1e-6)


def test_dropout_mlp_scratch_drops_only_in_train_mode(images):
    X, _ = images
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


def test_dropout_mlp_scratch_reproducible_training_step(images):
    X, y = images
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
        lambda: MLPScratch(num_hiddens=2.5),
        lambda: mlp(num_inputs=True),
        lambda: dropout_mlp(dropout1=1.2),
        lambda: DropoutMLPScratch(dropout2=-0.5),
    ],
)
def test_bad_arguments_raise(make):
    with pytest.raises(ValueError):
        make()
