"""实验登记表：:class:`Experiment`、:func:`register` 与运行实验的唯一入口 :func:`run_experiment`。

每个实验以页面的 slug 命名（``lenet``、``softmax-regression-scratch``……）；同一页有几次运行时
加后缀（``dropout-concise``、``weight-decay-scratch-3``）。各章的实验写在 :mod:`dlbook.experiments.catalog`
里，每章一个以章节 slug 命名的模块，每章一张声明式的表，例如::

    register(Experiment(
        name="lenet",                                   # 页面 slug，必要时加后缀
        page="chapter_convolutional-neural-networks/lenet",
        title="LeNet-5（sigmoid 激活、平均池化）",
        full=dict(model=ModelSpec(lenet),                # 模型工厂与参数，标签 "lenet()" 由它生成
                  loss="nn.CrossEntropyLoss", optimizer="torch.optim.SGD",
                  lr=0.9, batch_size=256, num_epochs=10, init="xavier"),
        quick=dict(num_train=20_000, num_test=2_000),   # 只写与 full 不同的项
        reference=dict(loss=0.469, train_acc=0.823, test_acc=0.779),
        cheap_on_cpu=True,                              # auto 档在 CPU 上也跑 full
        task="classification",                          # 决定记下哪些指标
        run=fashion_mnist_classifier,                   # 按 settings["model"] 建模型并训练
        expect=(at_least("test_acc", 0.75, "LeNet 的测试精度超过 0.75"),),
    ))

``run`` 是一个函数 ``run(settings, ctx)``，返回 :class:`RunOutput` （训练历史、额外指标、训练好的模型
与用到的数据）；每种任务共用的 ``run`` 在 :mod:`dlbook.experiments.runners` 中。``settings``
是按档位合并后的设置，其中 ``settings["model"]`` 是绑定了这些设置的模型
（:class:`~dlbook.experiments.model_spec.ModelSetting`：字符串的值是标签，``build()`` 建出模型），
``ctx`` 是 :class:`RunContext` （设备、种子、是否画图）。``task`` 决定从训练
历史中记下哪些指标（:func:`~dlbook.experiments.runners.metrics_from_history`），``expect`` 是构建时
检查的预期（:mod:`dlbook.experiments.expectations`）。``full`` 中的键按书中的术语命名，实验结果页的表格原样显示它们。

页面与示例只用 :func:`run_experiment` 运行登记的实验：构建本书时它把结果写进本次构建的结果目录
（页面用 ``{result}`` 角色引用），并返回训练好的模型与数据，供页面继续分析。
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import torch
from torch import nn

from dlbook.experiments.expectations import Expectation
from dlbook.experiments.model_spec import ModelSetting, ModelSpec
from dlbook.experiments.profiles import resolve_profile
from dlbook.experiments.provenance import versions
from dlbook.experiments.results import ResultStore, format_metrics
from dlbook.experiments.runners import TASKS, metrics_from_history
from dlbook.train.loop import History

__all__ = [
    "D2L",
    "EXPERIMENTS",
    "Experiment",
    "RunContext",
    "RunOutput",
    "RunResult",
    "get_experiment",
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
    #: 页面传给 ``run`` 的选项（例如房价回归上由页面写出的优化器构造），见各 ``run`` 的说明。
    options: dict[str, Any] = field(default_factory=dict)


RunFn = Callable[[dict[str, Any], "RunContext"], "RunOutput"]


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
        书中的设置。``model`` 是 :class:`~dlbook.experiments.model_spec.ModelSpec` （模型工厂与参数）；
        登记后它按书中的设置绑定成 :class:`~dlbook.experiments.model_spec.ModelSetting`，
        字符串的值就是表格里的模型标签。
    quick : dict
        快速档相对 ``full`` 改动的设置（更少的样本或轮数，或更小的输入与宽度）。不写 ``model``：
        模型的参数改变时（例如 ``ratio``），登记时自动加上按快速档绑定的 ``model``，显示改动。
    run : callable
        ``run(settings, ctx)``，返回 :class:`RunOutput`；:mod:`dlbook.experiments.runners` 中有各类任务共用的。
    reference : dict or None
        书中公布的结果，键与 ``RunResult.metrics`` 相同（``loss``、``train_acc``、``test_acc`` ……）；
        值可以是数字或文字（例如 ``"约 0.83"``）。
    reference_source : str
        书中结果的出处。
    cheap_on_cpu : bool
        完整设置在 CPU 上是否也只需几分钟；``auto`` 档据此决定在 CPU 上跑 full 还是 quick。
    task : {"classification", "regression", "language_model", "seq2seq"}
        任务类型，决定从训练历史中记下哪些指标（:func:`~dlbook.experiments.runners.metrics_from_history`）。
    runs_in_build : bool
        构建本书时是否运行它（页面或示例）；为 False 的实验只在命令行运行（例如要用 ``torchrun``
        启动多个进程的），实验结果页里如实注明。
    needs_gpu : bool
        完整档是否只有在 GPU 上才跑得完（例如 224 像素输入的 ImageNet 规模网络，CPU 上要几个小时）。
        没有记录在案的完整档运行时，实验结果页只对这样的实验写“待在 GPU 上运行”；其余的完整档在 CPU 上
        30 分钟内就能跑完，应当记录在案。
    expect : tuple of Expectation
        这次运行必须显示的东西（页面上的论断），构建结束时检查，见 :mod:`dlbook.experiments.expectations`。
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
    needs_gpu: bool = False
    expect: tuple[Expectation, ...] = ()

    def __post_init__(self) -> None:
        spec = self.model
        if spec is None:
            return
        if "model" in self.quick and not isinstance(self.quick["model"], ModelSetting):
            raise ValueError(
                f"实验 {self.name!r} 的 quick 不能写 model：它由 full 的 ModelSpec 按设置生成"
            )
        quick = {k: v for k, v in self.quick.items() if k != "model"}
        rest = {k: v for k, v in self.full.items() if k != "model"}
        full = {"model": spec.bind(self.full), **rest}
        quick_model = spec.bind({**full, **quick})
        if quick_model != full["model"]:
            quick = {"model": quick_model, **quick}
        object.__setattr__(self, "full", full)
        object.__setattr__(self, "quick", quick)

    @property
    def model(self) -> ModelSpec | None:
        """``full["model"]`` 的模型工厂与参数；没有模型设置的实验是 ``None``。"""
        model = self.full.get("model")
        if model is None:
            return None
        if isinstance(model, ModelSetting):
            return model.spec
        if isinstance(model, ModelSpec):
            return model
        raise TypeError(
            f"实验 {self.name!r} 的 model 设置应是 ModelSpec（模型工厂与参数），收到 {model!r}；"
            "模型的标签由它生成，不要手写"
        )

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
        >>> exp.settings("quick")["num_epochs"], exp.settings("quick")["batch_size"]
        (5, 128)
        >>> exp.settings("full")["model"], exp.settings("full")["model"].build()[0]
        ('lenet()', Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)))
        """
        if profile == "full":
            return dict(self.full)
        if profile == "quick":
            settings = {**self.full, **self.quick}
            if self.model is not None:
                settings["model"] = self.model.bind(settings)
            return settings
        raise ValueError(f"profile 必须是 'full' 或 'quick'，收到 {profile!r}")

    def resolve(
        self, profile: str | None, device: torch.device, epochs: int | None = None
    ) -> tuple[str, dict[str, Any]]:
        """把档位（可能是 ``auto``）解析成 ``full`` 或 ``quick``，返回它与最终的设置（``epochs`` 覆盖轮数）。

        命令行与 :func:`run_experiment` 都用它，档位与设置只在这里决定。

        Examples
        --------
        >>> profile, settings = get_experiment("mlp-concise").resolve("auto", torch.device("cpu"), 2)
        >>> profile, settings["num_epochs"]          # CPU 上也便宜的实验，auto 档跑完整设置
        ('full', 2)
        >>> get_experiment("lenet").resolve("auto", torch.device("cpu"))[0]
        'quick'
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
    if experiment.task not in TASKS:
        raise ValueError(f"task 必须是 {', '.join(TASKS)} 之一，收到 {experiment.task!r}")
    if not all(isinstance(e, Expectation) for e in experiment.expect):
        raise TypeError(f"实验 {name!r} 的 expect 应是 Expectation 的元组（用 at_least 等创建）")
    if "num_epochs" not in experiment.full:
        raise ValueError(f"实验 {name!r} 的 full 设置缺少 num_epochs")
    if experiment.model is None:
        raise ValueError(f"实验 {name!r} 的 full 设置缺少 model（ModelSpec：模型工厂与参数）")
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
    #: 训练历史、训练好的模型与用到的数据（有的话），供页面与示例继续画图、分析；不写进结果文件。
    history: History | None = field(default=None, repr=False, compare=False)
    model: nn.Module | None = field(default=None, repr=False, compare=False)
    data: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """转成可写入 JSON 的字典（不含训练历史、模型与数据）。"""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("history", "model", "data")
        }


@dataclass
class RunOutput:
    """``run`` 函数的返回值：训练历史、额外的指标、训练好的模型与用到的数据（各 ``run`` 说明 ``data`` 是什么）。"""

    history: History | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    model: nn.Module | None = None
    data: Any = None


def run_experiment(
    name: str | Experiment,
    *,
    profile: str | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    epochs: int | None = None,
    plot: bool = False,
    verbose: bool = True,
    options: dict[str, Any] | None = None,
    record: bool | None = None,
) -> RunResult:
    """按档位运行一个已登记的实验，返回 :class:`RunResult` （含训练历史、训练好的模型与数据）。

    构建本书时（环境变量 ``DLBOOK_BUILD_RESULTS`` 给出结果目录）结果写进那个目录
    （:meth:`ResultStore.build <dlbook.experiments.results.ResultStore.build>`），页面用 ``{result}``
    角色引用它，构建结束时检查它的预期；只改了轮数（``epochs``）的运行不是登记的那次运行，不记下。
    平时不写任何文件（命令行 ``python -m dlbook run`` 把结果追加到结果文件）。

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
    options : dict, optional
        传给 ``run`` 的选项（:attr:`RunContext.options`）。
    record : bool, optional
        是否写进本次构建的结果目录；默认在构建中、且没有改轮数时写。
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
    ctx = RunContext(device=device, seed=seed, plot=plot, verbose=verbose, options=options or {})
    start = time.perf_counter()
    out = exp.run(settings, ctx)
    seconds = time.perf_counter() - start
    if not isinstance(out, RunOutput):
        raise TypeError(f"实验 {exp.name!r} 的 run 应返回 RunOutput，收到 {type(out).__name__}")
    if out.history is None:
        metrics, summary = dict(out.metrics), format_metrics(out.metrics)
    else:
        metrics = {**metrics_from_history(out.history, exp.task), **out.metrics}
        summary = out.history.summary()
    result = RunResult(
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
        data=out.data,
    )
    store = ResultStore.build()
    if store is not None and (record if record is not None else epochs is None):
        store.append(result)
    return result
