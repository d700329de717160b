"""线性模型：线性回归与 softmax 回归（第 2 章）。

每种模型有两种写法：

- “简洁实现”是返回 ``nn.Sequential`` 的工厂函数，由 PyTorch 的层拼成；
- “从零实现”是一个小小的 ``nn.Module`` 子类：参数用 ``nn.Parameter`` 保存，
  ``forward`` 只用张量运算和 :mod:`dlbook.ops` 中手写的算子。

两种写法都按笔记的方式初始化（权重服从 :math:`N(0, 0.01^2)`，偏置为 0），并接受一个可选的
``torch.Generator``，使初始化可以复现。
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from dlbook.ops.basic import softmax
from dlbook.utils.checks import check_positive, init_normal

__all__ = [
    "linear_regression",
    "softmax_regression",
    "SoftmaxRegressionScratch",
    "train_perceptron",
]


def linear_regression(
    num_inputs: int, *, sigma: float = 0.01, generator: torch.Generator | None = None
) -> nn.Sequential:
    """线性回归的简洁实现：只有一个 ``nn.Linear(num_inputs, 1)`` 层。

    Parameters
    ----------
    num_inputs : int
        特征个数。
    sigma : float
        权重初始化的标准差（笔记用 0.01）。
    generator : torch.Generator, optional
        初始化用的随机数生成器。

    Examples
    --------
    >>> net = linear_regression(2, generator=torch.Generator().manual_seed(0))
    >>> net
    Sequential(
      (0): Linear(in_features=2, out_features=1, bias=True)
    )
    >>> net(torch.ones(5, 2)).shape
    torch.Size([5, 1])
    >>> net[0].bias.data
    tensor([0.])
    """
    check_positive("num_inputs", num_inputs)
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    init_normal(net[0], sigma, generator)
    return net


def softmax_regression(
    num_inputs: int = 784,
    num_outputs: int = 10,
    *,
    sigma: float = 0.01,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """softmax 回归的简洁实现：``Flatten`` 把图像展平，再接一个全连接层。

    网络输出的是未归一化的得分（logits），softmax 留给损失函数
    ``nn.CrossEntropyLoss``：它把 softmax 与取对数合在一起算，数值上更稳定。

    Examples
    --------
    >>> net = softmax_regression(generator=torch.Generator().manual_seed(0))
    >>> net
    Sequential(
      (0): Flatten(start_dim=1, end_dim=-1)
      (1): Linear(in_features=784, out_features=10, bias=True)
    )
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    check_positive("num_inputs", num_inputs)
    check_positive("num_outputs", num_outputs)
    net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_outputs))
    init_normal(net[1], sigma, generator)
    return net


class SoftmaxRegressionScratch(nn.Module):
    r"""softmax 回归的从零实现：:math:`\hat{\mathbf{Y}} = \mathrm{softmax}(\mathbf{X}\mathbf{W} + \mathbf{b})`。

    与 :func:`softmax_regression` 不同，``forward`` 返回的已经是**概率**（每行和为 1），
    所以要配合手写的 :func:`dlbook.cross_entropy` 使用，而不是 ``nn.CrossEntropyLoss``。

    Parameters
    ----------
    num_inputs : int
        每个样本展平后的长度（28×28 的图像是 784）。
    num_outputs : int
        类别数。
    sigma : float
        权重初始化的标准差。
    generator : torch.Generator, optional
        初始化用的随机数生成器。

    Examples
    --------
    >>> net = SoftmaxRegressionScratch(generator=torch.Generator().manual_seed(0))
    >>> [(name, tuple(p.shape)) for name, p in net.named_parameters()]
    [('W', (784, 10)), ('b', (10,))]
    >>> P = net(torch.rand(4, 1, 28, 28))
    >>> P.shape, bool(torch.allclose(P.sum(dim=1), torch.ones(4)))
    (torch.Size([4, 10]), True)
    """

    def __init__(
        self,
        num_inputs: int = 784,
        num_outputs: int = 10,
        *,
        sigma: float = 0.01,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        check_positive("num_inputs", num_inputs)
        check_positive("num_outputs", num_outputs)
        self.W = nn.Parameter(torch.randn(num_inputs, num_outputs, generator=generator) * sigma)
        self.b = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = X.reshape(-1, self.W.shape[0])  # 把每张图像展平成长度 784 的行向量
        return softmax(X @ self.W + self.b)


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
