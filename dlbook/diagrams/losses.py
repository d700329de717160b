"""画出回归的三种损失（见 :mod:`dlbook.ops.losses`）、它们的梯度与似然。

对一个样本，记预测值为 :math:`y'`、真实值为 :math:`y`、误差 :math:`d = y' - y`：

- L2 损失 :math:`\\frac{1}{2} d^2`，梯度 :math:`d`：离真实值越远，梯度越大；
- L1 损失 :math:`|d|`，梯度 :math:`\\operatorname{sign}(d)`：大小恒为 1，在 0 处不可导；
- Huber 损失：:math:`|d| \\le 1` 时是 :math:`\\frac{1}{2} d^2`，否则是 :math:`|d| - \\frac{1}{2}`，
  梯度在中间像 L2、在两侧像 L1。

把损失看成负对数似然，:math:`e^{-l}` 就是（未归一化的）似然：L2 对应高斯分布，L1 对应拉普拉斯分布。
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import torch

from dlbook.ops.losses import huber_loss, l1_loss, l2_loss
from dlbook.plotting.figures import set_axes, use_book_style

__all__ = ["loss_and_gradient", "plot_regression_losses"]


def loss_and_gradient(
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], d: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """在真实值 :math:`y = 0` 处，对每个误差 ``d`` 计算损失 :math:`l(d, 0)` 及其梯度（自动微分）。

    Examples
    --------
    >>> l, g = loss_and_gradient(l2_loss, torch.tensor([-2.0, 0.5]))
    >>> l, g
    (tensor([2.0000, 0.1250]), tensor([-2.0000,  0.5000]))
    """
    y_hat = d.detach().clone().requires_grad_(True)
    value = loss(y_hat, torch.zeros_like(y_hat))
    value.sum().backward()  # 逐元素独立，和的梯度就是每个元素的梯度
    return value.detach(), y_hat.grad


def plot_regression_losses(d: torch.Tensor | None = None, *, scale: float = 2.6) -> np.ndarray:
    """把 L2、L1、Huber 三种损失画成一行三幅图：每幅图有损失、似然 :math:`e^{-l}` 与梯度三条线。

    横轴是误差 :math:`y' - y`，真实值取 0。返回 ``Axes`` 数组。

    Examples
    --------
    >>> axes = plot_regression_losses()
    >>> [ax.get_title() for ax in axes]
    ['L2 损失', 'L1 损失', 'Huber 损失']
    >>> plt.close("all")
    """
    use_book_style()
    if d is None:
        d = torch.linspace(-3, 3, 301)
    losses = [("L2 损失", l2_loss), ("L1 损失", l1_loss), ("Huber 损失", huber_loss)]
    fig, axes = plt.subplots(1, len(losses), figsize=(len(losses) * scale * 1.15, scale))
    x = d.numpy()
    for ax, (title, fn) in zip(axes, losses):
        value, grad = loss_and_gradient(fn, d)
        ax.plot(x, value.numpy(), "C0-", label="损失 $l$")
        ax.plot(x, torch.exp(-value).numpy(), "C2--", label="似然 $e^{-l}$")
        ax.plot(x, grad.numpy(), "C1-.", label="梯度 $\\partial l / \\partial y'$")
        set_axes(ax, xlabel="$y' - y$", ylim=(-3.2, 4.6))
        ax.set_title(title)
    axes[0].legend(loc="upper center", fontsize="small")
    fig.tight_layout()
    return axes
