"""从零实现的激活函数。"""

from __future__ import annotations

import torch

__all__ = ["relu"]


def relu(X: torch.Tensor) -> torch.Tensor:
    """修正线性单元 :math:`\\operatorname{ReLU}(x) = \\max(x, 0)`，逐元素计算。

    Examples
    --------
    >>> relu(torch.tensor([-2.0, 0.0, 3.0]))
    tensor([0., 0., 3.])
    """
    return torch.maximum(X, torch.zeros_like(X))
