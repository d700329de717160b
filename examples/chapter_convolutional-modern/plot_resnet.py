"""
ResNet-18 在 Fashion-MNIST 上的训练
===================================

对应《残差网络（ResNet）》一节：用登记表中的实验 ``resnet`` 训练 :func:`dlbook.models.resnet18`，
画出训练曲线，打印本次运行的结果与吞吐量，与书中的结果（D2L 第 7.6 节）对照，并按测得的速度估算完整设置在这台机器上要多久。

构建本书时运行 **快速档**：模型、图像尺寸、批量、学习率与初始化都与书中相同，只训练少量图像 1 轮（第一段输出列出实际的设置）。
它说明整条流水线（读数据、缩放、训练、在测试集上评估）在真实数据上跑得通，给出这台机器的训练速度；
它 **不能** 说明模型最终的准确率。要跑完整设置，设环境变量 ``DLBOOK_PROFILE=full`` 再运行本示例，
或者在有 GPU 的机器上运行 ``python -m dlbook run resnet --profile full`` 。
"""

# %%
# 设置
# ----

import dlbook
from dlbook.experiments import format_settings, get_experiment, record_result, run_experiment
from dlbook.experiments.profiles import resolve_profile

exp = get_experiment("resnet")
device = dlbook.try_gpu()
# 构建本书时总按“只有 CPU”来选档位：在 CPU 上便宜的实验跑完整设置，其余跑快速档；
# 环境变量 DLBOOK_PROFILE=full 可以强制完整设置。
profile = resolve_profile(device="cpu", cheap_on_cpu=exp.cheap_on_cpu)
print("书中的设置：", format_settings(exp.full, skip=()))
print(f"本次运行：{profile} 档，设备 {device}；", format_settings(exp.settings(profile), skip=()))

# %%
# 训练
# ----
# 训练曲线：训练损失、训练精度与每轮结束时的测试精度。

result = run_experiment(exp, profile=profile, device=device, plot=True, verbose=False)
record_result(result)  # 构建本书时，页面从这里引用本次的结果

# %%
# 结果
# ----

print(f"我们（{result.profile} 档）：{result.summary}，用时 {result.seconds:.1f} 秒")
print(f"书中（完整设置）：test acc {exp.reference['test_acc']:.3f}（{exp.reference_source}）")
speed = result.metrics["examples_per_sec"]
full = exp.settings("full")
hours = full["num_epochs"] * 60_000 / speed / 3600
print(f"按本次的 {speed:.1f} 样本/秒，完整设置仅训练部分就要约 {hours:.1f} 小时（{device}）")
