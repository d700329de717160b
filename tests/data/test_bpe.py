"""子词（dlbook.data.bpe）：fastText 的 n 元语法、BPE 的学习与切分、CLIP 的合并规则。"""

from __future__ import annotations

import collections
import random

import pytest

from dlbook.data import bpe


def _naive_bpe(word_counts, num_merges):
    """每一步重新数一遍全部符号对的 BPE（用来核对增量的实现）。"""
    words = {bpe.symbols_of(w): c for w, c in word_counts.items()}
    merges = []
    for _ in range(num_merges):
        pairs = collections.Counter()
        for symbols, c in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        words = {bpe._merge(s, best): c for s, c in words.items()}
    return merges


def test_hand_made_count_table():
    # Sennrich 等人论文里的例子
    counts = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
    merges = bpe.learn_bpe(counts, 4)
    # 第 4 步时 (n, e)、(e, w)、(w, es) 都是 6 次，取字典序最小的 (e, w)
    assert merges == [("e", "s"), ("es", "t</w>"), ("l", "o"), ("e", "w")]
    assert bpe.segment("lowest", merges) == ["lo", "w", "est</w>"]
    assert bpe.segment("newer", merges) == ["n", "ew", "e", "r</w>"]


def test_incremental_counts_equal_full_recount():
    rng = random.Random(0)
    for _ in range(5):
        counts = {
            "".join(rng.choice("abc") for _ in range(rng.randint(1, 7))): rng.randint(1, 9)
            for _ in range(30)
        }
        assert bpe.learn_bpe(counts, 25) == _naive_bpe(counts, 25)


def test_learning_stops_when_every_word_is_one_symbol():
    assert bpe.learn_bpe({"ab": 1, "a": 3}, 10) == [("a", "b</w>")]
    with pytest.raises(ValueError, match="正整数"):
        bpe.learn_bpe({"ab": 0}, 1)
    with pytest.raises(ValueError, match="num_merges"):
        bpe.learn_bpe({"ab": 1}, -1)


def test_fasttext_ngrams_counts():
    grams = bpe.fasttext_ngrams("where")
    # <where> 有 7 个字符：长 3..6 的子串 5+4+3+2 个，再加整个词
    assert len(grams) == 15 and grams[-1] == "<where>"
    with pytest.raises(ValueError, match="n_min"):
        bpe.fasttext_ngrams("where", 4, 3)


def test_clip_merges_and_word_counts():
    clip = bpe.load_clip_merges()
    assert len(clip) == 49152 - 256 - 2
    assert bpe.segment("subword", {p: i for i, p in enumerate(clip)}) == ["sub", "word</w>"]
    counts = bpe.load_word_counts(1000)
    assert len(counts) == 1000 and list(counts)[:3] == ["the", "of", "and"]
