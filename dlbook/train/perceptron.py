"""感知机的训练算法（第 3 章）：遇到分错的样本就把它“加”到权重上。"""

from __future__ import annotations

from typing import NamedTuple

import torch

from dlbook.utils.checks import check_positive

__all__ = ["PerceptronResult", "train_perceptron"]


class PerceptronResult(NamedTuple):
    """:func:`train_perceptron` 的结果。"""

    w: torch.Tensor
    b: float
    num_updates: int
    converged: bool


def train_perceptron(X: torch.Tensor, y: torch.Tensor, max_epochs: int = 100) -> PerceptronResult:
    r"""感知机算法：遇到分错的样本就把它“加”到权重上，直到一轮中没有分错的样本。

    标签取 :math:`\pm 1`，模型是 :math:`o = \operatorname{sign}(\langle \mathbf{w}, \mathbf{x} \rangle + b)`。
    对样本 :math:`(\mathbf{x}_i, y_i)`，若 :math:`y_i(\langle \mathbf{w}, \mathbf{x}_i \rangle + b) \le 0`
    （分错或恰在分界线上），就更新 :math:`\mathbf{w} \leftarrow \mathbf{w} + y_i \mathbf{x}_i`、
    :math:`b \leftarrow b + y_i`。这等价于批量大小为 1、学习率为 1 的随机梯度下降，
    损失为 :math:`\max(0, -y\langle \mathbf{w}, \mathbf{x} \rangle)`。

    Parameters
    ----------
    X : torch.Tensor
        形状 ``(n, d)`` 的样本，按给定顺序逐个处理。
    y : torch.Tensor
        形状 ``(n,)`` 的标签，取值 ``+1`` 或 ``-1``。
    max_epochs : int
        最多遍历数据的轮数；数据线性不可分（如异或）时算法永不停止，到此为止。

    Returns
    -------
    PerceptronResult
        权重、偏置、更新次数，以及是否在 ``max_epochs`` 轮内收敛（某一轮没有分错的样本）。

    Examples
    --------
    >>> X = torch.tensor([[2.0, 1.0], [1.0, 3.0], [-1.0, -1.0], [-2.0, 0.5]])
    >>> y = torch.tensor([1, 1, -1, -1])
    >>> result = train_perceptron(X, y)
    >>> result.converged, torch.sign(X @ result.w + result.b).tolist()
    (True, [1.0, 1.0, -1.0, -1.0])
    >>> xor = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> train_perceptron(xor, torch.tensor([-1, -1, 1, 1]), max_epochs=50).converged
    False
    """
    if X.dim() != 2 or y.dim() != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X 应为 (n, d)、y 应为 (n,)，收到 {tuple(X.shape)} 与 {tuple(y.shape)}")
    if not bool(((y == 1) | (y == -1)).all()):
        raise ValueError("y 的取值必须是 +1 或 -1")
    check_positive("max_epochs", max_epochs)
    X = X.to(torch.float32)
    w, b, num_updates = torch.zeros(X.shape[1]), 0.0, 0
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y.tolist()):
            if y_i * (float(x_i @ w) + b) <= 0:
                w = w + y_i * x_i
                b += y_i
                mistakes += 1
        num_updates += mistakes
        if mistakes == 0:
            return PerceptronResult(w, b, num_updates, True)
    return PerceptronResult(w, b, num_updates, False)
