"""Transformer（dlbook.models.transformer）：形状、层规范化、遮蔽、缓存的逐步解码与训练。"""

from __future__ import annotations

import pytest
import torch

from dlbook.data.translation import load_translation
from dlbook.models.transformer import (
    AddNorm,
    PositionWiseFFN,
    TransformerDecoder,
    TransformerDecoderBlock,
    TransformerEncoder,
    TransformerEncoderBlock,
    transformer,
)
from dlbook.train.seq2seq import predict_seq2seq, train_seq2seq


def _encoder_decoder(dropout=0.0):
    torch.manual_seed(0)
    encoder = TransformerEncoder(20, 16, 32, num_heads=4, num_blks=2, dropout=dropout).eval()
    decoder = TransformerDecoder(15, 16, 32, num_heads=4, num_blks=2, dropout=dropout).eval()
    return encoder, decoder


def test_ffn_acts_on_each_position_alone():
    torch.manual_seed(0)
    ffn = PositionWiseFFN(4, 8, 3)
    X = torch.randn(2, 5, 4)
    Y = ffn(X)
    assert Y.shape == (2, 5, 3)
    X2 = X.clone()
    X2[:, 2] = 0.0  # 只改第 3 个位置
    Y2 = ffn(X2)
    torch.testing.assert_close(Y2[:, [0, 1, 3, 4]], Y[:, [0, 1, 3, 4]])
    torch.testing.assert_close(ffn(X[1, 3]), Y[1, 3])  # 同一个感知机


def test_add_norm_normalizes_each_position():
    add_norm = AddNorm(6).eval()
    X, Y = torch.randn(3, 4, 6), torch.randn(3, 4, 6)
    out = add_norm(X, Y)
    torch.testing.assert_close(out.mean(dim=-1), torch.zeros(3, 4), atol=1e-5, rtol=0)
    torch.testing.assert_close(out.std(dim=-1, unbiased=False), torch.ones(3, 4), atol=1e-3, rtol=0)
    with pytest.raises(ValueError, match="dropout"):
        AddNorm(6, dropout=-0.1)


def test_encoder_shapes_and_padding_mask():
    encoder, _ = _encoder_decoder()
    blk = TransformerEncoderBlock(16, 32, num_heads=4).eval()
    assert blk(torch.randn(2, 7, 16), torch.tensor([3, 7])).shape == (2, 7, 16)
    X, valid_lens = torch.randint(0, 20, (2, 7)), torch.tensor([3, 5])
    out = encoder(X, valid_lens)
    assert out.shape == (2, 7, 16)
    weights = encoder.attention_weights
    assert len(weights) == 2 and weights[0].shape == (8, 7, 7)
    # 样本 0 的 4 个头在批量轴上排在前面，它们只看前 3 个位置
    assert bool((weights[1][:4, :, 3:] == 0).all()) and bool((weights[1][4:, :, 5:] == 0).all())
    # 改动填充位置的源词元，有效位置的输出不变
    X2 = X.clone()
    X2[0, 3:], X2[1, 5:] = 1, 2
    out2 = encoder(X2, valid_lens)
    torch.testing.assert_close(out2[0, :3], out[0, :3])
    torch.testing.assert_close(out2[1, :5], out[1, :5])


def test_decoder_output_does_not_depend_on_later_target_tokens():
    encoder, decoder = _encoder_decoder()
    X, valid_lens = torch.randint(0, 20, (2, 6)), torch.tensor([6, 4])
    state = decoder.init_state(encoder(X, valid_lens), valid_lens)
    Y = torch.randint(0, 15, (2, 5))
    full, _ = decoder(Y, state)
    for t in range(1, 5):
        Y2 = Y.clone()
        Y2[:, t] = (Y2[:, t] + 1) % 15  # 改第 t 个目标词元
        changed, _ = decoder(Y2, state)
        torch.testing.assert_close(changed[:, :t], full[:, :t])
        assert not torch.allclose(changed[:, t:], full[:, t:])
    self_attention, cross_attention = decoder.attention_weights
    assert self_attention[0].shape == (8, 5, 5) and cross_attention[0].shape == (8, 5, 6)
    assert bool((torch.triu(self_attention[1], diagonal=1) == 0).all())  # 看不到后面
    assert bool((cross_attention[0][4:, :, 4:] == 0).all())  # 源序列的填充被遮蔽


