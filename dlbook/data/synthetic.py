"""人工合成的数据：线性回归（第 2 章）、多项式回归（第 3 章，欠拟合与过拟合），序列模型用的
带噪声的正弦序列与自回归特征（第 7 章），把符号序列倒过来的序列到序列任务（第 9 章，注意力），
以及带稀疏特征的二分类问题（第 10 章，AdaGrad）。
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from dlbook.data.loader import TensorBatches
from dlbook.data.text import Vocab

__all__ = [
    "lag_features",
    "load_array",
    "noisy_sine",
    "polynomial_data",
    "polynomial_features",
    "sequence_reversal",
    "sparse_classification_data",
    "synthetic_linear_data",
]


def _generator(seed: int | None) -> torch.Generator | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数或 None，收到 {seed!r}")
    return torch.Generator().manual_seed(seed)


def _as_vector(w: torch.Tensor | Sequence[float], name: str) -> torch.Tensor:
    w = torch.as_tensor(w, dtype=torch.float32).detach()
    if w.dim() == 2 and w.shape[1] == 1:
        w = w.reshape(-1)
    if w.dim() != 1 or len(w) == 0:
        raise ValueError(f"{name} 必须是非空的一维向量，收到形状 {tuple(w.shape)}")
    return w


def synthetic_linear_data(
    w: torch.Tensor | Sequence[float],
    b: float,
    num_examples: int,
    noise: float = 0.01,
    *,
    seed: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""生成线性回归数据 :math:`\mathbf{y} = \mathbf{X}\mathbf{w} + b + \epsilon`。

    特征 :math:`\mathbf{X}` 的每个元素服从标准正态分布，噪声 :math:`\epsilon` 服从均值为 0、
    标准差为 ``noise`` 的正态分布。

    Parameters
    ----------
    w : tensor or sequence of float
        真实权重，长度即特征数。
    b : float
        真实偏置。
    num_examples : int
        样本数。
    noise : float
        噪声的标准差（非负）。
    seed : int, optional
        随机种子；为 ``None`` 时使用 PyTorch 的全局随机数生成器。

    Returns
    -------
    X : torch.Tensor
        形状 ``(num_examples, len(w))`` 的特征。
    y : torch.Tensor
        形状 ``(num_examples, 1)`` 的标签。

    Examples
    --------
    >>> X, y = synthetic_linear_data([2, -3.4], 4.2, 1000, seed=0)
    >>> X.shape, y.shape
    (torch.Size([1000, 2]), torch.Size([1000, 1]))
    >>> w_hat = torch.linalg.lstsq(torch.cat([X, torch.ones(1000, 1)], 1), y).solution
    >>> [round(v, 2) for v in w_hat.flatten().tolist()]
    [2.0, -3.4, 4.2]
    """
    w = _as_vector(w, "w")
    if isinstance(num_examples, bool) or not isinstance(num_examples, int) or num_examples < 1:
        raise ValueError(f"num_examples 必须是正整数，收到 {num_examples!r}")
    if noise < 0:
        raise ValueError(f"noise 是噪声的标准差，必须非负，收到 {noise!r}")
    g = _generator(seed)
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=g)
    y = X @ w + float(b)
    y += torch.normal(0.0, float(noise), y.shape, generator=g)
    return X, y.reshape(-1, 1)


def load_array(
    tensors: Sequence[torch.Tensor],
    batch_size: int,
    shuffle: bool = True,
    *,
    seed: int | None = None,
) -> TensorBatches:
    """把若干个张量包装成按小批量遍历的可迭代对象（有 ``len()``，可重复遍历）。

    ``shuffle=True`` 时每一轮重新打乱；给出 ``seed`` 时各轮的顺序可以复现。

    Examples
    --------
    >>> X, y = synthetic_linear_data([2, -3.4], 4.2, 1000, seed=0)
    >>> data_iter = load_array((X, y), batch_size=10, seed=0)
    >>> len(data_iter)
    100
    >>> X_batch, y_batch = next(iter(data_iter))
    >>> X_batch.shape, y_batch.shape
    (torch.Size([10, 2]), torch.Size([10, 1]))
    """
    return TensorBatches(tensors, batch_size, shuffle, seed=seed)


