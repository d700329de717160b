"""
LeNet 加批量规范化（简洁实现）
==============================

对应《批量规范化》一节的简洁实现：用登记表中的实验 ``batch-norm-concise`` 训练
:func:`dlbook.models.bn_lenet_concise` ，网络与从零实现的示例相同，批量规范化换成 PyTorch 的
``nn.BatchNorm2d`` 与 ``nn.BatchNorm1d`` ；设置与初始化的随机数也相同（第一段输出列出设置；构建本书时与从零实现一样运行快速档）。

画出训练曲线，逐轮打印结果，与书中的结果（D2L 第 7.5 节）对照；可以把逐轮结果与从零实现的示例逐行比较。
"""

# %%
# 设置与训练
# ----------

import dlbook
from dlbook.experiments import format_settings, get_experiment, run_experiment
from dlbook.experiments.profiles import resolve_profile

exp = get_experiment("batch-norm-concise")
device = dlbook.try_gpu()
# 构建本书时总按“只有 CPU”来选档位：在 CPU 上便宜的实验跑完整设置，其余跑快速档；
# 环境变量 DLBOOK_PROFILE=full 可以强制完整设置。
profile = resolve_profile(device="cpu", cheap_on_cpu=exp.cheap_on_cpu)
print(f"本次运行：{profile} 档，设备 {device}；", format_settings(exp.settings(profile), skip=()))

result = run_experiment(exp, profile=profile, device=device, plot=True, verbose=False)

# %%
# 逐轮结果
# --------

for r in result.history.epochs:
    print(
        f"epoch {r.epoch:2d}  train loss {r.train_loss:.3f}  train acc {r.train_acc:.3f}  "
        f"test acc {r.test_acc:.3f}  {r.examples_per_sec:8.1f} examples/sec"
    )

# %%
# 结果
# ----

print(f"我们（{result.profile} 档）：{result.summary}，用时 {result.seconds:.1f} 秒")
print(f"书中：test acc {exp.reference['test_acc']:.3f}（{exp.reference_source}）")

# %%
# 移动平均的滞后
# --------------
# 评估模式用的移动平均是过去许多步的统计量的加权平均，那些步的参数已经变了。用训练好的参数在整个训练集上
# 重新估计一遍统计量（``momentum=None`` 让 PyTorch 求累积平均；只做前向计算，参数不变），再在测试集上评估：
# 两个测试精度之差就是移动平均落后于参数造成的。

import torch
from torch import nn

from dlbook.train.loop import evaluate_accuracy

net = result.model
train_iter, test_iter = result.data
lagging = evaluate_accuracy(net, test_iter)
for m in net.modules():
    if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d):
        m.reset_running_stats()
        m.momentum = None
net.train()
with torch.no_grad():
    for X, _ in train_iter:
        net(X.to(device))
print(
    f"测试精度：用训练中的移动平均 {lagging:.4f}，用最终参数重新估计的统计量 {evaluate_accuracy(net, test_iter):.4f}"
)
