"""结果文件与表格：每次运行追加一条记录，附录把登记表与最近的结果排成表格。"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlbook.book.environment import BUILD_RESULTS_ENV
from dlbook.utils.serialization import atomic_write

if TYPE_CHECKING:
    from dlbook.experiments.registry import Experiment, RunResult

__all__ = [
    "RECORDED_RESULTS",
    "append_result",
    "comparison_rows",
    "format_metric",
    "format_metrics",
    "load_build_result",
    "load_build_results",
    "load_recorded_results",
    "record_result",
    "format_settings",
    "json_safe",
    "load_results",
    "results_path",
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


def format_metric(key: str, value: Any) -> str:
    """一个指标的书中写法（精度与损失保留三位小数，吞吐量取整）。

    Examples
    --------
    >>> format_metric("test_acc", 0.87654), format_metric("examples_per_sec", 12345.6)
    ('0.877', '12346')
    >>> format_metric("w_error", 0.000123456)
    '0.0001235'
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if key == "examples_per_sec":
        return f"{value:.0f}"
    fmt = dict((k, f) for k, _, f in _METRIC_FORMATS).get(key, ".4g")
    return f"{value:{fmt}}"


def record_result(result: RunResult) -> Path | None:
    """构建本书时（环境变量 ``DLBOOK_BUILD_RESULTS`` 给出目录）把结果写成 ``<目录>/<实验名>.json``，
    返回路径；不在构建中时什么也不做，返回 ``None``。

    :func:`~dlbook.experiments.run_experiment` 调用它，页面与示例不必直接调用；页面用 ``{result}``
    角色引用写下的结果。
    """
    directory = os.environ.get(BUILD_RESULTS_ENV)
    if not directory:
        return None
    path = Path(directory) / f"{result.experiment}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "w") as f:
        json.dump(json_safe(result.to_dict()), f, ensure_ascii=False, indent=1)
    return path


def load_build_result(experiment: str, directory: str | os.PathLike[str] | None = None) -> dict:
    """读出本次构建中实验 ``experiment`` 的结果（:func:`record_result` 写的文件）。"""
    directory = directory if directory is not None else os.environ.get(BUILD_RESULTS_ENV)
    if not directory:
        raise FileNotFoundError(f"没有设置 {BUILD_RESULTS_ENV}：不在构建本书")
    path = Path(directory) / f"{experiment}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} 不存在")
    return json.loads(path.read_text(encoding="utf-8"))


def load_build_results(directory: str | os.PathLike[str] | None = None) -> list[dict]:
    """本次构建记下的全部结果（按实验名排序）；不在构建中或还没有结果时为空列表。"""
    directory = directory if directory is not None else os.environ.get(BUILD_RESULTS_ENV)
    if not directory or not Path(directory).is_dir():
        return []
    return [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(directory).glob("*.json"))
    ]


def results_path() -> Path:
    """结果文件的位置：环境变量 ``DLBOOK_RESULTS``，否则是用户缓存目录下的 ``results.json``
    （与数据缓存同一目录，见 :func:`dlbook.data_dir`）。"""
    env = os.environ.get("DLBOOK_RESULTS")
    if env:
        return Path(env).expanduser()
    from dlbook.data import data_dir

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
    runs.append(json_safe(result.to_dict()))
    with atomic_write(path, "w") as f:
        json.dump({"format": 1, "runs": runs}, f, ensure_ascii=False, indent=1)
    return path


def json_safe(value: Any) -> Any:
    """把值转成可写入 JSON 的形式（非有限的浮点数写成 None，其它对象写成字符串）。"""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


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


def _latest_runs(runs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for run in runs:
        latest[(run.get("experiment", ""), run.get("profile", ""))] = run
    return latest


#: 记录在案的完整档（full）运行：随包发布，附录与各页把它们与书中的结果并排显示。
#: 在 GPU 上运行 ``python -m dlbook run <名字> --profile full --results <这个文件>`` 后提交它。
RECORDED_RESULTS = Path(__file__).with_name("recorded.json")


def load_recorded_results() -> list[dict[str, Any]]:
    """记录在案的运行（见 :data:`RECORDED_RESULTS`），只保留真实的完整档运行。"""
    return [r for r in load_results(RECORDED_RESULTS) if r.get("profile") == "full"]


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


def comparison_rows(
    build: list[dict[str, Any]],
    recorded: list[dict[str, Any]],
    experiments: Iterable[Experiment] | None = None,
) -> list[list[str]]:
    """附录的对照表：每个实验一行——实验、书中结果、本次构建的结果、记录在案的完整档结果。

    Examples
    --------
    >>> run = {"experiment": "lenet", "profile": "full", "device": "cpu",
    ...        "metrics": {"test_acc": 0.8}, "settings": {"num_epochs": 10}}
    >>> rows = comparison_rows([run], [])
    >>> next(r for r in rows if r[0] == "lenet")[2]
    'test acc 0.800（full 档，cpu）'
    """
    from dlbook.experiments.registry import EXPERIMENTS

    exps = list(experiments) if experiments is not None else list(EXPERIMENTS.values())
    latest_build = _latest_runs(build)
    latest_recorded = _latest_runs(recorded)
    rows = []
    for exp in exps:
        ours = "本次构建没有运行" if exp.runs_in_build else "构建时不运行（用命令行运行）"
        for profile in ("full", "quick"):
            run = latest_build.get((exp.name, profile))
            if run:
                ours = f"{format_metrics(run.get('metrics'))}（{profile} 档，{run.get('device', '?')}）"
        run = latest_recorded.get((exp.name, "full"))
        on_record = (
            f"{format_metrics(run.get('metrics'))}（{_provenance(run)}）"
            if run
            else "尚无（待在 GPU 上运行）"
        )
        book = format_metrics(exp.reference) if exp.reference else "书中没有公布"
        rows.append([exp.name, book, ours, on_record])
    return rows


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
    from dlbook.experiments.registry import EXPERIMENTS

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
            format_settings(exp.full),
            format_settings(exp.quick, skip=()) if exp.quick else "与书中相同",
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
