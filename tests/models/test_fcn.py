"""全卷积网络（dlbook.models.fcn）：双线性核与 F.interpolate 一致、输出形状、预训练主体。"""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from dlbook.models.fcn import bilinear_kernel, fcn


@pytest.mark.parametrize("stride", [2, 4, 16, 32])
def test_bilinear_kernel_equals_interpolate(stride):
    X = torch.rand(1, 3, 5, 4, generator=torch.Generator().manual_seed(stride))
    W = bilinear_kernel(3, 3, 2 * stride)
    Y = F.conv_transpose2d(X, W, stride=stride, padding=stride // 2)
    Z = F.interpolate(X, scale_factor=stride, mode="bilinear", align_corners=False)
    m = stride // 2  # 边界上插值复制边缘像素，转置卷积把图像之外当作 0：只比较内部
    torch.testing.assert_close(Y[..., m:-m, m:-m], Z[..., m:-m, m:-m])
    # 输入四周复制一圈边缘像素之后，整张图都相同
    padded = F.pad(X, (1, 1, 1, 1), mode="replicate")
    Y = F.conv_transpose2d(padded, W, stride=stride, padding=stride // 2)
    torch.testing.assert_close(Y[..., stride:-stride, stride:-stride], Z)


def test_bilinear_kernel_keeps_channels_apart():
    W = bilinear_kernel(3, 3, 4)
    assert W[0, 1].abs().sum() == 0 and torch.equal(W[0, 0], W[2, 2])
    assert W[0, 0].sum() == 4  # 步幅 2：每个输入像素的值分到 4 个输出像素上


@pytest.mark.parametrize("stride", [16, 32])
def test_fcn_output_matches_input_size(stride):
    torch.manual_seed(0)
    net = fcn(4, pretrained=False, stride=stride).eval()
    with torch.no_grad():
        assert net(torch.rand(2, 3, 64, 96)).shape == (2, 4, 64, 96)
    assert torch.equal(net.upsample.weight, bilinear_kernel(4, 4, 2 * stride))
    with pytest.raises(ValueError, match="stride"):
        fcn(4, pretrained=False, stride=8)


def test_pretrained_body_loads_imagenet_weights():
    from dlbook.data.pretrained import mobilenet_v2_state_dict

    net = fcn(4, pretrained=True, stride=16)
    first = mobilenet_v2_state_dict()["features.0.0.weight"]
    assert torch.equal(net.body[0][0].weight, first)
