"""表格数据：Kaggle 房价预测用到的预处理、评估指标、K 折交叉验证与提交文件。

整个流程（第 3 章“实战 Kaggle 比赛：预测房价”）：

1. :func:`preprocess_house_prices`：数值特征做 Z-score 标准化，缺失值填 0，类别特征做独热编码
   （缺失值也单独成为一类），得到 float32 张量；
2. :func:`log_rmse`：用对数均方根误差衡量预测，它关心相对误差而不是绝对误差；
3. :func:`k_fold`：K 折交叉验证，依次把每一折当作验证集，用来挑选超参数；
4. :func:`train_house_prices` 在全部训练数据上训练最终模型，:func:`write_submission` 写出提交文件。
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import torch
from torch import nn

from dlbook.data import load_array
from dlbook.models.linear import linear_regression
from dlbook.utils.seeding import init_generator

__all__ = [
    "HousePriceFeatures",
    "preprocess_house_prices",
    "log_rmse",
    "k_fold_split",
    "train_house_prices",
    "KFoldResult",
    "k_fold",
    "write_submission",
]


@dataclass
class HousePriceFeatures:
    """预处理之后的房价数据。

    Attributes
    ----------
    train_features : torch.Tensor
        训练集特征，形状 ``(n_train, d)``，float32。
    train_labels : torch.Tensor
        训练集房价 ``SalePrice``，形状 ``(n_train, 1)``，float32。
    test_features : torch.Tensor
        测试集特征，形状 ``(n_test, d)``，与训练集的列一一对应。
    test_ids : torch.Tensor
        测试集的 ``Id`` 列，写提交文件时用。
    columns : list of str
        ``d`` 个特征的名字（独热编码后的列名形如 ``MSZoning_RL``、``MSZoning_nan``）。
    """

    train_features: torch.Tensor
    train_labels: torch.Tensor
    test_features: torch.Tensor
    test_ids: torch.Tensor
    columns: list[str] = field(default_factory=list)


def preprocess_house_prices(
    train_df: pd.DataFrame,
    test_df: pd.DataFrame,
    *,
    label: str = "SalePrice",
    id_column: str = "Id",
) -> HousePriceFeatures:
    r"""把房价数据的两个表变成可以训练的张量。

    训练集与测试集的特征先拼在一起处理，保证两边的列完全相同：

    - 数值列做 Z-score 标准化 :math:`x \leftarrow (x - \mu) / \sigma`，均值与标准差在训练集和
      测试集的全部特征上计算；标准化之后均值为 0，所以缺失值直接填 0（即填均值）；
    - 其余（字符串）列用 ``pandas.get_dummies(dummy_na=True)`` 做独热编码，“缺失”也是一个类别。

    ``Id`` 列不是特征（它只是编号），``SalePrice`` 是标签，二者都不参与编码。

    Parameters
    ----------
    train_df, test_df : pandas.DataFrame
        Kaggle 的 ``train.csv`` 与 ``test.csv``；训练集比测试集多一列标签。
    label : str
        标签列名。
    id_column : str
        编号列名。

    Returns
    -------
    HousePriceFeatures

    Examples
    --------
    >>> train = pd.DataFrame({"Id": [1, 2, 3], "Area": [50.0, 70.0, None],
    ...                       "Street": ["Pave", None, "Grvl"], "SalePrice": [100.0, 150.0, 120.0]})
    >>> test = pd.DataFrame({"Id": [4], "Area": [60.0], "Street": ["Pave"]})
    >>> data = preprocess_house_prices(train, test)
    >>> data.columns
    ['Area', 'Street_Grvl', 'Street_Pave', 'Street_nan']
    >>> data.train_features
    tensor([[-1.,  0.,  1.,  0.],
            [ 1.,  0.,  0.,  1.],
            [ 0.,  1.,  0.,  0.]])
    >>> data.train_labels.shape, data.test_features.shape
    (torch.Size([3, 1]), torch.Size([1, 4]))
    """
    for name, df in [("train_df", train_df), ("test_df", test_df)]:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"{name} 必须是 pandas.DataFrame，收到 {type(df).__name__}")
        if id_column not in df.columns:
            raise ValueError(f"{name} 缺少编号列 {id_column!r}")
    if label not in train_df.columns:
        raise ValueError(f"train_df 缺少标签列 {label!r}")
    all_features = pd.concat(
        [train_df.drop(columns=[id_column, label]), test_df.drop(columns=[id_column])],
        ignore_index=True,
    )
    numeric = all_features.select_dtypes(include="number").columns
    all_features[numeric] = (all_features[numeric] - all_features[numeric].mean()) / all_features[
        numeric
    ].std()
    all_features[numeric] = all_features[numeric].fillna(0)  # 标准化后均值为 0：缺失值填 0
    all_features = pd.get_dummies(all_features, dummy_na=True, dtype="float32")
    values = torch.tensor(all_features.to_numpy(dtype="float32"))
    n_train = len(train_df)
    return HousePriceFeatures(
        train_features=values[:n_train],
        train_labels=torch.tensor(train_df[label].to_numpy(dtype="float32")).reshape(-1, 1),
        test_features=values[n_train:],
        test_ids=torch.tensor(test_df[id_column].to_numpy()),
        columns=[str(c) for c in all_features.columns],
    )


def log_rmse(
    net: Callable[[torch.Tensor], torch.Tensor], features: torch.Tensor, labels: torch.Tensor
) -> float:
    r"""对数均方根误差 :math:`\sqrt{\frac{1}{n}\sum_i (\log y_i - \log \hat{y}_i)^2}`。

    房价从几万到几十万不等，差 1 万美元对便宜的房子是大错、对贵的房子是小错；取对数之后
    比较的是相对误差。预测值先截到 ``[1, +∞)``，以免对非正数取对数。

    Examples
    --------
    >>> labels = torch.tensor([[100.0], [1000.0]])
    >>> log_rmse(lambda X: X, torch.tensor([[110.0], [1100.0]]), labels)  # 都高估 10%
    0.0953...
    >>> log_rmse(lambda X: X, torch.tensor([[-5.0], [1000.0]]), labels)  # 负的预测按 1 计
    3.256...
    """
    with torch.no_grad():
        clipped = torch.clamp(net(features), min=1.0)
        mse = nn.functional.mse_loss(torch.log(clipped), torch.log(labels.reshape(clipped.shape)))
    return math.sqrt(mse.item())


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
    报告的却是 :func:`log_rmse`；Adam 对特征的尺度不那么敏感，学习率可以取得很大。

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
