"""第 13 章 自然语言处理：预训练的练习检查器：跳元模型的（中心词, 上下文词）对、余弦相似度近邻。"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch.nn import functional as F

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _skipgram_pairs_reference(tokens: Sequence[Any], window: int) -> list[tuple[Any, Any]]:
    pairs = []
    for i, center in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window + 1)):
            if j != i:
                pairs.append((center, tokens[j]))
    return pairs


def check_skipgram_pairs(fn: Callable[[Sequence[Any], int], list]) -> CheckResult:
    """检查 ``fn(tokens, window)``：一个句子里全部（中心词, 上下文词）对，按中心词位置、再按上下文词位置排序。

    上下文词是与中心词距离 1 到 ``window`` 的词，不含中心词自己，超出句子两端的位置不存在。

    Parameters
    ----------
    fn : callable
        读者写的函数，返回元组的列表。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def skipgram_pairs(tokens, window):
    ...     raise NotImplementedError
    >>> check_skipgram_pairs(skipgram_pairs).status
    '尚未完成'
    """
    sentence = ["the", "man", "loves", "his", "son"]
    cases = [
        Case(
            "5 个词、窗口 1",
            (sentence, 1),
            hint="每个中心词的上下文是它左右各 window 个词；不要把中心词自己算进去。",
        ),
        Case(
            "5 个词、窗口 2",
            (sentence, 2),
            hint="距离可以正好等于 window：位置 i 的上下文是 i − window 到 i + window（含两端）。",
        ),
        Case(
            "窗口比句子长",
            (["a", "b", "c"], 5),
            hint="超出句子两端的位置不存在：下标截到 0 与 len(tokens) − 1 之间。",
        ),
        Case("只有一个词", (["alone"], 2), hint="只有一个词时没有上下文，返回空列表。"),
    ]
    return check_function(fn, _skipgram_pairs_reference, cases, name="skipgram_pairs")


def _cosine_knn_reference(
    W: torch.Tensor, x: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    cos = F.cosine_similarity(W, x[None, :], dim=1)
    top = cos.topk(k)
    return top.indices, top.values


def check_cosine_knn(fn: Callable[..., tuple], device: str | None = None) -> CheckResult:
    """检查 ``fn(W, x, k)``：词表矩阵 ``W`` ``(n, d)`` 中与向量 ``x`` ``(d,)`` 余弦相似度最高的 ``k`` 行。

    返回 ``(下标, 相似度)``，各长 ``k``，按相似度从高到低；下标是 ``long``。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def cosine_knn(W, x, k):
    ...     raise NotImplementedError
    >>> check_cosine_knn(cosine_knn).status
    '尚未完成'
    """
    g = seeded(21)
    scales = torch.tensor([0.1, 10.0, 1.0, 3.0, 0.5, 20.0])[:, None]
    cases = [
        Case(
            "10 个词、4 维、k = 3",
            (torch.randn(10, 4, generator=g), torch.randn(4, generator=g), 3),
            hint="余弦相似度是 W x / (‖W 的每一行‖ · ‖x‖)；用 topk 取最高的 k 个，返回 (下标, 相似度)。",
        ),
        Case(
            "向量长短悬殊",
            (torch.randn(6, 3, generator=g) * scales, torch.randn(3, generator=g), 2),
            hint="只用点积会偏向长的向量：W 的每一行都要除以自己的范数。",
        ),
        Case(
            "x 的长度不是 1",
            (torch.randn(5, 2, generator=g), torch.tensor([30.0, -40.0]), 1),
            hint="x 也要除以它的范数，相似度才落在 [−1, 1] 之间。",
        ),
    ]
    return check_function(
        fn, _cosine_knn_reference, cases, name="cosine_knn", device=device, rtol=1e-5, atol=1e-6
    )
