"""困惑度：语言模型的评价指标，以及作为参照的 n 元语法模型的困惑度。"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["ngram_perplexity", "perplexity"]


def perplexity(logits: torch.Tensor, targets: torch.Tensor) -> float:
    r"""困惑度 :math:`\exp\left(-\frac{1}{n}\sum_{t=1}^n \log P(x_t \mid x_{t-1}, \ldots, x_1)\right)`：
    交叉熵损失（每个词元的平均值）的指数。

    ``logits`` 的形状是 ``(n, 词表大小)``，``targets`` 是 ``n`` 个词元的索引。

    Examples
    --------
    完全确定的模型困惑度为 1；处处均匀的模型困惑度等于词表大小：

    >>> targets = torch.tensor([0, 2, 1])
    >>> perplexity(torch.eye(3)[targets] * 100, targets)
    1.0
    >>> round(perplexity(torch.zeros(3, 28), targets), 3)
    28.0
    >>> perplexity(torch.zeros(0, 28), torch.zeros(0, dtype=torch.long))
    Traceback (most recent call last):
        ...
    ValueError: 至少需要一个词元才能求困惑度（收到 0 个）
    """
    if logits.dim() != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(
            f"logits 应为 (n, 词表大小)、targets 应为 (n,)，收到 {tuple(logits.shape)} 与 {tuple(targets.shape)}"
        )
    if targets.numel() == 0:  # 0 个词元的平均交叉熵是 0/0，cross_entropy 会悄悄返回 nan
        raise ValueError("至少需要一个词元才能求困惑度（收到 0 个）")
    return math.exp(nn.functional.cross_entropy(logits, targets.long()).item())


def ngram_perplexity(
    corpus: Sequence[int], n: int, vocab_size: int, heldout: Sequence[int] | None = None
) -> float:
    r"""n 元语法模型（加一平滑）的困惑度，作为神经网络语言模型的参照。

    用 ``corpus`` 的计数估计 :math:`\hat{P}(x_t \mid x_{t-n+1}, \ldots, x_{t-1}) =
    \frac{n(x_{t-n+1}, \ldots, x_t) + 1}{n(x_{t-n+1}, \ldots, x_{t-1}) + |\mathcal{V}|}`
    （拉普拉斯平滑，:math:`\epsilon = |\mathcal{V}|`），再在 ``heldout`` 上求困惑度。不给 ``heldout``
    时在 ``corpus`` 本身上求——与训练集上的困惑度一样，是“样本内”的数字；给出留出的文本（例如书的后一部分）
    时，它与语言模型的验证困惑度可以直接比较。求困惑度的序列里前 :math:`n - 1` 个词元没有完整的上下文，不计入。

    Examples
    --------
    >>> round(ngram_perplexity([0, 1] * 50, 1, 2), 3)        # 两个词元各占一半
    2.0
    >>> ngram_perplexity([0, 1] * 50, 2, 2) < 1.1           # 知道上一个词元就几乎确定下一个
    True
    >>> round(ngram_perplexity([0, 1] * 50, 2, 3, heldout=[0, 2, 0]), 2)  # 留出文本里有没见过的 2
    12.61
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n 必须是正整数，收到 {n!r}")
    corpus = list(corpus)
    heldout = corpus if heldout is None else list(heldout)
    for name, seq in (("corpus", corpus), ("heldout", heldout)):
        if len(seq) < n:
            raise ValueError(f"{name} 至少要有 n={n} 个词元，收到 {len(seq)} 个")
    grams = list(zip(*(corpus[i:] for i in range(n))))
    counts = collections.Counter(grams)
    contexts = collections.Counter(g[:-1] for g in grams)
    tests = list(zip(*(heldout[i:] for i in range(n))))
    log_prob = sum(math.log((counts[g] + 1) / (contexts[g[:-1]] + vocab_size)) for g in tests)
    return math.exp(-log_prob / len(tests))
