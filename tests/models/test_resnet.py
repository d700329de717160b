"""dlbook.models.resnet：残差块、ResNet-18 的逐层形状与参数个数，以及与 torchvision 定义的结构对照。"""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

from dlbook.models.resnet import Residual, SigmoidBlock, resnet18, resnet_stage, sigmoid_stack


def test_residual_shapes_with_and_without_1x1():
    X = torch.rand(4, 3, 6, 6)
    same = Residual(3, 3)
    assert same(X).shape == (4, 3, 6, 6) and same.conv3 is None
    down = Residual(3, 6, use_1x1conv=True, stride=2)
    assert down(X).shape == (4, 6, 3, 3) and down.conv3.kernel_size == (1, 1)
    # 1×1 卷积只改变通道，步幅 1 时高宽不变
    assert Residual(3, 6, use_1x1conv=True)(X).shape == (4, 6, 6, 6)
    with pytest.raises(ValueError, match="use_1x1conv"):
        Residual(3, 6)
    with pytest.raises(ValueError, match="use_1x1conv"):
        Residual(3, 3, stride=2)


def test_residual_is_identity_plus_branch():
    """把第二个卷积的批量规范化的 γ、β 置零，残差分支输出 0，块就是 ReLU(x)。"""
    blk = Residual(4, 4).eval()
    with torch.no_grad():
        blk.bn2.weight.zero_()
        blk.bn2.bias.zero_()
    X = torch.randn(2, 4, 5, 5)
    torch.testing.assert_close(blk(X), torch.relu(X))


def test_resnet18_shapes_and_parameters(shapes, count):
    net = resnet18()
    assert shapes(net, 96) == [
        (64, 24, 24), (64, 24, 24), (128, 12, 12), (256, 6, 6), (512, 3, 3),
        (512, 1, 1), (512,), (10,),
    ]  # fmt: skip
    assert shapes(net, 224)[:5] == [
        (64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7),
    ]  # fmt: skip
    assert count(net) == 11_178_378
    stage = resnet_stage(64, 128, 2)
    assert [b.conv3 is not None for b in stage] == [True, False]
    with pytest.raises(ValueError, match="第一个阶段"):
        resnet_stage(64, 128, 2, first_stage=True)


def test_resnet18_matches_torchvision_structure(count):
    """阶段划分、每个卷积的核、步幅、通道与 torchvision 的 resnet18 相同，参数个数的差别正好是两处约定：

    * 本书（与笔记、D2L 一样）每个卷积都带偏置，torchvision 的卷积后面紧跟批量规范化，所以不要偏置
      （偏置会被规范化减掉的均值抵消，β 起同样的作用）；
    * torchvision 的捷径是 1×1 卷积 + 批量规范化，本书只有 1×1 卷积。
    """
    tv = torchvision.models.resnet18(weights=None)
    ours = resnet18(in_channels=3, num_classes=1000)
    stem = ours[0]
    assert (stem[0].kernel_size, stem[0].stride, stem[0].padding) == (
        tv.conv1.kernel_size, tv.conv1.stride, tv.conv1.padding,
    )  # fmt: skip
    assert (stem[3].kernel_size, stem[3].stride, stem[3].padding) == (
        tv.maxpool.kernel_size, tv.maxpool.stride, tv.maxpool.padding,
    )  # fmt: skip
    for stage, layer in zip(ours[1:5], (tv.layer1, tv.layer2, tv.layer3, tv.layer4)):
        assert len(stage) == len(layer) == 2
        for blk, basic in zip(stage, layer):
            for a, b in ((blk.conv1, basic.conv1), (blk.conv2, basic.conv2)):
                assert (a.in_channels, a.out_channels, a.kernel_size, a.stride, a.padding) == (
                    b.in_channels, b.out_channels, b.kernel_size, b.stride, b.padding,
                )  # fmt: skip
                assert a.bias is not None and b.bias is None
            assert (blk.conv3 is None) == (basic.downsample is None)
            if blk.conv3 is not None:
                conv, bn = basic.downsample
                assert (blk.conv3.kernel_size, blk.conv3.stride) == (conv.kernel_size, conv.stride)
    X = torch.zeros(1, 3, 224, 224)
    with torch.no_grad():
        assert ours.eval()(X).shape == tv.eval()(X).shape == (1, 1000)
    conv_biases = sum(m.bias.numel() for m in ours.modules() if isinstance(m, nn.Conv2d))
    shortcut_bn = sum(
        count(blk.downsample[1])
        for layer in (tv.layer2, tv.layer3, tv.layer4)
        for blk in layer
        if blk.downsample is not None
    )
    assert count(ours) - count(tv) == conv_biases - shortcut_bn == 3008


def test_generator_makes_init_reproducible(check_reproducible_init):
    check_reproducible_init(resnet18)


@pytest.mark.slow
def test_training_steps_reduce_loss_on_a_fixed_batch(check_learns_fixed_batch):
    check_learns_fixed_batch(resnet18, 96)


def test_small_stem_and_ratio():
    small = resnet18(stem="small", generator=torch.Generator().manual_seed(0))
    assert not any(isinstance(m, nn.MaxPool2d) for m in small.modules())
    assert small[:2](torch.zeros(1, 1, 28, 28)).shape == (1, 64, 28, 28)
    narrow = resnet18(ratio=4)
    assert narrow(torch.zeros(2, 1, 28, 28)).shape == (2, 10) and narrow[-1].in_features == 128
    with pytest.raises(ValueError, match="stem"):
        resnet18(stem="tiny")


def test_sigmoid_stack_pair_differs_only_in_the_shortcut():
    plain = sigmoid_stack(20, residual=False, generator=torch.Generator().manual_seed(0))
    res = sigmoid_stack(20, residual=True, generator=torch.Generator().manual_seed(0))
    assert all(torch.equal(p, q) for p, q in zip(plain.parameters(), res.parameters(), strict=True))
    X, y = torch.rand(16, 1, 28, 28), torch.arange(16) % 10
    ratios = []
    for net in (plain, res):
        nn.functional.cross_entropy(net(X), y).backward()
        norms = [m.linear.weight.grad.norm() for m in net if isinstance(m, SigmoidBlock)]
        ratios.append(float(norms[0] / norms[-1]))
    assert ratios[0] < 1e-6 < 1e-2 < ratios[1]  # 没有捷径时底层的梯度几乎消失
