"""页脚：构建环境一行（含页面执行时的 dlbook 版本），加上本页真正读取的数据（没有数据就没有这一行），
不含机器上的路径。"""

from pathlib import Path
from types import SimpleNamespace

from dlbook import __version__
from dlbook.book import footer
from dlbook.book.environment import BUILD_RESULTS_ENV, DATA_LOG_ENV
from dlbook.data.download import note_data_use


def _app(tmp_path: Path, pages: dict | None = None, versions: dict | None = None):
    conf = {"examples_dirs": "examples", "gallery_dirs": "auto_examples", "src_dir": str(tmp_path)}
    app = SimpleNamespace(srcdir=str(tmp_path), config=SimpleNamespace(sphinx_gallery_conf=conf))
    app.dlbook_page_datasets = pages or {}
    app.dlbook_page_versions = versions or {}
    return app


def _footer(app, pagename: str) -> str:
    context: dict = {}
    footer.set_footer(app, pagename, "page.html", context, None)
    return context["theme_extra_footer"]


def test_a_page_footer_names_its_data_and_no_path(tmp_path):
    app = _app(
        tmp_path, {"docs/chapter_a/rnn": ["Alice's Adventures in Wonderland（Lewis Carroll）"]}
    )
    html = _footer(app, "docs/chapter_a/rnn")
    assert "本页使用的数据：Alice&#x27;s Adventures in Wonderland（Lewis Carroll）。" in html
    assert "PyTorch" in html and "Fashion-MNIST" not in html
    assert "/usr/share" not in html and str(Path.home()) not in html


def test_a_page_without_data_has_no_data_line(tmp_path):
    app = _app(tmp_path, {"docs/chapter_a/ndarray": []})
    assert "数据" not in _footer(app, "docs/chapter_a/ndarray")
    assert "数据" not in _footer(app, "docs/chapter_appendix-tools/build")  # 没有执行的页面
    assert _footer(app, "index").count("<p>") == 1


def test_an_example_records_the_data_it_reads(tmp_path, monkeypatch):
    app = _app(tmp_path)
    (tmp_path / "examples" / "chapter_a").mkdir(parents=True)
    (tmp_path / "examples" / "chapter_a" / "plot_fit.py").write_text("", encoding="utf-8")
    monkeypatch.setenv(BUILD_RESULTS_ENV, str(tmp_path / "auto_examples" / "results"))
    monkeypatch.delenv(DATA_LOG_ENV, raising=False)
    footer.start_example_log(app.config.sphinx_gallery_conf, None)  # 进入目录时：什么也不做
    assert DATA_LOG_ENV not in __import__("os").environ
    for _ in range(2):  # 示例重跑时记录从头写起
        footer.start_example_log(app.config.sphinx_gallery_conf, "plot_fit.py")
        note_data_use("Fashion-MNIST")
        note_data_use("Fashion-MNIST")
    assert footer.example_datasets(app, "auto_examples/chapter_a/plot_fit") == ["Fashion-MNIST"]
    assert "本页使用的数据：Fashion-MNIST。" in _footer(app, "auto_examples/chapter_a/plot_fit")
    assert footer.example_datasets(app, "auto_examples/chapter_a/plot_other") is None
    assert footer.example_version(app, "auto_examples/chapter_a/plot_fit") == __version__
    assert footer.example_version(app, "auto_examples/chapter_a/plot_other") is None


def test_the_footer_states_the_version_the_page_ran_with(tmp_path):
    """页脚写页面执行时的版本：与本次构建不同时两个都写，缓存早于版本记录时如实说没有记下。"""
    app = _app(
        tmp_path,
        {"docs/c/now": [], "docs/c/old": [], "docs/c/unknown": []},
        {"docs/c/now": __version__, "docs/c/old": "0.0.1", "docs/c/unknown": None},
    )
    now = _footer(app, "docs/c/now")
    assert f"本页数字由 dlbook {__version__}、PyTorch " in now and "更早" not in now
    old = _footer(app, "docs/c/old")
    assert "本页数字由 dlbook 0.0.1、" in old
    assert f"本次构建的 dlbook 是 {__version__}：这一页来自更早的执行结果" in old
    assert "dlbook（执行时的版本没有记下）" in _footer(app, "docs/c/unknown")
    assert f"dlbook {__version__}、" in _footer(app, "docs/c/markdown-only")  # 没有执行的页面


def test_the_example_hook_is_added_once_after_the_configured_ones():
    config = SimpleNamespace(sphinx_gallery_conf={"reset_modules": ("matplotlib", print)})
    footer.add_example_hook(None, config)
    footer.add_example_hook(None, config)
    assert config.sphinx_gallery_conf["reset_modules"] == ("matplotlib", print, footer.EXAMPLE_HOOK)
