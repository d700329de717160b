"""
LeNet 加批量规范化（从零实现），与不加的 LeNet 并排训练
=======================================================

对应《批量规范化》一节：用登记表中的实验 ``batch-norm-scratch`` 训练 :func:`dlbook.models.bn_lenet` ，
即在 LeNet 的每个卷积层和前两个全连接层之后、sigmoid 之前加上从零实现的批量规范化层
:class:`dlbook.models.BatchNorm` ；再用实验 ``batch-norm-lenet`` 以 **完全相同** 的设置与预算训练去掉
批量规范化的同一个网络（:func:`dlbook.models.lenet_with_norm` 配 ``nn.Identity``）。两者逐轮的训练损失
画在一张图上，显示批量规范化让训练快了多少。

构建本书时运行快速档：书中的设置（学习率 1.0、批量 256、10 轮），只是少训练几轮（第一段输出列出设置）。
最后查看每个批量规范化层学到的拉伸参数 γ 与偏移参数 β。
"""

# %%
# 设置
# ----

import matplotlib.pyplot as plt

import dlbook
from dlbook.experiments import format_settings, get_experiment, run_experiment
from dlbook.experiments.profiles import resolve_profile
from dlbook.models import BatchNorm

device = dlbook.try_gpu()
exps = {
    "BN-LeNet": get_experiment("batch-norm-scratch"),
    "LeNet": get_experiment("batch-norm-lenet"),
}
# 构建本书时总按“只有 CPU”来选档位；环境变量 DLBOOK_PROFILE=full 可以强制书中的完整设置。
profile = resolve_profile(device="cpu", cheap_on_cpu=exps["BN-LeNet"].cheap_on_cpu)
for label, exp in exps.items():
    print(f"{label}（{exp.name}，{profile} 档）：", format_settings(exp.settings(profile), skip=()))

# %%
# 同样的预算，并排训练
# --------------------
# 两个网络用同样的数据、同样的顺序、同样的学习率与轮数；唯一的差别是有没有批量规范化层。

results = {
    label: run_experiment(exp, profile=profile, device=device, verbose=False)
    for label, exp in exps.items()
}
net = results["BN-LeNet"].model

print("epoch  " + "  ".join(f"{label:>8s} 训练损失  测试精度" for label in results))
for epoch in range(len(results["LeNet"].history.epochs)):
    row = [results[label].history.epochs[epoch] for label in results]
    print(f"{epoch + 1:5d}  " + "  ".join(f"{r.train_loss:17.3f}  {r.test_acc:8.3f}" for r in row))
for label, result in results.items():
    print(f"{label}：{result.summary}，用时 {result.seconds:.1f} 秒")
print(f"书中的 BN-LeNet（10 轮）：test acc {exps['BN-LeNet'].reference['test_acc']:.3f}")

dlbook.use_book_style()  # 中文标签要用随书安装的中文字体
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
for label, result in results.items():
    epochs = [r.epoch for r in result.history.epochs]
    axes[0].plot(epochs, [r.train_loss for r in result.history.epochs], "o-", label=label)
    axes[1].plot(epochs, [r.test_acc for r in result.history.epochs], "o-", label=label)
axes[0].set_ylabel("训练损失（每轮的平均）")
axes[1].set_ylabel("测试精度")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.set_xticks(epochs)
    ax.legend()
fig.tight_layout()

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
