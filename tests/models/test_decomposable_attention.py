"""可分解注意力（dlbook.models.decomposable_attention）：形状、填充不影响结果、冻结的预训练词向量。"""

from __future__ import annotations

import pytest
import torch

from dlbook.models.decomposable_attention import (
    Aggregate,
    Attend,
    Compare,
    DecomposableAttention,
    decomposable_attention,
)


def test_shapes_of_the_three_steps():
    A, B = torch.randn(2, 5, 4), torch.randn(2, 3, 4)
    attend = Attend(4, 8)
    beta, alpha = attend(A, B)
    assert beta.shape == A.shape and alpha.shape == B.shape
    weights = attend.attention_weights
    assert weights.shape == (2, 5, 3)
    assert torch.allclose(weights.sum(dim=2), torch.ones(2, 5))
    V_A, V_B = Compare(8, 6)(A, B, beta, alpha)
    assert V_A.shape == (2, 5, 6) and V_B.shape == (2, 3, 6)
    assert Aggregate(12, 6, 3)(V_A, V_B).shape == (2, 3)


def test_padding_does_not_change_the_prediction():
    torch.manual_seed(0)
    net = DecomposableAttention(12, 6, 10, pad_index=1).eval()
    P, H = torch.tensor([[3, 4, 5]]), torch.tensor([[6, 4]])
    short = net((P, H))
    w_short = net.attend.attention_weights.clone()
    padded = net((torch.tensor([[3, 4, 5, 1, 1]]), torch.tensor([[6, 4, 1, 1, 1, 1]])))
    assert torch.allclose(short, padded, atol=1e-6)
    w = net.attend.attention_weights
    assert torch.allclose(w[0, :3, :2], w_short[0], atol=1e-6)
    assert w[0, :, 2:].abs().max() == 0  # 填充分不到注意力


def test_alignment_follows_identical_words():
    """同一个词的 f 向量内积最大时，注意力把它对齐到假设里的同一个词。"""
    torch.manual_seed(0)
    attend = Attend(8, 8, dropout=0.0).eval()
    with torch.no_grad():
        for layer in attend.f:
            if isinstance(layer, torch.nn.Linear):
                layer.weight.copy_(torch.eye(8) * 3)
                layer.bias.zero_()
    words = torch.eye(8)[:4].unsqueeze(0)  # 4 个互相正交、非负的“词向量”
    attend(words, words.flip(1))
    assert attend.attention_weights[0].argmax(dim=1).tolist() == [3, 2, 1, 0]


def test_factory_freezes_pretrained_embedding():
    vectors = torch.randn(10, 4)
    net = decomposable_attention(10, 4, 8, pad_index=1, embedding=vectors)
    assert torch.equal(net.embedding.weight, vectors)
    assert not net.embedding.weight.requires_grad
    assert decomposable_attention(10, 4, 8).embedding.weight.requires_grad
    with pytest.raises(ValueError, match="形状"):
        decomposable_attention(10, 4, 8, embedding=torch.zeros(9, 4))
