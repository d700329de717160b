"""回归的三种损失：L2、L1 与 Huber 鲁棒损失，以及画出它们、它们的梯度与似然的函数。

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

from ..plot import set_axes, use_book_style

__all__ = ["l2_loss", "l1_loss", "huber_loss", "loss_and_gradient", "plot_regression_losses"]


def l2_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """逐元素的 L2 损失 :math:`\\frac{1}{2}(y' - y)^2`。

    Examples
    --------
    >>> l2_loss(torch.tensor([0.0, 3.0]), torch.tensor([1.0, 1.0]))
    tensor([0.5000, 2.0000])
    """
    return (y_hat - y) ** 2 / 2


def l1_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """逐元素的 L1 损失 :math:`|y' - y|`。

    Examples
    --------
    >>> l1_loss(torch.tensor([0.0, 3.0]), torch.tensor([1.0, 1.0]))
    tensor([1., 2.])
    """
    return (y_hat - y).abs()


def huber_loss(y_hat: torch.Tensor, y: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """逐元素的 Huber 鲁棒损失：误差小时像 L2，误差大时像 L1。

    .. math::
        l(y, y') = \\begin{cases}
        \\delta\\,(|y - y'| - \\delta / 2) & |y - y'| > \\delta \\\\
        \\frac{1}{2}(y - y')^2 & \\text{其他}
        \\end{cases}

    两段在 :math:`|y - y'| = \\delta` 处数值与导数都相接，所以它处处可导，又不像 L2 那样被离群点
    拉偏。与 ``torch.nn.functional.huber_loss(reduction="none")`` 相同。

    Examples
    --------
    >>> huber_loss(torch.tensor([0.5, 3.0, -2.0]), torch.tensor([0.0, 0.0, 0.0]))
    tensor([0.1250, 2.5000, 1.5000])
    """
    if not delta > 0:
        raise ValueError(f"delta 必须为正数，收到 {delta!r}")
    d = (y_hat - y).abs()
    return torch.where(d > delta, delta * (d - delta / 2), d**2 / 2)


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
