"""
梯度与等高线正交
================

对应《微积分》一节中“梯度垂直于等高线”的图：画出一个凸函数与一个非凸函数的等高线，在网格点上
画出由自动微分求出的梯度箭头，再沿等高线取点，数值地检验梯度与切线的夹角余弦为 0。
"""

# %%
# 画出两个函数的梯度场
# --------------------
# :func:`dlbook.draw_gradient_field` 的箭头只表示方向（长度统一），黑色粗箭头与虚线
# 分别是选定点上的梯度和等高线的切线。

import matplotlib.pyplot as plt
import torch

import dlbook


def convex(x1, x2):
    return x1**2 + 2 * x2**2


def nonconvex(x1, x2):
    return torch.sin(x1) * torch.cos(x2) + 0.1 * (x1**2 + x2**2)


dlbook.use_book_style()
fig, axes = plt.subplots(1, 2, figsize=(9, 4.4))
dlbook.draw_gradient_field(
    convex,
    (-2, 2),
    (-2, 2),
    num_arrows=13,
    points=[(1.0, 1.0), (-1.5, 0.5)],
    ax=axes[0],
    title=r"凸函数 $x_1^2 + 2x_2^2$",
)
dlbook.draw_gradient_field(
    nonconvex,
    (-3, 3),
    (-3, 3),
    levels=14,
    num_arrows=13,
    points=[(0.5, -1.5), (-2.5, 1.0)],
    ax=axes[1],
    title=r"非凸函数 $\sin x_1 \cos x_2 + 0.1\|x\|^2$",
)
fig.tight_layout()

# %%
# 凸函数的梯度处处指向“外圈”，在唯一的极小点 :math:`(0, 0)` 处为零；
# 非凸函数有几个局部极小点与鞍点，箭头在它们附近改变方向，但无论在哪里，
# 箭头都与经过该点的等高线垂直。
#
# 数值检验正交性
# --------------
# 取出 matplotlib 算出的等高线折线，用相邻顶点之差近似切线方向，在线段中点上用自动微分
# 求梯度，计算二者夹角的余弦。折线越密，余弦越接近 0。


def max_abs_cosine(f, xlim, ylim, levels):
    grid1, grid2 = torch.meshgrid(
        torch.linspace(*xlim, 400, dtype=torch.float64),
        torch.linspace(*ylim, 400, dtype=torch.float64),
        indexing="xy",
    )
    values, _, _ = dlbook.value_and_grad_2d(f, grid1, grid2)
    fig_tmp, ax_tmp = plt.subplots()
    contours = ax_tmp.contour(grid1.numpy(), grid2.numpy(), values.numpy(), levels=levels)
    segments = [torch.tensor(seg) for level in contours.allsegs for seg in level if len(seg) > 1]
    plt.close(fig_tmp)
    worst, count = 0.0, 0
    for seg in segments:
        tangent = seg[1:] - seg[:-1]
        middle = (seg[1:] + seg[:-1]) / 2
        keep = tangent.norm(dim=1) > 1e-9
        tangent, middle = tangent[keep], middle[keep]
        _, g1, g2 = dlbook.value_and_grad_2d(f, middle[:, 0], middle[:, 1])
        grad = torch.stack([g1, g2], dim=1)
        ok = grad.norm(dim=1) > 1e-6
        cos = (tangent * grad).sum(1)[ok] / (tangent.norm(dim=1) * grad.norm(dim=1))[ok]
        worst = max(worst, cos.abs().max().item())
        count += int(ok.sum())
    return worst, count


cos_convex, n_convex = max_abs_cosine(convex, (-2, 2), (-2, 2), 10)
cos_nonconvex, n_nonconvex = max_abs_cosine(nonconvex, (-3, 3), (-3, 3), 14)
print(f"凸函数：{n_convex} 个等高线线段，|cos(梯度, 切线)| 最大 {cos_convex:.4f}")
print(f"非凸函数：{n_nonconvex} 个等高线线段，|cos(梯度, 切线)| 最大 {cos_nonconvex:.4f}")

# %%
# 结果
# ----
# 余弦的绝对值都很小（只剩折线近似曲线带来的误差），梯度确实与等高线正交。

print(
    f"max |cos| convex {cos_convex:.4f}, nonconvex {cos_nonconvex:.4f} "
    f"over {n_convex + n_nonconvex} contour segments"
)
