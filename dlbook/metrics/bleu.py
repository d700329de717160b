"""BLEU：用 n 元语法的精度评价机器翻译的结果。

D2L 使用的形式（单个参考译文）：

.. math::

    \\mathrm{BLEU} = \\exp\\left(\\min\\left(0, 1 - \\frac{\\mathrm{len}_{\\text{label}}}
    {\\mathrm{len}_{\\text{pred}}}\\right)\\right) \\prod_{n=1}^{k} p_n^{1/2^n},

其中 :math:`p_n` 是预测序列中与参考序列匹配的 :math:`n` 元语法数（每种 n 元语法最多匹配它在
参考序列中出现的次数）除以预测序列中 :math:`n` 元语法的总数。前面的因子惩罚过短的预测；
权重 :math:`1/2^n` 让长的 n 元语法匹配得到更高的分数（:math:`p_n < 1` 时 :math:`p_n^{1/2^n}`
随 :math:`n` 增大而变大）。

软件消息里有很多只有一两个词元的译文（“Terminé”）。按上式，任何短于 :math:`k` 个词元的预测都没有
:math:`k` 元语法可比，BLEU 恒为 0，连完全正确的译文也是如此；所以这里的 :math:`n` 只取到
:math:`\\min(k, \\mathrm{len}_{\\text{pred}}, \\mathrm{len}_{\\text{label}})`。两个序列都不短于 :math:`k`
时，与上式完全相同。
"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence

__all__ = ["bleu", "ngram_precision"]


def ngram_precision(pred: Sequence[str], label: Sequence[str], n: int) -> tuple[int, int]:
    """预测中与参考匹配的 n 元语法数，以及预测中 n 元语法的总数（“截断”的计数）。

    Examples
    --------
    >>> ngram_precision("the the the".split(), "the cat".split(), 1)   # 'the' 最多匹配 1 次
    (1, 3)
    """
    label_counts = collections.Counter(tuple(label[i : i + n]) for i in range(len(label) - n + 1))
    matches = 0
    total = max(len(pred) - n + 1, 0)
    for i in range(total):
        gram = tuple(pred[i : i + n])
        if label_counts[gram] > 0:
            matches += 1
            label_counts[gram] -= 1
    return matches, total


def bleu(pred: Sequence[str], label: Sequence[str], k: int = 2) -> float:
    """预测词元序列 ``pred`` 相对参考序列 ``label`` 的 BLEU（n 元语法最多到 ``k``）。

    预测与参考完全相同时为 1（包括只有一个词元的序列）；某个 :math:`p_n` 为 0 时为 0。

    Examples
    --------
    >>> bleu("il est calme .".split(), "il est calme .".split(), k=2)
    1.0
    >>> round(bleu("il est .".split(), "il est calme .".split(), k=2), 4)
    0.6025
    >>> bleu("bonjour".split(), "il est calme .".split(), k=2)
    0.0
    >>> bleu(["terminé"], ["terminé"], k=2)      # 单个词元：只比较一元语法
    1.0
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k 必须是正整数，收到 {k!r}")
    len_pred, len_label = len(pred), len(label)
    if len_pred == 0 or len_label == 0:
        return 0.0
    score = math.exp(min(0.0, 1 - len_label / len_pred))
    for n in range(1, min(k, len_pred, len_label) + 1):
        matches, total = ngram_precision(pred, label, n)
        if total == 0 or matches == 0:
            return 0.0
        score *= (matches / total) ** (0.5**n)
    return score
