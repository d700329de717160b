"""第 15 章的 D2L 对照表：表里写到的每个 dlbook 名字都必须真实存在。"""

import importlib
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "chapter_appendix-tools" / "d2l-names.md"


def _resolve(dotted: str):
    module_name, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def test_every_dlbook_name_in_the_table_exists():
    names = re.findall(r"`(dlbook(?:\.\w+)+)`", PAGE.read_text(encoding="utf-8"))
    assert len(names) >= 20
    missing = []
    for name in names:
        try:
            _resolve(name)
        except (ImportError, AttributeError):
            missing.append(name)
    assert not missing, missing
