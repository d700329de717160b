"""
优化算法的比较
==============

对应第 10 章“动量法”到“Adam 算法”各节：小批量随机梯度下降、动量法、AdaGrad、RMSProp、Adadelta、Adam 与 Yogi
在同一个问题上的比较。各节在房价数据上训练的是线性回归：那是一个凸问题，批量 10 的梯度噪声又大，
七种算法两轮之后的损失几乎一样，只能用来核对实现。这里换成一个非凸的问题，让它们的差别显出来：
Fashion-MNIST 上的单隐藏层多层感知机（784 → 128（ReLU）→ 10），只用前 6000 张训练图像与 2000 张测试图像，
批量 64，训练 4 轮（每种算法的更新次数相同），3 个种子。同一个种子下，七种算法的初值与数据顺序完全相同。
再把它们在病态的二维二次函数 :math:`f(\\mathbf{x}) = 0.1 x_1^2 + 2 x_2^2` 上的轨迹并排画出。
书中的参考：D2L 第 11.6–11.10 节各自的训练曲线（D2L 用翼型噪声数据上的线性回归）。
"""

# %%
# Fashion-MNIST 上的训练曲线
# --------------------------
# :func:`dlbook.train.optimizer_comparison.compare_optimizers` 对每个种子读一次数据、为每种算法建一个
# 初值相同的网络，用 :func:`dlbook.train.trainer.train_classifier` 训练，返回每轮的记录。
# 优化器都是 :mod:`dlbook.optim.scratch` 中的从零实现。学习率按各算法的常用取值：
# 动量法与小批量随机梯度下降用**同一个**学习率 0.1，RMSProp 与 Adam 用 PyTorch 的默认值 0.001，
# Yogi 用 D2L 的 0.01（:math:`\epsilon = 10^{-3}`），AdaGrad 用 0.03（它第一步在每个坐标上都走 :math:`\eta`，
# 0.1 对这个网络太大）。

import matplotlib.pyplot as plt

import dlbook
from dlbook.data import load_fashion_mnist
from dlbook.experiments.expectations import claim
from dlbook.models.mlp import mlp
from dlbook.optim.scratch import (
    AdadeltaScratch,
    AdaGradScratch,
    AdamScratch,
    RMSPropScratch,
    SGDMomentumScratch,
    YogiScratch,
)
from dlbook.optim.traces import show_trace_2d, trace_optimizer
from dlbook.train.optimizer_comparison import compare_optimizers

