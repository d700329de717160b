"""Kaggle 房价预测的训练：K 折交叉验证与提交文件。

整个流程（第 3 章“实战 Kaggle 比赛：预测房价”）：

1. :func:`dlbook.data.house_prices.preprocess_house_prices`：数值特征做 Z-score 标准化，缺失值填 0，
   类别特征做独热编码（缺失值也单独成为一类），得到 float32 张量；
2. :func:`dlbook.metrics.regression.log_rmse`：用对数均方根误差衡量预测，它关心相对误差而不是绝对误差；
3. :func:`k_fold`：K 折交叉验证，依次把每一折当作验证集，用来挑选超参数；
4. :func:`train_house_prices` 在全部训练数据上训练最终模型，:func:`write_submission` 写出提交文件。
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch
from torch import nn

from dlbook.data import load_array
from dlbook.metrics.regression import log_rmse
from dlbook.models.linear import linear_regression
from dlbook.utils.seeding import init_generator

__all__ = [
    "k_fold_split",
    "train_house_prices",
    "KFoldResult",
    "k_fold",
    "write_submission",
]


def k_fold_split(
    k: int, i: int, X: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """K 折交叉验证的第 ``i`` 折：返回 ``(X_train, y_train, X_valid, y_valid)``。

    数据按顺序切成 ``k`` 段，每段 ``n // k`` 个样本，第 ``i`` 段作验证集，其余拼起来作训练集；
    ``n`` 不能被 ``k`` 整除时，最后剩下的几个样本总在训练集里。

    Examples
    --------
    >>> X = torch.arange(10).reshape(5, 2)
    >>> y = torch.arange(5).reshape(5, 1)
    >>> X_train, y_train, X_valid, y_valid = k_fold_split(2, 1, X, y)
    >>> y_valid.flatten().tolist(), y_train.flatten().tolist()
    ([2, 3], [0, 1, 4])
    """
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"k 必须是不小于 2 的整数，收到 {k!r}")
    if not isinstance(i, int) or not 0 <= i < k:
        raise ValueError(f"i 必须在 [0, {k}) 之间，收到 {i!r}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X 与 y 的样本数不同：{X.shape[0]} 与 {y.shape[0]}")
    fold_size = X.shape[0] // k
    if fold_size == 0:
        raise ValueError(f"样本数 {X.shape[0]} 少于折数 k={k}")
    start, stop = i * fold_size, (i + 1) * fold_size
    X_train = torch.cat([X[:start], X[stop:]])
    y_train = torch.cat([y[:start], y[stop:]])
    return X_train, y_train, X[start:stop], y[start:stop]


def train_house_prices(
    net: nn.Module,
    train_features: torch.Tensor,
    train_labels: torch.Tensor,
    valid_features: torch.Tensor | None = None,
    valid_labels: torch.Tensor | None = None,
    *,
    num_epochs: int = 100,
    lr: float = 5.0,
    weight_decay: float = 0.0,
    batch_size: int = 64,
    seed: int = 0,
) -> tuple[list[float], list[float]]:
    """用 Adam 优化均方误差训练房价模型，每轮结束记录一次训练集（与验证集）上的 log RMSE。

    这一节的训练循环与第 2 章的 ``train_regression`` 不同之处在于：优化的是均方误差，
    报告的却是 :func:`~dlbook.metrics.regression.log_rmse`；Adam 对特征的尺度不那么敏感，学习率可以取得很大。

    Returns
    -------
    train_ls, valid_ls : list of float
        每轮的训练 log RMSE；没有验证集时 ``valid_ls`` 为空列表。

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> X = torch.randn(64, 3, generator=g)
    >>> y = torch.exp(X @ torch.tensor([[0.1], [0.2], [0.3]]) + 5)
    >>> net = linear_regression(3, generator=g)
    >>> train_ls, _ = train_house_prices(net, X, y, num_epochs=50, lr=5, batch_size=16)
    >>> train_ls[-1] < train_ls[0]
    True
    """
    if not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs 必须是正整数，收到 {num_epochs!r}")
    loss = nn.MSELoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    train_iter = load_array((train_features, train_labels), batch_size, shuffle=True, seed=seed)
    train_ls: list[float] = []
    valid_ls: list[float] = []
    for _ in range(num_epochs):
        net.train()
        for X, y in train_iter:
            optimizer.zero_grad()
            loss(net(X), y).backward()
            optimizer.step()
        net.eval()
        train_ls.append(log_rmse(net, train_features, train_labels))
        if valid_features is not None and valid_labels is not None:
            valid_ls.append(log_rmse(net, valid_features, valid_labels))
    return train_ls, valid_ls


@dataclass
class KFoldResult:
    """:func:`k_fold` 的结果：每一折每一轮的训练/验证 log RMSE 及其平均。"""

    train_curves: list[list[float]]
    valid_curves: list[list[float]]

    @property
    def train_ls(self) -> list[float]:
        """每一折最后一轮的训练 log RMSE。"""
        return [c[-1] for c in self.train_curves]

    @property
    def valid_ls(self) -> list[float]:
        """每一折最后一轮的验证 log RMSE。"""
        return [c[-1] for c in self.valid_curves]

    @property
    def mean_train(self) -> float:
        """训练 log RMSE 在各折上的平均。"""
        return sum(self.train_ls) / len(self.train_ls)

    @property
    def mean_valid(self) -> float:
        """验证 log RMSE 在各折上的平均：挑选超参数时看的就是它。"""
        return sum(self.valid_ls) / len(self.valid_ls)

    def summary(self) -> str:
        """一行结果，例如 ``5-fold: train log rmse 0.170, valid log rmse 0.156``。"""
        k = len(self.train_curves)
        return (
            f"{k}-fold: train log rmse {self.mean_train:.3f}, valid log rmse {self.mean_valid:.3f}"
        )


def k_fold(
    k: int,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    num_epochs: int = 100,
    lr: float = 5.0,
    weight_decay: float = 0.0,
    batch_size: int = 64,
    seed: int = 0,
    make_net: Callable[[int, torch.Generator], nn.Module] | None = None,
) -> KFoldResult:
    """K 折交叉验证：第 ``i`` 折用其余 ``k - 1`` 折训练一个新模型，在第 ``i`` 折上验证。

    Parameters
    ----------
    make_net : callable, optional
        ``make_net(num_features, generator)`` 返回一个新模型；默认是线性回归
        :func:`dlbook.linear_regression`。第 ``i`` 折打乱数据用种子 ``seed + i``，
        初始化用 :func:`dlbook.utils.seeding.init_generator` ``(seed + i)``，与数据的种子分开。

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> X = torch.randn(40, 2, generator=g)
    >>> y = torch.exp(X @ torch.tensor([[0.3], [0.1]]) + 4)
    >>> result = k_fold(4, X, y, num_epochs=5, lr=1, batch_size=8)
    >>> len(result.train_curves), len(result.valid_curves[0])
    (4, 5)
    >>> result.summary()
    '4-fold: train log rmse ..., valid log rmse ...'
    """
    if make_net is None:

        def make_net(num_features: int, generator: torch.Generator) -> nn.Module:
            return linear_regression(num_features, generator=generator)

    train_curves, valid_curves = [], []
    for i in range(k):
        X_train, y_train, X_valid, y_valid = k_fold_split(k, i, X, y)
        net = make_net(X.shape[1], init_generator(seed + i))
        train_ls, valid_ls = train_house_prices(
            net,
            X_train,
            y_train,
            X_valid,
            y_valid,
            num_epochs=num_epochs,
            lr=lr,
            weight_decay=weight_decay,
            batch_size=batch_size,
            seed=seed + i,
        )
        train_curves.append(train_ls)
        valid_curves.append(valid_ls)
    return KFoldResult(train_curves, valid_curves)


def write_submission(
    net: Callable[[torch.Tensor], torch.Tensor],
    test_features: torch.Tensor,
    test_ids: torch.Tensor,
    path: str | Path,
) -> pd.DataFrame:
    """用 ``net`` 预测测试集房价，按 Kaggle 的格式（``Id,SalePrice`` 两列）写到 ``path``。

    返回写入的 ``DataFrame``，方便查看前几行。

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "submission.csv"
    >>> df = write_submission(lambda X: X * 1000, torch.tensor([[1.0], [2.5]]),
    ...                       torch.tensor([1461, 1462]), out)
    >>> print(out.read_text().strip())
    Id,SalePrice
    1461,1000.0
    1462,2500.0
    """
    if test_features.shape[0] != test_ids.shape[0]:
        raise ValueError(f"特征有 {test_features.shape[0]} 行，编号有 {test_ids.shape[0]} 个")
    if isinstance(net, nn.Module):
        net.eval()
    with torch.no_grad():
        preds = net(test_features).reshape(-1)
    submission = pd.DataFrame({"Id": test_ids.numpy(), "SalePrice": preds.numpy()})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    submission.to_csv(path, index=False)
    return submission
