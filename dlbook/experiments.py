"""实验登记表：书中每一次训练的设置、CPU 上的快速版本，以及书中公布的结果。

每个实验以页面的 slug 命名（``lenet``、``softmax-regression-scratch``……）；同一页有几次运行时
加后缀（``dropout-concise``、``weight-decay-scratch-3``）。``python -m dlbook run <名字>`` 运行它，
把结果与书中的结果并排打印，并追加到结果文件（见 :func:`results_path`）；
``python -m dlbook results`` 把登记表与已有结果写成表格，附录的“实验结果”页包含这张表。

登记一个实验
------------

在本文件末尾（或你自己的模块里）写一个声明式的块即可::

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

``run`` 是一个函数 ``run(settings, ctx) -> History`` （也可以返回 ``(History, 额外指标字典)``，
或者不经过训练循环时只返回指标字典），
``settings`` 是按档位合并后的设置，``ctx`` 是 :class:`RunContext` （设备、种子、是否画图）。
Fashion-MNIST 上的分类实验用 :func:`fashion_mnist_classifier` 生成 ``run``：它按 ``settings`` 中的
``batch_size``、``resize``、``num_train``、``num_test`` 读数据，按 ``loss`` 与 ``optimizer`` 选择
损失和更新方式，再调用 :func:`dlbook.train_classifier`。``full`` 中的键按书中的术语命名，
附录表格原样显示它们。
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .profiles import resolve_profile
from .serialization import atomic_write
from .training import History

__all__ = [
    "Experiment",
    "RunContext",
    "RunResult",
    "EXPERIMENTS",
    "register",
    "get_experiment",
    "run_experiment",
    "fashion_mnist_classifier",
    "results_path",
    "append_result",
    "load_results",
    "results_table",
    "format_metrics",
]

#: 全部已登记的实验，按登记顺序（即章节顺序）排列：名字 → :class:`Experiment`。
EXPERIMENTS: dict[str, Experiment] = {}

#: 书中结果的默认出处。
D2L = "D2L PyTorch 版"

# 设置在表格中显示的顺序；其余的键排在后面。
_SETTING_ORDER = (
    "model",
    "loss",
    "optimizer",
    "lr",
    "weight_decay",
    "lambd",
    "batch_size",
    "num_epochs",
    "resize",
    "init",
)

# 指标在总结行中的显示方式：(键, 标签, 格式)。
_METRIC_FORMATS = (
    ("loss", "loss", ".3f"),
    ("train_acc", "train acc", ".3f"),
    ("test_acc", "test acc", ".3f"),
    ("train_loss", "train loss", ".4g"),
    ("test_loss", "test loss", ".4g"),
)


@dataclass(frozen=True)
class RunContext:
    """实验运行时的环境：设备、随机种子、是否画训练曲线、是否打印总结行。"""

    device: torch.device
    seed: int = 0
    plot: bool = False
    verbose: bool = False


RunFn = Callable[
    [dict[str, Any], RunContext], "History | tuple[History, dict[str, Any]] | dict[str, Any]"
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
        ``run(settings, ctx)``，返回 :class:`~dlbook.training.History` （或它与额外指标组成的元组；
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

    def to_dict(self) -> dict[str, Any]:
        """转成可写入 JSON 的字典。"""
        return asdict(self)


def format_metrics(metrics: dict[str, Any] | None) -> str:
    """把指标字典写成书中的格式。

    Examples
    --------
    >>> format_metrics({"loss": 0.469, "train_acc": 0.823, "test_acc": 0.779})
    'loss 0.469, train acc 0.823, test acc 0.779'
    >>> format_metrics({"test_acc": "约 0.83"})
    'test acc 约 0.83'
    >>> format_metrics(None)
    '—'
    """
    if not metrics:
        return "—"
    parts = []
    known = set()
    for key, label, fmt in _METRIC_FORMATS:
        known.add(key)
        if key in metrics and metrics[key] is not None:
            value = metrics[key]
            parts.append(
                f"{label} {value:{fmt}}" if isinstance(value, float) else f"{label} {value}"
            )
    for key, value in metrics.items():
        if key in known or key == "examples_per_sec" or value is None:
            continue
        parts.append(f"{key} {value:.4g}" if isinstance(value, float) else f"{key} {value}")
    return ", ".join(parts) if parts else "—"


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
        档位；默认读环境变量 ``DLBOOK_PROFILE`` （再默认 ``auto``），见 :mod:`dlbook.profiles`。
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
    from .devices import best_device

    exp = name if isinstance(name, Experiment) else get_experiment(name)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
    if epochs is not None and (
        isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1
    ):
        raise ValueError(f"epochs 必须是正整数，收到 {epochs!r}")
    device = torch.device(device) if device is not None else best_device()
    resolved = resolve_profile(profile, device=device, cheap_on_cpu=exp.cheap_on_cpu)
    settings = exp.settings(resolved)
    if epochs is not None:
        settings["num_epochs"] = epochs
    ctx = RunContext(device=device, seed=seed, plot=plot, verbose=verbose)
    start = time.perf_counter()
    out = exp.run(settings, ctx)
    seconds = time.perf_counter() - start
    if isinstance(out, dict):  # 不经过训练循环的实验（例如 K 折交叉验证）直接给出指标
        metrics, summary = dict(out), format_metrics(out)
    else:
        history, extra = out if isinstance(out, tuple) else (out, {})
        metrics = {**_metrics_from_history(history), **extra}
        summary = history.summary()
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
        versions=_versions(),
    )


def _versions() -> dict[str, str]:
    from . import __version__

    return {"dlbook": __version__, "torch": torch.__version__, "python": platform.python_version()}


# ---------------------------------------------------------------------------
# 运行函数的构造器
# ---------------------------------------------------------------------------

#: 模型初始化的种子是 ``seed + _INIT_SEED_OFFSET``：与生成数据、打乱数据所用的种子 ``seed``
#: 分开。否则两者会取到同一串随机数（例如权重向量恰好等于第一个样本的特征），结果失真。
_INIT_SEED_OFFSET = 1000


def _init_generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed + _INIT_SEED_OFFSET)


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
        from .data import load_fashion_mnist
        from .ops.basic import cross_entropy, sgd
        from .training import train_classifier

        train_iter, test_iter = load_fashion_mnist(
            settings["batch_size"],
            resize=settings.get("resize"),
            seed=ctx.seed,
            device=ctx.device,
            num_train=settings.get("num_train"),
            num_test=settings.get("num_test"),
        )
        # 有的模型工厂用全局随机数做默认初始化：先播种，保证可复现
        torch.manual_seed(ctx.seed + _INIT_SEED_OFFSET)
        net = build(settings, _init_generator(ctx.seed))
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
        return train_classifier(
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

    return run


def _linear_regression_run(concise: bool) -> RunFn:
    def run(settings: dict[str, Any], ctx: RunContext) -> tuple[History, dict[str, Any]]:
        from .data import load_array, synthetic_linear_data
        from .ops.basic import linreg, sgd, squared_loss
        from .training import train_regression

        true_w = torch.tensor(settings["true_w"])
        true_b = settings["true_b"]
        X, y = synthetic_linear_data(
            true_w, true_b, settings["num_examples"], settings["noise"], seed=ctx.seed
        )
        train_iter = load_array((X, y), settings["batch_size"], seed=ctx.seed)
        g = _init_generator(ctx.seed)
        lr = settings["lr"]
        if concise:
            from .models.linear import linear_regression

            net = linear_regression(len(true_w), generator=g)
            history = train_regression(
                net,
                train_iter,
                None,
                settings["num_epochs"],
                loss=nn.MSELoss(reduction="none"),
                lr=lr,
                device=ctx.device,
                seed=ctx.seed,
                plot=ctx.plot,
                verbose=ctx.verbose,
            )
            w, b = net[0].weight.detach().reshape(-1), net[0].bias.detach()
        else:
            w = torch.normal(0, 0.01, size=(len(true_w), 1), generator=g).requires_grad_()
            b = torch.zeros(1, requires_grad=True)
            history = train_regression(
                lambda X: linreg(X, w, b),
                train_iter,
                None,
                settings["num_epochs"],
                loss=squared_loss,
                updater=lambda n: sgd([w, b], lr, n),
                seed=ctx.seed,
                plot=ctx.plot,
                verbose=ctx.verbose,
            )
            w, b = w.detach().reshape(-1), b.detach()
        extra = {
            "w_error": float((true_w - w.cpu()).abs().max()),
            "b_error": float(abs(true_b - b.cpu().item())),
        }
        return history, extra

    return run


def _polynomial_run(settings: dict[str, Any], ctx: RunContext) -> History:
    from .data import polynomial_data
    from .fitting import train_polynomial

    data = polynomial_data(
        settings["true_w"],
        max_degree=settings["max_degree"],
        n_train=settings["n_train"],
        n_test=settings["n_test"],
        noise=settings["noise"],
        seed=ctx.seed,
    )
    _, history = train_polynomial(
        settings["num_features"],
        *data,
        num_epochs=settings["num_epochs"],
        lr=settings["lr"],
        batch_size=settings["batch_size"],
        seed=ctx.seed,
        init_seed=_INIT_SEED_OFFSET + ctx.seed,
        device=ctx.device,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    return history


def _weight_decay_run(concise: bool) -> RunFn:
    def run(settings: dict[str, Any], ctx: RunContext) -> tuple[History, dict[str, Any]]:
        from .data import load_array, synthetic_linear_data
        from .fitting import train_weight_decay_concise, train_weight_decay_scratch

        d = settings["num_inputs"]
        true_w, true_b = torch.full((d,), 0.01), 0.05
        batch_size = settings["batch_size"]
        train_data = synthetic_linear_data(true_w, true_b, settings["n_train"], seed=ctx.seed)
        test_data = synthetic_linear_data(true_w, true_b, settings["n_test"], seed=ctx.seed + 1)
        train_iter = load_array(train_data, batch_size, seed=ctx.seed)
        test_iter = load_array(test_data, batch_size, shuffle=False)
        common = dict(
            lr=settings["lr"],
            num_epochs=settings["num_epochs"],
            init_seed=_INIT_SEED_OFFSET + ctx.seed,
            seed=ctx.seed,
            plot=ctx.plot,
            verbose=ctx.verbose,
        )
        if concise:
            net, history = train_weight_decay_concise(
                settings["weight_decay"], train_iter, test_iter, d, **common
            )
            w = net[0].weight.detach()
        else:
            w, history = train_weight_decay_scratch(
                settings["lambd"], train_iter, test_iter, d, **common
            )
        return history, {"w_norm": float(w.norm())}

    return run


def _house_price_run(settings: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    from .data import load_house_prices
    from .tabular import k_fold, preprocess_house_prices

    train_df, test_df = load_house_prices()
    features = preprocess_house_prices(train_df, test_df)
    result = k_fold(
        settings["k"],
        features.train_features,
        features.train_labels,
        num_epochs=settings["num_epochs"],
        lr=settings["lr"],
        weight_decay=settings["weight_decay"],
        batch_size=settings["batch_size"],
        seed=ctx.seed,
    )
    if ctx.verbose:
        print(result.summary())
    return {"train_log_rmse": result.mean_train, "valid_log_rmse": result.mean_valid}


# ---------------------------------------------------------------------------
# 结果文件与表格
# ---------------------------------------------------------------------------


def results_path() -> Path:
    """结果文件的位置：环境变量 ``DLBOOK_RESULTS``，否则是用户缓存目录下的 ``results.json``
    （与数据缓存同一目录，见 :func:`dlbook.data_dir`）。"""
    env = os.environ.get("DLBOOK_RESULTS")
    if env:
        return Path(env).expanduser()
    from .data import data_dir

    return data_dir() / "results.json"


def load_results(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """读出结果文件中的全部记录（按追加顺序）；文件不存在时返回空列表。"""
    path = Path(path) if path is not None else results_path()
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"结果文件 {path} 不是合法的 JSON：{err}") from err
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list):
        raise ValueError(f"结果文件 {path} 的格式不对：缺少 runs 列表")
    return runs


def append_result(result: RunResult, path: str | os.PathLike[str] | None = None) -> Path:
    """把一次运行追加到结果文件（整体重写到临时文件再 ``os.replace``，是原子的），返回路径。"""
    path = Path(path) if path is not None else results_path()
    runs = load_results(path)
    runs.append(_json_safe(result.to_dict()))
    with atomic_write(path, "w") as f:
        json.dump({"format": 1, "runs": runs}, f, ensure_ascii=False, indent=1)
    return path


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _format_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    return str(value)


def _format_settings(settings: dict[str, Any], skip: Iterable[str] = ("model",)) -> str:
    skip = set(skip)
    keys = [k for k in _SETTING_ORDER if k in settings] + [
        k for k in settings if k not in _SETTING_ORDER
    ]
    parts = [f"{k}={_format_value(settings[k])}" for k in keys if k not in skip]
    return ", ".join(parts) if parts else "—"


def _latest_runs(runs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for run in runs:
        latest[(run.get("experiment", ""), run.get("profile", ""))] = run
    return latest


def results_table(
    fmt: str = "markdown",
    *,
    measured: bool = True,
    results: list[dict[str, Any]] | None = None,
    experiments: Iterable[Experiment] | None = None,
) -> str:
    """登记表（书中设置、快速档改动、书中结果）写成 Markdown 或 CSV 表格，不训练任何模型。

    Parameters
    ----------
    fmt : {"markdown", "csv"}
        输出格式。
    measured : bool
        是否附上结果文件中每个实验最近一次 full/quick 运行的结果；为 False 时只列书中的内容。
    results : list of dict, optional
        直接给出结果记录（默认读 :func:`results_path`）。
    experiments : iterable of Experiment, optional
        要列出的实验，默认全部已登记的实验。

    Examples
    --------
    >>> table = results_table(measured=False)
    >>> print(table.splitlines()[0])
    | 实验 | 页面 | 模型 | 书中设置 | 快速档的改动 | 书中结果 |
    >>> "| lenet |" in table
    True
    """
    if fmt not in ("markdown", "csv"):
        raise ValueError(f"fmt 必须是 'markdown' 或 'csv'，收到 {fmt!r}")
    exps = list(experiments) if experiments is not None else list(EXPERIMENTS.values())
    latest = _latest_runs(results if results is not None else load_results()) if measured else {}
    header = ["实验", "页面", "模型", "书中设置", "快速档的改动", "书中结果"]
    if measured:
        header += ["我们的结果（full）", "我们的结果（quick）"]
    rows = []
    for exp in exps:
        reference = format_metrics(exp.reference)
        if exp.reference:
            reference += f"（{exp.reference_source}）"
        row = [
            exp.name,
            exp.page,
            str(exp.full.get("model", "—")),
            _format_settings(exp.full),
            _format_settings(exp.quick, skip=()) if exp.quick else "与书中相同",
            reference,
        ]
        if measured:
            for profile in ("full", "quick"):
                run = latest.get((exp.name, profile))
                row.append(_format_run(run) if run else "—")
        rows.append(row)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buf.getvalue()
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        if row[2] != "—":
            row[2] = f"`{row[2]}`"  # 模型一栏是代码
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def _format_run(run: dict[str, Any]) -> str:
    text = format_metrics(run.get("metrics"))
    extra = [run.get("device", "?")]
    settings = run.get("settings", {})
    if "num_epochs" in settings:
        extra.append(f"{settings['num_epochs']} epochs")
    return f"{text}（{', '.join(extra)}）"


# ---------------------------------------------------------------------------
# 登记表：第 2–5 章。第 6 章及以后的模型写好后在这里追加。
# ---------------------------------------------------------------------------

_LINEAR = "chapter_linear-networks"
_MLP = "chapter_multilayer-perceptrons"
_CNN = "chapter_convolutional-neural-networks"

# 第 2–3 章 Fashion-MNIST 实验的快速档：前 1 万个训练样本、2000 个测试样本，轮数不变。
_QUICK_FASHION = dict(num_train=10_000, num_test=2_000)


def _softmax_scratch(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from .models.linear import SoftmaxRegressionScratch

    return SoftmaxRegressionScratch(generator=g)


def _softmax_concise(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from .models.linear import softmax_regression

    return softmax_regression(generator=g)


def _mlp_scratch(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from .models.mlp import MLPScratch

    return MLPScratch(generator=g)


def _mlp_concise(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from .models.mlp import mlp

    return mlp(generator=g)


def _dropout_scratch(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from .models.mlp import DropoutMLPScratch

    return DropoutMLPScratch(
        dropout1=settings["dropout1"], dropout2=settings["dropout2"], generator=g
    )


def _dropout_concise(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from .models.mlp import dropout_mlp

    return dropout_mlp(dropout1=settings["dropout1"], dropout2=settings["dropout2"], generator=g)


def _lenet(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from .models.lenet import lenet

    return lenet(generator=g)


# ---- 第 2 章 线性神经网络 ----

register(
    Experiment(
        name="linear-regression-scratch",
        page=f"{_LINEAR}/linear-regression-scratch",
        title="从零实现的线性回归：合成数据 y = Xw + b + ε，手写小批量 SGD",
        full=dict(
            model="linreg(X, w, b)",
            loss="dlbook.squared_loss",
            optimizer="dlbook.sgd",
            lr=0.03,
            batch_size=10,
            num_epochs=3,
            true_w=[2, -3.4],
            true_b=4.2,
            num_examples=1000,
            noise=0.01,
        ),
        cheap_on_cpu=True,
        task="regression",
        run=_linear_regression_run(concise=False),
    )
)

register(
    Experiment(
        name="linear-regression-concise",
        page=f"{_LINEAR}/linear-regression-concise",
        title="线性回归的简洁实现：nn.Linear、MSELoss、torch.optim.SGD",
        full=dict(
            model="linear_regression(2)",
            loss="nn.MSELoss",
            optimizer="torch.optim.SGD",
            lr=0.03,
            batch_size=10,
            num_epochs=3,
            true_w=[2, -3.4],
            true_b=4.2,
            num_examples=1000,
            noise=0.01,
        ),
        cheap_on_cpu=True,
        task="regression",
        run=_linear_regression_run(concise=True),
    )
)

register(
    Experiment(
        name="softmax-regression-scratch",
        page=f"{_LINEAR}/softmax-regression-scratch",
        title="从零实现的 softmax 回归：手写 softmax、交叉熵与小批量 SGD",
        full=dict(
            model="SoftmaxRegressionScratch()",
            loss="dlbook.cross_entropy",
            optimizer="dlbook.sgd",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.83"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(_softmax_scratch),
    )
)

register(
    Experiment(
        name="softmax-regression-concise",
        page=f"{_LINEAR}/softmax-regression-concise",
        title="softmax 回归的简洁实现：nn.Linear 与 nn.CrossEntropyLoss",
        full=dict(
            model="softmax_regression()",
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.83"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(_softmax_concise),
    )
)

# ---- 第 3 章 多层感知机 ----

register(
    Experiment(
        name="mlp-scratch",
        page=f"{_MLP}/mlp-scratch",
        title="从零实现的多层感知机 784-256-10（手写 ReLU）",
        full=dict(
            model="MLPScratch()",
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.83–0.84"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(_mlp_scratch),
    )
)

register(
    Experiment(
        name="mlp-concise",
        page=f"{_MLP}/mlp-concise",
        title="多层感知机的简洁实现 784-256-10",
        full=dict(
            model="mlp()",
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.83–0.84"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(_mlp_concise),
    )
)

_POLY = dict(
    model="nn.Linear(num_features, 1, bias=False)",
    loss="nn.MSELoss",
    optimizer="torch.optim.SGD",
    lr=0.01,
    batch_size=10,
    num_epochs=400,
    true_w=[5, 1.2, -3.4, 5.6],
    max_degree=20,
    n_train=100,
    n_test=100,
    noise=0.1,
)

for _suffix, _k, _title in (
    ("normal", 4, "三阶多项式拟合（4 个特征，正常）"),
    ("underfit", 2, "线性函数拟合（2 个特征，欠拟合）"),
    ("overfit", 20, "高阶多项式拟合（20 个特征，过拟合）"),
):
    register(
        Experiment(
            name=f"underfit-overfit-{_suffix}",
            page=f"{_MLP}/underfit-overfit",
            title=_title,
            full={**_POLY, "num_features": _k},
            cheap_on_cpu=True,
            task="regression",
            run=_polynomial_run,
        )
    )

_WEIGHT_DECAY = dict(
    lr=0.003,
    batch_size=5,
    num_epochs=100,
    num_inputs=200,
    n_train=20,
    n_test=100,
)

for _value in (0, 3):
    register(
        Experiment(
            name=f"weight-decay-scratch-{_value}",
            page=f"{_MLP}/weight-decay",
            title=f"从零实现的 L2 正则化，λ = {_value}",
            full=dict(
                model="linreg(X, w, b)",
                loss="dlbook.squared_loss + λ·l2_penalty(w)",
                optimizer="dlbook.sgd",
                lambd=_value,
                **_WEIGHT_DECAY,
            ),
            cheap_on_cpu=True,
            task="regression",
            run=_weight_decay_run(concise=False),
        )
    )

for _value in (0, 3):
    register(
        Experiment(
            name=f"weight-decay-concise-{_value}",
            page=f"{_MLP}/weight-decay",
            title=f"权重衰减的简洁实现：只对权重设 weight_decay = {_value}",
            full=dict(
                model="nn.Linear(200, 1)",
                loss="nn.MSELoss",
                optimizer="torch.optim.SGD",
                weight_decay=_value,
                **_WEIGHT_DECAY,
            ),
            cheap_on_cpu=True,
            task="regression",
            run=_weight_decay_run(concise=True),
        )
    )

_DROPOUT = dict(
    loss="nn.CrossEntropyLoss",
    optimizer="torch.optim.SGD",
    lr=0.5,
    batch_size=256,
    num_epochs=10,
    dropout1=0.2,
    dropout2=0.5,
)

register(
    Experiment(
        name="dropout-scratch",
        page=f"{_MLP}/dropout",
        title="从零实现的暂退法：784-256-256-10，p1 = 0.2，p2 = 0.5",
        full=dict(model="DropoutMLPScratch()", **_DROPOUT),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.84–0.86"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(_dropout_scratch),
    )
)

register(
    Experiment(
        name="dropout-concise",
        page=f"{_MLP}/dropout",
        title="暂退法的简洁实现：nn.Dropout",
        full=dict(model="dropout_mlp()", **_DROPOUT),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.84–0.86"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(_dropout_concise),
    )
)

register(
    Experiment(
        name="kaggle-house-price",
        page=f"{_MLP}/kaggle-house-price",
        title="Kaggle 房价预测：线性模型、Adam、5 折交叉验证的平均 log RMSE",
        full=dict(
            model="linear_regression(d)",
            loss="nn.MSELoss",
            optimizer="torch.optim.Adam",
            lr=5,
            weight_decay=0,
            batch_size=64,
            num_epochs=100,
            k=5,
        ),
        cheap_on_cpu=True,
        task="regression",
        run=_house_price_run,
    )
)

# ---- 第 5 章 卷积神经网络 ----

register(
    Experiment(
        name="lenet",
        page=f"{_CNN}/lenet",
        title="LeNet-5（sigmoid 激活、平均池化），Xavier 初始化",
        full=dict(
            model="lenet()",
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.9,
            batch_size=256,
            num_epochs=10,
            init="xavier",
        ),
        quick=dict(num_train=20_000, num_test=2_000),
        reference=dict(loss=0.469, train_acc=0.823, test_acc=0.779),
        cheap_on_cpu=True,
        run=fashion_mnist_classifier(_lenet),
    )
)


# ---------------------------------------------------------------------------
# 命令行：python -m dlbook run / results
# ---------------------------------------------------------------------------


def _parse_device(text: str) -> torch.device:
    from .devices import best_device

    if text == "auto":
        return best_device()
    try:
        device = torch.device(text)
    except RuntimeError as err:
        raise ValueError(f"无法识别的设备 {text!r}：可以是 auto、cpu、cuda、cuda:1、mps") from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"设备 {text!r} 不可用：这台机器没有 CUDA")
    if device.type == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ValueError(f"设备 {text!r} 不可用：这台机器没有 Apple MPS")
    return device


def _cmd_run(args: Any) -> int:
    if args.list or args.experiment is None:
        for exp in EXPERIMENTS.values():
            print(f"{exp.name:30s} {exp.title}")
        if args.experiment is None and not args.list:
            print("错误：请给出实验名，例如 python -m dlbook run lenet", file=sys.stderr)
            return 2
        return 0
    exp = get_experiment(args.experiment)
    device = _parse_device(args.device)
    profile = resolve_profile(args.profile, device=device, cheap_on_cpu=exp.cheap_on_cpu)
    settings = exp.settings(profile)
    if args.epochs is not None:
        settings["num_epochs"] = args.epochs
    print(f"实验 {exp.name}：{exp.title}")
    print(f"档位 {profile}，设备 {device}，种子 {args.seed}；设置：{_format_settings(settings)}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")  # 命令行里不开窗口，训练曲线写进文件
    result = run_experiment(
        exp,
        profile=profile,
        device=device,
        seed=args.seed,
        epochs=args.epochs,
        plot=bool(args.plot),
        verbose=False,
    )
    if args.plot:
        import matplotlib.pyplot as plt

        if plt.get_fignums():
            out = Path(args.plot)
            out.parent.mkdir(parents=True, exist_ok=True)
            plt.gcf().savefig(out, bbox_inches="tight")
            plt.close("all")
            print(f"训练曲线已写到 {out}")
        else:
            print("这个实验没有训练曲线可画")
    print(f"我们：{format_metrics(result.metrics)}（{result.seconds:.1f} 秒）")
    if result.summary != format_metrics(result.metrics):
        print(f"      {result.summary}")
    if exp.reference:
        print(f"书中：{format_metrics(exp.reference)}（{exp.reference_source}）")
    else:
        print("书中：没有公布这次运行的数字")
    if not args.no_save:
        path = append_result(result, args.results)
        print(f"结果已追加到 {path}")
    return 0


def _cmd_results(args: Any) -> int:
    results = load_results(args.results) if not args.book_only else []
    table = results_table(args.format, measured=not args.book_only, results=results)
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(table, encoding="utf-8")
        print(f"已把 {len(EXPERIMENTS)} 个实验的表格写到 {out}")
    else:
        print(table, end="")
    return 0


def add_experiment_commands(sub: Any) -> None:
    """在命令行解析器中加入 ``run`` 与 ``results`` 两个子命令。"""
    run = sub.add_parser(
        "run",
        help="运行登记表中的一个实验，与书中结果并排打印",
        description="运行登记表中的一个实验，打印我们的结果与书中的结果，并把结果追加到结果文件。",
    )
    run.add_argument("experiment", nargs="?", help="实验名（页面 slug），例如 lenet")
    run.add_argument("--list", action="store_true", help="列出全部已登记的实验")
    run.add_argument(
        "--profile",
        choices=("full", "quick", "auto"),
        default=None,
        help="档位；默认读环境变量 DLBOOK_PROFILE，再默认 auto",
    )
    run.add_argument("--device", default="auto", help="auto（默认）、cpu、cuda、cuda:1 或 mps")
    run.add_argument("--seed", type=_nonnegative_int, default=0, help="随机种子，默认 0")
    run.add_argument("--epochs", type=_positive_int, default=None, help="覆盖设置中的轮数")
    run.add_argument("--results", default=None, help="结果文件（默认见 DLBOOK_RESULTS）")
    run.add_argument("--no-save", action="store_true", help="不写结果文件")
    run.add_argument("--plot", metavar="FILE", default=None, help="把训练曲线写到这个图片文件")
    run.set_defaults(func=_cmd_run)

    res = sub.add_parser(
        "results",
        help="把登记表与已有结果写成表格（Markdown 或 CSV）",
        description="列出每个实验的书中设置、快速档改动、书中结果，以及结果文件中最近的运行结果。",
    )
    res.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    res.add_argument("--output", "-o", default=None, help="写到这个文件（默认打印）")
    res.add_argument("--results", default=None, help="结果文件（默认见 DLBOOK_RESULTS）")
    res.add_argument("--book-only", action="store_true", help="只列书中的设置与结果")
    res.set_defaults(func=_cmd_results)


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"必须是正整数，收到 {text!r}")
    return value


def _nonnegative_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"必须是非负整数，收到 {text!r}")
    return value
