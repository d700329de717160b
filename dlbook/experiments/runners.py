"""各类任务共用的 ``run`` 函数：每种任务一个，由它决定记下哪些指标。

登记的实验把这里的函数写作 ``run=...``；它们都返回 :class:`~dlbook.experiments.registry.RunOutput`
（训练历史、额外指标、训练好的模型与用到的数据）。各章的目录只写设置（其中 ``model`` 是模型工厂与参数，
:class:`~dlbook.experiments.model_spec.ModelSpec`），不写训练过程：

* :func:`fashion_mnist_classifier`：Fashion-MNIST 上的分类（``task="classification"``）；
* :func:`language_model_run`：字符级语料上的循环神经网络语言模型（``task="language_model"``）；
* :func:`translation_run`：英法句子对上的编码器–解码器（``task="seq2seq"``）；
* :func:`house_regression_run`：房价回归上比较优化算法（``task="regression"``）。

``run`` 用 ``settings["model"].build(generator, **数据量)`` 建模型：语言模型给出 ``vocab_size``，
翻译给出 ``src_vocab_size`` 与 ``tgt_vocab_size``
（模型参数里的 :class:`~dlbook.experiments.model_spec.FromData`）。

:func:`metrics_from_history` 按任务把训练历史变成指标：除最后一轮的数之外，还记下每轮的序列
（``loss_per_epoch``、``test_acc_per_epoch`` ……），预期（:mod:`dlbook.experiments.expectations`）
可以引用其中的任意一轮。
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from dlbook.utils.seeding import init_generator, init_seed

if TYPE_CHECKING:
    from dlbook.experiments.registry import RunContext, RunOutput
    from dlbook.train.loop import History

__all__ = [
    "TASKS",
    "LanguageModelData",
    "fashion_mnist_classifier",
    "house_regression_run",
    "language_model_run",
    "make_scheduler",
    "mean_bleu",
    "metrics_from_history",
    "optimizer_factory",
    "run_house_experiment",
    "translation_run",
]

#: 任务类型：决定 :func:`metrics_from_history` 从训练历史中取哪些指标。
TASKS = ("classification", "regression", "language_model", "seq2seq")


def metrics_from_history(history: History, task: str) -> dict[str, Any]:
    """按任务类型从训练历史中取出指标：最后一轮的数、吞吐量与每轮的序列。

    * ``classification``：``loss``、``train_acc``、``test_acc``，以及 ``loss_per_epoch``、
      ``train_acc_per_epoch``、``test_acc_per_epoch``；
    * ``regression``、``seq2seq``：``train_loss``、``test_loss``，以及 ``train_loss_per_epoch``、
      ``test_loss_per_epoch``；
    * ``language_model``：``train_loss``、``perplexity`` （训练集上每个词元的困惑度）与
      ``perplexity_per_epoch``。

    都有 ``examples_per_sec``；值为 ``None`` 的（例如没有测试集）不记。

    Examples
    --------
    >>> from dlbook.train.loop import EpochRecord, History
    >>> h = History(task="classification")
    >>> h.append(EpochRecord(1, 0.9, 0.6, 0.8, 0.7, 100, 1.0, 100.0, 1.1))
    >>> h.append(EpochRecord(2, 0.5, 0.8, 0.6, 0.75, 100, 1.0, 100.0, 2.2))
    >>> m = metrics_from_history(h, "classification")
    >>> m["test_acc"], m["loss_per_epoch"]
    (0.75, [0.9, 0.5])
    """
    import math

    if task not in TASKS:
        raise ValueError(f"task 必须是 {', '.join(TASKS)} 之一，收到 {task!r}")
    r = history.final
    if task == "classification":
        names = {"loss": "train_loss", "train_acc": "train_acc", "test_acc": "test_acc"}
    else:
        names = {"train_loss": "train_loss", "test_loss": "test_loss"}
    metrics: dict[str, Any] = {key: getattr(r, col) for key, col in names.items()}
    if task == "language_model":
        del metrics["test_loss"]
        perplexity = [math.exp(v) for v in history.column("train_loss")]
        metrics["perplexity"] = perplexity[-1]
        metrics["perplexity_per_epoch"] = perplexity
    else:
        for key, col in names.items():
            series = history.column(col)
            if all(v is not None for v in series):
                metrics[f"{key}_per_epoch"] = series
    metrics["examples_per_sec"] = history.examples_per_sec()
    return {k: v for k, v in metrics.items() if v is not None}


def _run_output(*args: Any, **kwargs: Any) -> RunOutput:
    from dlbook.experiments.registry import RunOutput

    return RunOutput(*args, **kwargs)


# ---------------------------------------------------------------------------
# 分类
# ---------------------------------------------------------------------------


def fashion_mnist_classifier(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在 Fashion-MNIST 上训练分类模型的 ``run`` 函数。

    ``settings`` 中用到的键：

    * ``model`` （:class:`~dlbook.experiments.model_spec.ModelSetting`，不需要数据量）、``batch_size``、
      ``num_epochs``、``lr`` （必需），``resize``、``init``、``num_train``、``num_test`` （可选）；
    * ``loss``：``"nn.CrossEntropyLoss"`` （默认，模型输出 logits）或 ``"dlbook.cross_entropy"``
      （模型输出概率，用手写的交叉熵）；
    * ``optimizer``：``"torch.optim.SGD"`` （默认）或 ``"dlbook.sgd"`` （手写的小批量随机梯度下降，
      对损失之和反向传播）；
    * ``scheduler`` （可选）：学习率调度器，见 :func:`make_scheduler`。

    ``RunOutput.data`` 是 ``(train_iter, test_iter)``。
    """
    from dlbook.data import load_fashion_mnist
    from dlbook.ops.basic import cross_entropy, sgd
    from dlbook.train.trainer import train_classifier

    train_iter, test_iter = load_fashion_mnist(
        settings["batch_size"],
        resize=settings.get("resize"),
        seed=ctx.seed,
        device=ctx.device,
        num_train=settings.get("num_train"),
        num_test=settings.get("num_test"),
    )
    # 有的模型工厂用全局随机数做默认初始化：先播种，保证可复现
    torch.manual_seed(init_seed(ctx.seed))
    net = settings["model"].build(init_generator(ctx.seed))
    loss_name = settings.get("loss", "nn.CrossEntropyLoss")
    if loss_name == "nn.CrossEntropyLoss":
        loss = nn.CrossEntropyLoss(reduction="none")
    elif loss_name == "dlbook.cross_entropy":
        loss = cross_entropy
    else:
        raise ValueError(f"未知的 loss 设置 {loss_name!r}")
    lr = settings["lr"]
    optimizer_name = settings.get("optimizer", "torch.optim.SGD")
    kwargs: dict[str, Any] = {}
    if optimizer_name == "torch.optim.SGD":
        kwargs["lr"] = lr
    elif optimizer_name == "dlbook.sgd":
        net.to(ctx.device)
        params = list(net.parameters())
        kwargs["updater"] = lambda batch_size: sgd(params, lr, batch_size)
    else:
        raise ValueError(f"未知的 optimizer 设置 {optimizer_name!r}")
    if settings.get("scheduler") is not None:
        kwargs["scheduler"] = make_scheduler(settings)
    history = train_classifier(
        net,
        train_iter,
        test_iter,
        settings["num_epochs"],
        loss=loss,
        device=ctx.device,
        init=settings.get("init"),
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
        **kwargs,
    )
    return _run_output(history, model=net, data=(train_iter, test_iter))


