"""构建本书用的 Sphinx 扩展：并行执行页面、引用本次构建的训练结果、每页的时间报告与预算。

``conf.py`` 把它加进 ``extensions``。它做四件事：

1. **并行执行页面。** MyST-NB 在读入阶段一页一页地执行笔记本。这里在读入之前（``builder-inited``，
   画廊示例之后）把执行缓存里还没有的页面交给几个工作进程同时执行，结果写进同一个 jupyter-cache；
   读入阶段 MyST-NB 直接取缓存。缓存以页面的代码单元为键：只改文字的页面不会重新执行。每个工作进程里的
   内核只用一个 PyTorch 线程，几个内核并排时不会互相抢核（两核的机器上，抢核会让 torch 慢很多倍）。
   预执行失败的页面不进缓存，读入阶段由 MyST-NB 再执行一次并报告错误。
2. **训练结果的出处。** 画廊示例与页面用 :func:`dlbook.experiments.record_result` 把结果写进本次构建的
   结果目录（画廊输出目录下的 ``results/``）；页面用 ``{result}`实验名:指标``` 角色引用它，数字因此总是来自产生它的那次运行。
   找不到结果时构建失败。
3. **时间报告与预算。** 构建结束时把每个页面与示例的执行时间（取自 jupyter-cache 与 sphinx-gallery
   的记录，标明本次执行还是来自缓存）写进 ``<输出目录>/../build-times.csv``，打印最慢的十个；超过预算
   （默认 60 秒，``dlbook_time_budgets`` 可按页面放宽并写明理由）的页面或示例让构建失败。
4. **画廊示例确实运行过。** 没有运行时间或报告 0 秒的示例让构建失败。
"""

from __future__ import annotations

import ast
import csv
import inspect
import os
import re
import textwrap
import time
import typing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.matching import get_matching_files

from dlbook.plotting.liveplot import BUILD_ENV

__all__ = ["setup"]

logger = logging.getLogger(__name__)

#: 本次构建的训练结果写在这个目录里（每个实验一个 JSON 文件）。
RESULTS_ENV = "DLBOOK_BUILD_RESULTS"
#: 工作进程与其中内核的线程设置。
_ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
_GALLERY_TIME = re.compile(
    r"\*\*Total running time of the script:\*\* \(\s*(\d+) minutes\s+([\d.]+) seconds\)"
)


# ---------------------------------------------------------------------------
# 1. 并行执行页面
# ---------------------------------------------------------------------------


def _is_text_notebook(path: Path) -> bool:
    head = path.read_text(encoding="utf-8")[:500]
    return head.startswith("---") and "file_format: mystnb" in head.split("\n---", 1)[0]


def _worker_init() -> None:
    os.environ.update(_ONE_THREAD)


def _execute(path: str, nb_json: str, timeout: int) -> tuple[str | None, float, str | None]:
    """在工作进程里执行一个笔记本（启动它自己的内核），返回执行后的笔记本、秒数与错误。"""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.reads(nb_json, as_version=4)
    result = single_nb_execution(
        nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=False, meta_override=True
    )
    if result.err is not None:
        return None, result.time, result.exc_string
    return nbformat.writes(nb), result.time, None


