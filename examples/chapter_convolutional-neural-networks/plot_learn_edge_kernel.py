"""
学习边缘检测核
==============

对应《图像卷积》一节的“学习卷积核”：从随机初始化的 1×2 核出发，对平方误差做 10 步梯度下降，
看能否从“黑底白竖条图像”与它的竖直边缘检测结果中学回核 :math:`[1, -1]`。
"""

# %%
# 图像与目标输出
# --------------
# 用 :func:`dlbook.ops.conv.corr2d` 算出真实核的输出，作为学习的目标。

import matplotlib.pyplot as plt
import torch

import dlbook
from dlbook.ops.conv import corr2d, learn_kernel

dlbook.use_book_style()
X = torch.zeros((5, 9))  # 黑色背景
X[:, 3:6] = 1  # 一条 3 列宽的白色竖条
true_kernel = torch.tensor([[1.0, -1.0]])
Y = corr2d(X, true_kernel)

fig, axes = plt.subplots(1, 2, figsize=(7, 2.4))
for ax, img, title, cmap in (
    (axes[0], X, "输入图像 X", "gray"),
    (axes[1], Y, "目标输出 Y", "coolwarm"),
):
    ax.imshow(img.numpy(), cmap=cmap, vmin=-1, vmax=1)
    ax.set_title(title)
    ax.set_xticks(range(img.shape[1]))
    ax.set_yticks(range(img.shape[0]))
plt.tight_layout()

# %%
# 梯度下降 10 步
# --------------

kernel, losses = learn_kernel(X, Y, kernel_size=(1, 2), num_steps=10, lr=3e-2, seed=0)

# %%
# 损失曲线与学到的核
# ------------------
# 左图是每一步更新前的损失（对数刻度）；右图比较学到的核与真实的核。

fig, axes = plt.subplots(1, 2, figsize=(7, 2.6))
dlbook.plot(
    list(range(1, len(losses) + 1)),
    losses,
    xlabel="步数",
    ylabel="平方误差之和",
    yscale="log",
    axes=axes[0],
)
positions = [0, 1]
axes[1].bar([p - 0.18 for p in positions], true_kernel[0].tolist(), width=0.36, label="真实的核")
axes[1].bar([p + 0.18 for p in positions], kernel[0].tolist(), width=0.36, label="学到的核")
axes[1].axhline(0, color="black", linewidth=0.8)
axes[1].set_xticks(positions, ["K[0, 0]", "K[0, 1]"])
axes[1].legend()
plt.tight_layout()

# %%
# 结果
# ----
# 学到的核与真实的核之差很小；再多走几步，误差还会继续缩小。

error = (kernel - true_kernel).abs().max().item()
print(
    f"learned kernel {[round(v, 3) for v in kernel[0].tolist()]}, true [1.0, -1.0], "
    f"max error {error:.3f}, loss {losses[-1]:.3f} after {len(losses)} steps"
)
