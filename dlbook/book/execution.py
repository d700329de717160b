"""在读入页面之前并行执行页面，并记下每页读取了哪些数据。

MyST-NB 在读入阶段一页一页地执行笔记本。这里在读入之前（``builder-inited``，画廊示例之后）把
执行缓存里还没有的页面交给几个工作进程执行（``dlbook_parallel_notebooks`` 个），结果写进同一个
jupyter-cache；读入阶段 MyST-NB 直接取缓存。缓存以页面的代码单元为键：只改文字的页面不会重新执行。

* 并行执行时，每个工作进程与其中的内核只用一个线程（:data:`~dlbook.book.environment.ONE_THREAD`），
  几个内核并排时不会互相抢核（两核的机器上，抢核会让 torch 慢很多倍）。
* 执行一页时，环境变量 :data:`~dlbook.book.environment.DATA_LOG_ENV` 指向一个临时文件，dlbook 的数据
  读取函数把数据集的名称写进去；名称随执行结果存进缓存记录（``datasets``），页脚据此写明本页的数据。
  缓存里没有这项记录的页面（旧的缓存）会重新执行一次。
* 执行时的 dlbook 版本也存进缓存记录（``dlbook_version``），页脚写的是页面执行时的版本，而不是渲染时的：
  改了 ``dlbook`` 而没有删缓存时，两者可能不同。早于这项记录的缓存不因此重新执行，页脚如实写“未记录”。
* 内核由管理它的进程分发 CurveZMQ 密钥、加密通信（:func:`kernel_config`）。否则 ipykernel 每启动
  一个内核都在构建输出里警告一次 “Kernel is running over TCP without encryption”。
* 页面登记的实验（``Experiment.page``）若在本次构建的结果目录里没有结果文件，缓存里的页面也重新执行
  （:func:`missing_results`）：结果只在页面执行时由 ``run_experiment`` 写下，只删了结果目录、留着执行缓存时，
  页面与实验结果页引用的数字否则会缺失或停在旧的构建。只在运行画廊示例的构建中检查——示例运行的实验在示例
  阶段已经写下结果，不运行示例的预览构建里页面也不显示这些数。
* 预执行失败的页面不进缓存，读入阶段由 MyST-NB 再执行一次并报告错误。
* 只用缓存的构建（``dlbook_execute = False``，``nox -s pdf``）什么也不执行：缓存里缺页面、画廊示例过期时
  构建失败并列出它们（:func:`require_current_examples`），提示先运行 ``nox -s docs``。
* 测量速度的页面（线程、重叠、异步、带宽）在前言里写 ``dlbook: {run_alone: true}``
  （:func:`runs_alone`）：它们不进进程池，等池里的页面全部执行完，再一页一页地单独执行，
  内核用本机全部可用的核心（:func:`available_cores`）。与别的页面并排时测得的加速没有意义。
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlbook import __version__
from dlbook.book.environment import DATA_LOG_ENV, ONE_THREAD, results_dir

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = [
    "available_cores",
    "is_text_notebook",
    "kernel_config",
    "missing_results",
    "page_datasets",
    "page_version",
    "pre_execute",
    "require_current_examples",
    "runs_alone",
]

#: 缓存记录里执行器的名字（测试据此确认页面是由这里执行的）。
EXECUTOR = "dlbook-parallel"


def is_text_notebook(path: Path) -> bool:
    """``path`` 是否是会被执行的 MyST 文本笔记本（前言里有 ``file_format: mystnb``）。"""
    head = path.read_text(encoding="utf-8")[:500]
    return head.startswith("---") and "file_format: mystnb" in head.split("\n---", 1)[0]


def runs_alone(metadata: Any) -> bool:
    """笔记本的元数据（页面的前言）是否要求单独执行：``dlbook: {run_alone: true}``。

    Examples
    --------
    >>> runs_alone({"dlbook": {"run_alone": True}}), runs_alone({"file_format": "mystnb"})
    (True, False)
    """
    options = metadata.get("dlbook") or {}
    return bool(options.get("run_alone", False))


def available_cores() -> int:
    """本进程可以使用的 CPU 核心数（受 CPU 亲和性限制时按限制计）。"""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def missing_results(docname: str, directory: str | os.PathLike[str]) -> list[str]:
    """登记在页面 ``docname`` 上、构建时运行、却在结果目录 ``directory`` 里没有结果的实验。

    ``docname`` 是 Sphinx 的文档名（``docs/chapter_x/page``），实验的 ``page`` 相对 ``docs/``。

    Examples
    --------
    >>> import tempfile
    >>> missing_results("docs/chapter_convolutional-neural-networks/lenet", tempfile.mkdtemp())
    ['lenet']
    >>> missing_results("docs/chapter_appendix-tools/results", tempfile.mkdtemp())
    []
    """
    from dlbook.experiments import EXPERIMENTS, ResultStore

    store = ResultStore.build(directory)
    page = docname.removeprefix("docs/")
    return [
        exp.name
        for exp in EXPERIMENTS.values()
        if exp.page == page and exp.runs_in_build and not store.has(exp.name)
    ]


def kernel_config() -> Any:
    """内核管理器的 traitlets 配置：支持时分发 CurveZMQ 密钥，让内核加密通信。

    需要 jupyter_client ≥ 8.10（``KernelManager.transport_encryption``）与带 CurveZMQ 的 pyzmq；
    会警告未加密的 ipykernel 都在内核说明里声明了对它的支持。条件不满足时返回空配置（也就没有警告）。
    """
    import zmq
    from jupyter_client.manager import KernelManager
    from traitlets.config import Config

    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        return Config({"KernelManager": {"transport_encryption": "auto"}})
    return Config()


def _worker_init(threads: int | None) -> None:
    """工作进程（与它启动的内核）的线程数；``None`` 时沿用继承来的环境。"""
    if threads is not None:
        os.environ.update({name: str(threads) for name in ONE_THREAD})


def _execute(
    path: str, nb_json: str, timeout: int
) -> tuple[str | None, float, str | None, list[str]]:
    """在工作进程里执行一个笔记本（启动它自己的内核）。

    返回执行后的笔记本、秒数、错误信息与它读取的数据集（按第一次读取的顺序）。
    """
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.reads(nb_json, as_version=4)
    fd, log = tempfile.mkstemp(prefix="dlbook-data-", suffix=".txt")
    os.close(fd)
    os.environ[DATA_LOG_ENV] = log  # 内核启动时继承工作进程的环境
    try:
        result = single_nb_execution(
            nb,
            cwd=str(Path(path).parent),
            timeout=timeout,
            allow_errors=False,
            meta_override=True,
            config=kernel_config(),
        )
        datasets = list(dict.fromkeys(Path(log).read_text(encoding="utf-8").splitlines()))
    finally:
        del os.environ[DATA_LOG_ENV]
        os.unlink(log)
    if result.err is not None:
        return None, result.time, result.exc_string, datasets
    return nbformat.writes(nb), result.time, None, datasets


def pre_execute(app: Sphinx) -> None:
    """执行缓存里还没有（或没有数据记录、或登记的实验缺结果）的页面，并记下每一页读取的数据
    （``builder-inited``）。"""
    app.dlbook_page_datasets = {}
    app.dlbook_page_versions = {}
    os.environ.pop(DATA_LOG_ENV, None)  # 串行运行画廊示例时留下的，不属于任何页面
    config = app.config
    if config.nb_execution_mode != "cache":
        return
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader
    from sphinx.util import logging
    from sphinx.util.matching import get_matching_files

    logger = logging.getLogger(__name__)
    cache = get_cache(config.nb_execution_cache_path)
    src = Path(app.srcdir)
    gallery_ran = str(config.plot_gallery).lower() not in {"0", "false"}
    directory = results_dir(app)
    pending = []
    for name in sorted(get_matching_files(src, config.include_patterns, config.exclude_patterns)):
        path = src / name
        if path.suffix != ".md" or not is_text_notebook(path):
            continue
        docname = str(Path(name).with_suffix(""))
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, text)
        nb = reader.read(text)
        try:
            record = cache.match_cache_notebook(nb)
        except KeyError:
            record = None
        missing = missing_results(docname, directory) if gallery_ran and record else []
        if missing:
            logger.info(f"[dlbook] {docname}：结果目录里没有 {', '.join(missing)} 的结果，重新执行")
        if record is None or "datasets" not in record.data or missing:
            pending.append((docname, path, nb))
        else:
            app.dlbook_page_datasets[docname] = record.data["datasets"]
            app.dlbook_page_versions[docname] = record.data.get("dlbook_version")
    if not pending:
        return
    if not config.dlbook_execute:
        from sphinx.errors import ExtensionError

        raise ExtensionError(
            "只用执行缓存的构建（dlbook_execute = False，例如 nox -s pdf）不执行页面，"
            f"这些页面在执行缓存里没有（或缺数据记录、缺实验结果）：{', '.join(p[0] for p in pending)}"
            "。先运行 nox -s docs"
        )
    alone = [page for page in pending if runs_alone(page[2].metadata)]
    pooled = [page for page in pending if not runs_alone(page[2].metadata)]
    workers = max(1, int(config.dlbook_parallel_notebooks))
    start = time.perf_counter()
    if pooled:
        logger.info(f"[dlbook] 用 {workers} 个进程执行 {len(pooled)} 个页面")
        _execute_pages(app, cache, pooled, workers, 1 if workers > 1 else None)
    if alone:
        cores = available_cores()
        logger.info(f"[dlbook] 单独执行 {len(alone)} 个测量速度的页面（每页 {cores} 个线程）")
        _execute_pages(app, cache, alone, 1, cores)
    logger.info(f"[dlbook] 页面执行完毕，用时 {time.perf_counter() - start:.1f} 秒")


def _execute_pages(
    app: Sphinx, cache: Any, pages: list[tuple[str, Path, Any]], workers: int, threads: int | None
) -> None:
    """用 ``workers`` 个工作进程（各用 ``threads`` 个线程）执行 ``pages``，结果写进执行缓存。"""
    import nbformat
    from jupyter_cache.base import CacheBundleIn
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    timeout = app.config.nb_execution_timeout
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_init, initargs=(threads,)
    ) as pool:
        futures = {
            pool.submit(_execute, str(path), nbformat.writes(nb), timeout): (docname, path)
            for docname, path, nb in pages
        }
        for future, (docname, path) in futures.items():
            executed, seconds, error, datasets = future.result()
            if error is not None:
                logger.info(f"[dlbook] {docname} 执行出错，读入时再执行一次以报告错误")
                continue
            data = {
                "execution_seconds": seconds,
                "executor": EXECUTOR,
                "datasets": datasets,
                "dlbook_version": __version__,  # 内核与本进程装的是同一个 dlbook
            }
            cache.cache_notebook_bundle(
                CacheBundleIn(nbformat.reads(executed, as_version=4), str(path), data=data),
                check_validity=False,
                overwrite=True,
            )
            app.dlbook_page_datasets[docname] = datasets
            app.dlbook_page_versions[docname] = __version__
            logger.info(f"[dlbook] {docname}：{seconds:.1f} 秒")


def require_current_examples(app: Sphinx) -> None:
    """只用缓存的构建（``dlbook_execute = False``）里，画廊示例的输出都要是最新的（``builder-inited``，
    在 sphinx-gallery 之前）：源码改过、还没有重新运行的示例让构建失败，而不是在这里运行它。

    sphinx-gallery 把运行过的示例连同源码的 MD5 （``<示例>.py.md5``）留在画廊输出目录里，
    源码的 MD5 与之相同时它不重跑示例；这里做同样的比较。
    """
    if app.config.dlbook_execute:
        return
    from sphinx.errors import ExtensionError
    from sphinx_gallery.utils import get_md5sum

    from dlbook.book.environment import gallery_dirs

    src = Path(app.srcdir)
    conf = app.config.sphinx_gallery_conf
    stale = []
    for examples, gallery in gallery_dirs(conf):
        for script in sorted((src / examples).rglob("*.py")):
            if not script.name.startswith("plot_"):
                continue
            md5 = src / gallery / f"{script.relative_to(src / examples)}.md5"
            if not md5.is_file() or md5.read_text() != get_md5sum(script, mode="t"):
                stale.append(str(script.relative_to(src)))
    if stale:
        raise ExtensionError(
            "只用缓存的构建（dlbook_execute = False，例如 nox -s pdf）不运行画廊示例，"
            f"这些示例还没有运行过或源码已改：{', '.join(stale)}。先运行 nox -s docs"
        )


def page_datasets(app: Sphinx, docname: str) -> list[str] | None:
    """页面 ``docname`` 执行时读取的数据集；不是执行过的页面时为 ``None``。"""
    return getattr(app, "dlbook_page_datasets", {}).get(docname)


def page_version(app: Sphinx, docname: str) -> str | None:
    """页面 ``docname`` 执行时的 dlbook 版本；不是执行过的页面、或缓存记录早于版本记录时为 ``None``。"""
    return getattr(app, "dlbook_page_versions", {}).get(docname)
