"""dlbook.data.word2vec：PTB 的读取、下采样、中心词与上下文词、负采样与小批量。"""

from __future__ import annotations

import hashlib
import math
import shutil

import pytest
import torch

from dlbook.data.word2vec import (
    centers_and_contexts,
    keep_probabilities,
    load_ptb_word2vec,
    noise_weights,
    read_ptb,
    sample_negatives,
    subsample,
    word2vec_batches,
)


def test_keep_probability_formula():
    counts = torch.tensor([0, 1, 10, 1000])
    p = keep_probabilities(counts, t=1e-2)
    freqs = counts.double() / counts.sum()
    assert p[0] == 1.0 and p[1] == 1.0
    assert p[3].item() == pytest.approx(math.sqrt(1e-2 / freqs[3].item()), rel=1e-6)
    with pytest.raises(ValueError, match="t"):
        keep_probabilities(counts, t=0)


def test_subsample_keeps_each_word_with_formula_probability():
    # 一个词占 90%、九个词各占 ~1%：高频词的保留比例应接近公式（二项分布，5 个标准差以内）
    corpus = [[0] * 900 + list(range(1, 10)) * 10 for _ in range(50)]
    counts = torch.bincount(torch.tensor([w for s in corpus for w in s]))
    kept = subsample(corpus, counts, t=0.02, generator=torch.Generator().manual_seed(0))
    kept_counts = torch.bincount(torch.tensor([w for s in kept for w in s]), minlength=10)
    p = keep_probabilities(counts, t=0.02).double()
    n = counts.double()
    z = (kept_counts - n * p) / (n * p * (1 - p)).sqrt().clamp_min(1e-9)
    assert z.abs().max() < 5
    assert kept_counts[1:].tolist() == counts[1:].tolist()  # 比例不到 t 的词全部保留
    assert len(kept) == len(corpus)


def test_contexts_on_hand_made_sentences():
    corpus = [[0, 1, 2, 3], [4, 5]]
    centers, contexts, mask = centers_and_contexts(corpus, 2, torch.Generator().manual_seed(0))
    assert centers.tolist() == [0, 1, 2, 3, 4, 5]
    for c, ctx, m in zip(centers.tolist(), contexts, mask):
        sentence = corpus[0] if c < 4 else corpus[1]
        got = ctx[m].tolist()
        assert c not in got and set(got) <= set(sentence) and got == sorted(got)
        # 窗口不超过 2：上下文词到中心词的距离至多 2
        assert all(abs(w - c) <= 2 for w in got)
    # 最大窗口 1 时每个位置的上下文就是相邻的词
    centers, contexts, mask = centers_and_contexts(corpus, 1)
    assert [ctx[m].tolist() for ctx, m in zip(contexts, mask)] == [
        [1],
        [0, 2],
        [1, 3],
        [2],
        [5],
        [4],
    ]


def test_single_word_sentences_give_no_centres():
    centers, contexts, mask = centers_and_contexts([[7], [8]], 3)
    assert centers.numel() == 0 and contexts.shape == (0, 6)
    with pytest.raises(ValueError, match="max_window_size"):
        centers_and_contexts([[1, 2]], 0)


def test_window_sizes_are_uniform():
    corpus = [list(range(40))] * 200
    _, _, mask = centers_and_contexts(corpus, 3, torch.Generator().manual_seed(0))
    # 句子中间的位置：上下文词个数是 2 × 窗口大小，窗口在 1..3 上均匀
    sizes = mask[:, :].sum(1).view(200, 40)[:, 3:-3].flatten() // 2
    freq = torch.bincount(sizes, minlength=4)[1:].double() / len(sizes)
    assert torch.allclose(freq, torch.full((3,), 1 / 3, dtype=torch.float64), atol=0.02)


