"""
LeNet 加批量规范化（从零实现）
==============================

对应《批量规范化》一节。模型是 :func:`dlbook.models.bn_lenet`：在 LeNet 的每个卷积层和前两个全连接层之后、
sigmoid 之前加上从零实现的批量规范化层 :class:`dlbook.models.BatchNorm`。

设置取自实验登记表 ``batch-norm-scratch``（第一段输出列出它们）：真实的 Fashion-MNIST（6 万张训练图像、
1 万张测试图像）、28×28、批量 256、学习率 1.0、10 轮、Xavier 均匀初始化。这个网络很小，
在 CPU 上也只要一两分钟，所以即使没有 GPU 也运行书中的完整设置。

训练结束后，看一看每个批量规范化层学到的拉伸参数 γ 与偏移参数 β。

书中的参考：D2L 第 7.5 节的训练结果，测试精度见最后的输出。
"""

# %%
# 设置
# ----

import dataclasses

import matplotlib.pyplot as plt

import dlbook
from dlbook.experiments import (
    fashion_mnist_classifier,
    format_settings,
    get_experiment,
    record_result,
    run_experiment,
)
from dlbook.experiments.ch6_convolutional_modern import BUILDERS
from dlbook.models import BatchNorm
from dlbook.profiles import resolve_profile

exp = get_experiment("batch-norm-scratch")
device = dlbook.try_gpu()
# 构建本书时总按“只有 CPU”来选档位：在 CPU 上便宜的实验跑完整设置，其余跑快速档；
# 环境变量 DLBOOK_PROFILE=full 可以强制完整设置。
profile = resolve_profile(device="cpu", cheap_on_cpu=exp.cheap_on_cpu)
print(f"本次运行：{profile} 档，设备 {device}；", format_settings(exp.settings(profile), skip=()))

# %%
# 训练
# ----
# 与登记表中的实验完全相同（同一个模型工厂、同一个训练函数），只是把建好的网络留下来，训练后查看它的参数。

nets = []


def build(settings, generator):
    nets.append(BUILDERS[exp.name](settings, generator))
    return nets[-1]


keep = dataclasses.replace(exp, run=fashion_mnist_classifier(build))
result = run_experiment(keep, profile=profile, device=device, plot=True, verbose=False)
record_result(result)
net = nets[-1]
print(f"我们（{result.profile} 档）：{result.summary}，用时 {result.seconds:.1f} 秒")
print(f"书中：test acc {exp.reference['test_acc']:.3f}（{exp.reference_source}）")

# %%
# 学到的 γ 与 β
# -------------
# γ 与 β 都从 1 和 0 开始。它们若留在初值附近，批量规范化层的输出就是均值 0、方差 1；
# 离开初值，说明网络自己选了另一个尺度与偏移。第一个批量规范化层（6 个通道）的值：

bn_layers = [m for m in net if isinstance(m, BatchNorm)]
first = bn_layers[0]
print("γ：", first.gamma.detach().reshape(-1).cpu())
print("β：", first.beta.detach().reshape(-1).cpu())

# %%
# 四个批量规范化层的 γ、β 的分布：每个点是一个通道（卷积层）或一个特征（全连接层）。
# 下面同时打印每层 γ 离 1、β 离 0 的平均距离。

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
for i, bn in enumerate(bn_layers):
    gamma = bn.gamma.detach().reshape(-1).cpu()
    beta = bn.beta.detach().reshape(-1).cpu()
    label = f"第 {i + 1} 层（{len(gamma)} 个）"
    axes[0].plot([i + 1] * len(gamma), gamma, "o", alpha=0.5, label=label)
    axes[1].plot([i + 1] * len(beta), beta, "o", alpha=0.5)
    print(
        f"{label}：γ 的均值 {gamma.mean():.3f}，|γ - 1| 的均值 {(gamma - 1).abs().mean():.3f}；"
        f"β 的均值 {beta.mean():.3f}，|β| 的均值 {beta.abs().mean():.3f}"
    )
for ax, name, init in zip(axes, ("γ（拉伸）", "β（偏移）"), (1.0, 0.0)):
    ax.axhline(init, color="gray", linestyle="--", linewidth=1)
    ax.set_xticks(range(1, len(bn_layers) + 1))
    ax.set_xlabel("批量规范化层")
    ax.set_title(f"{name}，虚线是初值")
axes[0].legend(fontsize=8)
fig.tight_layout()
