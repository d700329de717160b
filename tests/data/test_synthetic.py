"""合成数据（线性回归、多项式回归、序列的自回归特征）与数组小批量读取。"""

from __future__ import annotations

import math

import pytest
import torch

import dlbook
from dlbook.data.synthetic import lag_features


def test_linear_data_shapes_and_recovery():
    w, b = torch.tensor([2.0, -3.4]), 4.2
    X, y = dlbook.synthetic_linear_data(w, b, 1000, seed=0)
    assert X.shape == (1000, 2) and y.shape == (1000, 1) and X.dtype == torch.float32
    residual = y - (X @ w.reshape(-1, 1) + b)
    assert abs(residual.std().item() - 0.01) < 0.002  # 噪声的标准差就是 noise


def test_linear_data_is_reproducible():
    a = dlbook.synthetic_linear_data([1.0, 2.0, 3.0], 0.5, 50, noise=0.1, seed=7)
    b = dlbook.synthetic_linear_data([1.0, 2.0, 3.0], 0.5, 50, noise=0.1, seed=7)
    c = dlbook.synthetic_linear_data([1.0, 2.0, 3.0], 0.5, 50, noise=0.1, seed=8)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c[0])
    dlbook.seed_everything(3)
    d = dlbook.synthetic_linear_data([1.0], 0.0, 5)
    dlbook.seed_everything(3)
    assert torch.equal(d[0], dlbook.synthetic_linear_data([1.0], 0.0, 5)[0])


@pytest.mark.parametrize(
    ("args", "match"),
    [(([], 0.0, 5), "w"), (([1.0], 0.0, 0), "num_examples"), (([1.0], 0.0, 5, -1.0), "noise")],
)
def test_linear_data_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        dlbook.synthetic_linear_data(*args)


def test_load_array_len_batches_and_reproducible_shuffle():
    X, y = torch.arange(20.0).reshape(10, 2), torch.arange(10)
    data_iter = dlbook.load_array((X, y), 4, seed=0)
    assert len(data_iter) == 3
    epoch1 = [b[1].tolist() for b in data_iter]
    epoch2 = [b[1].tolist() for b in data_iter]
    assert [len(b) for b in epoch1] == [4, 4, 2]
    assert sorted(sum(epoch1, [])) == list(range(10)) and epoch1 != epoch2
    again = dlbook.load_array((X, y), 4, seed=0)
    assert [b[1].tolist() for b in again] == epoch1
    for Xb, yb in dlbook.load_array((X, y), 4, seed=0):
        assert torch.equal(Xb[:, 0], 2.0 * yb)  # 特征与标签一起打乱
    ordered = dlbook.load_array((X, y), 4, shuffle=False)
    assert [b[1].tolist() for b in ordered] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_load_array_bad_arguments():
    with pytest.raises(ValueError, match="第一维"):
        dlbook.load_array((torch.zeros(3), torch.zeros(4)), 2)
    with pytest.raises(ValueError, match="batch_size"):
        dlbook.load_array((torch.zeros(3),), 0)
    with pytest.raises(TypeError, match="torch.Tensor"):
        dlbook.load_array(([1, 2, 3],), 2)


def test_polynomial_data():
    true_w = [5.0, 1.2, -3.4, 5.6]
    train_f, test_f, train_l, test_l = dlbook.polynomial_data(true_w, seed=0)
    assert train_f.shape == (100, 20) and test_f.shape == (100, 20)
    assert train_l.shape == (100, 1) and test_l.shape == (100, 1)
    x = train_f[:, 1]
    assert torch.equal(train_f[:, 0], torch.ones(100))
    assert torch.allclose(train_f[:, 5], x**5 / math.factorial(5), rtol=1e-5, atol=1e-7)
    clean = train_f[:, :4] @ torch.tensor(true_w)
    assert abs((train_l[:, 0] - clean).std().item() - 0.1) < 0.03
    again = dlbook.polynomial_data(true_w, seed=0)
    assert torch.equal(again[0], train_f) and torch.equal(again[3], test_l)
    small = dlbook.polynomial_data([1.0], max_degree=3, n_train=5, n_test=7, seed=1)
    assert [tuple(t.shape) for t in small] == [(5, 3), (7, 3), (5, 1), (7, 1)]
    with pytest.raises(ValueError, match="max_degree"):
        dlbook.polynomial_data(true_w, max_degree=3)


def test_neighbouring_seeds_shuffle_independently():
    from dlbook.data.loader import TensorBatches

    X = torch.arange(50)

    def orders(seed):
        batches = TensorBatches((X,), 50, seed=seed)
        return [next(iter(batches))[0].tolist() for _ in range(3)]

    a, b = orders(0), orders(1)
    assert orders(0) == a  # 同一个种子，各轮顺序可复现
    assert len({tuple(o) for o in a + b}) == 6  # 两个种子、各三轮，六种顺序互不相同
    assert b[0] != a[1] and b[1] != a[2]  # 不再是“种子 1 的第 e 轮 = 种子 0 的第 e + 1 轮”


def test_lag_features_align_with_labels():
    x = torch.arange(10.0)
    features, labels = lag_features(x, 3)
    assert features.shape == (7, 3) and labels.shape == (7, 1)
    assert torch.equal(features[:, -1] + 1, labels.reshape(-1))  # 标签紧跟在窗口之后
    with pytest.raises(ValueError, match="tau"):
        lag_features(x, 10)
    with pytest.raises(ValueError, match="一维"):
        lag_features(x.reshape(2, 5), 2)
