"""构建全书的三种时间：全新构建、没有改动的重建、只改一页文字后的重建。

在一个临时目录里放一份仓库（``git ls-files`` 列出的文件，加上未提交的改动），用与 ``nox -s docs``
相同的参数（``-W --keep-going``）构建三次，都在同一次运行里：

1. clean：没有 ``_build``、没有 ``auto_examples``、没有执行缓存（数据缓存照常使用）；
2. no-change：什么都不改，再构建一次；
3. one-page edit：在一页（默认 ``docs/chapter_preliminaries/ndarray.md``）末尾加一句话，再构建一次，
   并检查这一次没有执行任何页面或示例（看 ``_build/build-times.csv``）。

运行：``python benchmarks/docs_build.py``；最后一行是
``docs_build: <clean> s clean, <noop> s no-change, <edit> s one-page edit``。
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPHINX = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-T", "-q", "-b", "html"]


def copy_tree(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def build(project: Path) -> float:
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(project)}  # 内核与示例导入这份拷贝里的 dlbook
    result = subprocess.run(
        [*SPHINX, "-d", "_build/doctrees", ".", "_build/html"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"构建失败：\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return seconds


def executed(project: Path) -> list[str]:
    with open(project / "_build" / "build-times.csv", encoding="utf-8") as f:
        return [row["name"] for row in csv.DictReader(f) if row["executed"] == "executed"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="docs/chapter_preliminaries/ndarray.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        copy_tree(project)
        clean = build(project)
        print(f"clean: {clean:.1f} s（执行了 {len(executed(project))} 个页面与示例）")
        slowest = sorted(
            csv.DictReader(open(project / "_build" / "build-times.csv")),
            key=lambda r: -float(r["seconds"]),
        )[:10]
        for row in slowest:
            print(f"  {float(row['seconds']):6.1f} s  {row['kind']}  {row['name']}")
        noop = build(project)
        print(f"no-change: {noop:.1f} s（执行了 {executed(project)}）")
        page = project / args.page
        page.write_text(page.read_text(encoding="utf-8") + "\n多写一句话。\n", encoding="utf-8")
        edit = build(project)
        ran = executed(project)
        print(f"one-page edit: {edit:.1f} s（执行了 {ran}）")
        if ran:
            sys.exit("只改文字却重新执行了代码")
    print(f"docs_build: {clean:.0f} s clean, {noop:.0f} s no-change, {edit:.0f} s one-page edit")


if __name__ == "__main__":
    main()
