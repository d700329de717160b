"""第 4 章“深度学习计算”用来讲解的块与层，以及几个演示用的参数初始化函数
（书中模型用的 ``init_normal`` 在 :mod:`dlbook.models.init`）。

这些类都很小：每一个只演示 ``nn.Module`` 的一个用法——自定义 ``forward``、
手写的顺序容器、前向传播里的控制流、嵌套、无参数的层与带参数的层。
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "MLP",
    "MySequential",
    "FixedHiddenMLP",
    "NestMLP",
    "CenteredLayer",
    "MyLinear",
    "linear_relu_block",
    "stacked_blocks",
    "init_constant",
    "init_xavier",
    "init_uniform_keep_large",
]


class MLP(nn.Module):
    """自定义块：一个 20 → 256 → 10 的多层感知机，只需写 ``__init__`` 和 ``forward``。

    Examples
    --------
    >>> net = MLP()
    >>> net(torch.rand(2, 20)).shape
    torch.Size([2, 10])
    """

    def __init__(self) -> None:
        super().__init__()  # 先让父类 nn.Module 完成参数、子模块登记表等的初始化
        self.hidden = nn.Linear(20, 256)  # 赋值给属性即自动登记为子模块
        self.out = nn.Linear(256, 10)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.hidden(X)))


class MySequential(nn.Module):
    """手写的顺序容器：按传入的顺序登记子模块，前向传播时依次调用它们。

    Examples
    --------
    >>> net = MySequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
    >>> [name for name, _ in net.named_children()]
    ['0', '1', '2']
    >>> net(torch.rand(2, 20)).shape
    torch.Size([2, 10])
    """

    def __init__(self, *modules: nn.Module) -> None:
        super().__init__()
        for idx, module in enumerate(modules):
            if not isinstance(module, nn.Module):
                raise TypeError(f"第 {idx} 个参数必须是 nn.Module，收到 {type(module).__name__}")
            # add_module 把子模块放进有序字典 self._modules，键必须是字符串；
            # 这样 parameters()、to(device)、state_dict() 才能找到它们。
            self.add_module(str(idx), module)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        for module in self._modules.values():  # 字典保持插入顺序
            X = module(X)
        return X


class FixedHiddenMLP(nn.Module):
    """前向传播里既有不参与训练的常数权重，也有 Python 控制流。

    ``rand_weight`` 登记为非持久的缓冲区（buffer）：它不是参数，不会被优化器更新，
    也不写进 ``state_dict``，但会随 ``.to(device)`` 一起搬到新设备上。

    Examples
    --------
    >>> net = FixedHiddenMLP()
    >>> len(list(net.parameters())), net.rand_weight.requires_grad
    (2, False)
    >>> net(torch.rand(2, 20)).shape  # 输出是一个标量
    torch.Size([])
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(20, 20), persistent=False)
        self.linear = nn.Linear(20, 20)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)  # 同一层用了两次：两次共享同一组参数
        while X.abs().sum() > 1:  # 控制流：反复减半，直到 L1 范数不超过 1
            X = X / 2
        return X.sum()


class NestMLP(nn.Module):
    """嵌套块：块里有一个 ``nn.Sequential``，外面再接一层，20 → 64 → 32 → 16。

    Examples
    --------
    >>> chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())
    >>> chimera(torch.rand(2, 20)).shape
    torch.Size([])
    """

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.linear(self.net(X))


class CenteredLayer(nn.Module):
    """不带参数的层：从输入中减去它的均值，使输出均值为 0。

    Examples
    --------
    >>> CenteredLayer()(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    tensor([-2., -1.,  0.,  1.,  2.])
    """

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return X - X.mean()


class MyLinear(nn.Module):
    """带参数的层：全连接加 ReLU，权重和偏置都用 ``nn.Parameter`` 包装，从标准正态分布初始化。

    ``forward`` 直接使用参数本身（而不是 ``.data``），梯度才能传回权重。

    Parameters
    ----------
    in_units : int
        输入特征数。
    units : int
        输出特征数。

    Examples
    --------
    >>> dense = MyLinear(5, 3)
    >>> dense.weight.shape, dense.bias.shape
    (torch.Size([5, 3]), torch.Size([3]))
    >>> bool((dense(torch.rand(2, 5)) >= 0).all())
    True
    """

    def __init__(self, in_units: int, units: int) -> None:
        super().__init__()
        if in_units < 1 or units < 1:
            raise ValueError(f"in_units 与 units 必须为正整数，收到 {in_units} 与 {units}")
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return F.relu(X @ self.weight + self.bias)


def linear_relu_block() -> nn.Sequential:
    """一个小块：4 → 8 → 4，每个全连接层后接 ReLU。

    Examples
    --------
    >>> linear_relu_block()(torch.rand(2, 4)).shape
    torch.Size([2, 4])
    """
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())


def tied_mlp() -> nn.Sequential:
    """4 → 8 → 8 → 8 → 1 的多层感知机，中间两个 8 → 8 的全连接层是**同一个**层（参数绑定）。

    Examples
    --------
    >>> net = tied_mlp()
    >>> net[2] is net[4], len(list(net.parameters()))
    (True, 6)
    """
    shared = nn.Linear(8, 8)
    return nn.Sequential(
        nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1)
    )


def stacked_blocks(num_blocks: int = 4) -> nn.Sequential:
    """把 ``num_blocks`` 个 :func:`linear_relu_block` 用 ``add_module`` 依次放进一个容器，
    子模块名为 ``'block 0'``、``'block 1'``……

    Examples
    --------
    >>> net = stacked_blocks(2)
    >>> [name for name, _ in net.named_children()]
    ['block 0', 'block 1']
    """
    if num_blocks < 1:
        raise ValueError(f"num_blocks 必须 ≥ 1，收到 {num_blocks}")
    net = nn.Sequential()
    for i in range(num_blocks):
        net.add_module(f"block {i}", linear_relu_block())
    return net


def init_constant(m: nn.Module) -> None:
    """全连接层：权重全为 1，偏置为 0（只为演示；这样的网络各神经元完全对称，学不到东西）。

    Examples
    --------
    >>> layer = nn.Linear(2, 2)
    >>> init_constant(layer)
    >>> layer.weight
    Parameter containing:
    tensor([[1., 1.],
            [1., 1.]], requires_grad=True)
    """
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 1.0)
        nn.init.zeros_(m.bias)


def init_xavier(m: nn.Module) -> None:
    """全连接层与卷积层：权重用 Xavier 均匀分布初始化，偏置不动。

    Examples
    --------
    >>> layer = nn.Linear(4, 8)
    >>> init_xavier(layer)
    >>> bound = (6 / (4 + 8)) ** 0.5
    >>> bool(layer.weight.abs().max() <= bound)
    True
    """
    if isinstance(m, nn.Linear | nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)


def init_uniform_keep_large(m: nn.Module) -> None:
    """自定义初始化：权重先取 U(-10, 10)，再把绝对值小于 5 的置 0，只保留 ``|w| ≥ 5`` 的。

    Examples
    --------
    >>> layer = nn.Linear(4, 8)
    >>> init_uniform_keep_large(layer)
    >>> w = layer.weight.detach()
    >>> bool(((w == 0) | (w.abs() >= 5)).all())
    True
    """
    if isinstance(m, nn.Linear):
        with torch.no_grad():
            nn.init.uniform_(m.weight, -10.0, 10.0)
            m.weight *= m.weight.abs() >= 5  # 布尔掩码当作 0/1 相乘
