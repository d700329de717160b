"""页面正文里的训练结果必须来自运行：不允许手写的精度、误差、困惑度或 BLEU 数字。

结果要么由页面自己的代码打印（或用 ``{glue:text}`` 引用），要么用 ``{result}`实验:指标``` 引用
本次构建中产生它的那次运行；书中公布的数字由登记表打印。这个测试在正文（代码单元之外）里
找紧跟在这些指标名称之后的小数。
"""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
METRIC = re.compile(
    r"(精度|准确率|正确率|\bacc\b|accuracy|rmse|困惑度|perplexity|BLEU)"
    r"[^。；;\n`{}]{0,20}?(?<![\w.$^_])(\d+\.\d+)"
)
#: 紧挨在数字前面的这些词说明它是超参数，不是结果。
SETTING = re.compile(r"(学习率|lr|批量|轮|epoch|步|种子|标准差|方差|参数以|p\s*=)\s*[=＝]?\s*$")
CODE = re.compile(r"^(```|~~~).*?^\1", flags=re.S | re.M)


def hand_typed_results(text: str) -> list[str]:
    prose = CODE.sub("", text)
    found = []
    for m in METRIC.finditer(prose):
        before = prose[m.start() : m.start(2)]
        if not SETTING.search(before):
            found.append(m.group(0))
    return found


def test_detector_finds_hand_typed_results():
    assert hand_typed_results("训练 10 轮，测试精度约 0.83。") == ["精度约 0.83"]
    assert hand_typed_results("测试精度是 {result}`lenet:test_acc`。") == []
    assert hand_typed_results("```python\nprint('精度 0.9')\n```\n") == []
    assert hand_typed_results("噪声的方差 $0.1^2 = 0.01$") == []
    assert hand_typed_results("精度不同并不奇怪：学习率 1.0 太大") == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_no_hand_typed_results_in_prose(page):
    found = hand_typed_results(page.read_text(encoding="utf-8"))
    assert not found, f"{page.relative_to(DOCS)} 的正文里有手写的结果：{found}"


def _api_entries() -> list[str]:
    entries = []
    for page in sorted((DOCS / "api").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"\.\. api-entries::\n((?:   .*\n|\n)+)", text):
            entries += [
                line.strip() for line in block.splitlines() if re.match(r"   [\w.]+$", line)
            ]
    return entries


def test_api_reference_lists_every_public_name():
    import dlbook

    entries = set(_api_entries())
    short = {entry.rsplit(".", 1)[-1] for entry in entries}
    missing = [name for name in dlbook.__all__ if name not in short]
    assert not missing, f"API 参考页没有列出这些 dlbook.__all__ 中的名字：{missing}"


def test_api_reference_entries_exist():
    from dlbook.book.directives import api_object

    entries = _api_entries()
    assert len(entries) == len(set(entries)), "API 参考页有重复的条目"
    for entry in entries:
        assert api_object(entry) is not None, entry


#: reST 的行内标记（````字面量````、``:role:`…```）的结尾后面紧跟全角的左括号时，docutils 不认它是结尾：
#: 字面量一直延伸到下一个反引号，公式把后面的中文也吞进去（网页上显示错乱，PDF 里缺字）。
UNCLOSED_MARKUP = re.compile(r"(``[^`\n]+``|:[a-z:]+:`[^`\n]+`)（")


def test_inline_markup_is_not_followed_by_a_full_width_parenthesis():
    root = DOCS.parent
    found = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("dlbook", "examples")
        for path in sorted((root / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNCLOSED_MARKUP.search(line)
    ]
    assert not found, f"行内标记后面紧跟“（”，在它们之间加一个空格：{found}"
