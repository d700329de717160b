"""第 6 章 现代卷积神经网络：AlexNet、VGG、NiN、GoogLeNet、批量规范化（BN-LeNet）与 ResNet。

书中的设置（``full``）在 GPU 上几分钟到十几分钟一个；在只有 CPU 的机器上太慢（224×224 的输入每秒
只能训练几十张）。快速档（``quick``）是构建本书时运行的档位，它按 **要显示什么** 来缩放：同一个网络家族
（层数、窗口、步幅、池化与激活都不变），输入缩小到 28–72 像素、通道数除以 ``ratio``、只训练几轮，
单线程一两分钟之内在全部 10,000 张测试图像上学会分类（每个实验的 ``expect`` 声明精度的下限）。
书中的 224 像素的形状仍由各页逐层打印。

批量规范化一节把 BN-LeNet 与去掉批量规范化的同一个 LeNet 用同样的预算并排训练；残差网络一节把
一个 22 层的普通网络与只多了捷径的残差网络用同样的预算训练。
"""

from __future__ import annotations

from torch import nn

from dlbook.experiments.expectations import above, at_least, at_most, below
from dlbook.experiments.model_spec import ModelSpec, Setting
from dlbook.experiments.registry import Experiment, register
from dlbook.experiments.runners import fashion_mnist_classifier
from dlbook.models.alexnet import alexnet
from dlbook.models.batchnorm import bn_lenet, bn_lenet_concise, lenet_with_norm
from dlbook.models.googlenet import googlenet
from dlbook.models.nin import nin
from dlbook.models.resnet import resnet18, sigmoid_stack
from dlbook.models.vgg import vgg11

_MODERN = "chapter_convolutional-modern"
#: 书中结果的出处：课程笔记与 D2L PyTorch 版各节训练结束时打印的测试精度。
_SOURCE = "D2L PyTorch 版，各节训练结束时的测试精度"

# 所有实验都沿用 D2L 的 train_ch6：交叉熵损失、小批量 SGD、Xavier 均匀初始化、10 轮。
_COMMON = dict(
    loss="nn.CrossEntropyLoss", optimizer="torch.optim.SGD", num_epochs=10, init="xavier"
)

#: 五个网络的快速档在构建中必须达到的测试精度（全部 10,000 张测试图像）。在这台机器上五个都过了 0.85；
#: NiN 与 GoogLeNet 只高出 0.001–0.005，换一种 CPU 浮点运算的细节就可能落到线下，它们的下限留出余量。
QUICK_TEST_ACC = {"alexnet": 0.85, "vgg": 0.85, "nin": 0.84, "googlenet": 0.84, "resnet": 0.85}

# 快速档相对书中设置的改动。没有批量规范化的四个网络改用为 ReLU 设计的 He 初始化（init="kaiming"）：
# 缩小之后，Xavier 初始化的它们在一两轮之内走不出“随便猜”（训练损失停在 ln 10）。
QUICK_ALEXNET = dict(resize=72, ratio=8, lr=0.05, batch_size=32, num_epochs=3, init="kaiming")
QUICK_VGG = dict(
    resize=32, ratio=8, num_hiddens=512, lr=0.05, batch_size=32, num_epochs=2, init="kaiming"
)
# NiN 与 GoogLeNet 的快速档还让学习率按余弦曲线逐轮下降（scheduler="cosine"，第 max_update 轮降到
# final_lr）：只训练几轮时，最后一轮用小学习率收尾，测试精度高于始终不变的学习率。
# 书中不调度学习率，完整档写明 scheduler=None（_CONSTANT_LR）。
# NiN 的快速档还用动量 0.9（momentum；书中不用动量，完整档写明 momentum=None）：不用动量时，
# 五轮之内它到不了 0.85（本书试过的最好结果是 0.847）。
QUICK_NIN = dict(
    resize=72,
    ratio=8,
    lr=0.01,
    momentum=0.9,
    batch_size=32,
    num_epochs=5,
    init="kaiming",
    scheduler="cosine",
    max_update=4,
    final_lr=0.0002,
)
# GoogLeNet 的快速档用批量 64：缩小后的网络层多而窄，一个线程上批量 64 每秒训练的图像比批量 32 多约六成，
# 多训练一轮（5 轮）仍比批量 32 训练 4 轮快。批量 128（学习率 0.2）或学习率 0.15 时它学不会。
QUICK_GOOGLENET = dict(
    resize=None,
    ratio=8,
    lr=0.1,
    batch_size=64,
    num_epochs=5,
    init="kaiming",
    scheduler="cosine",
    max_update=4,
    final_lr=0.001,
)
QUICK_RESNET = dict(resize=None, ratio=4, lr=0.05, batch_size=32, num_epochs=1)
#: BN-LeNet 与对照的 LeNet 在快速档训练的轮数。
QUICK_BN_EPOCHS = 2
#: 书中的学习率不调度；快速档用余弦调度的实验在完整档写明这一点（快速档的键必须是完整档有的键）。
_CONSTANT_LR = dict(scheduler=None, max_update=None, final_lr=None)
#: 书中不用动量；快速档用动量的实验在完整档写明这一点。
_NO_MOMENTUM = dict(momentum=None)
# 残差网络一节那一对深层网络的设置（两者相同）与残差网络要达到的测试精度。
DEEP_LR, DEEP_BATCH, DEEP_EPOCHS, DEEP_TEST_ACC = 0.1, 128, 5, 0.8


