"""编码器–解码器与序列到序列学习（seq2seq）：循环神经网络编码器、解码器、遮蔽的交叉熵、
用强制教学（teacher forcing）训练，以及逐词预测（贪心或束搜索）。

取代 D2L 的 ``Encoder``、``Decoder``、``EncoderDecoder``、``Seq2SeqEncoder``、``Seq2SeqDecoder``、
``sequence_mask``、``MaskedSoftmaxCELoss``、``train_seq2seq`` 与 ``predict_seq2seq``。

与 D2L 的一处不同：D2L 的解码器每一步都把**当前的**隐状态的最后一层当作上下文变量，逐词预测时
这个“上下文”会随着解码而改变，与训练时（一次看到整句，上下文始终是编码器的最终状态）不一致。
这里的解码器状态是 ``(上下文, 隐状态)``，上下文在 :meth:`Seq2SeqDecoder.init_state` 中取自编码器，
之后保持不变，训练与预测用的是同一个模型。
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.train.decoding import Hypothesis, beam_search, greedy_search
from dlbook.train.language_model import LanguageModelHistory, grad_clipping
from dlbook.plotting.liveplot import LivePlot
from dlbook.utils.seeding import seed_everything
from dlbook.train.loop import EpochRecord
from dlbook.utils.checks import check_positive, check_probability, check_sizes

__all__ = [
    "Decoder",
    "Encoder",
    "EncoderDecoder",
    "Seq2SeqDecoder",
    "Seq2SeqEncoder",
    "init_seq2seq",
    "masked_cross_entropy",
    "predict_seq2seq",
    "seq2seq",
    "sequence_mask",
    "train_seq2seq",
]


# ---------------------------------------------------------------------------
# 编码器–解码器的接口
# ---------------------------------------------------------------------------


class Encoder(nn.Module):
    """编码器的接口：把变长的输入序列变成某种状态（编码）。"""

    def forward(self, X: torch.Tensor, *args: Any) -> Any:
        raise NotImplementedError


class Decoder(nn.Module):
    """解码器的接口：``init_state`` 把编码器的输出变成解码器的初始状态，``forward`` 逐步生成输出。"""

    def init_state(self, enc_outputs: Any, *args: Any) -> Any:
        raise NotImplementedError

    def forward(self, X: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        raise NotImplementedError


class EncoderDecoder(nn.Module):
    """把编码器和解码器连起来：编码源序列，用它初始化解码器，再解码目标序列。

    Examples
    --------
    >>> net = seq2seq(10, 12, embed_size=8, num_hiddens=16, num_layers=2)
    >>> X = torch.zeros(4, 7, dtype=torch.long)          # 批量 4，源序列 7 个时间步
    >>> Y_hat, state = net(X, torch.zeros(4, 5, dtype=torch.long))
    >>> Y_hat.shape                                      # (批量, 目标时间步, 目标词表)
    torch.Size([4, 5, 12])
    """

    def __init__(self, encoder: Encoder, decoder: Decoder) -> None:
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def forward(
        self, enc_X: torch.Tensor, dec_X: torch.Tensor, *args: Any
    ) -> tuple[torch.Tensor, Any]:
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)


# ---------------------------------------------------------------------------
# 循环神经网络编码器与解码器
# ---------------------------------------------------------------------------


class Seq2SeqEncoder(Encoder):
    """循环神经网络编码器：嵌入层 → 多层 GRU。

    返回 ``(output, state)``：``output`` 是最上层在每个时间步的隐状态 ``(时间步, 批量, 隐藏单元数)``，
    ``state`` 是每层最后一个时间步的隐状态 ``(层数, 批量, 隐藏单元数)``。

    Examples
    --------
    >>> encoder = Seq2SeqEncoder(10, embed_size=8, num_hiddens=16, num_layers=2)
    >>> output, state = encoder(torch.zeros(4, 7, dtype=torch.long))
    >>> output.shape, state.shape
    (torch.Size([7, 4, 16]), torch.Size([2, 4, 16]))
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        num_hiddens: int,
        num_layers: int,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_sizes(
            vocab_size=vocab_size,
            embed_size=embed_size,
            num_hiddens=num_hiddens,
            num_layers=num_layers,
        )
        check_probability("dropout", dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X: torch.Tensor, *args: Any) -> tuple[torch.Tensor, torch.Tensor]:
        # X：(批量, 时间步) → 嵌入 (批量, 时间步, 嵌入维数) → 时间步优先
        embs = self.embedding(X.long()).permute(1, 0, 2)
        output, state = self.rnn(embs)
        return output, state


