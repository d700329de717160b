"""
LeNet 在 Fashion-MNIST 上的训练曲线
===================================

对应《卷积神经网络（LeNet）》一节：sigmoid 激活、平均池化的 LeNet-5（:func:`dlbook.models.lenet`），
第一个卷积层填充 2 以适应 28×28 的输入。

设置（与书中相同，取自实验登记表 ``lenet``）：真实的 Fashion-MNIST（6 万张训练图像、1 万张测试图像），
批量 256，小批量随机梯度下降，学习率 0.9，10 轮，Xavier 均匀初始化，交叉熵损失；
数据打乱与初始化的种子都是 0。有 GPU 时在 GPU 上训练，否则在 CPU 上。

书中的参考：D2L 第 6.6 节的训练曲线，最后一行为
``loss 0.469, train acc 0.823, test acc 0.779``。
"""

# %%
# 数据与模型
# ----------
# 整个数据集一次放到训练设备上，每个批次在设备上切片。

import torch

import dlbook
from dlbook.experiments import get_experiment
from dlbook.models import lenet

exp = get_experiment("lenet")
settings = exp.full
device = dlbook.try_gpu()
print("设置：", settings, "，设备：", device)

train_iter, test_iter = dlbook.load_fashion_mnist(settings["batch_size"], seed=0, device=device)
net = lenet(generator=torch.Generator().manual_seed(0))  # 偏置的初值也可复现

# %%
# 训练
# ----
# 曲线在训练过程中实时更新：每轮画 5 个点的训练损失与训练准确率，每轮结束画一个测试准确率。
# 前一两轮损失几乎不动：sigmoid 在饱和区梯度很小，网络要先“挣脱”这个平台才开始快速学习。

history = dlbook.train_classifier(
    net,
    train_iter,
    test_iter,
    settings["num_epochs"],
    lr=settings["lr"],
    device=device,
    init=settings["init"],
    seed=0,
    verbose=False,
)

# %%
# 逐轮结果
# --------

for r in history.epochs:
    print(
        f"epoch {r.epoch:2d}  train loss {r.train_loss:.3f}  train acc {r.train_acc:.3f}  "
        f"test acc {r.test_acc:.3f}  {r.examples_per_sec:8.1f} examples/sec"
    )

# %%
# 与书中的结果对照
# ----------------

ref = exp.reference
print(
    f"书中：loss {ref['loss']:.3f}, train acc {ref['train_acc']:.3f}, test acc {ref['test_acc']:.3f}"
)
print(history.summary())
