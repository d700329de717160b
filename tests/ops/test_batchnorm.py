"""从零实现的批量规范化（dlbook.ops.batchnorm.batch_norm 与 dlbook.models.batchnorm.BatchNorm）
与 PyTorch 的 nn.BatchNorm1d/2d 逐项比较。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.models.batchnorm import BatchNorm
from dlbook.ops.batchnorm import batch_norm


def _pair(num_dims: int, num_features: int):
    ours = BatchNorm(num_features, num_dims=num_dims)  # momentum=0.9：旧值占 0.9
    ref = (nn.BatchNorm1d if num_dims == 2 else nn.BatchNorm2d)(num_features, momentum=0.1)
    with torch.no_grad():  # 让 γ、β 不再是 1 和 0，比较才有意义
        g = torch.Generator().manual_seed(1)
        gamma = torch.rand(num_features, generator=g) + 0.5
        beta = torch.randn(num_features, generator=g)
        ref.weight.copy_(gamma)
        ref.bias.copy_(beta)
        ours.gamma.copy_(gamma.reshape(ours.gamma.shape))
        ours.beta.copy_(beta.reshape(ours.beta.shape))
    return ours, ref


@pytest.mark.parametrize("shape", [(16, 5), (8, 3, 6, 7)])
def test_module_matches_pytorch_over_several_steps(shape):
    num_dims, num_features = len(shape), shape[1]
    ours, ref = _pair(num_dims, num_features)
    g = torch.Generator().manual_seed(0)
    for step in range(5):
        # 每一步的分布都不同，移动平均必须真的在跟踪它
        X = torch.randn(shape, generator=g) * (step + 1) + step
        X1 = X.clone().requires_grad_()
        X2 = X.clone().requires_grad_()
        Y1, Y2 = ours(X1), ref(X2)
        torch.testing.assert_close(Y1, Y2, rtol=1e-5, atol=1e-5)
        # 梯度也要相同：训练时均值与方差是计算图的一部分
        w = torch.randn(shape, generator=g)
        (Y1 * w).sum().backward()
        (Y2 * w).sum().backward()
        torch.testing.assert_close(X1.grad, X2.grad, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(
            ours.gamma.grad.reshape(-1), ref.weight.grad, rtol=1e-4, atol=1e-5
        )
        torch.testing.assert_close(ours.beta.grad.reshape(-1), ref.bias.grad, rtol=1e-4, atol=1e-5)
        ours.zero_grad()
        ref.zero_grad()
        torch.testing.assert_close(ours.moving_mean.reshape(-1), ref.running_mean)
        torch.testing.assert_close(ours.moving_var.reshape(-1), ref.running_var)
    # 评估模式：用移动平均，输出与 PyTorch 相同，移动平均不再变化
    ours.eval()
    ref.eval()
    before = ours.moving_mean.clone()
    X = torch.randn(shape, generator=g)
    torch.testing.assert_close(ours(X), ref(X), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(ours.moving_mean, before)
    # 评估模式下一个样本也可以
    torch.testing.assert_close(ours(X[:1]), ref(X[:1]), rtol=1e-5, atol=1e-5)


def test_function_statistics_per_feature_and_per_channel():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(6, 4, generator=g) * 3 + 2
    ones, zeros = torch.ones(1, 4), torch.zeros(1, 4)
    Y, mean, var = batch_norm(X, ones, zeros, zeros, ones, momentum=0.0)
    # momentum=0：移动平均完全换成这个小批量的均值与无偏方差
    torch.testing.assert_close(mean, X.mean(0, keepdim=True))
    torch.testing.assert_close(var, X.var(0, unbiased=True, keepdim=True))
    torch.testing.assert_close(Y.mean(0), torch.zeros(4), atol=1e-6, rtol=0)
    torch.testing.assert_close(Y.var(0, unbiased=False), torch.ones(4), atol=1e-4, rtol=0)
    # 卷积层：每个通道在 (批量, 高, 宽) 上统计
    X = torch.randn(2, 3, 4, 5, generator=g) + torch.tensor([0.0, 5.0, -5.0]).reshape(1, 3, 1, 1)
    shape = (1, 3, 1, 1)
    Y, mean, _ = batch_norm(
        X,
        torch.ones(shape),
        torch.zeros(shape),
        torch.zeros(shape),
        torch.ones(shape),
        momentum=0.0,
    )
    torch.testing.assert_close(mean.reshape(-1), X.mean(dim=(0, 2, 3)))
    torch.testing.assert_close(Y.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-6, rtol=0)
    # momentum=1：移动平均保持不变
    _, mean1, var1 = batch_norm(
        X,
        torch.ones(shape),
        torch.zeros(shape),
        torch.zeros(shape),
        torch.ones(shape),
        momentum=1.0,
    )
    assert float(mean1.abs().sum()) == 0 and bool((var1 == 1).all())
    assert not mean1.requires_grad


def test_function_rejects_bad_input():
    ones, zeros = torch.ones(1, 3), torch.zeros(1, 3)
    with pytest.raises(ValueError, match="二维"):
        batch_norm(torch.rand(2, 3, 4), ones, zeros, zeros, ones)
    with pytest.raises(ValueError, match="至少需要 2 个值"):
        batch_norm(torch.rand(1, 3), ones, zeros, zeros, ones)
    with pytest.raises(ValueError, match="momentum"):
        batch_norm(torch.rand(4, 3), ones, zeros, zeros, ones, momentum=1.5)
    with pytest.raises(ValueError, match="num_dims"):
        BatchNorm(3, num_dims=3)


def test_module_buffers_follow_state_dict_and_dtype():
    bn = BatchNorm(4, num_dims=2)
    bn(torch.randn(8, 4))
    state = bn.state_dict()
    fresh = BatchNorm(4, num_dims=2)
    fresh.load_state_dict(state)
    torch.testing.assert_close(fresh.moving_var, bn.moving_var)
    assert bn.double().moving_mean.dtype == torch.float64  # 缓冲区随模块一起转换
    assert [n for n, _ in bn.named_parameters()] == ["gamma", "beta"]
