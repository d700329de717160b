"""实验登记表的类型与运行：:class:`Experiment`、:func:`register`、:func:`run_experiment`。

每个实验以页面的 slug 命名（``lenet``、``softmax-regression-scratch``……）；同一页有几次运行时
加后缀（``dropout-concise``、``weight-decay-scratch-3``）。各章的实验写在本包的 ``ch*_*.py`` 里，
每章一张声明式的表，例如::

    register(Experiment(
        name="lenet",                                   # 页面 slug，必要时加后缀
        page="chapter_convolutional-neural-networks/lenet",
        title="LeNet-5（sigmoid 激活、平均池化）",
        full=dict(model="lenet()", loss="nn.CrossEntropyLoss", optimizer="torch.optim.SGD",
                  lr=0.9, batch_size=256, num_epochs=10, init="xavier"),
        quick=dict(num_train=20_000, num_test=2_000),   # 只写与 full 不同的项
        reference=dict(loss=0.469, train_acc=0.823, test_acc=0.779),
        cheap_on_cpu=True,                              # auto 档在 CPU 上也跑 full
        run=fashion_mnist_classifier(lambda s, g: lenet(generator=g)),
    ))

``run`` 是一个函数 ``run(settings, ctx)``，返回 :class:`RunOutput` （训练历史、额外指标与模型；
也可以只返回 ``History``、``(History, 额外指标字典)``，不经过训练循环时只返回指标字典），
``settings`` 是按档位合并后的设置，``ctx`` 是 :class:`RunContext` （设备、种子、是否画图）。
Fashion-MNIST 上的分类实验用 :func:`fashion_mnist_classifier` 生成 ``run``：它按 ``settings`` 中的
``batch_size``、``resize``、``num_train``、``num_test`` 读数据，按 ``loss`` 与 ``optimizer`` 选择
损失和更新方式，再调用 :func:`dlbook.train_classifier`。``full`` 中的键按书中的术语命名，
附录表格原样显示它们。
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from dlbook.experiments.profiles import resolve_profile
from dlbook.experiments.provenance import versions
from dlbook.utils.seeding import init_generator, init_seed
from dlbook.train.loop import History
from dlbook.experiments.results import format_metrics

__all__ = [
    "D2L",
    "EXPERIMENTS",
    "Experiment",
    "RunContext",
    "RunOutput",
    "RunResult",
    "fashion_mnist_classifier",
    "get_experiment",
    "record_run",
    "register",
    "run_experiment",
]

#: 全部已登记的实验，按登记顺序（即章节顺序）排列：名字 → :class:`Experiment`。
EXPERIMENTS: dict[str, Experiment] = {}

#: 书中结果的默认出处。
D2L = "D2L PyTorch 版"


@dataclass(frozen=True)
class RunContext:
    """实验运行时的环境：设备、随机种子、是否画训练曲线、是否打印总结行。"""

    device: torch.device
    seed: int = 0
    plot: bool = False
    verbose: bool = False


RunFn = Callable[
    [dict[str, Any], RunContext],
    "RunOutput | History | tuple[History, dict[str, Any]] | dict[str, Any]",
]


@dataclass(frozen=True)
class Experiment:
    """登记表中的一个实验。

    Attributes
    ----------
    name : str
        页面 slug（必要时加后缀），也是命令行中的名字。
    page : str
        页面路径（相对 ``docs/``，不带扩展名），例如 ``chapter_convolutional-neural-networks/lenet``。
    title : str
        一句话说明。
    full : dict
        书中的设置。
    quick : dict
        快速档相对 ``full`` 改动的设置（更少的样本或轮数，模型结构不变）。
    run : callable
        ``run(settings, ctx)``，返回 :class:`RunOutput` 或 :class:`~dlbook.train.loop.History` （或它与额外指标组成的元组；
        不经过训练循环的实验直接返回指标字典）。
    reference : dict or None
        书中公布的结果，键与 ``RunResult.metrics`` 相同（``loss``、``train_acc``、``test_acc`` ……）；
        值可以是数字或文字（例如 ``"约 0.83"``）。
    reference_source : str
        书中结果的出处。
    cheap_on_cpu : bool
        完整设置在 CPU 上是否也只需几分钟；``auto`` 档据此决定在 CPU 上跑 full 还是 quick。
    task : {"classification", "regression"}
        任务类型。
    runs_in_build : bool
        构建本书时是否运行它（页面或示例）；为 False 的实验只在命令行运行（例如要用 ``torchrun``
        启动多个进程的），附录里如实注明。
    """

    name: str
    page: str
    title: str
    full: dict[str, Any]
    run: RunFn
    quick: dict[str, Any] = field(default_factory=dict)
    reference: dict[str, Any] | None = None
    reference_source: str = D2L
    cheap_on_cpu: bool = False
    task: str = "classification"
    runs_in_build: bool = True

    @property
    def chapter(self) -> str:
        """所在章的目录名，例如 ``chapter_convolutional-neural-networks``。"""
        return self.page.split("/", 1)[0]

    def settings(self, profile: str) -> dict[str, Any]:
        """某个档位（``full`` 或 ``quick``）的完整设置。

        Examples
        --------
        >>> exp = get_experiment("lenet")
        >>> exp.settings("full")["num_epochs"], exp.settings("full")["lr"]
        (10, 0.9)
        >>> exp.settings("quick")["num_train"] < 60000
        True
        """
        if profile == "full":
            return dict(self.full)
        if profile == "quick":
            return {**self.full, **self.quick}
        raise ValueError(f"profile 必须是 'full' 或 'quick'，收到 {profile!r}")

    def resolve(
        self, profile: str | None, device: torch.device, epochs: int | None = None
    ) -> tuple[str, dict[str, Any]]:
        """把档位（可能是 ``auto``）解析成 ``full`` 或 ``quick``，返回它与最终的设置（``epochs`` 覆盖轮数）。

        命令行与 :func:`run_experiment` 都用它，档位与设置只在这里决定。

        Examples
        --------
        >>> profile, settings = get_experiment("lenet").resolve("auto", torch.device("cpu"), epochs=2)
        >>> profile, settings["num_epochs"]
        ('full', 2)
        """
        resolved = resolve_profile(profile, device=device, cheap_on_cpu=self.cheap_on_cpu)
        settings = self.settings(resolved)
        if epochs is not None:
            settings["num_epochs"] = epochs
        return resolved, settings


def register(experiment: Experiment) -> Experiment:
    """把实验加入 :data:`EXPERIMENTS`；名字重复、设置不完整时抛出 ``ValueError``。"""
    if not isinstance(experiment, Experiment):
        raise TypeError(f"需要 Experiment，收到 {type(experiment).__name__}")
    name = experiment.name
    if not name or name != name.strip().lower() or " " in name:
        raise ValueError(f"实验名应是小写、无空格的页面 slug，收到 {name!r}")
    if name in EXPERIMENTS:
        raise ValueError(f"实验 {name!r} 已经登记过了")
    if experiment.task not in ("classification", "regression"):
        raise ValueError(f"task 必须是 'classification' 或 'regression'，收到 {experiment.task!r}")
    if "num_epochs" not in experiment.full:
        raise ValueError(f"实验 {name!r} 的 full 设置缺少 num_epochs")
    unknown = set(experiment.quick) - set(experiment.full) - {"num_train", "num_test"}
    if unknown:
        raise ValueError(f"实验 {name!r} 的 quick 设置有 full 中没有的键：{sorted(unknown)}")
    EXPERIMENTS[name] = experiment
    return experiment


def get_experiment(name: str) -> Experiment:
    """按名字取出实验；找不到时的错误信息列出所有可选的名字。

    Examples
    --------
    >>> get_experiment("lenet").page
    'chapter_convolutional-neural-networks/lenet'
    >>> get_experiment("lenet5")
    Traceback (most recent call last):
    ...
    ValueError: 没有名为 'lenet5' 的实验；已登记的有：...
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"没有名为 {name!r} 的实验；已登记的有：{', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


