"""dlbook.models.batchnorm：从零实现与简洁实现的批量规范化 LeNet 逐层相同、输出相同，以及能在固定小批量上学习。"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.batchnorm import BatchNorm, bn_lenet, bn_lenet_concise, lenet_with_norm


def test_bn_lenet_scratch_and_concise_agree(shapes, count):
    scratch = bn_lenet(generator=torch.Generator().manual_seed(0))
    concise = bn_lenet_concise(generator=torch.Generator().manual_seed(0))
    assert shapes(scratch, 28) == shapes(concise, 28) == [
        (6, 24, 24), (6, 24, 24), (6, 24, 24), (6, 12, 12),
        (16, 8, 8), (16, 8, 8), (16, 8, 8), (16, 4, 4),
        (256,), (120,), (120,), (120,), (84,), (84,), (84,), (10,),
    ]  # fmt: skip
    assert count(scratch) == count(concise) == 44_878
    assert sum(isinstance(m, BatchNorm) for m in scratch) == 4
    # 同样的初值：卷积层与全连接层的参数一样，批量规范化都从 γ=1、β=0 开始，所以输出相同
    X = torch.rand(16, 1, 28, 28)
    torch.testing.assert_close(scratch(X), concise(X), rtol=1e-4, atol=1e-5)
    scratch.eval()
    concise.eval()
    torch.testing.assert_close(scratch(X), concise(X), rtol=1e-4, atol=1e-5)


def test_generator_makes_init_reproducible(check_reproducible_init):
    check_reproducible_init(bn_lenet)


def test_training_steps_reduce_loss_on_a_fixed_batch(check_learns_fixed_batch):
    check_learns_fixed_batch(bn_lenet, 28)


def test_lenet_with_identity_is_the_same_net_without_normalization():
    plain = lenet_with_norm(nn.Identity, nn.Identity, generator=torch.Generator().manual_seed(0))
    bn = bn_lenet_concise(generator=torch.Generator().manual_seed(0))
    convs = [(m.weight, m.bias) for m in plain if isinstance(m, nn.Conv2d | nn.Linear)]
    same = [(m.weight, m.bias) for m in bn if isinstance(m, nn.Conv2d | nn.Linear)]
    assert all(torch.equal(a, b) for pair in zip(convs, same, strict=True) for a, b in zip(*pair))
    assert not any("BatchNorm" in type(m).__name__ for m in plain)
