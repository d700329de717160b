"""评价词向量（第 13 章）：类比题的准确率、词相似度基准上的斯皮尔曼等级相关。

这里的函数只用词向量对象的两个属性：``token_to_idx`` （词 → 行号）与 ``vectors`` （每个词一行的矩阵），
所以 GloVe 的预训练向量（:func:`dlbook.data.embeddings.load_glove`）和我们自己训练的 word2vec
（把词表与嵌入层权重装进 :class:`dlbook.data.embeddings.TokenEmbedding`）用同一段代码评价。

* :func:`analogy_accuracy`：“``a`` 之于 ``b`` 犹如 ``c`` 之于 ?”，答案取与
  ``vec(b) - vec(a) + vec(c)`` 余弦相似度最高、又不是 ``a``、``b``、``c`` 的词（Mikolov 等人的 3CosAdd，
  与 word2vec 的 ``compute-accuracy`` 和 gensim 的做法相同），只在前 ``candidates`` 个词里找，四个词
  都在其中的题才计入；
* :func:`similarity_correlation`：词对的余弦相似度与人给的分数之间的斯皮尔曼等级相关
  （:func:`spearman`），两个词都在词表里的词对才计入；
* :func:`evaluate_embedding`：把这两样汇总成一行（语义类比、语法类比、WordSim-353、SimLex-999）。
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

__all__ = [
    "EmbeddingScores",
    "SectionScore",
    "analogy_accuracy",
    "evaluate_embedding",
    "similarity_correlation",
    "spearman",
]


def _ranks(values: np.ndarray) -> np.ndarray:
    """从 1 开始的名次；并列的值取它们名次的平均。"""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return sums[inverse] / counts[inverse]


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """斯皮尔曼等级相关系数：两组数各自换成名次（并列取平均名次）之后的皮尔逊相关系数。

    Examples
    --------
    >>> spearman([1, 2, 3, 4], [10, 20, 30, 400])
    1.0
    >>> spearman([1, 2, 3, 4], [4, 3, 2, 1])
    -1.0
    >>> round(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 4)
    0.9487
    """
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"x 与 y 必须是等长（至少 2 个）的一维序列，收到 {a.shape} 与 {b.shape}")
    ra, rb = _ranks(a) - (len(a) + 1) / 2, _ranks(b) - (len(b) + 1) / 2
    denom = np.sqrt((ra**2).sum() * (rb**2).sum())
    if denom == 0:
        raise ValueError("x 或 y 的值全都相同，等级相关没有定义")
    return float((ra * rb).sum() / denom)


def _unit(embedding: Any) -> torch.Tensor:
    vectors = torch.as_tensor(embedding.vectors, dtype=torch.float32)
    return vectors / vectors.norm(dim=1, keepdim=True).clamp_min(1e-12)


@dataclasses.dataclass(frozen=True)
class SectionScore:
    """类比题一节的成绩。

    Attributes
    ----------
    correct : int
        答对的题数。
    covered : int
        四个词都在候选词里、因而计入的题数。
    total : int
        这一节的题数。
    """

    correct: int
    covered: int
    total: int

    @property
    def accuracy(self) -> float:
        """计入的题里答对的比例（没有计入的题时为 ``nan``）。"""
        return self.correct / self.covered if self.covered else float("nan")


def analogy_accuracy(
    embedding: Any,
    questions: Mapping[str, Sequence[tuple[str, str, str, str]]],
    *,
    candidates: int | None = 30_000,
    batch_size: int = 512,
) -> dict[str, SectionScore]:
    """逐节计算类比题的准确率。

    Parameters
    ----------
    embedding : object
        有 ``token_to_idx`` 与 ``vectors`` 属性的词向量，例如
        :class:`~dlbook.data.embeddings.TokenEmbedding`。
    questions : mapping
        节名 → ``(a, b, c, d)`` 的列表（:func:`dlbook.data.embeddings.load_analogy_questions`）。
    candidates : int or None
        只在行号小于它的词（按词频排列的词表里就是最常用的词）里找答案，四个词都在其中的题才计入；
        默认 30,000，与 word2vec 的 ``compute-accuracy`` 相同。``None`` 表示整个词表。
    batch_size : int
        每次一起算的题数。

    Returns
    -------
    dict
        节名 → :class:`SectionScore`。

    Examples
    --------
    >>> from dlbook.data.embeddings import TokenEmbedding
    >>> vectors = torch.tensor([[1.0, 1, 0], [1, -1, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1]])
    >>> emb = TokenEmbedding(["king", "queen", "man", "woman", "apple"], vectors)
    >>> scores = analogy_accuracy(emb, {"family": [("man", "woman", "king", "queen"),
    ...                                            ("man", "king", "woman", "apple"),
    ...                                            ("man", "woman", "king", "prince")]})
    >>> scores["family"], scores["family"].accuracy
    (SectionScore(correct=1, covered=2, total=3), 0.5)
    """
    unit = _unit(embedding)
    limit = len(unit) if candidates is None else min(int(candidates), len(unit))
    if limit < 4:
        raise ValueError(f"candidates 至少是 4，收到 {candidates!r}")
    index = embedding.token_to_idx
    scores = {}
    for section, items in questions.items():
        rows = [
            [index[w] for w in q] for q in items if all(w in index and index[w] < limit for w in q)
        ]
        correct = 0
        for start in range(0, len(rows), batch_size):
            ids = torch.tensor(rows[start : start + batch_size])
            query = unit[ids[:, 1]] - unit[ids[:, 0]] + unit[ids[:, 2]]
            sims = query @ unit[:limit].T
            sims.scatter_(1, ids[:, :3], float("-inf"))
            correct += int((sims.argmax(dim=1) == ids[:, 3]).sum())
        scores[section] = SectionScore(correct, len(rows), len(items))
    return scores


def similarity_correlation(
    embedding: Any, pairs: Sequence[tuple[str, str, float]]
) -> tuple[float, int]:
    """词对的余弦相似度与人给的分数之间的斯皮尔曼等级相关，以及计入的词对数。

    Examples
    --------
    >>> from dlbook.data.embeddings import TokenEmbedding
    >>> emb = TokenEmbedding(["cat", "dog", "car"], torch.tensor([[1., 0.1], [1, 0.3], [0, 1]]))
    >>> similarity_correlation(emb, [("cat", "dog", 9.0), ("cat", "car", 1.0),
    ...                              ("dog", "car", 2.0), ("cat", "tiger", 8.0)])
    (1.0, 3)
    """
    unit, index = _unit(embedding), embedding.token_to_idx
    kept = [(index[a], index[b], s) for a, b, s in pairs if a in index and b in index]
    if len(kept) < 2:
        raise ValueError(f"只有 {len(kept)} 对词都在词表里，至少要 2 对")
    first = torch.tensor([k[0] for k in kept])
    second = torch.tensor([k[1] for k in kept])
    cosines = (unit[first] * unit[second]).sum(dim=1)
    return spearman(cosines.tolist(), [k[2] for k in kept]), len(kept)


@dataclasses.dataclass(frozen=True)
class EmbeddingScores:
    """一组词向量在三个基准上的成绩（一张表的一行）。

    Attributes
    ----------
    sections : dict
        类比题每一节的 :class:`SectionScore`。
    wordsim353, simlex999 : tuple of (float, int)
        斯皮尔曼等级相关与计入的词对数。
    """

    sections: dict[str, SectionScore]
    wordsim353: tuple[float, int]
    simlex999: tuple[float, int]

    def analogy(self, kind: str = "all") -> SectionScore:
        """``"semantic"`` （前 5 节）、``"syntactic"`` （名字以 ``gram`` 开头的 9 节）或 ``"all"`` 的合计。"""
        if kind not in ("semantic", "syntactic", "all"):
            raise ValueError(f"kind 必须是 semantic、syntactic 或 all，收到 {kind!r}")
        chosen = [
            s
            for name, s in self.sections.items()
            if kind == "all" or (name.startswith("gram") == (kind == "syntactic"))
        ]
        fields = ("correct", "covered", "total")
        return SectionScore(*(sum(getattr(s, f) for s in chosen) for f in fields))

    def row(self) -> dict[str, float | int]:
        """汇总成一行：语义、语法与全部类比题的准确率和计入题数，两个相似度基准的等级相关和词对数。"""
        out: dict[str, float | int] = {}
        for kind, label in (
            ("semantic", "语义类比"),
            ("syntactic", "语法类比"),
            ("all", "全部类比"),
        ):
            s = self.analogy(kind)
            out[f"{label}准确率"], out[f"{label}题数"] = s.accuracy, s.covered
        out["WordSim-353"], out["WordSim-353 词对"] = self.wordsim353
        out["SimLex-999"], out["SimLex-999 词对"] = self.simlex999
        return out


def evaluate_embedding(
    embedding: Any, *, candidates: int | None = 30_000, root: Any = None
) -> EmbeddingScores:
    """在 Google 类比题、WordSim-353 与 SimLex-999 上评价一组词向量。

    ``candidates`` 的意思见 :func:`analogy_accuracy`；``root`` 是基准文件所在的目录（默认在缓存里找）。
    """
    from dlbook.data.embeddings import load_analogy_questions, load_word_similarity

    return EmbeddingScores(
        analogy_accuracy(embedding, load_analogy_questions(root), candidates=candidates),
        similarity_correlation(embedding, load_word_similarity("wordsim353", root)),
        similarity_correlation(embedding, load_word_similarity("simlex999", root)),
    )