# 模型的参数取自设置：书中的设置与快速档（更小的输入、更窄的通道）用同一个工厂，标签随设置变化。
_RATIO, _RESIZE = Setting("ratio"), Setting("resize")
# 残差网络一节的一对深层网络：sigmoid_stack(depth, residual=..., width=...)。
_SIGMOID_STACK = ModelSpec(
    sigmoid_stack, Setting("depth"), residual=Setting("residual"), width=Setting("width")
)

#: 五个网络的快速档：缩小的输入（``resize``，``None`` 是原始的 28×28）、通道数除以 ``ratio``、
#: 更小的批量与更少的轮数，在全部训练集上训练、在全部测试集上评估（见各页“本书构建时的运行”）。
QUICK = {
    "alexnet": QUICK_ALEXNET,
    "vgg": QUICK_VGG,
    "nin": QUICK_NIN,
    "googlenet": QUICK_GOOGLENET,
    "resnet": QUICK_RESNET,
    # BN-LeNet 与对照的 LeNet：同样的预算，少训练几轮
    "batch-norm": dict(num_epochs=QUICK_BN_EPOCHS),
}


def _quick_claim(name: str, title: str) -> tuple:
    low = QUICK_TEST_ACC[name]
    return (
        at_least(
            "test_acc",
            low,
            f"缩小后的 {title} 在构建中学会了分类：全部 10,000 张测试图像上的精度至少 {low}",
        ),
    )


_BN_FASTER = "同样的预算下，第 1 轮的训练损失 BN-LeNet 低于去掉批量规范化的同一个 LeNet"
_BN_BETTER = "同样的预算下，BN-LeNet 的测试精度高于去掉批量规范化的同一个 LeNet"

