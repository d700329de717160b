import torch

from dlbook.exercises import check_cosine_knn, check_skipgram_pairs
from tests.exercises.helpers import assert_fails


def _pairs(tokens, window, *, include_center=False, stop=1):
    pairs = []
    for i, center in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window + stop)):
            if include_center or j != i:
                pairs.append((center, tokens[j]))
    return pairs


def test_skipgram_pairs_rejects_the_center_word_itself():
    result = check_skipgram_pairs(lambda t, w: _pairs(t, w, include_center=True))
    assert_fails(result, "5 个词、窗口 1", "应有 8 项，实际有 13 项")


def test_skipgram_pairs_rejects_a_window_one_short_on_the_right():
    assert_fails(
        check_skipgram_pairs(lambda t, w: _pairs(t, w, stop=0)), "5 个词、窗口 1", "应有 8 项"
    )


def test_skipgram_pairs_rejects_wrapping_around():
    def wrap(tokens, window):
        n = len(tokens)
        return [
            (tokens[i], tokens[(i + d) % n])
            for i in range(n)
            for d in range(-window, window + 1)
            if d != 0
        ]

    assert_fails(check_skipgram_pairs(wrap), "5 个词、窗口 1", "项")


def test_cosine_knn_rejects_the_dot_product():
    def dot(W, x, k):
        top = (W @ x).topk(k)
        return top.indices, top.values

    assert_fails(check_cosine_knn(dot), "10 个词、4 维、k = 3", "第 0 项在位置 (0,) 上与参考不符")


def test_cosine_knn_rejects_normalising_only_the_rows():
    def rows_only(W, x, k):
        top = (W / W.norm(dim=1, keepdim=True) @ x).topk(k)
        return top.indices, top.values

    assert_fails(check_cosine_knn(rows_only), "10 个词、4 维、k = 3", "第 1 项在位置")


def test_cosine_knn_rejects_ascending_order():
    def ascending(W, x, k):
        cos = torch.nn.functional.cosine_similarity(W, x[None], dim=1)
        top = cos.topk(k)
        return top.indices.flip(0), top.values.flip(0)

    assert_fails(check_cosine_knn(ascending), "10 个词、4 维、k = 3", "第 0 项在位置")
