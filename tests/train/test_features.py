"""预训练主体上的特征（dlbook.train.features.pretrained_features）。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.train.features import pretrained_features


def test_gray_images_equal_their_rgb_copies_and_mode_is_restored():
    body = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU()).train()
    gray = torch.randint(0, 256, (5, 1, 10, 10), dtype=torch.uint8)
    features = pretrained_features(body, gray, size=8, batch_size=2)
    assert features.shape == (5, 4) and body.training  # 评估模式下算，之后恢复训练模式
    assert body[1].num_batches_tracked.item() == 0  # 批量规范化的统计量没有被更新
    rgb = gray.expand(-1, 3, -1, -1)
    torch.testing.assert_close(features, pretrained_features(body, rgb, size=8))


def test_bad_images():
    with pytest.raises(ValueError, match="uint8"):
        pretrained_features(nn.Conv2d(3, 1, 1), torch.zeros(2, 3, 4, 4))
