"""构建与 dlbook 代码之间的约定：构建设置的全部环境变量，集中写在这里。

执行页面的内核与运行画廊示例的进程不是 Sphinx 进程本身，它们只能通过环境变量得知自己正在构建本书。
扩展设置下面几个变量，dlbook 里读取它们的代码从这里导入变量名：

``DLBOOK_DOCS_BUILD=1`` （:data:`DOCS_BUILD_ENV`）
    正在构建本书。:class:`dlbook.LivePlot` 据此只在训练结束时画一次图。扩展加载时设置，
    内核与示例都继承它。
``DLBOOK_BUILD_RESULTS=<目录>`` （:data:`BUILD_RESULTS_ENV`）
    本次构建的结果目录（:func:`results_dir`）。:func:`dlbook.experiments.run_experiment` 把结果写到这里
    （:meth:`dlbook.experiments.ResultStore.build`），页面的 ``{result}`` 角色从这里读。读入配置后设置。
``DLBOOK_DATA_LOG=<文件>`` （:data:`DATA_LOG_ENV`）
    这一次执行（一个页面或一个示例）读取的数据集记在这个文件里，每行一个；页脚据此写明本页的数据。
    只在执行一个页面或示例期间设置，见 :mod:`dlbook.book.execution` 与 :mod:`dlbook.book.footer`。
``OMP_NUM_THREADS`` 等（:data:`ONE_THREAD`）
    并行执行页面时，每个工作进程与其中的内核只用一个线程，几个内核并排时不会互相抢核。

本模块只用标准库：``dlbook`` 的任何模块都可以导入它，导入它不会导入 torch 或 Sphinx。
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = [
    "BUILD_RESULTS_ENV",
    "DATA_LOG_ENV",
    "DOCS_BUILD_ENV",
    "ONE_THREAD",
    "export_build_environment",
    "gallery_dirs",
    "results_dir",
]

DOCS_BUILD_ENV = "DLBOOK_DOCS_BUILD"
BUILD_RESULTS_ENV = "DLBOOK_BUILD_RESULTS"
DATA_LOG_ENV = "DLBOOK_DATA_LOG"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def gallery_dirs(gallery_conf: dict[str, Any]) -> list[tuple[str, str]]:
    """画廊配置里成对的（示例源目录，输出目录），相对于源目录。

    Examples
    --------
    >>> gallery_dirs({"examples_dirs": "examples", "gallery_dirs": "auto_examples"})
    [('examples', 'auto_examples')]
    """

    def as_list(value: Any) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    sources = as_list(gallery_conf.get("examples_dirs", "examples"))
    return list(zip(sources, as_list(gallery_conf["gallery_dirs"])))


def results_dir(app: Any) -> Path:
    """本次构建的结果目录：画廊输出目录下的 ``results/``。

    它与 sphinx-gallery 的“示例是否要重跑”的记录（``*.md5``）同生共死：只删掉 ``_build`` 时示例不会
    重跑，它们的结果也还在。
    """
    gallery = gallery_dirs(app.config.sphinx_gallery_conf)[0][1]
    return Path(app.srcdir) / gallery / "results"


def export_build_environment(app: Any, config: Any = None) -> None:
    """设置 :data:`DOCS_BUILD_ENV` 与 :data:`BUILD_RESULTS_ENV` （``config-inited`` 时调用）。"""
    os.environ[DOCS_BUILD_ENV] = "1"
    os.environ[BUILD_RESULTS_ENV] = str(results_dir(app))
