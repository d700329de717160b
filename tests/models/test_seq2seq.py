"""编码器–解码器与 seq2seq（dlbook.models.seq2seq）、BLEU（dlbook.metrics.bleu）与搜索策略（dlbook.train.decoding）。"""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from dlbook.metrics.bleu import bleu, ngram_precision
from dlbook.data.loader import TensorBatches
from dlbook.data.translation import RESERVED_TOKENS, build_array, tokenize_pairs
from dlbook.train.decoding import Hypothesis, beam_search, exhaustive_search, greedy_search
from dlbook.models.seq2seq import (
    Seq2SeqDecoder,
    Seq2SeqEncoder,
    masked_cross_entropy,
    predict_seq2seq,
    seq2seq,
    sequence_mask,
    train_seq2seq,
)
from dlbook.data.text import Vocab

# ---------------------------------------------------------------------------
# 遮蔽与损失
# ---------------------------------------------------------------------------


def test_sequence_mask_2d_and_3d():
    X = torch.arange(6.0).reshape(2, 3)
    assert sequence_mask(X, torch.tensor([0, 2])).tolist() == [[0, 0, 0], [3, 4, 0]]
    Y = sequence_mask(torch.ones(2, 3, 2), torch.tensor([1, 3]), value=-1)
    assert Y[0].tolist() == [[1, 1], [-1, -1], [-1, -1]] and bool((Y[1] == 1).all())


def test_masked_cross_entropy_matches_hand_computation():
    logits = torch.tensor([[[1.0, 2.0, 0.0], [0.0, 0.0, 0.0]], [[3.0, 0.0, 1.0], [1.0, 1.0, 4.0]]])
    labels = torch.tensor([[1, 2], [0, 2]])
    valid_len = torch.tensor([1, 2])

    def ce(z, y):
        return math.log(sum(math.exp(v) for v in z)) - z[y]

    expected = [ce([1, 2, 0], 1), ce([3, 0, 1], 0) + ce([1, 1, 4], 2)]
    got = masked_cross_entropy(logits, labels, valid_len)
    torch.testing.assert_close(got, torch.tensor(expected))
    # 改变填充位置上的得分，损失不变
    logits2 = logits.clone()
    logits2[0, 1] = torch.tensor([9.0, -9.0, 0.0])
    torch.testing.assert_close(masked_cross_entropy(logits2, labels, valid_len), got)
    with pytest.raises(ValueError, match="logits"):
        masked_cross_entropy(logits[0], labels, valid_len)


# ---------------------------------------------------------------------------
# 编码器与解码器
# ---------------------------------------------------------------------------


def test_encoder_decoder_shapes_and_fixed_context():
    encoder = Seq2SeqEncoder(10, 8, 16, 2).eval()
    decoder = Seq2SeqDecoder(12, 8, 16, 2).eval()
    X = torch.randint(0, 10, (3, 7))
    output, state = encoder(X)
    assert output.shape == (7, 3, 16) and state.shape == (2, 3, 16)
    torch.testing.assert_close(output[-1], state[-1])
    context, H = decoder.init_state((output, state))
    torch.testing.assert_close(context, state[-1])
    # 一次解码 4 步 = 逐步解码 4 次（上下文不随解码改变）
    Y = torch.randint(0, 12, (3, 4))
    Y_all, _ = decoder(Y, (context, H))
    s = (context, H)
    steps = []
    for t in range(4):
        y, s = decoder(Y[:, t : t + 1], s)
        steps.append(y)
        torch.testing.assert_close(s[0], context)
    torch.testing.assert_close(torch.cat(steps, dim=1), Y_all, atol=1e-6, rtol=1e-5)


def test_factory_is_reproducible_and_validates():
    a = seq2seq(10, 12, generator=torch.Generator().manual_seed(0))
    b = seq2seq(10, 12, generator=torch.Generator().manual_seed(0))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    with pytest.raises(ValueError, match="num_hiddens"):
        seq2seq(10, 12, num_hiddens=0)
    with pytest.raises(ValueError, match="dropout"):
        seq2seq(10, 12, dropout=1.0)


