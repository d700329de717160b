"""章节顺序只写在一个地方：``index.md`` 的目录（toctree）。

``conf.py`` 的 ``CHAPTERS`` （画廊子栏目的顺序）与实验结果页的对照表都从这里读取章节顺序，
新的一章只需写进 ``index.md`` 的目录。本模块只用标准库，导入它不会导入 torch 或 Sphinx。
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["chapter_of", "chapter_order", "in_chapter_order", "read_toctree"]

# MyST 的目录指令：```{toctree} 或 :::{toctree}，到同样的围栏为止
_TOCTREE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{toctree\}[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$", re.M | re.S
)
# 目录里一行 “标题 <路径>” 的写法
_TITLED = re.compile(r"^.*<(?P<path>[^>]+)>$")


def read_toctree(index: str | os.PathLike[str]) -> list[str]:
    """``index`` （MyST 页面）里全部目录指令列出的条目，按出现的顺序；选项行（``:maxdepth: 2``）不算。

    Examples
    --------
    >>> import pathlib, tempfile
    >>> page = pathlib.Path(tempfile.mkdtemp()) / "index.md"
    >>> text = "# 书\\n\\n```{toctree}\\n:maxdepth: 2\\n\\ndocs/a/index\\n附录 <docs/b/index>\\n```\\n"
    >>> _ = page.write_text(text, encoding="utf-8")
    >>> read_toctree(page)
    ['docs/a/index', 'docs/b/index']
    """
    text = Path(index).read_text(encoding="utf-8")
    entries = []
    for block in _TOCTREE.finditer(text):
        for line in block["body"].splitlines():
            line = line.strip()
            if not line or line.startswith(":"):
                continue
            titled = _TITLED.match(line)
            entries.append(titled["path"].strip() if titled else line)
    return entries


def chapter_order(index: str | os.PathLike[str]) -> tuple[str, ...]:
    """书中各章的文件夹名（``chapter_<slug>``），按 ``index`` 目录里的顺序。

    Raises
    ------
    ValueError
        ``index`` 的目录里一章也没有（多半是目录的写法变了）。

    Examples
    --------
    >>> import pathlib, tempfile
    >>> page = pathlib.Path(tempfile.mkdtemp()) / "index.md"
    >>> text = "```{toctree}\\ndocs/chapter_b/index\\ndocs/chapter_a/index\\ndocs/api/index\\n```\\n"
    >>> _ = page.write_text(text, encoding="utf-8")
    >>> chapter_order(page)
    ('chapter_b', 'chapter_a')
    """
    chapters = []
    for entry in read_toctree(index):
        parts = entry.split("/")
        if len(parts) == 3 and parts[0] == "docs" and parts[1].startswith("chapter_"):
            chapters.append(parts[1])
    if not chapters:
        raise ValueError(f"{index} 的目录（toctree）里没有 docs/chapter_<名字>/index 形式的章")
    return tuple(chapters)


def chapter_of(path: str) -> str | None:
    """路径（页面名、示例名或源文件路径）所在的章（``chapter_<slug>``）；不在某一章里时为 ``None``。

    Examples
    --------
    >>> chapter_of("docs/chapter_convolutional-modern/resnet")
    'chapter_convolutional-modern'
    >>> chapter_of("docs/api/index") is None
    True
    """
    return next((part for part in path.split("/") if part.startswith("chapter_")), None)


def in_chapter_order(items: Iterable, chapters: tuple[str, ...], path=lambda item: item) -> list:
    """按章节顺序（同一章内保持原来的顺序）排列 ``items``；``path(item)`` 给出它的页面路径。

    Examples
    --------
    >>> pages = ["docs/chapter_b/x", "docs/api/y", "docs/chapter_a/z"]
    >>> in_chapter_order(pages, ("chapter_a", "chapter_b"))
    ['docs/chapter_a/z', 'docs/chapter_b/x', 'docs/api/y']
    """

    def key(item) -> int:
        chapter = chapter_of(path(item))
        return chapters.index(chapter) if chapter in chapters else len(chapters)

    return sorted(items, key=key)
