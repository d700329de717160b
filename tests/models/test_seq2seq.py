"""dlbook.models.seq2seq：遮蔽、编码器与解码器、seq2seq 工厂。"""

from __future__ import annotations

import pytest
import torch

from dlbook.models.seq2seq import Seq2SeqDecoder, Seq2SeqEncoder, seq2seq, sequence_mask


def test_sequence_mask_2d_and_3d():
    X = torch.arange(6.0).reshape(2, 3)
    assert sequence_mask(X, torch.tensor([0, 2])).tolist() == [[0, 0, 0], [3, 4, 0]]
    Y = sequence_mask(torch.ones(2, 3, 2), torch.tensor([1, 3]), value=-1)
    assert Y[0].tolist() == [[1, 1], [-1, -1], [-1, -1]] and bool((Y[1] == 1).all())


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
