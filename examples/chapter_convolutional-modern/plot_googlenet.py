"""
GoogLeNet 在 Fashion-MNIST 上的训练
===================================

对应《含并行连结的网络（GoogLeNet）》一节：用登记表中的实验 ``googlenet`` 训练 :func:`dlbook.models.googlenet`，画出训练曲线，
逐轮打印结果，与书中的结果（D2L 第 7.4 节）对照。

构建本书时运行 **快速档**：同一个网络家族（层数、窗口、步幅、池化与激活都不变）缩小到单线程 CPU
一两分钟之内学得会的大小；改动的输入尺寸、通道数、批量、学习率、轮数、初始化与学习率调度（余弦曲线逐轮下降，
书中不调度）列在第一段输出里。
它在全部 60,000 张训练图像上训练、在全部 10,000 张测试图像上评估。书中的设置（完整档）要在 GPU 上运行：
设环境变量 ``DLBOOK_PROFILE=full`` 再运行本示例，或者运行 ``python -m dlbook run googlenet --profile full``。
"""

# %%
# 设置
# ----

import dlbook
from dlbook.experiments import format_settings, get_experiment, run_experiment
from dlbook.experiments.profiles import resolve_profile

exp = get_experiment("googlenet")
device = dlbook.try_gpu()
# 构建本书时总按“只有 CPU”来选档位（快速档）；环境变量 DLBOOK_PROFILE=full 可以强制完整设置。
profile = resolve_profile(device="cpu", cheap_on_cpu=exp.cheap_on_cpu)
print("书中的设置：", format_settings(exp.full, skip=()))
print("快速档的改动：", format_settings(exp.quick, skip=()))
print(f"本次运行：{profile} 档，设备 {device}")

# %%
# 训练
# ----
# 训练曲线：训练损失、训练精度与每轮结束时的测试精度（全部测试图像）。构建本书时结果记入本次构建，
# 页面从那里引用。

result = run_experiment(exp, profile=profile, device=device, plot=True, verbose=False)

# %%
# 结果
# ----

for r in result.history.epochs:
    print(
        f"epoch {r.epoch}  train loss {r.train_loss:.3f}  train acc {r.train_acc:.3f}  "
        f"test acc {r.test_acc:.3f}  {r.examples_per_sec:7.1f} examples/sec"
    )
print(f"我们（{result.profile} 档）：{result.summary}，用时 {result.seconds:.1f} 秒")
print(f"书中（完整设置）：test acc {exp.reference['test_acc']:.3f}（{exp.reference_source}）")
