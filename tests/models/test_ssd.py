"""dlbook.models.ssd：TinySSD 各部分与整个网络的输出形状、锚框的排列与宽度参数。"""

from __future__ import annotations

import pytest
import torch

from dlbook.models.ssd import (
    SSD_RATIOS,
    SSD_SIZES,
    TinySSD,
    base_net,
    bbox_predictor,
    cls_predictor,
    concat_preds,
    down_sample_blk,
    flatten_pred,
    tiny_ssd,
)
from dlbook.ops.boxes import multibox_prior


def test_predictor_shapes_match_d2l():
    assert cls_predictor(8, 5, 10)(torch.zeros(2, 8, 20, 20)).shape == (2, 55, 20, 20)
    assert bbox_predictor(16, 3)(torch.zeros(2, 16, 10, 10)).shape == (2, 12, 10, 10)
    Y1, Y2 = torch.zeros(2, 55, 20, 20), torch.zeros(2, 33, 10, 10)
    assert concat_preds([Y1, Y2]).shape == (2, 25300)


def test_flatten_pred_keeps_each_pixels_predictions_together():
    """展平后同一个像素的全部通道相邻：与 multibox_prior 逐像素排列锚框的顺序一致。"""
    pred = torch.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2)
    flat = flatten_pred(pred)
    assert flat[0, :3].tolist() == pred[0, :, 0, 0].tolist()
    assert flat[1, 3:6].tolist() == pred[1, :, 0, 1].tolist()


def test_down_sample_and_base_net_halve_height_width():
    assert down_sample_blk(3, 10)(torch.zeros(2, 3, 20, 20)).shape == (2, 10, 10, 10)
    assert base_net()(torch.zeros(2, 3, 256, 256)).shape == (2, 64, 32, 32)
    with pytest.raises(ValueError, match="out_channels"):
        down_sample_blk(3, 0)


@pytest.mark.parametrize(
    ("size", "width", "maps"),
    [(256, 1.0, (32, 16, 8, 4, 1)), (128, 0.5, (16, 8, 4, 2, 1))],
)
def test_tiny_ssd_forward_shapes(size, width, maps):
    torch.manual_seed(0)
    net = tiny_ssd(num_classes=3, width=width)
    anchors, cls_preds, bbox_preds = net(torch.rand(2, 3, size, size))
    num_anchors = sum(m * m for m in maps) * 4  # 每个像素 2 个大小 + 3 个宽高比 - 1 = 4 个锚框
    assert anchors.shape == (1, num_anchors, 4)
    assert cls_preds.shape == (2, num_anchors, 4)
    assert bbox_preds.shape == (2, num_anchors * 4)
    # 锚框与各尺度的 multibox_prior 拼起来的一致（第一个尺度在前）
    first = multibox_prior(torch.zeros(1, 1, maps[0], maps[0]), SSD_SIZES[0], SSD_RATIOS[0])
    torch.testing.assert_close(anchors[:, : first.shape[1]], first)


def test_width_scales_channels():
    full, half = TinySSD(1), TinySSD(1, width=0.5)
    assert full.blocks[1][0].out_channels == 128 and half.blocks[1][0].out_channels == 64
    assert full.blocks[0][0][0].out_channels == 16 and half.blocks[0][0][0].out_channels == 8
    n_full = sum(p.numel() for p in full.parameters())
    n_half = sum(p.numel() for p in half.parameters())
    assert 3.5 < n_full / n_half < 4.5  # 卷积参数随通道数的平方缩小


def test_custom_sizes_and_ratios_change_anchor_count():
    net = TinySSD(2, width=0.25, sizes=[[0.2]] * 5, ratios=[[1.0]] * 5)
    anchors, cls_preds, _ = net(torch.zeros(1, 3, 64, 64))
    assert anchors.shape == (1, 8 * 8 + 4 * 4 + 2 * 2 + 1 + 1, 4)
    assert cls_preds.shape[-1] == 3


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_classes"):
        TinySSD(0)
    with pytest.raises(ValueError, match="width"):
        TinySSD(1, width=0)
    with pytest.raises(ValueError, match="5"):
        TinySSD(1, sizes=SSD_SIZES[:3])
