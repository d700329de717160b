"""构建守卫：用本书真实的 conf.py 在临时目录里构建小项目，确认出错的页面和示例会让构建失败。"""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # 每个测试都在子进程里构建一个 Sphinx 项目

ROOT = Path(__file__).resolve().parents[2]
#: 临时项目里唯一的页面
PAGE = "docs/chapter_demo/page.md"

PAGE_HEADER = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def _project(tmp_path: Path, page_code: str, examples: dict[str, str]) -> Path:
    # 本书的时间预算指向本书的页面，这里没有这些页面（否则构建会因预算指向不存在的页面而失败）
    conf = (ROOT / "conf.py").read_text(encoding="utf-8") + "\ndlbook_time_budgets = {}\n"
    (tmp_path / "conf.py").write_text(conf, encoding="utf-8")
    # 章节顺序来自目录：演示页面所在的文件夹就是一章
    (tmp_path / "index.md").write_text(
        "# 测试\n\n```{toctree}\ndocs/chapter_demo/page\nauto_examples/index\n```\n",
        encoding="utf-8",
    )
    (tmp_path / "docs" / "chapter_demo").mkdir(parents=True)
    page = PAGE_HEADER + "# 页面\n\n```{code-cell} ipython3\n" + page_code + "\n```\n"
    (tmp_path / PAGE).write_text(page, encoding="utf-8")
    gallery = tmp_path / "examples" / "chapter_demo"
    gallery.mkdir(parents=True)
    (tmp_path / "examples" / "GALLERY_HEADER.rst").write_text("示例\n====\n", encoding="utf-8")
    (gallery / "GALLERY_HEADER.rst").write_text("演示\n====\n", encoding="utf-8")
    for name, body in examples.items():
        (gallery / name).write_text(textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def _build(project: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            *options,
            "-b",
            "html",
            ".",
            "_build",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


GOOD_EXAMPLE = '''\
"""
正常的示例
==========

计算一个数。
"""

import time

time.sleep(0.01)
print(sum(range(10)))
'''


def test_clean_project_builds(tmp_path):
    result = _build(_project(tmp_path, "print(12345 * 2)", {"plot_good.py": GOOD_EXAMPLE}))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "_build" / PAGE).with_suffix(".html").read_text(encoding="utf-8")
    # 代码单元真的执行了：它的输出 24690 出现在单元的输出块里（源代码里没有这个数）
    assert re.search(r'class="[^"]*cell_output[^"]*".*?24690', html, re.DOTALL), html
    # 中文搜索：language_data.js 交给 window.Stemmer 的类必须在同一个文件里定义，
    # 否则浏览器里搜索会因 ReferenceError 而没有结果（Sphinx 9.0 的缺陷）。
    js = (tmp_path / "_build" / "_static" / "language_data.js").read_text(encoding="utf-8")
    alias = re.search(r"window\.Stemmer = (\w+);", js)
    stemmer = alias[1] if alias else "Stemmer"
    assert re.search(rf"\b{stemmer}\s*=\s*function", js), f"{stemmer} 没有定义"


def test_code_cell_that_raises_fails_the_build(tmp_path):
    result = _build(
        _project(tmp_path, "raise ValueError('页面出错')", {"plot_good.py": GOOD_EXAMPLE})
    )
    assert result.returncode != 0
    assert "页面出错" in result.stdout + result.stderr


def test_gallery_example_that_raises_fails_the_build(tmp_path):
    bad = GOOD_EXAMPLE.replace("print(sum(range(10)))", "raise RuntimeError('示例出错')")
    result = _build(_project(tmp_path, "print(1)", {"plot_bad.py": bad}))
    assert result.returncode != 0
    assert "示例出错" in result.stdout + result.stderr


def test_example_that_did_not_run_fails_the_build(tmp_path):
    # 文件名不以 plot_ 开头的示例不会执行，报告 0 秒运行，构建应当失败。
    result = _build(_project(tmp_path, "print(1)", {"skipped_demo.py": GOOD_EXAMPLE}))
    assert result.returncode != 0
    assert "没有运行" in result.stdout + result.stderr


def test_page_over_its_time_budget_fails_the_build(tmp_path):
    page = "import time\ntime.sleep(1.5)"
    project = _project(tmp_path, page, {"plot_good.py": GOOD_EXAMPLE})
    result = _build(project, "-D", "dlbook_default_time_budget=1")
    assert result.returncode != 0
    assert "超出时间预算" in result.stderr and "docs/chapter_demo/page" in result.stderr
    times = (project / "_build" / "build-times.csv").read_text(encoding="utf-8")
    assert "docs/chapter_demo/page" in times and "plot_good" in times


def test_time_report_and_a_budget_with_a_reason(tmp_path):
    page = "import time\ntime.sleep(1.5)"
    project = _project(tmp_path, page, {"plot_good.py": GOOD_EXAMPLE})
    (project / "conf.py").write_text(
        (project / "conf.py").read_text(encoding="utf-8")
        + '\ndlbook_time_budgets = {"docs/chapter_demo/page": (30, "测试：这一页本来就要睡一会儿")}\n',
        encoding="utf-8",
    )
    result = _build(project, "-D", "dlbook_default_time_budget=1")
    assert result.returncode == 0, result.stderr
    rows = (project / "_build" / "build-times.csv").read_text(encoding="utf-8").splitlines()
    page_row = next(r for r in rows if "docs/chapter_demo/page" in r)
    assert page_row.endswith("executed,30.0")
    # 页面是在读入之前由并行的工作进程执行的（而不是读入时由 MyST-NB 一页页地执行）
    from jupyter_cache import get_cache

    records = get_cache(project / "_build" / ".jupyter_cache").list_cache_records()
    assert [r.data.get("executor") for r in records] == ["dlbook-parallel"]
    # 不改代码、只改文字：页面不再执行，时间来自缓存
    page_md = project / PAGE
    page_md.write_text(page_md.read_text(encoding="utf-8") + "\n多写一句话。\n", encoding="utf-8")
    result = _build(project, "-D", "dlbook_default_time_budget=1")
    assert result.returncode == 0, result.stderr
    rows = (project / "_build" / "build-times.csv").read_text(encoding="utf-8").splitlines()
    assert ",cached," in next(r for r in rows if "docs/chapter_demo/page" in r)


RESULT_EXAMPLE = '''\
"""
记录结果的示例
==============

把一次运行的结果记下来。
"""

from dlbook.experiments import ResultStore, RunResult

result = RunResult("demo", "quick", "cpu", 0, {}, {"test_acc": 0.87654}, "", 0.1, "", {})
ResultStore.build().append(result)
'''


def test_result_role_shows_the_number_the_example_recorded(tmp_path):
    project = _project(tmp_path, "print(1)", {"plot_result.py": RESULT_EXAMPLE})
    page = project / PAGE
    page.write_text(
        page.read_text(encoding="utf-8") + "\n测试精度是 {result}`demo:test_acc`。\n",
        encoding="utf-8",
    )
    result = _build(project)
    assert result.returncode == 0, result.stderr
    html = (project / "_build" / PAGE).with_suffix(".html").read_text(encoding="utf-8")
    assert "测试精度是 0.877。" in html


def test_result_role_without_a_recorded_run_fails_the_build(tmp_path):
    project = _project(tmp_path, "print(1)", {"plot_good.py": GOOD_EXAMPLE})
    page = project / PAGE
    page.write_text(
        page.read_text(encoding="utf-8") + "\n测试精度是 {result}`demo:test_acc`。\n",
        encoding="utf-8",
    )
    result = _build(project)
    assert result.returncode != 0
    assert "没有实验 'demo'" in result.stderr


def test_a_budget_for_a_page_that_no_longer_exists_fails_the_build(tmp_path):
    project = _project(tmp_path, "print(1)", {"plot_good.py": GOOD_EXAMPLE})
    conf = project / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8")
        + '\ndlbook_time_budgets = {"docs/chapter_demo/renamed": (30, "改名前的预算")}\n',
        encoding="utf-8",
    )
    result = _build(project)
    assert result.returncode != 0
    assert "docs/chapter_demo/renamed" in result.stderr


