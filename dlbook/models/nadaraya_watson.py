"""Nadaraya–Watson 核回归：用高斯核做注意力汇聚，以及书中用来演示它的一维合成数据。

- :func:`kernel_regression_data` 生成 :math:`y = 2\\sin x + x^{0.8} + \\epsilon` 的训练与测试数据；
- :func:`gaussian_kernel_pooling` 是（可带一个宽度参数 ``w`` 的）高斯核注意力汇聚；
- :class:`NWKernelRegression` 把 ``w`` 变成可学习的参数；:func:`leave_one_out` 为训练准备键和值。
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.utils.checks import check_positive

__all__ = [
    "NWKernelRegression",
    "gaussian_kernel_pooling",
    "kernel_regression_data",
    "kernel_regression_target",
    "leave_one_out",
]


def kernel_regression_target(x: torch.Tensor) -> torch.Tensor:
    """书中核回归例子的真实函数 :math:`f(x) = 2\\sin x + x^{0.8}` （``x`` 应非负）。

    Examples
    --------
    >>> kernel_regression_target(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 2.6829])
    """
    return 2 * torch.sin(x) + x**0.8


def kernel_regression_data(
    n_train: int = 50, noise: float = 0.5, *, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """核回归的合成数据：``n_train`` 个训练点与 ``[0, 5)`` 上步长 0.1 的 50 个测试点。

    训练输入在 :math:`[0, 5)` 上均匀抽取并排好序，标签是 :func:`kernel_regression_target`
    加上标准差为 ``noise`` 的正态噪声；测试点给出的是不含噪声的真实值。

    Returns
    -------
    x_train, y_train, x_test, y_truth : torch.Tensor
        形状 ``(n_train,)``、``(n_train,)``、``(50,)``、``(50,)``。

    Examples
    --------
    >>> x_train, y_train, x_test, y_truth = kernel_regression_data(seed=0)
    >>> x_train.shape, x_test.shape, bool((x_train[1:] >= x_train[:-1]).all())
    (torch.Size([50]), torch.Size([50]), True)
    >>> torch.equal(kernel_regression_data(seed=0)[1], y_train)
    True
    """
    check_positive("n_train", n_train)
    if noise < 0:
        raise ValueError(f"noise 是噪声的标准差，必须非负，收到 {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
    g = torch.Generator().manual_seed(seed)
    x_train, _ = torch.sort(torch.rand(n_train, generator=g) * 5)
    y_train = kernel_regression_target(x_train) + torch.normal(
        0.0, float(noise), (n_train,), generator=g
    )
    x_test = torch.arange(0, 5, 0.1)
    return x_train, y_train, x_test, kernel_regression_target(x_test)


def gaussian_kernel_pooling(
    queries: torch.Tensor,
    keys: torch.Tensor,
    values: torch.Tensor,
    w: float | torch.Tensor = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """高斯核注意力汇聚 :math:`f(x) = \\sum_i \\mathrm{softmax}(-\\tfrac12 ((x - x_i) w)^2)\\, y_i`。

    Parameters
    ----------
    queries : torch.Tensor
        形状 ``(n,)`` 的查询 :math:`x`。
    keys, values : torch.Tensor
        形状 ``(m,)`` （所有查询共用同一组键值对）或 ``(n, m)`` （每个查询各有一组）。
    w : float or torch.Tensor
        核的宽度参数（标量）；``w`` 越大，权重越集中在离查询最近的键上。

    Returns
    -------
    y_hat : torch.Tensor
        形状 ``(n,)`` 的预测。
    weights : torch.Tensor
        形状 ``(n, m)`` 的注意力权重，每行之和为 1。

    Examples
    --------
    >>> y_hat, weights = gaussian_kernel_pooling(torch.tensor([0.0, 2.0]),
    ...                                          torch.tensor([0.0, 2.0]), torch.tensor([1.0, 3.0]))
    >>> torch.allclose(weights.sum(1), torch.ones(2))
    True
    >>> y_hat               # 离查询近的键权重大：预测更接近它的值
    tensor([1.2384, 2.7616])
    """
    if queries.dim() != 1:
        raise ValueError(f"queries 必须是一维张量，收到形状 {tuple(queries.shape)}")
    if keys.shape != values.shape or keys.dim() not in (1, 2):
        raise ValueError(
            f"keys 与 values 的形状必须相同，且为 (m,) 或 (n, m)，收到 {tuple(keys.shape)} 与 "
            f"{tuple(values.shape)}"
        )
    if keys.dim() == 2 and keys.shape[0] != queries.shape[0]:
        raise ValueError(f"keys 有 {keys.shape[0]} 行，而查询有 {queries.shape[0]} 个")
    n = queries.shape[0]
    keys, values = keys.expand(n, -1), values.expand(n, -1)  # (n, m)
    # 每个查询与它的每个键之差：(n, 1) - (n, m) → (n, m)
    weights = torch.softmax(-(((queries.unsqueeze(1) - keys) * w) ** 2) / 2, dim=1)
    # 批量矩阵乘法：n 个 (1, m) × (m, 1) → n 个 (1, 1)
    y_hat = torch.bmm(weights.unsqueeze(1), values.unsqueeze(-1)).reshape(-1)
    return y_hat, weights


def leave_one_out(x: torch.Tensor) -> torch.Tensor:
    """形状 ``(n,)`` → ``(n, n-1)``：第 ``i`` 行是去掉第 ``i`` 个元素之后的 ``x``。

    训练带参数的核回归时，每个训练样本当查询，其余样本当键值对（若把它自己也当键，
    把 ``w`` 调到无穷大就能把训练误差降到 0）。

    Examples
    --------
    >>> leave_one_out(torch.tensor([1, 2, 3]))
    tensor([[2, 3],
            [1, 3],
            [1, 2]])
    """
    if x.dim() != 1 or len(x) < 2:
        raise ValueError(f"x 必须是至少有 2 个元素的一维张量，收到形状 {tuple(x.shape)}")
    n = len(x)
    keep = ~torch.eye(n, dtype=torch.bool)
    return x.repeat(n, 1)[keep].reshape(n, n - 1)


class NWKernelRegression(nn.Module):
    """带参数的 Nadaraya–Watson 核回归：:func:`gaussian_kernel_pooling` 中的 ``w`` 可以学习。

    ``w`` 的初值取自 :math:`U(0, 1)` （同 D2L）；给出 ``generator`` 时由它抽取。
    ``forward`` 返回预测，并把注意力权重存在 ``attention_weights`` 中。

    Examples
    --------
    >>> net = NWKernelRegression(generator=torch.Generator().manual_seed(0))
    >>> x = torch.arange(4.0)
    >>> net(x, leave_one_out(x), leave_one_out(x ** 2)).shape, net.attention_weights.shape
    (torch.Size([4]), torch.Size([4, 3]))
    """

    def __init__(self, *, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.rand(1, generator=generator))
        self.attention_weights: torch.Tensor | None = None

    def forward(
        self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor
    ) -> torch.Tensor:
        y_hat, self.attention_weights = gaussian_kernel_pooling(queries, keys, values, self.w)
        return y_hat
