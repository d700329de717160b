"""dlbook.data.augmentation：逐张增广、接到批次上的变换、Fashion-MNIST 的增广与 ImageNet 的输入。"""

from __future__ import annotations

import pytest
import torch
from torchvision.transforms import v2

from dlbook.data.augmentation import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    augment_images,
    fashion_mnist_augmentation,
    imagenet_input,
    transform_batches,
)
from dlbook.data.loader import TensorBatches


def test_each_image_draws_its_own_parameters():
    torch.manual_seed(0)
    X = torch.arange(4.0).reshape(1, 1, 1, 4).repeat(64, 1, 1, 1)
    flipped = augment_images(X, v2.RandomHorizontalFlip())[:, 0, 0, 0]
    assert 10 < (flipped == 3).sum() < 54  # 约一半翻转
    assert set(flipped.tolist()) == {0.0, 3.0}
    with pytest.raises(ValueError, match="四维"):
        augment_images(X[0], v2.RandomHorizontalFlip())


def test_crop_with_padding_is_a_shift_and_keeps_the_pixels():
    torch.manual_seed(1)
    X = torch.zeros(200, 1, 28, 28)
    X[:, :, 13, 13] = 1.0
    Y = augment_images(X, fashion_mnist_augmentation(padding=1))
    assert Y.shape == X.shape
    assert torch.equal(Y.sum(dim=(1, 2, 3)), torch.ones(200))  # 平移 1 像素，亮点不会出界
    rows, cols = Y[:, 0].nonzero()[:, 1], Y[:, 0].nonzero()[:, 2]
    assert set(rows.tolist()) == {12, 13, 14}
    assert set(cols.tolist()) <= {12, 13, 14, 15}  # 左右翻转把第 13 列映到第 14 列
    with pytest.raises(ValueError, match="padding"):
        fashion_mnist_augmentation(-1)


def test_transform_batches_keeps_order_and_previous_transform():
    X, y = torch.arange(10.0).reshape(10, 1, 1, 1), torch.arange(10)
    data = TensorBatches((X, y), 4, seed=3, transform=lambda b: (b[0] * 2, b[1]))
    plus = transform_batches(data, lambda images: images + 1)
    for (a, ya), (b, yb) in zip(data, plus):
        assert torch.equal(ya, yb) and torch.equal(b, a + 1)
    assert len(plus) == len(data) == 3
    with pytest.raises(TypeError, match="TensorBatches"):
        transform_batches([(X, y)], lambda images: images)


def test_imagenet_input_replicates_gray_and_normalizes():
    X = torch.rand(3, 1, 5, 5)
    Y = imagenet_input()(X)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    assert Y.shape == (3, 3, 5, 5)
    torch.testing.assert_close(Y * std + mean, X.expand(-1, 3, -1, -1))
