"""全书的 PDF（``nox -s pdf``，:mod:`dlbook.book.pdf`）：只用缓存的构建、长表格、TeX 软件包，以及排出的 PDF。"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from dlbook.book.pdf import LONG_TABLE_ROWS, PDF_NAME, long_table_widths
from tests.docs.test_build import GOOD_EXAMPLE, _project

ROOT = Path(__file__).resolve().parents[2]
LATEX_DIR = ROOT / "_build" / "latex"
#: 写着 PDF 要装哪些 Debian/Ubuntu 软件包的地方：都要与 noxfile.py 的 TEX_PACKAGES 一致
PACKAGE_LISTS = [
    "README.md",
    ".ci/run",
    ".github/workflows/docs.yml",
    "docs/chapter_appendix-tools/build.md",
]


def _noxfile_constant(name: str) -> str:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"noxfile.py 里没有 {name}")


def test_tex_packages_are_named_wherever_the_install_is_described():
    packages = _noxfile_constant("TEX_PACKAGES").split()
    assert "texlive-xetex" in packages and "latexmk" in packages
    for path in PACKAGE_LISTS:
        text = (ROOT / path).read_text(encoding="utf-8")
        missing = [
            p for p in packages if not re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)
        ]
        assert not missing, f"{path} 没有写出 {missing}"


def test_pdf_name_is_the_same_in_noxfile_and_package():
    assert _noxfile_constant("PDF_NAME") == PDF_NAME


class _LatexApp:
    class builder:  # noqa: N801 — 只模仿 app.builder.format
        format = "latex"


def _table(rows: int) -> nodes.table:
    body = "\n".join(f"   * - 第 {i} 行的一个很长很长的单元格\n     - {i}" for i in range(rows))
    source = f".. list-table::\n\n{body}\n"
    document = new_document("<test>", get_default_settings(Parser))
    Parser().parse(source, document)
    return document


def test_long_tables_get_column_widths_from_their_content():
    document = _table(LONG_TABLE_ROWS + 1)
    long_table_widths(_LatexApp(), document, "index")
    table = next(document.findall(nodes.table))
    assert "colwidths-given" in table["classes"]
    widths = [c["colwidth"] for c in table.findall(nodes.colspec)]
    assert widths[0] > widths[1] >= 4  # 长文字的列更宽，数字列不低于下限


def test_short_tables_are_left_to_sphinx():
    document = _table(LONG_TABLE_ROWS)
    long_table_widths(_LatexApp(), document, "index")
    assert "colwidths-given" not in next(document.findall(nodes.table))["classes"]


def _sphinx(project: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", *options],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


LATEX = ("-b", "latex", "-D", "dlbook_execute=0", "-d", "_build/.doctrees", ".", "_build/latex")


@pytest.mark.slow
def test_cache_only_build_fails_before_the_html_build_and_uses_its_outputs_after(tmp_path):
    project = _project(tmp_path, "print('缓存' + '里的输出')", {"plot_good.py": GOOD_EXAMPLE})
    # 还没有 HTML 构建：示例没运行过、页面不在执行缓存里，只用缓存的构建不执行它们，而是失败
    result = _sphinx(project, *LATEX)
    assert result.returncode != 0
    assert "先运行 nox -s docs" in result.stderr and "plot_good.py" in result.stderr
    html = _sphinx(project, "-b", "html", ".", "_build")
    assert html.returncode == 0, html.stderr
    times = (project / "_build" / "build-times.csv").read_bytes()
    result = _sphinx(project, *LATEX)
    assert result.returncode == 0, result.stderr
    tex = (project / "_build" / "latex" / f"{PDF_NAME}.tex").read_text(encoding="utf-8")
    assert "缓存里的输出" in tex  # 页面的输出来自 HTML 构建的执行缓存
    assert r"\setCJKmainfont{NotoSerifCJKsc-Regular.otf}" in tex and "xeCJK" in tex
    assert r"\appendix" in tex and "正常的示例" in tex  # 画廊示例在书末的附录里
    # 只用缓存的构建不覆盖 HTML 构建的时间报告
    assert (project / "_build" / "build-times.csv").read_bytes() == times


def _tool_output(*command: str) -> str:
    if shutil.which(command[0]) is None:
        pytest.fail(
            f"找不到 {command[0]}：Debian/Ubuntu 上安装 poppler-utils（见 noxfile.py 的 TEX_PACKAGES）"
        )
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_built_pdf_has_chinese_text_embedded_fonts_and_no_missing_glyphs():
    pdf = LATEX_DIR / f"{PDF_NAME}.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf.relative_to(ROOT)} 还没有排出：先运行 nox -s docs，再运行 nox -s pdf")
    text = _tool_output("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    assert cjk > len(text) / 10, f"文字层里的汉字只有 {cjk} 个（共 {len(text)} 个字符）"
    for title in ("预备知识", "线性神经网络", "深度学习工具"):
        assert title in text
    fonts = _tool_output("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts, "pdffonts 没有列出任何字体"
    not_embedded = [line for line in fonts if line.split()[-5] != "yes"]
    assert not not_embedded, f"这些字体没有嵌入：{not_embedded}"
    assert any("NotoSerifCJKsc" in line for line in fonts)
    log = (LATEX_DIR / f"{PDF_NAME}.log").read_text(encoding="utf-8", errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (.)", log)))
    assert not missing, f"排版时这些字符在字体里找不到（PDF 里是空白）：{''.join(missing)}"
