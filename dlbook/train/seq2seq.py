"""序列到序列学习的训练与预测：遮蔽的交叉熵、用强制教学（teacher forcing）训练，以及逐词预测
（贪心或束搜索）。模型在 :mod:`dlbook.models.seq2seq`。

取代 D2L 的 ``MaskedSoftmaxCELoss``、``train_seq2seq`` 与 ``predict_seq2seq``。
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any

import torch
from torch.nn import functional as F

from dlbook.models.seq2seq import EncoderDecoder, sequence_mask
from dlbook.plotting.liveplot import LivePlot
from dlbook.train.decoding import Hypothesis, beam_search, greedy_search
from dlbook.train.language_model import LanguageModelHistory, grad_clipping
from dlbook.train.loop import EpochRecord
from dlbook.utils.checks import check_positive
from dlbook.utils.seeding import seed_everything

__all__ = ["greedy_decode", "masked_cross_entropy", "predict_seq2seq", "train_seq2seq"]


# ---------------------------------------------------------------------------
# 损失
# ---------------------------------------------------------------------------


def masked_cross_entropy(
    logits: torch.Tensor, labels: torch.Tensor, valid_len: torch.Tensor
) -> torch.Tensor:
    """遮蔽的 softmax 交叉熵：每个序列只累加有效长度之内的词元的损失，返回形状 ``(批量,)``。

    Parameters
    ----------
    logits : torch.Tensor
        ``(批量, 时间步, 词表)`` 的得分。
    labels : torch.Tensor
        ``(批量, 时间步)`` 的标签。
    valid_len : torch.Tensor
        ``(批量,)`` 每个序列的有效长度；填充的位置不计损失。

    Examples
    --------
    两个词元的词表、得分全为 0：每个有效词元的损失都是 log 2。

    >>> loss = masked_cross_entropy(torch.zeros(2, 3, 2), torch.zeros(2, 3, dtype=torch.long),
    ...                             torch.tensor([3, 1]))
    >>> (loss / math.log(2)).tolist()
    [3.0, 1.0]
    """
    if logits.dim() != 3 or labels.shape != logits.shape[:2]:
        raise ValueError(
            f"logits 应为 (批量, 时间步, 词表)、labels 应为 (批量, 时间步)，"
            f"收到 {tuple(logits.shape)} 与 {tuple(labels.shape)}"
        )
    unmasked = F.cross_entropy(logits.permute(0, 2, 1), labels.long(), reduction="none")
    return sequence_mask(unmasked, valid_len).sum(dim=1)


# ---------------------------------------------------------------------------
# 训练
# ---------------------------------------------------------------------------


def train_seq2seq(
    net: EncoderDecoder,
    data_iter: Iterable[Any],
    num_epochs: int,
    *,
    lr: float,
    tgt_vocab: Any,
    clip: float | None = 1.0,
    device: torch.device | str | None = None,
    seed: int | None = None,
    plot: bool | LivePlot = True,
    verbose: bool = True,
) -> LanguageModelHistory:
    """用强制教学训练序列到序列模型（Adam 优化器），返回每轮的记录。

    每个小批量 ``(X, X_valid_len, Y, Y_valid_len)``：解码器的输入是 ``<bos>`` 加上去掉最后一个词元的
    真实目标序列（强制教学），标签是真实目标序列本身；损失是每个有效词元交叉熵的平均值，反向传播后
    把梯度裁剪到范数不超过 ``clip``。记录里的 ``train_loss`` 是每个目标词元的平均交叉熵，
    ``exp(train_loss)`` 就是目标词元的困惑度，``examples_per_sec`` 数的是每秒处理的目标词元。
    """
    check_positive("num_epochs", num_epochs)
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr 必须是有限的正数，收到 {lr!r}")
    if seed is not None:
        seed_everything(seed)
    device = torch.device(device) if device is not None else next(net.parameters()).device
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    bos = tgt_vocab["<bos>"]
    live: LivePlot | None
    if isinstance(plot, LivePlot):
        live = plot
    elif plot:
        live = LivePlot(
            xlabel="epoch", ylabel="loss", legend=["train"], xlim=(1, max(num_epochs, 2))
        )
    else:
        live = None
    history = LanguageModelHistory(device=str(device))
    wall_start = time.perf_counter()
    try:
        for epoch in range(num_epochs):
            net.train()
            start = time.perf_counter()
            loss_sum = torch.zeros((), device=device)
            num_tokens = 0
            for batch in data_iter:
                X, X_valid_len, Y, Y_valid_len = (t.to(device) for t in batch)
                bos_column = torch.full((Y.shape[0], 1), bos, dtype=Y.dtype, device=device)
                dec_input = torch.cat([bos_column, Y[:, :-1]], dim=1)  # 强制教学
                Y_hat, _ = net(X, dec_input, X_valid_len)
                losses = masked_cross_entropy(Y_hat, Y, Y_valid_len)
                tokens = int(Y_valid_len.sum())
                optimizer.zero_grad(set_to_none=True)
                (losses.sum() / tokens).backward()
                if clip is not None:
                    grad_clipping(net, clip)
                optimizer.step()
                loss_sum += losses.detach().sum()
                num_tokens += tokens
            train_loss = loss_sum.item() / num_tokens  # 每轮只同步一次
            seconds = time.perf_counter() - start
            history.append(
                EpochRecord(
                    epoch=epoch + 1,
                    train_loss=train_loss,
                    train_acc=None,
                    test_loss=None,
                    test_acc=None,
                    num_examples=num_tokens,
                    train_seconds=seconds,
                    examples_per_sec=num_tokens / seconds if seconds > 0 else 0.0,
                    wall_time=time.perf_counter() - wall_start,
                )
            )
            if live is not None:
                live.add(epoch + 1, [train_loss])
    finally:
        if live is not None:
            live.finish()
    if verbose:
        r = history.final
        print(f"loss {r.train_loss:.3f}, {history.examples_per_sec():.1f} tokens/sec on {device}")
    return history


# ---------------------------------------------------------------------------
# 预测
# ---------------------------------------------------------------------------


def _encode_source(
    net: EncoderDecoder, sentence: str, src_vocab: Any, num_steps: int, device: torch.device
) -> Any:
    from dlbook.data.translation import EOS, PAD, normalize_sentence, truncate_pad

    tokens = src_vocab[normalize_sentence(sentence).split()] + [src_vocab[EOS]]
    valid_len = torch.tensor([min(len(tokens), num_steps)], device=device)
    X = torch.tensor([truncate_pad(tokens, num_steps, src_vocab[PAD])], device=device)
    enc_outputs = net.encoder(X, valid_len)
    return net.decoder.init_state(enc_outputs, valid_len)


@torch.no_grad()
def predict_seq2seq(
    net: EncoderDecoder,
    sentence: str,
    src_vocab: Any,
    tgt_vocab: Any,
    num_steps: int,
    *,
    beam_size: int = 1,
    alpha: float = 0.75,
    device: torch.device | str | None = None,
    return_attention: bool = False,
) -> str | tuple[str, list[Any]]:
    """把一句英文翻译成目标语言，返回用空格连接的词元（不含 ``<eos>``；中文是一个个字）。

    源句按训练时的方式预处理、加 ``<eos>``、截断或填充到 ``num_steps``。解码器从 ``<bos>`` 开始，
    每一步把上一步的输出作为输入，最多生成 ``num_steps`` 个词元，遇到 ``<eos>`` 结束。
    ``beam_size=1`` 是贪心搜索；更大时用束搜索（:func:`dlbook.train.decoding.beam_search`，
    ``alpha`` 是长度惩罚的指数）。

    ``return_attention=True`` 时返回 ``(译文, 注意力权重)``：后者是一个列表，依次是生成译文中每个
    词元（包括 ``<eos>``）的那一步之后解码器的 ``attention_weights`` （解码器须有这个属性，
    例如第 9 章的带注意力的解码器）。
    """
    check_positive("beam_size", beam_size)
    device = torch.device(device) if device is not None else next(net.parameters()).device
    was_training = net.training
    net.eval()
    try:
        state0 = _encode_source(net, sentence, src_vocab, num_steps, device)
        bos, eos = tgt_vocab["<bos>"], tgt_vocab["<eos>"]
        cache: dict[tuple[int, ...], tuple[torch.Tensor, Any]] = {}
        attention: dict[tuple[int, ...], Any] = {}  # 每个前缀那一步的注意力权重

        def step(prefix: tuple[int, ...]) -> torch.Tensor:
            """前缀之后下一个词元的对数概率；每个前缀的解码器状态缓存起来，只需再走一步。"""
            if prefix in cache:
                return cache[prefix][0]
            if prefix and prefix[:-1] not in cache:
                step(prefix[:-1])
            state = state0 if not prefix else cache[prefix[:-1]][1]
            last = bos if not prefix else prefix[-1]
            Y_hat, state = net.decoder(torch.tensor([[last]], device=device), state)
            log_probs = F.log_softmax(Y_hat[0, -1], dim=-1).cpu()
            cache[prefix] = (log_probs, state)
            if return_attention:
                attention[prefix] = net.decoder.attention_weights
            return log_probs

        if beam_size == 1:
            best: Hypothesis = greedy_search(step, eos, num_steps)
        else:
            best = beam_search(step, eos, num_steps, beam_size, alpha=alpha)
    finally:
        net.train(was_training)
    tokens = [t for t in best.tokens if t != eos]
    translation = " ".join(tgt_vocab.to_tokens(tokens))
    if return_attention:
        steps = [attention[tuple(best.tokens[:i])] for i in range(len(best.tokens))]
        return translation, steps
    return translation


@torch.no_grad()
def greedy_decode(
    net: EncoderDecoder, X: torch.Tensor, X_valid_len: torch.Tensor, *, bos: int, num_steps: int
) -> torch.Tensor:
    """整批贪心解码：从 ``<bos>`` 开始，每一步把上一步得分最高的词元送回解码器，共 ``num_steps`` 步。

    返回 ``(批量, num_steps)`` 的词元索引（遇到 ``<eos>`` 也不停，调用者按有效长度比较）。
    与 :func:`~dlbook.train.seq2seq.predict_seq2seq` 的贪心搜索相同，只是一次解码整批序列。
    """
    was_training = net.training
    net.eval()
    try:
        state = net.decoder.init_state(net.encoder(X, X_valid_len), X_valid_len)
        y = torch.full((X.shape[0], 1), bos, dtype=torch.long, device=X.device)
        outputs = []
        for _ in range(num_steps):
            Y_hat, state = net.decoder(y, state)
            y = Y_hat.argmax(dim=-1)
            outputs.append(y)
    finally:
        net.train(was_training)
    return torch.cat(outputs, dim=1)
