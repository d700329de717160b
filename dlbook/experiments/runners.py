"""各类任务共用的 ``run`` 函数：每种任务一个，由它决定记下哪些指标。

登记的实验把这里的函数写作 ``run=...``；它们都返回 :class:`~dlbook.experiments.registry.RunOutput`
（训练历史、额外指标、训练好的模型与用到的数据）。各章的目录只写设置（其中 ``model`` 是模型工厂与参数，
:class:`~dlbook.experiments.model_spec.ModelSpec`），不写训练过程：

* :func:`fashion_mnist_classifier`：Fashion-MNIST 上的分类（``task="classification"``）；
* :func:`language_model_run`：字符级语料上的循环神经网络语言模型（``task="language_model"``）；
* :func:`translation_run`：句子对（默认英译中）上的编码器–解码器（``task="seq2seq"``）；
* :func:`reversal_run`：倒序任务上的编码器–解码器，几个种子各训练一次（``task="seq2seq"``）；
* :func:`house_regression_run`：房价回归上比较优化算法（``task="regression"``）；
* :func:`augmentation_run`、:func:`fine_tuning_run`：图像增广与微调两节的分类实验，几个种子各训练一次，
  训练结束时在测试图像上评估（``task="classification"``）；
* :func:`ssd_run`：合成的目标检测数据集上的单发多框检测（``task="detection"``）；
* :func:`segmentation_run`：合成的分割数据集上的全卷积网络（``task="segmentation"``）；
* :func:`kaggle_classifier_run`：Kaggle 式图像分类比赛的完整流程（``task="classification"``）；
* :func:`bert_pretraining_run`：缩短的英文维基百科上预训练一个小 BERT，在留出的条目上评估（``task="language_model"``）；
* :func:`word2vec_run`：PTB 上的跳元模型（负采样），训练后在词相似度与类比基准上评价（``task="regression"``）。
* :func:`sentiment_classifier_run`：中文评论或英文影评上的情感分类（词袋基线、textCNN ……），几个种子各训练一次，
  在固定划分的留出评论上评估（``task="classification"``）。
* :func:`nli_run`：自然语言推断（规则造的句子对）上的可分解注意力与只看假设的词袋基线，几个种子各训练一次
  （``task="classification"``）；
* :func:`bert_finetuning_run`：在文本对（自然语言推断）上微调预训练的 MiniLM 或从零训练同一个网络，
  几个种子各训练一次（``task="classification"``）。

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
    "FineGrainedRun",
    "LanguageModelData",
    "KaggleRun",
    "augmentation_run",
    "bert_finetuning_run",
    "bert_pretraining_run",
    "fashion_mnist_classifier",
    "fine_tuning_run",
    "house_regression_run",
    "kaggle_augmentation",
    "kaggle_classifier_run",
    "kaggle_dog_run",
    "nli_run",
    "language_model_run",
    "make_scheduler",
    "metrics_from_history",
    "optimizer_factory",
    "reversal_run",
    "run_house_experiment",
    "segmentation_run",
    "sentiment_classifier_run",
    "ssd_run",
    "style_transfer_run",
    "translate_pairs",
    "translation_run",
    "word2vec_run",
]

#: 任务类型：决定 :func:`metrics_from_history` 从训练历史中取哪些指标。
TASKS = ("classification", "regression", "language_model", "seq2seq", "detection", "segmentation")


def metrics_from_history(history: History, task: str) -> dict[str, Any]:
    """按任务类型从训练历史中取出指标：最后一轮的数、吞吐量与每轮的序列。

    * ``classification``：``loss``、``train_acc``、``test_acc``，以及 ``loss_per_epoch``、
      ``train_acc_per_epoch``、``test_acc_per_epoch``；
    * ``regression``、``seq2seq``、``detection``、``segmentation``：``train_loss``、``test_loss``，以及
      ``train_loss_per_epoch``、``test_loss_per_epoch``；
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


# ---------------------------------------------------------------------------
# 目标检测
# ---------------------------------------------------------------------------


