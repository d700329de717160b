"""
多项式的阶数与误差
==================

对应《模型选择、欠拟合和过拟合》一节。页面上用 4、2、20 个特征各训练了一次；这里保持登记表中
``underfit-overfit-*`` 的其余设置不变，把特征个数（多项式的阶数加 1）从 1 扫到 20，画出最终的训练误差与
测试误差随模型容量的变化——书中“模型容量与误差”示意图的实测版本——再把三个典型模型的拟合曲线与数据画在一起。
"""

# %%
# 数据
# ----

import matplotlib.pyplot as plt
import torch

import dlbook
from dlbook.data.synthetic import polynomial_features
from dlbook.experiments import format_settings, get_experiment
from dlbook.train.fitting import train_polynomial

settings = get_experiment("underfit-overfit-overfit").full
print("设置（特征个数除外）：", format_settings(settings, skip=("model", "num_features")))
true_w = settings["true_w"]
train_features, test_features, train_labels, test_labels = dlbook.polynomial_data(
    true_w,
    max_degree=settings["max_degree"],
    n_train=settings["n_train"],
    n_test=settings["n_test"],
    noise=settings["noise"],
    seed=0,
)

# %%
# 特征个数从 1 到 20
# ------------------
# 取 1–4、6、8、12、16、20 个特征。
# 每个模型都从同样的随机状态初始化、按同样的顺序读取小批量。

nets, finals = {}, {}
for k in (1, 2, 3, 4, 6, 8, 12, 16, 20):
    net, history = train_polynomial(
        k,
        train_features,
        test_features,
        train_labels,
        test_labels,
        num_epochs=settings["num_epochs"],
        lr=settings["lr"],
        batch_size=settings["batch_size"],
        plot=False,
        verbose=False,
    )
    nets[k], finals[k] = net, history.final
    print(
        f"{k:2d} 个特征：train loss {history.final.train_loss:.4f}, "
        f"test loss {history.final.test_loss:.4f}"
    )

# %%
# 容量与误差
# ----------
# 特征少于 4 个时训练误差和测试误差都很大（欠拟合）；4 个特征时两者都降到噪声的水平；
# 特征再多，训练误差不再明显下降，测试误差却明显高于训练误差（过拟合），见上面打印的数字。

dlbook.use_book_style()
ks = list(finals)
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(ks, [finals[k].train_loss for k in ks], "o-", label="训练误差")
ax.plot(ks, [finals[k].test_loss for k in ks], "s--", label="测试误差")
ax.axvline(4, color="gray", linestyle=":", label="真实模型（4 个特征）")
dlbook.set_axes(ax, xlabel="特征个数（模型容量）", ylabel="均方误差", yscale="log")
ax.legend()
fig.tight_layout()

# %%
# 三个模型的拟合曲线
# ------------------
# 在 :math:`x \in [-4, 4]` 上画出 2、4、20 个特征的模型与真实的三次函数，灰色阴影是训练数据覆盖的
# 范围。在这个范围内，4 个和 20 个特征的模型都几乎与真实函数重合；离开数据的范围（外推）之后，
# 20 个特征的模型开始偏离，而与真实模型结构一致的 4 个特征的模型仍然准确。

x = torch.linspace(-4, 4, 200).reshape(-1, 1)
grid = polynomial_features(x, 20)
truth = grid[:, :4] @ torch.tensor(true_w, dtype=torch.float32)
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.axvspan(train_features[:, 1].min(), train_features[:, 1].max(), color="0.92")
ax.scatter(train_features[:, 1], train_labels.flatten(), s=8, c="gray", label="训练数据")
ax.plot(x.flatten(), truth, "k-", label="真实函数")
with torch.no_grad():
    for k, style in [(2, "C1--"), (4, "C0-"), (20, "C3-.")]:
        ax.plot(x.flatten(), nets[k](grid[:, :k]).flatten(), style, label=f"{k} 个特征")
dlbook.set_axes(ax, xlabel="x", ylabel="y", ylim=(-100, 50))
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# 结果
# ----
# 书中（D2L 第 4.4 节）三阶多项式拟合学到的权重接近 [5, 1.2, -3.4, 5.6]。

best = min(finals, key=lambda k: finals[k].test_loss)
w4 = ", ".join(f"{v:.3f}" for v in nets[4][0].weight.detach().flatten().tolist())
print(f"4 个特征学到的权重 [{w4}]（真实值 [5, 1.2, -3.4, 5.6]）")
print(
    f"best test loss {finals[best].test_loss:.4f} with {best} features; "
    f"underfit (2) {finals[2].test_loss:.3f}, overfit (20) {finals[20].test_loss:.4f}"
)
