"""运行结果的存放与表格：一个存放接口（:class:`ResultStore`），一个表格渲染函数（:func:`render_table`）。

结果存放在三处，格式与读写都经过 :class:`ResultStore`：

* **本次构建的结果目录** （:meth:`ResultStore.build`）：构建本书时 :func:`~dlbook.experiments.run_experiment`
  把每个实验的结果写成 ``<实验名>.json``，页面的 ``{result}`` 角色与实验结果页的对照表从这里读；
* **用户的结果文件** （:meth:`ResultStore.user`）：``python -m dlbook run`` 把每次运行追加到这里，
  ``python -m dlbook results`` 把它排成表格；
* **记录在案的结果** （:meth:`ResultStore.recorded`）：随包发布的 ``recorded.json``，完整档运行的记录。

命令行的表格、实验结果页的 ``{results-table}`` 指令与第 6 章各页“完整档的结果”都用 :func:`render_table` 排版。
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlbook.book.environment import BUILD_RESULTS_ENV
from dlbook.utils.serialization import atomic_write

if TYPE_CHECKING:
    from dlbook.experiments.registry import Experiment, RunResult

__all__ = [
    "COMPARISON_COLUMNS",
    "RECORDED_RESULTS",
    "ResultStore",
    "comparison_rows",
    "format_metric",
    "format_metrics",
    "format_settings",
    "full_results_table",
    "json_safe",
    "render_table",
    "results_table",
]

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


def format_metrics(metrics: dict[str, Any] | None) -> str:
    """把指标字典写成书中的格式。

    Examples
    --------
    >>> format_metrics({"loss": 0.469, "train_acc": 0.823, "test_acc": 0.779})
    'loss 0.469, train acc 0.823, test acc 0.779'
    >>> format_metrics({"test_acc": "约 0.83"})
    'test acc 约 0.83'
    >>> format_metrics({"test_acc": 0.8, "loss_per_epoch": [0.9, 0.5]})
    'test acc 0.800'
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
        if isinstance(value, (list, tuple)):  # 每轮的序列（loss_per_epoch 等）只供预期引用
            continue
        parts.append(f"{key} {value:.4g}" if isinstance(value, float) else f"{key} {value}")
    return ", ".join(parts) if parts else "—"