# ---------------------------------------------------------------------------
# 语言模型
# ---------------------------------------------------------------------------


@dataclass
class LanguageModelData:
    """语言模型实验用到的数据：训练迭代器与词表。"""

    train_iter: Any
    vocab: Any


def language_model_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在字符级语料上训练循环神经网络语言模型的 ``run`` 函数（第 7、8 章共用）。

    模型由 ``settings["model"].build(generator, vocab_size=词表大小)`` 建出。用到的设置：``corpus``、``token``、
    ``sampling``、``num_train`` （取语料的前多少个词元）、``batch_size``、``num_steps``、``lr``、
    ``clip``、``num_epochs`` 与生成文本的前缀 ``prefix``。额外指标是生成的 50 个字符 ``generated``；
    ``RunOutput.data`` 是 :class:`LanguageModelData`。
    """
    from dlbook.data.text import load_language_model_data
    from dlbook.train.language_model import predict_text, train_language_model

    train_iter, vocab = load_language_model_data(
        settings["batch_size"],
        settings["num_steps"],
        name=settings["corpus"],
        token=settings["token"],
        sampling=settings["sampling"],
        max_tokens=settings.get("num_train"),
        seed=ctx.seed,
        device=ctx.device,
    )
    net = settings["model"].build(init_generator(ctx.seed), vocab_size=len(vocab))
    history = train_language_model(
        net,
        train_iter,
        settings["num_epochs"],
        lr=settings["lr"],
        clip=settings["clip"],
        device=ctx.device,
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    extra = {"generated": predict_text(settings["prefix"], 50, net, vocab)}
    return _run_output(history, extra, net, LanguageModelData(train_iter, vocab))


# ---------------------------------------------------------------------------
# 翻译
# ---------------------------------------------------------------------------


def translation_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在英法句子对上训练编码器–解码器的 ``run`` 函数（第 8、9 章的翻译实验共用）。

    模型由 ``settings["model"].build(generator, src_vocab_size=..., tgt_vocab_size=...)`` 建出，
    词表大小取自 :func:`~dlbook.data.translation.load_translation` 的结果。额外指标是前 ``num_bleu``
    个训练句子与留出句子上的平均 BLEU
    （``bleu_train``、``bleu_test``，贪心搜索，见 :func:`mean_bleu`）；
    ``RunOutput.data`` 是 ``load_translation`` 的结果。
    """
    from dlbook.data.translation import load_translation
    from dlbook.train.seq2seq import train_seq2seq

    data = load_translation(
        settings["batch_size"],
        settings["num_steps"],
        num_examples=settings["num_examples"],
        seed=ctx.seed,
    )
    net = settings["model"].build(
        init_generator(ctx.seed),
        src_vocab_size=len(data.src_vocab),
        tgt_vocab_size=len(data.tgt_vocab),
    )
    history = train_seq2seq(
        net,
        data.train_iter,
        settings["num_epochs"],
        lr=settings["lr"],
        tgt_vocab=data.tgt_vocab,
        device=ctx.device,
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    n = settings["num_bleu"]
    extra = {
        "bleu_train": mean_bleu(net, data, data.train_pairs[:n]),
        "bleu_test": mean_bleu(net, data, data.test_pairs[:n]),
    }
    return _run_output(history, extra, net, data)


def mean_bleu(net: nn.Module, data: Any, pairs: list[tuple[str, str]], k: int = 2) -> float:
    """模型在句子对 ``pairs`` 上的平均 BLEU：贪心搜索翻译每个英文句子，与规范化后的法文参考比较。

    ``data`` 是 :func:`~dlbook.data.translation.load_translation` 的结果（词表与时间步数）。
    """
    from dlbook.data.translation import normalize_sentence
    from dlbook.metrics.bleu import bleu
    from dlbook.train.seq2seq import predict_seq2seq

    scores = [
        bleu(
            predict_seq2seq(net, en, data.src_vocab, data.tgt_vocab, data.num_steps).split(),
            normalize_sentence(fr).split(),
            k=k,
        )
        for en, fr in pairs
    ]
    return sum(scores) / len(scores)


# ---------------------------------------------------------------------------
# 学习率调度器与房价回归上的优化算法
# ---------------------------------------------------------------------------

#: 优化算法的超参数（按书中的记号命名）：登记项里有哪个，就把哪个传给优化器。
_HYPERPARAMETERS = ("lr", "momentum", "gamma", "alpha", "rho", "betas", "eps")


def optimizer_factory(settings: dict[str, Any]) -> Callable[[Any], torch.optim.Optimizer]:
    """由登记项的设置得到 ``make_optimizer(params)``：``settings["optimizer"]`` 是
    :mod:`dlbook.optim.scratch` 中的类名（从零实现）或 ``"torch.optim.XXX"`` （简洁实现），
    超参数取自 ``lr``、``momentum``、``gamma`` 等键。

    Examples
    --------
    >>> make = optimizer_factory(dict(optimizer="AdamScratch", lr=0.01, eps=1e-6, batch_size=10))
    >>> make([torch.zeros(2, requires_grad=True)]).defaults["lr"]
    0.01
    """
    from dlbook.optim import scratch as optimizers

    name = settings["optimizer"]
    if name.startswith("torch.optim."):
        cls = getattr(torch.optim, name.removeprefix("torch.optim."))
    elif name in optimizers.__all__:
        cls = getattr(optimizers, name)
    else:
        raise ValueError(f"未知的 optimizer 设置 {name!r}")
    kwargs = {k: settings[k] for k in _HYPERPARAMETERS if k in settings}
    return lambda params: cls(params, **kwargs)


def make_scheduler(settings: dict[str, Any]) -> Any:
    """由登记项的设置得到 :mod:`dlbook.optim.schedulers` 中的调度器；``scheduler`` 为 ``None`` 时不调度。

    Examples
    --------
    >>> make_scheduler(dict(lr=0.3, scheduler="cosine", max_update=20, final_lr=0.01))
    CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01, warmup_steps=0, warmup_begin_lr=0.0)
    >>> make_scheduler(dict(lr=0.3, scheduler=None)) is None
    True
    """
    from dlbook.optim import schedulers

    kind, lr = settings["scheduler"], settings["lr"]
    if kind is None:
        return None
    if kind == "multi-factor":
        return schedulers.MultiFactorScheduler(settings["milestones"], settings["factor"], lr)
    if kind == "cosine":
        return schedulers.CosineScheduler(
            settings["max_update"],
            lr,
            settings["final_lr"],
            warmup_steps=settings.get("warmup_steps", 0),
        )
    raise ValueError(f"未知的 scheduler 设置 {kind!r}")


def house_regression_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在房价回归上按 ``settings`` （批量、样本数、轮数、优化器）训练线性回归。

    优化器默认由 :func:`optimizer_factory` 按设置构造；``ctx.options["make_optimizer"]``
    （``make_optimizer(params, settings)``）可以让页面写出同一个优化器的构造。指标是最终损失
    ``train_loss`` 与每轮秒数 ``sec_per_epoch``；``RunOutput.history`` 为 ``None``，训练记录
    （:class:`~dlbook.train.optimizer_comparison.OptimizerHistory`）在 ``RunOutput.data`` 里。
    """
    from dlbook.data.house_prices import load_house_regression
    from dlbook.train.optimizer_comparison import train_optimizer

    make_optimizer = ctx.options.get("make_optimizer")

    def make(params: Any) -> torch.optim.Optimizer:
        if make_optimizer is None:
            return optimizer_factory(settings)(params)
        return make_optimizer(params, settings)

    data_iter, feature_dim = load_house_regression(
        settings["batch_size"], settings["num_examples"], seed=ctx.seed
    )
    trace = train_optimizer(
        make,
        data_iter,
        feature_dim,
        settings["num_epochs"],
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    metrics = {"train_loss": trace.final_loss, "sec_per_epoch": trace.sec_per_epoch}
    return _run_output(metrics=metrics, data=trace)


def run_house_experiment(
    name: str,
    make_optimizer: Callable[[Any, dict[str, Any]], torch.optim.Optimizer] | None = None,
    *,
    seed: int = 0,
    plot: bool = False,
    verbose: bool = True,
) -> Any:
    """页面用：运行房价回归上的优化器实验 ``name`` （:func:`~dlbook.experiments.run_experiment`），
    返回训练记录（:class:`~dlbook.train.optimizer_comparison.OptimizerHistory`）。

    ``make_optimizer(params, settings)`` 让页面写出优化器的构造，例如
    ``lambda p, s: AdamScratch(p, lr=s["lr"])``；默认按登记项的设置构造。
    """
    from dlbook.experiments.registry import run_experiment

    options = {} if make_optimizer is None else {"make_optimizer": make_optimizer}
    return run_experiment(name, seed=seed, plot=plot, verbose=verbose, options=options).data
