"""《动手学深度学习》笔记版的 Sphinx 配置。源目录是仓库根目录，页面只来自白名单中的路径。"""

from __future__ import annotations

import os
import warnings
from importlib.metadata import version as _installed_version
from pathlib import Path

from dlbook.book import notebooks, pdf
from dlbook.book.toc import chapter_order

ROOT = Path(__file__).parent
GALLERY_DIR = "auto_examples"

project = "动手学深度学习（笔记版）"
author = "dlbook 作者"
copyright = "2026, dlbook 作者"
version = release = _installed_version("dlbook")  # 不导入 dlbook（与 torch）
language = "zh_CN"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # 把 MathJax 3 复制进站点：离线阅读本地构建的书时公式也能显示
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
    "dlbook.book",  # 执行页面、{pysource}/{result}、页脚、时间报告与预算（见 dlbook/book/）
]

# 以仓库根目录为源目录时，只有这些路径是书的页面。
root_doc = "index"
include_patterns = ["index.md", "docs/**", "auto_examples/**"]
exclude_patterns = [
    "_build",
    ".nox",
    ".git",
    "dlbook",
    "tests",
    "benchmarks",
    "examples",
    "auto_examples/**/*.ipynb",
    "**/*.py",
    "**/*.zip",
    "**/*.md5",
]
suppress_warnings = ["config.cache"]

# ---- MyST 与 MyST-NB：构建时执行文本笔记本，并缓存执行结果 ----
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("DLBOOK_NB_EXECUTION", "cache")
nb_execution_cache_path = os.environ.get(
    "DLBOOK_JUPYTER_CACHE", str(ROOT / "_build" / ".jupyter_cache")
)
nb_execution_timeout = 900
nb_execution_raise_on_error = True  # 代码单元出错则构建失败
nb_execution_show_tb = True
nb_output_stderr = "warn"  # 标准错误上的输出（例如缺字警告）在 -W 下会让构建失败
nb_merge_streams = True
# 折叠起来的代码单元（练习的参考解答带 hide-input 标签）的按钮文字；默认是英文的 "Show code cell source"
nb_code_prompt_show = "显示代码"
nb_code_prompt_hide = "隐藏代码"
if nb_execution_mode == "off":
    # 不执行时笔记本里没有内核写入的语言信息，代码高亮退回默认，这不是问题。
    suppress_warnings.append("myst-nb.lexer")

# ---- sphinx-gallery：examples/ 下每章一个子画廊 ----


# 章节顺序只写在 index.md 的目录里：画廊的子画廊按它排列，而不是按文件夹名的字母顺序。
CHAPTERS = chapter_order(ROOT / "index.md")


def _chapter_order(folder):
    """子画廊的排序键：已知章节按书中顺序在前，其余按名字排在后面。"""
    name = Path(folder).name
    return (CHAPTERS.index(name) if name in CHAPTERS else len(CHAPTERS), name)


# loky 的工作进程内存增长超过阈值时会在两个示例之间被换成新进程（它的内存泄漏保护），
# 父进程为此发出一条 UserWarning；示例与结果都不受影响，不必出现在构建输出里。
warnings.filterwarnings(
    "ignore", message="A worker stopped while some jobs were given to the executor"
)

#: 同时执行的画廊示例数与页面数。几个 torch 进程并排时各用一个线程，否则在两核的机器上互相抢核。
PARALLEL = int(os.environ.get("DLBOOK_BUILD_JOBS", "2"))


def _before_example(gallery_conf, fname):
    """每个画廊示例运行前调用：缺字警告变成错误；并行运行时 torch 只用一个线程。"""
    warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from.*")
    if PARALLEL > 1:
        import torch

        torch.set_num_threads(1)


sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": GALLERY_DIR,
    "filename_pattern": r"/plot_",
    "subsection_order": _chapter_order,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "reset_modules": ("matplotlib", _before_example),
    "parallel": PARALLEL,
    "min_reported_time": 0,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,  # 示例出错则构建失败
    "matplotlib_animations": False,
    "show_memory": False,
    "backreferences_dir": None,
}

# ---- API 参考 ----
autosummary_generate = True
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False

# ---- HTML ----
html_theme = "sphinx_book_theme"
html_title = "动手学深度学习（笔记版）"
html_search_language = "zh"
html_search_options = {"dict": ""}  # 使用 jieba 自带词典，避免每次构建重新加载
html_static_path: list[str] = []
html_last_updated_fmt = "%Y-%m-%d"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": True,
    "home_page_in_toc": True,
    # 页脚（构建环境与本页读取的数据）由 dlbook.book.footer 逐页写入 extra_footer
}

