"""
用 K 折交叉验证挑选学习率
=========================

对应《实战 Kaggle 比赛：预测房价》一节。页面上用书中的设置（登记表中的 ``kaggle-house-price``）做了
K 折交叉验证；这里保持其余设置不变，比较几个学习率：把各折的验证 log RMSE 逐轮平均画成曲线，
再按最终的平均验证误差挑出最好的一个。
"""

# %%
# 数据
# ----

import matplotlib.pyplot as plt
import torch

import dlbook
from dlbook.data.house_prices import preprocess_house_prices
from dlbook.experiments import format_settings, get_experiment
from dlbook.train.house_prices import k_fold

settings = get_experiment("kaggle-house-price").full
print("书中的设置：", format_settings(settings))

train_data, test_data = dlbook.load_house_prices()
data = preprocess_house_prices(train_data, test_data)
print("训练特征", tuple(data.train_features.shape))

# %%
# 每个学习率做一次 5 折交叉验证
# -----------------------------

book_lr, num_epochs = settings["lr"], settings["num_epochs"]
results = {}
for lr in sorted({1, book_lr, 2 * book_lr, 4 * book_lr}):
    results[lr] = k_fold(
        settings["k"],
        data.train_features,
        data.train_labels,
        num_epochs=num_epochs,
        lr=lr,
        weight_decay=settings["weight_decay"],
        batch_size=settings["batch_size"],
        seed=0,
    )
    print(f"lr {lr:2d}: {results[lr].summary()}")

# %%
# 平均验证误差随训练轮数的变化
# ----------------------------
# 学习率 1 太小，100 轮远没有收敛；5 以上都能收敛，较大的学习率收敛更快。

dlbook.use_book_style()
fig, ax = plt.subplots(figsize=(5, 3.2))
epochs = list(range(1, num_epochs + 1))
for lr, result in results.items():
    mean_valid = torch.tensor(result.valid_curves).mean(dim=0)
    ax.plot(epochs, mean_valid, label=f"lr = {lr}")
dlbook.set_axes(
    ax, xlabel="epoch", ylabel="各折平均验证 log rmse", yscale="log", xlim=(1, num_epochs)
)
ax.legend()
fig.tight_layout()

# %%
# 结果
# ----

best = min(results, key=lambda lr: results[lr].mean_valid)
print(f"book setting lr {book_lr}: {results[book_lr].summary()}")
print(f"best lr {best}: {results[best].summary()}")
