"""训练 word2vec（跳元模型 + 负采样）：带掩码的二元交叉熵、一步训练与训练循环。

每一轮调用的是书中的 :func:`~dlbook.train.loop.train_epoch`；只把“一步”换成 :func:`word2vec_step`：
一个小批量是 ``((中心词, 上下文词与噪声词, 掩码), 标签)``，损失要用到掩码（见
:func:`dlbook.data.word2vec.word2vec_batches`）。
"""

from __future__ import annotations

import time
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from dlbook.train.loop import EpochRecord, History, train_epoch

__all__ = ["masked_bce_loss", "train_word2vec", "word2vec_step"]


def masked_bce_loss(logits: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    r"""负采样的损失：每个样本（中心词）在有效的列上的二元交叉熵的平均。

    第 :math:`j` 列的损失是 :math:`-\log\sigma(x_j)` （标签 1，上下文词）或 :math:`-\log\sigma(-x_j)`
    （标签 0，噪声词），:math:`x_j` 是内积 :math:`\mathbf u_j^\top \mathbf v_c`；掩码为 0 的列不计，
    再除以这一行有效的列数（D2L 的 ``SigmoidBCELoss`` 之后乘 ``mask.shape[1] / mask.sum(axis=1)``，相同）。

    Returns
    -------
    torch.Tensor
        ``(B,)``，逐样本的损失。

    Examples
    --------
    >>> logits = torch.tensor([[1.1, -2.2, 3.3, -4.4]] * 2)
    >>> labels = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    >>> mask = torch.tensor([[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]])
    >>> masked_bce_loss(logits, labels, mask)
    tensor([0.9352, 1.8462])
    """
    losses = F.binary_cross_entropy_with_logits(logits, labels, weight=mask, reduction="none")
    return losses.sum(dim=1) / mask.sum(dim=1)


def word2vec_step(
    net: nn.Module, X: Any, y: torch.Tensor, loss: Any, updater: torch.optim.Optimizer
) -> tuple[torch.Tensor, torch.Tensor]:
    """在一个小批量上训练一步（签名与 :func:`~dlbook.train.loop.train_step` 相同，交给 ``train_epoch``）。

    ``X`` 是 ``(中心词, 上下文词与噪声词, 掩码)``，``y`` 是标签；``loss(内积, 标签, 掩码)`` 给出逐样本损失，
    对它的平均值反向传播。返回脱离计算图的逐样本损失与内积。
    """
    center, words, mask = X
    logits = net(center, words)
    losses = loss(logits, y, mask)
    updater.zero_grad(set_to_none=True)
    losses.mean().backward()
    updater.step()
    return losses.detach(), logits.detach()


def train_word2vec(
    net: nn.Module,
    train_iter: Any,
    num_epochs: int,
    lr: float,
    *,
    device: torch.device | str | None = None,
    verbose: bool = False,
) -> History:
    """用 Adam 训练跳元模型（负采样），返回每轮的训练历史（``train_loss`` 是这一轮的平均损失）。

    与 D2L 的 ``train`` 相同：Adam、学习率 ``lr``、损失 :func:`masked_bce_loss`。

    Examples
    --------
    >>> from dlbook.data.word2vec import centers_and_contexts, sample_negatives, word2vec_batches
    >>> from dlbook.models.word2vec import SkipGram
    >>> g = torch.Generator().manual_seed(0)
    >>> corpus = [[1, 2, 3, 4, 1, 2, 3, 4]] * 20
    >>> c, ctx, m = centers_and_contexts(corpus, 2, g)
    >>> noise = sample_negatives(ctx, m, torch.tensor([0.0, 1, 1, 1, 1, 1, 1]), 2, g)
    >>> data = word2vec_batches(c, ctx, m, noise, 32, seed=0)
    >>> history = train_word2vec(SkipGram(7, 8, generator=g), data, 5, 0.05)
    >>> history.column("train_loss")[-1] < history.column("train_loss")[0]
    True
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs 必须是正整数，收到 {num_epochs!r}")
    device = torch.device(device) if device is not None else next(net.parameters()).device
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    history = History(task="regression", device=str(device))
    start = time.perf_counter()
    for epoch in range(1, num_epochs + 1):
        epoch_start = time.perf_counter()
        stats = train_epoch(
            net,
            train_iter,
            masked_bce_loss,
            optimizer,
            device=device,
            accuracy=False,
            step=word2vec_step,
        )
        seconds = time.perf_counter() - epoch_start
        history.append(
            EpochRecord(
                epoch,
                stats.loss,
                None,
                None,
                None,
                stats.num_examples,
                seconds,
                stats.num_examples / seconds,
                time.perf_counter() - start,
            )
        )
        if verbose:
            print(
                f"第 {epoch} 轮：损失 {stats.loss:.3f}，{stats.num_examples / seconds:.0f} 个中心词/秒"
            )
    return history
