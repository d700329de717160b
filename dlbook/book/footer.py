"""每一页的页脚：产生本页数字的环境（版本、设备、档位、源码提交），以及本页真正读取了哪些数据。

dlbook 的版本是页面 **执行时** 的版本，而不是渲染时的：页面的版本随执行结果存进执行缓存
（:func:`dlbook.book.execution.page_version`），画廊示例的版本在它运行时写进结果目录的
``versions/<页面名>.txt``。改了 ``dlbook`` 而没有删执行缓存时，两者可能不同，页脚把两个版本都写出来。
没有执行任何代码的页面写本次构建的版本。

数据不是声明出来的，而是记下来的：dlbook 的数据读取函数调用 :func:`dlbook.data.download.note_data_use`，
把数据集的名称写进环境变量 :data:`~dlbook.book.environment.DATA_LOG_ENV` 指向的文件。

* 页面：:mod:`dlbook.book.execution` 执行一页时设置这个文件，把读到的名称存进执行缓存的记录。
* 画廊示例：sphinx-gallery 运行每个示例之前调用 :func:`start_example_log` （扩展把它加进画廊配置的
  ``reset_modules``），记录写在结果目录的 ``data/<页面名>.txt``；示例只在源码改变时重跑，记录与
  它的结果一同保留。

没有读取任何数据的页面不显示数据一行。页脚里没有构建机器上的路径；构建日期由主题的“最后更新”给出。
"""

from __future__ import annotations

import functools
import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlbook import __version__
from dlbook.book.environment import BUILD_RESULTS_ENV, DATA_LOG_ENV, gallery_dirs, results_dir
from dlbook.book.execution import page_datasets, page_version

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = [
    "add_example_hook",
    "build_line",
    "data_line",
    "example_datasets",
    "example_version",
    "set_footer",
    "start_example_log",
]

#: 扩展加进 ``sphinx_gallery_conf["reset_modules"]`` 的钩子（sphinx-gallery 按全名导入它）。
EXAMPLE_HOOK = f"{__name__}.start_example_log"


def _example_log(results: Path, docname: str) -> Path:
    return results / "data" / f"{docname}.txt"


def _example_version(results: Path, docname: str) -> Path:
    return results / "versions" / f"{docname}.txt"


def start_example_log(gallery_conf: dict[str, Any], fname: str | None) -> None:
    """sphinx-gallery 运行示例 ``fname`` 之前调用：清空它的数据记录，并让数据读取函数写到那里；
    同时记下运行它的 dlbook 版本。

    ``fname`` 只是文件名；它在画廊源目录里的位置由文件名找出，同名的两个示例无法区分，直接报错。
    """
    results = os.environ.get(BUILD_RESULTS_ENV)
    if fname is None or not results:
        return
    src = Path(gallery_conf["src_dir"])
    found = [
        f"{gallery}/{script.relative_to(src / examples).with_suffix('').as_posix()}"
        for examples, gallery in gallery_dirs(gallery_conf)
        for script in (src / examples).rglob(Path(fname).name)
    ]
    if len(found) != 1:
        raise RuntimeError(f"画廊里应当恰好有一个 {fname}，找到 {found}：示例的文件名不能重复")
    log = _example_log(Path(results), found[0])
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    os.environ[DATA_LOG_ENV] = str(log)
    version = _example_version(Path(results), found[0])
    version.parent.mkdir(parents=True, exist_ok=True)
    version.write_text(__version__, encoding="utf-8")


def add_example_hook(app: Sphinx, config: Any) -> None:
    """``config-inited`` （在 sphinx-gallery 补全默认值之后）：把 :func:`start_example_log` 加进画廊配置。"""
    conf = config.sphinx_gallery_conf
    hooks = conf.get("reset_modules", ())
    hooks = (hooks,) if isinstance(hooks, str) or callable(hooks) else tuple(hooks)
    if EXAMPLE_HOOK not in hooks:
        conf["reset_modules"] = (*hooks, EXAMPLE_HOOK)


def example_datasets(app: Sphinx, docname: str) -> list[str] | None:
    """画廊示例 ``docname`` 运行时读取的数据集；不是运行过的示例时为 ``None``。"""
    log = _example_log(results_dir(app), docname)
    if not log.is_file():
        return None
    return list(dict.fromkeys(log.read_text(encoding="utf-8").splitlines()))


def example_version(app: Sphinx, docname: str) -> str | None:
    """画廊示例 ``docname`` 运行时的 dlbook 版本；不是运行过的示例、或结果早于版本记录时为 ``None``。"""
    path = _example_version(results_dir(app), docname)
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


@functools.cache
def build_line(version: str | None = __version__) -> str:
    """产生本页数字的环境，一行中文；``version`` 是本页执行时的 dlbook 版本，``None`` 表示没有记下。

    每个版本每次构建算一次；第一次调用时才导入 torch。

    Examples
    --------
    >>> build_line().startswith(f"本页数字由 dlbook {__version__}、PyTorch ")
    True
    >>> "执行时的版本没有记下" in build_line(None)
    True
    >>> build_line("0.0.1").endswith(f"（本次构建的 dlbook 是 {__version__}：这一页来自更早的执行结果。）")
    True
    """
    from dlbook.experiments.profiles import profile_setting
    from dlbook.experiments.provenance import versions
    from dlbook.utils.devices import best_device

    info = versions()
    dlbook = f"dlbook {version}" if version is not None else "dlbook（执行时的版本没有记下）"
    text = (
        f"本页数字由 {dlbook}、PyTorch {info['torch']}（Python {info['python']}）"
        f"在 {best_device()} 上以 {profile_setting()} 档位运行得出"
    )
    if "commit" in info:
        text += f"，源码提交 {info['commit'][:10]}"
    text += "。"
    if version is not None and version != info["dlbook"]:
        text += f"（本次构建的 dlbook 是 {info['dlbook']}：这一页来自更早的执行结果。）"
    return text


def data_line(datasets: list[str] | None) -> str | None:
    """数据一行；没有读取数据时为 ``None``。

    Examples
    --------
    >>> data_line(["Fashion-MNIST", "Kaggle 房价预测竞赛数据"])
    '本页使用的数据：Fashion-MNIST；Kaggle 房价预测竞赛数据。'
    >>> data_line([]) is None
    True
    """
    return f"本页使用的数据：{'；'.join(datasets)}。" if datasets else None


def set_footer(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """``html-page-context``：把这一页的页脚写进主题的 ``extra_footer``。"""
    datasets = page_datasets(app, pagename)
    if datasets is not None:  # 执行过的页面
        version = page_version(app, pagename)
    else:
        datasets = example_datasets(app, pagename)
        version = example_version(app, pagename)
        if datasets is None and version is None:  # 没有执行任何代码的页面
            version = __version__
    lines = [build_line(version), data_line(datasets)]
    context["theme_extra_footer"] = "".join(
        f"<p>{html.escape(line)}</p>" for line in lines if line is not None
    )
