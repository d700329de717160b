"""页面上隐藏的参考解答都能通过它们的检查，每个检查器都有一个页面练习。

参考解答只在页面上写一次：这里从页面源文件中取出带 ``hide-input`` 标签、调用了 ``check_…`` 的
代码单元，在一个新的命名空间里执行，最后一个表达式（检查的结果）必须是“通过”。
"""

import ast
import inspect
import re
from pathlib import Path

import pytest
import torch

import dlbook.exercises

DOCS = Path(__file__).resolve().parents[2] / "docs"
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n:tags: \[hide-input\]\n(.*?)^```", flags=re.S | re.M)
CHECK = re.compile(r"^(check_\w+)\(", flags=re.M)


def _solutions() -> list[tuple[str, str, str]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for code in CELL.findall(page.read_text(encoding="utf-8")):
            for checker in CHECK.findall(code):
                found.append((str(page.relative_to(DOCS)), checker, code))
    return found


SOLUTIONS = _solutions()


@pytest.mark.parametrize(
    ("page", "checker", "code"), SOLUTIONS, ids=[f"{p}:{c}" for p, c, _ in SOLUTIONS]
)
def test_page_solution_passes(page, checker, code):
    namespace = {checker: getattr(dlbook.exercises, checker)}
    tree = ast.parse(code)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), f"{page} 的参考解答应以检查结束"
    exec(compile(tree, page, "exec"), namespace)
    result = eval(compile(ast.Expression(last.value), page, "eval"), namespace)
    assert result.passed, f"{page}：{result}"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="需要 CUDA 设备")
@pytest.mark.parametrize(
    ("page", "checker", "code"), SOLUTIONS, ids=[f"{p}:{c}" for p, c, _ in SOLUTIONS]
)
def test_page_solution_passes_on_the_gpu(page, checker, code):
    check = getattr(dlbook.exercises, checker)
    if "device" not in inspect.signature(check).parameters:
        pytest.skip(f"{checker} 的输入不涉及设备")
    namespace = {checker: check}
    tree = ast.parse(code)
    last = tree.body.pop()
    exec(compile(tree, page, "exec"), namespace)
    solution = namespace[last.value.args[0].id]
    result = check(solution, device="cuda")
    assert result.passed, f"{page}：{result}"


def test_every_checker_has_an_exercise_on_a_page():
    checkers = {name for name in dlbook.exercises.__all__ if name.startswith("check_")}
    on_pages = {checker for _, checker, _ in SOLUTIONS}
    assert not on_pages - checkers
    missing = checkers - on_pages
    assert not missing, f"这些检查器还没有页面上的练习：{sorted(missing)}"