# ---- 笔记本：下载按钮里的 .ipynb 与 Colab、Binder 启动按钮 ----
# 下载按钮（右上角）里的 “.ipynb” 是 _build/html/_sources/<页面>.ipynb：`nox -s notebooks`（在 `nox -s docs`
# 之后）把它换成带构建时输出、第一格安装 dlbook 与本页数据的笔记本（dlbook.book.notebooks）。
# 启动按钮（火箭图标）打开同样的笔记本：Pages 工作流（.github/workflows/docs.yml）把 _build/notebooks/
# 推送到 notebooks 分支（notebooks.BRANCH），Colab 与 Binder 从那里读取（Colab 打不开 MyST 文本笔记本）。
# 仓库（notebooks.repository()）在 GitHub Actions 里取 GITHUB_REPOSITORY，本地构建可设置
# DLBOOK_REPOSITORY=owner/name；都没有时不显示启动按钮（不知道笔记本在哪里），下载按钮照样提供 .ipynb。
REPOSITORY = notebooks.repository()
if REPOSITORY:
    html_theme_options.update(
        repository_url=f"https://github.com/{REPOSITORY}",
        repository_branch=notebooks.BRANCH,
        path_to_docs="",  # 分支上的路径与页面名相同：docs/chapter_x/page.ipynb
        launch_buttons={
            "colab_url": "https://colab.research.google.com",
            "binderhub_url": "https://mybinder.org",
            "notebook_interface": "jupyterlab",
        },
    )
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# 移动过的页面：旧地址留下跳转页（dlbook.book.redirects），书签与外部链接仍然有效
dlbook_redirects = {
    "docs/appendix/index": "docs/chapter_appendix-tools/index",  # 附录并入第 15 章
    "docs/appendix/build": "docs/chapter_appendix-tools/build",
    "docs/appendix/d2l-names": "docs/chapter_appendix-tools/d2l-names",
    "docs/appendix/results": "docs/chapter_appendix-tools/results",
}

# ---- PDF（nox -s pdf）：LaTeX 构建器 + xelatex，字体与排版见 dlbook.book.pdf ----
latex_engine = "xelatex"
# 最后一项 True：首页只取目录，它的介绍是写给网页读者的（各章因此是第 1、2……章，与网页一致）
latex_documents = [(root_doc, f"{pdf.PDF_NAME}.tex", project, author, "manual", True)]
latex_elements = pdf.latex_elements()
latex_use_xindy = False  # 不生成索引（latex_elements 里关掉了），也就不需要 xindy
latex_domain_indices = False
latex_show_urls = "footnote"

# ---- 构建时间：每个页面与示例的预算（秒）；默认预算见 dlbook.book.report，放宽时写明理由 ----
# 键是页面名（docs/...）或画廊示例的页面名（auto_examples/...）；不存在的名字让构建失败。
dlbook_parallel_notebooks = PARALLEL
_SCALED_CNN = (
    "缩小的网络在全部 6 万张图像上训练几轮：一个线程约 30–70 秒，两个示例并排执行时可达 120 秒"
)
dlbook_time_budgets: dict[str, tuple[float, str]] = {
    "auto_examples/chapter_convolutional-modern/plot_alexnet": (90, _SCALED_CNN),
    "auto_examples/chapter_convolutional-modern/plot_googlenet": (150, _SCALED_CNN),
    "auto_examples/chapter_convolutional-modern/plot_nin": (90, _SCALED_CNN),
    "auto_examples/chapter_convolutional-modern/plot_vgg": (90, _SCALED_CNN),
    "docs/chapter_attention-mechanisms/bahdanau-attention": (
        120,
        "注意力模型在英译中句子上训练与第 8 章的 seq2seq 同样多的更新，另在反转任务上训练 6 个小模型（3 个种子）",
    ),
    "docs/chapter_attention-mechanisms/transformer": (
        120,
        "Transformer 在英译中句子上训练（轮数同第 8 章的 seq2seq）：一个线程约 40 秒，"
        "机器忙时可达 70 秒",
    ),
    "docs/chapter_computational-performance/hybridize": (
        120,
        "torch.compile 第一次编译要调用 C++ 编译器，缓存为空时约 15–30 秒（本页单独执行，见前言的 run_alone）",
    ),
    "docs/chapter_computational-performance/multiple-gpus-concise": (
        180,
        "缩小的 ResNet-18 训练两次（单进程、torchrun 两个进程），另用 torchrun 训练一次多层感知机；"
        "每次 torchrun 都要启动两个进程、各自导入 PyTorch",
    ),
    "docs/chapter_computer-vision/fcn": (
        90,
        "预训练的与从零训练的两个全卷积网络各训练一次：一个线程约 30–35 秒，机器忙时可达 60 秒",
    ),
    "docs/chapter_computer-vision/fine-tuning": (
        90,
        "MobileNetV2 的三种做法（全部微调、冻结主体、从零训练）各在两个种子上训练：一个线程约 35–40 秒，"
        "机器忙时可达 65 秒",
    ),
    "docs/chapter_computer-vision/kaggle-cifar10": (
        90,
        "把图像写成 PNG 文件与标签表格、读回、训练并写出提交文件的完整流程：一个线程约 30 秒，"
        "机器忙时可达 55 秒",
    ),
    "docs/chapter_computer-vision/ssd": (
        120,
        "TinySSD 在 1000 张 128 像素的图像上训练 8 轮，再在 200 张验证图像上检测、计算 mAP@0.5："
        "一个线程约 60–70 秒，机器忙时可达 100 秒",
    ),
    "docs/chapter_natural-language-processing-applications/natural-language-inference-bert": (
        90,
        "MiniLM（6 层、2,200 万个参数）微调与同一个网络从零训练，各两个种子：一个线程约 45 秒，"
        "机器忙时可达 60 秒",
    ),
    "docs/chapter_multilayer-perceptrons/underfit-overfit": (
        90,
        "三个多项式模型各训练 1500 轮，另用 4 个种子检查过拟合是否稳定",
    ),
    "docs/chapter_recurrent-modern/bi-rnn": (
        90,
        "单向与双向 LSTM 各训练 40 轮，证明双向模型不能用于预测",
    ),
}
