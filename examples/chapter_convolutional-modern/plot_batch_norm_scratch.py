"""
LeNet 加批量规范化（从零实现）
==============================

对应《批量规范化》一节：用登记表中的实验 ``batch-norm-scratch`` 训练 :func:`dlbook.models.bn_lenet` ，
即在 LeNet 的每个卷积层和前两个全连接层之后、sigmoid 之前加上从零实现的批量规范化层
:class:`dlbook.models.BatchNorm` 。这个网络很小，即使只有 CPU 也运行书中的完整设置（第一段输出列出它们）。

画出训练曲线，逐轮打印结果，与书中的结果（D2L 第 7.5 节）对照；最后查看每个批量规范化层学到的
拉伸参数 γ 与偏移参数 β。
"""

# %%
# 设置
# ----

import matplotlib.pyplot as plt

import dlbook
from dlbook.experiments import format_settings, get_experiment, record_result, run_experiment
from dlbook.models import BatchNorm
from dlbook.experiments.profiles import resolve_profile

exp = get_experiment("batch-norm-scratch")
device = dlbook.try_gpu()
profile = resolve_profile(device="cpu", cheap_on_cpu=exp.cheap_on_cpu)  # 在 CPU 上也便宜：完整设置
print(f"本次运行：{profile} 档，设备 {device}；", format_settings(exp.settings(profile), skip=()))

# %%
# 训练
# ----
# 登记表中的实验原样运行；结果里带着训练好的网络，训练后查看它的参数。

result = run_experiment(exp, profile=profile, device=device, plot=True, verbose=False)
record_result(result)
net = result.model

# %%
# 逐轮结果
# --------

for r in result.history.epochs:
    print(
        f"epoch {r.epoch:2d}  train loss {r.train_loss:.3f}  train acc {r.train_acc:.3f}  "
        f"test acc {r.test_acc:.3f}  {r.examples_per_sec:8.1f} examples/sec"
    )
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
