"""风格迁移的三种损失（dlbook.ops.style）：在手算得出的输入上核对格拉姆矩阵、内容、风格与全变分损失。"""

from __future__ import annotations

import pytest
import torch

from dlbook.ops.style import content_loss, gram, style_loss, tv_loss


def test_gram_by_hand():
    # 两个通道、三个位置：通道 0 = (1, 0, 2)，通道 1 = (0, 3, 1)
    X = torch.tensor([[1.0, 0.0, 2.0], [0.0, 3.0, 1.0]]).reshape(1, 2, 1, 3)
    expected = torch.tensor([[1 + 0 + 4, 0 + 0 + 2], [2, 0 + 9 + 1]], dtype=torch.float32) / 6
    torch.testing.assert_close(gram(X), expected)


def test_gram_ignores_where_features_are():
    X = torch.randn(1, 4, 5, 6, generator=torch.Generator().manual_seed(0))
    shuffled = X.flatten(2)[:, :, torch.randperm(30)].reshape(1, 4, 5, 6)
    torch.testing.assert_close(gram(X), gram(shuffled))
    assert torch.allclose(gram(X), gram(X).T)  # 对称


def test_style_loss_compares_grams_of_different_sizes():
    small = torch.ones(1, 2, 2, 2)
    big = torch.ones(1, 2, 4, 3)
    assert style_loss(small, gram(big)).item() == 0.0  # 常数特征：格拉姆矩阵与大小无关
    doubled = 2 * torch.ones(1, 2, 3, 3)  # 每个元素 4/2 = 2，相差 1.5
    assert style_loss(small, gram(doubled)).item() == pytest.approx(1.5**2)


def test_content_loss_is_mean_squared_error_without_gradient_to_target():
    Y_hat = torch.zeros(1, 1, 2, 2, requires_grad=True)
    Y = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True)
    loss = content_loss(Y_hat, Y)
    assert loss.item() == pytest.approx((1 + 4 + 9 + 16) / 4)
    loss.backward()
    assert Y.grad is None and Y_hat.grad is not None


def test_tv_loss_by_hand():
    # 竖直方向的差 |3-1|、|4-2| 平均 2；水平方向的差 |2-1|、|4-3| 平均 1；总和的一半 1.5
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    assert tv_loss(X).item() == pytest.approx(1.5)
    checker = torch.tensor([[0.0, 1.0], [1.0, 0.0]]).reshape(1, 1, 2, 2)
    assert tv_loss(checker).item() == pytest.approx(1.0)
    assert tv_loss(torch.full((1, 3, 5, 5), 7.0)).item() == 0.0


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"\(1, C, H, W\)"):
        gram(torch.ones(2, 3, 4, 4))
    with pytest.raises(ValueError, match="gram_Y"):
        style_loss(torch.ones(1, 3, 2, 2), torch.ones(2, 2))
    with pytest.raises(ValueError, match="形状"):
        content_loss(torch.ones(1, 3, 2, 2), torch.ones(1, 3, 2, 3))
