"""评价词向量（dlbook.metrics.embeddings）：斯皮尔曼等级相关、类比准确率与词相似度，用手工构造的向量。"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.data.embeddings import TokenEmbedding
from dlbook.metrics import embeddings as m


def test_spearman_matches_pearson_of_average_ranks():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, 50).astype(float)  # 很多并列
    y = x + rng.normal(size=50)
    rank_x = np.array([np.mean(np.flatnonzero(np.sort(x) == v)) + 1 for v in x])
    rank_y = np.argsort(np.argsort(y)) + 1.0
    assert m.spearman(x, y) == pytest.approx(np.corrcoef(rank_x, rank_y)[0, 1])


def test_spearman_rejects_bad_input():
    with pytest.raises(ValueError, match="等长"):
        m.spearman([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="全都相同"):
        m.spearman([1, 1, 1], [1, 2, 3])


def _toy():
    # 前三维是“身份”（独热），最后一维是“性别”；所有向量一样长
    words = ["man", "woman", "king", "queen", "boy", "girl", "rare"]
    vectors = torch.tensor(
        [
            [1, 0, 0, 1],
            [1, 0, 0, -1],
            [0, 1, 0, 1],
            [0, 1, 0, -1],
            [0, 0, 1, 1],
            [0, 0, 1, -1],
            [1, 1, 1, 0],
        ],
        dtype=torch.float32,
    )
    return TokenEmbedding(words, vectors)


def test_analogy_accuracy_counts_coverage_and_candidates():
    questions = {
        "family": [("man", "woman", "king", "queen"), ("man", "woman", "boy", "girl")],
        "gram-x": [("king", "queen", "boy", "girl"), ("man", "woman", "boy", "unknown")],
    }
    scores = m.analogy_accuracy(_toy(), questions, candidates=None, batch_size=1)
    assert scores["family"] == m.SectionScore(2, 2, 2)
    assert scores["gram-x"] == m.SectionScore(1, 1, 2)
    # 只在前 4 个词里找：含 boy、girl 的题不计入
    limited = m.analogy_accuracy(_toy(), questions, candidates=4)
    assert limited["family"] == m.SectionScore(1, 1, 2)
    assert np.isnan(limited["gram-x"].accuracy)


def test_embedding_scores_split_semantic_and_syntactic():
    scores = m.EmbeddingScores(
        {"family": m.SectionScore(1, 2, 3), "gram1": m.SectionScore(3, 4, 4)}, (0.5, 10), (0.2, 9)
    )
    assert scores.analogy("semantic") == m.SectionScore(1, 2, 3)
    assert scores.analogy("syntactic") == m.SectionScore(3, 4, 4)
    assert scores.analogy().accuracy == pytest.approx(4 / 6)
    row = scores.row()
    assert row["WordSim-353"] == 0.5 and row["SimLex-999 词对"] == 9
    with pytest.raises(ValueError, match="kind"):
        scores.analogy("other")


def test_similarity_correlation_uses_cosine_and_skips_unknown_words():
    pairs = [("man", "woman", 1.0), ("king", "queen", 2.0), ("boy", "rare", 0.5), ("x", "man", 9)]
    rho, n = m.similarity_correlation(_toy(), pairs)
    assert n == 3
    e = _toy()
    cos = [float(torch.cosine_similarity(e[a], e[b], dim=0)) for a, b, _ in pairs[:3]]
    assert rho == pytest.approx(m.spearman(cos, [1.0, 2.0, 0.5]))
    with pytest.raises(ValueError, match="至少要 2 对"):
        m.similarity_correlation(_toy(), pairs[3:])


def test_any_object_with_token_to_idx_and_vectors_works():
    class Plain:
        token_to_idx = {"man": 0, "woman": 1, "king": 2, "queen": 3}
        vectors = _toy().vectors[:4]

    scores = m.analogy_accuracy(Plain(), {"s": [("man", "woman", "king", "queen")]})
    assert scores["s"].correct == 1
