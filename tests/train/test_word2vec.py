"""dlbook.train.word2vec：带掩码的二元交叉熵与训练循环。"""

import pytest
import torch
import torch.nn.functional as F

from dlbook.data.word2vec import centers_and_contexts, sample_negatives, word2vec_batches
from dlbook.models.word2vec import SkipGram
from dlbook.train.word2vec import masked_bce_loss, train_word2vec


def test_masked_loss_ignores_masked_columns():
    logits = torch.tensor([[2.0, -1.0, 5.0], [0.5, 0.5, 0.5]])
    labels = torch.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    loss = masked_bce_loss(logits, labels, mask)
    first = (-F.logsigmoid(torch.tensor(2.0)) - F.logsigmoid(torch.tensor(1.0))) / 2
    assert loss[0].item() == pytest.approx(first.item(), rel=1e-6)
    changed = logits.clone()
    changed[0, 2] = -100.0  # 掩码为 0 的列随便改
    assert torch.equal(masked_bce_loss(changed, labels, mask), loss)


def test_training_separates_contexts_from_noise():
    # 两组词只在组内共现：训练后组内的余弦相似度高于组间
    g = torch.Generator().manual_seed(0)
    corpus = [[1, 2, 3, 4] * 3, [5, 6, 7, 8] * 3] * 30
    c, ctx, m = centers_and_contexts(corpus, 2, g)
    noise = sample_negatives(ctx, m, torch.tensor([0.0] + [1.0] * 8), 3, g)
    data = word2vec_batches(c, ctx, m, noise, 64, seed=0)
    net = SkipGram(9, 8, generator=g)
    history = train_word2vec(net, data, 8, 0.05)
    losses = history.column("train_loss")
    assert losses[-1] < losses[0]
    v = F.normalize(net.center.weight.detach(), dim=1)
    within = (v[1] @ v[2] + v[5] @ v[6]) / 2
    across = (v[1] @ v[5] + v[2] @ v[6]) / 2
    assert within > across
    with pytest.raises(ValueError, match="num_epochs"):
        train_word2vec(net, data, 0, 0.01)
