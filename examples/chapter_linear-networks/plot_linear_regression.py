"""
线性回归的训练曲线
==================

对应《线性回归的从零开始实现》与《线性回归的简洁实现》两节：在登记表中 ``linear-regression-concise``
的合成数据上训练简洁实现的线性回归，比较三个学习率；为了看清曲线，每个学习率训练 10 轮（书中 3 轮），
并取第 3 轮的结果与书中对比。
"""

# %%
# 数据与模型
# ----------

import matplotlib.pyplot as plt
import torch
from torch import nn

import dlbook
from dlbook.experiments import format_settings, get_experiment
from dlbook.models import linear_regression
from dlbook.utils.seeding import init_generator

settings = get_experiment("linear-regression-concise").full
print("书中的设置：", format_settings(settings))
true_w, true_b = torch.tensor(settings["true_w"]), settings["true_b"]
features, labels = dlbook.synthetic_linear_data(
    true_w, true_b, settings["num_examples"], settings["noise"], seed=0
)

# %%
# 三个学习率各训练 10 轮
# ----------------------
# ``train_regression`` 每轮结束后在整个训练集上重新计算平均损失；纵轴是对数刻度。

results = {}
book_lr = settings["lr"]
for lr in (book_lr / 10, book_lr, book_lr * 10):
    net = linear_regression(2, generator=init_generator(0))
    train_iter = dlbook.load_array((features, labels), settings["batch_size"], seed=0)
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
# 书中的学习率训练 10 轮后学到的参数与真实参数的差，以及第 3 轮结束时的损失：

history, net = results[book_lr]
third = history.epochs[2]
w = net[0].weight.detach().reshape(-1)
b = net[0].bias.detach().item()
w_error = ", ".join(f"{e:.5f}" for e in (true_w - w).tolist())
print(f"训练 10 轮后：w 的估计误差 [{w_error}], b 的估计误差 {true_b - b:.5f}")
print(
    f"lr {book_lr}, epoch 3: train loss {third.train_loss:.6f} "
    f"(书中第 3 轮约 0.0001), {third.examples_per_sec:.1f} examples/sec on cpu"
)
