"""生成序列的三种搜索策略：贪心搜索、穷举搜索与束搜索。

三者都只需要一个函数 ``step(prefix)``：给定已经生成的词元（元组，不含开始词元），返回下一个词元
在整个词表上的**对数**概率（一维张量）。序列在生成结束词元 ``eos`` 或达到 ``max_len`` 个词元时结束。
一个候选序列 :math:`y_1, \\ldots, y_L` 的概率是各步条件概率之积
:math:`\\prod_{t} P(y_t \\mid y_1, \\ldots, y_{t-1}, \\mathbf{c})`；比较长短不同的序列时用
:math:`\\frac{1}{L^\\alpha} \\log P` 打分（:meth:`Hypothesis.score`），以免总是偏爱短序列。
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable

import torch

__all__ = ["Hypothesis", "beam_search", "exhaustive_search", "greedy_search"]

StepFn = Callable[[tuple[int, ...]], torch.Tensor]


@dataclasses.dataclass(frozen=True)
class Hypothesis:
    """一个候选序列及其对数概率。"""

    tokens: tuple[int, ...]
    log_prob: float

    @property
    def prob(self) -> float:
        """序列的概率 :math:`P = \\exp(\\log P)`。"""
        return math.exp(self.log_prob)

    def score(self, alpha: float = 0.75) -> float:
        """长度归一化的得分 :math:`\\log P / L^\\alpha`。

        Examples
        --------
        >>> h = Hypothesis((1, 2, 0), math.log(0.125))
        >>> round(h.score(alpha=1.0), 4) == round(math.log(0.5), 4)
        True
        """
        return self.log_prob / max(len(self.tokens), 1) ** alpha


def _check(eos: int, max_len: int) -> None:
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"max_len 必须是正整数，收到 {max_len!r}")
    if isinstance(eos, bool) or not isinstance(eos, int) or eos < 0:
        raise ValueError(f"eos 必须是非负整数（结束词元的索引），收到 {eos!r}")


def greedy_search(step: StepFn, eos: int, max_len: int) -> Hypothesis:
    """贪心搜索：每一步都取条件概率最大的词元。计算量是 :math:`O(T)` 次 ``step``。

    Examples
    --------
    >>> probs = torch.tensor([0.1, 0.6, 0.3])           # 每一步都一样：词元 1 最可能
    >>> greedy_search(lambda prefix: probs.log(), eos=0, max_len=3).tokens
    (1, 1, 1)
    """
    _check(eos, max_len)
    tokens: tuple[int, ...] = ()
    log_prob = 0.0
    while len(tokens) < max_len:
        log_probs = step(tokens)
        token = int(log_probs.argmax())
        tokens, log_prob = tokens + (token,), log_prob + float(log_probs[token])
        if token == eos:
            break
    return Hypothesis(tokens, log_prob)


def exhaustive_search(
    step: StepFn, vocab_size: int, eos: int, max_len: int, *, alpha: float = 0.75
) -> tuple[Hypothesis, int]:
    """穷举搜索：列出所有可能的序列，返回（得分最高的序列，调用 ``step`` 的次数）。

    长度为 :math:`T` 的序列有 :math:`|\\mathcal{Y}|^T` 个，只有很小的词表和很短的序列才算得动。
    """
    _check(eos, max_len)
    best: Hypothesis | None = None
    calls = 0
    cache: dict[tuple[int, ...], torch.Tensor] = {}

    def log_probs_after(prefix: tuple[int, ...]) -> torch.Tensor:
        nonlocal calls
        if prefix not in cache:
            cache[prefix] = step(prefix)
            calls += 1
        return cache[prefix]

    for length in range(1, max_len + 1):
        for body in itertools.product(
            [t for t in range(vocab_size) if t != eos], repeat=length - 1
        ):
            endings = [eos] if length < max_len else range(vocab_size)
            for last in endings:
                tokens = (*body, last)
                log_prob = sum(float(log_probs_after(tokens[:i])[tokens[i]]) for i in range(length))
                h = Hypothesis(tokens, log_prob)
                if best is None or h.score(alpha) > best.score(alpha):
                    best = h
    assert best is not None
    return best, calls


def beam_search(
    step: StepFn, eos: int, max_len: int, beam_size: int, *, alpha: float = 0.75
) -> Hypothesis:
    """束搜索：每一步只保留条件概率之积最大的 ``beam_size`` 个未结束的序列。

    每一步把每个保留的序列扩展到词表中的每个词元，从全部扩展中选出对数概率最大的
    ``beam_size`` 个：以 ``eos`` 结尾的进入候选集合、不再扩展，其余作为下一步的束。达到 ``max_len``
    时束中的序列也进入候选集合。最后返回候选集合中 :meth:`Hypothesis.score` 最高的序列。
    ``beam_size=1`` 就是贪心搜索。

    Examples
    --------
    >>> probs = torch.tensor([0.1, 0.6, 0.3])
    >>> beam_search(lambda prefix: probs.log(), eos=0, max_len=3, beam_size=2).tokens
    (1, 1, 1)
    """
    _check(eos, max_len)
    if isinstance(beam_size, bool) or not isinstance(beam_size, int) or beam_size < 1:
        raise ValueError(f"beam_size 必须是正整数，收到 {beam_size!r}")
    beams = [Hypothesis((), 0.0)]
    candidates: list[Hypothesis] = []
    for _ in range(max_len):
        expanded = []
        for h in beams:
            log_probs = step(h.tokens)
            for token, lp in enumerate(log_probs.tolist()):
                expanded.append(Hypothesis(h.tokens + (token,), h.log_prob + lp))
        expanded.sort(key=lambda h: h.log_prob, reverse=True)
        beams = []
        for h in expanded[:beam_size]:
            (candidates if h.tokens[-1] == eos else beams).append(h)
        if not beams:
            break
    candidates.extend(beams)  # 达到最大长度仍未结束的序列
    return max(candidates, key=lambda h: h.score(alpha))