# 名字、页面、标题、书中的设置（再加上 _COMMON）、快速档、书中的测试精度、预期。
for _name, _page, _title, _full, _quick, _test_acc, _expect in [
    (
        "alexnet",
        "alexnet",
        "AlexNet（1 个输入通道、10 类、暂退概率 0.5），输入缩放到 224×224",
        dict(
            model=ModelSpec(alexnet, ratio=_RATIO, image_size=_RESIZE),
            lr=0.01,
            batch_size=128,
            resize=224,
            ratio=1,
        ),
        QUICK["alexnet"],
        0.883,
        _quick_claim("alexnet", "AlexNet"),
    ),
    (
        "vgg",
        "vgg",
        "VGG-11，通道数除以 4（ratio=4），输入缩放到 224×224",
        dict(
            model=ModelSpec(
                vgg11, ratio=_RATIO, num_hiddens=Setting("num_hiddens"), image_size=_RESIZE
            ),
            lr=0.05,
            batch_size=128,
            resize=224,
            ratio=4,
            num_hiddens=4096,
        ),
        QUICK["vgg"],
        0.920,
        _quick_claim("vgg", "VGG-11"),
    ),
    (
        "nin",
        "nin",
        "NiN（四个 NiN 块、全局平均池化），输入缩放到 224×224",
        dict(
            model=ModelSpec(nin, ratio=_RATIO),
            lr=0.1,
            batch_size=128,
            resize=224,
            ratio=1,
            **_CONSTANT_LR,
            **_NO_MOMENTUM,
        ),
        QUICK["nin"],
        0.790,
        _quick_claim("nin", "NiN"),
    ),
    (
        "googlenet",
        "googlenet",
        "GoogLeNet（九个 Inception 块），输入缩放到 96×96",
        dict(
            model=ModelSpec(googlenet, ratio=_RATIO),
            lr=0.1,
            batch_size=128,
            resize=96,
            ratio=1,
            **_CONSTANT_LR,
        ),
        QUICK["googlenet"],
        0.886,
        _quick_claim("googlenet", "GoogLeNet"),
    ),
    (
        "batch-norm-scratch",
        "batch-norm",
        "LeNet 加从零实现的批量规范化（sigmoid、平均池化）",
        dict(model=ModelSpec(bn_lenet), lr=1.0, batch_size=256),
        QUICK["batch-norm"],
        0.807,
        (
            below("loss_per_epoch[0]", "batch-norm-lenet", _BN_FASTER),
            above("test_acc", "batch-norm-lenet", _BN_BETTER),
        ),
    ),
    (
        "batch-norm-concise",
        "batch-norm",
        "LeNet 加 nn.BatchNorm2d / nn.BatchNorm1d（简洁实现）",
        dict(model=ModelSpec(bn_lenet_concise), lr=1.0, batch_size=256),
        QUICK["batch-norm"],
        0.708,
        (below("loss_per_epoch[0]", "batch-norm-lenet", _BN_FASTER),),
    ),
    (
        "batch-norm-lenet",
        "batch-norm",
        "对照：与 BN-LeNet 相同、只是去掉批量规范化的 LeNet，同样的设置",
        dict(model=ModelSpec(lenet_with_norm, nn.Identity, nn.Identity), lr=1.0, batch_size=256),
        QUICK["batch-norm"],
        None,
        (),
    ),
    (
        "resnet",
        "resnet",
        "ResNet-18（四个阶段、每阶段两个残差块），输入缩放到 96×96",
        dict(model=ModelSpec(resnet18, ratio=_RATIO), lr=0.05, batch_size=256, resize=96, ratio=1),
        QUICK["resnet"],
        0.893,
        _quick_claim("resnet", "ResNet-18"),
    ),
]:
    register(
        Experiment(
            name=_name,
            page=f"{_MODERN}/{_page}",
            title=_title,
            full=dict(_full, **_COMMON),
            quick=_quick,
            reference=dict(test_acc=_test_acc) if _test_acc is not None else None,
            reference_source=_SOURCE,
            run=fashion_mnist_classifier,
            expect=_expect,
            # 96 或 224 像素输入、6 万张图像训练 10 轮：CPU 上要几个小时
            needs_gpu=_full.get("resize", 28) >= 96,
        )
    )

# 残差网络一节：22 个全连接层（20 个 sigmoid 块）的普通网络与只多了捷径的残差网络，同样的预算。
_DEEP = dict(
    depth=20,
    width=64,
    lr=DEEP_LR,
    batch_size=DEEP_BATCH,
    num_epochs=DEEP_EPOCHS,
    loss="nn.CrossEntropyLoss",
    optimizer="torch.optim.SGD",
)
register(
    Experiment(
        name="resnet-plain-deep",
        page=f"{_MODERN}/resnet",
        title="22 层的普通网络：20 个“全连接 + sigmoid”块，没有捷径",
        full=dict(_DEEP, model=_SIGMOID_STACK, residual=False),
        cheap_on_cpu=True,
        run=fashion_mnist_classifier,
        expect=(
            at_least("loss", 2.2, "同样的预算下普通网络没有学会：训练损失停在 ln 10 ≈ 2.30 附近"),
            at_most("test_acc", 0.2, "同样的预算下普通网络没有学会：测试精度接近随便猜的 0.1"),
        ),
    )
)
register(
    Experiment(
        name="resnet-residual-deep",
        page=f"{_MODERN}/resnet",
        title="22 层的残差网络：与普通网络相同，每个块多一条捷径",
        full=dict(_DEEP, model=_SIGMOID_STACK, residual=True),
        cheap_on_cpu=True,
        run=fashion_mnist_classifier,
        expect=(
            at_least("test_acc", DEEP_TEST_ACC, "同样的预算下残差网络学会了分类"),
            above("test_acc", "resnet-plain-deep", "残差网络的测试精度高于只差捷径的普通网络"),
        ),
    )
)
