"""BLEU：用 n 元语法的精度评价机器翻译的结果。

两种形式：

* :func:`bleu` 是 D2L 的**逐句** BLEU（单个参考译文）：

  .. math::

      \\mathrm{BLEU} = \\exp\\left(\\min\\left(0, 1 - \\frac{\\mathrm{len}_{\\text{label}}}
      {\\mathrm{len}_{\\text{pred}}}\\right)\\right) \\prod_{n=1}^{k} p_n^{1/2^n},

  其中 :math:`p_n` 是预测序列中与参考序列匹配的 :math:`n` 元语法数（每种 n 元语法最多匹配它在
  参考序列中出现的次数，即“截断”的计数）除以预测序列中 :math:`n` 元语法的总数。前面的因子惩罚过短的
  预测。指数 :math:`1/2^n` 随 :math:`n` **减小**：:math:`\\log \\mathrm{BLEU}` 对
  :math:`\\log p_n` 的权重是 :math:`1/2^n`，所以一元语法精度的权重最大，n 越大权重越小——
  :math:`p_n < 1` 时 :math:`p_n^{1/2^n}` 随 :math:`n` 增大而更接近 1，也就是长 n 元语法的失配
  **罚得更轻**（D2L 说这样“给长 n 元语法更大的权重”，说反了）。
  任何短于 :math:`k` 个词元的预测都没有 :math:`k` 元语法可比，按上式 BLEU 恒为 0，连完全正确的
  短译文也是如此；所以这里的 :math:`n` 只取到 :math:`\\min(k, \\mathrm{len}_{\\text{pred}},
  \\mathrm{len}_{\\text{label}})`。两个序列都不短于 :math:`k` 时，与上式完全相同。

* :func:`corpus_bleu` 是论文里通常报告的**语料级** BLEU-4（Papineni 等人，2002；``sacrebleu``
  的默认算法，不做平滑）：每个 :math:`n` 的截断匹配数与 n 元语法总数先在整个语料上求和，
  :math:`p_n = \\sum \\text{匹配} / \\sum \\text{总数}`；四个精度取几何平均（权重都是 1/4），
  长度惩罚 :math:`\\exp(\\min(0, 1 - r/c))` 用参考译文的总长 :math:`r` 与预测的总长 :math:`c`。
"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence

__all__ = ["bleu", "corpus_bleu", "ngram_precision"]


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


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k 必须是正整数，收到 {k!r}")


def bleu(pred: Sequence[str], label: Sequence[str], k: int = 2) -> float:
    """预测词元序列 ``pred`` 相对参考序列 ``label`` 的逐句 BLEU（D2L 的形式，n 元语法最多到 ``k``）。

    预测与参考完全相同时为 1（包括只有一个词元的序列）；某个 :math:`p_n` 为 0 时为 0。

    Examples
    --------
    >>> bleu("il est calme .".split(), "il est calme .".split(), k=2)
    1.0
    >>> round(bleu("il est .".split(), "il est calme .".split(), k=2), 4)
    0.6025
    >>> bleu("bonjour".split(), "il est calme .".split(), k=2)
    0.0
    >>> bleu(["好"], ["好"], k=2)      # 单个词元：只比较一元语法
    1.0
    """
    _check_k(k)
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


def corpus_bleu(
    preds: Sequence[Sequence[str]], labels: Sequence[Sequence[str]], k: int = 4
) -> float:
    """语料级 BLEU（默认 BLEU-4）：n 元语法的截断匹配数与总数在整个语料上求和后再算精度。

    结果在 0 与 1 之间（``sacrebleu`` 报告的是它的 100 倍）。某个 :math:`n` 在整个语料上没有一个
    匹配时为 0（不做平滑）。

    Examples
    --------
    >>> preds = ["the cat sat on the mat".split(), "a dog".split()]
    >>> labels = ["the cat sat on a mat".split(), "a dog barked".split()]
    >>> round(corpus_bleu(preds, labels), 4)
    0.4928
    >>> corpus_bleu([["a"]], [["a"]])       # 整个语料没有一个 2 元语法：0
    0.0
    """
    _check_k(k)
    if len(preds) != len(labels):
        raise ValueError(f"preds 与 labels 的句子数必须相同，收到 {len(preds)} 与 {len(labels)}")
    if not preds:
        raise ValueError("preds 不能为空")
    matches, totals = [0] * k, [0] * k
    for pred, label in zip(preds, labels, strict=True):
        for n in range(1, k + 1):
            m, t = ngram_precision(pred, label, n)
            matches[n - 1] += m
            totals[n - 1] += t
    if min(matches) == 0:
        return 0.0
    c, r = sum(len(p) for p in preds), sum(len(label) for label in labels)
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals, strict=True)) / k
    return math.exp(min(0.0, 1 - r / c) + log_precision)
