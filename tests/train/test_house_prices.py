"""dlbook.train.house_prices：K 折划分、训练与提交文件（以及真实数据上的整个流程）。"""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from dlbook.data.house_prices import preprocess_house_prices
from dlbook.models import linear_regression
from dlbook.train.house_prices import (
    k_fold,
    k_fold_split,
    train_house_prices,
    write_submission,
)


@pytest.mark.parametrize("n,k", [(10, 5), (11, 5), (1460, 5)])
def test_k_fold_split_partitions_the_data(n, k):
    X = torch.arange(n).reshape(n, 1).float()
    y = torch.arange(n).reshape(n, 1)
    valid_all = []
    for i in range(k):
        X_train, y_train, X_valid, y_valid = k_fold_split(k, i, X, y)
        assert len(X_valid) == n // k
        assert len(X_train) + len(X_valid) == n
        assert set(y_train.flatten().tolist()).isdisjoint(y_valid.flatten().tolist())
        valid_all += y_valid.flatten().tolist()
    assert len(set(valid_all)) == k * (n // k)


@pytest.mark.parametrize("k,i", [(1, 0), (5, 5), (5, -1), (20, 0)])
def test_k_fold_split_rejects_bad_arguments(k, i):
    with pytest.raises(ValueError):
        k_fold_split(k, i, torch.zeros(10, 2), torch.zeros(10, 1))


def _toy_regression(n=200, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=g)
    y = torch.exp(X @ torch.tensor([[0.2], [-0.1], [0.3], [0.05]]) + 5)
    return X, y


def test_train_house_prices_learns_and_is_reproducible():
    X, y = _toy_regression()
    curves = []
    for _ in range(2):
        net = linear_regression(4, generator=torch.Generator().manual_seed(0))
        train_ls, valid_ls = train_house_prices(
            net, X[:150], y[:150], X[150:], y[150:], num_epochs=60, lr=5, batch_size=16
        )
        curves.append((train_ls, valid_ls))
    assert curves[0] == curves[1]
    train_ls, valid_ls = curves[0]
    assert len(train_ls) == len(valid_ls) == 60
    assert train_ls[-1] < 0.5 * train_ls[0]


def test_k_fold_result():
    X, y = _toy_regression(100)
    result = k_fold(5, X, y, num_epochs=3, lr=5, batch_size=16)
    assert len(result.train_curves) == 5 and len(result.valid_ls) == 5
    assert result.mean_valid == pytest.approx(sum(result.valid_ls) / 5)
    assert result.summary().startswith("5-fold: train log rmse ")


def test_write_submission(tmp_path):
    net = linear_regression(2, generator=torch.Generator().manual_seed(0))
    X = torch.randn(3, 2)
    path = tmp_path / "sub" / "submission.csv"
    df = write_submission(net, X, torch.tensor([1461, 1462, 1463]), path)
    back = pd.read_csv(path)
    assert list(back.columns) == ["Id", "SalePrice"]
    assert back["Id"].tolist() == [1461, 1462, 1463]
    assert back["SalePrice"].to_numpy() == pytest.approx(df["SalePrice"].to_numpy(), rel=1e-6)
    with pytest.raises(ValueError):
        write_submission(net, X, torch.tensor([1, 2]), path)


@pytest.mark.slow
def test_real_house_prices_end_to_end(tmp_path):
    """真实的 Kaggle 数据（nox 的 tests 任务会先取好）：与 D2L 书中一样是 331 个特征。"""
    import dlbook

    train_df, test_df = dlbook.load_house_prices()
    assert (train_df["MasVnrType"] == "None").sum() > 0  # "None"（没有砌面）是类别，不是缺失值
    data = preprocess_house_prices(train_df, test_df)
    assert data.train_features.shape == (1460, 331) and data.test_features.shape == (1459, 331)
    assert not torch.isnan(data.train_features).any()
    net = linear_regression(
        data.train_features.shape[1], generator=torch.Generator().manual_seed(0)
    )
    train_ls, _ = train_house_prices(net, data.train_features, data.train_labels, num_epochs=100)
    assert train_ls[-1] < 0.25  # 书中的设置下约 0.16
    df = write_submission(net, data.test_features, data.test_ids, tmp_path / "submission.csv")
    assert len(df) == 1459
