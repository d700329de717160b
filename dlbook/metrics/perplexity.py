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
    """
    if logits.dim() != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(
            f"logits 应为 (n, 词表大小)、targets 应为 (n,)，收到 {tuple(logits.shape)} 与 {tuple(targets.shape)}"
        )
    return math.exp(nn.functional.cross_entropy(logits, targets.long()).item())


def ngram_perplexity(corpus: Sequence[int], n: int, vocab_size: int) -> float:
    r"""n 元语法模型（加一平滑）在语料上的困惑度，作为神经网络语言模型的参照。

    用语料本身的计数估计 :math:`\hat{P}(x_t \mid x_{t-n+1}, \ldots, x_{t-1}) =
    \frac{n(x_{t-n+1}, \ldots, x_t) + 1}{n(x_{t-n+1}, \ldots, x_{t-1}) + |\mathcal{V}|}`
    （拉普拉斯平滑，:math:`\epsilon = |\mathcal{V}|`），再在同一份语料上求困惑度——与训练集上的
    困惑度一样，是“样本内”的数字。前 :math:`n - 1` 个词元没有完整的上下文，不计入。

    Examples
    --------
    >>> round(ngram_perplexity([0, 1] * 50, 1, 2), 3)        # 两个词元各占一半
    2.0
    >>> ngram_perplexity([0, 1] * 50, 2, 2) < 1.1           # 知道上一个词元就几乎确定下一个
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n 必须是正整数，收到 {n!r}")
    corpus = list(corpus)
    if len(corpus) < n:
        raise ValueError(f"corpus 至少要有 n={n} 个词元，收到 {len(corpus)} 个")
    grams = list(zip(*(corpus[i:] for i in range(n))))
    counts = collections.Counter(grams)
    contexts = collections.Counter(g[:-1] for g in grams)
    log_prob = sum(math.log((counts[g] + 1) / (contexts[g[:-1]] + vocab_size)) for g in grams)
    return math.exp(-log_prob / len(grams))
