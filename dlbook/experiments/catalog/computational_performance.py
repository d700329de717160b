"""第 11 章 计算性能：多 GPU 训练（从零实现一节的 LeNet 变体）与简洁实现（28×28 的 ResNet-18）。

这些实验都经过 :func:`dlbook.train_classifier`，所以既能在一台设备上运行，也能用
``torchrun --nproc_per_node=N -m dlbook run <名字>`` 在 N 个进程上做数据并行。全局批量不变时，
没有批量规范化层的模型（``multiple-gpus`` 的 LeNet 变体）结果与单进程相同（在浮点误差之内）；
ResNet-18 有批量规范化层，DDP 下每个进程只用自己那一片批量计算统计量，结果与单进程不同
（GPU 上可以用 ``train_classifier(..., sync_batchnorm=True)`` 在进程之间同步统计量）。
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.experiments.expectations import at_least
from dlbook.experiments.model_spec import ModelSpec
from dlbook.experiments.registry import Experiment, register
from dlbook.experiments.runners import fashion_mnist_classifier
from dlbook.models.resnet import resnet18
from dlbook.train.parallel import ParamLeNet

__all__ = ["resnet18_small_normal"]

_PERF = "chapter_computational-performance"


def resnet18_small_normal(*, ratio: int = 1, generator: torch.Generator | None = None) -> nn.Module:
    """为 28×28 输入修改的 ResNet-18 （``resnet18(stem="small")``），卷积层与全连接层的权重
    ~ N(0, 0.01²)：简洁实现一节的初始化。``ratio`` 把所有通道数除以它（CPU 上的缩小版）。"""
    net = resnet18(stem="small", ratio=ratio, generator=generator)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d | nn.Linear):
                m.weight.normal_(0.0, 0.01, generator=generator)
    return net


register(
    Experiment(
        name="multiple-gpus",
        page=f"{_PERF}/multiple-gpus",
        title="多 GPU 训练一节的 LeNet 变体（参数列表的函数，ReLU），手写小批量 SGD",
        full=dict(
            model=ModelSpec(ParamLeNet),
            loss="nn.CrossEntropyLoss",
            optimizer="dlbook.sgd",
            lr=0.2,
            batch_size=256,
            num_epochs=10,
        ),
        quick=dict(num_train=20_000, num_test=2_000),
        run=fashion_mnist_classifier,
        runs_in_build=False,  # 页面只演示数据并行；完整训练用 python -m dlbook run 或 torchrun
    )
)

register(
    Experiment(
        name="multiple-gpus-concise",
        page=f"{_PERF}/multiple-gpus-concise",
        title="为 28×28 输入修改的 ResNet-18，权重 ~ N(0, 0.01²)（书中的单 GPU 设置）",
        full=dict(
            model=ModelSpec(resnet18_small_normal),
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=dict(num_train=2_000, num_test=1_000, num_epochs=2),
        run=fashion_mnist_classifier,
        runs_in_build=False,  # 页面只演示数据并行；完整训练用 python -m dlbook run 或 torchrun
        needs_gpu=True,  # 完整的 ResNet-18 训练 10 轮：一个 CPU 线程上一轮就要几分钟，远超 30 分钟
    )
)

register(
    Experiment(
        name="multiple-gpus-concise-2",
        page=f"{_PERF}/multiple-gpus-concise",
        title="同上，书中双 GPU 的设置：批量加倍到 512，学习率加倍到 0.2",
        full=dict(
            model=ModelSpec(resnet18_small_normal),
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.2,
            batch_size=512,
            num_epochs=10,
        ),
        quick=dict(num_train=2_000, num_test=1_000, num_epochs=2),
        run=fashion_mnist_classifier,
        runs_in_build=False,  # 页面只演示数据并行；完整训练用 python -m dlbook run 或 torchrun
        needs_gpu=True,  # 完整的 ResNet-18 训练 10 轮：一个 CPU 线程上一轮就要几分钟，远超 30 分钟
    )
)

register(
    Experiment(
        name="multiple-gpus-concise-cpu",
        page=f"{_PERF}/multiple-gpus-concise",
        title="同一个 ResNet-18（结构、初始化、学习率相同），通道数缩小为 1/8，在 CPU 上训练",
        full=dict(
            model=ModelSpec(resnet18_small_normal, ratio=8),
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.1,
            batch_size=64,
            num_epochs=3,
            num_train=6_000,
            num_test=2_000,
        ),
        quick=dict(),
        run=fashion_mnist_classifier,
        expect=(at_least("test_acc", 0.6, "缩小的 ResNet-18 在 CPU 上训练几轮，测试精度超过 0.6"),),
    )
)
