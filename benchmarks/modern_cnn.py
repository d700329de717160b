"""第 6 章的网络在这台机器上的训练速度，以及 dlbook 的训练循环 vs. 裸 PyTorch 循环（ResNet-18，96×96）。

两部分，都在 CPU（或 ``--device`` 指定的设备）上：

1. **各网络的吞吐量**：登记表中第 6 章每个实验的模型，在书中的输入尺寸与批量下，用
   ``dlbook.train_classifier`` 训练几个批次（随机输入，计算量与真实图像相同），报告每秒训练的样本数。
   先训练一个批次预热，不计时。
2. **训练循环的开销**：ResNet-18、96×96、批量 256、学习率 0.05，真实的 Fashion-MNIST 前 ``--num-train`` 张图像
   （``dlbook.load_fashion_mnist(..., resize=96)``）。``dlbook.train_classifier`` 与一个最简单的循环（前向、反向、
   ``SGD.step``，不记录任何指标）遍历同样的批次，交替运行 ``--repeats`` 次，各取最快的一次。目标：我们 ≥ 0.95 × 裸循环。
   在 CPU 上按本进程的 CPU 时间计时（含建优化器等全部开销），机器上其他进程的负载不影响比较；在 GPU 上按墙钟时间。

运行：``python benchmarks/modern_cnn.py``。最后一行是总结：
``training_loop_resnet18: <倍数>x (ours <秒> s, bare <秒> s)``，倍数是裸循环用时 / 我们的用时（越大越好）。
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn

import dlbook
from dlbook.data import TensorBatches
from dlbook.experiments import EXPERIMENTS

#: 第 6 章的实验（登记表中页面在 chapter_convolutional-modern 下的）。
CHAPTER_6 = [e.name for e in EXPERIMENTS.values() if e.chapter == "chapter_convolutional-modern"]


def model_throughput(name: str, batches: int, device: torch.device) -> tuple[float, float, dict]:
    """登记表中实验 ``name`` 的模型在书中的输入尺寸与批量下，用我们的训练循环训练的样本/秒：
    按墙钟时间与按本进程的 CPU 时间各算一次（机器上还有别的进程时，后者更接近机器空闲时的速度）。"""
    exp = EXPERIMENTS[name]
    settings = exp.settings("full")
    side = settings.get("resize") or 28
    bs = settings["batch_size"]
    g = torch.Generator().manual_seed(0)
    X = torch.rand((bs * (batches + 1), 1, side, side), generator=g)
    y = torch.randint(0, 10, (len(X),), generator=g)
    # 第一个批次用来预热（分配内存、选择卷积算法），不计入
    warm = TensorBatches((X[:bs], y[:bs]), bs, shuffle=False)
    timed = TensorBatches((X[bs:], y[bs:]), bs, shuffle=False)
    net = settings["model"].build(torch.Generator().manual_seed(0))
    kwargs = dict(lr=settings["lr"], device=device, plot=False, verbose=False)
    dlbook.train_classifier(net, warm, None, 1, **kwargs)
    start = time.process_time()
    history = dlbook.train_classifier(net, timed, None, 1, **kwargs)
    cpu = time.process_time() - start
    return history.final.examples_per_sec, len(timed.tensors[0]) / cpu, settings


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} 小时" if seconds >= 3600 else f"{seconds / 60:.1f} 分钟"


def bare_loop(net: nn.Module, batches, lr: float, device: torch.device) -> int:
    """最简单的训练循环：前向、反向、更新，不记录任何指标。返回样本数。"""
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    net.train()
    n = 0
    for X, y in batches:
        X, y = X.to(device), y.to(device)
        optimizer.zero_grad()
        loss(net(X), y).backward()
        optimizer.step()
        n += len(y)
    return n


def resnet_comparison(num_train: int, repeats: int, device: torch.device) -> tuple[float, float]:
    from dlbook.models import resnet18

    settings = EXPERIMENTS["resnet"].settings("full")
    bs, lr, side = settings["batch_size"], settings["lr"], settings["resize"]
    train_iter, _ = dlbook.load_fashion_mnist(
        bs, resize=side, device=device, num_train=num_train, num_test=bs
    )

    def fresh() -> nn.Module:
        net = resnet18(generator=torch.Generator().manual_seed(0)).to(device)
        # 预热一个批次：两边都从“已经分配好内存”的状态开始计时
        X, y = next(iter(train_iter))
        nn.CrossEntropyLoss()(net(X), y).backward()
        net.zero_grad(set_to_none=True)
        return net

    # CPU 上用本进程的 CPU 时间计时：同一台机器上其他进程抢走的时间不算在任何一方头上。
    clock = time.process_time if device.type == "cpu" else time.perf_counter
    ours, bare = [], []
    for r in range(repeats):
        order = ("ours", "bare") if r % 2 == 0 else ("bare", "ours")  # 交替先后，抵消机器负载的起伏
        for who in order:
            net = fresh()
            start = clock()
            if who == "ours":
                dlbook.train_classifier(
                    net, train_iter, None, 1, lr=lr, device=device, plot=False, verbose=False
                )
            else:
                bare_loop(net, train_iter, lr, device)
            if device.type == "cuda":
                torch.cuda.synchronize()
            (ours if who == "ours" else bare).append(clock() - start)
        print(f"第 {r + 1} 次：dlbook {ours[-1]:.2f} s，裸循环 {bare[-1]:.2f} s", flush=True)
    return min(ours), min(bare)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batches", type=int, default=2, help="每个网络计时的批次数")
    parser.add_argument("--num-train", type=int, default=1280, help="ResNet-18 比较用的训练图像数")
    parser.add_argument("--repeats", type=int, default=3, help="ResNet-18 比较交替运行的次数")
    parser.add_argument("--skip-models", action="store_true", help="只做 ResNet-18 的训练循环比较")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    print(
        f"PyTorch {torch.__version__}，设备 {device}，{torch.get_num_threads()} 个线程；"
        f"每个网络计时 {args.batches} 个批次"
    )
    if not args.skip_models:
        for name in CHAPTER_6:
            exp = EXPERIMENTS[name]
            speed, cpu_speed, settings = model_throughput(name, args.batches, device)
            side = settings.get("resize") or 28
            print(
                f"{name:20s} {exp.full['model']:20s} {side}×{side}，批量 {settings['batch_size']}："
                f"{speed:8.1f} 样本/秒（按 CPU 时间 {cpu_speed:8.1f}）；"
                f"书中 10 轮只算训练约需 {_duration(10 * 60_000 / cpu_speed)}（按 CPU 时间）",
                flush=True,
            )
    ours, bare = resnet_comparison(args.num_train, args.repeats, device)
    ratio = bare / ours
    target = "达到" if ratio >= 0.95 else "未达到"
    print(
        f"ResNet-18 96×96 批量 256，{args.num_train} 张图像：dlbook {args.num_train / ours:.1f} 样本/秒，"
        f"裸循环 {args.num_train / bare:.1f} 样本/秒（目标 ≥ 0.95，{target}）"
    )
    print(f"training_loop_resnet18: {ratio:.2f}x (ours {ours:.2f} s, bare {bare:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
