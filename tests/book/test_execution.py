"""并行执行页面：哪些文件是要执行的笔记本，内核加密通信，执行时记下页面读取的数据。"""

import nbformat
import pytest

from dlbook.book.execution import _execute, is_text_notebook, kernel_config


def test_only_pages_with_mystnb_front_matter_are_executed(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("---\nfile_format: mystnb\n---\n# 页面\n", encoding="utf-8")
    plain = tmp_path / "plain.md"
    plain.write_text("# 只有文字\n\nfile_format: mystnb 写在正文里不算\n", encoding="utf-8")
    assert is_text_notebook(page) and not is_text_notebook(plain)


def test_kernels_get_curve_keys_when_zmq_supports_them():
    import zmq

    config = kernel_config()
    expected = {"transport_encryption": "auto"} if zmq.has("curve") else {}
    assert dict(config.get("KernelManager", {})) == expected


@pytest.mark.slow
def test_execute_records_the_datasets_without_the_tcp_warning(tmp_path, capfd):
    code = (
        "from dlbook.data.download import note_data_use\n"
        "for name in ['甲', '乙', '甲']:\n"
        "    note_data_use(name)\n"
        "print(6 * 7)"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    executed, seconds, error, datasets = _execute(
        str(tmp_path / "page.md"), nbformat.writes(nb), timeout=120
    )
    assert error is None and seconds > 0
    assert datasets == ["甲", "乙"]  # 去重，保持第一次读取的顺序
    outputs = nbformat.reads(executed, as_version=4).cells[0].outputs
    assert outputs[0]["text"] == "42\n"
    captured = capfd.readouterr()
    assert "without encryption" not in captured.out + captured.err


@pytest.mark.slow
def test_a_failing_page_returns_its_error(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise ValueError('页面出错')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    executed, _, error, datasets = _execute(str(tmp_path / "p.md"), nbformat.writes(nb), 60)
    assert executed is None and "页面出错" in error and datasets == []


def test_missing_results_lists_the_page_experiments_without_a_result(tmp_path):
    from dlbook.book.execution import missing_results
    from dlbook.experiments import EXPERIMENTS, ResultStore

    page = "docs/chapter_recurrent-modern/lstm"
    expected = [e.name for e in EXPERIMENTS.values() if e.page == page.removeprefix("docs/")]
    assert expected and missing_results(page, tmp_path) == expected
    run = {"experiment": expected[0], "profile": "quick", "metrics": {}}
    ResultStore.build(tmp_path).append(run)
    assert missing_results(page, tmp_path) == expected[1:]
    # 构建时不运行的实验（多 GPU）不算缺
    assert missing_results("docs/chapter_computational-performance/multiple-gpus", tmp_path) == []


DEMO_EXPERIMENT = """\
from torch import nn

from dlbook.experiments import Experiment, ModelSpec, RunOutput, register


def run(settings, ctx):
    return RunOutput(metrics={"answer": 42.0})


register(Experiment(name="page", page="chapter_demo/page", title="演示", task="regression",
                    full={"num_epochs": 1, "model": ModelSpec(nn.Identity)}, run=run))
"""


@pytest.mark.slow
def test_a_cached_page_whose_result_is_missing_runs_again(tmp_path):
    """只删了结果目录、留着执行缓存时，登记了实验的页面重新执行，把结果写回来。"""
    from tests.docs.test_build import _build, _project

    code = (
        "import sys\nsys.path.insert(0, '../..')\nimport demo_experiment\n"
        "from dlbook.experiments import run_experiment\nrun_experiment('page')"
    )
    project = _project(tmp_path, code, {})
    (project / "demo_experiment.py").write_text(DEMO_EXPERIMENT, encoding="utf-8")
    with open(project / "conf.py", "a", encoding="utf-8") as conf:
        conf.write("\nimport sys\n\nsys.path.insert(0, str(ROOT))\nimport demo_experiment\n")
    result_file = project / "auto_examples" / "results" / "page.json"
    first = _build(project)
    assert first.returncode == 0, first.stderr
    assert result_file.exists()
    result_file.unlink()
    second = _build(project)
    assert second.returncode == 0, second.stderr
    assert result_file.exists()  # 只有重新执行页面才会把它写回来


def test_runs_alone_reads_the_page_front_matter():
    from myst_nb.core.read import read_myst_markdown_notebook

    from dlbook.book.execution import runs_alone

    alone = "---\nfile_format: mystnb\ndlbook:\n  run_alone: true\n---\n# 页\n"
    nb = read_myst_markdown_notebook(alone)
    assert runs_alone(nb.metadata)
    assert not runs_alone(read_myst_markdown_notebook("---\nfile_format: mystnb\n---\n").metadata)
    assert not runs_alone({"dlbook": None})


STAMP = (
    "import os, time\nfrom pathlib import Path\n"
    "start = time.time()\ntime.sleep({sleep})\n"
    "Path('{name}.txt').write_text(f\"{{start}} {{time.time()}} {{os.environ['OMP_NUM_THREADS']}}\")"
)


@pytest.mark.slow
def test_pages_marked_run_alone_run_after_the_pool_with_all_cores(tmp_path):
    """标了 run_alone 的页面等池里的页面执行完才开始，一页一页地执行，内核用全部可用的核心。"""
    from dlbook.book.execution import available_cores
    from tests.docs.test_build import PAGE_HEADER, _build, _project

    project = _project(tmp_path, STAMP.format(sleep=2, name="pooled"), {})
    chapter = project / "docs" / "chapter_demo"
    front = PAGE_HEADER.replace(
        "file_format: mystnb\n", "file_format: mystnb\ndlbook:\n  run_alone: true\n"
    )
    for name in ("alone_a", "alone_b"):
        code = STAMP.format(sleep=0.5, name=name)
        page = front + f"# {name}\n\n```{{code-cell}} ipython3\n{code}\n```\n"
        (chapter / f"{name}.md").write_text(page, encoding="utf-8")
    index = project / "index.md"
    toc = "docs/chapter_demo/page\ndocs/chapter_demo/alone_a\ndocs/chapter_demo/alone_b\n"
    index.write_text(index.read_text(encoding="utf-8").replace("docs/chapter_demo/page\n", toc))
    result = _build(project)
    assert result.returncode == 0, result.stderr
    stamps = {
        name: (chapter / f"{name}.txt").read_text().split()
        for name in ("pooled", "alone_a", "alone_b")
    }
    pooled_end = float(stamps["pooled"][1])
    a_start, a_end, a_threads = stamps["alone_a"]
    b_start, b_end, b_threads = stamps["alone_b"]
    assert float(a_start) >= pooled_end and float(b_start) >= pooled_end
    assert float(b_start) >= float(a_end) or float(a_start) >= float(b_end)  # 一页一页地执行
    assert a_threads == b_threads == str(available_cores())
    assert stamps["pooled"][2] == "1"  # 池里的页面并排执行时各用一个线程