def toy_translation():
    """一个小“语言”：每个英文词都有固定的法文词，语序相同。"""
    words = {"red": "rouge", "cat": "chat", "big": "grand", "dog": "chien", "the": "le"}
    sentences = [" ".join(w) for n in (1, 2, 3) for w in itertools.permutations(words, n)]
    pairs = [(s, " ".join(words[w] for w in s.split())) for s in sentences]
    source, target = tokenize_pairs(pairs)
    src_vocab = Vocab(source, reserved_tokens=RESERVED_TOKENS)
    tgt_vocab = Vocab(target, reserved_tokens=RESERVED_TOKENS)
    X, X_len = build_array(source, src_vocab, 5)
    Y, Y_len = build_array(target, tgt_vocab, 5)
    return pairs, src_vocab, tgt_vocab, TensorBatches((X, X_len, Y, Y_len), 16, seed=0)


def test_training_with_teacher_forcing_learns_a_toy_translation():
    pairs, src_vocab, tgt_vocab, batches = toy_translation()
    net = seq2seq(
        len(src_vocab),
        len(tgt_vocab),
        embed_size=16,
        num_hiddens=32,
        num_layers=1,
        dropout=0.0,
        generator=torch.Generator().manual_seed(0),
    )
    history = train_seq2seq(
        net, batches, 60, lr=0.02, tgt_vocab=tgt_vocab, seed=0, plot=False, verbose=False
    )
    losses = history.column("train_loss")
    assert losses[-1] < 0.2 * losses[0]
    assert history.final.num_examples == sum(len(fr.split()) + 1 for _, fr in pairs)
    scores = [
        bleu(predict_seq2seq(net, en, src_vocab, tgt_vocab, 5).split(), fr.split(), k=2)
        for en, fr in pairs
    ]
    assert sum(scores) / len(scores) > 0.8
    assert predict_seq2seq(net, "red cat", src_vocab, tgt_vocab, 5, beam_size=3) == "rouge chat"
    assert net.training  # 预测之后恢复训练模式


# ---------------------------------------------------------------------------
# BLEU
# ---------------------------------------------------------------------------


def test_bleu_hand_cases():
    label = "ils regardent la télé .".split()
    assert bleu(label, label, k=4) == 1.0
    # 预测 4 个词元：p1 = 4/4，p2 = 3/3，只有长度惩罚 exp(1 - 5/4)
    pred = "ils regardent la télé".split()
    assert ngram_precision(pred, label, 2) == (3, 3)
    assert bleu(pred, label, k=2) == pytest.approx(math.exp(1 - 5 / 4))
    # 词序错了：p1 = 1，p2 = 1/3（只有“la télé”），p3 = 0
    pred = "télé la regardent ils".split()
    assert bleu(pred, label, k=1) == pytest.approx(math.exp(1 - 5 / 4))
    assert ngram_precision("la télé regardent ils".split(), label, 2) == (1, 3)
    assert bleu("la télé regardent ils".split(), label, k=2) == pytest.approx(
        math.exp(1 - 5 / 4) * (1 / 3) ** 0.25
    )
    assert bleu("la télé regardent ils".split(), label, k=3) == 0.0
    # 比参考长：没有长度惩罚；重复的词元最多匹配参考中的次数
    pred = "ils ils regardent la télé .".split()
    assert ngram_precision(pred, label, 1) == (5, 6)
    assert bleu(pred, label, k=1) == pytest.approx((5 / 6) ** 0.5)
    assert bleu(["chat"], label, k=2) == 0.0
    assert bleu([], label) == 0.0
    assert bleu(["terminé"], ["terminé"], k=2) == 1.0  # 单个词元：只比较一元语法
    assert bleu(["fini"], ["terminé"], k=2) == 0.0
    # 参考只有 2 个词元：n 只取到 2
    assert bleu("ils regardent".split(), "ils regardent".split(), k=4) == 1.0
    with pytest.raises(ValueError, match="k"):
        bleu(label, label, k=0)


# ---------------------------------------------------------------------------
# 搜索策略
# ---------------------------------------------------------------------------

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
