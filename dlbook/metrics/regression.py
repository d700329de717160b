"""回归的评价指标。"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

__all__ = ["log_rmse"]


def log_rmse(
    net: Callable[[torch.Tensor], torch.Tensor], features: torch.Tensor, labels: torch.Tensor
) -> float:
    r"""对数均方根误差 :math:`\sqrt{\frac{1}{n}\sum_i (\log y_i - \log \hat{y}_i)^2}`。

    房价从几万到几十万不等，差 1 万美元对便宜的房子是大错、对贵的房子是小错；取对数之后
    比较的是相对误差。预测值先截到 ``[1, +∞)``，以免对非正数取对数。

    Examples
    --------
    >>> labels = torch.tensor([[100.0], [1000.0]])
    >>> log_rmse(lambda X: X, torch.tensor([[110.0], [1100.0]]), labels)  # 都高估 10%
    0.0953...
    >>> log_rmse(lambda X: X, torch.tensor([[-5.0], [1000.0]]), labels)  # 负的预测按 1 计
    3.256...
    """
    with torch.no_grad():
        clipped = torch.clamp(net(features), min=1.0)
        mse = nn.functional.mse_loss(torch.log(clipped), torch.log(labels.reshape(clipped.shape)))
    return math.sqrt(mse.item())
