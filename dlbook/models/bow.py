"""词袋（bag-of-words）逻辑回归：文本分类的基线。

一条评论表示成词表大小的 0/1 向量（第 ``i`` 维表示第 ``i`` 个词元是否出现，不管顺序与次数），再接一个
全连接层——这就是（多类）逻辑回归。它不知道词序，所以“不好看”与“看，不好”是同一个表示；任何讲究
词序与上下文的模型（循环神经网络、卷积神经网络、注意力）都应当胜过它，否则复杂的模型就没有学到比
“哪些词出现了”更多的东西。

它读的输入与其他模型完全相同：:func:`dlbook.data.sentiment.load_sentiment` 给出的截断、填充后的
词元索引（同一个词表、同样的截断），所以比较是公平的。
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BagOfWords", "bag_of_words"]


class BagOfWords(nn.Module):
    """词袋逻辑回归：0/1 词袋向量上的全连接层。

    Parameters
    ----------
    vocab_size : int
        词表大小（向量的维数）。
    num_outputs : int
        类别数。
    padding_idx : int or None
        填充词元的索引，不算作出现过的词元；``<unk>`` （索引 0）照常计入。

    Examples
    --------
    >>> net = BagOfWords(6)
    >>> net.features(torch.tensor([[2, 3, 2, 1, 1]])).tolist()       # 1 是 <pad>，2 出现两次也只记 1
    [[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]]
    >>> net(torch.tensor([[2, 3, 1], [4, 1, 1]])).shape
    torch.Size([2, 2])
    """

    def __init__(self, vocab_size: int, num_outputs: int = 2, *, padding_idx: int | None = 1):
        super().__init__()
        self.vocab_size = vocab_size
        self.padding_idx = padding_idx
        self.linear = nn.Linear(vocab_size, num_outputs)

    def features(self, inputs: torch.Tensor) -> torch.Tensor:
        """``(批量大小, 时间步数)`` 的词元索引 → ``(批量大小, 词表大小)`` 的 0/1 词袋向量。"""
        bags = torch.zeros(inputs.shape[0], self.vocab_size, device=inputs.device)
        bags.scatter_(1, inputs, 1.0)
        if self.padding_idx is not None:
            bags[:, self.padding_idx] = 0.0
        return bags

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.linear(self.features(inputs))


def bag_of_words(vocab_size: int, num_outputs: int = 2) -> BagOfWords:
    """建一个权重与偏置全为零的 :class:`BagOfWords`：逻辑回归的损失是凸的，从零出发与种子无关。

    Examples
    --------
    >>> bag_of_words(5).linear.weight.abs().sum().item()
    0.0
    """
    net = BagOfWords(vocab_size, num_outputs)
    nn.init.zeros_(net.linear.weight)
    nn.init.zeros_(net.linear.bias)
    return net
