"""
GoogLeNet 在 Fashion-MNIST 上的训练
===================================

对应《含并行连结的网络（GoogLeNet）》一节。模型是 :func:`dlbook.models.googlenet`：五个阶段、九个 Inception 块。

设置取自实验登记表 ``googlenet``（下面的第一段输出列出它们）。书中的完整设置是 10 轮、每轮 6 万张图像，
在 CPU 上要跑几个小时（最后的输出按本次测得的速度估算），所以构建本书时运行快速档：
只训练前几百到一千来张图像 1 轮，图像尺寸、批量、学习率、初始化与模型结构都不变。
快速档能说明整条流水线（读数据、缩放、训练、在测试集上评估）在真实数据上跑得通，给出这台机器上每秒能处理
多少张图像；它 **不能** 说明模型最终能达到的准确率——那要看完整设置的结果。
要跑完整设置，设环境变量 ``DLBOOK_PROFILE=full`` 再运行本示例，或者在有 GPU 的机器上运行
``python -m dlbook run googlenet --profile full`` （结果会连同设备、日期与版本记录下来）。

书中的参考：D2L 第 7.4 节的训练结果，测试精度见最后的输出。
"""

# %%
# 设置
# ----

import dlbook
from dlbook.experiments import format_settings, get_experiment, record_result, run_experiment
from dlbook.profiles import resolve_profile

exp = get_experiment("googlenet")
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
