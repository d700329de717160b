"""textCNN（dlbook.models.textcnn）：形状、参数检查、不训练的词嵌入与从零实现的对照。"""

from __future__ import annotations

import pytest
import torch

from dlbook.models.textcnn import TextCNN
from dlbook.ops.conv import corr1d_multi_in, max_over_time_pool


def _net(**kwargs):
    return TextCNN(50, 6, [2, 3], [4, 5], generator=torch.Generator().manual_seed(0), **kwargs)


def test_shapes_and_channels():
    net = _net()
    X = torch.randint(0, 50, (3, 7))
    assert net(X).shape == (3, 2)
    assert [tuple(f.shape) for f in net.features(X)] == [(3, 4), (3, 5)]
    assert net.convs[0].in_channels == 12  # 训练的 + 不训练的词嵌入，各 6 个通道
    single = _net(static_embedding=False)
    assert single.constant_embedding is None and single.convs[0].in_channels == 6
    assert single(X).shape == (3, 2)


def test_features_are_corr1d_then_max_over_time():
    """模型里的 nn.Conv1d + ReLU + AdaptiveMaxPool1d 与从零实现的算子一致。"""
    net = _net()
    X = torch.randint(0, 50, (2, 6))
    with torch.no_grad():
        emb = torch.cat((net.embedding(X), net.constant_embedding(X)), dim=2).permute(0, 2, 1)
        for conv, feature in zip(net.convs, net.features(X)):
            for b in range(2):
                outs = torch.stack(
                    [
                        corr1d_multi_in(emb[b], conv.weight[o]) + conv.bias[o]
                        for o in range(conv.out_channels)
                    ]
                )
                expected = max_over_time_pool(torch.relu(outs))
                torch.testing.assert_close(feature[b], expected, atol=1e-5, rtol=0)


def test_constant_embedding_does_not_train():
    net = _net()
    net.load_embeddings(torch.randn(50, 6))
    before = net.constant_embedding.weight.clone()
    loss = torch.nn.functional.cross_entropy(
        net(torch.randint(0, 50, (4, 5))), torch.tensor([0, 1, 0, 1])
    )
    loss.backward()
    assert net.constant_embedding.weight.grad is None
    assert net.embedding.weight.grad is not None
    assert torch.equal(net.constant_embedding.weight, before)


def test_seeded_initialisation_is_reproducible():
    a, b = _net(), _net()
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    c = TextCNN(50, 6, [2, 3], [4, 5], generator=torch.Generator().manual_seed(1))
    assert not torch.equal(a.embedding.weight, c.embedding.weight)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="一样长"):
        TextCNN(10, 4, [2, 3], [4])
    with pytest.raises(ValueError, match="kernel_sizes"):
        TextCNN(10, 4, [0], [4])
    with pytest.raises(ValueError, match="dropout"):
        TextCNN(10, 4, [2], [4], dropout=1.0)
    with pytest.raises(ValueError, match="最宽的核"):
        _net()(torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="形状"):
        _net().load_embeddings(torch.zeros(3, 6))
