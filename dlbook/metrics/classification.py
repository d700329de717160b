"""分类的概率评分：Kaggle 的多类别对数损失（ImageNet Dogs 比赛用它给提交打分）。

分类精度只看概率最大的类别对不对；对数损失还看模型对正确类别有多大把握：把正确类别的概率
:math:`p_{i,y_i}` 取对数再平均，:math:`-\\frac{1}{N}\\sum_i \\log p_{i,y_i}`。它惩罚“自信地错”：
把正确类别的概率给成 0.01 要付 :math:`\\log 100 \\approx 4.6`，比猜“各类一样可能”的 :math:`\\log K`
还多。Kaggle 先把每个概率截到 :math:`[\\epsilon, 1-\\epsilon]` （:math:`\\epsilon = 10^{-15}`），再把每行
重新归一化，免得一个 0 让分数变成无穷大。
"""

from __future__ import annotations

import torch

__all__ = ["log_loss"]


def log_loss(probs: torch.Tensor, labels: torch.Tensor, eps: float = 1e-15) -> float:
    """Kaggle 的多类别对数损失：``probs`` 是 ``(N, K)`` 的概率（每行一个样本），``labels`` 是类别下标。

    每个概率先截到 ``[eps, 1 - eps]``，每行再除以它的和（与 Kaggle 的评分相同），然后返回
    ``-mean(log p[i, labels[i]])``。

    Examples
    --------
    >>> labels = torch.tensor([0, 1])
    >>> round(log_loss(torch.tensor([[1.0, 0.0], [0.0, 1.0]]), labels), 6)  # 完全正确且有把握
    0.0
    >>> round(log_loss(torch.full((2, 4), 0.25), labels), 4)              # 均匀地猜：log 4
    1.3863
    >>> round(log_loss(torch.tensor([[0.0, 1.0], [0.0, 1.0]]), labels), 2)  # 自信地错：被截到 1e-15
    17.27
    """
    if probs.dim() != 2 or labels.shape != probs.shape[:1]:
        raise ValueError(
            f"probs 应是 (N, K)、labels 应是 (N,)，收到 {tuple(probs.shape)} 与 {tuple(labels.shape)}"
        )
    if not 0 < eps < 0.5:
        raise ValueError(f"eps 必须在 (0, 0.5) 之间，收到 {eps!r}")
    p = probs.double().clamp(eps, 1 - eps)
    p = p / p.sum(dim=1, keepdim=True)
    return float(-p[torch.arange(len(labels)), labels].log().mean())