PAGE = "auto_examples/chapter_optimization/plot_optimizer_comparison"
optimizers = {
    "小批量 SGD η=0.1": lambda p: SGDMomentumScratch(p, lr=0.1),
    "动量法 η=0.1 β=0.9": lambda p: SGDMomentumScratch(p, lr=0.1, momentum=0.9),
    "AdaGrad η=0.03": lambda p: AdaGradScratch(p, lr=0.03, eps=1e-6),
    "RMSProp η=0.001 γ=0.9": lambda p: RMSPropScratch(p, lr=0.001, gamma=0.9, eps=1e-6),
    "Adadelta ρ=0.9": lambda p: AdadeltaScratch(p, rho=0.9, eps=1e-5),
    "Adam η=0.001": lambda p: AdamScratch(p, lr=0.001),
    "Yogi η=0.01": lambda p: YogiScratch(p, lr=0.01),
}
seeds, num_train, batch_size, num_epochs = (0, 1, 2), 6000, 64, 4
runs = compare_optimizers(
    optimizers,
    lambda g: mlp(num_hiddens=128, generator=g),
    lambda seed: load_fashion_mnist(batch_size, seed=seed, num_train=num_train, num_test=2000),
    num_epochs=num_epochs,
    seeds=seeds,
)
updates = -(-num_train // batch_size) * num_epochs
print(f"每种算法、每个种子：{updates} 次更新")
losses = {name: [h.column("train_loss") for h in hs] for name, hs in runs.items()}

dlbook.use_book_style()
fig, ax = plt.subplots(figsize=(6, 3.6))
for k, (name, per_seed) in enumerate(losses.items()):
    epochs = range(1, len(per_seed[0]) + 1)
    mean = [sum(v) / len(v) for v in zip(*per_seed)]
    (line,) = ax.plot(epochs, mean, marker="o", label=name, linestyle="-" if k < 4 else "--")
    for curve in per_seed:  # 每个种子一组小点
        ax.plot(epochs, curve, ".", color=line.get_color(), alpha=0.5)
ax.set_xlabel("epoch")
ax.set_ylabel("训练损失（3 个种子的平均）")
ax.set_yscale("log")
ax.grid(True)
ax.legend(fontsize=7)
fig.tight_layout()

# %%
# 每个种子的数字：第 1 轮与第 4 轮的训练损失（一轮中各小批量损失的平均）与最后的测试精度。

for name, hs in runs.items():
    cells = "  ".join(
        f"{h.column('train_loss')[0]:.3f} → {h.final.train_loss:.3f}（{h.final.test_acc:.3f}）"
        for h in hs
    )
    print(f"{name:22s} {cells}")

# %%
# 构建时检查的论断
# ----------------
# 下面三句话对**每个**种子都成立，构建时检查（不成立时构建失败）：


def per_seed(name, epoch):
    return [curve[epoch] for curve in losses[name]]


sgd, momentum, adam = "小批量 SGD η=0.1", "动量法 η=0.1 β=0.9", "Adam η=0.001"
others_max = [max(losses[n][i][-1] for n in losses if n != sgd) for i in range(len(seeds))]
checks = [
    claim(
        "optimizers-momentum-beats-sgd",
        "学习率同为 0.1 时，动量法（β = 0.9）第 4 轮的训练损失在每个种子上都低于小批量随机梯度下降",
        {"动量法": per_seed(momentum, -1), "SGD": per_seed(sgd, -1)},
        all(m < s for m, s in zip(per_seed(momentum, -1), per_seed(sgd, -1))),
        page=PAGE,
    ),
    claim(
        "optimizers-adam-faster-early",
        "第 1 轮里 Adam 的训练损失在每个种子上都低于小批量随机梯度下降：它起步更快",
        {"Adam": per_seed(adam, 0), "SGD": per_seed(sgd, 0)},
        all(a < s for a, s in zip(per_seed(adam, 0), per_seed(sgd, 0))),
        page=PAGE,
    ),
    claim(
        "optimizers-sgd-highest-loss",
        f"同样的 {updates} 次更新之后，不带动量的小批量随机梯度下降的训练损失在每个种子上都是七种算法中最高的",
        {"SGD": per_seed(sgd, -1), "其余六种中最高": others_max},
        all(s > o for s, o in zip(per_seed(sgd, -1), others_max)),
        page=PAGE,
    ),
]
for c in checks:
    print(f"{'成立' if c.holds else '不成立'}：{c.text}")

# %%
# 二维二次函数上的轨迹
# --------------------
# 同一批从零实现的优化器，直接作用在一个二维参数 :math:`\mathbf{x}` 上（梯度由自动微分求出），
# 从 :math:`(-5, -2)` 出发走 20 步。这里的学习率是为二维问题挑的（动量法、AdaGrad、RMSProp 与各节相同），
# 不是上面的设置；Adadelta 没有学习率，取 :math:`\epsilon = 10^{-2}` 让它在 20 步内走得动。


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
# 第 4 轮的训练损失（3 个种子的平均）。与房价数据上的线性回归不同，这里的差别在每个种子上都一样：
# 不带动量的随机梯度下降最慢，加上动量（同样的学习率）就更快；各种自适应算法都比它快（上面检查的论断）。
# 哪一种自适应算法最好，取决于学习率的选取（这里每种只试了一个学习率），这几个数不足以给它们排名。

finals = {name: sum(c[-1] for c in per_seed) / len(per_seed) for name, per_seed in losses.items()}
print("，".join(f"{name} {loss:.3f}" for name, loss in finals.items()))
