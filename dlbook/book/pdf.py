"""全书的 PDF：Sphinx 的 LaTeX 构建器加 xelatex（``nox -s pdf``），输出全部取自 HTML 构建留下的缓存。

``nox -s pdf`` 在 ``nox -s docs`` 之后运行，与它共用 ``_build/doctrees``：页面不再读入，代码不再执行，
页面的输出取自执行缓存，画廊示例的图取自 ``auto_examples/``。这一次构建设置 ``dlbook_execute = False``：
缓存里缺了哪一页、哪个示例过期，构建就失败并说出名字（:func:`~dlbook.book.execution.pre_execute`、
:func:`~dlbook.book.execution.require_current_examples`），而不是悄悄地重新执行。

排版（:func:`latex_elements`）：

* **字体明确指定，全部来自 pip 安装的包，不需要任何系统字体。** 中文是 ``mplfonts`` 里的 Noto CJK
  简体中文字体（正文 Noto Serif CJK SC，标题 Noto Sans CJK SC，代码 Noto Sans Mono CJK SC，与书中插图的
  中文同一套），由 xeCJK 按文件路径加载；它们只有常规字重，粗体由 xeCJK 加粗（``AutoFakeBold``）。
  不用 ctex：它的默认字体 Fandol 只收常用的几千个汉字，生僻字与不少符号缺字。
* **西文** 是 matplotlib 自带的 DejaVu（Serif、Sans、Sans Mono，各有粗体与斜体）：它们有正文与代码里的
  希腊字母、上标、取整符号（⌊⌋）、ᵀ 等，TeX 的 Latin Modern 与 Noto CJK 都缺其中一些。
  带圈数字与 ✓ 一类的符号交给中文字体（xeCJK 的 ``CJK`` 字符类）。
* **中文的章名与标签**：“第 3 章”“目录”“附录”；图表的“图”“表”由 Sphinx 的中文翻译给出。
* **代码换行**：过长的代码行与输出行在行宽处折行（``verbatimforcewraps``），不会伸出页面。
* **长表格**（超过 30 行，Sphinx 用 longtable 排）按各列内容的宽度分配列宽（:func:`long_table_widths`）。
* **结构** （:func:`arrange_book`）：首页只取目录（首页的介绍是写给网页读者的），各章是第 1、2……章，
  与网页上的章号一致；画廊示例放在书末作附录，不占章号。
* 不生成索引（本书的索引几乎全是 API 名字，HTML 版有搜索）。
"""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = [
    "PDF_NAME",
    "arrange_book",
    "font_dir",
    "latex_elements",
    "long_table_widths",
    "text_width",
]

#: PDF 的文件名（不含后缀）：``_build/latex/dlbook.pdf``，发布在站点根目录的 ``dlbook.pdf``。
PDF_NAME = "dlbook"

#: 字体文件所在的包与包内目录
FONT_DIRS = {"mplfonts": "fonts", "matplotlib": "mpl-data/fonts/ttf"}
#: xeCJK 的中文字体（mplfonts）
CJK_FONTS = {
    "main": "NotoSerifCJKsc-Regular.otf",
    "sans": "NotoSansCJKsc-Regular.otf",
    "mono": "NotoSansMonoCJKsc-Regular.otf",
}
#: 西文字体（matplotlib）：常规体的文件名，粗体与斜体在同一目录里，后缀见 :func:`latex_elements`
LATIN_FONTS = {"main": "DejaVuSerif", "sans": "DejaVuSans", "mono": "DejaVuSansMono"}

#: Sphinx 把超过这么多行的表排成 longtable（``sphinx.writers.latex.Table.is_longtable``）
LONG_TABLE_ROWS = 30


def font_dir(package: str) -> Path:
    """``package`` （``mplfonts`` 或 ``matplotlib``）的字体目录；只定位，不导入包。"""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"找不到 {package}：它随 dlbook 安装（pip install -e .），PDF 的字体取自它"
        )
    fonts = Path(next(iter(spec.submodule_search_locations))) / FONT_DIRS[package]
    names = CJK_FONTS.values() if package == "mplfonts" else LATIN_FONTS.values()
    missing = [name for name in names if not any(fonts.glob(f"{Path(name).stem}.*"))]
    if missing:
        raise RuntimeError(f"{package} 的字体目录 {fonts} 里缺少 {', '.join(missing)}")
    return fonts


