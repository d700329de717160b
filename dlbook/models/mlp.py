"""多层感知机（第 3 章）：单隐藏层 MLP 与带暂退法（dropout）的双隐藏层 MLP。

与 :mod:`dlbook.models.linear` 一样，每种网络有一个 ``nn.Sequential`` 工厂函数（简洁实现）
和一个手写 ``forward`` 的 ``nn.Module`` 子类（从零实现）。所有网络都输出未归一化的得分
（logits），配合 ``nn.CrossEntropyLoss`` 训练。
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.init import init_normal, reset_parameters
from dlbook.ops.activations import relu
from dlbook.ops.regularization import dropout_layer
from dlbook.utils.checks import check_positive, check_probability

__all__ = ["mlp", "MLPScratch", "dropout_mlp", "DropoutMLPScratch"]


def mlp(
    num_inputs: int = 784,
    num_hiddens: int = 256,
    num_outputs: int = 10,
    *,
    sigma: float = 0.01,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """单隐藏层多层感知机的简洁实现：784 → 256（ReLU）→ 10。

    Examples
    --------
    >>> net = mlp(generator=torch.Generator().manual_seed(0))
    >>> net
    Sequential(
      (0): Flatten(start_dim=1, end_dim=-1)
      (1): Linear(in_features=784, out_features=256, bias=True)
      (2): ReLU()
      (3): Linear(in_features=256, out_features=10, bias=True)
    )
    >>> net(torch.zeros(3, 1, 28, 28)).shape
    torch.Size([3, 10])
    """
    for name, value in [("num_inputs", num_inputs), ("num_hiddens", num_hiddens)]:
        check_positive(name, value)
    check_positive("num_outputs", num_outputs)
    net = nn.Sequential(
        nn.Flatten(),
        nn.Linear(num_inputs, num_hiddens),
        nn.ReLU(),
        nn.Linear(num_hiddens, num_outputs),
    )
    for layer in net:
        init_normal(layer, sigma, generator)
    return net


class MLPScratch(nn.Module):
    r"""单隐藏层多层感知机的从零实现：:math:`\mathbf{O} = \mathrm{ReLU}(\mathbf{X}\mathbf{W}_1 + \mathbf{b}_1)\mathbf{W}_2 + \mathbf{b}_2`。

    四个参数都是 ``nn.Parameter``，所以 ``net.parameters()`` 能找到它们，可以直接交给
    ``torch.optim.SGD`` 或训练循环。激活函数用的是手写的 :func:`dlbook.relu`。

    Examples
    --------
    >>> net = MLPScratch(generator=torch.Generator().manual_seed(0))
    >>> [(name, tuple(p.shape)) for name, p in net.named_parameters()]
    [('W1', (784, 256)), ('b1', (256,)), ('W2', (256, 10)), ('b2', (10,))]
    >>> net(torch.rand(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        num_inputs: int = 784,
        num_hiddens: int = 256,
        num_outputs: int = 10,
        *,
        sigma: float = 0.01,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        for name, value in [("num_inputs", num_inputs), ("num_hiddens", num_hiddens)]:
            check_positive(name, value)
        check_positive("num_outputs", num_outputs)
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, generator=generator) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, generator=generator) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = X.reshape(-1, self.W1.shape[0])
        H = relu(X @ self.W1 + self.b1)  # 隐藏层
        return H @ self.W2 + self.b2  # 输出层不加激活，交给损失函数


def dropout_mlp(
    num_inputs: int = 784,
    num_hiddens1: int = 256,
    num_hiddens2: int = 256,
    num_outputs: int = 10,
    dropout1: float = 0.2,
    dropout2: float = 0.5,
    *,
    sigma: float = 0.01,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """带暂退法的双隐藏层 MLP 的简洁实现：每个隐藏层的 ReLU 之后接一个 ``nn.Dropout``。

    ``nn.Dropout`` 只在训练模式（``net.train()``）下丢弃；``net.eval()`` 之后它什么也不做。

    Examples
    --------
    >>> net = dropout_mlp(generator=torch.Generator().manual_seed(0))
    >>> [type(m).__name__ for m in net]
    ['Flatten', 'Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear']
    >>> net[3].p, net[6].p
    (0.2, 0.5)
    """
    for name, value in [
        ("num_inputs", num_inputs),
        ("num_hiddens1", num_hiddens1),
        ("num_hiddens2", num_hiddens2),
        ("num_outputs", num_outputs),
    ]:
        check_positive(name, value)
    check_probability("dropout1", dropout1)
    check_probability("dropout2", dropout2)
    net = nn.Sequential(
        nn.Flatten(),
        nn.Linear(num_inputs, num_hiddens1),
        nn.ReLU(),
        nn.Dropout(dropout1),
        nn.Linear(num_hiddens1, num_hiddens2),
        nn.ReLU(),
        nn.Dropout(dropout2),
        nn.Linear(num_hiddens2, num_outputs),
    )
    for layer in net:
        init_normal(layer, sigma, generator)
    return net


class DropoutMLPScratch(nn.Module):
    """带暂退法的双隐藏层 MLP 的从零实现，暂退用手写的 :func:`dlbook.dropout_layer`。

    全连接层用 ``nn.Linear``，按 PyTorch 的默认方式初始化（权重与偏置都服从
    :math:`U(-1/\\sqrt{n_{in}}, 1/\\sqrt{n_{in}})`）；给出 ``generator`` 时用它抽取这些初值，
    丢弃掩码也从它抽取，整个训练因此可以复现。只有 ``self.training`` 为真（``net.train()``）
    时才丢弃，评估时（``net.eval()``）网络是确定的。

    Examples
    --------
    >>> net = DropoutMLPScratch(generator=torch.Generator().manual_seed(0))
    >>> X = torch.rand(2, 1, 28, 28)
    >>> _ = net.eval()
    >>> bool(torch.equal(net(X), net(X)))   # 评估模式下不丢弃，输出确定
    True
    >>> _ = net.train()
    >>> bool(torch.equal(net(X), net(X)))   # 训练模式下每次的掩码不同
    False
    """

    def __init__(
        self,
        num_inputs: int = 784,
        num_hiddens1: int = 256,
        num_hiddens2: int = 256,
        num_outputs: int = 10,
        dropout1: float = 0.2,
        dropout2: float = 0.5,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        for name, value in [
            ("num_inputs", num_inputs),
            ("num_hiddens1", num_hiddens1),
            ("num_hiddens2", num_hiddens2),
            ("num_outputs", num_outputs),
        ]:
            check_positive(name, value)
        check_probability("dropout1", dropout1)
        check_probability("dropout2", dropout2)
        self.num_inputs = num_inputs
        self.dropout1, self.dropout2 = dropout1, dropout2
        self.generator = generator
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        reset_parameters(self, generator)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        H1 = relu(self.lin1(X.reshape(-1, self.num_inputs)))
        if self.training:  # 只在训练时丢弃
            H1 = dropout_layer(H1, self.dropout1, generator=self.generator)
        H2 = relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, self.dropout2, generator=self.generator)
        return self.lin3(H2)
