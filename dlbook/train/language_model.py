"""训练与使用循环神经网络语言模型（第 7 章）：梯度裁剪、给定前缀生成文本、训练循环。

取代 D2L 的 ``grad_clipping``、``predict_ch8``、``train_epoch_ch8`` （:func:`train_language_model_epoch`）
与 ``train_ch8`` （:func:`train_language_model`）。困惑度在 :mod:`dlbook.metrics.perplexity` 中。
模型只需满足 :mod:`dlbook.models.rnn` 中的接口（``forward(X, state)`` 与 ``begin_state``），
从零实现的和 ``nn.RNN``/``nn.GRU``/``nn.LSTM`` 的简洁实现都可以。

训练历史沿用 :class:`dlbook.train.loop.History` 与 :class:`~dlbook.train.loop.EpochRecord`：
``train_loss`` 是每个词元的平均交叉熵（单位 nat），困惑度就是它的指数；``num_examples`` 与
``examples_per_sec`` 数的是词元。
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from dlbook.data.text import Vocab
from dlbook.plotting.liveplot import LivePlot
from dlbook.train.loop import EpochRecord, History
from dlbook.utils.seeding import seed_everything

__all__ = [
    "LanguageModelHistory",
    "evaluate_perplexity",
    "grad_clipping",
    "hidden_gradient_norms",
    "predict_text",
    "train_language_model",
    "train_language_model_epoch",
]


def grad_clipping(params: nn.Module | Iterable[torch.Tensor], theta: float) -> torch.Tensor:
    r"""梯度裁剪：所有参数的梯度拼成一个向量 :math:`\mathbf{g}`，若 :math:`\|\mathbf{g}\| > \theta`，
    就把它缩放成 :math:`\frac{\theta}{\|\mathbf{g}\|}\mathbf{g}`，方向不变、长度变为 :math:`\theta`。

    返回裁剪**之前**的梯度范数（零维张量，留在设备上，不强迫同步）。没有梯度的参数被忽略。

    Parameters
    ----------
    params : nn.Module or iterable of tensors
        模型（取它的全部参数）或参数列表。
    theta : float
        范数的上限，必须为正。

    Examples
    --------
    >>> w = torch.zeros(2, requires_grad=True)
    >>> w.grad = torch.tensor([3.0, 4.0])            # 范数 5
    >>> grad_clipping([w], 1.0)
    tensor(5.)
    >>> w.grad
    tensor([0.6000, 0.8000])
    >>> _ = grad_clipping([w], 10.0); w.grad          # 范数 1 < 10：不变
    tensor([0.6000, 0.8000])
    """
    if isinstance(theta, bool) or not isinstance(theta, (int, float)) or not theta > 0:
        raise ValueError(f"theta 必须是正数，收到 {theta!r}")
    if isinstance(params, nn.Module):
        params = params.parameters()
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        raise ValueError("没有任何参数有梯度：先调用 backward()")
    norm = torch.sqrt(sum(torch.sum(g * g) for g in grads))
    scale = torch.clamp(theta / (norm + 1e-12), max=1.0)  # 范数不超过 theta 时 scale = 1
    for g in grads:
        g.mul_(scale)
    return norm


def hidden_gradient_norms(net: nn.Module, X: torch.Tensor) -> torch.Tensor:
    r"""通过时间反向传播时梯度怎样随距离变化：:math:`\|\partial (\sum \mathbf{H}_T) / \partial \mathbf{H}_t\|`，
    :math:`t = 1, \ldots, T`。

    ``net`` 需要有 :meth:`~dlbook.models.rnn.RNNScratch.hidden_states` （从零实现的循环网络都有）。
    由链式法则，:math:`\partial \mathbf{H}_T / \partial \mathbf{H}_t` 是 :math:`T - t` 个
    “:math:`\mathbf{W}_{hh}` × tanh 的导数” 的乘积（列向量的写法，见“通过时间反向传播”一节）：:math:`\mathbf{W}_{hh}` 的谱半径小于 1 时，
    梯度随距离指数衰减（消失），大于 1 时可能指数增长（爆炸）。

    Examples
    --------
    >>> from dlbook.models.rnn import RNNScratch
    >>> net = RNNScratch(28, 64, sigma=0.01, generator=torch.Generator().manual_seed(0))
    >>> norms = hidden_gradient_norms(net, torch.zeros(4, 10, dtype=torch.long))
    >>> norms.shape, bool(norms[0] < 1e-6 * norms[-1])   # 9 步之外的梯度几乎为 0
    (torch.Size([10]), True)
    """
    hiddens, _ = net.hidden_states(X)
    grads = torch.autograd.grad(hiddens[-1].sum(), hiddens)
    return torch.stack([g.norm() for g in grads]).detach()


def _device_of(net: nn.Module) -> torch.device:
    for p in net.parameters():
        return p.device
    return torch.device("cpu")


def _detach(state: Any) -> Any:
    """切断状态与之前计算图的联系（状态可以是张量或张量的元组）。"""
    if isinstance(state, torch.Tensor):
        return state.detach()
    return tuple(s.detach() for s in state)


@torch.no_grad()
def predict_text(
    prefix: str,
    num_preds: int,
    net: nn.Module,
    vocab: Vocab,
    *,
    device: torch.device | str | None = None,
    sep: str = "",
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
) -> str:
    r"""在 ``prefix`` 之后生成 ``num_preds`` 个词元，返回前缀加上生成的文本。

    先让模型读完前缀（预热期：只更新隐状态，不用它的输出），然后每一步选出一个词元，
    把它作为下一步的输入。``temperature=0`` （默认）是贪心解码：取得分最高的词元，结果是确定的，
    但容易陷入 ``the the the`` 这样的循环。``temperature`` :math:`T > 0` 时按
    :math:`\operatorname{softmax}(\mathbf{o} / T)` **采样**：:math:`T = 1` 就是模型预测的分布，
    :math:`T < 1` 让分布更尖（更保守，趋于贪心），:math:`T > 1` 让它更平（更随机）。采样用 ``generator``
    （不给时用全局随机数），同一个种子生成同样的文本。``sep=""`` 表示字符级（前缀按字符拆开、
    结果直接拼接）；单词级用 ``sep=" "``。

    Examples
    --------
    >>> from dlbook.models.rnn import RNNScratch
    >>> vocab = Vocab(list("abc "))
    >>> net = RNNScratch(len(vocab), 8, generator=torch.Generator().manual_seed(0))
    >>> predict_text("ab", 5, net, vocab)      # 还没训练：生成的是胡话
    'ab...'
    >>> g = torch.Generator().manual_seed(0)
    >>> a = predict_text("ab", 5, net, vocab, temperature=1.0, generator=g)
    >>> b = predict_text("ab", 5, net, vocab, temperature=1.0, generator=g.manual_seed(0))
    >>> a == b, a.startswith("ab")              # 同一个种子，同样的样本
    (True, True)
    """
    if isinstance(num_preds, bool) or not isinstance(num_preds, int) or num_preds < 0:
        raise ValueError(f"num_preds 必须是非负整数，收到 {num_preds!r}")
    if (
        isinstance(temperature, bool)
        or not isinstance(temperature, (int, float))
        or not (temperature >= 0 and math.isfinite(temperature))
    ):
        raise ValueError(f"temperature 必须是有限的非负数（0 表示贪心），收到 {temperature!r}")
    tokens = list(prefix) if sep == "" else prefix.split(sep)
    if not tokens:
        raise ValueError("prefix 不能为空：至少要有一个词元作为第一步的输入")
    device = _device_of(net) if device is None else torch.device(device)
    was_training = net.training
    net.eval()
    try:
        outputs = vocab[tokens]
        state = net.begin_state(1, device)
        if len(outputs) > 1:  # 预热：读入前缀中除最后一个以外的词元
            _, state = net(torch.tensor([outputs[:-1]], device=device), state)
        for _ in range(num_preds):
            y, state = net(torch.tensor([[outputs[-1]]], device=device), state)
            if temperature == 0:
                outputs.append(int(y.argmax(dim=1)))
            else:
                probs = torch.softmax(y[0].float().cpu() / temperature, dim=0)
                outputs.append(int(torch.multinomial(probs, 1, generator=generator)))
    finally:
        net.train(was_training)
    return sep.join(vocab.to_tokens(outputs))


@dataclass
class LanguageModelHistory(History):
    """语言模型训练的逐轮记录：``train_loss``/``test_loss`` 是每个词元的平均交叉熵。

    Examples
    --------
    >>> h = LanguageModelHistory(device="cpu")
    >>> h.append(EpochRecord(1, math.log(2.0), None, math.log(8.0), None, 1000, 0.5, 2000.0, 0.6))
    >>> [round(p, 6) for p in h.perplexity() + h.perplexity("valid")]
    [2.0, 8.0]
    >>> h.summary()
    'perplexity 2.00, valid perplexity 8.00, 2000.0 tokens/sec on cpu'
    """

    task: str = "language-model"

    def perplexity(self, split: str = "train") -> list[float]:
        """每轮的困惑度：``split="train"`` 为训练集，``"valid"`` 为验证集（没有时为 ``None``）。"""
        if split not in ("train", "valid"):
            raise ValueError(f"split 必须是 'train' 或 'valid'，收到 {split!r}")
        column = self.column("train_loss" if split == "train" else "test_loss")
        return [None if v is None else math.exp(v) for v in column]

    def summary(self) -> str:
        """一行总结，例如 ``perplexity 1.52, 41234.5 tokens/sec on cpu``。"""
        parts = [f"perplexity {self.perplexity()[-1]:.2f}"]
        valid = self.perplexity("valid")[-1]
        if valid is not None:
            parts.append(f"valid perplexity {valid:.2f}")
        parts.append(f"{self.examples_per_sec():.1f} tokens/sec on {self.device}")
        return ", ".join(parts)


def _check_sampling(sampling: str | None, data_iter: Any) -> str:
    sampling = getattr(data_iter, "sampling", "sequential") if sampling is None else sampling
    if sampling not in ("random", "sequential"):
        raise ValueError(f"sampling 必须是 'random' 或 'sequential'，收到 {sampling!r}")
    return sampling


def train_language_model_epoch(
    net: nn.Module,
    data_iter: Iterable[Any],
    *,
    sampling: str,
    device: torch.device,
    loss: nn.Module,
    optimizer: torch.optim.Optimizer | None,
    clip: float | None,
) -> tuple[float, int]:
    """训练一轮：遍历一遍数据，返回（每个词元的平均交叉熵，词元数）。

    与分类模型的 :func:`~dlbook.train.loop.train_epoch` 相比有三处不同：隐状态按采样方式初始化或
    沿用（沿用时切断梯度）；损失是每个词元交叉熵的平均值；更新参数之前先裁剪梯度。
    ``optimizer`` 为 ``None`` 时只前向计算、不更新参数（:func:`evaluate_perplexity` 这样用）。
    :func:`train_language_model` 每轮调用它一次。

    Parameters
    ----------
    net : nn.Module
        有 ``begin_state(batch_size, device)`` 的循环网络语言模型。
    data_iter : iterable of (X, Y)
        形状都是 ``(批量大小, 时间步数)`` 的小批量。
    sampling : {"sequential", "random"}
        数据的采样方式，决定隐状态是否在小批量之间传递。
    device : torch.device
        模型所在的设备，小批量会被移到这里。
    loss : nn.Module
        对每个词元求平均的交叉熵，例如 ``nn.CrossEntropyLoss()``。
    optimizer : torch.optim.Optimizer or None
        更新参数的优化器；``None`` 表示只评估。
    clip : float or None
        梯度裁剪的阈值 θ；``None`` 表示不裁剪。

    Examples
    --------
    >>> from dlbook.models.rnn import RNNScratch
    >>> from dlbook.data.text import SeqDataLoader
    >>> net = RNNScratch(4, 8, generator=torch.Generator().manual_seed(0))
    >>> opt = torch.optim.SGD(net.parameters(), lr=1.0)
    >>> loss, n = train_language_model_epoch(
    ...     net, SeqDataLoader([0, 1, 2, 3] * 10, 2, 4), sampling="sequential",
    ...     device=torch.device("cpu"), loss=nn.CrossEntropyLoss(), optimizer=opt, clip=1.0)
    >>> n, math.exp(loss) < 5      # 32 个词元；困惑度约为词表大小 4
    (32, True)
    """
    state = None
    loss_sum = torch.zeros((), device=device)
    n = 0
    for X, Y in data_iter:
        X, Y = X.to(device), Y.to(device)
        if state is None or sampling == "random":
            # 第一个小批量，或随机采样（相邻小批量在原文中不相邻）：从全零状态开始
            state = net.begin_state(X.shape[0], device)
        else:
            # 顺序分区：沿用上一批的状态，但切断梯度——反向传播只到本批的开头为止
            state = _detach(state)
        y = Y.T.reshape(-1)  # 与输出一样按时间步优先排列
        y_hat, state = net(X, state)
        batch_loss = loss(y_hat, y.long())
        if optimizer is not None:
            optimizer.zero_grad(set_to_none=True)
            batch_loss.backward()
            if clip is not None:
                grad_clipping(net, clip)
            optimizer.step()
        loss_sum += batch_loss.detach() * y.numel()
        n += y.numel()
    if n == 0:
        raise ValueError("数据迭代器为空：至少需要一个小批量")
    return loss_sum.item() / n, n  # 一轮只在这里同步一次


def evaluate_perplexity(
    net: nn.Module,
    data_iter: Iterable[Any],
    *,
    sampling: str | None = None,
    device: torch.device | str | None = None,
) -> float:
    """模型在一组小批量上的困惑度（不更新参数）。``sampling`` 默认取 ``data_iter.sampling``。

    Examples
    --------
    参数全为 0 的模型对每个词元给出相同的得分，困惑度等于词表大小：

    >>> from dlbook.models.rnn import RNNScratch
    >>> from dlbook.data.text import SeqDataLoader
    >>> net = RNNScratch(28, 4, sigma=0.0)
    >>> round(evaluate_perplexity(net, SeqDataLoader(list(range(28)) * 20, 4, 5)), 3)
    28.0
    """
    sampling = _check_sampling(sampling, data_iter)
    device = _device_of(net) if device is None else torch.device(device)
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            mean_loss, _ = train_language_model_epoch(
                net,
                data_iter,
                sampling=sampling,
                device=device,
                loss=nn.CrossEntropyLoss(),
                optimizer=None,
                clip=None,
            )
    finally:
        net.train(was_training)
    return math.exp(mean_loss)


def train_language_model(
    net: nn.Module,
    train_iter: Iterable[Any],
    num_epochs: int,
    *,
    lr: float | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    clip: float | None = 1.0,
    sampling: str | None = None,
    valid_iter: Iterable[Any] | None = None,
    device: torch.device | str | None = None,
    seed: int | None = None,
    plot: bool | LivePlot = True,
    verbose: bool = True,
) -> LanguageModelHistory:
    """训练一个循环神经网络语言模型，返回 :class:`LanguageModelHistory`，结束时打印一行总结。

    每个小批量：按采样方式初始化或沿用（并切断梯度的）隐状态，前向计算全部时间步，
    求每个词元交叉熵的平均值，反向传播，梯度裁剪到范数不超过 ``clip``，更新参数。

    Parameters
    ----------
    net : nn.Module
        :class:`~dlbook.models.rnn.RNNScratch`、:class:`~dlbook.models.rnn.RNNModel` 或接口相同的模型。
    train_iter : iterable of (X, Y)
        形状都是 ``(批量大小, 时间步数)`` 的小批量，例如 :class:`dlbook.data.text.SeqDataLoader`。
    num_epochs : int
        训练轮数。
    lr : float, optional
        学习率：使用 ``torch.optim.SGD(net.parameters(), lr)``。
    optimizer : torch.optim.Optimizer, optional
        自己构造的优化器。``lr`` 与 ``optimizer`` 只给一个。
    clip : float or None
        梯度裁剪的阈值 θ，默认 1；``None`` 表示不裁剪。
    sampling : {"sequential", "random"}, optional
        数据的采样方式，决定隐状态是否在小批量之间传递；默认取 ``train_iter.sampling``。
    valid_iter : iterable of (X, Y), optional
        每轮结束后在它上面计算验证困惑度。
    device : torch.device or str, optional
        默认是模型参数所在的设备；模型会被移到这里。
    seed : int, optional
        训练前调用 :func:`dlbook.seed_everything`。
    plot : bool or LivePlot
        是否画困惑度曲线（每轮一个点）。
    verbose : bool
        结束时是否打印总结行。

    Examples
    --------
    一个只有 4 个词元、不断重复 ``abcd`` 的“语料”，几轮就能学会：

    >>> from dlbook.models.rnn import RNNScratch
    >>> from dlbook.data.text import SeqDataLoader
    >>> loader = SeqDataLoader([0, 1, 2, 3] * 100, 4, 8, seed=0)
    >>> net = RNNScratch(4, 16, sigma=0.1, generator=torch.Generator().manual_seed(0))
    >>> round(evaluate_perplexity(net, loader), 1)    # 训练前：接近词表大小 4
    3.9
    >>> h = train_language_model(net, loader, 30, lr=1.0, plot=False)
    perplexity 1..., ... tokens/sec on cpu
    >>> h.perplexity()[-1] < 1.1, evaluate_perplexity(net, loader) < 1.1
    (True, True)
    """
    if not isinstance(net, nn.Module) or not hasattr(net, "begin_state"):
        raise TypeError("net 必须是带 begin_state(batch_size, device) 的 nn.Module")
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs 必须是正整数，收到 {num_epochs!r}")
    if (lr is None) == (optimizer is None):
        raise ValueError("lr 与 optimizer 必须给出且只给一个")
    if lr is not None and not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr 必须是有限的正数，收到 {lr!r}")
    if clip is not None and (
        isinstance(clip, bool) or not isinstance(clip, (int, float)) or clip <= 0
    ):
        raise ValueError(f"clip 必须是正数或 None，收到 {clip!r}")
    sampling = _check_sampling(sampling, train_iter)
    if seed is not None:
        seed_everything(seed)
    device = _device_of(net) if device is None else torch.device(device)
    net.to(device)
    if optimizer is None:
        optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    live: LivePlot | None
    if isinstance(plot, LivePlot):
        live = plot
    elif plot:
        legend = ["train"] if valid_iter is None else ["train", "valid"]
        xlim = (1, num_epochs) if num_epochs > 1 else None
        live = LivePlot(xlabel="epoch", ylabel="perplexity", legend=legend, xlim=xlim)
    else:
        live = None
    history = LanguageModelHistory(device=str(device))
    wall_start = time.perf_counter()
    try:
        for epoch in range(num_epochs):
            net.train()
            start = time.perf_counter()
            train_loss, n = train_language_model_epoch(
                net,
                train_iter,
                sampling=sampling,
                device=device,
                loss=loss,
                optimizer=optimizer,
                clip=clip,
            )
            seconds = time.perf_counter() - start
            valid_loss = None
            if valid_iter is not None:
                valid_loss = math.log(evaluate_perplexity(net, valid_iter, device=device))
            history.append(
                EpochRecord(
                    epoch=epoch + 1,
                    train_loss=train_loss,
                    train_acc=None,
                    test_loss=valid_loss,
                    test_acc=None,
                    num_examples=n,
                    train_seconds=seconds,
                    examples_per_sec=n / seconds if seconds > 0 else 0.0,
                    wall_time=time.perf_counter() - wall_start,
                )
            )
            if live is not None:
                points = [math.exp(train_loss)]
                if valid_loss is not None:
                    points.append(math.exp(valid_loss))
                live.add(epoch + 1, points)
    finally:
        if live is not None:
            live.finish()
    if verbose:
        print(history.summary())
    return history
