"""命令行：``python -m dlbook <命令>``。

每个子命令由所在模块注册（见 ``_COMMANDS``），打印它做了什么；失败时以非零状态退出并给出清楚的信息。
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dlbook import __version__
from dlbook.data.cli import add_data_commands
from dlbook.experiments import add_experiment_commands
from dlbook.experiments.provenance import build_info


def _cmd_info(args: argparse.Namespace) -> int:
    for key, value in build_info().items():
        print(f"{key}: {value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """构造命令行解析器。"""
    parser = argparse.ArgumentParser(
        prog="python -m dlbook", description="《动手学深度学习》笔记版工具"
    )
    parser.add_argument("--version", action="version", version=f"dlbook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="显示版本、设备与运行档位")
    info.set_defaults(func=_cmd_info)
    add_data_commands(sub)
    add_experiment_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """解析参数并执行子命令，返回退出状态。"""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return 1
