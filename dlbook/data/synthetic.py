"""人工合成的数据：线性回归（第 2 章）、多项式回归（第 3 章，欠拟合与过拟合），以及序列模型用的
带噪声的正弦序列与自回归特征（第 7 章）。
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from dlbook.data.loader import TensorBatches

__all__ = [
    "lag_features",
    "load_array",
    "noisy_sine",
    "polynomial_data",
    "polynomial_features",
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
    r"""把形状 ``(n, 1)`` 的 :math:`x` 变成多项式特征 :math:`x^i / i!`（:math:`i < ` ``max_degree``）。

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

    对标准正态分布的 :math:`x`，特征取 :math:`x^i / i!`（:math:`i = 0, \ldots,`
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
