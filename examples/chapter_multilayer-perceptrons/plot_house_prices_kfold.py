"""
用 K 折交叉验证挑选学习率
=========================

对应《实战 Kaggle 比赛：预测房价》一节。页面上用书中的设置做了 5 折交叉验证；这里用同样的办法比较
几个学习率：对每个学习率，把 5 折的验证 log RMSE 逐轮平均，画成曲线，再按最终的平均验证误差挑出最好的一个。

设置：Kaggle 房价数据（训练集 1460 行），数值特征 Z-score 标准化、缺失值填 0、类别特征独热编码
（330 个特征）；线性回归，``nn.MSELoss``，Adam，权重衰减 0，批量 64，100 轮，:math:`K = 5`，
学习率 1、5（书中的设置）、10、20；第 i 折打乱数据用种子 i、初始化用种子 1000 + i。
书中的参考：D2L 第 4.10 节，学习率 5 时平均验证 log rmse 约 0.17。
"""

# %%
# 数据
# ----

import matplotlib.pyplot as plt
import torch

import dlbook
from dlbook.tabular import k_fold, preprocess_house_prices

train_data, test_data = dlbook.load_house_prices()
data = preprocess_house_prices(train_data, test_data)
print("训练特征", tuple(data.train_features.shape))

# %%
# 每个学习率做一次 5 折交叉验证
# -----------------------------

results = {}
for lr in (1, 5, 10, 20):
    results[lr] = k_fold(
        5, data.train_features, data.train_labels, num_epochs=100, lr=lr, batch_size=64, seed=0
    )
    print(f"lr {lr:2d}: {results[lr].summary()}")

# %%
# 平均验证误差随训练轮数的变化
# ----------------------------
# 学习率 1 太小，100 轮远没有收敛；5 以上都能收敛，较大的学习率收敛更快。

dlbook.use_book_style()
fig, ax = plt.subplots(figsize=(5, 3.2))
epochs = list(range(1, 101))
for lr, result in results.items():
    mean_valid = torch.tensor(result.valid_curves).mean(dim=0)
    ax.plot(epochs, mean_valid, label=f"lr = {lr}")
dlbook.set_axes(ax, xlabel="epoch", ylabel="5 折平均验证 log rmse", yscale="log", xlim=(1, 100))
ax.legend()
fig.tight_layout()

# %%
# 结果
# ----

best = min(results, key=lambda lr: results[lr].mean_valid)
print(f"book setting lr 5: {results[5].summary()} (书中约 0.17)")
print(f"best lr {best}: {results[best].summary()}")