def polynomial_features(x: torch.Tensor, max_degree: int) -> torch.Tensor:
    r"""把形状 ``(n, 1)`` 的 :math:`x` 变成多项式特征 :math:`x^i / i!` （:math:`i < ` ``max_degree``）。

    在 float64 中计算再转回 float32，高次项不会因舍入而失真。

    Examples
    --------
    >>> polynomial_features(torch.tensor([[2.0]]), 4)
    tensor([[1.0000, 2.0000, 2.0000, 1.3333]])
    """
    powers = torch.arange(max_degree, dtype=torch.float64)
    factorials = torch.tensor([math.factorial(i) for i in range(max_degree)], dtype=torch.float64)
    return (x.double() ** powers / factorials).float()


def polynomial_data(
    true_w: torch.Tensor | Sequence[float],
    *,
    max_degree: int = 20,
    n_train: int = 100,
    n_test: int = 100,
    noise: float = 0.1,
    seed: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""生成多项式回归数据，用来演示欠拟合与过拟合。

    对标准正态分布的 :math:`x`，特征取 :math:`x^i / i!` （:math:`i = 0, \ldots,`
    ``max_degree - 1``；除以 :math:`i!` 让高次项的数值不至于过大），标签为
    :math:`y = \sum_i w_i x^i / i! + \epsilon`，:math:`\epsilon` 的标准差为 ``noise``。
    ``true_w`` 比 ``max_degree`` 短时，其余系数为 0（例如只有前 4 项非零的三阶多项式）。

    Returns
    -------
    train_features, test_features : torch.Tensor
        形状 ``(n_train, max_degree)`` 与 ``(n_test, max_degree)``。
    train_labels, test_labels : torch.Tensor
        形状 ``(n_train, 1)`` 与 ``(n_test, 1)``。

    Examples
    --------
    >>> data = polynomial_data([5, 1.2, -3.4, 5.6], seed=0)
    >>> [tuple(t.shape) for t in data]
    [(100, 20), (100, 20), (100, 1), (100, 1)]
    >>> train_features = data[0]
    >>> torch.allclose(train_features[:, 2], train_features[:, 1] ** 2 / 2)
    True
    """
    true_w = _as_vector(true_w, "true_w")
    if isinstance(max_degree, bool) or not isinstance(max_degree, int) or max_degree < 1:
        raise ValueError(f"max_degree 必须是正整数，收到 {max_degree!r}")
    if len(true_w) > max_degree:
        raise ValueError(f"true_w 的长度 {len(true_w)} 超过了 max_degree={max_degree}")
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} 必须是正整数，收到 {value!r}")
    if noise < 0:
        raise ValueError(f"noise 是噪声的标准差，必须非负，收到 {noise!r}")
    g = _generator(seed)
    w = torch.zeros(max_degree)
    w[: len(true_w)] = true_w
    x = torch.normal(0.0, 1.0, (n_train + n_test, 1), generator=g)
    features = polynomial_features(x, max_degree)
    labels = features @ w
    labels += torch.normal(0.0, float(noise), labels.shape, generator=g)
    labels = labels.reshape(-1, 1)
    return features[:n_train], features[n_train:], labels[:n_train], labels[n_train:]


def noisy_sine(
    num_steps: int = 1000, noise: float = 0.2, *, seed: int | None = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""序列 :math:`x_t = \sin(0.01\,t) + \epsilon_t`，:math:`t = 1, \ldots,` ``num_steps``，
    :math:`\epsilon_t \sim N(0, \text{noise}^2)`。返回 ``(time, x)``，都是长 ``num_steps`` 的一维张量。

    Examples
    --------
    >>> time, x = noisy_sine(1000, seed=0)
    >>> time[:3].tolist(), x.shape
    ([1.0, 2.0, 3.0], torch.Size([1000]))
    >>> bool((noisy_sine(5, noise=0.0)[1] == torch.sin(0.01 * torch.arange(1.0, 6))).all())
    True
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps 必须是正整数，收到 {num_steps!r}")
    if noise < 0:
        raise ValueError(f"noise 必须是非负数，收到 {noise!r}")
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    time = torch.arange(1, num_steps + 1, dtype=torch.float32)
    x = torch.sin(0.01 * time) + noise * torch.randn(num_steps, generator=g)
    return time, x


def lag_features(x: torch.Tensor, tau: int) -> tuple[torch.Tensor, torch.Tensor]:
    """自回归的样本：第 ``i`` 行特征是 ``x[i : i + tau]``，标签是 ``x[i + tau]``。

    返回形状为 ``(len(x) - tau, tau)`` 的特征与 ``(len(x) - tau, 1)`` 的标签。

    Examples
    --------
    >>> features, labels = lag_features(torch.arange(6.0), 2)
    >>> features.tolist(), labels.reshape(-1).tolist()
    ([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0], [3.0, 4.0]], [2.0, 3.0, 4.0, 5.0])
    """
    if x.dim() != 1:
        raise ValueError(f"x 必须是一维序列，收到形状 {tuple(x.shape)}")
    if isinstance(tau, bool) or not isinstance(tau, int) or not 1 <= tau < len(x):
        raise ValueError(f"tau 必须是 1 到 len(x) - 1 之间的整数，收到 {tau!r}")
    features = x.unfold(0, tau, 1)[:-1]  # 长 tau 的滑动窗口，去掉最后一个（它没有标签）
    return features.clone(), x[tau:].reshape(-1, 1).clone()


def sparse_classification_data(
    num_examples: int = 2000,
    num_features: int = 200,
    num_frequent: int = 20,
    *,
    frequent_prob: float = 0.5,
    rare_prob: float = 0.01,
    seed: int | None = 0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""带稀疏特征的二分类数据：少数常见特征携带弱信号，大量罕见特征携带强信号。

    特征是 0/1：前 ``num_frequent`` 个在每个样本中以概率 ``frequent_prob`` 出现，其余的以概率
    ``rare_prob`` 出现。真实权重 :math:`w_j \sim N(0, 1)`，常见特征乘以 0.3、罕见特征乘以 3；
    标签 :math:`y \sim \mathrm{Bernoulli}(\sigma(\mathbf{x}^\top \mathbf{w} - c))`，
    :math:`c` 是 :math:`\mathbf{x}^\top \mathbf{w}` 的样本均值（让两类大致一样多）。
    这正是 AdaGrad 要解决的情形：常见特征的坐标梯度每步都有、曲率大，限制了统一的学习率；
    罕见特征的坐标很少得到梯度。

    Returns
    -------
    X : torch.Tensor
        ``(num_examples, num_features)`` 的 ``float32`` 0/1 特征。
    y : torch.Tensor
        ``(num_examples,)`` 的 ``int64`` 标签（0 或 1），可以直接交给 ``nn.CrossEntropyLoss``。
    w : torch.Tensor
        真实权重，形状 ``(num_features,)``。

    Examples
    --------
    >>> X, y, w = sparse_classification_data(1000, 50, 10, seed=0)
    >>> X.shape, y.dtype, sorted(set(X.unique().tolist()))
    (torch.Size([1000, 50]), torch.int64, [0.0, 1.0])
    >>> X[:, :10].mean() > 10 * X[:, 10:].mean()       # 常见特征出现得多得多
    tensor(True)
    """
    for name, value in (("num_examples", num_examples), ("num_features", num_features)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} 必须是正整数，收到 {value!r}")
    if isinstance(num_frequent, bool) or not isinstance(num_frequent, int):
        raise ValueError(f"num_frequent 必须是整数，收到 {num_frequent!r}")
    if not 0 <= num_frequent <= num_features:
        raise ValueError(f"num_frequent 必须在 0 到 num_features 之间，收到 {num_frequent!r}")
    for name, value in (("frequent_prob", frequent_prob), ("rare_prob", rare_prob)):
        if not 0 < value <= 1:
            raise ValueError(f"{name} 必须在 (0, 1] 内，收到 {value!r}")
    g = _generator(seed)
    frequent = torch.arange(num_features) < num_frequent
    prob = torch.where(frequent, frequent_prob, rare_prob)
    X = (torch.rand(num_examples, num_features, generator=g) < prob).float()
    w = torch.randn(num_features, generator=g) * torch.where(frequent, 0.3, 3.0)
    logits = X @ w
    logits = logits - logits.mean()
    y = (torch.rand(num_examples, generator=g) < torch.sigmoid(logits)).long()
    return X, y, w


