"""LeNet（LeNet-5）：两个卷积块加三个全连接层，使用 sigmoid 激活与平均池化（或 ReLU 与最大池化）。"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.init import reset_parameters

__all__ = ["lenet"]


def lenet(
    num_classes: int = 10, *, modern: bool = False, generator: torch.Generator | None = None
) -> nn.Sequential:
    """LeNet-5，输入为 ``(批量, 1, 28, 28)`` 的灰度图（例如 Fashion-MNIST）。

    原始 LeNet 的输入是 32×32；这里第一个卷积层四周各填充 2，使 28×28 的输入得到
    与原网络相同的 28×28 输出，后面的层便与原网络一致：

    - 卷积 5×5，6 个输出通道，填充 2：6 × 28 × 28
    - 平均池化 2×2，步幅 2：6 × 14 × 14
    - 卷积 5×5，16 个输出通道：16 × 10 × 10
    - 平均池化 2×2，步幅 2：16 × 5 × 5
    - 展平后全连接 400 → 120，120 → 84，84 → ``num_classes``

    每个卷积层和前两个全连接层之后接 sigmoid。输出是未归一化的对数几率（logits），
    交给 ``nn.CrossEntropyLoss``。``modern=True`` 时激活换成 ReLU、平均池化换成最大池化，
    这是 D2L 在学习率调度器一节训练的版本。

    Parameters
    ----------
    num_classes : int, 默认 10
        类别数。
    modern : bool, 默认 False
        是否用 ReLU 与最大池化代替 sigmoid 与平均池化。
    generator : torch.Generator, optional
        给出时，用它重新抽取所有卷积层与全连接层的权重和偏置，分布与 PyTorch 的默认初始化相同
        （:math:`U(-1/\\sqrt{n_{in}}, 1/\\sqrt{n_{in}})`，:math:`n_{in}` 为每个输出单元的输入个数），
        使模型的初值可以复现而不依赖全局随机数状态。

    Examples
    --------
    >>> import torch
    >>> net = lenet()
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> sum(p.numel() for p in net.parameters())
    61706
    >>> lenet(modern=True)[1:3]
    Sequential(
      (1): ReLU()
      (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    )
    >>> a = lenet(generator=torch.Generator().manual_seed(0))
    >>> b = lenet(generator=torch.Generator().manual_seed(0))
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    if num_classes < 1:
        raise ValueError(f"num_classes 必须为正整数，收到 {num_classes}")
    act, pool = (nn.ReLU, nn.MaxPool2d) if modern else (nn.Sigmoid, nn.AvgPool2d)
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),
        act(),
        pool(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5),
        act(),
        pool(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        act(),
        nn.Linear(120, 84),
        act(),
        nn.Linear(84, num_classes),
    )
    return reset_parameters(net, generator)
