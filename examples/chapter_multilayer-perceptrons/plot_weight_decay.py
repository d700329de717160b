"""
权重衰减的强度
==============

对应《权重衰减》一节。页面上比较了 :math:`\\lambda = 0` 与 :math:`\\lambda = 3`；这里用同样的高维线性回归
（设置取自登记表中的 ``weight-decay-concise-3``）把 :math:`\\lambda` 从 0 扫到 300，画出最终的训练损失、
测试损失和权重的 L2 范数随 :math:`\\lambda` 的变化。
"""

# %%
# 数据
# ----

import matplotlib.pyplot as plt
import torch

import dlbook
from dlbook.experiments import format_settings, get_experiment
from dlbook.train.fitting import train_weight_decay_concise

settings = get_experiment("weight-decay-concise-3").full
print("设置：", format_settings(settings))
num_inputs, batch_size = settings["num_inputs"], settings["batch_size"]
true_w, true_b = torch.ones(num_inputs) * 0.01, 0.05
train_data = dlbook.synthetic_linear_data(true_w, true_b, settings["n_train"], seed=0)
test_data = dlbook.synthetic_linear_data(true_w, true_b, settings["n_test"], seed=1)
train_iter = dlbook.load_array(train_data, batch_size, seed=0)
test_iter = dlbook.load_array(test_data, batch_size, shuffle=False)

# %%
# 扫描 λ
# ------

lambdas = [0, 0.3, 1, 3, 10, 30, 100, 300]
rows = []
for wd in lambdas:
    net, history = train_weight_decay_concise(
        wd,
        train_iter,
        test_iter,
        num_inputs,
        lr=settings["lr"],
        num_epochs=settings["num_epochs"],
        plot=False,
        verbose=False,
    )
    norm = net[0].weight.norm().item()
    rows.append((wd, history.final.train_loss, history.final.test_loss, norm))
    print(
        f"λ = {wd:4g}: train loss {history.final.train_loss:.4g}, "
        f"test loss {history.final.test_loss:.4g}, ‖w‖ = {norm:.4f}"
    )

# %%
# 损失与权重范数随 λ 的变化
# -------------------------
# 横轴用 symlog 刻度，把 λ = 0 也画进来。λ 增大时训练损失上升、测试损失下降，权重范数单调减小；
# λ 很大时权重被压向 0，训练损失继续上升，测试损失却不再下降：模型几乎只能预测一个常数（欠拟合）。

dlbook.use_book_style()
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
wds = [r[0] for r in rows]
axes[0].plot(wds, [r[1] for r in rows], "o-", label="训练损失")
axes[0].plot(wds, [r[2] for r in rows], "s--", label="测试损失")
axes[0].set_xscale("symlog", linthresh=0.3)
axes[0].set_yscale("log")
axes[0].set_xlabel("weight_decay λ")
axes[0].set_ylabel("均方误差")
axes[0].legend()
axes[0].grid(True)
axes[1].plot(wds, [r[3] for r in rows], "o-", color="C2")
axes[1].set_xscale("symlog", linthresh=0.3)
axes[1].set_xlabel("weight_decay λ")
axes[1].set_ylabel("‖w‖")
axes[1].grid(True)
fig.tight_layout()

# %%
# 结果
# ----
# 书中（D2L 第 4.5 节）的结论：λ = 0 时测试损失远高于训练损失（严重过拟合），
# λ = 3 时测试损失明显降低、权重范数显著变小。

best = min(rows, key=lambda r: r[2])
r0, r3 = rows[0], rows[lambdas.index(3)]
print(
    f"λ=0: test loss {r0[2]:.3g}, ‖w‖ {r0[3]:.2f}; λ=3: test loss {r3[2]:.3g}, ‖w‖ {r3[3]:.3f}; "
    f"best λ={best[0]:g} (test loss {best[2]:.3g})"
)
