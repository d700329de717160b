"""章节顺序只写在 index.md 的目录里：读取目录、取出各章、按章排序。"""

from pathlib import Path

import pytest

from dlbook.book.toc import chapter_of, chapter_order, in_chapter_order, read_toctree

ROOT = Path(__file__).resolve().parents[2]


def _index(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "index.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_toctree_skips_options_and_reads_titled_entries_of_every_block(tmp_path):
    index = _index(
        tmp_path,
        "# 书\n\n```{toctree}\n:maxdepth: 2\n:caption: 目录\n\ndocs/a/index\n"
        "第二章 <docs/b/index>\n```\n\n正文里的 ```代码``` 不算。\n\n"
        ":::{toctree}\ndocs/c/index\n:::\n",
    )
    assert read_toctree(index) == ["docs/a/index", "docs/b/index", "docs/c/index"]


def test_chapter_order_keeps_the_toctree_order_and_skips_other_entries(tmp_path):
    index = _index(
        tmp_path,
        "```{toctree}\ndocs/chapter_z/index\nauto_examples/index\ndocs/chapter_a/index\n"
        "docs/appendix/index\n```\n",
    )
    assert chapter_order(index) == ("chapter_z", "chapter_a")


def test_an_index_without_chapters_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="没有"):
        chapter_order(_index(tmp_path, "# 书\n\n没有目录。\n"))


def test_the_book_lists_every_chapter_folder_and_every_gallery_folder_is_a_chapter():
    chapters = chapter_order(ROOT / "index.md")
    assert len(set(chapters)) == len(chapters)
    assert set(chapters) == {p.name for p in (ROOT / "docs").glob("chapter_*") if p.is_dir()}
    assert {p.name for p in (ROOT / "examples").glob("chapter_*")} <= set(chapters)


def test_conf_py_takes_chapters_from_the_index():
    conf = (ROOT / "conf.py").read_text(encoding="utf-8")
    assert 'CHAPTERS = chapter_order(ROOT / "index.md")' in conf
    assert '"chapter_preliminaries"' not in conf  # 顺序不再另写一份


def test_in_chapter_order_is_stable_within_a_chapter_and_puts_the_rest_last():
    pages = ["docs/appendix/a", "docs/chapter_b/x", "docs/chapter_a/z", "docs/chapter_b/w"]
    ordered = in_chapter_order(pages, ("chapter_a", "chapter_b"))
    assert ordered == [
        "docs/chapter_a/z",
        "docs/chapter_b/x",
        "docs/chapter_b/w",
        "docs/appendix/a",
    ]
    assert chapter_of("auto_examples/chapter_b/plot_x") == "chapter_b"
