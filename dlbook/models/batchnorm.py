"""批量规范化层（从零实现的 ``BatchNorm``）与加了批量规范化的 LeNet（从零实现与简洁实现）。"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from dlbook.models.init import reset_parameters
from dlbook.ops.batchnorm import batch_norm
from dlbook.utils.checks import check_positive

__all__ = ["BatchNorm", "bn_lenet", "bn_lenet_concise", "lenet_with_norm"]


class BatchNorm(nn.Module):
    """批量规范化层：用 :func:`dlbook.ops.batchnorm.batch_norm` 计算，可用于全连接层与卷积层之后。

    γ 初始化为 1、β 初始化为 0，是可学习的参数；移动平均的均值（初值 0）与方差（初值 1）登记为
    缓冲区（buffer）：它们不是参数，优化器不会更新它们，但会随 ``.to(device)`` 移动，也写进
    ``state_dict``。训练模式（``net.train()``）用小批量统计量并更新移动平均；评估模式
    （``net.eval()``）用移动平均。

    Parameters
    ----------
    num_features : int
        全连接层的输出个数，或卷积层的输出通道数。
    num_dims : {2, 4}
        2 表示全连接层的输入 ``(批量, 特征)``，4 表示卷积层的输入 ``(批量, 通道, 高, 宽)``。
    eps : float, 默认 1e-5
        加在方差上的小常数。
    momentum : float, 默认 0.9
        移动平均中旧值的比例（笔记的约定；等价于 PyTorch 的 ``momentum=0.1``）。

    Examples
    --------
    >>> bn = BatchNorm(3, num_dims=4)
    >>> Y = bn(torch.rand(8, 3, 5, 5))
    >>> Y.shape, [name for name, _ in bn.named_parameters()], list(bn.state_dict())
    (torch.Size([8, 3, 5, 5]), ['gamma', 'beta'], ['gamma', 'beta', 'moving_mean', 'moving_var'])
    >>> bool(bn.moving_mean.abs().sum() > 0)      # 训练模式下移动平均被更新了
    True
    """

    def __init__(
        self, num_features: int, num_dims: int, *, eps: float = 1e-5, momentum: float = 0.9
    ) -> None:
        super().__init__()
        check_positive("num_features", num_features)
        if num_dims not in (2, 4):
            raise ValueError(f"num_dims 必须是 2（全连接层）或 4（卷积层），收到 {num_dims!r}")
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.eps, self.momentum = eps, momentum
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y, moving_mean, moving_var = batch_norm(
            X,
            self.gamma,
            self.beta,
            self.moving_mean,
            self.moving_var,
            eps=self.eps,
            momentum=self.momentum,
            training=self.training,
        )
        if self.training:  # 给登记过的缓冲区赋新值，它仍然是缓冲区
            self.moving_mean, self.moving_var = moving_mean, moving_var
        return Y

    def extra_repr(self) -> str:
        return f"{self.gamma.shape[1]}, num_dims={self.gamma.dim()}, eps={self.eps}, momentum={self.momentum}"


def lenet_with_norm(
    norm2d: Callable[[int], nn.Module],
    norm1d: Callable[[int], nn.Module],
    num_classes: int = 10,
    *,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """LeNet，每个卷积层和前两个全连接层之后、sigmoid 之前放一个 ``norm2d(通道数)`` 或 ``norm1d(特征数)``。

    :func:`bn_lenet` 放从零实现的 :class:`BatchNorm`，:func:`bn_lenet_concise` 放 PyTorch 的层；
    传入 ``nn.Identity`` （它忽略参数）得到结构相同、只是没有规范化的 LeNet，作对照用。
    输入 ``(批量, 1, 28, 28)``。与 :func:`dlbook.models.lenet` 不同，第一个卷积层不填充
    （28 → 24 → 池化 12 → 8 → 池化 4），展平后是 16 × 4 × 4 = 256 维。

    Examples
    --------
    >>> plain = lenet_with_norm(nn.Identity, nn.Identity)
    >>> plain(torch.zeros(4, 1, 28, 28)).shape, sum(p.numel() for p in plain.parameters())
    (torch.Size([4, 10]), 44426)
    """
    check_positive("num_classes", num_classes)
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5),
        norm2d(6),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5),
        norm2d(16),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120),
        norm1d(120),
        nn.Sigmoid(),
        nn.Linear(120, 84),
        norm1d(84),
        nn.Sigmoid(),
        nn.Linear(84, num_classes),
    )
    return reset_parameters(net, generator)


def bn_lenet(num_classes: int = 10, *, generator: torch.Generator | None = None) -> nn.Sequential:
    """在 LeNet 的每个卷积层和前两个全连接层之后、sigmoid 之前加上从零实现的 :class:`BatchNorm`
    （:func:`lenet_with_norm`）。

    Examples
    --------
    >>> net = bn_lenet()
    >>> net(torch.zeros(4, 1, 28, 28)).shape
    torch.Size([4, 10])
    >>> sum(isinstance(m, BatchNorm) for m in net)
    4
    """
    return lenet_with_norm(
        lambda c: BatchNorm(c, num_dims=4),
        lambda c: BatchNorm(c, num_dims=2),
        num_classes,
        generator=generator,
    )


def bn_lenet_concise(
    num_classes: int = 10, *, generator: torch.Generator | None = None
) -> nn.Sequential:
    """与 :func:`bn_lenet` 相同的网络，批量规范化换成 PyTorch 的 ``nn.BatchNorm2d`` 与 ``nn.BatchNorm1d``。

    Examples
    --------
    >>> net = bn_lenet_concise()
    >>> net(torch.zeros(4, 1, 28, 28)).shape
    torch.Size([4, 10])
    >>> [type(m).__name__ for m in net if "BatchNorm" in type(m).__name__]
    ['BatchNorm2d', 'BatchNorm2d', 'BatchNorm1d', 'BatchNorm1d']
    """
    return lenet_with_norm(nn.BatchNorm2d, nn.BatchNorm1d, num_classes, generator=generator)