# ---------------------------------------------------------------------------
# 运行
# ---------------------------------------------------------------------------


@dataclass
class RunResult:
    """一次实验运行的结果，也是结果文件中的一条记录。"""

    experiment: str
    profile: str
    device: str
    seed: int
    settings: dict[str, Any]
    metrics: dict[str, Any]
    summary: str
    seconds: float
    timestamp: str
    versions: dict[str, str]
    #: 训练历史与训练好的模型（有的话），供示例继续画图、分析；不写进结果文件。
    history: History | None = field(default=None, repr=False, compare=False)
    model: nn.Module | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """转成可写入 JSON 的字典（不含训练历史与模型）。"""
        data = asdict(self)
        del data["history"], data["model"]
        return data


@dataclass
class RunOutput:
    """``run`` 函数可以返回的完整结果：训练历史、额外的指标与训练好的模型。"""

    history: History | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    model: nn.Module | None = None


def _metrics_from_history(history: History) -> dict[str, Any]:
    r = history.final
    if history.task == "classification":
        metrics = {"loss": r.train_loss, "train_acc": r.train_acc, "test_acc": r.test_acc}
    else:
        metrics = {"train_loss": r.train_loss, "test_loss": r.test_loss}
    metrics["examples_per_sec"] = history.examples_per_sec()
    return {k: v for k, v in metrics.items() if v is not None}


