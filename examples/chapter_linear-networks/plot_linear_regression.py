"""
线性回归的训练曲线
==================

对应《线性回归的从零开始实现》与《线性回归的简洁实现》两节。在合成数据
:math:`\\mathbf{y} = \\mathbf{X}\\mathbf{w} + b + \\epsilon`，其中 :math:`\\mathbf{w} = [2, -3.4]^\\top`、
:math:`b = 4.2`、噪声标准差 0.01、1000 个样本上训练简洁实现的线性回归
:func:`dlbook.linear_regression`，用 :func:`dlbook.train_regression` 记录每轮结束时
训练集上的均方误差，并比较三个学习率。

设置：书中的设置是批量 10、学习率 0.03、``nn.MSELoss``、``torch.optim.SGD``、3 轮；
为了看清曲线，这里每个学习率训练 10 轮，并取第 3 轮的结果与书中对比。
生成数据与打乱顺序的种子是 0，初始化的种子是 1000。
"""

# %%
# 数据与模型
# ----------

import matplotlib.pyplot as plt
import torch
from torch import nn

import dlbook
from dlbook.models import linear_regression

true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
features, labels = dlbook.synthetic_linear_data(true_w, true_b, 1000, seed=0)

# %%
# 三个学习率各训练 10 轮
# ----------------------
# ``train_regression`` 每轮结束后在整个训练集上重新计算平均损失；纵轴是对数刻度。

results = {}
for lr in (0.003, 0.03, 0.3):
    net = linear_regression(2, generator=torch.Generator().manual_seed(1000))
    train_iter = dlbook.load_array((features, labels), 10, seed=0)
    history = dlbook.train_regression(
        net,
        train_iter,
        None,
        10,
        loss=nn.MSELoss(reduction="none"),
        lr=lr,
        seed=0,
        plot=False,
        verbose=False,
    )
    results[lr] = (history, net)

dlbook.use_book_style()
fig, ax = plt.subplots(figsize=(5, 3.2))
for lr, (history, _) in results.items():
    ax.plot(history.column("epoch"), history.column("train_loss"), "o-", label=f"lr = {lr}")
ax.axhline(0.01**2, color="gray", linestyle=":", label="噪声方差 0.0001")
dlbook.set_axes(ax, xlabel="epoch", ylabel="训练集均方误差", yscale="log")
ax.legend()
fig.tight_layout()

# %%
# 学习率 0.003 太小，10 轮后损失仍然很大；0.3 则在第一轮就几乎收敛。
# 书中的 0.03 在 3 轮内把损失降到了噪声的水平（均方误差约等于噪声方差 :math:`10^{-4}`），
# 之后不再下降：剩下的误差来自标签中的噪声，模型无法也不应该去拟合它。
#
# 结果
# ----
# 书中设置（lr 0.03）训练 10 轮后学到的参数与真实参数的差，以及第 3 轮结束时的损失：

history, net = results[0.03]
third = history.epochs[2]
w = net[0].weight.detach().reshape(-1)
b = net[0].bias.detach().item()
w_error = ", ".join(f"{e:.5f}" for e in (true_w - w).tolist())
print(f"训练 10 轮后：w 的估计误差 [{w_error}], b 的估计误差 {true_b - b:.5f}")
print(
    f"lr 0.03, epoch 3: train loss {third.train_loss:.6f} "
    f"(书中第 3 轮约 0.0001), {third.examples_per_sec:.1f} examples/sec on cpu"
)
