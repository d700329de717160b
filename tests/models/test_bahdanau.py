"""带 Bahdanau 注意力的 seq2seq（dlbook.models.bahdanau）与 predict_seq2seq 返回注意力权重。"""

from __future__ import annotations

import pytest
import torch

from dlbook.data.translation import load_translation, normalize_sentence
from dlbook.models.bahdanau import Seq2SeqAttentionDecoder, seq2seq_attention
from dlbook.models.seq2seq import Seq2SeqEncoder
from dlbook.train.seq2seq import predict_seq2seq, train_seq2seq


def _encoder_decoder():
    torch.manual_seed(0)
    encoder = Seq2SeqEncoder(10, 8, 16, 2).eval()
    decoder = Seq2SeqAttentionDecoder(12, 8, 16, 2).eval()
    return encoder, decoder


def test_shapes_and_weights_are_zero_beyond_the_valid_length():
    encoder, decoder = _encoder_decoder()
    X = torch.randint(0, 10, (3, 7))
    valid_lens = torch.tensor([7, 4, 2])
    state = decoder.init_state(encoder(X), valid_lens)
    enc_outputs, H, lens = state
    assert enc_outputs.shape == (3, 7, 16) and H.shape == (2, 3, 16) and lens is valid_lens
    Y_hat, (enc2, H2, lens2) = decoder(torch.randint(0, 12, (3, 5)), state)
    assert Y_hat.shape == (3, 5, 12) and H2.shape == (2, 3, 16)
    assert enc2 is enc_outputs and lens2 is valid_lens
    weights = decoder.attention_weights
    assert weights.shape == (3, 5, 7)
    torch.testing.assert_close(weights.sum(dim=-1), torch.ones(3, 5))
    for i, n in enumerate(valid_lens.tolist()):
        assert bool((weights[i, :, n:] == 0).all())
        assert bool((weights[i, :, :n] > 0).all())


def test_encoder_outputs_at_padded_positions_are_ignored():
    encoder, decoder = _encoder_decoder()
    X = torch.randint(0, 10, (2, 7))
    valid_lens = torch.tensor([3, 5])
    Y = torch.randint(0, 12, (2, 4))
    enc_outputs, H, _ = decoder.init_state(encoder(X), valid_lens)
    out1, _ = decoder(Y, (enc_outputs, H, valid_lens))
    # 只改填充位置上的编码器输出（键和值）：遮蔽之后输出不变
    changed = enc_outputs.clone()
    changed[0, 3:], changed[1, 5:] = 5.0, -5.0
    out2, _ = decoder(Y, (changed, H, valid_lens))
    torch.testing.assert_close(out1, out2)
    # 不遮蔽时填充位置参与注意力，输出随之改变：上面的比较确实检验了遮蔽
    out3, _ = decoder(Y, (enc_outputs, H, None))
    out4, _ = decoder(Y, (changed, H, None))
    assert not torch.allclose(out3, out4)


def test_output_does_not_depend_on_later_target_tokens_and_steps_match():
    encoder, decoder = _encoder_decoder()
    X, valid_lens = torch.randint(0, 10, (2, 6)), torch.tensor([6, 3])
    state = decoder.init_state(encoder(X), valid_lens)
    Y = torch.randint(0, 12, (2, 5))
    full, _ = decoder(Y, state)
    full_weights = decoder.attention_weights
    Y2 = Y.clone()
    Y2[:, 3] = (Y2[:, 3] + 1) % 12
    changed, _ = decoder(Y2, state)
    torch.testing.assert_close(changed[:, :3], full[:, :3])
    assert not torch.allclose(changed[:, 3:], full[:, 3:])
    # 逐步解码 = 一次解码；状态从不被原地修改
    before = [t.clone() for t in state[:2]]
    s, outs, weights = state, [], []
    for t in range(5):
        y, s = decoder(Y[:, t : t + 1], s)
        outs.append(y)
        weights.append(decoder.attention_weights)
    torch.testing.assert_close(torch.cat(outs, dim=1), full, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(torch.cat(weights, dim=1), full_weights)
    for a, b in zip(before, state[:2]):
        assert torch.equal(a, b)


def test_factory_is_reproducible_and_validates():
    a = seq2seq_attention(10, 12, generator=torch.Generator().manual_seed(0))
    b = seq2seq_attention(10, 12, generator=torch.Generator().manual_seed(0))
    c = seq2seq_attention(10, 12, generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))
    with pytest.raises(ValueError, match="num_hiddens"):
        seq2seq_attention(10, 12, num_hiddens=0)
    with pytest.raises(ValueError, match="dropout"):
        seq2seq_attention(10, 12, dropout=1.5)


@pytest.mark.slow
def test_training_on_real_pairs_reduces_the_loss_and_predict_returns_weights():
    data = load_translation(64, 10, num_examples=300, seed=0)
    net = seq2seq_attention(
        len(data.src_vocab), len(data.tgt_vocab), generator=torch.Generator().manual_seed(0)
    )
    history = train_seq2seq(
        net,
        data.train_iter,
        6,
        lr=0.005,
        tgt_vocab=data.tgt_vocab,
        seed=0,
        plot=False,
        verbose=False,
    )
    losses = history.column("train_loss")
    assert losses[-1] < losses[0] - 0.5
    sentence = data.train_pairs[0][0]
    translation, steps = predict_seq2seq(
        net, sentence, data.src_vocab, data.tgt_vocab, data.num_steps, return_attention=True
    )
    assert translation == predict_seq2seq(
        net, sentence, data.src_vocab, data.tgt_vocab, data.num_steps
    )
    num_tokens = len(translation.split())
    assert len(steps) in (num_tokens, num_tokens + 1)  # 最后一步可能是 <eos>
    src_len = min(len(normalize_sentence(sentence).split()) + 1, data.num_steps)  # 加 <eos>
    for w in steps:
        assert w.shape == (1, 1, data.num_steps)
        assert bool((w[0, 0, src_len:] == 0).all())
        assert float(w.sum()) == pytest.approx(1.0, abs=1e-5)
    beam, beam_steps = predict_seq2seq(
        net,
        sentence,
        data.src_vocab,
        data.tgt_vocab,
        data.num_steps,
        beam_size=3,
        return_attention=True,
    )
    assert len(beam_steps) >= len(beam.split())