#: 倒序任务的保留词元，与翻译数据相同（索引 0 是 ``<unk>``）。
REVERSAL_RESERVED = ("<pad>", "<bos>", "<eos>")


def sequence_reversal(
    num_examples: int,
    *,
    num_symbols: int = 20,
    min_len: int = 12,
    max_len: int = 16,
    seed: int | None = None,
) -> tuple[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], Vocab]:
    r"""把符号序列倒过来的序列到序列任务：源序列是长 ``min_len`` 到 ``max_len`` 的随机符号，目标是它的倒序。

    符号是 ``num_symbols`` 个小写字母 ``a``、``b``……，每个位置独立、均匀地抽取，所以猜中一个符号的
    概率只有 ``1 / num_symbols``，一个词元也不能由它前后的词元推出来：模型只能从源序列里把它取回来。
    第 :math:`t` 个输出词元是倒数第 :math:`t` 个输入词元，离编码器读完源序列的时刻越来越远——
    把整个源序列压进一个定长上下文变量的编码器–解码器（第 8 章）正是在这里吃亏。

    两个序列都在末尾加 ``<eos>``、再用 ``<pad>`` 填充到 ``max_len + 1`` 个时间步，与
    :func:`~dlbook.data.translation.load_translation` 的小批量格式相同，可以直接交给
    :func:`~dlbook.train.seq2seq.train_seq2seq`。

    Parameters
    ----------
    num_examples : int
        序列个数。
    num_symbols : int
        符号个数（1 到 26）。
    min_len, max_len : int
        源序列（不含 ``<eos>``）长度的范围，两端都包括，``1 <= min_len <= max_len``。
    seed : int, optional
        随机种子；为 ``None`` 时使用 PyTorch 的全局随机数生成器。

    Returns
    -------
    tensors : tuple of torch.Tensor
        ``(X, X_valid_len, Y, Y_valid_len)``：``X``、``Y`` 形状 ``(num_examples, max_len + 1)``，
        有效长度（含 ``<eos>``）形状 ``(num_examples,)``。
    vocab : Vocab
        源与目标共用的词表：``<unk>``、``<pad>``、``<bos>``、``<eos>``，然后是各个符号。

    Examples
    --------
    >>> tensors, vocab = sequence_reversal(2, num_symbols=5, min_len=3, max_len=4, seed=0)
    >>> X, X_len, Y, Y_len = tensors
    >>> X.shape, len(vocab)
    (torch.Size([2, 5]), 9)
    >>> for x, n, y in zip(X, X_len, Y):
    ...     print(" ".join(vocab.to_tokens(x[:n])), "->", " ".join(vocab.to_tokens(y[:n])))
    d a d <eos> -> d a d <eos>
    d c d b <eos> -> b d c d <eos>
    """
    if isinstance(num_examples, bool) or not isinstance(num_examples, int) or num_examples < 1:
        raise ValueError(f"num_examples 必须是正整数，收到 {num_examples!r}")
    if isinstance(num_symbols, bool) or not isinstance(num_symbols, int):
        raise ValueError(f"num_symbols 必须是 1 到 26 之间的整数，收到 {num_symbols!r}")
    if not 1 <= num_symbols <= 26:
        raise ValueError(f"num_symbols 必须是 1 到 26 之间的整数，收到 {num_symbols!r}")
    for name, value in (("min_len", min_len), ("max_len", max_len)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} 必须是正整数，收到 {value!r}")
    if min_len > max_len:
        raise ValueError(f"min_len={min_len} 不能大于 max_len={max_len}")
    symbols = [chr(ord("a") + i) for i in range(num_symbols)]
    vocab = Vocab(reserved_tokens=[*REVERSAL_RESERVED, *symbols])
    pad, eos, first = vocab["<pad>"], vocab["<eos>"], vocab[symbols[0]]
    g = _generator(seed)
    lens = torch.randint(min_len, max_len + 1, (num_examples,), generator=g)
    X = torch.randint(first, first + num_symbols, (num_examples, max_len + 1), generator=g)
    steps = torch.arange(max_len + 1).unsqueeze(0)
    # 目标的第 t 个词元是源序列的第 len - 1 - t 个（t < len）
    Y = X.gather(1, (lens.unsqueeze(1) - 1 - steps).clamp(min=0))
    for Z in (X, Y):
        Z[steps > lens.unsqueeze(1)] = pad
        Z[steps == lens.unsqueeze(1)] = eos
    return (X, lens + 1, Y, lens + 1), vocab
