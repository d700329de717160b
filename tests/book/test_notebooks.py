"""每页的 .ipynb：输出取自执行缓存、第一格安装 dlbook 与数据、下载按钮与启动按钮、CI 里的步骤。"""

import json
import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import yaml

from dlbook.book import notebooks
from dlbook.book.notebooks import (
    BRANCH,
    SETUP_TAG,
    executed_notebook,
    fetch_names,
    fix_launch_links,
    offer_notebook,
    setup_cell,
    write_notebooks,
)
from dlbook.data import corpus, packaged, translation
from dlbook.data.cli import DATASETS as FETCHABLE
from tests.docs.test_hosting import _noxfile  # noxfile 只导入一次（再导入会重复登记任务）

ROOT = Path(__file__).resolve().parents[2]

PAGE = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
dlbook:
  run_alone: true
---
# 一页

```{code-cell} ipython3
print(6 * 7)
```

文字 {math}`x`。

```{code-cell} ipython3
:tags: [hide-input]
1 + 1
```
"""


def test_every_dataset_title_maps_back_to_its_fetch_name():
    titles = [spec.title for spec in packaged.PACKAGED.values()]
    titles += [spec.title for spec in corpus.CORPORA.values()] + list(translation.TITLES.values())
    assert fetch_names(titles) == list(
        dict.fromkeys([*packaged.PACKAGED, *corpus.CORPORA, *translation.DATASETS])
    )
    assert fetch_names(["D2L 的 Kaggle 小样本（自己下载）"]) == []  # 读取时自己下载的数据不获取


def test_fetch_names_are_the_cli_names_and_cover_the_nox_datasets():
    nox_names = list(_noxfile().DATASETS)
    assert set(nox_names) <= set(FETCHABLE)
    assert set(fetch_names(["合成的目标检测数据集（Emoji One 图标 + 真实照片）"])) <= set(FETCHABLE)


def test_setup_cell_installs_dlbook_then_fetches_from_the_nox_recipes():
    recipes = {
        "alice": {
            "requirement": "brotli==1.2.1",
            "option": "--from-sdist",
            "pattern": "*.tar.gz",
            "pip_args": ["--no-binary", ":all:"],
        }
    }
    cell = setup_cell("dlbook @ git+https://github.com/o/r@abc", ["alice", "ptb"], recipes)
    lines = cell.source.splitlines()
    assert cell.cell_type == "code" and cell.metadata["tags"] == [SETUP_TAG]
    assert "%pip install -q 'dlbook @ git+https://github.com/o/r@abc'" in lines
    alice, ptb = (line for line in lines if line.startswith("!"))
    assert alice.startswith("!{sys.executable} -m dlbook data fetch alice --check > /dev/null || (")
    assert (
        "-m pip download --no-binary :all: --no-deps -q brotli==1.2.1 -d /tmp/dlbook-alice" in alice
    )
    assert alice.endswith("data fetch alice --from-sdist /tmp/dlbook-alice/*.tar.gz)")
    assert ptb.endswith("|| {sys.executable} -m dlbook data fetch ptb")


def test_nox_recipes_are_json_the_generator_reads():
    recipes = {
        name: archive and {**archive._asdict(), "pip_args": list(archive.pip_args)}
        for name, archive in _noxfile().DATASETS.items()
    }
    cell = setup_cell("dlbook", list(recipes), json.loads(json.dumps(recipes)))
    assert sum(line.startswith("!") for line in cell.source.splitlines()) == len(recipes)


def _cache_with_page(tmp_path, datasets):
    """一个只有一页的仓库与它的执行缓存（输出是手写的，不启动内核）。"""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook

    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "conf.py").write_text(
        'include_patterns = ["docs/**"]\nexclude_patterns = ["_build"]\n', encoding="utf-8"
    )
    page = root / "docs" / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    (root / "docs" / "plain.md").write_text("# 不执行的页面\n", encoding="utf-8")
    nb = read_myst_markdown_notebook(PAGE)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    code[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    code[1].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=2)
    ]
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(
        CacheBundleIn(nb, str(page), data={"datasets": datasets}), check_validity=False
    )
    return root, cache


def test_executed_notebook_takes_outputs_from_the_cache(tmp_path):
    root, cache = _cache_with_page(tmp_path, ["Fashion-MNIST"])
    nb, titles = executed_notebook(root / "docs" / "page.md", cache)
    assert titles == ["Fashion-MNIST"]
    outputs = [cell.outputs for cell in nb.cells if cell.cell_type == "code"]
    assert outputs[0][0].text == "42\n" and outputs[1][0].data["text/plain"] == "2"
    assert "file_format" not in nb.metadata and "dlbook" not in nb.metadata
    assert nb.metadata.kernelspec.name == "python3"
    nbformat.validate(nb)


def test_a_page_whose_code_changed_since_the_build_is_an_error(tmp_path):
    root, cache = _cache_with_page(tmp_path, [])
    page = root / "docs" / "page.md"
    page.write_text(PAGE.replace("6 * 7", "6 * 8"), encoding="utf-8")
    with pytest.raises(KeyError, match="nox -s docs"):
        executed_notebook(page, cache)


def test_write_notebooks_puts_the_setup_cell_first_in_both_places(tmp_path):
    root, _ = _cache_with_page(tmp_path, ["Fashion-MNIST"])
    html = tmp_path / "html"
    html.mkdir()
    counts = write_notebooks(
        root, tmp_path / "cache", tmp_path / "out", html, "dlbook", {}, binder_requirement="dlbook"
    )
    assert counts == {"docs/page": 2}  # 只有文本笔记本，不执行的页面没有笔记本
    for path in (tmp_path / "out" / "docs" / "page.ipynb", html / "_sources/docs/page.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].metadata["tags"] == [SETUP_TAG]
        assert "data fetch fashion-mnist" in nb.cells[0].source
        assert not nb.cells[0].get("outputs")
        hidden = [cell.metadata.get("jupyter", {}).get("source_hidden") for cell in nb.cells]
        assert hidden == [None, None, None, None, True]  # 安装、标题、代码、文字、折叠的代码
    requirements = (tmp_path / "out" / "requirements.txt").read_text(encoding="utf-8")
    assert requirements.splitlines() == [f"--extra-index-url {notebooks.CPU_TORCH_INDEX}", "dlbook"]


def _app(tmp_path, metadata):
    out = tmp_path / "html"
    out.mkdir(exist_ok=True)
    return SimpleNamespace(outdir=str(out), env=SimpleNamespace(metadata=metadata))


def test_download_button_offers_the_notebook_of_text_notebook_pages(tmp_path):
    executed = tmp_path / "jupyter_execute" / "docs" / "page.ipynb"
    executed.parent.mkdir(parents=True)
    executed.write_text("{}", encoding="utf-8")
    app = _app(tmp_path, {"docs/page": {"kernelspec": {}}, "docs/plain": {}})
    page, plain = {}, {}
    offer_notebook(app, "docs/page", "page.html", page, None)
    offer_notebook(app, "docs/plain", "page.html", plain, None)
    assert page == {"ipynb_source": "docs/page.ipynb"} and plain == {}
    assert (tmp_path / "html" / "_sources" / "docs" / "page.ipynb").is_file()


def test_launch_buttons_point_at_the_ipynb_on_the_branch():
    url = f"https://colab.research.google.com/github/o/r/blob/{BRANCH}/docs/x/page.md"
    context = {
        "header_buttons": [
            {"label": "download-buttons", "buttons": [{"url": "_sources/docs/x/page.md"}]},
            {"label": "launch-buttons", "buttons": [{"url": url}, {"javascript": "x()"}]},
        ]
    }
    fix_launch_links(None, "docs/x/page", "page.html", context, None)
    download, launch = context["header_buttons"]
    assert launch["buttons"][0]["url"] == url.replace(".md", ".ipynb")
    assert download["buttons"][0]["url"] == "_sources/docs/x/page.md"


def test_conf_shows_launch_buttons_only_when_the_repository_is_known(monkeypatch):
    def theme_options(env):
        for name in ("DLBOOK_REPOSITORY", "GITHUB_REPOSITORY"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        namespace = {"__file__": str(ROOT / "conf.py")}
        exec(compile((ROOT / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), namespace)
        return namespace["html_theme_options"]

    assert "launch_buttons" not in theme_options({})
    options = theme_options({"GITHUB_REPOSITORY": "o/r"})
    assert options["repository_url"] == "https://github.com/o/r"
    assert options["repository_branch"] == BRANCH and options["path_to_docs"] == ""
    assert {"colab_url", "binderhub_url"} <= set(options["launch_buttons"])


def test_ci_builds_the_notebooks_after_the_book_and_before_the_tests():
    expected = ["docs", "notebooks", "tests"]  # 别的步骤（例如 PDF）可以插在中间

    def order(commands):
        return [s for c in commands for s in re.findall(r"nox -s (\w+)", c) if s in expected]

    assert order((ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()) == expected
    workflow = yaml.safe_load((ROOT / ".github/workflows/docs.yml").read_text(encoding="utf-8"))
    assert order(step.get("run", "") for step in workflow["jobs"]["build"]["steps"]) == expected
    publish = workflow["jobs"]["notebooks"]
    assert publish["permissions"] == {"contents": "write"}
    pushed = [step["with"] for step in publish["steps"] if "publish_branch" in step.get("with", {})]
    assert pushed == [{**pushed[0], "publish_branch": BRANCH}]
    assert _noxfile().NOTEBOOKS_DIR == "_build/notebooks"


@pytest.mark.slow
def test_book_offers_the_executed_notebook_and_launches_it_from_the_branch(tmp_path, monkeypatch):
    """用本书的 conf.py 构建一个一页的小项目，再生成笔记本：按钮与文件都在该在的地方。"""
    import subprocess
    import sys

    from tests.docs.test_build import GOOD_EXAMPLE, PAGE, _build, _project

    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    project = _project(tmp_path, "print(12345 * 2)", {"plot_good.py": GOOD_EXAMPLE})
    result = _build(project)
    assert result.returncode == 0, result.stderr
    docname = PAGE.removesuffix(".md")
    html = (project / "_build" / f"{docname}.html").read_text(encoding="utf-8")
    assert f"_sources/{docname}.ipynb" in html  # 下载按钮里的 .ipynb
    colab = f"https://colab.research.google.com/github/o/r/blob/{BRANCH}/{docname}.ipynb"
    binder = f"https://mybinder.org/v2/gh/o/r/{BRANCH}?urlpath=lab/tree/{docname}.ipynb"
    assert colab in html and binder in html.replace("&amp;", "&")
    generate = [sys.executable, "-m", "dlbook.book.notebooks", "--root", str(project)]
    generate += ["--html", str(project / "_build"), "--commit", "abc"]
    done = subprocess.run(generate, capture_output=True, text=True, cwd=project)
    assert done.returncode == 0, done.stderr
    assert "写出 1 个笔记本" in done.stdout
    for path in (project / "_build/notebooks", project / "_build/_sources"):
        nb = nbformat.read(path / f"{docname}.ipynb", as_version=4)
        assert "dlbook @ git+https://github.com/o/r@abc" in nb.cells[0].source
        assert "24690" in nb.cells[2].outputs[0].text  # 构建时的输出


def test_plain_markdown_replaces_what_only_sphinx_understands(tmp_path):
    from dlbook.book.notebooks import BookIndex, plain_markdown
    from dlbook.experiments.results import ResultStore

    root = tmp_path
    (root / "docs/ch").mkdir(parents=True)
    (root / "docs/ch/a.md").write_text("# 第一页\n\n(sec-x)=\n## 小节 X\n", encoding="utf-8")
    (root / "docs/ch/b.md").write_text("# 第二页\n", encoding="utf-8")
    results = root / "results"
    ResultStore.build(results).append({"experiment": "exp", "metrics": {"test_acc": 0.8512}})
    index = BookIndex(root, [Path("docs/ch/a.md"), Path("docs/ch/b.md")], results)
    source = (
        "(sec-y)=\n见 {doc}`b`、{doc}`那一页 <a>`、{ref}`sec-x`、{ref}`示例 <sphx_glr_x>`，"
        "{func}`~dlbook.ops.basic.softmax` 与 {class}`dlbook.Accumulator`；精度 {result}`exp:test_acc`。\n\n"
        "```{pysource} dlbook.ops.basic.softmax\n```\n"
    )
    text = plain_markdown(source, "docs/ch/a", index)
    first, code = text.split("\n\n")
    assert first == (
        "见 [第二页](b.ipynb)、[那一页](a.ipynb)、小节 X、示例，`softmax` 与 `dlbook.Accumulator`；"
        "精度 0.851。"
    )
    assert code.startswith("```python\ndef softmax(") and code.rstrip().endswith("```")
    with pytest.raises(KeyError, match="nox -s docs"):
        plain_markdown("{result}`exp:nothing`", "docs/ch/a", index)


def test_write_notebooks_lists_every_page_changed_since_the_build(tmp_path):
    root, _ = _cache_with_page(tmp_path, [])
    page = root / "docs" / "page.md"
    page.write_text(PAGE.replace("6 * 7", "6 * 8"), encoding="utf-8")
    args = (root, tmp_path / "cache", tmp_path / "out", None, "dlbook", {})
    with pytest.raises(KeyError, match=r"docs/page\.md"):
        write_notebooks(*args)
    assert write_notebooks(*args, skip_missing=True) == {}
