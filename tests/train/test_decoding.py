"""dlbook.train.decoding：贪心搜索、穷举搜索与束搜索。"""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.train.decoding import Hypothesis, beam_search, exhaustive_search, greedy_search

TABLE = {
    (): [0.5, 0.4, 0.05, 0.05],
    (0,): [0.1, 0.4, 0.3, 0.2],
    (1,): [0.1, 0.1, 0.7, 0.1],
    (0, 1): [0.2, 0.2, 0.2, 0.4],
    (1, 2): [0.05, 0.05, 0.1, 0.8],
}


def step(prefix):
    return torch.tensor(TABLE.get(prefix, [0.25] * 4)).log()


def test_greedy_misses_what_beam_and_exhaustive_find():
    greedy = greedy_search(step, 3, 3)
    assert greedy.tokens == (0, 1, 3) and greedy.prob == pytest.approx(0.5 * 0.4 * 0.4)
    best, calls = exhaustive_search(step, 4, 3, 3)
    assert best.tokens == (1, 2, 3) and best.prob == pytest.approx(0.4 * 0.7 * 0.8)
    assert calls == 1 + 3 + 9  # 不含 <eos> 的前缀：长度 0、1、2
    assert beam_search(step, 3, 3, beam_size=1).tokens == greedy.tokens
    assert beam_search(step, 3, 3, beam_size=2).tokens == best.tokens


def test_beam_search_equals_exhaustive_when_the_beam_is_wide():
    g = torch.Generator().manual_seed(0)
    table = {}

    def random_step(prefix):
        if prefix not in table:
            table[prefix] = torch.softmax(torch.randn(4, generator=g) * 2, dim=0).log()
        return table[prefix]

    best, _ = exhaustive_search(random_step, 4, 3, 3, alpha=0.0)
    wide = beam_search(random_step, 3, 3, beam_size=64, alpha=0.0)
    assert wide.tokens == best.tokens
    assert wide.log_prob == pytest.approx(best.log_prob)


def test_length_normalisation_and_validation():
    short, long = Hypothesis((3,), math.log(0.3)), Hypothesis((0, 1, 3), math.log(0.2))
    assert short.score(0.0) > long.score(0.0)  # 不做长度归一化：短序列概率大，胜出
    assert long.score(1.0) > short.score(1.0)  # 按每个词元的平均对数概率：长序列胜出
    with pytest.raises(ValueError, match="beam_size"):
        beam_search(step, 3, 3, beam_size=0)
    with pytest.raises(ValueError, match="max_len"):
        greedy_search(step, 3, 0)
