"""合成数据（线性回归、多项式回归、序列的自回归特征、倒序任务、稀疏特征的二分类）与数组小批量读取。"""

from __future__ import annotations

import math

import pytest
import torch

import dlbook
from dlbook.data.synthetic import lag_features, sequence_reversal


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


def test_sparse_classification_data_has_frequent_and_rare_features():
    from dlbook.data.synthetic import sparse_classification_data

    X, y, w = sparse_classification_data(4000, 100, 10, seed=1)
    assert X.shape == (4000, 100) and y.shape == (4000,) and w.shape == (100,)
    assert y.dtype == torch.int64 and set(y.unique().tolist()) == {0, 1}
    assert X[:, :10].mean().item() == pytest.approx(0.5, abs=0.02)
    assert X[:, 10:].mean().item() == pytest.approx(0.01, abs=0.003)
    # 罕见特征的权重大（乘 3），常见特征的小（乘 0.3）
    assert w[10:].abs().mean() > 5 * w[:10].abs().mean()
    X2, y2, w2 = sparse_classification_data(4000, 100, 10, seed=1)
    assert torch.equal(X, X2) and torch.equal(y, y2) and torch.equal(w, w2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(num_examples=0), "num_examples"),
        (dict(num_features=5, num_frequent=6), "num_frequent"),
        (dict(rare_prob=0.0), "rare_prob"),
        (dict(frequent_prob=1.5), "frequent_prob"),
    ],
)
def test_sparse_classification_data_bad_arguments(kwargs, match):
    from dlbook.data.synthetic import sparse_classification_data

    with pytest.raises(ValueError, match=match):
        sparse_classification_data(**kwargs)


def test_sequence_reversal_targets_are_the_reversed_sources():
    tensors, vocab = sequence_reversal(200, num_symbols=7, min_len=3, max_len=9, seed=1)
    X, X_len, Y, Y_len = tensors
    assert X.shape == Y.shape == (200, 10) and torch.equal(X_len, Y_len)
    assert int(X_len.min()) >= 4 and int(X_len.max()) <= 10  # 长度 3–9，加 <eos>
    pad, eos = vocab["<pad>"], vocab["<eos>"]
    for x, y, n in zip(X.tolist(), Y.tolist(), X_len.tolist()):
        letters = x[: n - 1]
        assert y[: n - 1] == letters[::-1] and x[n - 1] == y[n - 1] == eos
        assert set(x[n:]) <= {pad} and set(y[n:]) <= {pad}
        assert all(vocab.to_tokens(t) in "abcdefg" for t in letters)
    again, _ = sequence_reversal(200, num_symbols=7, min_len=3, max_len=9, seed=1)
    assert torch.equal(again[0], X)
    assert vocab.to_tokens([vocab["<bos>"]]) == ["<bos>"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(num_examples=0), "num_examples"),
        (dict(num_examples=5, num_symbols=27), "num_symbols"),
        (dict(num_examples=5, min_len=0), "min_len"),
        (dict(num_examples=5, min_len=5, max_len=4), "min_len"),
    ],
)
def test_sequence_reversal_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sequence_reversal(**kwargs)
