"""时间预算：每一项都要有理由，且指向一个真实的页面或画廊示例。"""

from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

from dlbook.book.report import budget_source, check_budgets

GALLERY = {"examples_dirs": "examples", "gallery_dirs": "auto_examples"}
ROOT = Path(__file__).resolve().parents[2]


def _project(tmp_path: Path) -> Path:
    (tmp_path / "docs" / "chapter_a").mkdir(parents=True)
    (tmp_path / "docs" / "chapter_a" / "page.md").write_text("# 页面\n", encoding="utf-8")
    (tmp_path / "examples" / "chapter_a").mkdir(parents=True)
    (tmp_path / "examples" / "chapter_a" / "plot_fit.py").write_text("", encoding="utf-8")
    return tmp_path


def _check(src: Path, budgets: dict) -> None:
    config = SimpleNamespace(dlbook_time_budgets=budgets, sphinx_gallery_conf=GALLERY)
    check_budgets(SimpleNamespace(srcdir=str(src)), config)


def test_budgets_of_real_pages_and_examples_pass(tmp_path):
    src = _project(tmp_path)
    budgets = {"docs/chapter_a/page": (90, "理由"), "auto_examples/chapter_a/plot_fit": (9, "理由")}
    _check(src, budgets)
    assert budget_source(src, GALLERY, "auto_examples/chapter_a/plot_fit") == (
        src / "examples" / "chapter_a" / "plot_fit.py"
    )


@pytest.mark.parametrize(
    "name", ["docs/chapter_a/renamed", "auto_examples/chapter_a/plot_gone", "chapter_a/page"]
)
def test_a_budget_of_a_renamed_or_removed_page_fails_the_build(tmp_path, name):
    with pytest.raises(ConfigError, match=name):
        _check(_project(tmp_path), {name: (90, "理由")})


@pytest.mark.parametrize("entry", [90, (90, ""), (90,), [90, "理由"]])
def test_a_budget_needs_seconds_and_a_reason(tmp_path, entry):
    with pytest.raises(ConfigError, match="应是"):
        _check(_project(tmp_path), {"docs/chapter_a/page": entry})


def test_every_budget_of_the_book_names_a_real_page_or_example():
    namespace = {"__file__": str(ROOT / "conf.py")}
    exec((ROOT / "conf.py").read_text(encoding="utf-8"), namespace)
    _check(ROOT, namespace["dlbook_time_budgets"])
