"""命令行：``python -m dlbook run`` 与 ``python -m dlbook results``。"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from dlbook.experiments.registry import EXPERIMENTS, get_experiment, run_experiment
from dlbook.experiments.results import ResultStore, format_metrics, format_settings, results_table
from dlbook.train.distributed import distributed_command
from dlbook.utils.devices import parse_device

__all__ = ["add_experiment_commands"]


def _cmd_run(args: Any) -> int:
    if args.list or args.experiment is None:
        for exp in EXPERIMENTS.values():
            print(f"{exp.name:30s} {exp.title}")
        if args.experiment is None and not args.list:
            print("错误：请给出实验名，例如 python -m dlbook run lenet", file=sys.stderr)
            return 2
        return 0
    exp = get_experiment(args.experiment)
    device = parse_device(args.device)
    profile, settings = exp.resolve(args.profile, device, args.epochs)
    print(f"实验 {exp.name}：{exp.title}")
    print(f"档位 {profile}，设备 {device}，种子 {args.seed}；设置：{format_settings(settings)}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")  # 命令行里不开窗口，训练曲线写进文件
    result = run_experiment(
        exp,
        profile=profile,
        device=device,
        seed=args.seed,
        epochs=args.epochs,
        plot=bool(args.plot),
        verbose=False,
    )
    if args.plot:
        import matplotlib.pyplot as plt

        if plt.get_fignums():
            out = Path(args.plot)
            out.parent.mkdir(parents=True, exist_ok=True)
            plt.gcf().savefig(out, bbox_inches="tight")
            plt.close("all")
            print(f"训练曲线已写到 {out}")
        else:
            print("这个实验没有训练曲线可画")
    print(f"我们：{format_metrics(result.metrics)}（{result.seconds:.1f} 秒）")
    if result.summary != format_metrics(result.metrics):
        print(f"      {result.summary}")
    if exp.reference:
        print(f"书中：{format_metrics(exp.reference)}（{exp.reference_source}）")
    else:
        print("书中：没有公布这次运行的数字")
    if not args.no_save:
        path = ResultStore.user(args.results).append(result)
        print(f"结果已追加到 {path}")
    return 0


def _cmd_results(args: Any) -> int:
    results = ResultStore.user(args.results).load() if not args.book_only else []
    table = results_table(args.format, measured=not args.book_only, results=results)
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(table, encoding="utf-8")
        print(f"已把 {len(EXPERIMENTS)} 个实验的表格写到 {out}")
    else:
        print(table, end="")
    return 0


def add_experiment_commands(sub: Any) -> None:
    """在命令行解析器中加入 ``run`` 与 ``results`` 两个子命令。"""
    run = sub.add_parser(
        "run",
        help="运行登记表中的一个实验，与书中结果并排打印",
        description="运行登记表中的一个实验，打印我们的结果与书中的结果，并把结果追加到结果文件。",
    )
    run.add_argument("experiment", nargs="?", help="实验名（页面 slug），例如 lenet")
    run.add_argument("--list", action="store_true", help="列出全部已登记的实验")
    run.add_argument(
        "--profile",
        choices=("full", "quick", "auto"),
        default=None,
        help="档位；默认读环境变量 DLBOOK_PROFILE，再默认 auto",
    )
    run.add_argument("--device", default="auto", help="auto（默认）、cpu、cuda、cuda:1 或 mps")
    run.add_argument("--seed", type=_nonnegative_int, default=0, help="随机种子，默认 0")
    run.add_argument("--epochs", type=_positive_int, default=None, help="覆盖设置中的轮数")
    run.add_argument("--results", default=None, help="结果文件（默认见 DLBOOK_RESULTS）")
    run.add_argument("--no-save", action="store_true", help="不写结果文件")
    run.add_argument("--plot", metavar="FILE", default=None, help="把训练曲线写到这个图片文件")
    run.set_defaults(func=distributed_command(_cmd_run))  # 在 torchrun 下也能运行

    res = sub.add_parser(
        "results",
        help="把登记表与已有结果写成表格（Markdown 或 CSV）",
        description="列出每个实验的书中设置、快速档改动、书中结果，以及结果文件中最近的运行结果。",
    )
    res.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    res.add_argument("--output", "-o", default=None, help="写到这个文件（默认打印）")
    res.add_argument("--results", default=None, help="结果文件（默认见 DLBOOK_RESULTS）")
    res.add_argument("--book-only", action="store_true", help="只列书中的设置与结果")
    res.set_defaults(func=_cmd_results)


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"必须是正整数，收到 {text!r}")
    return value


def _nonnegative_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"必须是非负整数，收到 {text!r}")
    return value
