"""构建结束时的时间报告、时间预算与两项检查。

* **时间报告。** 把每个页面与示例的执行时间（取自 jupyter-cache 与 sphinx-gallery 的记录，标明本次执行
  还是来自缓存）写进 ``<输出目录>/../build-times.csv``，打印最慢的十个。
* **时间预算。** 超过预算的页面或示例让构建失败。默认预算是 ``dlbook_default_time_budget`` 秒；
  ``dlbook_time_budgets`` 按页面名（``docs/...``）或画廊示例的页面名（``auto_examples/...``）放宽，
  每项写成 ``(秒数, 理由)``。读入配置时逐项核对：名字不是任何页面或示例（改名或删除之后）时构建失败，
  预算不会悄悄失效。
* **画廊示例确实运行过。** 没有运行时间或报告 0 秒的示例让构建失败。
* **每个实验都运行过。** 构建第 15 章的实验结果页（:data:`RESULTS_PAGE`）时，登记的实验（``runs_in_build``）在本次构建中都要有结果。
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlbook.book.environment import gallery_dirs, results_dir

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["RESULTS_PAGE", "Timing", "budget_source", "check_budgets", "report"]

#: 实验结果页（本次构建的结果与书中的结果并排）：构建它时，每个实验都要在本次构建中有结果。
RESULTS_PAGE = "docs/chapter_appendix-tools/results"

_GALLERY_TIME = re.compile(
    r"\*\*Total running time of the script:\*\* \(\s*(\d+) minutes\s+([\d.]+) seconds\)"
)
#: 页面可能的源文件后缀
_PAGE_SUFFIXES = (".md", ".rst", ".ipynb")


@dataclass
class Timing:
    """一个页面或示例的执行时间。"""

    kind: str  # "页面" 或 "示例"
    name: str
    seconds: float
    executed: bool  # 本次构建执行的，而不是来自缓存


def budget_source(srcdir: Path, gallery_conf: dict[str, Any], name: str) -> Path | None:
    """预算名 ``name`` 所指的源文件：页面的 ``.md``，或画廊示例的 ``.py``；都不存在时为 ``None``。

    Examples
    --------
    >>> import pathlib, tempfile
    >>> src = pathlib.Path(tempfile.mkdtemp())
    >>> (src / "examples" / "ch").mkdir(parents=True)
    >>> (src / "examples" / "ch" / "plot_a.py").touch()
    >>> conf = {"examples_dirs": "examples", "gallery_dirs": "auto_examples"}
    >>> budget_source(src, conf, "auto_examples/ch/plot_a").name
    'plot_a.py'
    >>> budget_source(src, conf, "docs/ch/gone") is None
    True
    """
    for examples, gallery in gallery_dirs(gallery_conf):
        if name.startswith(f"{gallery}/"):
            script = srcdir / examples / f"{name.removeprefix(gallery + '/')}.py"
            return script if script.is_file() else None
    return next(
        (srcdir / f"{name}{s}" for s in _PAGE_SUFFIXES if (srcdir / f"{name}{s}").is_file()), None
    )


def check_budgets(app: Sphinx, config: Any) -> None:
    """``config-inited``：每项预算都写成 ``(秒数, 理由)``，且指向一个真实的页面或画廊示例。"""
    from sphinx.errors import ConfigError

    for name, entry in config.dlbook_time_budgets.items():
        if not (
            isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], str) and entry[1]
        ):
            raise ConfigError(f"dlbook_time_budgets[{name!r}] 应是 (秒数, 理由)，收到 {entry!r}")
        if budget_source(Path(app.srcdir), config.sphinx_gallery_conf, name) is None:
            raise ConfigError(
                f"dlbook_time_budgets[{name!r}]：没有这个页面或画廊示例（改名或删除了吗？）"
                "，请让预算跟着改名或删掉它"
            )


def _page_timings(app: Sphinx, started: float) -> list[Timing]:
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
        found[path] = Timing("页面", str(path.relative_to(src).with_suffix("")), seconds, executed)
    return list(found.values())


def _gallery_timings(app: Sphinx, started: float) -> tuple[list[Timing], list[str]]:
    timings, missing = [], []
    for _, gallery in gallery_dirs(app.config.sphinx_gallery_conf):
        for script in sorted((Path(app.srcdir) / gallery).rglob("*.py")):
            rst = script.with_suffix(".rst")
            found = _GALLERY_TIME.search(rst.read_text(encoding="utf-8")) if rst.exists() else None
            name = str(script.relative_to(app.srcdir).with_suffix(""))
            seconds = int(found[1]) * 60 + float(found[2]) if found else 0.0
            if seconds == 0:
                missing.append(name)
                continue
            timings.append(Timing("示例", name, seconds, rst.stat().st_mtime >= started))
    return timings, missing


def _budget(app: Sphinx, name: str) -> float:
    entry = app.config.dlbook_time_budgets.get(name)
    return float(entry[0]) if entry else float(app.config.dlbook_default_time_budget)


def report(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``：写时间报告，检查预算、画廊示例与实验；不满足时抛出 ``RuntimeError``。"""
    if exception is not None or not app.config.dlbook_execute:
        # 只用缓存的构建（PDF）什么也没执行：报告与检查属于执行它们的 HTML 构建，不覆盖它写下的文件
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
    if gallery_ran and RESULTS_PAGE in app.env.found_docs:
        _check_every_experiment_ran(app)
    if gallery_ran:  # 页面上的论断（dlbook.experiments.expectations）：不成立时构建失败
        _check_claims(app)


def _check_claims(app: Sphinx) -> None:
    """检查每条论断，全部写进 ``_build/claims.csv`` 并在日志里给出总数；有不成立的就让构建失败。"""
    from sphinx.util import logging

    from dlbook.experiments.expectations import evaluate_build

    book = RESULTS_PAGE in app.env.found_docs  # 整本书：每个实验都该运行过
    checks = evaluate_build(results_dir(app), require_runs=book)
    out = Path(app.doctreedir).parent / "claims.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["page", "source", "claim", "holds", "numbers"])
        for c in checks:
            writer.writerow([c.page, c.source, c.claim, c.holds, c.numbers])
    failures = [c.message() for c in checks if not c.holds]
    logging.getLogger(__name__).info(
        f"[dlbook] 检查了 {len(checks)} 条论断，{len(checks) - len(failures)} 条成立（全部见 {out}）"
    )
    if failures:
        raise RuntimeError("页面上的论断不成立：\n" + "\n".join(failures))


def _write_report(app: Sphinx, timings: list[Timing]) -> None:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
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
    """实验结果页承诺每个实验都有本次构建的结果：没有运行过的实验让构建失败。"""
    from dlbook.experiments import EXPERIMENTS

    directory = results_dir(app)
    missing = [
        name
        for name, exp in EXPERIMENTS.items()
        if exp.runs_in_build and not (directory / f"{name}.json").exists()
    ]
    if missing:
        raise RuntimeError(
            "这些登记的实验在本次构建中没有运行（运行它的页面或示例应调用 run_experiment）："
            + ", ".join(missing)
        )
