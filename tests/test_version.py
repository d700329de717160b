"""版本号只有一份（``pyproject.toml``）：包、命令行与变更记录都与它一致。"""

import importlib.metadata
import re
from pathlib import Path

import pytest

import dlbook
from dlbook.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    return re.search(r'^version\s*=\s*"([^"]+)"', project, flags=re.M).group(1)


def test_the_package_version_is_the_one_in_pyproject():
    assert dlbook.__version__ == _pyproject_version()


def test_no_other_copy_of_the_version_in_the_package():
    assignment = re.compile(r"""__version__\s*(?::\s*str\s*)?=\s*["']""")
    copies = [
        str(path.relative_to(ROOT))
        for path in [*(ROOT / "dlbook").rglob("*.py"), ROOT / "conf.py"]
        if assignment.search(path.read_text(encoding="utf-8"))
    ]
    assert not copies, f"这些文件里又写了一份版本号（应当从包元数据读）：{copies}"


def test_an_uninstalled_checkout_says_its_version_is_unknown(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert dlbook._installed_version() == "0+unknown"


def test_the_command_line_prints_the_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"dlbook {dlbook.__version__}"


def test_the_changelog_starts_with_the_current_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\S+?)(?:（|\s|$)", text, flags=re.M)
    assert versions, "CHANGELOG.md 里没有 “## 版本号” 形式的小节"
    assert versions[0] == dlbook.__version__, (
        f"CHANGELOG.md 最上面一节是 {versions[0]}，包的版本是 {dlbook.__version__}：改版本号时在最上面加一节"
    )
    assert len(set(versions)) == len(versions), "CHANGELOG.md 里有重复的版本"
