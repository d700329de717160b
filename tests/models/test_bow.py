"""词袋逻辑回归（dlbook.models.bow）：0/1 特征、填充不计、从零权重出发、能学会只靠词的任务。"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.bow import BagOfWords, bag_of_words
from dlbook.train.loop import evaluate_accuracy, train_epoch


def test_features_are_binary_and_ignore_padding():
    net = BagOfWords(5)
    bags = net.features(torch.tensor([[0, 2, 2, 1], [4, 1, 1, 1]]))
    assert bags.tolist() == [[1.0, 0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]]
    assert BagOfWords(5, padding_idx=None).features(torch.tensor([[1]]))[0, 1] == 1.0


def test_word_order_is_invisible_and_a_lexical_task_is_learned():
    net = bag_of_words(6)
    assert torch.equal(net(torch.tensor([[2, 3, 1]])), net(torch.tensor([[3, 2, 1]])))
    # 含词元 5 的是正面，其余负面
    g = torch.Generator().manual_seed(0)
    X = torch.randint(2, 6, (200, 4), generator=g)
    y = (X == 5).any(dim=1).long()
    opt = torch.optim.Adam(net.parameters(), lr=0.1)
    for _ in range(20):
        train_epoch(net, [(X, y)], nn.CrossEntropyLoss(reduction="none"), opt)
    assert evaluate_accuracy(net, [(X, y)]) == 1.0