def format_metric(key: str, value: Any) -> str:
    """一个指标的书中写法（精度（名字以 ``_acc`` 结尾）与损失保留三位小数，吞吐量取整）。

    Examples
    --------
    >>> format_metric("test_acc", 0.87654), format_metric("examples_per_sec", 12345.6)
    ('0.877', '12346')
    >>> format_metric("majority_acc", 0.57436)
    '0.574'
    >>> format_metric("w_error", 0.000123456)
    '0.0001235'
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if key == "examples_per_sec":
        return f"{value:.0f}"
    fmt = dict((k, f) for k, _, f in _METRIC_FORMATS).get(
        key, ".3f" if key.endswith("_acc") else ".4g"
    )
    return f"{value:{fmt}}"


def json_safe(value: Any) -> Any:
    """把值转成可写入 JSON 的形式（非有限的浮点数写成 None，其它对象写成字符串）。"""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return str(value)  # 模型设置（ModelSetting）是 str 的子类：写下它的标签
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)


# ---------------------------------------------------------------------------
# 存放
# ---------------------------------------------------------------------------

#: 记录在案的完整档（full）运行：随包发布，实验结果页与各页把它们与书中的结果并排显示。
#: 在 GPU 上运行 ``python -m dlbook run <名字> --profile full --results <这个文件>`` 后提交它。
RECORDED_RESULTS = Path(__file__).with_name("recorded.json")


class ResultStore:
    """存放运行结果的一个地方：一个目录（每个实验一个 ``<实验名>.json``，同名覆盖）或一个结果文件
    （``{"format": 1, "runs": [...]}``，按运行的先后追加）。三个地方用三个构造方法得到：
    :meth:`build`、:meth:`user` 与 :meth:`recorded`。

    Parameters
    ----------
    path : path
        目录或结果文件。
    per_experiment : bool
        ``path`` 是每个实验一个文件的目录（本次构建的结果目录）还是一个结果文件。

    Examples
    --------
    >>> import tempfile
    >>> store = ResultStore(Path(tempfile.mkdtemp()) / "results.json")
    >>> store.load()
    []
    >>> run = {"experiment": "lenet", "profile": "quick", "metrics": {"test_acc": 0.8}}
    >>> _ = store.append(run)
    >>> _ = store.append({**run, "metrics": {"test_acc": 0.82}})
    >>> store.latest("lenet")["metrics"], store.latest("lenet", "full")
    ({'test_acc': 0.82}, None)
    """

    def __init__(self, path: str | os.PathLike[str], *, per_experiment: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.per_experiment = per_experiment

    @classmethod
    def build(cls, directory: str | os.PathLike[str] | None = None) -> ResultStore | None:
        """本次构建的结果目录；默认读环境变量 ``DLBOOK_BUILD_RESULTS``，不在构建中时返回 ``None``。"""
        directory = directory if directory is not None else os.environ.get(BUILD_RESULTS_ENV)
        return cls(directory, per_experiment=True) if directory else None

    @classmethod
    def user(cls, path: str | os.PathLike[str] | None = None) -> ResultStore:
        """用户的结果文件：``path``，否则环境变量 ``DLBOOK_RESULTS``，否则是用户缓存目录下的
        ``results.json`` （与数据缓存同一目录，见 :func:`dlbook.data_dir`）。"""
        if path is None:
            path = os.environ.get("DLBOOK_RESULTS")
        if not path:
            from dlbook.data import data_dir

            path = data_dir() / "results.json"
        return cls(path)

    @classmethod
    def recorded(cls) -> ResultStore:
        """随包发布的记录在案的结果（:data:`RECORDED_RESULTS`）。"""
        return cls(RECORDED_RESULTS)

    def __repr__(self) -> str:
        kind = "目录" if self.per_experiment else "文件"
        return f"ResultStore({kind} {self.path})"

    def load(self) -> list[dict[str, Any]]:
        """全部记录：目录按实验名排序，文件按追加的顺序；还没有结果时是空列表。"""
        if self.per_experiment:
            if not self.path.is_dir():
                return []
            return [
                json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.path.glob("*.json"))
            ]
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ValueError(f"结果文件 {self.path} 不是合法的 JSON：{err}") from err
        runs = data.get("runs") if isinstance(data, dict) else None
        if not isinstance(runs, list):
            raise ValueError(f"结果文件 {self.path} 的格式不对：缺少 runs 列表")
        return runs

    def append(self, result: RunResult | dict[str, Any]) -> Path:
        """写下一次运行（:class:`~dlbook.experiments.RunResult` 或它的字典），返回写入的文件。

        目录里写成 ``<实验名>.json`` （覆盖同名的旧结果）；文件里追加到 ``runs`` 的末尾。
        都是先写临时文件再替换，是原子的。
        """
        record = json_safe(result if isinstance(result, dict) else result.to_dict())
        if self.per_experiment:
            path = self.path / f"{record['experiment']}.json"
            content: Any = record
        else:
            path = self.path
            content = {"format": 1, "runs": [*self.load(), record]}
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, "w") as f:
            json.dump(content, f, ensure_ascii=False, indent=1)
        return path

    def has(self, experiment: str) -> bool:
        """是否有实验 ``experiment`` 的结果（不读文件内容）。"""
        if self.per_experiment:
            return (self.path / f"{experiment}.json").exists()
        return self.latest(experiment) is not None

    def latest(self, experiment: str, profile: str | None = None) -> dict[str, Any] | None:
        """实验 ``experiment`` 最近的一次运行（``profile`` 给出时只看这个档位）；没有时返回 ``None``。"""
        if self.per_experiment:
            path = self.path / f"{experiment}.json"
            runs = [json.loads(path.read_text(encoding="utf-8"))] if path.exists() else []
        else:
            runs = self.load()
        for run in reversed(runs):
            if run.get("experiment") == experiment and profile in (None, run.get("profile")):
                return run
        return None


# ---------------------------------------------------------------------------
# 表格
# ---------------------------------------------------------------------------


def render_table(
    rows: Iterable[Sequence[str]], columns: Sequence[str], fmt: str = "markdown"
) -> str:
    """把表格排成 Markdown （GFM 管道表格，单元格里的 ``|`` 转义）或 CSV 文本。

    Examples
    --------
    >>> print(render_table([["a|b", "1"]], ["名字", "值"]))
    | 名字 | 值 |
    |---|---|
    | a\\|b | 1 |
    >>> render_table([["a", "1"]], ["名字", "值"], fmt="csv")
    '名字,值\\na,1\\n'
    """
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buf.getvalue()
    if fmt != "markdown":
        raise ValueError(f"fmt 必须是 'markdown' 或 'csv'，收到 {fmt!r}")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _format_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    return str(value)


def format_settings(settings: dict[str, Any], skip: Iterable[str] = ("model",)) -> str:
    """把设置写成 ``键=值`` 的列表（书中常用的键在前），``skip`` 中的键不写。

    Examples
    --------
    >>> format_settings({"batch_size": 256, "lr": 0.9, "model": "lenet()"})
    'lr=0.9, batch_size=256'
    """
    skip = set(skip)
    keys = [k for k in _SETTING_ORDER if k in settings] + [
        k for k in settings if k not in _SETTING_ORDER
    ]
    parts = [f"{k}={_format_value(settings[k])}" for k in keys if k not in skip]
    return ", ".join(parts) if parts else "—"


def _experiments(experiments: Iterable[Experiment] | None) -> list[Experiment]:
    from dlbook.experiments.registry import EXPERIMENTS

    return list(experiments) if experiments is not None else list(EXPERIMENTS.values())


def _latest(runs: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for run in runs:
        latest[(run.get("experiment", ""), run.get("profile", ""))] = run
    return latest


def _provenance(run: dict[str, Any]) -> str:
    parts = [run.get("device", "?")]
    commit = run.get("versions", {}).get("commit")
    if commit:
        parts.append(f"提交 {commit[:7]}")
    if run.get("timestamp"):
        parts.append(run["timestamp"][:10])
    if run.get("seconds") is not None:
        parts.append(f"{run['seconds'] / 60:.1f} 分钟")
    return "，".join(parts)


#: :func:`comparison_rows` 的四栏。
COMPARISON_COLUMNS = ("实验", "书中的结果", "本次构建的结果", "记录在案的完整档运行")


def comparison_rows(
    build: list[dict[str, Any]],
    recorded: list[dict[str, Any]],
    experiments: Iterable[Experiment] | None = None,
) -> list[list[str]]:
    """对照表（栏目见 :data:`COMPARISON_COLUMNS`）：每个实验一行——实验、书中结果、本次构建的结果、
    记录在案的完整档结果。``build`` 与 ``recorded`` 是 :meth:`ResultStore.load` 读出的记录。

    Examples
    --------
    >>> run = {"experiment": "lenet", "profile": "full", "device": "cpu",
    ...        "metrics": {"test_acc": 0.8}, "settings": {"num_epochs": 10}}
    >>> rows = comparison_rows([run], [])
    >>> next(r for r in rows if r[0] == "lenet")[2]
    'test acc 0.800（full 档，cpu）'
    """
    latest_build = _latest(build)
    latest_recorded = _latest(recorded)
    rows = []
    for exp in _experiments(experiments):
        ours = "本次构建没有运行" if exp.runs_in_build else "构建时不运行（用命令行运行）"
        for profile in ("full", "quick"):
            run = latest_build.get((exp.name, profile))
            if run:
                ours = f"{format_metrics(run.get('metrics'))}（{profile} 档，{run.get('device', '?')}）"
        run = latest_recorded.get((exp.name, "full"))
        if run:
            on_record = f"{format_metrics(run.get('metrics'))}（{_provenance(run)}）"
        elif exp.needs_gpu:
            on_record = "尚无（待在 GPU 上运行）"
        else:
            on_record = "尚无（CPU 上可以运行，还没有记录）"

        book = format_metrics(exp.reference) if exp.reference else "书中没有公布"
        rows.append([exp.name, book, ours, on_record])
    return rows


def full_results_table(names: list[str], runs: list[dict[str, Any]] | None = None) -> str:
    """几个实验的书中结果与记录在案的 **完整档** 运行，排成一张 Markdown 表格（各页“完整档的结果”）。

    ``runs`` 默认是 :meth:`ResultStore.recorded` 的记录。没有记录时写明“尚无”，绝不用快速档或
    别的数字代替；有记录时附上设备、提交、日期与用时。

    Examples
    --------
    >>> print(full_results_table(["alexnet"], runs=[]))
    | 实验 | 书中的结果 | 记录在案的完整档运行 |
    |---|---|---|
    | alexnet | test acc 0.883 | 尚无（待在 GPU 上运行） |
    >>> run = {"experiment": "alexnet", "profile": "full", "device": "cuda:0", "seconds": 300.0,
    ...        "timestamp": "2026-01-02T03:04:05+00:00", "metrics": {"test_acc": 0.885}}
    >>> full_results_table(["alexnet"], runs=[run]).splitlines()[-1]
    '| alexnet | test acc 0.883 | test acc 0.885（cuda:0，2026-01-02，5.0 分钟） |'
    """
    from dlbook.experiments.registry import get_experiment

    runs = ResultStore.recorded().load() if runs is None else runs
    rows = comparison_rows([], runs, [get_experiment(name) for name in names])
    columns = [COMPARISON_COLUMNS[i] for i in (0, 1, 3)]
    return render_table([[r[0], r[1], r[3]] for r in rows], columns).rstrip("\n")


def results_table(
    fmt: str = "markdown",
    *,
    measured: bool = True,
    results: list[dict[str, Any]] | None = None,
    experiments: Iterable[Experiment] | None = None,
) -> str:
    """登记表（模型、书中设置、快速档改动、书中结果）写成 Markdown 或 CSV 表格，不训练任何模型。

    Parameters
    ----------
    fmt : {"markdown", "csv"}
        输出格式。
    measured : bool
        是否附上每个实验最近一次 full/quick 运行的结果；为 False 时只列书中的内容。
    results : list of dict, optional
        结果记录（默认读 :meth:`ResultStore.user`）。
    experiments : iterable of Experiment, optional
        要列出的实验，默认全部已登记的实验。

    Examples
    --------
    >>> table = results_table(measured=False)
    >>> print(table.splitlines()[0])
    | 实验 | 页面 | 模型 | 书中设置 | 快速档的改动 | 书中结果 |
    >>> next(r for r in table.splitlines() if r.startswith("| lenet |")).split(" | ")[2]
    '`lenet()`'
    """
    if fmt not in ("markdown", "csv"):
        raise ValueError(f"fmt 必须是 'markdown' 或 'csv'，收到 {fmt!r}")
    if results is None and measured:
        results = ResultStore.user().load()
    latest = _latest(results) if measured else {}
    columns = ["实验", "页面", "模型", "书中设置", "快速档的改动", "书中结果"]
    if measured:
        columns += ["我们的结果（full）", "我们的结果（quick）"]
    rows = []
    for exp in _experiments(experiments):
        reference = format_metrics(exp.reference)
        if exp.reference:
            reference += f"（{exp.reference_source}）"
        model = str(exp.full.get("model", "—"))
        if fmt == "markdown" and model != "—":
            model = f"`{model}`"  # 模型一栏是代码
        row = [
            exp.name,
            exp.page,
            model,
            format_settings(exp.full),
            format_settings(exp.quick, skip=()) if exp.quick else "与书中相同",
            reference,
        ]
        if measured:
            for profile in ("full", "quick"):
                run = latest.get((exp.name, profile))
                row.append(_format_run(run) if run else "—")
        rows.append(row)
    return render_table(rows, columns, fmt)


def _format_run(run: dict[str, Any]) -> str:
    text = format_metrics(run.get("metrics"))
    extra = [run.get("device", "?")]
    settings = run.get("settings", {})
    if "num_epochs" in settings:
        extra.append(f"{settings['num_epochs']} epochs")
    return f"{text}（{', '.join(extra)}）"
