"""页面里用的指令与角色：展示包的源码、引用本次构建的训练结果、实验对照表。

* ``{pysource} dlbook.train.loop.train_step``：显示包里一个公开函数或类的源码，去掉文档字符串与参数检查
  （:func:`book_source`）。读者不能导入的私有名字（下划线开头）让构建失败。
* ``{result}`实验名:指标```：本次构建中这个实验的指标。画廊示例与页面用
  :func:`dlbook.experiments.run_experiment` 运行实验，它把结果写进结果目录
  （:func:`dlbook.book.environment.results_dir`，:meth:`dlbook.experiments.ResultStore.build`），
  数字因此总是来自产生它的那次运行；找不到结果时构建失败。
* ``{results-table}``：每个实验一行，书中结果、本次构建的结果与记录在案的完整档结果并排，按书中的章节顺序；
  表格由 :func:`dlbook.experiments.render_table` 排成 Markdown，再按页面的语法解析。

* ``.. api-entries::`` （写在 ``{eval-rst}`` 块里）：API 参考页的一组条目，每行一个相对 ``dlbook`` 的名字；
  先排一张一句话说明的表，再排每个条目的文档（:class:`ApiEntries`）。

另有 autodoc 的一个钩子 :func:`skip_type_aliases`：API 页不列出类型别名。
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from dlbook.book.environment import results_dir
from dlbook.book.toc import chapter_order, in_chapter_order

__all__ = [
    "ApiEntries",
    "PySource",
    "ResultsTable",
    "book_source",
    "private_part",
    "api_object",
    "result_role",
    "skip_type_aliases",
]


def _gallery_ran(app: Any) -> bool:
    return str(app.config.plot_gallery).lower() not in {"0", "false"}


def result_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{result}`lenet:test_acc``` → 本次构建中 ``lenet`` 的测试精度（保留三位小数）。"""
    from dlbook.experiments.results import ResultStore, format_metric

    env = inliner.document.settings.env
    app = env.app
    experiment, _, metric = text.partition(":")
    if not _gallery_ran(app):
        return [nodes.emphasis(text="（不执行示例的预览构建中没有这个数）")], []
    directory = results_dir(app)
    env.note_dependency(str(directory / f"{experiment}.json"))
    run = ResultStore.build(directory).latest(experiment)
    if run is None or metric not in run.get("metrics", {}):
        reason = "没有这个实验的结果" if run is None else "结果里没有这个指标"
        msg = inliner.reporter.error(
            f"{{result}}`{text}`：本次构建没有实验 {experiment!r} 的指标 {metric!r}（{reason}）；"
            "产生它的页面或画廊示例应调用 dlbook.experiments.run_experiment",
            line=lineno,
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [nodes.Text(format_metric(metric, run["metrics"][metric]))], []


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


def private_part(path: str) -> str | None:
    """点分路径里读者不能导入的部分（下划线开头、又不是 ``__iter__`` 这样的特殊方法）。

    Examples
    --------
    >>> private_part("dlbook.train.loop._train_epoch")
    '_train_epoch'
    >>> private_part("dlbook.data.loader.TensorBatches.__iter__") is None
    True
    """
    for part in path.split("."):
        if part.startswith("_") and not (part.startswith("__") and part.endswith("__")):
            return part
    return None


class PySource(SphinxDirective):
    """``{pysource} dlbook.train.loop.train_step``：显示包里一个公开函数或类的源码。

    源码不含文档字符串与参数检查（:func:`book_source`）。
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        import importlib

        path = self.arguments[0]
        private = private_part(path)
        if private is not None:
            raise self.error(
                f"{path}：{private} 是私有名字，读者不能导入它；书中只展示公开的函数与类"
            )
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
    """``{results-table}``：每个实验一行，按 ``index.md`` 目录里的章节顺序。"""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from dlbook.experiments import EXPERIMENTS
        from dlbook.experiments.results import (
            COMPARISON_COLUMNS,
            RECORDED_RESULTS,
            ResultStore,
            comparison_rows,
            render_table,
        )

        directory = results_dir(self.env.app)
        for path in sorted(directory.glob("*.json")):
            self.env.note_dependency(str(path))
        self.env.note_dependency(str(RECORDED_RESULTS))
        index = Path(self.env.srcdir) / f"{self.config.root_doc}.md"
        self.env.note_dependency(str(index))
        experiments = in_chapter_order(
            EXPERIMENTS.values(), chapter_order(index), path=lambda exp: exp.page
        )
        build = ResultStore.build(directory).load()
        rows = comparison_rows(build, ResultStore.recorded().load(), experiments)
        return self.parse_text_to_nodes(render_table(rows, COMPARISON_COLUMNS))


def api_object(name: str) -> Any:
    """API 参考页上的名字（相对 ``dlbook``，例如 ``"cpu"`` 或 ``"data.TensorBatches"``）对应的对象。

    >>> api_object("data.TensorBatches").__name__
    'TensorBatches'
    """
    import importlib

    import dlbook

    obj: Any = dlbook
    parts = name.split(".")
    for i, part in enumerate(parts):
        if not hasattr(obj, part):  # 子模块可能还没有被导入
            obj = importlib.import_module("dlbook." + ".".join(parts[: i + 1]))
        else:
            obj = getattr(obj, part)
    return obj


def _autodoc_directive(obj: Any) -> list[str]:
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return ["autoexception"]
        return ["autoclass", "   :members:"]
    if callable(obj):
        return ["autofunction"]
    return [
        "autodata",
        "   :no-value:",
    ]  # 常量的取值可能很长（例如数据来源的登记表），只列出名字与说明


class ApiEntries(SphinxDirective):
    """``.. api-entries::``：API 参考页的一组条目。名字只写在这里一处，表格与条目的文档都由它生成。

    每个条目不再单独成页（几百个小页面让每一页的侧栏目录都要遍历整棵目录树，写出 HTML 的时间随页数的平方增长）；
    类连同有文档字符串的方法一起列出。
    """

    has_content = True

    def run(self) -> list[nodes.Node]:
        names = [line.strip() for line in self.content if line.strip()]
        lines = [".. currentmodule:: dlbook", "", ".. autosummary::", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in names] + [""]
        for name in names:
            directive, *options = _autodoc_directive(api_object(name))
            # 带点的名字 autodoc 当作模块路径，不接在 currentmodule 后面：写全名
            lines += [f".. {directive}:: dlbook.{name}", *options, ""]
        return self.parse_text_to_nodes("\n".join(lines))


def skip_type_aliases(app: Any, what: str, name: str, obj: Any, skip: bool, options: Any):
    """API 页不列出类型别名（例如继承自 ``torch.optim.Optimizer`` 的 ``OptimizerPreHook``）：
    它们没有文档字符串，autosummary 取到的摘要是别名的表示，其中的反引号会让 docutils 报错。"""
    import typing

    return True if typing.get_origin(obj) is not None else None
