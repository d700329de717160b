"""word2vec 的跳元模型（skip-gram）：每个词两个向量，中心词向量与上下文词向量。"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["SkipGram"]


class SkipGram(nn.Module):
    r"""跳元模型：词 :math:`w` 作中心词时的向量 :math:`\mathbf v_w` 与作上下文词时的向量 :math:`\mathbf u_w`。

    前向计算给出中心词与每个候选词（上下文词或噪声词）的内积 :math:`\mathbf u_o^\top \mathbf v_c`，
    交给 :func:`~dlbook.train.word2vec.masked_bce_loss` （负采样）。训练之后通常把中心词向量
    （``center.weight``）当作词向量。

    初始化与 word2vec 的 C 代码相同：中心词向量取 :math:`U(-\tfrac{0.5}{d}, \tfrac{0.5}{d})`，上下文词向量取 0，
    一开始所有内积都是 0、sigmoid 都是 0.5。D2L 用 ``nn.Embedding`` 默认的标准正态初值，
    :math:`d = 100` 时内积的标准差约为 10，sigmoid 一开始就饱和在 0 或 1 附近。

    Parameters
    ----------
    vocab_size : int
        词表大小。
    embed_size : int
        词向量的维数 :math:`d`。
    generator : torch.Generator, optional
        初始化中心词向量用的随机数生成器。

    Examples
    --------
    >>> net = SkipGram(20, 4, generator=torch.Generator().manual_seed(0))
    >>> center, words = torch.tensor([1, 2]), torch.tensor([[3, 4, 5], [6, 7, 8]])
    >>> net(center, words).shape, net(center, words).abs().max().item()
    (torch.Size([2, 3]), 0.0)
    >>> sum(p.numel() for p in net.parameters())     # 每个词两个 4 维向量
    160
    """

    def __init__(
        self, vocab_size: int, embed_size: int, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("embed_size", embed_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} 必须是正整数，收到 {value!r}")
        self.center = nn.Embedding(vocab_size, embed_size)
        self.context = nn.Embedding(vocab_size, embed_size)
        with torch.no_grad():
            bound = 0.5 / embed_size
            self.center.weight.uniform_(-bound, bound, generator=generator)
            self.context.weight.zero_()

    def forward(self, center: torch.Tensor, words: torch.Tensor) -> torch.Tensor:
        """``center`` 形状 ``(B,)``，``words`` 形状 ``(B, L)``；返回 ``(B, L)`` 的内积 :math:`\\mathbf u^\\top \\mathbf v`。"""
        v = self.center(center).unsqueeze(2)  # (B, d, 1)
        u = self.context(words)  # (B, L, d)
        return torch.bmm(u, v).squeeze(2)
