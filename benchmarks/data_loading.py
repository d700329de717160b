"""读取一轮 Fashion-MNIST 训练集：dlbook 的张量切片 vs. torchvision 的逐样本变换（D2L 的做法）。

两种做法在同一次运行里比较，批量 256，图像 28×28 与缩放到 224×224 两种情形：

* ours：``dlbook.load_fashion_mnist``：整个数据集是一个 ``uint8`` 张量，每批一次索引，
  再整批转成浮点数、整批缩放；
* torchvision：``FashionMNIST`` + ``ToTensor``（224 时再加 ``Resize``）+ ``DataLoader``，
  ``num_workers=4``（D2L 的设置）与 ``num_workers=0`` 两种。

每种做法都计入“建数据集 + 建迭代器 + 遍历一轮”的时间；两种做法轮流测 ``--repeat`` 次，
各取最短。

缩放时（224×224）dlbook 在内存放得下时于建迭代器时一次缩放好整个数据集（在 ``uint8`` 上插值）并缓存，
之后每轮只剩索引与类型转换；所以 dlbook 一侧按书中的 10 轮训练摊算：（第一轮 + 9 × 之后的一轮）/ 10，
第一轮与之后各轮也分别打印。同一次运行里还测改进之前的做法（每批先转浮点再在浮点上插值），
摘要中的 ``data_loading_224px_vs_before_cpu`` 是两者之比，按本进程的 CPU 时间计（两者都在一个进程里，
CPU 时间不受机器上其他进程的影响；与 torchvision 的比较含工作进程，只能用墙钟时间）；
``--resize-batch-sizes`` 另测书中 224 像素实验的批量 128。dlbook 第一次读数据时的一次性解码（解压、检查、算摘要、写缓存）单独报告。torchvision 读取的是从 Debian 包
``dataset-fashion-mnist`` 解压到临时目录的原始文件（它要求的目录布局），不下载任何东西。

运行：``python benchmarks/data_loading.py``；最后一行是 28×28、``num_workers=4`` 的比较。
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import torch

SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def torchvision_layout(source: Path, root: Path) -> None:
    """把四个 .gz 文件解压到 torchvision 期望的 ``root/FashionMNIST/raw/``。"""
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FILES:
        with gzip.open(source / f"{name}.gz", "rb") as src, open(raw / name, "wb") as dst:
            shutil.copyfileobj(src, dst)


def epoch_ours(batch_size: int, resize: int | None, device: torch.device) -> tuple[float, int]:
    import dlbook

    start = time.perf_counter()
    train_iter, _ = dlbook.load_fashion_mnist(batch_size, resize, device=device, seed=0)
    n = 0
    for X, _ in train_iter:  # 批次已经在 device 上、是 [0, 1] 的 float32
        n += len(X)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, n


def epochs_ours(
    batch_size: int, resize: int, device: torch.device, epochs: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """建迭代器后连续遍历 ``epochs`` 轮：返回第一轮与之后最快一轮的（墙钟秒数，本进程 CPU 秒数）。

    第一轮包括建迭代器，也就包括缩放后的数据集能放进内存时的一次性缩放；之后各轮只剩索引与类型转换。
    """
    import dlbook

    times = []
    start, cpu = time.perf_counter(), time.process_time()
    train_iter, _ = dlbook.load_fashion_mnist(batch_size, resize, device=device, seed=0)
    for _ in range(epochs):
        for _X, _y in train_iter:
            pass
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
        start, cpu = time.perf_counter(), time.process_time()
    return times[0], min(times[1:]) if len(times) > 1 else times[0]


def epoch_before(batch_size: int, resize: int, device: torch.device) -> tuple[float, float]:
    """改进之前（dlbook 0.1.0）的 224 像素做法，留作对照：每批先把 uint8 转成浮点，再在浮点上插值。

    返回（墙钟秒数，本进程 CPU 秒数）。
    """
    import torch.nn.functional as F

    import dlbook
    from dlbook.data import TensorBatches

    def transform(batch):
        images, labels = batch
        X = images.unsqueeze(1).to(torch.float32).div_(255)
        X = F.interpolate(X, size=(resize, resize), mode="bilinear", align_corners=False)
        return X, labels

    start, cpu = time.perf_counter(), time.process_time()
    data = dlbook.read_fashion_mnist()
    batches = TensorBatches(
        (data.train_images, data.train_labels),
        batch_size,
        seed=0,
        device=device,
        transform=transform,
    )
    for _X, _y in batches:
        pass
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, time.process_time() - cpu


def amortize(first: float, later: float, epochs: int) -> float:
    """训练 ``epochs`` 轮时平均每轮的秒数：第一轮（含一次性缩放）加上其余各轮。"""
    return (first + (epochs - 1) * later) / epochs


def epoch_torchvision(
    root: Path, batch_size: int, resize: int | None, workers: int, device: torch.device
) -> tuple[float, int]:
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    start = time.perf_counter()
    trans = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    dataset = datasets.FashionMNIST(
        root=str(root), train=True, transform=transforms.Compose(trans), download=False
    )
    loader = DataLoader(dataset, batch_size, shuffle=True, num_workers=workers)
    n = 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        n += len(y)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--sizes", type=int, nargs="+", default=[28, 224])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 4])
    parser.add_argument("--repeat", type=int, default=2, help="每种做法测几轮，取最短")
    parser.add_argument(
        "--book-epochs",
        type=int,
        default=10,
        help="缩放时按这么多轮的训练摊算每轮的时间（书中 10 轮）：（第一轮 + 其余各轮）/ 轮数",
    )
    parser.add_argument(
        "--resize-batch-sizes",
        type=int,
        nargs="+",
        default=[128],
        help="缩放时 dlbook 另外再测的批量（书中 224 像素的实验用 128）",
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--source", type=Path, default=SYSTEM_DIR, help="四个 .gz 文件所在目录")
    args = parser.parse_args(argv)
    # D2L 在任何机器上都用 4 个工作进程；核数更少时 DataLoader 会警告，这里照原样测。
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    device = torch.device(args.device)
    if not all((args.source / f"{n}.gz").is_file() for n in FILES):
        print(f"{args.source} 里没有 Fashion-MNIST（apt-get install dataset-fashion-mnist）")
        return 1
    print(
        f"torch {torch.__version__}，设备 {device}，{torch.get_num_threads()} 个线程，"
        f"{os.cpu_count()} 个 CPU 核；批量 {args.batch_size}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # dlbook 用一个全新的缓存目录，这样第一次读取就是完整的一次性解码。
        os.environ["DLBOOK_DATA_DIR"] = str(tmp / "dlbook-cache")
        import dlbook

        start = time.perf_counter()
        data = dlbook.read_fashion_mnist(args.source)
        decode = time.perf_counter() - start
        start = time.perf_counter()
        dlbook.read_fashion_mnist(args.source)
        reload = time.perf_counter() - start
        print(
            f"一次性解码（解压、检查、SHA-256、写缓存）：{decode:.2f} s；之后每次读取：{reload:.3f} s"
            f"（{data.source}）"
        )
        # 让 load_fashion_mnist 读到同一份数据：把它放进这个缓存目录。
        dlbook.data.fetch_fashion_mnist(copy_from=args.source)
        dlbook.read_fashion_mnist()
        torchvision_layout(args.source, tmp / "tv")

        results = {}
        extra = []  # 缩放时的附加比较：(名字, 对方的名字, 我们的秒数, 对方的秒数)
        for size in args.sizes:
            resize = None if size == 28 else size
            if resize is None:
                epoch_ours(args.batch_size, resize, device)  # 预热（页缓存、线程池、内存分配器）
            best: dict[str, float] = {}
            # 两种做法轮流测 repeat 次、各取最短：机器忙闲的起伏对双方一样。
            for _ in range(args.repeat):
                if resize is None:
                    t, n = epoch_ours(args.batch_size, resize, device)
                else:
                    # 缩放时按书中的训练摊算：第一轮含一次性缩放，之后每轮只剩索引与类型转换
                    first, later = epochs_ours(args.batch_size, resize, device, 3)
                    before = epoch_before(args.batch_size, resize, device)
                    n = 60_000
                    for i, clock in enumerate(("", "_cpu")):  # 墙钟时间与 CPU 时间各记一份
                        amortized = amortize(first[i], later[i], args.book_epochs)
                        for key, value in (
                            ("first", first[i]),
                            ("later", later[i]),
                            ("before", before[i]),
                            ("amortized", amortized),
                        ):
                            best[key + clock] = min(best.get(key + clock, value), value)
                    t = amortize(first[0], later[0], args.book_epochs)
                best["ours"] = min(best.get("ours", t), t)
                for workers in args.workers:
                    t, m = epoch_torchvision(tmp / "tv", args.batch_size, resize, workers, device)
                    assert m == n, (m, n)
                    best[workers] = min(best.get(workers, t), t)
            ours = best["ours"]
            if resize is not None:
                for clock, label in (("", "墙钟"), ("_cpu", "CPU")):
                    print(
                        f"{size}×{size} 批量 {args.batch_size}（{label}时间）：ours 第一轮 "
                        f"{best['first' + clock]:.3f} s（含一次性缩放），之后每轮 "
                        f"{best['later' + clock]:.3f} s，按 {args.book_epochs} 轮摊算每轮 "
                        f"{best['amortized' + clock]:.3f} s；改进前每轮 {best['before' + clock]:.3f} s"
                    )
                extra.append(
                    (
                        f"data_loading_{size}px_vs_before_cpu",
                        "before",
                        best["amortized_cpu"],
                        best["before_cpu"],
                    )
                )
                for bs in args.resize_batch_sizes:
                    first, later = epochs_ours(bs, resize, device, 3)
                    before = epoch_before(bs, resize, device)
                    for i, label in enumerate(("墙钟", "CPU")):
                        print(
                            f"{size}×{size} 批量 {bs}（{label}时间）：ours 第一轮 {first[i]:.3f} s，"
                            f"之后每轮 {later[i]:.3f} s，摊算每轮 "
                            f"{amortize(first[i], later[i], args.book_epochs):.3f} s；"
                            f"改进前每轮 {before[i]:.3f} s"
                        )
                    extra.append(
                        (
                            f"data_loading_{size}px_batch{bs}_vs_before_cpu",
                            "before",
                            amortize(first[1], later[1], args.book_epochs),
                            before[1],
                        )
                    )
            print(f"{size}×{size} ours：{ours:.3f} s（{n / ours:,.0f} 个样本/秒）")
            for workers in args.workers:
                print(
                    f"{size}×{size} torchvision num_workers={workers}：{best[workers]:.3f} s"
                    f"（{n / best[workers]:,.0f} 个样本/秒）",
                    flush=True,
                )
                results[size, workers] = (ours, best[workers])
        # 汇总，每项一行；最后一行是 28×28 对 num_workers=4（D2L 的做法）。
        for name, other, ours, theirs in extra:
            print(f"{name}: {theirs / ours:.1f}x (ours {ours:.3f} s, {other} {theirs:.3f} s)")
        headline = (28, 4) if (28, 4) in results else next(iter(results))
        for key in [*(k for k in results if k != headline), headline]:
            ours, theirs = results[key]
            name = "data_loading" if key == headline else f"data_loading_{key[0]}px_workers{key[1]}"
            other = f"torchvision_{key[0]}px_workers{key[1]}"
            print(f"{name}: {theirs / ours:.1f}x (ours {ours:.3f} s, {other} {theirs:.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
