"""
穿过 Python 控制流求梯度
========================

对应《自动微分》一节的最后一个例子：:func:`dlbook.scale_by_control_flow` 里的 ``while`` 循环和
``if`` 分支都取决于输入 :math:`a`，PyTorch 照样能求出 :math:`\\partial d / \\partial a`。
对 500 个随机的 :math:`a` 逐个求值、反向传播，检验梯度等于 :math:`d / a`。
"""

# %%
# 先看函数本身
# ------------
# 除去文档字符串，整个函数就是几行普通的 Python：

import inspect

import matplotlib.pyplot as plt
import torch

import dlbook

print(inspect.getsource(dlbook.scale_by_control_flow))

# %%
# 逐个抽样、求值、反向传播
# ------------------------

generator = dlbook.seed_everything(0)
samples = torch.randn(500, generator=generator)

values, grads = [], []
for a0 in samples:
    a = a0.clone().requires_grad_(True)
    d = dlbook.scale_by_control_flow(a)
    d.backward()
    values.append(d.item())
    grads.append(a.grad.item())

values_t, grads_t = torch.tensor(values), torch.tensor(grads)
ratio = values_t / samples
exact = int((grads_t == ratio).sum())
close = int(torch.isclose(grads_t, ratio, rtol=1e-6).sum())
print(f"a.grad == d / a（逐位相等）：{exact}/{len(samples)}")
print(f"a.grad ≈ d / a（相对误差 1e-6 以内）：{close}/{len(samples)}")

# %%
# 个别样本逐位不相等，是因为 :math:`100\cdot b` 这一步有舍入，再除以 :math:`a` 时不一定
# 恰好回到 :math:`k`；在浮点误差范围内它们完全一致。
#
# 画出函数与梯度
# --------------
# 左图是 :math:`|d| = |f(a)|` （对数纵轴）：正的 :math:`a` 被放大到 1000 与 2000 之间，负的
# :math:`a` 再乘 100；函数是分段线性的，每一段的斜率都不同。
# 右图是自动微分得到的梯度与 :math:`d / a`，它们重合成一组“台阶”，每个台阶对应循环的一个次数。

dlbook.use_book_style()
order = torch.argsort(samples)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
positive = samples[order] > 0
for mask, fmt, label in [(positive, "b.", "a > 0：返回 b"), (~positive, "r.", "a < 0：返回 100 b")]:
    axes[0].plot(samples[order][mask], values_t[order][mask].abs(), fmt, markersize=3, label=label)
axes[0].set_yscale("log")
axes[0].set_xlabel("$a$")
axes[0].set_ylabel("$|d| = |f(a)|$")
axes[0].set_title("带控制流的函数（对数纵轴）")
axes[0].legend(fontsize=8)
axes[0].grid(True)

axes[1].plot(
    samples[order], grads_t[order], "o", markersize=5, fillstyle="none", label="a.grad（自动微分）"
)
axes[1].plot(samples[order], ratio[order], "x", markersize=3, label="d / a")
axes[1].set_xscale("symlog", linthresh=0.01)
axes[1].set_yscale("log", base=2)
axes[1].set_xlabel("$a$")
axes[1].set_ylabel("梯度")
axes[1].set_title("梯度等于 d / a")
axes[1].legend(fontsize=8)
axes[1].grid(True)
fig.tight_layout()

# %%
# 结果
# ----

steps = sorted({round(g) for g in grads})
print(f"{len(steps)} distinct gradient values, from {steps[0]} to {steps[-1]}")
print(f"a.grad == d / a for {close}/{len(samples)} random a (rtol 1e-6), exactly equal {exact}")
