"""
LeNet 在 Fashion-MNIST 上的训练曲线与特征图
===========================================

对应《卷积神经网络（LeNet）》一节：用登记表中的实验 ``lenet`` （sigmoid 激活、平均池化的 LeNet-5，
Xavier 初始化）在真实的 Fashion-MNIST 上训练，有 GPU 时在 GPU 上按书中的设置，否则在 CPU 上按快速档
（批量与轮数都减半）；
画出训练曲线，逐轮打印结果与吞吐量，与书中的结果对照。最后用训练好的同一个网络做这一节的练习
“画出 LeNet 第一层和第二层的激活值”：第一个卷积层的 6 个卷积核，以及几张测试图像在两个卷积块之后的
特征图（书中没有对应的图）。
"""

# %%
# 设置
# ----
# 整个数据集一次放到训练设备上，每个批次在设备上切片。

import matplotlib.pyplot as plt
import torch

import dlbook
from dlbook.experiments import (
    format_metrics,
    format_settings,
    get_experiment,
    run_experiment,
)

exp = get_experiment("lenet")
device = dlbook.try_gpu()
print("书中的设置：", format_settings(exp.full), "；设备：", device)
print("快速档的改动：", format_settings(exp.quick, skip=()))

# %%
# 训练
# ----
# 曲线记录每轮 5 个点的训练损失与训练准确率，每轮结束一个测试准确率。
# 第 1 轮的损失下降得很慢：sigmoid 在饱和区梯度很小，网络要先“挣脱”这个平台才开始快速学习。

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

# %%
# 挑几张测试图像
# --------------
# 下面用上面训练好的网络（``result.model``）。每个类别取测试集中的第一张：T 恤、裤子、运动鞋、包。

net = result.model.to("cpu").eval()
data = dlbook.read_fashion_mnist()
classes = [0, 1, 7, 8]
indices = [int((data.test_labels == c).nonzero()[0]) for c in classes]
images = data.test_images[indices].float().div(255).unsqueeze(1)  # (4, 1, 28, 28)
names = dlbook.fashion_mnist_labels(data.test_labels[indices])
with torch.no_grad():
    preds = dlbook.fashion_mnist_labels(net(images).argmax(dim=1))
dlbook.show_images(images, 1, 4, titles=[f"{t} → {p}" for t, p in zip(names, preds)], scale=2.0)
print("predicted:", ", ".join(preds))

# %%
# 第一个卷积层的核
# ----------------
# 6 个 5×5 的核（红色为正、蓝色为负，每个核各自着色）。看看哪些核一边为正、一边为负：
# 这样的核像带平滑的差分，对与正负分界线平行的边缘敏感。学到的核随初始化与数据顺序而变。

kernels = net[0].weight.detach()[:, 0]  # (6, 5, 5)
dlbook.show_images(kernels, 1, 6, titles=[f"核 {i}" for i in range(6)], scale=1.4, cmap="coolwarm")

# %%
# 第一个卷积块的特征图
# --------------------
# ``net[:2]`` 是第一个卷积层加 sigmoid。每一行是一张图像：最左边是输入，后面是 6 个通道的输出。
# 多数通道像是把图像模糊后取反，标出“哪里有衣物”；有的通道反过来把衣物标亮，
# 有的在衣物的左、右边缘处更亮或更暗——这正是上面那些差分核的作用。

with torch.no_grad():
    maps1 = net[:2](images)  # (4, 6, 28, 28)
rows = torch.cat([images, maps1], dim=1).reshape(-1, 28, 28)  # 每张图像 1 + 6 个小图
titles = (["输入"] + [f"通道 {c}" for c in range(6)]) * len(indices)
dlbook.show_images(rows, len(indices), 7, titles=titles, scale=1.2)

# %%
# 第二个卷积块的特征图
# --------------------
# ``net[:5]`` 到第二个卷积层加 sigmoid 为止，输出 16 张 10×10 的特征图。
# 分辨率更低，每个元素的感受野更大（覆盖输入中 14×14 的区域），更难直接解读，
# 但可以比较同一个通道对运动鞋和包的响应。

with torch.no_grad():
    maps2 = net[:5](images)  # (4, 16, 10, 10)
for name, maps in zip(names[2:], maps2[2:]):
    axes = dlbook.show_images(maps, 2, 8, titles=[f"通道 {c}" for c in range(16)], scale=1.0)
    axes[0, 0].figure.suptitle(f"{name}：第二个卷积块的 16 张特征图")
    plt.tight_layout()

# %%
# 结果
# ----

print(result.summary)
