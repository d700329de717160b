"""各类任务共用的 ``run`` 函数：每种任务一个，由它决定记下哪些指标。

登记的实验把这里的函数写作 ``run=...``；它们都返回 :class:`~dlbook.experiments.registry.RunOutput`
（训练历史、额外指标、训练好的模型与用到的数据）。各章的目录只写设置（其中 ``model`` 是模型工厂与参数，
:class:`~dlbook.experiments.model_spec.ModelSpec`），不写训练过程：

* :func:`fashion_mnist_classifier`：Fashion-MNIST 上的分类（``task="classification"``）；
* :func:`language_model_run`：字符级语料上的循环神经网络语言模型（``task="language_model"``）；
* :func:`translation_run`：句子对（默认英译中）上的编码器–解码器（``task="seq2seq"``）；
* :func:`reversal_run`：倒序任务上的编码器–解码器，几个种子各训练一次（``task="seq2seq"``）；
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
    "metrics_from_history",
    "optimizer_factory",
    "run_house_experiment",
    "reversal_run",
    "translate_pairs",
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
      ``perplexity_per_epoch``；有验证集时还有 ``valid_perplexity`` 与 ``valid_perplexity_per_epoch``。

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
        valid = history.column("test_loss")
        if all(v is not None for v in valid):
            metrics["valid_perplexity_per_epoch"] = [math.exp(v) for v in valid]
            metrics["valid_perplexity"] = metrics["valid_perplexity_per_epoch"][-1]
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
    * ``optimizer``：``"torch.optim.SGD"`` （默认；设置里有非零的 ``momentum`` 时带动量）或
      ``"dlbook.sgd"`` （手写的小批量随机梯度下降，对损失之和反向传播）；
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
    if optimizer_name == "torch.optim.SGD" and settings.get("momentum"):
        net.to(ctx.device)
        kwargs["optimizer"] = torch.optim.SGD(
            net.parameters(), lr=lr, momentum=settings["momentum"]
        )
    elif optimizer_name == "torch.optim.SGD":
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
    """语言模型实验用到的数据：训练迭代器、词表与留出文本的验证迭代器。"""

    train_iter: Any
    vocab: Any
    valid_iter: Any = None


def language_model_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在字符级语料上训练循环神经网络语言模型的 ``run`` 函数（第 7、8 章共用）。

    模型由 ``settings["model"].build(generator, vocab_size=词表大小)`` 建出。用到的设置：``corpus``、``token``、
    ``sampling``、``num_valid`` （书末留出多少个词元作验证集）、``num_train`` （训练取其余文本的前多少个
    词元，``None`` 为全部，见 :func:`~dlbook.data.text.split_corpus`）、``batch_size``、``num_steps``、
    ``optimizer`` （``"torch.optim.SGD"`` 或 ``"torch.optim.Adam"`` 等，见 :func:`optimizer_factory`）、``lr``、
    ``clip``、``num_epochs``、生成文本的前缀 ``prefix`` 与采样温度 ``temperature``。

    额外指标：同一段训练文本上计数、在同一段留出文本上求的 1、2、3 元语法（加一平滑）困惑度
    ``unigram_perplexity``、``bigram_perplexity``、``trigram_perplexity``；贪心生成的 50 个字符
    ``generated`` 与按温度采样的 50 个字符 ``sampled``；更新次数 ``num_updates``。验证困惑度
    ``valid_perplexity`` 由 :func:`metrics_from_history` 给出。``RunOutput.data`` 是 :class:`LanguageModelData`。
    """
    from dlbook.data.text import SeqDataLoader, load_corpus, split_corpus
    from dlbook.metrics.perplexity import ngram_perplexity
    from dlbook.train.language_model import predict_text, train_language_model

    corpus, vocab = load_corpus(settings["corpus"], token=settings["token"])
    train, valid = split_corpus(corpus, settings["num_valid"], settings.get("num_train"))
    batch_size, num_steps = settings["batch_size"], settings["num_steps"]
    train_iter = SeqDataLoader(
        train,
        batch_size,
        num_steps,
        sampling=settings["sampling"],
        seed=ctx.seed,
        device=ctx.device,
    )
    # 验证集总是顺序分区、每轮同一个偏移（set_epoch(0)），各轮的验证困惑度才可以比较
    valid_iter = _FixedEpoch(SeqDataLoader(valid, batch_size, num_steps, device=ctx.device))
    net = settings["model"].build(init_generator(ctx.seed), vocab_size=len(vocab))
    history = train_language_model(
        net,
        train_iter,
        settings["num_epochs"],
        optimizer=optimizer_factory(settings)(net.parameters()),
        clip=settings["clip"],
        valid_iter=valid_iter,
        device=ctx.device,
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    extra: dict[str, Any] = {
        f"{name}_perplexity": ngram_perplexity(train, n, len(vocab), heldout=valid)
        for n, name in ((1, "unigram"), (2, "bigram"), (3, "trigram"))
    }
    extra["num_updates"] = settings["num_epochs"] * sum(1 for _ in train_iter)
    extra["generated"] = predict_text(settings["prefix"], 50, net, vocab)
    extra["sampled"] = predict_text(
        settings["prefix"],
        50,
        net,
        vocab,
        temperature=settings["temperature"],
        generator=torch.Generator().manual_seed(init_seed(ctx.seed)),
    )
    return _run_output(history, extra, net, LanguageModelData(train_iter, vocab, valid_iter))


class _FixedEpoch:
    """每次遍历都从第 0 轮的偏移开始的迭代器包装（验证集用）。"""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.sampling = loader.sampling

    def __iter__(self) -> Any:
        self.loader.set_epoch(0)
        return iter(self.loader)


# ---------------------------------------------------------------------------
# 翻译
# ---------------------------------------------------------------------------


def translation_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在句子对上训练编码器–解码器的 ``run`` 函数（第 8、9 章的翻译实验共用）。

    数据由 :func:`~dlbook.data.translation.load_translation` 读出：``settings`` 里的 ``dataset``
    （默认 ``"cmn-eng"``，英译中）、``num_examples``、``num_steps``、``batch_size``，以及可选的
    ``drop_long`` （默认 ``False``）与 ``num_test`` （默认 500）。模型由
    ``settings["model"].build(generator, src_vocab_size=..., tgt_vocab_size=...)`` 建出。
    额外指标在前 ``num_bleu`` 个训练句子与留出句子上（贪心搜索，每句只翻译一次）：

    * ``bleu_train``、``bleu_test``：逐句 BLEU（:func:`~dlbook.metrics.bleu.bleu`，``k=2``）的平均；
    * ``corpus_bleu_train``、``corpus_bleu_test``：语料级 BLEU-4
      （:func:`~dlbook.metrics.bleu.corpus_bleu`，0 到 1 之间）。

    ``RunOutput.data`` 是 ``load_translation`` 的结果。
    """
    from dlbook.data.translation import load_translation
    from dlbook.metrics.bleu import bleu, corpus_bleu
    from dlbook.train.seq2seq import train_seq2seq

    data = load_translation(
        settings["batch_size"],
        settings["num_steps"],
        dataset=settings.get("dataset", "cmn-eng"),
        num_examples=settings["num_examples"],
        num_test=settings.get("num_test", 500),
        drop_long=settings.get("drop_long", False),
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
    extra: dict[str, float] = {}
    for split, pairs in (("train", data.train_pairs[:n]), ("test", data.test_pairs[:n])):
        preds, labels = translate_pairs(net, data, pairs)
        extra[f"bleu_{split}"] = sum(map(bleu, preds, labels)) / len(preds)
        extra[f"corpus_bleu_{split}"] = corpus_bleu(preds, labels)
    return _run_output(history, extra, net, data)


def translate_pairs(
    net: nn.Module, data: Any, pairs: list[tuple[str, str]]
) -> tuple[list[list[str]], list[list[str]]]:
    """用贪心搜索翻译 ``pairs`` 的每个英文句子，返回（译文的词元列表，参考译文的词元列表）。

    ``data`` 是 :func:`~dlbook.data.translation.load_translation` 的结果：它给出词表、时间步数，
    以及参考译文的词元化方式（中文按字）。
    """
    from dlbook.train.seq2seq import predict_seq2seq

    preds = [
        predict_seq2seq(net, en, data.src_vocab, data.tgt_vocab, data.num_steps).split()
        for en, _ in pairs
    ]
    return preds, [data.target_tokens(tgt) for _, tgt in pairs]


# ---------------------------------------------------------------------------
# 倒序任务：注意力必须赢的地方
# ---------------------------------------------------------------------------


def reversal_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """倒序任务的 ``run`` 函数：用 ``num_seeds`` 个种子各训练一次，在留出序列上贪心解码并评分。

    第 ``k`` 次用种子 ``ctx.seed + k``：它决定训练序列、模型初值与小批量顺序；留出的 ``num_test``
    个序列用种子 ``10_000 + ctx.seed + k`` 生成，与训练序列无关。指标（每个种子一项的列表与它们的平均）：

    * ``token_acc_per_seed``：留出序列上预测对的字母占全部字母的比例（不算 ``<eos>``）；
    * ``exact_match_per_seed``：整句（全部字母与 ``<eos>``）都对的序列所占的比例；
    * ``train_loss_per_seed``：最后一轮每个目标词元的平均交叉熵；
    * ``position_acc``：按输出位置（第 1 个、第 2 个……输出字母）分别算的词元精度，各种子平均。

    ``RunOutput.model`` 是第一个种子的模型；``RunOutput.data`` 是字典：词表 ``vocab``、第一个种子的
    留出序列 ``test`` （``(X, X_valid_len, Y, Y_valid_len)``）与模型对它们的预测 ``predictions``。
    """
    from dlbook.data.loader import TensorBatches
    from dlbook.data.synthetic import sequence_reversal
    from dlbook.train.seq2seq import greedy_decode, train_seq2seq

    task = {k: settings[k] for k in ("num_symbols", "min_len", "max_len")}
    num_steps = settings["max_len"] + 1
    token_acc, exact, losses, positions = [], [], [], []
    first: dict[str, Any] = {}
    for k in range(settings["num_seeds"]):
        seed = ctx.seed + k
        train, vocab = sequence_reversal(settings["num_train"], **task, seed=seed)
        test, _ = sequence_reversal(settings["num_test"], **task, seed=10_000 + seed)
        net = settings["model"].build(
            init_generator(seed), src_vocab_size=len(vocab), tgt_vocab_size=len(vocab)
        )
        net.to(ctx.device)
        batches = TensorBatches(train, settings["batch_size"], seed=seed, device=ctx.device)
        history = train_seq2seq(
            net,
            batches,
            settings["num_epochs"],
            lr=settings["lr"],
            tgt_vocab=vocab,
            device=ctx.device,
            seed=seed,
            plot=False,
            verbose=False,
        )
        X, X_valid_len, Y, Y_valid_len = (t.to(ctx.device) for t in test)
        predictions = greedy_decode(
            net, X, X_valid_len, bos=vocab["<bos>"], num_steps=num_steps
        ).cpu()
        X, X_valid_len, Y, Y_valid_len = test
        steps = torch.arange(num_steps).unsqueeze(0)
        letters = steps < (Y_valid_len - 1).unsqueeze(1)  # 字母的位置（不含 <eos>）
        valid = steps < Y_valid_len.unsqueeze(1)  # 字母与 <eos>
        correct = predictions == Y
        token_acc.append((correct & letters).sum().item() / letters.sum().item())
        exact.append((correct | ~valid).all(dim=1).float().mean().item())
        losses.append(history.final.train_loss)
        positions.append(
            ((correct & letters).sum(dim=0) / letters.sum(dim=0).clamp(min=1))[:-1].tolist()
        )
        if k == 0:
            first = dict(model=net, vocab=vocab, test=test, predictions=predictions)
    metrics = dict(
        token_acc=sum(token_acc) / len(token_acc),
        exact_match=sum(exact) / len(exact),
        token_acc_per_seed=token_acc,
        exact_match_per_seed=exact,
        train_loss_per_seed=losses,
        position_acc=[sum(col) / len(col) for col in zip(*positions)],
    )
    model = first.pop("model")
    return _run_output(metrics=metrics, model=model, data=first)


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