class Seq2SeqDecoder(Decoder):
    """循环神经网络解码器：每个时间步的输入是目标词元的嵌入与上下文变量的拼接。

    上下文变量是编码器最上层在最后一个时间步的隐状态；解码器隐状态的初值是编码器的最终状态
    （所以编码器与解码器的层数、隐藏单元数必须相同）。输出是每个时间步在目标词表上的得分。

    Examples
    --------
    >>> encoder = Seq2SeqEncoder(10, 8, 16, 2)
    >>> decoder = Seq2SeqDecoder(12, 8, 16, 2)
    >>> state = decoder.init_state(encoder(torch.zeros(4, 7, dtype=torch.long)))
    >>> Y_hat, (context, H) = decoder(torch.zeros(4, 5, dtype=torch.long), state)
    >>> Y_hat.shape, context.shape, H.shape
    (torch.Size([4, 5, 12]), torch.Size([4, 16]), torch.Size([2, 4, 16]))
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        num_hiddens: int,
        num_layers: int,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_sizes(
            vocab_size=vocab_size,
            embed_size=embed_size,
            num_hiddens=num_hiddens,
            num_layers=num_layers,
        )
        check_probability("dropout", dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs: Any, *args: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """解码器的初始状态 ``(上下文, 隐状态)``：上下文是编码器最上层的最终隐状态。"""
        _, enc_state = enc_outputs
        return enc_state[-1], enc_state

    def forward(
        self, X: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        context, H = state
        embs = self.embedding(X.long()).permute(1, 0, 2)  # (时间步, 批量, 嵌入维数)
        # 同一个上下文变量拼到每个时间步的输入上
        context_steps = context.unsqueeze(0).expand(embs.shape[0], -1, -1)
        output, H = self.rnn(torch.cat([embs, context_steps], dim=2), H)
        Y_hat = self.dense(output).permute(1, 0, 2)  # (批量, 时间步, 词表)
        return Y_hat, (context, H)


def seq2seq(
    src_vocab_size: int,
    tgt_vocab_size: int,
    *,
    embed_size: int = 32,
    num_hiddens: int = 32,
    num_layers: int = 2,
    dropout: float = 0.1,
    generator: torch.Generator | None = None,
) -> EncoderDecoder:
    """书中的序列到序列模型：GRU 编码器 + GRU 解码器（默认值同 D2L：嵌入 32、隐藏 32、2 层、暂退 0.1）。

    权重矩阵用 Xavier 均匀分布初始化（同 D2L），其余参数保持 PyTorch 的默认值；给出 ``generator``
    时所有随机初值都由它抽取，初值便可复现。
    """
    net = EncoderDecoder(
        Seq2SeqEncoder(src_vocab_size, embed_size, num_hiddens, num_layers, dropout),
        Seq2SeqDecoder(tgt_vocab_size, embed_size, num_hiddens, num_layers, dropout),
    )
    return init_seq2seq(net, generator)


def init_seq2seq(net: nn.Module, generator: torch.Generator | None = None) -> nn.Module:
    """按书中的方式初始化编码器–解码器（原地修改并返回 ``net``）。

    嵌入层取标准正态分布；全连接层与 GRU 的权重矩阵用 Xavier 均匀分布（同 D2L 的 ``init_seq2seq``），
    偏置取 PyTorch 默认的均匀分布；其余参数（例如层规范化）保持不变。所有随机数都由 ``generator``
    抽取（给出时初值可复现）。
    """
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.Embedding):
                module.weight.normal_(generator=generator)
            elif isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight, generator=generator)
                if module.bias is not None:
                    bound = 1 / math.sqrt(module.in_features)
                    module.bias.uniform_(-bound, bound, generator=generator)
            elif isinstance(module, nn.GRU):
                bound = 1 / math.sqrt(module.hidden_size)
                for name, p in module.named_parameters():
                    if name.startswith("weight"):
                        nn.init.xavier_uniform_(p, generator=generator)
                    else:
                        p.uniform_(-bound, bound, generator=generator)
    return net


# ---------------------------------------------------------------------------
# 遮蔽与损失
# ---------------------------------------------------------------------------


def sequence_mask(X: torch.Tensor, valid_len: torch.Tensor, value: float = 0.0) -> torch.Tensor:
    """把每行有效长度之后的元素换成 ``value`` （返回新张量）。

    Examples
    --------
    >>> X = torch.tensor([[1, 2, 3], [4, 5, 6]])
    >>> sequence_mask(X, torch.tensor([1, 2]))
    tensor([[1, 0, 0],
            [4, 5, 0]])
    """
    steps = torch.arange(X.shape[1], device=X.device)
    mask = steps[None, :] < valid_len[:, None]
    if X.dim() > 2:
        mask = mask.reshape(*mask.shape, *([1] * (X.dim() - 2)))
    return torch.where(mask, X, torch.as_tensor(value, dtype=X.dtype, device=X.device))


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
    """把一句英文翻译成法文，返回用空格连接的词元（不含 ``<eos>``）。

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
