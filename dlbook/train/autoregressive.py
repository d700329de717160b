"""自回归模型（第 7 章第 1 节）：训练，单步与 k 步预测。

马尔可夫假设下，:math:`x_t` 只取决于前 :math:`\\tau` 个观测 :math:`x_{t-\\tau}, \\ldots, x_{t-1}`，
于是预测 :math:`x_t` 就是一个普通的回归问题：特征是这 :math:`\\tau` 个数，标签是 :math:`x_t`
（数据与特征由 :func:`dlbook.data.synthetic.noisy_sine`、:func:`dlbook.data.synthetic.lag_features`
生成）。本模块训练模型，并比较两种预测：用真实观测的**单步预测**，以及把自己的预测当作输入、
一步一步往后推的 **k 步预测**（误差会累积）。
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.data.synthetic import lag_features, load_array
from dlbook.models.mlp import mlp
from dlbook.train.loop import History
from dlbook.train.trainer import train_regression
from dlbook.utils.seeding import init_generator

__all__ = [
    "fit_autoregressive",
    "k_step_predictions",
    "predict_autoregressive",
]


def fit_autoregressive(
    x: torch.Tensor,
    *,
    tau: int = 4,
    n_train: int = 600,
    num_hiddens: int = 10,
    batch_size: int = 16,
    lr: float = 0.01,
    num_epochs: int = 5,
    seed: int = 0,
    plot: bool = False,
    verbose: bool = True,
) -> tuple[nn.Module, History]:
    """用前 ``n_train`` 个样本训练一个自回归多层感知机 ``tau → num_hiddens → 1`` （ReLU）。

    特征与标签由 :func:`~dlbook.data.synthetic.lag_features` 构造；平方损失，Adam 优化器（学习率 ``lr``），
    训练循环是 :func:`dlbook.train_regression`。返回（模型，训练历史）。

    Examples
    --------
    >>> from dlbook.data.synthetic import noisy_sine
    >>> _, x = noisy_sine(1000, seed=0)
    >>> net, history = fit_autoregressive(x, verbose=False)
    >>> len(history), history.final.train_loss < 0.1
    (5, True)
    """
    features, labels = lag_features(x, tau)
    if not 1 <= n_train <= len(features):
        raise ValueError(f"n_train 必须在 1 到 {len(features)} 之间，收到 {n_train!r}")
    train_iter = load_array((features[:n_train], labels[:n_train]), batch_size, seed=seed)
    net = mlp(tau, num_hiddens, 1, generator=init_generator(seed))
    history = train_regression(
        net,
        train_iter,
        None,
        num_epochs,
        loss=nn.MSELoss(reduction="none"),
        optimizer=torch.optim.Adam(net.parameters(), lr=lr),
        seed=seed,
        plot=plot,
        verbose=verbose,
    )
    return net, history


@torch.no_grad()
def predict_autoregressive(
    net: nn.Module, x: torch.Tensor, tau: int, num_known: int
) -> torch.Tensor:
    """只给出前 ``num_known`` 个观测，之后每一步都用模型对前 ``tau`` 个值（观测或自己的预测）的预测。

    返回与 ``x`` 等长的序列：前 ``num_known`` 个是观测本身，其余是预测。

    Examples
    --------
    一个“把最后一个值原样照抄”的模型会让序列停在最后一个观测上：

    >>> copy_last = lambda X: X[:, -1:]
    >>> predict_autoregressive(copy_last, torch.tensor([1.0, 2.0, 3.0, 0.0, 0.0]), 2, 3).tolist()
    [1.0, 2.0, 3.0, 3.0, 3.0]
    """
    if not tau <= num_known <= len(x):
        raise ValueError(
            f"num_known 必须在 tau（{tau}）与 len(x)（{len(x)}）之间，收到 {num_known}"
        )
    out = x.clone()
    for i in range(num_known, len(x)):
        out[i] = net(out[i - tau : i].reshape(1, -1)).reshape(())
    return out


@torch.no_grad()
def k_step_predictions(net: nn.Module, x: torch.Tensor, tau: int, max_steps: int) -> torch.Tensor:
    """从每个位置出发的 1 到 ``max_steps`` 步预测。

    返回形状为 ``(len(x) - tau - max_steps + 1, tau + max_steps)`` 的矩阵：第 ``i`` 行前 ``tau``
    列是观测 ``x[i : i + tau]``，第 ``tau + k - 1`` 列是对 ``x[i + tau + k - 1]`` 的 **k 步预测**
    （只看到 ``x[i : i + tau]``，中间的 ``k - 1`` 个值都用自己的预测代替）。

    Examples
    --------
    >>> copy_last = lambda X: X[:, -1:]
    >>> k_step_predictions(copy_last, torch.arange(6.0), 2, 2).tolist()
    [[0.0, 1.0, 1.0, 1.0], [1.0, 2.0, 2.0, 2.0], [2.0, 3.0, 3.0, 3.0]]
    """
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps 必须是正整数，收到 {max_steps!r}")
    n = len(x) - tau - max_steps + 1
    if n < 1:
        raise ValueError(f"序列太短：len(x)={len(x)} 不够 tau={tau} 加 max_steps={max_steps}")
    features = torch.zeros(n, tau + max_steps)
    for i in range(tau):  # 前 tau 列是观测
        features[:, i] = x[i : i + n]
    for i in range(tau, tau + max_steps):  # 之后每一列由前 tau 列预测
        features[:, i] = net(features[:, i - tau : i]).reshape(-1)
    return features