def run_experiment(
    name: str | Experiment,
    *,
    profile: str | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    epochs: int | None = None,
    plot: bool = False,
    verbose: bool = True,
) -> RunResult:
    """按档位运行一个已登记的实验，返回 :class:`RunResult` （不写结果文件）。

    Parameters
    ----------
    name : str or Experiment
        实验名或实验本身。
    profile : {"full", "quick", "auto"}, optional
        档位；默认读环境变量 ``DLBOOK_PROFILE`` （再默认 ``auto``），见 :mod:`dlbook.experiments.profiles`。
    device : torch.device or str, optional
        设备；默认 :func:`dlbook.best_device`。
    seed : int
        随机种子（初始化、数据打乱、暂退法）。
    epochs : int, optional
        覆盖设置中的轮数。
    plot : bool
        是否画训练曲线。
    verbose : bool
        是否打印训练循环的总结行。
    """
    from dlbook.utils.devices import best_device

    exp = name if isinstance(name, Experiment) else get_experiment(name)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
    if epochs is not None and (
        isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1
    ):
        raise ValueError(f"epochs 必须是正整数，收到 {epochs!r}")
    device = torch.device(device) if device is not None else best_device()
    resolved, settings = exp.resolve(profile, device, epochs)
    ctx = RunContext(device=device, seed=seed, plot=plot, verbose=verbose)
    start = time.perf_counter()
    out = exp.run(settings, ctx)
    seconds = time.perf_counter() - start
    if isinstance(out, dict):  # 不经过训练循环的实验（例如 K 折交叉验证）直接给出指标
        out = RunOutput(metrics=out)
    elif isinstance(out, tuple):
        out = RunOutput(*out)
    elif isinstance(out, History):
        out = RunOutput(out)
    if out.history is None:
        metrics, summary = dict(out.metrics), format_metrics(out.metrics)
    else:
        metrics = {**_metrics_from_history(out.history), **out.metrics}
        summary = out.history.summary()
    return RunResult(
        experiment=exp.name,
        profile=resolved,
        device=str(device),
        seed=seed,
        settings=settings,
        metrics=metrics,
        summary=summary,
        seconds=seconds,
        timestamp=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        versions=versions(),
        history=out.history,
        model=out.model,
    )


def record_run(
    name: str,
    history: History | None = None,
    *,
    profile: str,
    metrics: dict[str, Any] | None = None,
    device: torch.device | str = "cpu",
    seed: int = 0,
) -> RunResult:
    """记下一次**不经过** :func:`run_experiment`、但按登记表的设置完成的运行（例如页面上一步步写出的训练）。

    ``profile`` 是这次运行用的档位，设置取自登记表；指标取自训练历史（再加上 ``metrics``）。
    记录方式与 :func:`~dlbook.experiments.results.record_result` 相同，返回记下的结果。
    """
    from dlbook.experiments.results import record_result

    exp = get_experiment(name)
    values = {**(_metrics_from_history(history) if history is not None else {}), **(metrics or {})}
    result = RunResult(
        experiment=name,
        profile=profile,
        device=str(device),
        seed=seed,
        settings=exp.settings(profile),
        metrics=values,
        summary=history.summary() if history is not None else format_metrics(values),
        seconds=sum(r.train_seconds for r in history.epochs) if history is not None else 0.0,
        timestamp=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        versions=versions(),
        history=history,
    )
    record_result(result)
    return result


# ---------------------------------------------------------------------------
# 运行函数的构造器
# ---------------------------------------------------------------------------


def fashion_mnist_classifier(
    build: Callable[[dict[str, Any], torch.Generator], Any],
) -> RunFn:
    """生成一个在 Fashion-MNIST 上训练分类模型的 ``run`` 函数。

    ``build(settings, generator)`` 返回模型；``settings`` 中用到的键：

    * ``batch_size``、``num_epochs``、``lr`` （必需），``resize``、``init``、``num_train``、``num_test`` （可选）；
    * ``loss``：``"nn.CrossEntropyLoss"`` （默认，模型输出 logits）或 ``"dlbook.cross_entropy"``
      （模型输出概率，用手写的交叉熵）；
    * ``optimizer``：``"torch.optim.SGD"`` （默认）或 ``"dlbook.sgd"`` （手写的小批量随机梯度下降，
      对损失之和反向传播）。
    """

    def run(settings: dict[str, Any], ctx: RunContext) -> History:
        from dlbook.data import load_fashion_mnist
        from dlbook.ops.basic import cross_entropy, sgd
        from dlbook.train.loop import train_classifier

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
        net = build(settings, init_generator(ctx.seed))
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
        return RunOutput(history, model=net)

    return run
