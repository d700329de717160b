"""第 14 章的示意图：可分解注意力怎样处理一对句子（注意 → 比较 → 聚合）。

图中每个格子的颜色是真实算出来的数：一个用给定种子随机初始化的
:class:`~dlbook.models.decomposable_attention.DecomposableAttention` 在这对句子上的中间结果。
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch

from dlbook.models.decomposable_attention import DecomposableAttention
from dlbook.plotting.figures import use_book_style

__all__ = ["draw_decomposable_attention"]

_LABELS = ("蕴涵", "矛盾", "中性")


def draw_decomposable_attention(
    premise: Sequence[str] = ("i", "do", "n't", "have", "a", "dog"),
    hypothesis: Sequence[str] = ("i", "have", "an", "animal"),
    num_hiddens: int = 6,
    seed: int = 0,
) -> plt.Figure:
    """画可分解注意力的一次前向计算：三个子图从左到右是注意、比较、聚合。

    * 注意：前提（行）对假设（列）的注意力权重，每行加起来是 1；
    * 比较：前提每个词元的 ``v_A,i`` 与假设每个词元的 ``v_B,j`` （每行一个词元，每列一维）；
    * 聚合：两组比较向量各自的和（拼在一起）与 ``h`` 之后三个类别的分数。

    Returns
    -------
    Figure
        画好的图；前向计算的中间结果在 ``fig.dlbook_steps`` （``weights``、``V_A``、``V_B``、``scores``）。

    Examples
    --------
    >>> fig = draw_decomposable_attention()
    >>> fig.dlbook_steps["weights"].shape, fig.dlbook_steps["scores"].shape
    (torch.Size([6, 4]), torch.Size([3]))
    >>> plt.close(fig)
    """
    use_book_style()
    vocab = {t: i for i, t in enumerate(dict.fromkeys([*premise, *hypothesis]))}
    torch.manual_seed(seed)
    net = DecomposableAttention(len(vocab), 8, num_hiddens, dropout=0.0).eval()
    P = torch.tensor([[vocab[t] for t in premise]])
    H = torch.tensor([[vocab[t] for t in hypothesis]])
    with torch.no_grad():
        A, B = net.embedding(P), net.embedding(H)
        beta, alpha = net.attend(A, B)
        V_A, V_B = net.compare(A, B, beta, alpha)
        summed = torch.cat([V_A.sum(dim=1), V_B.sum(dim=1)], dim=1)
        scores = net.aggregate.linear(net.aggregate.h(summed))[0]
    weights = net.attend.attention_weights[0]
    fig, axes = plt.subplots(
        1, 3, figsize=(9.5, 3.2), gridspec_kw={"width_ratios": [len(hypothesis), 6, 4]}
    )
    ax = axes[0]
    ax.imshow(weights.numpy(), cmap="Reds", vmin=0, vmax=1)
    ax.set_xticks(range(len(hypothesis)), hypothesis, rotation=60)
    ax.set_yticks(range(len(premise)), premise)
    ax.set_title("① 注意：对齐权重")
    ax.set_xlabel("假设")
    ax.set_ylabel("前提")
    ax = axes[1]
    rows = torch.cat([V_A[0], torch.full((1, num_hiddens), float("nan")), V_B[0]])
    ax.imshow(rows.numpy(), cmap="Blues", aspect="auto")
    names = [f"v_A: {t}" for t in premise] + [""] + [f"v_B: {t}" for t in hypothesis]
    ax.set_yticks(range(len(names)), names)
    ax.set_xticks([])
    ax.set_title("② 比较：g([词元, 对齐])")
    ax = axes[2]
    ax.barh(range(3), scores.tolist(), color=["#31a354", "#de2d26", "#969696"])
    ax.set_yticks(range(3), _LABELS)
    ax.invert_yaxis()
    ax.axvline(0, color="#555555", lw=0.8)
    ax.set_title("③ 聚合：h([Σv_A, Σv_B])")
    ax.set_xlabel("分数（未训练）")
    fig.tight_layout()
    fig.dlbook_steps = {"weights": weights, "V_A": V_A[0], "V_B": V_B[0], "scores": scores}
    return fig
