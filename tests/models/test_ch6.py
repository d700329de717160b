"""第 6 章的现代卷积网络：逐层形状、参数个数、可复现的初始化，以及与 torchvision 定义的结构对照。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torchvision
from torch import nn

from dlbook.diagrams import modern_cnn
from dlbook.models.alexnet import alexnet
from dlbook.models.batchnorm import BatchNorm, bn_lenet, bn_lenet_concise
from dlbook.models.googlenet import Inception, googlenet
from dlbook.models.nin import nin, nin_block
from dlbook.models.resnet import Residual, resnet18, resnet_stage
from dlbook.models.vgg import VGG11_ARCH, vgg, vgg11, vgg_block


def _count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def _shapes(net: nn.Sequential, size: int, batch: int = 2) -> list[tuple[int, ...]]:
    X = torch.zeros(batch, 1, size, size)
    out = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            out.append(tuple(X.shape[1:]))
    return out


def test_alexnet_shapes_and_parameters():
    net = alexnet()
    shapes = _shapes(net, 224)
    assert shapes == [
        (96, 54, 54), (96, 54, 54), (96, 26, 26),
        (256, 26, 26), (256, 26, 26), (256, 12, 12),
        (384, 12, 12), (384, 12, 12), (384, 12, 12), (384, 12, 12),
        (256, 12, 12), (256, 12, 12), (256, 5, 5),
        (6400,), (4096,), (4096,), (4096,), (4096,), (4096,), (4096,), (10,),
    ]  # fmt: skip
    # 卷积层 11712 + 614656 + 885120 + 1327488 + 884992，全连接层 26218496 + 16781312 + 40970
    assert _count(net) == 46_764_746
    assert [m.p for m in net if isinstance(m, nn.Dropout)] == [0.5, 0.5]
    with pytest.raises(RuntimeError):  # 全连接层的输入固定为 6400 维：输入必须是 224×224
        net(torch.zeros(1, 1, 96, 96))
    with pytest.raises(ValueError, match="dropout"):
        alexnet(dropout=1.0)


def test_vgg_block_and_vgg11_shapes():
    blk = vgg_block(2, 4, 8)
    assert blk(torch.zeros(1, 4, 16, 16)).shape == (1, 8, 8, 8)
    assert sum(isinstance(m, nn.Conv2d) for m in blk) == 2
    net = vgg11()
    assert _shapes(net, 224)[:6] == [
        (64, 112, 112), (128, 56, 56), (256, 28, 28), (512, 14, 14), (512, 7, 7), (25088,),
    ]  # fmt: skip
    assert _count(net) == 128_806_154
    small = vgg11(ratio=4)
    assert _shapes(small, 224)[:6] == [
        (16, 112, 112), (32, 56, 56), (64, 28, 28), (128, 14, 14), (128, 7, 7), (6272,),
    ]  # fmt: skip
    assert _count(small) == 43_093_322
    assert sum(isinstance(m, nn.Conv2d) for m in small.modules()) == 8
    assert sum(isinstance(m, nn.Linear) for m in small.modules()) == 3
    with pytest.raises(ValueError, match="ratio"):
        vgg11(ratio=3)
    with pytest.raises(ValueError, match="arch"):
        vgg(())
    with pytest.raises(ValueError, match="0×0"):
        vgg([(1, 4)] * 8)


def test_vgg11_matches_torchvision_structure():
    """卷积部分逐层相同；3 通道、1000 类时参数个数与 torchvision 的 vgg11 完全一样。

    不同之处：torchvision 在卷积部分之后多一个 ``AdaptiveAvgPool2d((7, 7))``（224×224 输入时它什么也不做，
    只是让其他尺寸的输入也能用），全连接层放在单独的 ``classifier`` 里；本书的输入是 1 个通道、10 类。
    """
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
    assert _count(ours) == _count(tv) == 132_863_336


def test_nin_shapes_and_global_pooling():
    blk = nin_block(3, 5, kernel_size=3, stride=2, padding=1)
    assert blk(torch.zeros(1, 3, 8, 8)).shape == (1, 5, 4, 4)
    net = nin()
    assert _shapes(net, 224) == [
        (96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5),
        (384, 5, 5), (10, 5, 5), (10, 1, 1), (10,),
    ]  # fmt: skip
    assert _count(net) == 1_992_166
    assert not any(isinstance(m, nn.Linear) for m in net.modules())
    # 全局平均池化：输入尺寸可以变，最小 67×67（文档字符串里这样写）
    assert net(torch.zeros(1, 1, 67, 67)).shape == (1, 10)
    with pytest.raises(RuntimeError):
        net(torch.zeros(1, 1, 66, 66))


def test_inception_and_googlenet():
    blk = Inception(192, 64, (96, 128), (16, 32), 32)
    Y = blk(torch.zeros(2, 192, 12, 12))
    assert Y.shape == (2, 256, 12, 12) and blk.out_channels == 256
    # 四条路径各自的输出通道依次拼接：把某一条路径的输出置零，只影响它那几个通道
    with torch.no_grad():
        blk.p3_2.weight.zero_()
        blk.p3_2.bias.fill_(-1.0)  # ReLU 之后为 0
    Y = blk(torch.rand(1, 192, 6, 6))
    assert bool((Y[:, 64 + 128 : 64 + 128 + 32] == 0).all())
    net = googlenet()
    assert _shapes(net, 96) == [
        (64, 24, 24),
        (192, 12, 12),
        (480, 6, 6),
        (832, 3, 3),
        (1024,),
        (10,),
    ]
    assert _count(net) == 5_977_530
    outs = [m.out_channels for m in net.modules() if isinstance(m, Inception)]
    assert outs == [256, 480, 512, 512, 512, 528, 832, 832, 1024]
    with pytest.raises(ValueError, match="c2"):
        Inception(8, 1, (2,), (1, 1), 1)


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


def test_resnet18_shapes_and_parameters():
    net = resnet18()
    assert _shapes(net, 96) == [
        (64, 24, 24), (64, 24, 24), (128, 12, 12), (256, 6, 6), (512, 3, 3),
        (512, 1, 1), (512,), (10,),
    ]  # fmt: skip
    assert _shapes(net, 224)[:5] == [
        (64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7),
    ]  # fmt: skip
    assert _count(net) == 11_178_378
    stage = resnet_stage(64, 128, 2)
    assert [b.conv3 is not None for b in stage] == [True, False]
    with pytest.raises(ValueError, match="第一个阶段"):
        resnet_stage(64, 128, 2, first_stage=True)


def test_resnet18_matches_torchvision_structure():
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
        _count(blk.downsample[1])
        for layer in (tv.layer2, tv.layer3, tv.layer4)
        for blk in layer
        if blk.downsample is not None
    )
    assert _count(ours) - _count(tv) == conv_biases - shortcut_bn == 3008


def test_bn_lenet_scratch_and_concise_agree():
    scratch = bn_lenet(generator=torch.Generator().manual_seed(0))
    concise = bn_lenet_concise(generator=torch.Generator().manual_seed(0))
    assert _shapes(scratch, 28) == _shapes(concise, 28) == [
        (6, 24, 24), (6, 24, 24), (6, 24, 24), (6, 12, 12),
        (16, 8, 8), (16, 8, 8), (16, 8, 8), (16, 4, 4),
        (256,), (120,), (120,), (120,), (84,), (84,), (84,), (10,),
    ]  # fmt: skip
    assert _count(scratch) == _count(concise) == 44_878
    assert sum(isinstance(m, BatchNorm) for m in scratch) == 4
    # 同样的初值：卷积层与全连接层的参数一样，批量规范化都从 γ=1、β=0 开始，所以输出相同
    X = torch.rand(16, 1, 28, 28)
    torch.testing.assert_close(scratch(X), concise(X), rtol=1e-4, atol=1e-5)
    scratch.eval()
    concise.eval()
    torch.testing.assert_close(scratch(X), concise(X), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    ("factory", "size"),
    [
        (alexnet, 224),
        (lambda generator: vgg11(ratio=8, generator=generator), 224),
        (nin, 224),
        (googlenet, 96),
        (resnet18, 96),
        (bn_lenet, 28),
    ],
)
def test_generator_makes_init_reproducible(factory, size):
    a = factory(generator=torch.Generator().manual_seed(0))
    b = factory(generator=torch.Generator().manual_seed(0))
    c = factory(generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    first = next(m for m in a.modules() if isinstance(m, nn.Conv2d))
    other = next(m for m in c.modules() if isinstance(m, nn.Conv2d))
    assert not torch.equal(first.weight, other.weight)
    bound = 1 / first.weight[0].numel() ** 0.5
    assert float(first.weight.detach().abs().max()) <= bound


@pytest.mark.parametrize(
    ("factory", "size"),
    [(alexnet, 224), (nin, 224), (googlenet, 96), (resnet18, 96), (bn_lenet, 28)],
)
def test_one_training_step_reduces_loss_on_a_fixed_batch(factory, size):
    """每个网络都能反向传播并学习：在一个固定的小批量上走几步，损失下降。"""
    torch.manual_seed(0)
    net = factory(generator=torch.Generator().manual_seed(0))
    X, y = torch.rand(8, 1, size, size), torch.arange(8) % 10
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    loss = nn.CrossEntropyLoss()
    net.eval()  # 关闭暂退法，让损失只随参数变化
    with torch.no_grad():
        before = float(loss(net(X), y))
    net.train()
    for m in net.modules():
        if isinstance(m, nn.Dropout):
            m.eval()
    for _ in range(3):
        opt.zero_grad()
        loss(net(X), y).backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        after = float(loss(net(X), y))
    assert after < before


@pytest.mark.parametrize(
    "draw",
    [
        modern_cnn.draw_vgg_block,
        modern_cnn.draw_nin_block,
        modern_cnn.draw_inception,
        modern_cnn.draw_residual,
        modern_cnn.draw_residual_blocks,
        modern_cnn.plot_function_classes,
    ],
)
def test_modern_cnn_diagrams_draw(draw):
    out = draw()
    axes = list(out) if isinstance(out, np.ndarray) else [out]
    for ax in axes:
        assert ax.patches and (ax.texts or ax.get_title())
    axes[0].figure.canvas.draw()
    plt.close("all")


def test_block_diagrams_read_the_modules():
    ax = modern_cnn.draw_vgg_block(vgg_block(3, 16, 32))
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("3×3 卷积, 32, 填充 1") == 3 and "2×2 最大池化, 步幅 2" in texts
    ax = modern_cnn.draw_inception(Inception(832, 384, (192, 384), (48, 128), 128))
    assert "384 + 384 + 128 + 128 = 1024" in ax.texts[-2].get_text()
    plt.close("all")


def test_function_classes_geometry():
    def contains(outer, inner):
        (c1, r1), (c2, r2) = outer, inner
        return float(np.hypot(c1[0] - c2[0], c1[1] - c2[1])) + r2 <= r1

    nested, other = modern_cnn.NESTED, modern_cnn.NON_NESTED
    assert all(contains(b, a) for a, b in zip(nested, nested[1:]))
    assert not all(contains(b, a) for a, b in zip(other, other[1:]))
    d = [modern_cnn.closest_distance(modern_cnn.TARGET, c, r) for c, r in nested]
    assert d == sorted(d, reverse=True)  # 嵌套：越大的类离 f* 越近（不会更远）
    d = [modern_cnn.closest_distance(modern_cnn.TARGET, c, r) for c, r in other]
    assert d != sorted(d, reverse=True)
    with pytest.raises(ValueError, match="radius"):
        modern_cnn.closest_distance((0, 0), (1, 1), -1)
