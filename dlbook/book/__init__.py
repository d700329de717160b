"""构建本书用的 Sphinx 扩展（``conf.py`` 把 ``"dlbook.book"`` 加进 ``extensions``）。

按职责分成几个模块，这里只把它们接到 Sphinx 上：

:mod:`~dlbook.book.environment`
    构建设置的全部环境变量（执行页面的内核与画廊示例只能通过它们得知自己在构建本书）。
:mod:`~dlbook.book.toc`
    章节顺序：读 ``index.md`` 的目录；``conf.py`` 与实验对照表都从这里取顺序。
:mod:`~dlbook.book.execution`
    读入之前并行执行页面（结果进 jupyter-cache），记下每页读取的数据；内核加密通信。
:mod:`~dlbook.book.directives`
    ``{pysource}``、``{result}``、``{results-table}``，以及 API 页的 autodoc 钩子。
:mod:`~dlbook.book.footer`
    每页的页脚：构建环境与本页真正读取的数据。
:mod:`~dlbook.book.notebooks`
    每页带输出的 ``.ipynb`` （``nox -s notebooks``）、下载按钮里的 ``.ipynb`` 与 Colab、Binder 启动按钮。
:mod:`~dlbook.book.pdf`
    全书的 PDF（``nox -s pdf``）：字体与排版设置、长表格的列宽。
:mod:`~dlbook.book.report`
    构建结束时的时间报告与预算、画廊示例与实验都运行过的检查。
:mod:`~dlbook.book.redirects`
    移动或改名的页面在旧地址留下的跳转页（``dlbook_redirects``）。

导入本包不会导入 Sphinx 或 torch：``dlbook`` 的任何模块都可以从 :mod:`dlbook.book.environment`
取环境变量的名字。
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["setup"]


def setup(app: Sphinx) -> dict[str, Any]:
    """注册配置项、事件、指令与角色。"""
    from dlbook.book import (
        directives,
        environment,
        execution,
        footer,
        notebooks,
        pdf,
        redirects,
        report,
    )

    app.add_config_value("dlbook_parallel_notebooks", 1, "")
    app.add_config_value("dlbook_default_time_budget", 60, "")
    app.add_config_value("dlbook_time_budgets", {}, "")
    app.add_config_value("dlbook_redirects", {}, "html")  # 旧页面名 → 新页面名
    # False：只用执行缓存与画廊示例已有的输出，缺了就失败（nox -s pdf，见 dlbook.book.pdf）
    app.add_config_value("dlbook_execute", True, "", types=frozenset({bool}))
    app.dlbook_build_started = time.time()
    app.connect("config-inited", environment.export_build_environment)
    app.connect("config-inited", report.check_budgets)
    app.connect("config-inited", footer.add_example_hook)
    app.connect("builder-inited", execution.require_current_examples, priority=400)  # 画廊之前
    app.connect("builder-inited", execution.pre_execute, priority=900)  # 在画廊示例之后
    app.connect("html-page-context", footer.set_footer)
    app.connect("doctree-resolved", pdf.long_table_widths)  # 只对 LaTeX：长表格的列宽
    app.connect("doctree-resolved", pdf.arrange_book)  # 只对 LaTeX：画廊示例作附录
    # 下载按钮提供 .ipynb（在主题的按钮之前），启动按钮指向 .ipynb（在主题的按钮之后，主题用 501）
    app.connect("html-page-context", notebooks.offer_notebook, priority=500)
    app.connect("html-page-context", notebooks.fix_launch_links, priority=502)
    app.connect("build-finished", report.report)
    app.connect("build-finished", redirects.write_redirects)
    app.connect("autodoc-skip-member", directives.skip_type_aliases)
    app.add_role("result", directives.result_role)
    app.add_directive("results-table", directives.ResultsTable)
    app.add_directive("pysource", directives.PySource)
    app.add_directive("api-entries", directives.ApiEntries)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
