"""第 3 章的回归实验：多项式拟合（模型容量）与权重衰减。

页面、画廊示例与实验登记表（``python -m dlbook run``）都调用这里的函数，训练过程只写一次。
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

from dlbook.data import load_array
from dlbook.ops.basic import linreg, sgd, squared_loss
from dlbook.ops.regularization import l2_penalty
from dlbook.train.loop import History
from dlbook.train.trainer import train_regression
from dlbook.utils.seeding import init_seed as default_init_seed

__all__ = ["train_polynomial", "train_weight_decay_scratch", "train_weight_decay_concise"]


def train_polynomial(
    num_features: int,
    train_features: torch.Tensor,
    test_features: torch.Tensor,
    train_labels: torch.Tensor,
    test_labels: torch.Tensor,
    *,
    num_epochs: int,
    lr: float,
    batch_size: int,
    seed: int = 0,
    init_seed: int | None = None,
    **train_kwargs: Any,
) -> tuple[nn.Module, History]:
    """只用前 ``num_features`` 个多项式特征，训练一个无偏置的线性模型。

    常数项 :math:`x^0/0! = 1` 已在特征里，所以线性层不要偏置。损失为均方误差，优化器为 SGD；
    ``seed`` 决定小批量顺序，``init_seed`` 决定初始权重（默认 :func:`dlbook.utils.seeding.init_seed` ``(seed)``）。其余关键字参数交给
    :func:`dlbook.train_regression` （例如 ``plot``、``verbose``、``device``）。

    Examples
    --------
    >>> from dlbook.data import polynomial_data
    >>> data = polynomial_data([5, 1.2, -3.4, 5.6], seed=0)
    >>> net, history = train_polynomial(
    ...     4, *data, num_epochs=2, lr=0.01, batch_size=10, plot=False, verbose=False)
    >>> net[0].weight.shape, len(history)
    (torch.Size([1, 4]), 2)
    """
    k = num_features
    if init_seed is None:
        init_seed = default_init_seed(seed)
    torch.manual_seed(init_seed)  # nn.Linear 的默认初始化用全局随机数生成器
    net = nn.Sequential(nn.Linear(k, 1, bias=False))
    batch_size = min(batch_size, train_labels.shape[0])
    train_iter = load_array((train_features[:, :k], train_labels), batch_size, seed=seed)
    # 测试集只用来评估，一次算完整个测试集（与按小批量评估的平均损失相同，只是快得多）
    n_test = test_labels.shape[0]
    test_iter = load_array((test_features[:, :k], test_labels), n_test, shuffle=False)
    history = train_regression(
        net,
        train_iter,
        test_iter,
        num_epochs,
        loss=nn.MSELoss(reduction="none"),
        lr=lr,
        ylim=(1e-3, 1e2),
        **train_kwargs,
    )
    return net, history


def train_weight_decay_scratch(
    lambd: float,
    train_iter: Iterable[Any],
    test_iter: Iterable[Any],
    num_inputs: int,
    *,
    lr: float,
    num_epochs: int,
    init_seed: int | None = None,
    **train_kwargs: Any,
) -> tuple[torch.Tensor, History]:
    """从零实现的权重衰减：在每个样本的平方损失上加 ``lambd * l2_penalty(w)``，用手写的 SGD 训练。

    权重从 :math:`\\mathcal{N}(0, 1)` 初始化（种子 ``init_seed``，与生成数据的种子分开，
    否则初始权重会等于某个样本），偏置为 0。返回学到的权重与训练历史。

    Examples
    --------
    >>> from dlbook.data import synthetic_linear_data
    >>> data = synthetic_linear_data(torch.full((5,), 0.01), 0.05, 20, seed=0)
    >>> it = load_array(data, 5, seed=0)
    >>> w, history = train_weight_decay_scratch(
    ...     3, it, None, 5, lr=0.003, num_epochs=1, plot=False, verbose=False)
    >>> w.shape, w.requires_grad
    (torch.Size([5, 1]), False)
    """
    if init_seed is None:
        init_seed = default_init_seed(train_kwargs.get("seed", 0))
    g = torch.Generator().manual_seed(init_seed)
    w = torch.normal(0, 1, size=(num_inputs, 1), generator=g, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    history = train_regression(
        lambda X: linreg(X, w, b),
        train_iter,
        test_iter,
        num_epochs,
        loss=squared_loss,
        updater=lambda n: sgd([w, b], lr, n),
        penalty=lambda: lambd * l2_penalty(w),
        **train_kwargs,
    )
    return w.detach(), history


def train_weight_decay_concise(
    weight_decay: float,
    train_iter: Iterable[Any],
    test_iter: Iterable[Any],
    num_inputs: int,
    *,
    lr: float,
    num_epochs: int,
    init_seed: int | None = None,
    **train_kwargs: Any,
) -> tuple[nn.Module, History]:
    """简洁实现的权重衰减：``torch.optim.SGD`` 只给权重所在的参数组设置 ``weight_decay``，偏置不衰减。

    权重与偏置都从 :math:`\\mathcal{N}(0, 1)` 初始化（种子 ``init_seed``）。返回网络与训练历史。

    Examples
    --------
    >>> from dlbook.data import synthetic_linear_data
    >>> data = synthetic_linear_data(torch.full((5,), 0.01), 0.05, 20, seed=0)
    >>> it = load_array(data, 5, seed=0)
    >>> net, history = train_weight_decay_concise(
    ...     3, it, None, 5, lr=0.003, num_epochs=1, plot=False, verbose=False)
    >>> net[0].weight.shape
    torch.Size([1, 5])
    """
    if init_seed is None:
        init_seed = default_init_seed(train_kwargs.get("seed", 0))
    g = torch.Generator().manual_seed(init_seed)
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_(generator=g)
    trainer = torch.optim.SGD(
        [{"params": net[0].weight, "weight_decay": weight_decay}, {"params": net[0].bias}], lr=lr
    )
    history = train_regression(
        net,
        train_iter,
        test_iter,
        num_epochs,
        loss=nn.MSELoss(reduction="none"),
        optimizer=trainer,
        **train_kwargs,
    )
    return net, history
