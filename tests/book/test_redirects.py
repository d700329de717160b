"""移动过的页面在旧地址留下跳转页；conf.py 里的每个跳转都指向存在的页面。"""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ExtensionError

from dlbook.book.redirects import write_redirects

ROOT = Path(__file__).resolve().parents[2]


def _app(tmp_path: Path, redirects: dict, found: set, fmt: str = "html"):
    return SimpleNamespace(
        builder=SimpleNamespace(format=fmt),
        env=SimpleNamespace(found_docs=found),
        config=SimpleNamespace(dlbook_redirects=redirects),
        outdir=str(tmp_path),
    )


def test_the_old_address_sends_the_reader_to_the_new_page(tmp_path):
    redirects = {"docs/old/page": "docs/new/page", "docs/old/gone": "docs/new/other"}
    app = _app(tmp_path, redirects, {"docs/new/page"})
    write_redirects(app, None)
    page = (tmp_path / "docs" / "old" / "page.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=../new/page.html"' in page
    assert 'rel="canonical" href="../new/page.html"' in page
    assert not (tmp_path / "docs" / "old" / "gone.html").exists()  # 新页面不在本次构建里


def test_no_redirect_pages_after_a_failed_build_or_for_other_builders(tmp_path):
    write_redirects(_app(tmp_path, {"a": "b"}, {"b"}), RuntimeError("构建失败"))
    write_redirects(_app(tmp_path, {"a": "b"}, {"b"}, fmt="latex"), None)
    assert list(tmp_path.iterdir()) == []


def test_an_old_name_that_is_a_page_again_fails_the_build(tmp_path):
    with pytest.raises(ExtensionError, match="又是页面"):
        write_redirects(_app(tmp_path, {"docs/a": "docs/b"}, {"docs/a", "docs/b"}), None)


def test_redirects_in_conf_py_point_to_existing_pages_from_names_that_are_gone():
    tree = ast.parse((ROOT / "conf.py").read_text(encoding="utf-8"))
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "dlbook_redirects"
    )
    redirects = ast.literal_eval(node.value)
    assert redirects, "conf.py 里没有 dlbook_redirects"
    for old, new in redirects.items():
        assert (ROOT / f"{new}.md").is_file(), f"{old} 跳到不存在的页面 {new}"
        assert not (ROOT / f"{old}.md").exists(), f"{old} 又是一个页面了"
