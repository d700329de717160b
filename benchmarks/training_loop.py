"""基准：dlbook 的训练循环 vs. 裸 PyTorch 循环 vs. D2L 0.17.6 的 ``train_ch6``。

工作量：笔记中的 LeNet（sigmoid + 平均池化），批量 256，学习率 0.9，Xavier 初始化，
在真实的 Fashion-MNIST 上训练一轮，全部在 CPU 上。同一次运行里做两组比较：

1. **吞吐量**（训练样本/秒）：``dlbook.train_classifier`` 与一个最简单的 PyTorch 循环
   （同一份内存中的浮点张量、同样的打乱与切片，不记录任何指标）。两者交替运行 ``--repeats`` 次，
   各取最好的一次（也打印相邻两次之比的中位数）。目标：我们 ≥ 0.95 × 裸循环。
2. **端到端一轮**（读数据 + 训练 + 测试集评估，含构造数据迭代器）：
   ``dlbook.load_fashion_mnist`` + ``dlbook.train_classifier`` 与 D2L 0.17.6 的
   ``load_data_fashion_mnist`` + ``train_ch6``，交替运行 ``--e2e-repeats`` 次，各取最快的一次。
   目标：我们至少快 1.8 倍。

D2L 的数据从本机的 Fashion-MNIST 文件解压到一个临时目录（torchvision 的 ``FashionMNIST/raw``
布局），不会下载；解压不计入时间。我们这边读的是 dlbook 的解码缓存（第一次使用时由
``python -m dlbook data fetch`` 或任何一次读取生成），同样不含一次性的解码。

运行::

    pip install --no-deps d2l==0.17.6   # 它的依赖（torchvision、pandas、requests、IPython、
                                        # matplotlib-inline）需已安装
    python benchmarks/training_loop.py

最后一行是总结：``training_loop: <倍数>x (ours <秒> s, d2l 0.17.6 <秒> s)``。
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # D2L 的 Animator 在脚本里不能阻塞，也不需要显示

import torch  # noqa: E402
from torch import nn  # noqa: E402

import dlbook  # noqa: E402
from dlbook.data import TensorBatches, locate_fashion_mnist, read_fashion_mnist  # noqa: E402
from dlbook.models.lenet import lenet  # noqa: E402

BATCH_SIZE, LR, SEED = 256, 0.9, 0


def import_d2l():
    try:
        from d2l import torch as d2l
    except ImportError as err:
        print(
            f"无法导入 d2l（{err}）。这个基准要与 D2L 0.17.6 比较，请先安装：\n"
            "    pip install --no-deps d2l==0.17.6\n"
            "它导入时需要 torchvision、pandas、requests、IPython、matplotlib-inline 和 Pillow；"
            "不加 --no-deps 会按它的旧版本钉死依赖。只比较裸 PyTorch 循环可加 --skip-d2l。",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    return d2l


def prepare_d2l_root(tmp: Path) -> Path:
    """把本机的 Fashion-MNIST 解压到 tmp/data/FashionMNIST/raw，返回 D2L 运行时的工作目录。

    D2L 0.17.6 写死了 ``root="../data"``，所以工作目录是 tmp/work。
    """
    found = locate_fashion_mnist()
    if found is None:
        raise SystemExit("找不到 Fashion-MNIST：请先运行 python -m dlbook data fetch")
    raw = tmp / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name, path in found.files.items():
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as src, open(raw / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    work = tmp / "work"
    work.mkdir()
    return work


def make_net() -> nn.Module:
    torch.manual_seed(SEED)
    return lenet()


def end_to_end_ours(epochs: int) -> tuple[float, str]:
    import dlbook.data.fashion_mnist as fm

    fm._MEMO.clear()  # 与新进程一样从磁盘上的解码缓存读起
    start = time.perf_counter()
    train_iter, test_iter = dlbook.load_fashion_mnist(BATCH_SIZE, seed=SEED)
    history = dlbook.train_classifier(
        make_net(), train_iter, test_iter, epochs, lr=LR, init="xavier", seed=SEED, verbose=False
    )
    seconds = time.perf_counter() - start
    import matplotlib.pyplot as plt

    plt.close("all")
    return seconds, history.summary()


def end_to_end_d2l(d2l, workdir: Path, epochs: int) -> tuple[float, str]:
    cwd = os.getcwd()
    out = io.StringIO()
    os.chdir(workdir)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(out):
            warnings.simplefilter("ignore")  # Agg 下 plt.pause 的“无法显示”警告
            start = time.perf_counter()
            train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
            d2l.train_ch6(make_net(), train_iter, test_iter, epochs, LR, torch.device("cpu"))
            seconds = time.perf_counter() - start
    finally:
        os.chdir(cwd)
    import matplotlib.pyplot as plt

    plt.close("all")
    lines = [
        line.strip()
        for line in out.getvalue().splitlines()
        if line.strip().startswith(("loss", "training on")) or "examples/sec" in line
    ]
    return seconds, " | ".join(line for line in lines if line)


def data_only(d2l, workdir: Path) -> tuple[float, float]:
    """只遍历一遍训练集与测试集、不训练：两边读数据各要多少秒（含构造迭代器）。"""
    import dlbook.data.fashion_mnist as fm

    fm._MEMO.clear()
    start = time.perf_counter()
    for it in dlbook.load_fashion_mnist(BATCH_SIZE, seed=SEED):
        for _ in it:
            pass
    ours = time.perf_counter() - start
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # “4 个工作进程多于建议的 2 个”
            start = time.perf_counter()
            for it in d2l.load_data_fashion_mnist(BATCH_SIZE):
                for _ in it:
                    pass
            theirs = time.perf_counter() - start
    finally:
        os.chdir(cwd)
    return ours, theirs


def bare_epoch(X: torch.Tensor, y: torch.Tensor) -> float:
    """最简单的训练循环：打乱、切片、前向、反向、更新，不记录任何指标。返回样本/秒。"""
    net = make_net()
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    loss = nn.CrossEntropyLoss()
    net.train()
    n = X.shape[0]
    start = time.perf_counter()
    order = torch.randperm(n, generator=torch.Generator().manual_seed(SEED))
    for i in range(0, n, BATCH_SIZE):
        idx = order[i : i + BATCH_SIZE]
        Xb, yb = X.index_select(0, idx), y.index_select(0, idx)
        optimizer.zero_grad()
        loss(net(Xb), yb).backward()
        optimizer.step()
    return n / (time.perf_counter() - start)


def our_epoch(X: torch.Tensor, y: torch.Tensor) -> float:
    train_iter = TensorBatches((X, y), BATCH_SIZE, shuffle=True, seed=SEED)
    history = dlbook.train_classifier(
        make_net(), train_iter, None, 1, lr=LR, init="xavier", plot=False, verbose=False
    )
    return history.final.examples_per_sec


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="吞吐量比较交替运行的次数")
    parser.add_argument("--e2e-repeats", type=int, default=2, help="端到端比较交替运行的次数")
    parser.add_argument("--epochs", type=int, default=1, help="端到端比较训练的轮数")
    parser.add_argument("--skip-d2l", action="store_true", help="只与裸 PyTorch 循环比较")
    args = parser.parse_args()
    d2l = None if args.skip_d2l else import_d2l()
    print(
        f"LeNet（sigmoid、平均池化），batch {BATCH_SIZE}，lr {LR}，Xavier 初始化；"
        f"CPU，{torch.get_num_threads()} 个线程；PyTorch {torch.__version__}"
    )

    results = {}
    if d2l is not None:
        with tempfile.TemporaryDirectory(prefix="dlbook-bench-") as tmp:
            workdir = prepare_d2l_root(Path(tmp))
            ours_times, d2l_times = [], []
            for r in range(args.e2e_repeats):
                # 交替先后顺序，减小机器负载起伏带来的偏差
                for who in ("ours", "d2l") if r % 2 == 0 else ("d2l", "ours"):
                    if who == "ours":
                        seconds, line = end_to_end_ours(args.epochs)
                        ours_times.append(seconds)
                        print(f"端到端 {args.epochs} 轮，dlbook：{seconds:.1f} s（{line}）")
                    else:
                        seconds, line = end_to_end_d2l(d2l, workdir, args.epochs)
                        d2l_times.append(seconds)
                        print(f"端到端 {args.epochs} 轮，D2L 0.17.6：{seconds:.1f} s（{line}）")
            results["d2l"] = (min(ours_times), min(d2l_times))
            ours_data, d2l_data = data_only(d2l, workdir)
            print(
                f"只读数据（训练集 + 测试集各一遍）：dlbook {ours_data:.1f} s，D2L 0.17.6 {d2l_data:.1f} s"
            )

    data = read_fashion_mnist()
    X = data.train_images.unsqueeze(1).float().div_(255)
    y = data.train_labels
    bare, ours = [], []
    for r in range(args.repeats):
        if r % 2 == 0:
            bare.append(bare_epoch(X, y))
            ours.append(our_epoch(X, y))
        else:
            ours.append(our_epoch(X, y))
            bare.append(bare_epoch(X, y))
        print(f"第 {r + 1} 次：裸循环 {bare[-1]:.1f}，dlbook {ours[-1]:.1f} 样本/秒")
    # 各取最好的一次：共享机器上其他进程会让某一次慢好几倍，最好的一次最接近不受干扰的速度。
    # 相邻两次组成一对的比值中位数作为参考一并打印。
    ratio = max(ours) / max(bare)
    paired = statistics.median(o / b for o, b in zip(ours, bare))
    target = "达到" if ratio >= 0.95 else "未达到"
    print(
        f"training_loop vs bare PyTorch: {ratio:.2f}x throughput "
        f"(best of {args.repeats}: ours {max(ours):.1f}, bare {max(bare):.1f} examples/s; "
        f"median of paired runs {paired:.2f}x; 目标 ≥ 0.95，{target})"
    )
    if "d2l" in results:
        ours_s, d2l_s = results["d2l"]
        speedup = d2l_s / ours_s
        target = "达到" if speedup >= 1.8 else "未达到"
        print(f"端到端目标：至少快 1.8 倍，{target}")
        print(f"training_loop: {speedup:.2f}x (ours {ours_s:.1f} s, d2l 0.17.6 {d2l_s:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
