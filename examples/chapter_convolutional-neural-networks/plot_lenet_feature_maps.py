"""
LeNet 的特征图
==============

对应《卷积神经网络（LeNet）》一节的练习“画出 LeNet 第一层和第二层的激活值”：按登记表中 ``lenet``
的设置只训练 3 轮（此时网络已走出 sigmoid 的平台期），再画出第一个卷积层的 6 个卷积核，以及几张测试图像
在两个卷积块之后的特征图。书中没有对应的图。
"""

# %%
# 训练 3 轮
# ---------

import matplotlib.pyplot as plt
import torch

import dlbook
from dlbook.experiments import run_experiment

result = run_experiment("lenet", epochs=3, device=dlbook.try_gpu(), verbose=False)
history, net = result.history, result.model.to("cpu").eval()

# %%
# 挑几张测试图像
# --------------
# 每个类别取测试集中的第一张：T 恤、裤子、运动鞋、包。

data = dlbook.read_fashion_mnist()
classes = [0, 1, 7, 8]
indices = [int((data.test_labels == c).nonzero()[0]) for c in classes]
images = data.test_images[indices].float().div(255).unsqueeze(1)  # (4, 1, 28, 28)
names = dlbook.fashion_mnist_labels(data.test_labels[indices])
with torch.no_grad():
    preds = dlbook.fashion_mnist_labels(net(images).argmax(dim=1))
dlbook.show_images(images, 1, 4, titles=[f"{t} → {p}" for t, p in zip(names, preds)], scale=2.0)

# %%
# 第一个卷积层的核
# ----------------
# 6 个 5×5 的核（红色为正、蓝色为负，每个核各自着色）。多数核左边为正、右边为负，
# 像是带平滑的水平差分，对竖直方向的边缘敏感；也有整体为正的核，相当于模糊。

kernels = net[0].weight.detach()[:, 0]  # (6, 5, 5)
dlbook.show_images(kernels, 1, 6, titles=[f"核 {i}" for i in range(6)], scale=1.4, cmap="coolwarm")

# %%
# 第一个卷积块的特征图
# --------------------
# ``net[:2]`` 是第一个卷积层加 sigmoid。每一行是一张图像：最左边是输入，后面是 6 个通道的输出。
# 训练 3 轮之后，多数通道像是把图像模糊后取反，标出“哪里有衣物”；有的通道反过来把衣物标亮，
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
# 但可以看到同一个通道对运动鞋和包的响应截然不同。

with torch.no_grad():
    maps2 = net[:5](images)  # (4, 16, 10, 10)
for name, maps in zip(names[2:], maps2[2:]):
    axes = dlbook.show_images(maps, 2, 8, titles=[f"通道 {c}" for c in range(16)], scale=1.0)
    axes[0, 0].figure.suptitle(f"{name}：第二个卷积块的 16 张特征图")
    plt.tight_layout()

# %%
# 结果
# ----

print("predicted:", ", ".join(preds))
print(history.summary())