def test_negatives_follow_power_075_chi_square():
    counts = torch.tensor([0, 1000, 300, 100, 30, 10, 3, 1])
    weights = noise_weights(counts)
    assert weights[0] == 0 and weights[1].item() == pytest.approx(1000**0.75, rel=1e-5)
    n = 2000
    contexts, mask = torch.zeros(n, 2, dtype=torch.long), torch.zeros(n, 2, dtype=torch.bool)
    noise = sample_negatives(contexts, mask, weights, 5, torch.Generator().manual_seed(0))
    observed = torch.bincount(noise.flatten(), minlength=8)[1:].double()
    expected = weights[1:].double() / weights.sum() * noise.numel()
    chi2 = ((observed - expected) ** 2 / expected).sum().item()
    assert chi2 < 24.3  # 6 个自由度，显著性 0.0005
    assert observed.sum() == noise.numel()


def test_negatives_avoid_the_centres_contexts():
    weights = torch.tensor([0.0, 5, 5, 1, 1])
    contexts = torch.tensor([[1, 2]] * 300)
    mask = torch.ones(300, 2, dtype=torch.bool)
    noise = sample_negatives(contexts, mask, weights, 4, torch.Generator().manual_seed(0))
    assert set(noise.flatten().tolist()) <= {3, 4}
    # 无效的上下文词不限制噪声词
    mask[:, 1] = False
    noise = sample_negatives(contexts, mask, weights, 4, torch.Generator().manual_seed(0))
    assert 1 not in noise.tolist()[0] and 2 in noise.flatten().tolist()
    with pytest.raises(ValueError, match="重抽"):
        sample_negatives(
            torch.tensor([[1, 2]]), torch.ones(1, 2, dtype=torch.bool), torch.tensor([0.0, 1, 1]), 1
        )


def test_batches_have_masks_and_labels():
    centers = torch.tensor([3, 4, 5])
    contexts = torch.tensor([[1, 2], [6, 0], [7, 8]])
    mask = torch.tensor([[True, True], [True, False], [False, True]])
    negatives = torch.tensor([[9, 9, 9, 9], [1, 1, 2, 2], [3, 3, 4, 4]])
    batches = list(word2vec_batches(centers, contexts, mask, negatives, 2, shuffle=False))
    assert len(batches) == 2
    (center, words, m), label = batches[0]
    assert center.tolist() == [3, 4]
    assert words.tolist() == [[1, 2, 9, 9, 9, 9], [6, 0, 1, 1, 2, 2]]
    assert m.tolist() == [[1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 0, 0]]
    assert label.tolist() == [[1, 1, 0, 0, 0, 0]] * 2
    with pytest.raises(ValueError, match="不配"):
        word2vec_batches(centers, contexts, mask, negatives[:, :3], 2)


def test_read_ptb_refuses_a_file_with_a_wrong_hash(tmp_path):
    from dlbook.data.packaged import packaged_file

    good = packaged_file("ptb", "__init__.py")
    shutil.copy(good, tmp_path / "__init__.py")
    assert len(read_ptb("valid", root=tmp_path)) > 0
    with open(tmp_path / "__init__.py", "a", encoding="utf-8") as f:
        f.write("# changed\n")
    with pytest.raises(ValueError, match="SHA-256"):
        read_ptb("train", root=tmp_path)
    with pytest.raises(ValueError, match="split"):
        read_ptb("dev")


@pytest.mark.slow
def test_load_ptb_word2vec_is_reproducible():
    a, b = load_ptb_word2vec(seed=0), load_ptb_word2vec(seed=0)
    assert len(a.vocab) == 6719
    assert torch.equal(a.centers, b.centers) and torch.equal(a.negatives, b.negatives)
    digest = hashlib.sha256(a.centers.numpy().tobytes()).hexdigest()
    assert digest == hashlib.sha256(b.centers.numpy().tobytes()).hexdigest()
    assert a.mask.shape == (len(a.centers), 10) and a.negatives.shape == (len(a.centers), 50)
