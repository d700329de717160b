"""可分解注意力模型（Parikh 等，2016）：注意（attend）、比较（compare）、聚合（aggregate）。

取代 D2L 的 ``mlp``、``Attend``、``Compare``、``Aggregate`` 与 ``DecomposableAttention``。
与 D2L 的一处不同：D2L 对填充词元也计算注意力、也把它们的比较向量加进总和；这里用填充的下标
算出每句的有效长度，注意力只分给真实的词元（:func:`dlbook.models.attention.masked_softmax`），
求和也只对真实的词元做，所以结果与填充到多长无关。

三步都只用逐词元的多层感知机与矩阵乘法，没有循环层，也不看词序：

1. 注意：``e_ij = f(a_i)ᵀ f(b_j)``，前提的每个词元 ``a_i`` 得到假设里与它对齐的软对齐
   ``β_i = Σ_j softmax_j(e_ij) b_j``，假设的每个词元 ``b_j`` 得到 ``α_j = Σ_i softmax_i(e_ij) a_i``；
2. 比较：``v_A,i = g([a_i, β_i])``、``v_B,j = g([b_j, α_j])``；
3. 聚合：``ŷ = h([Σ_i v_A,i, Σ_j v_B,j])``。
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.attention import masked_softmax

__all__ = [
    "Aggregate",
    "Attend",
    "Compare",
    "DecomposableAttention",
    "decomposable_attention",
    "nli_mlp",
]


def nli_mlp(num_inputs: int, num_hiddens: int, dropout: float = 0.2) -> nn.Sequential:
    """两层的多层感知机（每层之前暂退、之后 ReLU），三步里的 ``f``、``g``、``h`` 都用它。

    Examples
    --------
    >>> nli_mlp(4, 8)(torch.zeros(2, 3, 4)).shape
    torch.Size([2, 3, 8])
    """
    return nn.Sequential(
        nn.Dropout(dropout),
        nn.Linear(num_inputs, num_hiddens),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(num_hiddens, num_hiddens),
        nn.ReLU(),
    )


def _lengths(mask: torch.Tensor, num_queries: int) -> torch.Tensor:
    """``(批量, 键个数)`` 的真实词元掩码 → ``masked_softmax`` 要的 ``(批量, 查询个数)`` 有效长度。"""
    return mask.sum(dim=1, keepdim=True).long().expand(-1, num_queries)


class Attend(nn.Module):
    """注意：前提与假设的词元两两打分，各自得到对方的软对齐表示。

    ``forward(A, B, mask_A, mask_B)`` 返回 ``(beta, alpha)``，形状分别与 ``A``、``B`` 相同；
    打分后的注意力权重（前提 → 假设，形状 ``(批量, 前提长度, 假设长度)``）存在 ``attention_weights``。
    掩码为 ``None`` 时所有位置都算真实词元；否则真实词元必须在前面、填充在后面。

    Examples
    --------
    >>> attend = Attend(4, 8)
    >>> A, B = torch.randn(2, 5, 4), torch.randn(2, 3, 4)
    >>> beta, alpha = attend(A, B)
    >>> beta.shape, alpha.shape, attend.attention_weights.shape
    (torch.Size([2, 5, 4]), torch.Size([2, 3, 4]), torch.Size([2, 5, 3]))
    """

    def __init__(self, num_inputs: int, num_hiddens: int, dropout: float = 0.2) -> None:
        super().__init__()
        self.f = nli_mlp(num_inputs, num_hiddens, dropout)
        self.attention_weights: torch.Tensor | None = None

    def forward(
        self,
        A: torch.Tensor,
        B: torch.Tensor,
        mask_A: torch.Tensor | None = None,
        mask_B: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        f_A, f_B = self.f(A), self.f(B)
        e = torch.bmm(f_A, f_B.transpose(1, 2))  # (批量, 前提长度, 假设长度)
        lens_B = None if mask_B is None else _lengths(mask_B, A.shape[1])
        lens_A = None if mask_A is None else _lengths(mask_A, B.shape[1])
        weights_AB = masked_softmax(e, lens_B)
        weights_BA = masked_softmax(e.transpose(1, 2), lens_A)
        self.attention_weights = weights_AB.detach()
        beta = torch.bmm(weights_AB, B)  # 与前提每个词元对齐的假设（软）子句
        alpha = torch.bmm(weights_BA, A)  # 与假设每个词元对齐的前提（软）子句
        return beta, alpha


class Compare(nn.Module):
    """比较：把每个词元与它的软对齐拼起来，送进同一个多层感知机 ``g``。

    Examples
    --------
    >>> compare = Compare(8, 6)
    >>> V_A, V_B = compare(torch.randn(2, 5, 4), torch.randn(2, 3, 4),
    ...                    torch.randn(2, 5, 4), torch.randn(2, 3, 4))
    >>> V_A.shape, V_B.shape
    (torch.Size([2, 5, 6]), torch.Size([2, 3, 6]))
    """

    def __init__(self, num_inputs: int, num_hiddens: int, dropout: float = 0.2) -> None:
        super().__init__()
        self.g = nli_mlp(num_inputs, num_hiddens, dropout)

    def forward(
        self, A: torch.Tensor, B: torch.Tensor, beta: torch.Tensor, alpha: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        V_A = self.g(torch.cat([A, beta], dim=2))
        V_B = self.g(torch.cat([B, alpha], dim=2))
        return V_A, V_B


class Aggregate(nn.Module):
    """聚合：分别对两组比较向量求和（只加真实词元），拼起来经多层感知机 ``h`` 与线性层得到类别分数。

    Examples
    --------
    >>> aggregate = Aggregate(12, 6, 3)
    >>> aggregate(torch.randn(2, 5, 6), torch.randn(2, 3, 6)).shape
    torch.Size([2, 3])
    """

    def __init__(
        self, num_inputs: int, num_hiddens: int, num_outputs: int, dropout: float = 0.2
    ) -> None:
        super().__init__()
        self.h = nli_mlp(num_inputs, num_hiddens, dropout)
        self.linear = nn.Linear(num_hiddens, num_outputs)

    def forward(
        self,
        V_A: torch.Tensor,
        V_B: torch.Tensor,
        mask_A: torch.Tensor | None = None,
        mask_B: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if mask_A is not None:
            V_A = V_A * mask_A.unsqueeze(-1)
        if mask_B is not None:
            V_B = V_B * mask_B.unsqueeze(-1)
        return self.linear(self.h(torch.cat([V_A.sum(dim=1), V_B.sum(dim=1)], dim=1)))


class DecomposableAttention(nn.Module):
    """可分解注意力模型：词嵌入之后依次注意、比较、聚合。

    ``forward((premises, hypotheses))`` 取两个 ``(批量, 步数)`` 的词元下标矩阵，返回 ``(批量, 类别数)``。

    Parameters
    ----------
    vocab_size : int
        词表大小。
    embed_size : int
        词向量维数（用 GloVe 50 维初始化时为 50）。
    num_hiddens : int
        三个多层感知机的隐藏单元数。
    num_outputs : int
        类别数（蕴涵、矛盾、中性）。
    pad_index : int, optional
        填充词元的下标；给出时注意力与求和都跳过填充。
    dropout : float
        多层感知机里的暂退概率。

    Examples
    --------
    >>> net = DecomposableAttention(vocab_size=20, embed_size=8, num_hiddens=16, pad_index=1)
    >>> P = torch.tensor([[4, 5, 6, 1], [7, 8, 1, 1]])
    >>> H = torch.tensor([[4, 6, 1, 1], [9, 7, 8, 2]])
    >>> net((P, H)).shape, net.attend.attention_weights.shape
    (torch.Size([2, 3]), torch.Size([2, 4, 4]))
    >>> w = net.attend.attention_weights[0]  # 第一个假设后两个是填充：分不到注意力
    >>> w[:, 2:].abs().sum().item(), torch.allclose(w.sum(dim=1), torch.ones(4))
    (0.0, True)
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        num_hiddens: int,
        num_outputs: int = 3,
        *,
        pad_index: int | None = None,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        self.pad_index = pad_index
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.attend = Attend(embed_size, num_hiddens, dropout)
        self.compare = Compare(embed_size * 2, num_hiddens, dropout)
        self.aggregate = Aggregate(num_hiddens * 2, num_hiddens, num_outputs, dropout)

    def forward(self, X: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        premises, hypotheses = X
        if self.pad_index is None:
            mask_A = mask_B = None
        else:
            mask_A = (premises != self.pad_index).to(torch.float32)
            mask_B = (hypotheses != self.pad_index).to(torch.float32)
        A, B = self.embedding(premises), self.embedding(hypotheses)
        beta, alpha = self.attend(A, B, mask_A, mask_B)
        V_A, V_B = self.compare(A, B, beta, alpha)
        return self.aggregate(V_A, V_B, mask_A, mask_B)


def decomposable_attention(
    vocab_size: int,
    embed_size: int = 50,
    num_hiddens: int = 100,
    *,
    pad_index: int | None = None,
    dropout: float = 0.2,
    embedding: torch.Tensor | None = None,
) -> DecomposableAttention:
    """建一个 :class:`DecomposableAttention`；给出 ``embedding`` 时用它初始化词嵌入并冻结（D2L 的做法）。

    冻结的预训练词向量让模型把“换了哪个词”理解成词义上的变化（``dog`` 与 ``animal`` 的向量相近），
    训练集里没见过的词也有合理的表示。

    Examples
    --------
    >>> net = decomposable_attention(10, 4, 8, embedding=torch.ones(10, 4))
    >>> net.embedding.weight.requires_grad, net.embedding.weight[3].tolist()
    (False, [1.0, 1.0, 1.0, 1.0])
    """
    net = DecomposableAttention(
        vocab_size, embed_size, num_hiddens, pad_index=pad_index, dropout=dropout
    )
    if embedding is not None:
        if tuple(embedding.shape) != (vocab_size, embed_size):
            raise ValueError(
                f"embedding 的形状必须是 ({vocab_size}, {embed_size})，收到 {tuple(embedding.shape)}"
            )
        with torch.no_grad():
            net.embedding.weight.copy_(embedding)
        net.embedding.weight.requires_grad_(False)
    return net
