"""dlbook.models.linear：线性回归与 softmax 回归（从零实现与简洁实现结果相同）。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.models.linear import (
    SoftmaxRegressionScratch,
    linear_regression,
    softmax_regression,
)
from dlbook.ops import cross_entropy


def test_softmax_regression_scratch_equals_concise(images):
    X, y = images
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
        lambda g: linear_regression(784, generator=g),
    ],
)
def test_init_is_normal_001_and_reproducible(factory, check_normal_init):
    check_normal_init(factory)


@pytest.mark.parametrize(
    "make",
    [
        lambda: SoftmaxRegressionScratch(0),
        lambda: softmax_regression(784, -1),
        lambda: linear_regression(0),
    ],
)
def test_bad_arguments_raise(make):
    with pytest.raises(ValueError):
        make()