def test_cached_step_by_step_decoding_equals_the_full_sequence():
    encoder, decoder = _encoder_decoder(dropout=0.1)  # eval 模式下暂退不起作用
    X, valid_lens = torch.randint(0, 20, (3, 6)), torch.tensor([6, 4, 2])
    state = decoder.init_state(encoder(X, valid_lens), valid_lens)
    Y = torch.randint(0, 15, (3, 5))
    full, full_state = decoder(Y, state)
    full_self, full_cross = decoder.attention_weights
    assert state[2] == (None, None)  # 初始状态没有被改动
    s, outs = state, []
    for t in range(5):
        y, s = decoder(Y[:, t : t + 1], s)
        outs.append(y)
        assert [c.shape[1] for c in s[2]] == [t + 1, t + 1]
        self_w, cross_w = decoder.attention_weights
        assert self_w[0].shape == (12, 1, t + 1)
        torch.testing.assert_close(self_w[1][:, 0], full_self[1][:, t, : t + 1])
        torch.testing.assert_close(cross_w[1][:, 0], full_cross[1][:, t])
    torch.testing.assert_close(torch.cat(outs, dim=1), full, atol=1e-5, rtol=1e-5)
    for c_step, c_full in zip(s[2], full_state[2]):
        torch.testing.assert_close(c_step, c_full, atol=1e-5, rtol=1e-5)
    # 先一次解码 3 步、再逐步解码也一样（位置编码从已解码的步数接着数）
    y3, s3 = decoder(Y[:, :3], state)
    y4, s4 = decoder(Y[:, 3:4], s3)
    y5, _ = decoder(Y[:, 4:], s4)
    torch.testing.assert_close(torch.cat([y3, y4, y5], dim=1), full, atol=1e-5, rtol=1e-5)


def test_decoder_block_cache():
    torch.manual_seed(0)
    blk = TransformerDecoderBlock(16, 32, num_heads=4).eval()
    enc = torch.randn(2, 6, 16)
    X = torch.randn(2, 4, 16)
    full, cache = blk(X, enc, None)
    assert torch.equal(cache, X)
    first, c1 = blk(X[:, :2], enc, None)
    rest, c2 = blk(X[:, 2:], enc, None, c1)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), full, atol=1e-5, rtol=1e-5)
    assert torch.equal(c2, X) and c1.shape == (2, 2, 16)


def test_factory_is_reproducible_and_validates():
    a = transformer(10, 12, generator=torch.Generator().manual_seed(0))
    b = transformer(10, 12, generator=torch.Generator().manual_seed(0))
    c = transformer(10, 12, generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))
    with pytest.raises(ValueError, match="num_heads"):
        transformer(10, 12, num_hiddens=30, num_heads=4)
    with pytest.raises(ValueError, match="num_blks"):
        transformer(10, 12, num_blks=0)
    with pytest.raises(ValueError, match="ffn_num_hiddens"):
        transformer(10, 12, ffn_num_hiddens=0)
    with pytest.raises(ValueError, match="embedding_std"):
        transformer(10, 12, embedding_std=0.0)


def test_scaled_embedding_init_keeps_the_first_block_from_saturating():
    # 嵌入标准差 1/sqrt(d)：乘 sqrt(d) 后标准差约 1；D2L 的标准正态初值乘 sqrt(d) 后约 sqrt(d)
    X = torch.randint(0, 500, (32, 10), generator=torch.Generator().manual_seed(0))
    concentration = {}
    for std in (None, 1.0):
        net = transformer(500, 12, embedding_std=std, generator=torch.Generator().manual_seed(0))
        net.eval()
        scale = net.encoder.embedding.weight.std().item() * 32**0.5
        assert scale == pytest.approx(1.0 if std is None else 32**0.5, rel=0.05)
        net.encoder(X)
        weights = net.encoder.attention_weights[0]
        concentration[std] = weights.max(dim=-1).values.mean().item()
    assert concentration[1.0] > 0.9 > 0.6 > concentration[None]


@pytest.mark.slow
def test_training_on_real_pairs_reduces_the_loss_and_predict_returns_weights():
    data = load_translation(64, 10, num_examples=300, seed=0)
    net = transformer(
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
    sentence = data.train_pairs[1][0]
    translation, steps = predict_seq2seq(
        net, sentence, data.src_vocab, data.tgt_vocab, data.num_steps, return_attention=True
    )
    assert len(steps) >= len(translation.split())
    for t, (self_w, cross_w) in enumerate(steps):
        assert self_w[0].shape == (4, 1, t + 1) and cross_w[1].shape == (4, 1, data.num_steps)