DATA_EXAMPLE = GOOD_EXAMPLE.replace(
    "print(sum(range(10)))",
    "from dlbook.data.download import note_data_use\n\nnote_data_use('示例读的数据')",
)


def test_footer_names_the_data_each_page_read_and_the_log_has_no_kernel_warning(tmp_path):
    page = "from dlbook.data.download import note_data_use\nnote_data_use('页面读的数据')"
    project = _project(tmp_path, page, {"plot_data.py": DATA_EXAMPLE})
    result = _build(project)
    assert result.returncode == 0, result.stderr
    assert "without encryption" not in result.stdout + result.stderr
    html = (project / "_build" / PAGE).with_suffix(".html").read_text(encoding="utf-8")
    assert "本页使用的数据：页面读的数据。" in html and "示例读的数据" not in html
    example = project / "_build" / "auto_examples" / "chapter_demo" / "plot_data.html"
    assert "本页使用的数据：示例读的数据。" in example.read_text(encoding="utf-8")
    index = (project / "_build" / "index.html").read_text(encoding="utf-8")
    assert "PyTorch" in index and "本页使用的数据" not in index  # 没有读取数据的页面没有这一行
    assert "/usr/share" not in html + index
    # 页脚写的是执行时的 dlbook 版本：页面的记在执行缓存里，示例的记在结果目录里
    from jupyter_cache import get_cache

    from dlbook import __version__

    records = get_cache(project / "_build" / ".jupyter_cache").list_cache_records()
    assert [r.data.get("dlbook_version") for r in records] == [__version__]
    for page in (html, example.read_text(encoding="utf-8"), index):
        assert f"本页数字由 dlbook {__version__}、" in page