def _pre_execute(app: Sphinx) -> None:
    config = app.config
    workers = int(config.dlbook_parallel_notebooks)
    if config.nb_execution_mode != "cache" or workers < 2:
        return
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(config.nb_execution_cache_path)
    src = Path(app.srcdir)
    pending = []
    found = get_matching_files(src, config.include_patterns, config.exclude_patterns)
    for name in sorted(found):
        path = src / name
        if path.suffix == ".md" and _is_text_notebook(path):
            text = path.read_text(encoding="utf-8")
            reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, text)
            nb = reader.read(text)
            try:
                cache.match_cache_notebook(nb)
            except KeyError:
                pending.append((path, nb))
    if not pending:
        return
    logger.info(f"[dlbook] 用 {workers} 个进程并行执行 {len(pending)} 个页面（每个内核一个线程）")
    start = time.perf_counter()
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
        futures = {
            pool.submit(_execute, str(p), nbformat.writes(nb), config.nb_execution_timeout): p
            for p, nb in pending
        }
        for future, path in futures.items():
            executed, seconds, error = future.result()
            name = path.relative_to(src)
            if error is not None:
                logger.info(f"[dlbook] {name} 执行出错，读入时再执行一次以报告错误")
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(
                    nbformat.reads(executed, as_version=4),
                    str(path),
                    data={"execution_seconds": seconds, "executor": "dlbook-parallel"},
                ),
                check_validity=False,
                overwrite=True,
            )
            logger.info(f"[dlbook] {name}：{seconds:.1f} 秒")
    logger.info(f"[dlbook] 页面执行完毕，用时 {time.perf_counter() - start:.1f} 秒")


# ---------------------------------------------------------------------------
# 2. 引用本次构建的训练结果
# ---------------------------------------------------------------------------


def _results_dir(app: Sphinx) -> Path:
    """本次构建的结果目录：放在画廊的输出目录里，与 sphinx-gallery 的“示例是否要重跑”的记录
    （``*.md5``）同生共死——只删掉 ``_build`` 时示例不会重跑，它们的结果也还在。"""
    gallery = app.config.sphinx_gallery_conf.get("gallery_dirs", "auto_examples")
    gallery = gallery[0] if isinstance(gallery, list | tuple) else gallery
    return Path(app.srcdir) / gallery / "results"


def _set_results_env(app: Sphinx, config: Any) -> None:
    os.environ[RESULTS_ENV] = str(_results_dir(app))


