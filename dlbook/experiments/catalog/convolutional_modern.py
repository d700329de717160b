"""第 6 章 现代卷积神经网络：AlexNet、VGG、NiN、GoogLeNet、批量规范化（BN-LeNet）与 ResNet。

书中的设置（``full``）在 GPU 上几分钟到十几分钟一个；在只有 CPU 的机器上，除两个 BN-LeNet 外都太慢
（224×224 的输入每秒只能训练几十张），所以快速档（``quick``）只训练前几百到一千来张图像 1 轮，
分辨率、批量、学习率与模型结构都不变：它说明代码在真实数据上跑得通，给出 CPU 上的吞吐量，
但给不出书中那样的准确率。两个 BN-LeNet 在 CPU 上也只要一分钟左右，``auto`` 档照样跑完整设置。
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from dlbook.experiments.registry import Experiment, fashion_mnist_classifier, register

_MODERN = "chapter_convolutional-modern"
#: 书中结果的出处：课程笔记与 D2L PyTorch 版各节训练结束时打印的测试精度。
_SOURCE = "D2L PyTorch 版，各节训练结束时的测试精度"

# 所有实验都沿用 D2L 的 train_ch6：交叉熵损失、小批量 SGD、Xavier 均匀初始化、10 轮。
_COMMON = dict(
    loss="nn.CrossEntropyLoss", optimizer="torch.optim.SGD", num_epochs=10, init="xavier"
)


def _alexnet(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.alexnet import alexnet

    return alexnet(generator=g)


def _vgg(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.vgg import vgg11

    return vgg11(ratio=settings["ratio"], generator=g)


def _nin(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.nin import nin

    return nin(generator=g)


def _googlenet(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.googlenet import googlenet

    return googlenet(generator=g)


def _bn_lenet(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.batchnorm import bn_lenet

    return bn_lenet(generator=g)


def _bn_lenet_concise(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.batchnorm import bn_lenet_concise

    return bn_lenet_concise(generator=g)


def _resnet18(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.resnet import resnet18

    return resnet18(generator=g)


#: 实验名 → 模型工厂 ``build(settings, generator)`` （基准测试 ``benchmarks/modern_cnn.py`` 也用它们）。
BUILDERS = {
    "alexnet": _alexnet,
    "vgg": _vgg,
    "nin": _nin,
    "googlenet": _googlenet,
    "batch-norm-scratch": _bn_lenet,
    "batch-norm-concise": _bn_lenet_concise,
    "resnet": _resnet18,
}

#: 各实验在 CPU 上的快速档：只取前 ``num_train`` 张训练图像、``num_test`` 张测试图像，训练 1 轮。
#: 图像数按单线程下每个示例约半分钟选定（吞吐量见 ``benchmarks/modern_cnn.py``）。
QUICK = {
    "alexnet": dict(num_train=640, num_test=256, num_epochs=1),
    "vgg": dict(num_train=640, num_test=256, num_epochs=1),
    "nin": dict(num_train=640, num_test=256, num_epochs=1),
    "googlenet": dict(num_train=1536, num_test=512, num_epochs=1),
    "resnet": dict(num_train=1536, num_test=512, num_epochs=1),
    "batch-norm": dict(num_train=10_000, num_test=2_000),
}

# 名字、页面、标题、书中的设置（再加上 _COMMON）、快速档、书中的测试精度；两个 BN-LeNet 在 CPU 上也便宜。
for _name, _page, _title, _full, _quick, _test_acc in [
    (
        "alexnet",
        "alexnet",
        "AlexNet（1 个输入通道、10 类、暂退概率 0.5），输入缩放到 224×224",
        dict(model="alexnet()", lr=0.01, batch_size=128, resize=224),
        QUICK["alexnet"],
        0.883,
    ),
    (
        "vgg",
        "vgg",
        "VGG-11，通道数除以 4（ratio=4），输入缩放到 224×224",
        dict(model="vgg11(ratio=4)", lr=0.05, batch_size=128, resize=224, ratio=4),
        QUICK["vgg"],
        0.920,
    ),
    (
        "nin",
        "nin",
        "NiN（四个 NiN 块、全局平均池化），输入缩放到 224×224",
        dict(model="nin()", lr=0.1, batch_size=128, resize=224),
        QUICK["nin"],
        0.790,
    ),
    (
        "googlenet",
        "googlenet",
        "GoogLeNet（九个 Inception 块），输入缩放到 96×96",
        dict(model="googlenet()", lr=0.1, batch_size=128, resize=96),
        QUICK["googlenet"],
        0.886,
    ),
    (
        "batch-norm-scratch",
        "batch-norm",
        "LeNet 加从零实现的批量规范化（sigmoid、平均池化）",
        dict(model="bn_lenet()", lr=1.0, batch_size=256),
        QUICK["batch-norm"],
        0.807,
    ),
    (
        "batch-norm-concise",
        "batch-norm",
        "LeNet 加 nn.BatchNorm2d / nn.BatchNorm1d（简洁实现）",
        dict(model="bn_lenet_concise()", lr=1.0, batch_size=256),
        QUICK["batch-norm"],
        0.708,
    ),
    (
        "resnet",
        "resnet",
        "ResNet-18（四个阶段、每阶段两个残差块），输入缩放到 96×96",
        dict(model="resnet18()", lr=0.05, batch_size=256, resize=96),
        QUICK["resnet"],
        0.893,
    ),
]:
    register(
        Experiment(
            name=_name,
            page=f"{_MODERN}/{_page}",
            title=_title,
            full=dict(_full, **_COMMON),
            quick=_quick,
            reference=dict(test_acc=_test_acc),
            cheap_on_cpu=_page == "batch-norm",
            reference_source=_SOURCE,
            run=fashion_mnist_classifier(BUILDERS[_name]),
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
