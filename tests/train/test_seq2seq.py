"""dlbook.train.seq2seq：遮蔽的交叉熵、用强制教学训练、逐词预测与整批贪心解码。"""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from dlbook.data.loader import TensorBatches
from dlbook.data.synthetic import sequence_reversal
from dlbook.data.text import Vocab
from dlbook.data.translation import RESERVED_TOKENS, build_array, tokenize_pairs
from dlbook.metrics.bleu import bleu
from dlbook.models.bahdanau import seq2seq_attention
from dlbook.models.seq2seq import seq2seq
from dlbook.train.seq2seq import (
    greedy_decode,
    masked_cross_entropy,
    predict_seq2seq,
    train_seq2seq,
)


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


def toy_translation():
    """一个小“语言”：每个英文词都有固定的法文词，语序相同。"""
    words = {"red": "rouge", "cat": "chat", "big": "grand", "dog": "chien", "the": "le"}
    sentences = [" ".join(w) for n in (1, 2, 3) for w in itertools.permutations(words, n)]
    pairs = [(s, " ".join(words[w] for w in s.split())) for s in sentences]
    source, target = tokenize_pairs(pairs, target="fr")
    src_vocab = Vocab(source, reserved_tokens=RESERVED_TOKENS)
    tgt_vocab = Vocab(target, reserved_tokens=RESERVED_TOKENS)
    X, X_len = build_array(source, src_vocab, 5)
    Y, Y_len = build_array(target, tgt_vocab, 5)
    return pairs, src_vocab, tgt_vocab, TensorBatches((X, X_len, Y, Y_len), 16, seed=0)


@pytest.mark.slow
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


def test_greedy_decode_matches_one_sequence_at_a_time():
    (X, X_len, _, _), vocab = sequence_reversal(4, num_symbols=5, min_len=2, max_len=5, seed=0)
    g = torch.Generator().manual_seed(0)
    net = seq2seq_attention(
        len(vocab), len(vocab), embed_size=8, num_hiddens=8, num_layers=1, dropout=0.0, generator=g
    )
    out = greedy_decode(net, X, X_len, bos=vocab["<bos>"], num_steps=6)
    assert out.shape == (4, 6) and net.training  # 解码完恢复训练模式
    net.eval()
    for i in range(4):
        x, n = X[i : i + 1], X_len[i : i + 1]
        state = net.decoder.init_state(net.encoder(x, n), n)
        y, tokens = vocab["<bos>"], []
        for _ in range(6):
            Y_hat, state = net.decoder(torch.tensor([[y]]), state)
            y = int(Y_hat[0, -1].argmax())
            tokens.append(y)
        assert out[i].tolist() == tokens