def _result_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{result}`lenet:test_acc``` → 本次构建中 ``lenet`` 的测试精度（保留三位小数）。"""
    from dlbook.experiments.results import format_metric, load_build_result

    env = inliner.document.settings.env
    app = env.app
    experiment, _, metric = text.partition(":")
    if str(app.config.plot_gallery).lower() in {"0", "false"}:
        return [nodes.emphasis(text="（不执行示例的预览构建中没有这个数）")], []
    path = _results_dir(app) / f"{experiment}.json"
    env.note_dependency(str(path))
    try:
        run = load_build_result(experiment, _results_dir(app))
        value = format_metric(metric, run["metrics"][metric])
    except (FileNotFoundError, KeyError, ValueError) as err:
        msg = inliner.reporter.error(
            f"{{result}}`{text}`：本次构建没有实验 {experiment!r} 的指标 {metric!r}（{err}）；"
            "产生它的画廊示例应调用 dlbook.experiments.record_result",
            line=lineno,
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [nodes.Text(value)], []


def _is_argument_check(node: ast.stmt) -> bool:
    """``if ...: raise ValueError/TypeError(...)`` 或 ``check_xxx(...)`` 这样的参数检查。"""
    if isinstance(node, ast.If) and not node.orelse and len(node.body) == 1:
        raised = node.body[0]
        if isinstance(raised, ast.Raise) and isinstance(raised.exc, ast.Call):
            return getattr(raised.exc.func, "id", "") in ("ValueError", "TypeError")
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        name = getattr(node.value.func, "id", "")
        return name.startswith(("check_", "_check"))
    return False


def book_source(obj: Any) -> str:
    """``obj`` （函数或类）的源码，去掉文档字符串与参数检查：书中展示的就是这样的代码。"""
    source = textwrap.dedent(inspect.getsource(obj))
    lines = source.splitlines()
    drop: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not body:
            continue
        first = body[0]
        if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
            if isinstance(first.value.value, str):
                drop.update(range(first.lineno - 1, first.end_lineno))
        for stmt in body:
            if _is_argument_check(stmt):
                drop.update(range(stmt.lineno - 1, stmt.end_lineno))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    # 去掉因删除而留在函数体开头的空行
    cleaned: list[str] = []
    for line in kept:
        if not line.strip() and cleaned and cleaned[-1].rstrip().endswith(":"):
            continue
        cleaned.append(line)
    return "\n".join(cleaned)


class PySource(SphinxDirective):
    """``{pysource} dlbook.train.loop.train_step``：显示包里一个函数或类的源码（不含文档字符串与参数检查）。"""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        import importlib

        path = self.arguments[0]
        parts = path.split(".")
        for i in range(len(parts), 0, -1):
            try:
                obj: Any = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                continue
            for attr in parts[i:]:
                obj = getattr(obj, attr)
            break
        else:  # pragma: no cover
            raise self.error(f"找不到 {path}")
        self.env.note_dependency(inspect.getsourcefile(obj))
        code = book_source(obj)
        block = nodes.literal_block(code, code, language="python")
        self.set_source_info(block)
        return [block]


class ResultsTable(SphinxDirective):
    """``{results-table}``：每个实验一行，书中结果、本次构建的结果与记录在案的完整档结果并排。"""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from dlbook.experiments.results import (
            RECORDED_RESULTS,
            comparison_rows,
            load_build_results,
            load_recorded_results,
        )

        directory = _results_dir(self.env.app)
        for path in sorted(directory.glob("*.json")):
            self.env.note_dependency(str(path))
        self.env.note_dependency(str(RECORDED_RESULTS))
        header = ["实验", "书中的结果", "本次构建的结果", "记录在案的完整档运行"]
        rows = comparison_rows(load_build_results(directory), load_recorded_results())
        return [_table(header, rows)]


def _table(header: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table(classes=["dlbook-results"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in header)

    def row(cells: list[str]) -> nodes.row:
        r = nodes.row()
        for text in cells:
            r += nodes.entry("", nodes.paragraph(text=text))
        return r

    group += nodes.thead("", row(header))
    group += nodes.tbody("", *(row(cells) for cells in rows))
    return table


# ---------------------------------------------------------------------------
# 3–4. 时间报告、预算与画廊检查
# ---------------------------------------------------------------------------


@dataclass
class _Timing:
    kind: str  # "页面" 或 "示例"
    name: str
    seconds: float
    executed: bool  # 本次构建执行的，而不是来自缓存


def _page_timings(app: Sphinx, started: float) -> list[_Timing]:
    from jupyter_cache import get_cache

    if app.config.nb_execution_mode != "cache":
        return []
    cache = get_cache(app.config.nb_execution_cache_path)
    src = Path(app.srcdir)
    found = {}
    for record in cache.list_cache_records():
        path = Path(record.uri)
        if not path.is_relative_to(src) or not path.exists():
            continue
        seconds = record.data.get("execution_seconds") or 0.0
        executed = record.created.timestamp() >= started
        found[path] = _Timing("页面", str(path.relative_to(src).with_suffix("")), seconds, executed)
    return list(found.values())


def _gallery_timings(app: Sphinx, started: float) -> tuple[list[_Timing], list[str]]:
    gallery = Path(app.srcdir) / app.config.sphinx_gallery_conf["gallery_dirs"]
    timings, missing = [], []
    for script in sorted(gallery.rglob("*.py")):
        rst = script.with_suffix(".rst")
        found = _GALLERY_TIME.search(rst.read_text(encoding="utf-8")) if rst.exists() else None
        name = str(script.relative_to(app.srcdir).with_suffix(""))
        seconds = int(found[1]) * 60 + float(found[2]) if found else 0.0
        if seconds == 0:
            missing.append(name)
            continue
        timings.append(_Timing("示例", name, seconds, rst.stat().st_mtime >= started))
    return timings, missing


def _budget(app: Sphinx, name: str) -> float:
    entry = app.config.dlbook_time_budgets.get(name)
    return float(entry[0]) if entry else float(app.config.dlbook_default_time_budget)


def _report(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None:
        return
    started = app.dlbook_build_started
    gallery_ran = str(app.config.plot_gallery).lower() not in {"0", "false"}
    timings = _page_timings(app, started)
    missing: list[str] = []
    if gallery_ran:
        examples, missing = _gallery_timings(app, started)
        timings += examples
    if timings:
        _write_report(app, timings)
    if missing:
        raise RuntimeError("这些画廊示例没有运行或报告 0 秒运行：" + ", ".join(missing))
    over = [t for t in timings if t.seconds > _budget(app, t.name)]
    if over:
        raise RuntimeError(
            "超出时间预算（在 conf.py 的 dlbook_time_budgets 里可以放宽，须写明理由）："
            + "；".join(
                f"{t.kind} {t.name} {t.seconds:.1f} 秒 > {_budget(app, t.name):.0f} 秒"
                for t in over
            )
        )
    if gallery_ran and "docs/appendix/results" in app.env.found_docs:
        _check_every_experiment_ran(app)


def _write_report(app: Sphinx, timings: list[_Timing]) -> None:
    timings.sort(key=lambda t: t.seconds, reverse=True)
    out = Path(app.doctreedir).parent / "build-times.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["kind", "name", "seconds", "executed", "budget"])
        for t in timings:
            state = "executed" if t.executed else "cached"
            writer.writerow([t.kind, t.name, f"{t.seconds:.1f}", state, _budget(app, t.name)])
    total = sum(t.seconds for t in timings if t.executed)
    logger.info(f"[dlbook] 执行时间（全部见 {out}；本次执行合计 {total:.0f} 秒），最慢的十个：")
    for t in timings[:10]:
        state = "本次执行" if t.executed else "缓存"
        logger.info(f"  {t.seconds:7.1f} 秒  {t.kind}  {t.name}（{state}）")


def _check_every_experiment_ran(app: Sphinx) -> None:
    """附录承诺每个实验都有本次构建的结果：没有运行过的实验让构建失败。"""
    from dlbook.experiments import EXPERIMENTS

    directory = _results_dir(app)
    missing = [
        name
        for name, exp in EXPERIMENTS.items()
        if exp.runs_in_build and not (directory / f"{name}.json").exists()
    ]
    if missing:
        raise RuntimeError(
            "这些登记的实验在本次构建中没有运行（运行它的页面或示例应调用 record_result）："
            + ", ".join(missing)
        )


def _check_budgets_config(app: Sphinx, config: Any) -> None:
    for name, entry in config.dlbook_time_budgets.items():
        if not (
            isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], str) and entry[1]
        ):
            raise ValueError(f"dlbook_time_budgets[{name!r}] 应是 (秒数, 理由)，收到 {entry!r}")


def _skip_type_aliases(app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any):
    """API 页不列出类型别名（例如继承自 ``torch.optim.Optimizer`` 的 ``OptimizerPreHook``）：
    它们没有文档字符串，autosummary 取到的摘要是别名的表示，其中的反引号会让 docutils 报错。"""
    return True if typing.get_origin(obj) is not None else None


def setup(app: Sphinx) -> dict[str, Any]:
    os.environ[BUILD_ENV] = "1"  # LivePlot 在构建中只画最后一张图；内核与示例都继承它
    app.add_config_value("dlbook_parallel_notebooks", 2, "")
    app.add_config_value("dlbook_default_time_budget", 60, "")
    app.add_config_value("dlbook_time_budgets", {}, "")
    app.dlbook_build_started = time.time()
    app.connect("config-inited", _check_budgets_config)
    app.connect("config-inited", _set_results_env)
    app.connect("builder-inited", _pre_execute, priority=900)  # 在画廊示例之后
    app.connect("build-finished", _report)
    app.connect("autodoc-skip-member", _skip_type_aliases)
    app.add_role("result", _result_role)
    app.add_directive("results-table", ResultsTable)
    app.add_directive("pysource", PySource)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
