"""dlbook.models.vgg：VGG 块与 VGG-11 的逐层形状、参数个数，以及与 torchvision 定义的结构对照。"""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

from dlbook.models.vgg import VGG11_ARCH, vgg, vgg11, vgg_block


def test_vgg_block_and_vgg11_shapes(shapes, count):
    blk = vgg_block(2, 4, 8)
    assert blk(torch.zeros(1, 4, 16, 16)).shape == (1, 8, 8, 8)
    assert sum(isinstance(m, nn.Conv2d) for m in blk) == 2
    with torch.device("meta"):  # 只看结构：不分配、不初始化 1.3 亿个参数
        net, small = vgg11(), vgg11(ratio=4)
    assert shapes(net, 224)[:6] == [
        (64, 112, 112), (128, 56, 56), (256, 28, 28), (512, 14, 14), (512, 7, 7), (25088,),
    ]  # fmt: skip
    assert count(net) == 128_806_154
    assert shapes(small, 224)[:6] == [
        (16, 112, 112), (32, 56, 56), (64, 28, 28), (128, 14, 14), (128, 7, 7), (6272,),
    ]  # fmt: skip
    assert count(small) == 43_093_322
    assert sum(isinstance(m, nn.Conv2d) for m in small.modules()) == 8
    assert sum(isinstance(m, nn.Linear) for m in small.modules()) == 3
    with pytest.raises(ValueError, match="ratio"):
        vgg11(ratio=3)
    with pytest.raises(ValueError, match="arch"):
        vgg(())
    with pytest.raises(ValueError, match="0×0"):
        vgg([(1, 4)] * 8)


def test_vgg11_matches_torchvision_structure(count):
    """卷积部分逐层相同；3 通道、1000 类时参数个数与 torchvision 的 vgg11 完全一样。

    不同之处：torchvision 在卷积部分之后多一个 ``AdaptiveAvgPool2d((7, 7))``（224×224 输入时它什么也不做，
    只是让其他尺寸的输入也能用），全连接层放在单独的 ``classifier`` 里；本书的输入是 1 个通道、10 类。
    """
    with torch.device("meta"):  # 只比较结构与参数个数，不需要参数的值
        tv = torchvision.models.vgg11(weights=None)
        ours = vgg11(in_channels=3, num_classes=1000)
    ours_features = [m for blk in ours[: len(VGG11_ARCH)] for m in blk]
    assert len(ours_features) == len(tv.features)
    for a, b in zip(ours_features, tv.features):
        assert type(a) is type(b)
        if isinstance(a, nn.Conv2d):
            assert (a.in_channels, a.out_channels, a.kernel_size, a.stride, a.padding) == (
                b.in_channels, b.out_channels, b.kernel_size, b.stride, b.padding,
            )  # fmt: skip
        if isinstance(a, nn.MaxPool2d):
            assert (a.kernel_size, a.stride) == (b.kernel_size, b.stride)
    ours_classifier = list(ours[len(VGG11_ARCH) + 1 :])  # 跳过 Flatten
    assert [type(m) for m in ours_classifier] == [type(m) for m in tv.classifier]
    assert count(ours) == count(tv) == 132_863_336


@pytest.mark.slow  # 初始化三次约 3000 万个参数
def test_generator_makes_init_reproducible(check_reproducible_init):
    check_reproducible_init(lambda generator: vgg11(ratio=8, generator=generator))
