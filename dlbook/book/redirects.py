"""移动或改名的页面在旧地址留下一个跳转页：书签与外部链接仍然打开新页面。

``conf.py`` 的 ``dlbook_redirects`` 把旧的页面名映射到新的页面名（都不带后缀，例如附录并入第 15 章时
``"docs/appendix/build": "docs/chapter_appendix-tools/build"``）。HTML 构建结束时，为每个旧页面名写一个
``<旧页面名>.html``：``<meta http-equiv="refresh">`` 立即跳转，``rel=canonical`` 告诉搜索引擎新地址，
正文里再放一个链接。旧页面名又成了一个页面时构建失败（跳转页会覆盖它）；新页面不在本次构建里时
（只构建几页的预览，``include_patterns``）不写它的跳转页。新页面是否真的存在由测试对照源文件检查。
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["redirect_page", "write_redirects"]


def redirect_page(old: str, new: str) -> str:
    """从页面 ``old`` 跳到页面 ``new`` 的 HTML（``new`` 的地址相对 ``old`` 所在的目录）。

    Examples
    --------
    >>> page = redirect_page("docs/appendix/build", "docs/chapter_appendix-tools/build")
    >>> 'content="0; url=../chapter_appendix-tools/build.html"' in page
    True
    """
    url = html.escape(posixpath.relpath(f"{new}.html", posixpath.dirname(old) or "."))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={url}">\n'
        f'<link rel="canonical" href="{url}">\n<title>页面已移动</title>\n</head>\n'
        f'<body><p>这一页已经移到 <a href="{url}">{url}</a>。</p></body>\n</html>\n'
    )


def write_redirects(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``：HTML 构建成功时，为 ``dlbook_redirects`` 的每个旧页面名写跳转页。"""
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.errors import ExtensionError

    found = app.env.found_docs
    clashes = [old for old in app.config.dlbook_redirects if old in found]
    if clashes:
        raise ExtensionError(
            f"conf.py 的 dlbook_redirects：这些旧页面名又是页面了，删掉它们的跳转：{clashes}"
        )
    for old, new in app.config.dlbook_redirects.items():
        if new not in found:
            continue
        path = Path(app.outdir) / f"{old}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redirect_page(old, new), encoding="utf-8")
