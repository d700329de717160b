"""
LeNet 在 Fashion-MNIST 上的训练曲线
===================================

对应《卷积神经网络（LeNet）》一节：用登记表中的实验 ``lenet`` （sigmoid 激活、平均池化的 LeNet-5，
Xavier 初始化）在真实的 Fashion-MNIST 上训练，有 GPU 时在 GPU 上，否则在 CPU 上；
画出训练曲线，逐轮打印结果与吞吐量，最后与书中的结果对照。
"""

# %%
# 设置
# ----
# 整个数据集一次放到训练设备上，每个批次在设备上切片。

import dlbook
from dlbook.experiments import (
    format_metrics,
    format_settings,
    get_experiment,
    run_experiment,
)

exp = get_experiment("lenet")
device = dlbook.try_gpu()
print("设置：", format_settings(exp.full), "；设备：", device)

# %%
# 训练
# ----
# 曲线记录每轮 5 个点的训练损失与训练准确率，每轮结束一个测试准确率。
# 前一两轮损失几乎不动：sigmoid 在饱和区梯度很小，网络要先“挣脱”这个平台才开始快速学习。

result = run_experiment(exp, device=device, plot=True, verbose=False)

# %%
# 逐轮结果
# --------

for r in result.history.epochs:
    print(
        f"epoch {r.epoch:2d}  train loss {r.train_loss:.3f}  train acc {r.train_acc:.3f}  "
        f"test acc {r.test_acc:.3f}  {r.examples_per_sec:8.1f} examples/sec"
    )

# %%
# 与书中的结果对照
# ----------------

print(f"书中：{format_metrics(exp.reference)}（{exp.reference_source}）")
print(result.summary)
