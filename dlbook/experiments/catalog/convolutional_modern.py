"""第 6 章 现代卷积神经网络：AlexNet、VGG、NiN、GoogLeNet、批量规范化（BN-LeNet）与 ResNet。

书中的设置（``full``）在 GPU 上几分钟到十几分钟一个；在只有 CPU 的机器上太慢（224×224 的输入每秒
只能训练几十张）。快速档（``quick``）是构建本书时运行的档位，它按 **要显示什么** 来缩放：同一个网络家族
（层数、窗口、步幅、池化与激活都不变），输入缩小到 28–72 像素、通道数除以 ``ratio``、训练 1–2 轮，
单线程一分钟之内在全部 10,000 张测试图像上达到 0.85 以上的精度（每个实验的 ``expect`` 声明它）。
书中的 224 像素的形状仍由各页逐层打印。

批量规范化一节把 BN-LeNet 与去掉批量规范化的同一个 LeNet 用同样的预算并排训练；残差网络一节把
一个 22 层的普通网络与只多了捷径的残差网络用同样的预算训练。
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from dlbook.experiments.expectations import above, at_least, at_most, below
from dlbook.experiments.registry import Experiment, register
from dlbook.experiments.runners import fashion_mnist_classifier

_MODERN = "chapter_convolutional-modern"
#: 书中结果的出处：课程笔记与 D2L PyTorch 版各节训练结束时打印的测试精度。
_SOURCE = "D2L PyTorch 版，各节训练结束时的测试精度"

# 所有实验都沿用 D2L 的 train_ch6：交叉熵损失、小批量 SGD、Xavier 均匀初始化、10 轮。
_COMMON = dict(
    loss="nn.CrossEntropyLoss", optimizer="torch.optim.SGD", num_epochs=10, init="xavier"
)

#: 五个网络的快速档都要达到的测试精度（全部 10,000 张测试图像）。
QUICK_TEST_ACC = 0.85

# 快速档相对书中设置的改动。没有批量规范化的四个网络改用为 ReLU 设计的 He 初始化（init="kaiming"）：
# 缩小之后，Xavier 初始化的它们在一两轮之内走不出“随便猜”（训练损失停在 ln 10）。
QUICK_ALEXNET = dict(
    model="alexnet(ratio=16, image_size=72)", resize=72, ratio=16,
    lr=0.1, batch_size=32, num_epochs=2, init="kaiming",
)
QUICK_VGG = dict(
    model="vgg11(ratio=8, num_hiddens=512, image_size=32)", resize=32, ratio=8, num_hiddens=512,
    lr=0.05, batch_size=32, num_epochs=2, init="kaiming",
)
QUICK_NIN = dict(
    model="nin(ratio=4)", resize=72, ratio=4, lr=0.05, batch_size=32, num_epochs=2, init="kaiming"
)
QUICK_GOOGLENET = dict(
    model="googlenet(ratio=8)", resize=None, ratio=8,
    lr=0.1, batch_size=32, num_epochs=2, init="kaiming",
)
QUICK_RESNET = dict(
    model="resnet18(ratio=4)", resize=None, ratio=4, lr=0.05, batch_size=64, num_epochs=1
)
#: BN-LeNet 与对照的 LeNet 在快速档训练的轮数。
QUICK_BN_EPOCHS = 2
# 残差网络一节那一对深层网络的设置（两者相同）与残差网络要达到的测试精度。
DEEP_LR, DEEP_BATCH, DEEP_EPOCHS, DEEP_TEST_ACC = 0.5, 128, 3, 0.8


def build_alexnet(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    """实验 ``alexnet`` 的模型：``alexnet(ratio=..., image_size=resize)``。"""
    from dlbook.models.alexnet import alexnet

    return alexnet(ratio=settings["ratio"], image_size=settings["resize"], generator=g)


def build_vgg(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    """实验 ``vgg`` 的模型：``vgg11(ratio=..., num_hiddens=..., image_size=resize)``。"""
    from dlbook.models.vgg import vgg11

    return vgg11(
        ratio=settings["ratio"],
        num_hiddens=settings["num_hiddens"],
        image_size=settings["resize"],
        generator=g,
    )


def build_nin(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    """实验 ``nin`` 的模型：``nin(ratio=...)``。"""
    from dlbook.models.nin import nin

    return nin(ratio=settings["ratio"], generator=g)


def build_googlenet(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    """实验 ``googlenet`` 的模型：``googlenet(ratio=...)``。"""
    from dlbook.models.googlenet import googlenet

    return googlenet(ratio=settings["ratio"], generator=g)


def build_bn_lenet(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    """BN-LeNet（``norm="scratch"``、``"torch"``）或去掉批量规范化的同一个 LeNet（``norm=None``）。"""
    from dlbook.models.batchnorm import BatchNorm, lenet_with_norm

    norms = {
        "scratch": (lambda c: BatchNorm(c, num_dims=4), lambda c: BatchNorm(c, num_dims=2)),
        "torch": (nn.BatchNorm2d, nn.BatchNorm1d),
        None: (nn.Identity, nn.Identity),
    }[settings["norm"]]
    return lenet_with_norm(*norms, generator=g)


def build_resnet(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    """实验 ``resnet`` 的模型：``resnet18(ratio=...)``。"""
    from dlbook.models.resnet import resnet18

    return resnet18(ratio=settings["ratio"], generator=g)


def build_sigmoid_stack(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    """残差网络一节的一对深层网络：``sigmoid_stack(depth, residual=..., width=...)``。"""
    from dlbook.models.resnet import sigmoid_stack

    return sigmoid_stack(
        settings["depth"], residual=settings["residual"], width=settings["width"], generator=g
    )


#: 实验名 → 模型工厂 ``build(settings, generator)`` （基准测试 ``benchmarks/modern_cnn.py`` 也用它们）。
BUILDERS = {
    "alexnet": build_alexnet,
    "vgg": build_vgg,
    "nin": build_nin,
    "googlenet": build_googlenet,
    "batch-norm-scratch": build_bn_lenet,
    "batch-norm-concise": build_bn_lenet,
    "batch-norm-lenet": build_bn_lenet,
    "resnet": build_resnet,
    "resnet-plain-deep": build_sigmoid_stack,
    "resnet-residual-deep": build_sigmoid_stack,
}

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


def _quick_claim(title: str) -> tuple:
    return (
        at_least(
            "test_acc",
            QUICK_TEST_ACC,
            f"缩小后的 {title} 在构建中学会了分类：全部 10,000 张测试图像上的精度至少 {QUICK_TEST_ACC}",
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
        dict(model="alexnet()", lr=0.01, batch_size=128, resize=224, ratio=1),
        QUICK["alexnet"],
        0.883,
        _quick_claim("AlexNet"),
    ),
    (
        "vgg",
        "vgg",
        "VGG-11，通道数除以 4（ratio=4），输入缩放到 224×224",
        dict(
            model="vgg11(ratio=4)", lr=0.05, batch_size=128, resize=224, ratio=4, num_hiddens=4096
        ),
        QUICK["vgg"],
        0.920,
        _quick_claim("VGG-11"),
    ),
    (
        "nin",
        "nin",
        "NiN（四个 NiN 块、全局平均池化），输入缩放到 224×224",
        dict(model="nin()", lr=0.1, batch_size=128, resize=224, ratio=1),
        QUICK["nin"],
        0.790,
        _quick_claim("NiN"),
    ),
    (
        "googlenet",
        "googlenet",
        "GoogLeNet（九个 Inception 块），输入缩放到 96×96",
        dict(model="googlenet()", lr=0.1, batch_size=128, resize=96, ratio=1),
        QUICK["googlenet"],
        0.886,
        _quick_claim("GoogLeNet"),
    ),
    (
        "batch-norm-scratch",
        "batch-norm",
        "LeNet 加从零实现的批量规范化（sigmoid、平均池化）",
        dict(model="bn_lenet()", lr=1.0, batch_size=256, norm="scratch"),
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
        dict(model="bn_lenet_concise()", lr=1.0, batch_size=256, norm="torch"),
        QUICK["batch-norm"],
        0.708,
        (below("loss_per_epoch[0]", "batch-norm-lenet", _BN_FASTER),),
    ),
    (
        "batch-norm-lenet",
        "batch-norm",
        "对照：与 BN-LeNet 相同、只是去掉批量规范化的 LeNet，同样的设置",
        dict(model="lenet_with_norm(nn.Identity, nn.Identity)", lr=1.0, batch_size=256, norm=None),
        QUICK["batch-norm"],
        None,
        (),
    ),
    (
        "resnet",
        "resnet",
        "ResNet-18（四个阶段、每阶段两个残差块），输入缩放到 96×96",
        dict(model="resnet18()", lr=0.05, batch_size=256, resize=96, ratio=1),
        QUICK["resnet"],
        0.893,
        _quick_claim("ResNet-18"),
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
            run=fashion_mnist_classifier(BUILDERS[_name]),
            expect=_expect,
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
        full=dict(_DEEP, model="sigmoid_stack(20, residual=False)", residual=False),
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(build_sigmoid_stack),
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
        full=dict(_DEEP, model="sigmoid_stack(20, residual=True)", residual=True),
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(build_sigmoid_stack),
        expect=(
            at_least("test_acc", DEEP_TEST_ACC, "同样的预算下残差网络学会了分类"),
            above("test_acc", "resnet-plain-deep", "残差网络的测试精度高于只差捷径的普通网络"),
        ),
    )
)


def full_results_table(names: list[str], runs: list[dict[str, Any]] | None = None) -> str:
    """各实验的书中结果与记录在案的 **完整档** 运行，排成一张 Markdown 表格（各页的“完整档的结果”）。

    ``runs`` 默认是 :func:`~dlbook.experiments.load_recorded_results` （随包发布的
    :data:`~dlbook.experiments.results.RECORDED_RESULTS`）。没有记录时写明“尚无”，绝不用快速档或别的数字代替；
    有记录时附上设备、提交、日期与用时。

    Examples
    --------
    >>> print(full_results_table(["alexnet"], runs=[]))
    | 实验 | 书中的结果 | 记录在案的完整档运行 |
    |---|---|---|
    | alexnet | test acc 0.883 | 尚无（待在 GPU 上运行） |
    >>> run = {"experiment": "alexnet", "profile": "full", "device": "cuda:0", "seconds": 300.0,
    ...        "timestamp": "2026-01-02T03:04:05+00:00", "metrics": {"test_acc": 0.885}}
    >>> full_results_table(["alexnet"], runs=[run]).splitlines()[-1]
    '| alexnet | test acc 0.883 | test acc 0.885（cuda:0，2026-01-02，5.0 分钟） |'
    """
    from dlbook.experiments.registry import get_experiment
    from dlbook.experiments.results import comparison_rows, load_recorded_results

    runs = load_recorded_results() if runs is None else runs
    rows = comparison_rows([], runs, [get_experiment(name) for name in names])
    lines = ["| 实验 | 书中的结果 | 记录在案的完整档运行 |", "|---|---|---|"]
    lines += [f"| {name} | {book} | {recorded} |" for name, book, _, recorded in rows]
    return "\n".join(lines)
