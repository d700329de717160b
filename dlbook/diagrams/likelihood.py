"""抛硬币的极大似然估计：一串观测在不同的正面概率 :math:`p` 下的似然，以及它随 :math:`p` 变化的曲线。

观测到 :math:`h` 次正面、:math:`t` 次反面（各次独立）时，似然是
:math:`L(p) = p^h (1 - p)^t`。令 :math:`\\frac{d}{dp}\\log L = \\frac{h}{p} - \\frac{t}{1 - p} = 0`，
得极大似然估计 :math:`\\hat{p} = h / (h + t)`，即正面出现的频率。
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch

from dlbook.plotting.figures import set_axes, use_book_style

__all__ = ["bernoulli_likelihood", "plot_coin_likelihood"]


def _outcomes(outcomes: Sequence[int] | torch.Tensor) -> torch.Tensor:
    x = torch.as_tensor(outcomes, dtype=torch.float64).flatten()
    if x.numel() == 0 or not bool(((x == 0) | (x == 1)).all()):
        raise ValueError(f"outcomes 必须是非空的 0/1 序列（1 = 正面，0 = 反面），收到 {outcomes!r}")
    return x


def bernoulli_likelihood(
    p: float | torch.Tensor, outcomes: Sequence[int] | torch.Tensor
) -> torch.Tensor:
    r"""一串独立的抛硬币结果在正面概率为 ``p`` 时出现的概率 :math:`\prod_i p^{x_i}(1 - p)^{1 - x_i}`。

    ``p`` 可以是一个张量，对每个元素分别计算（用来画似然随 :math:`p` 变化的曲线）。

    Parameters
    ----------
    p : float or torch.Tensor
        正面朝上的概率，取值在 :math:`[0, 1]`。
    outcomes : sequence of int or torch.Tensor
        观测到的结果，1 表示正面，0 表示反面。

    Examples
    --------
    >>> tosses = [1, 1, 0, 1]  # 3 次正面、1 次反面
    >>> round(bernoulli_likelihood(0.5, tosses).item(), 4)  # 0.5 ** 4
    0.0625
    >>> bernoulli_likelihood(torch.tensor([0.0, 0.75, 1.0]), tosses)
    tensor([0.0000, 0.1055, 0.0000], dtype=torch.float64)
    """
    x = _outcomes(outcomes)
    p = torch.as_tensor(p, dtype=torch.float64)
    if bool(((p < 0) | (p > 1)).any()):
        raise ValueError(f"p 是概率，必须在 [0, 1] 之内，收到 {p}")
    heads = x.sum()
    tails = x.numel() - heads
    return p**heads * (1 - p) ** tails


def plot_coin_likelihood(
    outcomes: Sequence[int] | torch.Tensor,
    candidates: Sequence[float] = (0.1, 0.7, 0.8),
    *,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """画出似然 :math:`L(p)` 在 :math:`p \\in [0, 1]` 上的曲线，标出几个候选的 ``p`` 与极大值点。

    Examples
    --------
    >>> ax = plot_coin_likelihood([1, 1, 0, 1, 1, 1, 0, 1, 0, 1])
    >>> [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    ['似然 $L(p)$', '极大值 p = 0.70']
    >>> len(ax.collections), ax.get_xlabel()  # 三个候选各一个散点
    (3, '正面朝上的概率 p')
    >>> plt.close("all")
    """
    x = _outcomes(outcomes)
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 2.8))
    p = torch.linspace(0, 1, 501, dtype=torch.float64)
    ax.plot(p.numpy(), bernoulli_likelihood(p, x).numpy(), "C0-", label="似然 $L(p)$")
    best = (x.sum() / x.numel()).item()
    ax.axvline(best, color="gray", linestyle=":")
    ax.plot(
        [best],
        [bernoulli_likelihood(best, x).item()],
        "k*",
        markersize=10,
        label=f"极大值 p = {best:.2f}",
    )
    for i, c in enumerate(candidates):
        value = bernoulli_likelihood(c, x).item()
        ax.scatter([c], [value], color=f"C{i + 1}", zorder=3, label=f"p = {c}：{value:.2e}")
    heads = int(x.sum().item())
    ax.set_title(f"{x.numel()} 次中 {heads} 次正面", fontsize=10)
    set_axes(ax, xlabel="正面朝上的概率 p", ylabel="似然", xlim=(0, 1))
    ax.legend(fontsize="small")
    return ax
