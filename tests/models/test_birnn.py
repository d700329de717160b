"""情感分析的双向 LSTM（dlbook.models.birnn）：形状、填充不参与计算、预训练词向量与冻结、可复现的初始化。"""

from __future__ import annotations

import pytest
import torch

from dlbook.models.birnn import BiRNN, birnn


def test_shapes_and_padding_does_not_matter():
    net = birnn(30, 6, 5, 2, generator=torch.Generator().manual_seed(1)).eval()
    X = torch.tensor([[3, 4, 5, 6], [7, 8, 1, 1], [1, 1, 1, 1]])  # 最后一行全是填充
    out = net(X)
    assert out.shape == (3, 2) and torch.isfinite(out).all()
    longer = torch.cat([X, torch.ones(3, 5, dtype=torch.long)], dim=1)
    assert torch.allclose(out, net(longer), atol=1e-6)
    # 真实的词元改变时输出改变
    assert not torch.allclose(out[0], net(torch.tensor([[3, 4, 5, 9]]))[0])


def test_bidirectional_final_states_match_lstm_on_each_sequence():
    net = BiRNN(12, 4, 3, 1).eval()
    X = torch.tensor([[2, 3, 4, 1, 1]])
    emb = net.embedding(torch.tensor([[2], [3], [4]]))  # (时间步, 1, 词向量)
    _, (h, _) = net.encoder(emb)
    expected = net.decoder(torch.cat((h[-2], h[-1]), dim=1))
    assert torch.allclose(net(X), expected, atol=1e-6)


def test_pretrained_embedding_frozen_or_tuned():
    vectors = torch.randn(10, 4)
    frozen = birnn(10, 4, 3, 1, embedding=vectors, freeze_embedding=True)
    tuned = birnn(10, 4, 3, 1, embedding=vectors)
    assert torch.equal(frozen.embedding.weight, vectors)
    assert torch.equal(tuned.embedding.weight, vectors)
    assert not frozen.embedding.weight.requires_grad and tuned.embedding.weight.requires_grad
    with pytest.raises(ValueError, match="embedding 的形状"):
        birnn(10, 5, 3, 1, embedding=vectors)


def test_initialisation_is_reproducible():
    a = birnn(50, 8, 4, 1, generator=torch.Generator().manual_seed(3))
    b = birnn(50, 8, 4, 1, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert a.decoder.bias.abs().sum() == 0
