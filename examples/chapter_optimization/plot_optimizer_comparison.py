"""
优化算法的比较
==============

对应第 10 章“动量法”到“Adam 算法”各节：小批量随机梯度下降、动量法、AdaGrad、RMSProp、Adadelta、Adam 与 Yogi
在同一个问题上的比较。先在房价数据上训练同一个线性回归（36 个数值特征标准化后截断到 :math:`[-3, 3]`，
见“小批量随机梯度下降”一节；各算法的设置取自实验登记表，与 D2L 相同：批量 10、2 轮），把损失随轮数与随时间的变化画在一张图里；再把它们在病态的二维二次函数
:math:`f(\\mathbf{x}) = 0.1 x_1^2 + 2 x_2^2` 上的轨迹并排画出。书中的参考：D2L 第 11.6–11.10 节各自的训练曲线
（D2L 用翼型噪声数据，损失的数值不可直接比较）。
"""

# %%
# 房价数据上的训练曲线
# --------------------
# 每个实验都用 :func:`dlbook.experiments.run_house_experiment` 按登记表的设置训练、记下结果；
# 优化器由登记项的 ``optimizer`` 设置构造（除小批量随机梯度下降外都是 :mod:`dlbook.optim.scratch` 中的从零实现）。
# 这些运行很便宜，构建时用完整档。

import matplotlib.pyplot as plt

import dlbook
from dlbook.experiments import get_experiment, run_house_experiment
from dlbook.optim.scratch import (
    AdadeltaScratch,
    AdaGradScratch,
    AdamScratch,
    RMSPropScratch,
    SGDMomentumScratch,
    YogiScratch,
)
from dlbook.optim.traces import show_trace_2d, trace_optimizer

runs = {
    "小批量 SGD": "minibatch-sgd-10",
    "动量法": "momentum",
    "AdaGrad": "adagrad",
    "RMSProp": "rmsprop",
    "Adadelta": "adadelta",
    "Adam": "adam",
    "Yogi": "adam-yogi",
}
print("档位：", dlbook.resolve_profile(cheap_on_cpu=True))
histories = {}
for label, name in runs.items():
    s = get_experiment(name).full
    hyper = {k: s[k] for k in ("lr", "momentum", "gamma", "rho", "betas", "eps") if k in s}
    print(f"{label}（{name}）：{s['optimizer']}，{hyper}")
    histories[label] = run_house_experiment(name, verbose=False)

dlbook.use_book_style()
fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(9, 3.4))
for label, h in histories.items():
    ax_epoch.plot(h.epochs, h.losses, label=label)
    ax_time.plot(h.seconds, h.losses, label=label)
ax_epoch.set_xlabel("epoch")
ax_time.set_xlabel("训练时间（秒）")
for ax in (ax_epoch, ax_time):
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.grid(True)
ax_epoch.legend(fontsize=8)
fig.tight_layout()

# %%
# 二维二次函数上的轨迹
# --------------------
# 同一批从零实现的优化器，直接作用在一个二维参数 :math:`\mathbf{x}` 上（梯度由自动微分求出），
# 从 :math:`(-5, -2)` 出发走 20 步。这里的学习率是为二维问题挑的（动量法、AdaGrad、RMSProp 与各节相同），
# 不是房价数据上的设置；Adadelta 没有学习率，取 :math:`\epsilon = 10^{-2}` 让它在 20 步内走得动。


def f_2d(x1, x2):
    return 0.1 * x1**2 + 2 * x2**2


traces = {
    "梯度下降 η=0.4": lambda p: SGDMomentumScratch(p, lr=0.4),
    "动量法 η=0.6 β=0.5": lambda p: SGDMomentumScratch(p, lr=0.6, momentum=0.5),
    "AdaGrad η=2": lambda p: AdaGradScratch(p, lr=2.0, eps=1e-6),
    "RMSProp η=0.4 γ=0.9": lambda p: RMSPropScratch(p, lr=0.4, gamma=0.9, eps=1e-6),
    "Adadelta ρ=0.9": lambda p: AdadeltaScratch(p, rho=0.9, eps=1e-2),
    "Adam η=0.3": lambda p: AdamScratch(p, lr=0.3),
    "Yogi η=0.3": lambda p: YogiScratch(p, lr=0.3),
}
fig, axes = plt.subplots(2, 4, figsize=(11, 5))
for ax, (title, make) in zip(axes.flat, traces.items()):
    points = trace_optimizer(f_2d, make)
    show_trace_2d(f_2d, points, ax, xlim=(-5.5, 1.0), ylim=(-3.0, 3.0))
    ax.set_title(title, fontsize=9)
    x1, x2 = points[-1]
    print(f"{title}：20 步后 f = {f_2d(x1, x2):.2e}")
axes.flat[-1].axis("off")
fig.tight_layout()

# %%
# 结果
# ----
# 房价数据上两轮之后各算法的最终损失。这个问题只是线性回归，批量 10 的梯度噪声又大，
# 各算法最后都停在差不多的水平上（最后一行打印最高与最低之差，只有零点零几）。

print(", ".join(f"{label} loss {h.final_loss:.3f}" for label, h in histories.items()))
finals = {label: h.final_loss for label, h in histories.items()}
best, worst = min(finals, key=finals.get), max(finals, key=finals.get)
print(
    f"最低 {best} {finals[best]:.4f}，最高 {worst} {finals[worst]:.4f}，相差 {finals[worst] - finals[best]:.4f}"
)
