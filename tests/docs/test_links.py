"""每一页都在目录树里，每个 ``{doc}`` 引用与说明文件里写到的页面路径都指向存在的页面。

Sphinx 的 ``-W`` 构建也会发现这些问题，但要构建全书；这里只读源文件，几毫秒就能查完，页面改名或移动
（例如附录并入第 15 章）之后忘了改的链接在 ``nox -s tests`` 里就会失败。
"""

import posixpath
import re
from pathlib import Path

from dlbook.book.toc import read_toctree

ROOT = Path(__file__).resolve().parents[2]
#: 由构建生成、不在源码里的页面
GENERATED = ("auto_examples/", "docs/api/generated/")
DOC_ROLE = re.compile(r"\{doc\}`([^`]+)`")
TITLED = re.compile(r"^.*<([^>]+)>$")


def _docname(path: Path) -> str:
    return path.relative_to(ROOT).with_suffix("").as_posix()


def _resolve(current: str, target: str) -> str:
    """Sphinx 的规则：以 ``/`` 开头的相对源目录，否则相对当前页面所在的目录。"""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(current), target))


def _exists(docname: str) -> bool:
    return any((ROOT / f"{docname}{ext}").is_file() for ext in (".md", ".rst", ".ipynb"))


def _pages() -> list[Path]:
    return [ROOT / "index.md"] + sorted(
        p for p in (ROOT / "docs").rglob("*.md") if not _docname(p).startswith(GENERATED)
    )


def test_every_page_is_reachable_from_the_root_toctree():
    seen, todo, broken = set(), ["index"], []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for entry in read_toctree(ROOT / f"{current}.md"):
            target = _resolve(current, entry)
            if target.startswith(GENERATED):
                continue
            if not _exists(target):
                broken.append(f"{current} → {entry}")
            elif (ROOT / f"{target}.md").is_file():
                todo.append(target)
    assert not broken, f"目录树指向不存在的页面：{broken}"
    unreachable = [_docname(p) for p in _pages() if _docname(p) not in seen]
    assert not unreachable, f"这些页面不在任何目录树里（读者找不到）：{unreachable}"


def test_every_doc_reference_points_to_a_page():
    broken = []
    for page in _pages():
        current = _docname(page)
        for ref in DOC_ROLE.findall(page.read_text(encoding="utf-8")):
            titled = TITLED.match(ref)
            target = _resolve(current, titled.group(1) if titled else ref)
            if not _exists(target):
                broken.append(f"{current}: {ref}")
    assert not broken, f"{{doc}} 引用指向不存在的页面：{broken}"


def test_page_paths_named_in_the_repository_files_exist():
    files = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md"]
    broken = [
        f"{name}: {path}"
        for name in files
        for path in re.findall(r"`(docs/[\w./-]+\.md)`", (ROOT / name).read_text(encoding="utf-8"))
        if not (ROOT / path).is_file()
    ]
    assert not broken, f"说明文件里写到的页面不存在：{broken}"


def test_the_tools_chapter_is_in_the_book():
    assert "docs/chapter_appendix-tools/index" in read_toctree(ROOT / "index.md")