def latex_elements() -> dict[str, str]:
    """``conf.py`` 的 ``latex_elements``：字体、中文章名、代码折行，见模块说明。

    Examples
    --------
    >>> elements = latex_elements()
    >>> "NotoSerifCJKsc-Regular.otf" in elements["fontpkg"], elements["printindex"]
    (True, '')
    """
    cjk_path = f"{font_dir('mplfonts').as_posix()}/"
    latin_path = f"{font_dir('matplotlib').as_posix()}/"
    serif = "BoldFont=*-Bold, ItalicFont=*-Italic, BoldItalicFont=*-BoldItalic"
    sans = "BoldFont=*-Bold, ItalicFont=*-Oblique, BoldItalicFont=*-BoldOblique"
    latin = f"Path={latin_path}, Extension=.ttf, UprightFont=*"
    cjk = f"Path={cjk_path}, AutoFakeBold=2.5, AutoFakeSlant=0.15"
    fontpkg = rf"""
\setmainfont{{{LATIN_FONTS["main"]}}}[{latin}, {serif}]
\setsansfont{{{LATIN_FONTS["sans"]}}}[{latin}, {sans}]
\setmonofont{{{LATIN_FONTS["mono"]}}}[{latin}, {sans}, Scale=0.9]
\setCJKmainfont{{{CJK_FONTS["main"]}}}[{cjk}]
\setCJKsansfont{{{CJK_FONTS["sans"]}}}[{cjk}]
\setCJKmonofont{{{CJK_FONTS["mono"]}}}[{cjk}, Scale=0.9]
"""
    preamble = r"""
\xeCJKDeclareCharClass{CJK}{"2460 -> "24FF, "2700 -> "27BF}
\setlength{\headheight}{14pt}
\setlength{\emergencystretch}{3em}
\renewcommand{\contentsname}{目录}
\renewcommand{\appendixname}{附录}
\renewcommand{\chaptername}{}
\titleformat{\chapter}[display]{\normalfont\sffamily\huge\bfseries}%
  {第\,\thechapter\,章}{16pt}{\Huge}
\makeatletter
\g@addto@macro\appendix{\titleformat{\chapter}[display]{\normalfont\sffamily\huge\bfseries}%
  {附录\,\thechapter}{16pt}{\Huge}}
\makeatother
\setcounter{tocdepth}{1}
"""
    return {
        "papersize": "a4paper",
        "pointsize": "10pt",
        "extraclassoptions": "openany,oneside",
        "babel": "",  # babel 没有中文选项；中文的标签在 preamble 与 Sphinx 的翻译里
        "fncychap": "",
        "fontpkg": fontpkg,
        "preamble": preamble,
        "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true, verbatimmaxunderfull=1",
        "makeindex": "",
        "printindex": "",
    }


def text_width(text: str) -> int:
    """``text`` 最长一行的显示宽度：全角字符（汉字、全角标点）算 2，其余算 1。

    Examples
    --------
    >>> text_width("准确率 acc"), text_width("ab\\ncdef")
    (10, 4)
    """
    return max(
        sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
        for line in text.splitlines() or [""]
    )


def long_table_widths(app: Sphinx, doctree: Any, docname: str) -> None:
    """``doctree-resolved`` （只对 LaTeX 构建）：给超过 30 行、没有列宽的表按内容分配列宽。

    这样的表 Sphinx 排成 longtable，没有列宽时用不折行的 ``l`` 列，内容长的表（实验对照表、D2L 名字表）
    会伸出页面几千 pt。每列的宽度取该列最宽的单元格（:func:`text_width`，限制在 4 到 40 之间），
    Sphinx 据此按比例分配行宽，单元格里的文字折行。
    """
    if app.builder.format != "latex":
        return
    from docutils import nodes

    for table in doctree.findall(nodes.table):
        rows = list(table.findall(nodes.row))
        if "colwidths-given" in table["classes"] or len(rows) <= LONG_TABLE_ROWS:
            continue
        for tgroup in table.findall(nodes.tgroup):
            colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
            widths = [4] * len(colspecs)
            for row in tgroup.findall(nodes.row):
                entries = [e for e in row.children if isinstance(e, nodes.entry)]
                for i, entry in enumerate(entries[: len(widths)]):
                    widths[i] = max(widths[i], min(text_width(entry.astext()), 40))
            for colspec, width in zip(colspecs, widths):
                colspec["colwidth"] = width
        table["classes"].append("colwidths-given")


def arrange_book(app: Sphinx, doctree: Any, docname: str) -> None:
    """``doctree-resolved`` （只对 LaTeX 构建的全书）：把画廊示例移到书末作附录。

    画廊的首页在根目录里排在各章之间，它的几个子画廊标题与首页标题同级（sphinx-gallery 生成的
    ``index.rst``），在 PDF 里会各占一章、打乱章号。这里把子画廊移到画廊标题之下，整个画廊移到书末、
    前面加 ``\\appendix``：各章的章号与网页上的一致，画廊是附录 A。
    """
    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    from docutils import nodes
    from sphinx import addnodes

    from dlbook.book.environment import gallery_dirs

    gallery = f"{gallery_dirs(app.config.sphinx_gallery_conf)[0][1]}/index"
    for start in list(doctree.findall(addnodes.start_of_file)):
        if start.get("docname") != gallery:
            continue
        sections = [child for child in start.children if isinstance(child, nodes.section)]
        for section in sections[1:]:
            start.remove(section)
            sections[0] += section
        start.parent.remove(start)
        doctree.children[-1] += [nodes.raw("", "\\appendix\n", format="latex"), start]
