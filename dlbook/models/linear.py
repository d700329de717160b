"""线性模型：线性回归与 softmax 回归（第 2 章）。

每种模型有两种写法：

- “简洁实现”是返回 ``nn.Sequential`` 的工厂函数，由 PyTorch 的层拼成；
- “从零实现”是一个小小的 ``nn.Module`` 子类：参数用 ``nn.Parameter`` 保存，
  ``forward`` 只用张量运算和 :mod:`dlbook.ops` 中手写的算子。

两种写法都按笔记的方式初始化（权重服从 :math:`N(0, 0.01^2)`，偏置为 0），并接受一个可选的
``torch.Generator``，使初始化可以复现。
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.init import init_normal
from dlbook.ops.basic import softmax
from dlbook.utils.checks import check_positive

__all__ = [
    "linear_regression",
    "softmax_regression",
    "SoftmaxRegressionScratch",
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