def ssd_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在合成的目标检测数据集（:func:`~dlbook.data.detection.load_detection`）上训练 SSD 的 ``run`` 函数。

    ``settings`` 中用到的键：``model``、``size`` （图像边长）、``num_train``、``num_val``、
    ``batch_size``、``num_epochs``、``lr``、``weight_decay``。训练用
    :func:`~dlbook.train.detection.train_ssd`，之后在验证集（背景照片不出现在训练集里）上检测，
    用 :func:`~dlbook.train.detection.evaluate_detector` 评分。

    除训练历史的指标外还记下：``class_error``、``bbox_mae`` 与它们每轮的序列
    ``class_error_per_epoch``、``bbox_mae_per_epoch``；验证集上的 ``val_map`` （mAP@0.5）、
    每个类别的 ``val_ap_<类别名>``、命中检测的平均 IoU ``val_mean_iou`` 与召回率 ``val_recall``。
    ``RunOutput.data`` 是 ``(train_iter, val_iter, 验证集上的 DetectionScores)``。
    """
    from dlbook.data.detection import DETECTION_CLASSES, load_detection
    from dlbook.train.detection import evaluate_detector, train_ssd

    train_iter, val_iter = load_detection(
        settings["batch_size"],
        size=settings["size"],
        num_train=settings["num_train"],
        num_val=settings["num_val"],
        seed=ctx.seed,
        device=ctx.device,
    )
    torch.manual_seed(init_seed(ctx.seed))  # 模型用全局随机数做默认初始化：先播种
    net = settings["model"].build()
    history = train_ssd(
        net,
        train_iter,
        settings["num_epochs"],
        lr=settings["lr"],
        weight_decay=settings["weight_decay"],
        device=ctx.device,
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    scores = evaluate_detector(net, val_iter)
    metrics: dict[str, Any] = {
        "class_error": history.class_error[-1],
        "bbox_mae": history.bbox_mae[-1],
        "class_error_per_epoch": history.class_error,
        "bbox_mae_per_epoch": history.bbox_mae,
        "val_map": scores.mean_ap,
        "val_mean_iou": scores.mean_iou,
        "val_recall": scores.recall,
    }
    metrics.update({f"val_ap_{DETECTION_CLASSES[c]}": ap for c, ap in scores.ap.items()})
    return _run_output(history, metrics=metrics, model=net, data=(train_iter, val_iter, scores))


# ---------------------------------------------------------------------------
# 语义分割
# ---------------------------------------------------------------------------


def segmentation_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在合成的分割数据集（:func:`~dlbook.data.segmentation.load_segmentation`）上训练分割网络的 ``run`` 函数。

    ``settings`` 中用到的键：``model``、``crop_size`` （训练时随机裁剪的边长，``None`` 为整张图像）、
    ``num_train``、``num_val``、``batch_size``、``num_epochs``、``lr``、``weight_decay``、``momentum``。
    训练用 :func:`~dlbook.train.segmentation.train_segmenter`，每轮在验证集（背景照片不出现在训练集里）的
    整张图像上评分。

    除训练历史的指标外还记下验证集上的 ``val_pixel_acc``、``val_miou``、每轮的 ``val_miou_per_epoch`` 与
    每个类别的 ``val_iou_<类别名>``。``RunOutput.data`` 是 ``(train_iter, val_iter)``。
    """
    from dlbook.data.segmentation import SEGMENTATION_CLASSES, load_segmentation
    from dlbook.train.segmentation import train_segmenter

    train_iter, val_iter = load_segmentation(
        settings["batch_size"],
        crop_size=settings["crop_size"],
        num_train=settings["num_train"],
        num_val=settings["num_val"],
        seed=ctx.seed,
        device=ctx.device,
    )
    torch.manual_seed(init_seed(ctx.seed))  # 新加的层用全局随机数做默认初始化：先播种
    net = settings["model"].build()
    history = train_segmenter(
        net,
        train_iter,
        val_iter,
        settings["num_epochs"],
        len(SEGMENTATION_CLASSES),
        lr=settings["lr"],
        weight_decay=settings["weight_decay"],
        momentum=settings["momentum"],
        device=ctx.device,
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    scores = history.scores
    metrics: dict[str, Any] = {
        "val_pixel_acc": scores.pixel_accuracy,
        "val_miou": scores.mean_iou,
        "val_miou_per_epoch": history.mean_iou,
    }
    metrics.update({f"val_iou_{c}": v for c, v in zip(SEGMENTATION_CLASSES, scores.iou)})
    return _run_output(history, metrics=metrics, model=net, data=(train_iter, val_iter))


# ---------------------------------------------------------------------------
# Kaggle 式的图像分类比赛
# ---------------------------------------------------------------------------


@dataclass
class KaggleRun:
    """Kaggle 式比赛的一次完整流程留下的东西（:func:`kaggle_classifier_run` 的 ``RunOutput.data``）。"""

    competition: Any
    """:class:`~dlbook.data.kaggle.Competition`：比赛目录与（比赛目录之外的）答案文件。"""
    reorganized: Any
    """整理后的目录 ``train_valid_test``。"""
    classes: tuple[str, ...]
    valid_history: History
    """在 ``train`` 上训练、每轮在 ``valid`` 上评估的训练历史（选超参数用）。"""
    train_iter: Any
    """``train`` 的小批量（带增广）。"""
    submission: Any
    """在 ``train_valid`` 上重新训练的模型对测试图像的预测：``submission.csv`` 的路径。"""


def kaggle_augmentation(settings: dict[str, Any]) -> Any:
    """D2L 在 CIFAR-10 比赛中用的训练增广，按图像边长 ``settings["image_size"]`` 换算。

    先放大到 ``settings["resize"]``，再随机裁剪出面积为原来 ``settings["crop_scale"]`` 倍、宽高比为 1 的
    一块并缩放回 ``image_size``，最后以一半的概率水平翻转（D2L：32 像素的图像先放大到 40）。
    """
    from torchvision.transforms import v2

    size = settings["image_size"]
    return v2.Compose(
        [
            v2.Resize(settings["resize"], antialias=True),
            v2.RandomResizedCrop(
                size, scale=tuple(settings["crop_scale"]), ratio=(1.0, 1.0), antialias=True
            ),
            v2.RandomHorizontalFlip(),
        ]
    )


def _sgd_with_step_lr(net: nn.Module, settings: dict[str, Any]) -> tuple[Any, Any]:
    """两个 Kaggle 比赛共用的优化器（D2L 的设置）：带动量与权重衰减的 SGD，学习率每 ``lr_period``
    轮乘以 ``lr_decay``。"""
    optimizer = torch.optim.SGD(
        net.parameters(),
        lr=settings["lr"],
        momentum=settings["momentum"],
        weight_decay=settings["weight_decay"],
    )
    return optimizer, torch.optim.lr_scheduler.StepLR(
        optimizer, settings["lr_period"], settings["lr_decay"]
    )


def kaggle_classifier_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """Kaggle 式图像分类比赛的完整流程（用 Fashion-MNIST 搭的比赛，见 :mod:`dlbook.data.kaggle`）。

    1. :func:`~dlbook.data.kaggle.make_fashion_mnist_competition` 写出比赛目录（``num_train``、``num_test``
       张 PNG 图像与 ``trainLabels.csv``），答案文件在比赛目录之外；
    2. :func:`~dlbook.data.kaggle.reorg_train_valid` 与 :func:`~dlbook.data.kaggle.reorg_test` 按
       ``valid_ratio`` 整理成一个类别一个文件夹，:func:`~dlbook.data.kaggle.read_image_folder` 读回张量；
    3. 训练集带增广（:func:`kaggle_augmentation`），各通道按训练图像的均值与标准差标准化；
    4. 在 ``train`` 上训练、每轮在 ``valid`` 上评估（D2L 的做法：带动量 0.9 与权重衰减 ``weight_decay`` 的
       SGD，学习率每 ``lr_period`` 轮乘以 ``lr_decay``）；
    5. 同样的设置在 ``train_valid`` 上从头再训练一次，预测测试图像，写出 ``submission.csv``，
       用答案文件打分。

    指标：``loss``、``train_acc`` （最后那次训练）；``valid_acc`` 与 ``valid_acc_per_epoch``；
    ``test_acc`` （提交文件对隐藏标签的精度）；``submission_problems`` （:func:`~dlbook.data.kaggle.check_submission`
    发现的问题数，合格时为 0）。``RunOutput.data`` 是 :class:`KaggleRun`。
    """
    from dlbook.data.kaggle import (
        check_submission,
        image_batch_transform,
        make_fashion_mnist_competition,
        read_csv_labels,
        read_image_folder,
        read_test_images,
        reorg_test,
        reorg_train_valid,
        score_submission,
        write_submission,
    )
    from dlbook.data.loader import TensorBatches
    from dlbook.train.trainer import train_classifier

    comp = make_fashion_mnist_competition(
        num_train=settings["num_train"], num_test=settings["num_test"]
    )
    labels = read_csv_labels(comp.directory / "trainLabels.csv")
    reorg_train_valid(comp.directory, labels, settings["valid_ratio"])
    reorg_test(comp.directory)
    base = comp.directory / "train_valid_test"
    # 类别取自全部训练标签：很少见的类别可能整个落进验证集，train/ 里就没有它的文件夹
    classes = tuple(sorted(set(labels.values())))
    X_train, y_train, _ = read_image_folder(base / "train", classes=classes, mode="L")
    X_valid, y_valid, _ = read_image_folder(base / "valid", classes=classes, mode="L")
    # train_valid/ 里恰好是 train/ 与 valid/ 的全部图像：拼起来，不再把同样的文件读一遍
    X_all, y_all = torch.cat([X_train, X_valid]), torch.cat([y_train, y_valid])
    X_test, ids = read_test_images(base / "test" / "unknown", mode="L")
    pixels = X_train.float().div(255)
    mean, std = pixels.mean(dim=(0, 2, 3)).tolist(), pixels.std(dim=(0, 2, 3)).tolist()
    augmented = image_batch_transform(mean, std, kaggle_augmentation(settings))
    plain = image_batch_transform(mean, std)
    batch_size = settings["batch_size"]

    def fit(X: torch.Tensor, y: torch.Tensor, valid_iter: Any) -> tuple[nn.Module, History, Any]:
        train_iter = TensorBatches(
            (X, y), batch_size, seed=ctx.seed, device=ctx.device, transform=augmented
        )
        torch.manual_seed(init_seed(ctx.seed))
        net = settings["model"].build(init_generator(ctx.seed)).to(ctx.device)
        optimizer, scheduler = _sgd_with_step_lr(net, settings)
        history = train_classifier(
            net,
            train_iter,
            valid_iter,
            settings["num_epochs"],
            optimizer=optimizer,
            scheduler=scheduler,
            device=ctx.device,
            seed=ctx.seed,
            plot=ctx.plot,
            verbose=ctx.verbose,
        )
        return net, history, train_iter

    valid_iter = TensorBatches(
        (X_valid, y_valid), batch_size, shuffle=False, device=ctx.device, transform=plain
    )
    _, valid_history, train_iter = fit(X_train, y_train, valid_iter)
    net, history, _ = fit(X_all, y_all, None)
    net.eval()
    test_iter = TensorBatches(
        (X_test,), batch_size, shuffle=False, device=ctx.device, transform=plain
    )
    with torch.no_grad():
        preds = torch.cat([net(X).argmax(dim=1).cpu() for (X,) in test_iter])
    submission = write_submission(comp.directory / "submission.csv", ids, preds, classes=classes)
    metrics = {
        "valid_acc": valid_history.final.test_acc,
        "valid_acc_per_epoch": valid_history.column("test_acc"),
        "test_acc": score_submission(submission, comp.solution),
        "submission_problems": len(check_submission(submission, ids, classes)),
    }
    data = KaggleRun(comp, base, classes, valid_history, train_iter, submission)
    return _run_output(history, metrics=metrics, model=net, data=data)


# ---------------------------------------------------------------------------
# 图像增广与微调：几个种子各训练一次，比较留出的测试精度
# ---------------------------------------------------------------------------


def _seeded_classification(
    settings: dict[str, Any],
    ctx: RunContext,
    train_once: Callable[[int], tuple[nn.Module, Any, History]],
) -> RunOutput:
    """用种子 ``ctx.seed``、``ctx.seed + 1`` …… 各调用一次 ``train_once(seed)`` （共
    ``settings["num_seeds"]`` 次），它返回（模型，测试集，训练历史）；训练完在测试集上求一次精度。

    指标：``test_acc`` （各种子的平均）、``test_acc_per_seed``、``train_acc_per_seed`` （最后一轮）、
    ``loss_per_seed`` （最后一轮的训练损失）与 ``examples_per_sec``。``RunOutput.model`` 是第一个种子的模型，
    ``RunOutput.data`` 是各种子的训练历史（列表）。
    """
    from dlbook.train.loop import evaluate_accuracy

    models, histories, test_acc = [], [], []
    for k in range(settings["num_seeds"]):
        net, test_iter, history = train_once(ctx.seed + k)
        models.append(net)
        histories.append(history)
        test_acc.append(evaluate_accuracy(net, test_iter))
    seconds = sum(r.train_seconds for h in histories for r in h.epochs)
    examples = sum(r.num_examples for h in histories for r in h.epochs)
    metrics = dict(
        test_acc=sum(test_acc) / len(test_acc),
        test_acc_per_seed=test_acc,
        train_acc_per_seed=[h.final.train_acc for h in histories],
        loss_per_seed=[h.final.train_loss for h in histories],
        examples_per_sec=examples / seconds if seconds > 0 else 0.0,
    )
    return _run_output(metrics=metrics, model=models[0], data=histories)


def _classification_optimizer(
    settings: dict[str, Any], groups: list[dict[str, Any]]
) -> torch.optim.Optimizer:
    """``settings["optimizer"]`` （``"torch.optim.SGD"`` 或 ``"torch.optim.Adam"``）按参数组建优化器，
    ``momentum`` （只对 SGD）与 ``weight_decay`` 取自设置（没有时为 0）。"""
    name = settings["optimizer"]
    kwargs: dict[str, Any] = dict(lr=settings["lr"], weight_decay=settings.get("weight_decay", 0.0))
    if name == "torch.optim.SGD":
        return torch.optim.SGD(groups, momentum=settings.get("momentum") or 0.0, **kwargs)
    if name == "torch.optim.Adam":
        return torch.optim.Adam(groups, **kwargs)
    raise ValueError(f"未知的 optimizer 设置 {name!r}")


def _train_one_seed(
    net: nn.Module,
    train_iter: Any,
    settings: dict[str, Any],
    ctx: RunContext,
    seed: int,
    groups: list[dict[str, Any]],
) -> History:
    """:func:`_seeded_classification` 的一个种子：按 ``settings`` 的轮数与优化器（:func:`_classification_optimizer`，
    参数组 ``groups``）训练 ``net``；训练中不评估，留出集的精度在训练结束时求一次。"""
    from dlbook.train.trainer import train_classifier

    return train_classifier(
        net,
        train_iter,
        None,
        settings["num_epochs"],
        optimizer=_classification_optimizer(settings, groups),
        device=ctx.device,
        seed=seed,
        plot=False,
        verbose=ctx.verbose,
    )


def augmentation_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """图像增广一节的 ``run`` 函数：在 Fashion-MNIST 的前 ``num_train`` 张训练图像上训练分类模型，
    有 ``augment`` 时训练批次逐张增广，训练完在 ``num_test`` 张测试图像（默认全部）上求精度。

    用到的设置：``model``、``batch_size``、``num_epochs``、``optimizer``、``lr``、``momentum``、
    ``weight_decay``、``scheduler`` （``"cosine"`` 时学习率按余弦曲线在训练结束时降到 ``final_lr``，
    见 :func:`make_scheduler`）、``num_train``、``num_test``、``num_seeds``；``augment`` 为
    ``None`` （不增广）、``"flip"`` （只左右翻转）或 ``"crop-flip"``
    （:func:`~dlbook.data.augmentation.fashion_mnist_augmentation`，填充 ``padding`` 个像素后随机裁剪再翻转）。
    增广只用在训练批次上，测试图像不变。指标见 :func:`_seeded_classification`。
    """
    from torchvision.transforms import v2

    from dlbook.data import load_fashion_mnist
    from dlbook.data.augmentation import fashion_mnist_augmentation, transform_batches
    from dlbook.train.trainer import train_classifier

    augment = settings["augment"]
    if augment == "crop-flip":
        transform = fashion_mnist_augmentation(settings["padding"])
    elif augment == "flip":
        transform = v2.RandomHorizontalFlip()
    elif augment is not None:
        raise ValueError(f"augment 必须是 None、'flip' 或 'crop-flip'，收到 {augment!r}")

    def train_once(seed: int) -> tuple[nn.Module, Any, History]:
        train_iter, test_iter = load_fashion_mnist(
            settings["batch_size"],
            seed=seed,
            device=ctx.device,
            num_train=settings.get("num_train"),
            num_test=settings.get("num_test"),
        )
        if augment is not None:
            train_iter = transform_batches(train_iter, transform, per_image=True)
        torch.manual_seed(init_seed(seed))
        net = settings["model"].build(init_generator(seed)).to(ctx.device)
        optimizer = _classification_optimizer(settings, [{"params": net.parameters()}])
        schedule = dict(settings, max_update=settings["num_epochs"])
        history = train_classifier(
            net,
            train_iter,
            None,  # 只在训练结束时评估一次（省下每轮评估的时间）
            settings["num_epochs"],
            optimizer=optimizer,
            scheduler=make_scheduler(schedule),
            device=ctx.device,
            seed=seed,
            plot=False,
            verbose=ctx.verbose,
        )
        return net, test_iter, history

    return _seeded_classification(settings, ctx, train_once)


def fine_tuning_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """微调一节的 ``run`` 函数：把 Fashion-MNIST 的图像放大到 ``resize``、复制成三个通道、按 ImageNet 的
    均值与标准差规范化（:func:`~dlbook.data.augmentation.imagenet_input`），在前 ``num_train`` 张训练图像上
    训练 ``settings["model"]`` （:func:`~dlbook.models.mobilenet.mobilenet_v2`，预训练或随机初始化、
    主体冻结或不冻结），训练完在前 ``num_test`` 张测试图像上求精度。

    参数分两组（D2L 的做法）：主体 ``features`` 的学习率是 ``lr``，新的输出层 ``classifier`` 是
    ``lr × head_lr_scale``；主体冻结时只有输出层一组。其余设置：``batch_size``、``num_epochs``、
    ``optimizer``、``momentum``、``weight_decay``、``num_seeds``；``augment`` 为 ``"crop-flip"`` 时训练批次
    在放大之前逐张增广（:func:`~dlbook.data.augmentation.fashion_mnist_augmentation`），``None`` 时不增广。
    指标见 :func:`_seeded_classification`。
    """
    from torchvision.transforms import v2

    from dlbook.data import load_fashion_mnist
    from dlbook.data.augmentation import (
        fashion_mnist_augmentation,
        imagenet_input,
        transform_batches,
    )

    augment = settings["augment"]
    if augment not in (None, "crop-flip"):
        raise ValueError(f"augment 必须是 None 或 'crop-flip'，收到 {augment!r}")
    size = settings["resize"]

    def train_once(seed: int) -> tuple[nn.Module, Any, History]:
        train_iter, test_iter = load_fashion_mnist(
            settings["batch_size"],
            seed=seed,
            device=ctx.device,
            num_train=settings.get("num_train"),
            num_test=settings.get("num_test"),
        )
        if augment is not None:
            train_iter = transform_batches(
                train_iter, fashion_mnist_augmentation(settings["padding"]), per_image=True
            )
        to_input = v2.Compose([v2.Resize(size, antialias=False), imagenet_input()])
        train_iter = transform_batches(train_iter, to_input)
        test_iter = transform_batches(test_iter, to_input)
        # 随机初始化的主体用全局随机数（torchvision 的做法）：先播种，保证可复现
        torch.manual_seed(init_seed(seed))
        net = settings["model"].build(init_generator(seed)).to(ctx.device)
        head = list(net.classifier.parameters())
        groups = [{"params": head, "lr": settings["lr"] * settings["head_lr_scale"]}]
        if not net.body_frozen:
            groups.insert(0, {"params": list(net.features.parameters())})
        history = _train_one_seed(net, train_iter, settings, ctx, seed, groups)
        return net, test_iter, history

    return _seeded_classification(settings, ctx, train_once)


# ---------------------------------------------------------------------------
# 风格迁移
# ---------------------------------------------------------------------------


def style_transfer_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """神经风格迁移的 ``run`` 函数：宇航员照片为内容、《星月夜》为风格（取不到时换成哈勃深空照片）。

    ``settings`` 中用到的键：``model`` （建出预训练的 MobileNetV2，取它的主体 ``features``）、``height``
    （合成图像的高；宽按内容图像的比例）、``num_epochs`` （更新合成图像的步数）、``lr``、``lr_period``、
    ``lr_decay``、``content_weight``、``style_weight``、``tv_weight``。训练用
    :func:`~dlbook.train.style_transfer.style_transfer`。

    记下的指标：三项加权损失在第 0 步（合成图像就是内容图像）与最后一步的值 ``content_loss_start``、
    ``content_loss``、``style_loss_start``、``style_loss``、``tv_loss_start``、``tv_loss``，每隔 10 步的序列
    （``*_per_step``）与 ``seconds``；对照 ``painting_content_loss``：直接把风格图像（缩放到内容图像的大小）
    当作结果时的内容损失。内容损失在第 0 步是 0（合成图像从内容图像出发），所以拿它与这个对照比较。
    ``RunOutput.data`` 是 ``(内容图像, 风格图像, 合成图像, 风格图像的说明, StyleTransferHistory)``，
    图像都是 :func:`~dlbook.train.style_transfer.postprocess` 之后可以直接画出的 ``(H, W, 3)``。
    """
    from dlbook.data.photos import read_photo
    from dlbook.ops.style import content_loss
    from dlbook.train.style_transfer import (
        CONTENT_LAYERS,
        extract_features,
        postprocess,
        preprocess,
        read_style_image,
        style_transfer,
    )

    content_image = read_photo("astronaut")
    style_image, style_note = read_style_image()
    height = settings["height"]

    def shape(image: torch.Tensor) -> tuple[int, int]:
        return height, round(height * image.shape[2] / image.shape[1])

    content = preprocess(content_image, shape(content_image)).to(ctx.device)
    style = preprocess(style_image, shape(style_image)).to(ctx.device)
    body = settings["model"].build().features.to(ctx.device).eval()
    image, history = style_transfer(
        body,
        content,
        style,
        settings["num_epochs"],
        lr=settings["lr"],
        lr_period=settings["lr_period"],
        lr_decay=settings["lr_decay"],
        content_weight=settings["content_weight"],
        style_weight=settings["style_weight"],
        tv_weight=settings["tv_weight"],
    )
    metrics: dict[str, Any] = {"seconds": history.seconds}
    for name in ("content", "style", "tv"):
        series = getattr(history, name)
        metrics[f"{name}_loss_start"] = series[0]
        metrics[f"{name}_loss"] = series[-1]
        metrics[f"{name}_loss_per_step"] = series
    # 对照：直接交出画作（缩放到内容图像的大小）时的内容损失
    with torch.no_grad():
        painting = preprocess(style_image, tuple(content.shape[-2:])).to(ctx.device)
        (Y,), _ = extract_features(body, content, CONTENT_LAYERS, ())
        (Y_painting,), _ = extract_features(body, painting, CONTENT_LAYERS, ())
    metrics["painting_content_loss"] = (
        settings["content_weight"] * content_loss(Y_painting, Y).item()
    )
    data = (postprocess(content), postprocess(style), postprocess(image), style_note, history)
    return _run_output(None, metrics=metrics, model=body, data=data)


# ---------------------------------------------------------------------------
# 狗的品种识别：预训练主体的特征上只训练输出网络
# ---------------------------------------------------------------------------


@dataclass
class FineGrainedRun:
    """:func:`kaggle_dog_run` 的 ``data``：数据、特征与两次训练的结果。"""

    data: Any  # dlbook.data.kaggle_dog.FineGrainedData
    features: dict[str, torch.Tensor]
    valid_probs: torch.Tensor
    test_probs: torch.Tensor
    final_model: nn.Module


def _train_head(
    settings: dict[str, Any],
    ctx: RunContext,
    features: torch.Tensor,
    labels: torch.Tensor,
    num_classes: int,
    valid: tuple[torch.Tensor, torch.Tensor] | None,
) -> tuple[nn.Module, History]:
    """在特征上训练 ``settings["model"]`` （输出网络）：带动量的 SGD、权重衰减，学习率按周期衰减。"""
    from dlbook.data.loader import TensorBatches
    from dlbook.train.trainer import train_classifier

    batch = settings["batch_size"]
    train_iter = TensorBatches((features, labels), batch, shuffle=True, seed=ctx.seed)
    valid_iter = None if valid is None else TensorBatches(valid, batch, shuffle=False)
    net = settings["model"].build(init_generator(ctx.seed), num_classes=num_classes)
    optimizer, scheduler = _sgd_with_step_lr(net, settings)
    history = train_classifier(
        net,
        train_iter,
        valid_iter,
        settings["num_epochs"],
        optimizer=optimizer,
        scheduler=scheduler,
        device=ctx.device,
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    return net, history


def kaggle_dog_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """细粒度分类的 ``run`` 函数：预训练的 MobileNetV2 主体抽一次特征，只训练小的输出网络。

    主体是 :func:`~dlbook.models.mobilenet.mobilenet_v2` 载入 ImageNet 权重后的 ``features``，参数固定。

    ``settings`` 中用到的键：``dataset`` （``"fashion-upper-body"``：离线的四类上衣，
    :func:`~dlbook.data.kaggle_dog.read_upper_body`；``"dog-tiny"``：D2L 的狗品种小样本，要联网，
    :func:`~dlbook.data.kaggle_dog.read_dog_tiny`）、``num_train``、``num_valid``、``num_test``、
    ``image_size`` （送进主体之前缩放到的边长）、``model`` （输出网络，类别数由数据给出：
    ``FromData("num_classes")``）、``batch_size``、``num_epochs``、
    ``lr``、``momentum``、``weight_decay``、``lr_period``、``lr_decay``。

    与 D2L 相同的两步：先在训练集上训练、在验证集上评估（记下 ``valid_acc`` 与 Kaggle 的
    ``valid_log_loss``），再在训练集与验证集的全部有标签数据上重新训练，预测测试图像的概率（写提交文件用）。
    对照：按训练集的类别频率猜的对数损失 ``prior_log_loss`` 与精度 ``majority_acc`` （都在验证集上），
    以及均匀地猜的 ``uniform_log_loss`` （``log 类别数``）。训练历史里的 ``test_acc`` 是验证集上的精度。
    离线数据保留了测试标签，再记下提交文件的成绩 ``submission_acc`` 与 ``submission_log_loss``
    （Kaggle 的服务器会算出的分数）。``RunOutput.data`` 是 :class:`FineGrainedRun`。
    """
    import math

    from dlbook.data.kaggle_dog import read_dog_tiny, read_upper_body
    from dlbook.metrics.classification import log_loss
    from dlbook.models.mobilenet import mobilenet_v2
    from dlbook.train.features import pretrained_features

    if settings["dataset"] == "fashion-upper-body":
        data = read_upper_body(
            settings["num_train"], settings["num_valid"], settings["num_test"], seed=ctx.seed
        )
    elif settings["dataset"] == "dog-tiny":
        data = read_dog_tiny(size=settings["image_size"])
    else:
        raise ValueError(f"未知的 dataset 设置 {settings['dataset']!r}")
    body = mobilenet_v2(pretrained=True).features.to(ctx.device)
    features = {
        split: pretrained_features(
            body, getattr(data, f"{split}_images"), size=settings["image_size"], device=ctx.device
        )
        for split in ("train", "valid", "test")
    }
    valid = (features["valid"], data.valid_labels)
    num_classes = len(data.classes)
    net, history = _train_head(
        settings, ctx, features["train"], data.train_labels, num_classes, valid
    )
    net.eval()
    with torch.no_grad():
        valid_probs = torch.softmax(net(features["valid"].to(ctx.device)), dim=1).cpu()
    counts = torch.bincount(data.train_labels, minlength=num_classes).double()
    prior = counts / counts.sum()
    metrics: dict[str, Any] = {
        "valid_acc": float((valid_probs.argmax(1) == data.valid_labels).double().mean()),
        "valid_log_loss": log_loss(valid_probs, data.valid_labels),
        "prior_log_loss": log_loss(prior.expand(len(data.valid_labels), -1), data.valid_labels),
        "majority_acc": float((data.valid_labels == prior.argmax()).double().mean()),
        "uniform_log_loss": math.log(num_classes),
    }
    # 选好设置之后，在全部有标签的数据上重新训练，再预测测试图像
    all_features = torch.cat([features["train"], features["valid"]])
    all_labels = torch.cat([data.train_labels, data.valid_labels])
    final, _ = _train_head(settings, ctx, all_features, all_labels, num_classes, None)
    final.eval()
    with torch.no_grad():
        test_probs = torch.softmax(final(features["test"].to(ctx.device)), dim=1).cpu()
    if data.test_labels is not None:
        hits = test_probs.argmax(1) == data.test_labels
        metrics["submission_acc"] = float(hits.double().mean())
        metrics["submission_log_loss"] = log_loss(test_probs, data.test_labels)
    run = FineGrainedRun(data, features, valid_probs, test_probs, final)
    return _run_output(history, metrics=metrics, model=net, data=run)


# ---------------------------------------------------------------------------
# 词嵌入：PTB 上的 word2vec
# ---------------------------------------------------------------------------


def word2vec_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在 PTB 上训练跳元模型（负采样）的 ``run`` 函数，训练后用同一套基准评价中心词向量。

    ``settings`` 中用到的键：``model`` （数据给出 ``vocab_size``）、``embed_size``、``batch_size``、
    ``max_window_size``、``num_noise_words``、``min_freq``、``subsample_t``、``num_epochs``、``lr``。
    数据由 :func:`~dlbook.data.word2vec.load_ptb_word2vec` 准备，训练用
    :func:`~dlbook.train.word2vec.train_word2vec`，评价用 :mod:`dlbook.metrics.embeddings`
    （与 GloVe 同一段代码；类比题只在 PTB 的词表里找答案，四个词都在词表里的题才计入）。

    除训练历史的指标外还记下：``wordsim353``、``simlex999`` （斯皮尔曼等级相关）与计入的词对数
    ``wordsim353_pairs``、``simlex999_pairs``；类比题的准确率 ``analogy_semantic``、``analogy_syntactic``、
    ``analogy_all`` 与计入的题数 ``*_covered``；词表大小 ``vocab_size``、中心词个数 ``num_centers``。
    ``RunOutput.data`` 是 ``(Word2VecData, TokenEmbedding)``：数据与中心词向量。
    """
    from dlbook.data.embeddings import TokenEmbedding
    from dlbook.data.word2vec import load_ptb_word2vec
    from dlbook.metrics.embeddings import evaluate_embedding
    from dlbook.train.word2vec import train_word2vec

    data = load_ptb_word2vec(
        settings["batch_size"],
        settings["max_window_size"],
        settings["num_noise_words"],
        min_freq=settings["min_freq"],
        t=settings["subsample_t"],
        seed=ctx.seed,
    )
    net = settings["model"].build(init_generator(ctx.seed), vocab_size=len(data.vocab))
    history = train_word2vec(
        net,
        data.train_iter,
        settings["num_epochs"],
        settings["lr"],
        device=ctx.device,
        verbose=ctx.verbose,
    )
    embedding = TokenEmbedding(data.vocab.idx_to_token, net.center.weight.cpu())
    scores = evaluate_embedding(embedding, candidates=None)
    metrics: dict[str, Any] = {"vocab_size": len(data.vocab), "num_centers": len(data.centers)}
    for name in ("wordsim353", "simlex999"):
        metrics[name], metrics[f"{name}_pairs"] = getattr(scores, name)
    for kind in ("semantic", "syntactic", "all"):
        score = scores.analogy(kind)
        metrics[f"analogy_{kind}"] = score.accuracy
        metrics[f"analogy_{kind}_covered"] = score.covered
    return _run_output(history, metrics=metrics, model=net, data=(data, embedding))


# ---------------------------------------------------------------------------
# 预训练 BERT
# ---------------------------------------------------------------------------


def bert_pretraining_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """在缩短的英文维基百科上预训练 BERT 的 ``run`` 函数（:func:`~dlbook.data.bert.load_bert_pretraining`）。

    ``settings`` 中用到的键：``model`` （由 ``vocab_size`` 建出 :class:`~dlbook.models.bert.BERTModel`）、
    ``max_len``、``min_freq``、``held_out`` （留出条目的比例）、``batch_size``、``num_steps``、``lr``、
    ``eval_every``。训练用 :func:`~dlbook.train.bert.train_bert`。

    记下的指标：开头与结尾各 ``eval_every`` 步的平均训练损失 ``mlm_loss_start``、``mlm_loss_end``、
    ``nsp_loss_start``、``nsp_loss_end``；留出样本上训练前与训练后的 ``held_out_mlm_loss_start``、
    ``held_out_mlm_loss``、``held_out_mlm_acc``、``held_out_nsp_acc`` 与每次评估的 ``held_out_mlm_loss_per_eval``、
    ``held_out_mlm_acc_per_eval``；对照 ``baseline_mlm_acc`` （总猜最常见的词元）；``vocab_size``、
    ``num_train``、``num_held_out`` 与 ``examples_per_sec``。``RunOutput.data`` 是
    ``(训练样本, 留出样本, 词表, 语料, BERTHistory)``。
    """
    from dlbook.data.bert import load_bert_pretraining
    from dlbook.train.bert import evaluate_bert, most_frequent_token_accuracy, train_bert

    train, held_out, vocab, corpus = load_bert_pretraining(
        settings["max_len"], settings["min_freq"], settings["held_out"], seed=ctx.seed
    )
    torch.manual_seed(init_seed(ctx.seed))  # 嵌入与各层用全局随机数做默认初始化：先播种
    net = settings["model"].build(vocab_size=len(vocab))
    start = evaluate_bert(net, held_out)
    every = settings["eval_every"]
    history = train_bert(
        net,
        train,
        settings["num_steps"],
        batch_size=settings["batch_size"],
        lr=settings["lr"],
        held_out=held_out,
        eval_every=every,
        seed=ctx.seed,
        device=ctx.device,
        verbose=ctx.verbose,
    )
    end = history.held_out[-1]
    n = settings["num_steps"]
    metrics: dict[str, Any] = {
        "mlm_loss_start": history.window_mean("mlm_loss", 0, every),
        "mlm_loss_end": history.window_mean("mlm_loss", n - every, n),
        "nsp_loss_start": history.window_mean("nsp_loss", 0, every),
        "nsp_loss_end": history.window_mean("nsp_loss", n - every, n),
        "held_out_mlm_loss_start": start.mlm_loss,
        "held_out_mlm_loss": end.mlm_loss,
        "held_out_mlm_acc": end.mlm_acc,
        "held_out_nsp_acc": end.nsp_acc,
        "held_out_mlm_loss_per_eval": [s.mlm_loss for s in history.held_out],
        "held_out_mlm_acc_per_eval": [s.mlm_acc for s in history.held_out],
        "baseline_mlm_acc": most_frequent_token_accuracy(train, held_out),
        "vocab_size": len(vocab),
        "num_train": len(train),
        "num_held_out": len(held_out),
        "examples_per_sec": history.examples / history.seconds,
    }
    return _run_output(
        None, metrics=metrics, model=net, data=(train, held_out, vocab, corpus, history)
    )


def bert_finetuning_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """微调 BERT 的 ``run`` 函数：在自然语言推断数据 ``dataset`` （:func:`~dlbook.data.nli.read_nli`）的前
    ``num_train`` 对上训练 ``settings["model"]`` （:func:`~dlbook.models.bert.minilm_classifier`：预训练的
    MiniLM 或随机初始化的同一个网络，加新的输出层），训练完在测试集的前 ``num_test`` 对上求精度。

    句子对用 MiniLM 的 WordPiece 分词器编码成 ``[CLS] 前提 [SEP] 假设 [SEP]``，截断到 ``max_len`` 个词元
    （:func:`~dlbook.data.bert.bert_batches`）。参数分两组：编码器与池化层的学习率是 ``lr``，新的输出层是
    ``lr × head_lr_scale``。其余设置：``batch_size``、``num_epochs``、``optimizer``、``weight_decay``、
    ``num_seeds``；每个种子决定新输出层（从零训练时是全部参数）的初值与批次顺序，
    训练与测试的句子对不变。指标见 :func:`_seeded_classification`，另记 ``num_train``、``num_test`` 与
    ``majority_acc`` （总猜训练集里最多的标签在测试对上的精度）。
    """
    from collections import Counter

    from dlbook.data.bert import bert_batches, minilm_tokenizer
    from dlbook.data.nli import LABELS, read_nli

    train = read_nli(settings["dataset"], "train")[: settings["num_train"]]
    test = read_nli(settings["dataset"], "test")[: settings["num_test"]]
    tokenizer = minilm_tokenizer()
    test_iter = bert_batches(
        tokenizer, test, settings["batch_size"], settings["max_len"], shuffle=False
    )

    def train_once(seed: int) -> tuple[nn.Module, Any, History]:
        train_iter = bert_batches(
            tokenizer, train, settings["batch_size"], settings["max_len"], seed=seed
        )
        torch.manual_seed(init_seed(seed))  # 新输出层（与从零训练的全部参数）用全局随机数初始化
        net = settings["model"].build(init_generator(seed), num_classes=len(LABELS))
        net = net.to(ctx.device)
        head = list(net.output.parameters())
        body = [p for name, p in net.named_parameters() if not name.startswith("output.")]
        groups = [
            {"params": body},
            {"params": head, "lr": settings["lr"] * settings["head_lr_scale"]},
        ]
        history = _train_one_seed(net, train_iter, settings, ctx, seed, groups)
        return net, test_iter, history

    out = _seeded_classification(settings, ctx, train_once)
    majority = Counter(y for *_, y in train).most_common(1)[0][0]
    out.metrics.update(
        num_train=len(train),
        num_test=len(test),
        majority_acc=sum(y == majority for *_, y in test) / len(test),
    )
    return out


def nli_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """自然语言推断的 ``run`` 函数：在 ``dataset`` （:func:`~dlbook.data.nli.load_nli`）的训练集上训练
    ``settings["model"]``，训练完在测试集上求精度；几个种子各训练一次。

    ``inputs`` 为 ``"pair"`` 时模型读（前提，假设）（可分解注意力），为 ``"hypothesis"`` 时只读假设
    （只看假设的基线：词袋逻辑回归 :func:`~dlbook.models.bow.bag_of_words`）。模型由 ``vocab_size``
    与 ``pad_index`` 建出；``glove`` 为真时把 GloVe 50 维词向量（:func:`~dlbook.data.embeddings.load_glove`，
    不在 GloVe 里的词元取 0 向量）作为 ``embedding`` 传给模型工厂。其余设置：``num_steps``、``min_freq``、
    ``num_train`` （只用训练集的前这么多对）、``batch_size``、``num_epochs``、``optimizer``、``lr``、
    ``weight_decay``、``num_seeds``。

    指标见 :func:`_seeded_classification`，另记 ``num_train``、``num_test``、``vocab_size`` 与
    ``majority_acc`` （总猜训练集里最多的标签在测试集上的精度）。``RunOutput.data`` 是
    ``(各种子的训练历史, 词表, 测试集的批次)``。
    """
    from collections import Counter

    from dlbook.data.loader import TensorBatches
    from dlbook.data.nli import PAD, load_nli

    inputs = settings["inputs"]
    if inputs not in ("pair", "hypothesis"):
        raise ValueError(f"inputs 必须是 'pair' 或 'hypothesis'，收到 {inputs!r}")
    embedding = None
    if settings.get("glove"):
        from dlbook.data.embeddings import load_glove

        glove = load_glove()
    seen: dict[str, Any] = {}

    def train_once(seed: int) -> tuple[nn.Module, Any, History]:
        nonlocal embedding
        train_iter, test_iter, vocab = load_nli(
            settings["dataset"],
            batch_size=settings["batch_size"],
            num_steps=settings["num_steps"],
            min_freq=settings["min_freq"],
            seed=seed,
            max_examples=settings.get("num_train"),
        )
        if inputs == "hypothesis":
            train_iter = TensorBatches(train_iter.tensors[1:], settings["batch_size"], seed=seed)
            test_iter = TensorBatches(test_iter.tensors[1:], settings["batch_size"], shuffle=False)
        if settings.get("glove") and embedding is None:
            known = [i for i, t in enumerate(vocab.idx_to_token) if t in glove]
            embedding = torch.zeros(len(vocab), glove.dim)
            embedding[known] = glove[[vocab.idx_to_token[i] for i in known]]
        seen.update(vocab=vocab, test_iter=test_iter, train_labels=train_iter.tensors[-1])
        torch.manual_seed(init_seed(seed))  # 嵌入与各层用全局随机数做默认初始化：先播种
        kwargs = {} if embedding is None else {"embedding": embedding}
        net = (
            settings["model"]
            .build(init_generator(seed), vocab_size=len(vocab), pad_index=vocab[PAD], **kwargs)
            .to(ctx.device)
        )
        params = [p for p in net.parameters() if p.requires_grad]
        history = _train_one_seed(net, train_iter, settings, ctx, seed, [{"params": params}])
        return net, test_iter, history

    out = _seeded_classification(settings, ctx, train_once)
    train_labels = seen["train_labels"].tolist()
    test_labels = seen["test_iter"].tensors[-1].tolist()
    majority = Counter(train_labels).most_common(1)[0][0]
    out.metrics.update(
        num_train=len(train_labels),
        num_test=len(test_labels),
        vocab_size=len(seen["vocab"]),
        majority_acc=sum(y == majority for y in test_labels) / len(test_labels),
    )
    out.data = (out.data, seen["vocab"], seen["test_iter"])
    return out


def sentiment_classifier_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    """情感分析的 ``run`` 函数：在 ``dataset`` （:func:`~dlbook.data.sentiment.load_sentiment_data`，
    固定的训练/测试划分）的训练集上训练 ``settings["model"]``，训练完在留出的测试集上求精度；几个种子各训练一次。

    数据设置：``dataset``、``mode`` （中文按词或按字）、``num_steps``、``min_freq``、``max_examples``、
    ``max_test``；数据只读一次，种子只改变训练批次的顺序与模型的初值。模型由 ``vocab_size`` 建出；
    ``glove`` 为真时把 GloVe 50 维词向量（:func:`~dlbook.data.embeddings.load_glove`，不在 GloVe 里的词元
    取 0 向量）作为 ``embedding`` 传给模型工厂。训练设置：``batch_size``、``num_epochs``、``optimizer``、
    ``lr``、``weight_decay``、``num_seeds``；只更新 ``requires_grad`` 的参数（不训练的词嵌入不动）。

    指标见 :func:`_seeded_classification`，另记 ``num_train``、``num_test``、``vocab_size`` 与
    ``majority_acc`` （总猜训练集里最多的标签在测试集上的精度）。``RunOutput.data`` 是
    ``(各种子的训练历史, SentimentData)``，后者可以把新句子编码成模型的输入（``encode``）。
    """
    from collections import Counter

    from dlbook.data.loader import TensorBatches
    from dlbook.data.sentiment import load_sentiment_data

    data = load_sentiment_data(
        settings["dataset"],
        mode=settings["mode"],
        batch_size=settings["batch_size"],
        num_steps=settings["num_steps"],
        min_freq=settings["min_freq"],
        seed=ctx.seed,
        max_examples=settings.get("max_examples"),
        max_test=settings.get("max_test"),
    )
    vocab = data.vocab
    kwargs: dict[str, Any] = {}
    if settings.get("glove"):
        from dlbook.data.embeddings import load_glove

        glove = load_glove()
        known = [i for i, t in enumerate(vocab.idx_to_token) if t in glove]
        embedding = torch.zeros(len(vocab), glove.dim)
        embedding[known] = glove[[vocab.idx_to_token[i] for i in known]]
        kwargs["embedding"] = embedding

    def train_once(seed: int) -> tuple[nn.Module, Any, History]:
        train_iter = TensorBatches(data.train_iter.tensors, settings["batch_size"], seed=seed)
        torch.manual_seed(init_seed(seed))
        net = settings["model"].build(init_generator(seed), vocab_size=len(vocab), **kwargs)
        net = net.to(ctx.device)
        params = [p for p in net.parameters() if p.requires_grad]
        history = _train_one_seed(net, train_iter, settings, ctx, seed, [{"params": params}])
        return net, data.test_iter, history

    out = _seeded_classification(settings, ctx, train_once)
    train_labels = [label for _, label in data.train_reviews]
    test_labels = [label for _, label in data.test_reviews]
    majority = Counter(train_labels).most_common(1)[0][0]
    out.metrics.update(
        num_train=len(train_labels),
        num_test=len(test_labels),
        vocab_size=len(vocab),
        majority_acc=sum(y == majority for y in test_labels) / len(test_labels),
    )
    out.data = (out.data, data)
    return out
