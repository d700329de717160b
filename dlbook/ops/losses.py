"""回归的三种逐元素损失：L2、L1 与 Huber 鲁棒损失。

对一个样本，记预测值为 :math:`y'`、真实值为 :math:`y`、误差 :math:`d = y' - y`：

- L2 损失 :math:`\\frac{1}{2} d^2`，梯度 :math:`d`：离真实值越远，梯度越大；
- L1 损失 :math:`|d|`，梯度 :math:`\\operatorname{sign}(d)`：大小恒为 1，在 0 处不可导；
- Huber 损失：:math:`|d| \\le 1` 时是 :math:`\\frac{1}{2} d^2`，否则是 :math:`|d| - \\frac{1}{2}`，
  梯度在中间像 L2、在两侧像 L1。

画出它们的函数在 :mod:`dlbook.diagrams.losses`。
"""

from __future__ import annotations

import torch

__all__ = ["l2_loss", "l1_loss", "huber_loss"]


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
