"""预训练 BERT：两项损失、按步数的训练循环与留出样本上的评估。

取代 D2L 的 ``_get_batch_loss_bert`` 与 ``train_bert``。损失是遮蔽语言模型的交叉熵（只在真正的预测位置上
平均，填充的位置权重为 0）加下一句预测的交叉熵。D2L 按步数训练（50 步），这里也按步数：小批量从
:meth:`~dlbook.data.bert.BERTPretrainingData.batches` 依次取，取完一遍重新打乱。

评估（:func:`evaluate_bert`）在留出的样本上算两项损失、遮蔽词元的预测精度与下一句预测的精度；
:func:`most_frequent_token_accuracy` 是对照：总是猜训练语料里最常见的词元。
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

from dlbook.data.bert import BERTPretrainingData
from dlbook.models.bert import BERTModel

__all__ = [
    "BERTHistory",
    "BERTScores",
    "bert_batch_loss",
    "evaluate_bert",
    "most_frequent_token_accuracy",
    "train_bert",
]


def bert_batch_loss(
    net: BERTModel, batch: dict[str, torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """一个小批量的 ``(遮蔽语言模型损失, 下一句预测损失, 遮蔽语言模型的得分, 下一句预测的得分)``。

    遮蔽语言模型的损失是每个真正预测位置的交叉熵的平均（``mlm_weights`` 为 0 的填充位置不算）。

    Examples
    --------
    >>> from dlbook.data.bert import BERTPretrainingData, BERT_RESERVED_TOKENS
    >>> from dlbook.data.text import Vocab
    >>> paragraphs = [[["the", "cat", "sat"], ["it", "was", "happy"]], [["a", "dog"], ["it", "ran"]]]
    >>> vocab = Vocab([s for p in paragraphs for s in p], reserved_tokens=list(BERT_RESERVED_TOKENS))
    >>> data = BERTPretrainingData(paragraphs, vocab, max_len=10)
    >>> _ = torch.manual_seed(0)
    >>> net = BERTModel(len(vocab), 8, 16, num_heads=2, num_blks=1)
    >>> mlm_l, nsp_l, _, _ = bert_batch_loss(net, data.tensors)
    >>> mlm_l.shape, nsp_l.shape, mlm_l.item() > 0
    (torch.Size([]), torch.Size([]), True)
    """
    _, mlm_Y_hat, nsp_Y_hat = net(
        batch["tokens"], batch["segments"], batch["valid_lens"], batch["pred_positions"]
    )
    weights = batch["mlm_weights"].reshape(-1)
    mlm_l = nn.functional.cross_entropy(
        mlm_Y_hat.reshape(-1, mlm_Y_hat.shape[-1]),
        batch["mlm_labels"].reshape(-1),
        reduction="none",
    )
    mlm_l = (mlm_l * weights).sum() / weights.sum().clamp(min=1)
    nsp_l = nn.functional.cross_entropy(nsp_Y_hat, batch["nsp_labels"])
    return mlm_l, nsp_l, mlm_Y_hat, nsp_Y_hat


@dataclass
class BERTHistory:
    """训练中每步的两项损失，以及每 ``eval_every`` 步在留出样本上的评估。"""

    mlm_loss: list[float] = field(default_factory=list)
    nsp_loss: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    held_out: list[BERTScores] = field(default_factory=list)
    seconds: float = 0.0
    examples: int = 0

    def window_mean(self, name: str, start: int, stop: int) -> float:
        """第 ``start`` 到 ``stop - 1`` 步的平均损失（``name`` 是 ``"mlm_loss"`` 或 ``"nsp_loss"``）。"""
        values = getattr(self, name)[start:stop]
        if not values:
            raise ValueError(f"第 {start}–{stop} 步没有记录")
        return sum(values) / len(values)


@dataclass(frozen=True)
class BERTScores:
    """一组样本上的两项平均损失与两种精度。"""

    mlm_loss: float
    nsp_loss: float
    mlm_acc: float
    nsp_acc: float


def _endless(
    data: BERTPretrainingData, batch_size: int, generator: torch.Generator
) -> Iterator[dict[str, torch.Tensor]]:
    while True:
        yield from data.batches(batch_size, generator)


def evaluate_bert(net: BERTModel, data: BERTPretrainingData, batch_size: int = 256) -> BERTScores:
    """在 ``data`` 的全部样本上评估（评估模式、不求梯度）：两项损失按样本平均，遮蔽词元的精度按预测位置算。

    Examples
    --------
    >>> from dlbook.data.bert import BERTPretrainingData, BERT_RESERVED_TOKENS
    >>> from dlbook.data.text import Vocab
    >>> paragraphs = [[["the", "cat", "sat"], ["it", "was", "happy"]], [["a", "dog"], ["it", "ran"]]]
    >>> vocab = Vocab([s for p in paragraphs for s in p], reserved_tokens=list(BERT_RESERVED_TOKENS))
    >>> _ = torch.manual_seed(0)
    >>> scores = evaluate_bert(BERTModel(len(vocab), 8, 16, 2, 1), BERTPretrainingData(paragraphs, vocab, 10))
    >>> 0 <= scores.mlm_acc <= 1 and 0 <= scores.nsp_acc <= 1
    True
    """
    was_training = net.training
    net.eval()
    mlm_sum = nsp_sum = correct = total = nsp_correct = 0.0
    with torch.no_grad():
        for batch in data.batches(batch_size, torch.Generator().manual_seed(0)):
            mlm_l, nsp_l, mlm_Y_hat, nsp_Y_hat = bert_batch_loss(net, batch)
            n, weights = batch["tokens"].shape[0], batch["mlm_weights"]
            mlm_sum += mlm_l.item() * n
            nsp_sum += nsp_l.item() * n
            hits = (mlm_Y_hat.argmax(dim=-1) == batch["mlm_labels"]).float() * weights
            correct += hits.sum().item()
            total += weights.sum().item()
            nsp_correct += (nsp_Y_hat.argmax(dim=-1) == batch["nsp_labels"]).sum().item()
    net.train(was_training)
    n = len(data)
    return BERTScores(mlm_sum / n, nsp_sum / n, correct / total, nsp_correct / n)


def most_frequent_token_accuracy(train: BERTPretrainingData, test: BERTPretrainingData) -> float:
    """对照：遮蔽的位置总猜训练样本的预测目标中最常见的那个词元时，在 ``test`` 上的精度。

    Examples
    --------
    >>> from dlbook.data.bert import BERTPretrainingData, BERT_RESERVED_TOKENS
    >>> from dlbook.data.text import Vocab
    >>> paragraphs = [[["the", "the", "the"], ["the", "cat", "the"]], [["the", "dog"], ["the", "ran"]]]
    >>> vocab = Vocab([s for p in paragraphs for s in p], reserved_tokens=list(BERT_RESERVED_TOKENS))
    >>> data = BERTPretrainingData(paragraphs, vocab, 10)
    >>> 0 < most_frequent_token_accuracy(data, data) <= 1
    True
    """

    def labels(data: BERTPretrainingData) -> torch.Tensor:
        return data.tensors["mlm_labels"][data.tensors["mlm_weights"] > 0]

    most_common = Counter(labels(train).tolist()).most_common(1)[0][0]
    return (labels(test) == most_common).float().mean().item()


def train_bert(
    net: BERTModel,
    train: BERTPretrainingData,
    num_steps: int,
    *,
    batch_size: int,
    lr: float,
    held_out: BERTPretrainingData | None = None,
    eval_every: int = 0,
    seed: int = 0,
    device: torch.device | str = "cpu",
    verbose: bool = False,
) -> BERTHistory:
    """用 Adam 按步数预训练：每步的损失是两项损失之和（同 D2L），记下每步的两项损失。

    ``eval_every > 0`` 且给出 ``held_out`` 时，每隔这么多步（以及最后一步之后）在留出样本上评估一次。
    小批量的顺序由 ``seed`` 决定。``verbose`` 时结束后打印一行总结。

    Examples
    --------
    >>> from dlbook.data.bert import BERTPretrainingData, BERT_RESERVED_TOKENS
    >>> from dlbook.data.text import Vocab
    >>> paragraphs = [[["the", "cat", "sat"], ["it", "was", "happy"]], [["a", "dog"], ["it", "ran"]]]
    >>> vocab = Vocab([s for p in paragraphs for s in p], reserved_tokens=list(BERT_RESERVED_TOKENS))
    >>> data = BERTPretrainingData(paragraphs, vocab, max_len=10)
    >>> _ = torch.manual_seed(0)
    >>> net = BERTModel(len(vocab), 8, 16, num_heads=2, num_blks=1)
    >>> history = train_bert(net, data, 30, batch_size=2, lr=0.01)
    >>> len(history.mlm_loss), history.mlm_loss[-1] < history.mlm_loss[0]
    (30, True)
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps 必须是正整数，收到 {num_steps!r}")
    device = torch.device(device)
    net.to(device).train()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    batches = _endless(train, batch_size, torch.Generator().manual_seed(seed))
    history = BERTHistory()
    start = time.perf_counter()
    for step in range(1, num_steps + 1):
        batch = {k: v.to(device) for k, v in next(batches).items()}
        mlm_l, nsp_l, _, _ = bert_batch_loss(net, batch)
        optimizer.zero_grad()
        (mlm_l + nsp_l).backward()
        optimizer.step()
        history.mlm_loss.append(mlm_l.item())
        history.nsp_loss.append(nsp_l.item())
        history.examples += batch["tokens"].shape[0]
        if (
            held_out is not None
            and eval_every > 0
            and (step % eval_every == 0 or step == num_steps)
        ):
            history.eval_steps.append(step)
            history.held_out.append(evaluate_bert(net, held_out))
    history.seconds = time.perf_counter() - start
    if verbose:
        print(
            f"{num_steps} 步：MLM 损失 {history.mlm_loss[-1]:.3f}，NSP 损失 {history.nsp_loss[-1]:.3f}，"
            f"{history.examples / history.seconds:.1f} 样本/秒（{device}）"
        )
    return history
