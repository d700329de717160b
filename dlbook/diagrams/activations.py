"""激活函数与它们的导数：画出 ReLU、sigmoid、tanh 以及用自动微分算出的导数。"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from dlbook.ops.activations import relu
from dlbook.plotting.figures import set_axes, use_book_style

__all__ = ["ACTIVATIONS", "activation_and_derivative", "plot_activations"]

#: 名字到激活函数的映射；ReLU 用的是手写的 :func:`dlbook.relu`。
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def activation_and_derivative(
    f: Callable[[torch.Tensor], torch.Tensor] | str, x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """计算激活函数 ``f`` 在每个 ``x`` 处的值与导数（导数由自动微分得到）。

    ``f`` 可以是函数，也可以是 :data:`ACTIVATIONS` 中的名字。

    Examples
    --------
    >>> y, dy = activation_and_derivative("sigmoid", torch.tensor([0.0]))
    >>> y, dy     # sigmoid'(x) = sigmoid(x)(1 - sigmoid(x))
    (tensor([0.5000]), tensor([0.2500]))
    >>> activation_and_derivative("relu", torch.tensor([-1.0, 2.0]))[1]
    tensor([0., 1.])
    """
    if isinstance(f, str):
        if f not in ACTIVATIONS:
            raise ValueError(f"未知的激活函数 {f!r}，可选 {sorted(ACTIVATIONS)}")
        f = ACTIVATIONS[f]
    x = x.detach().clone().requires_grad_(True)
    y = f(x)
    y.sum().backward()  # 逐元素的函数：和的梯度就是每个元素的导数
    return y.detach(), x.grad


def plot_activations(
    names: Sequence[str] = ("relu", "sigmoid", "tanh"),
    x: torch.Tensor | None = None,
    *,
    scale: float = 2.4,
) -> np.ndarray:
    """上一行画激活函数，下一行画它的导数；返回形状 ``(2, len(names))`` 的 ``Axes`` 数组。

    Examples
    --------
    >>> axes = plot_activations()
    >>> axes.shape, axes[0, 1].get_title()
    ((2, 3), 'sigmoid(x)')
    >>> plt.close("all")
    """
    use_book_style()
    if x is None:
        x = torch.arange(-8.0, 8.0, 0.1)
    fig, axes = plt.subplots(
        2, len(names), figsize=(len(names) * scale, 2 * scale * 0.8), squeeze=False
    )
    for j, name in enumerate(names):
        y, dy = activation_and_derivative(name, x)
        axes[0, j].plot(x.numpy(), y.numpy(), "C0-")
        axes[1, j].plot(x.numpy(), dy.numpy(), "C1-")
        axes[0, j].set_title(f"{name}(x)")
        axes[1, j].set_title(f"{name}'(x)")
        set_axes(axes[0, j])
        set_axes(axes[1, j], xlabel="x")
    fig.tight_layout()
    return axes
