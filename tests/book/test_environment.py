"""构建与 dlbook 之间的环境变量约定；导入扩展不导入 torch 或 Sphinx。"""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from dlbook.book import environment
from dlbook.book.environment import gallery_dirs, results_dir

ROOT = Path(__file__).resolve().parents[2]


def _app(tmp_path, gallery="auto_examples"):
    conf = {"examples_dirs": "examples", "gallery_dirs": gallery}
    return SimpleNamespace(srcdir=str(tmp_path), config=SimpleNamespace(sphinx_gallery_conf=conf))


def test_gallery_dirs_pairs_sources_and_outputs():
    conf = {"examples_dirs": ["a", "b"], "gallery_dirs": ["out_a", "out_b"]}
    assert gallery_dirs(conf) == [("a", "out_a"), ("b", "out_b")]


def test_results_dir_lives_in_the_first_gallery_output(tmp_path):
    assert results_dir(_app(tmp_path)) == tmp_path / "auto_examples" / "results"
    assert results_dir(_app(tmp_path, ["g1", "g2"])) == tmp_path / "g1" / "results"


def test_export_sets_the_variables_that_dlbook_reads(tmp_path, monkeypatch):
    from dlbook.experiments import results
    from dlbook.plotting.liveplot import in_docs_build

    monkeypatch.delenv(environment.DOCS_BUILD_ENV, raising=False)
    monkeypatch.delenv(environment.BUILD_RESULTS_ENV, raising=False)
    environment.export_build_environment(_app(tmp_path))
    assert in_docs_build()
    assert os.environ[environment.BUILD_RESULTS_ENV] == str(tmp_path / "auto_examples" / "results")
    assert results.BUILD_RESULTS_ENV is environment.BUILD_RESULTS_ENV  # 只有一份名字


@pytest.mark.slow
def test_the_extension_modules_import_neither_torch_nor_sphinx():
    # 用一个空的 dlbook 包代替真正的 dlbook/__init__.py，只看扩展自己的模块导入了什么
    code = (
        "import sys, types\n"
        f"pkg = types.ModuleType('dlbook'); pkg.__path__ = [{str(ROOT / 'dlbook')!r}]\n"
        "pkg.__version__ = '0+test'  # 真正的 dlbook/__init__.py 从包元数据读版本，不导入 torch\n"
        "sys.modules['dlbook'] = pkg\n"
        "import dlbook.book, dlbook.book.environment, dlbook.book.toc, dlbook.book.execution\n"
        "import dlbook.book.report, dlbook.book.footer\n"
        "print(sorted(m for m in ('torch', 'sphinx', 'docutils') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
