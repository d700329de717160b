"""计算性能的测量：第 11 章各节在本机上实际测出的数字都来自这里。

* :func:`synchronize`、:func:`benchmark`：正确地计时（GPU 上先等设备算完再停表）；
* :func:`matmul_gflops`、:func:`copy_bandwidth`、:func:`cache_sizes`：硬件一节的算力与带宽；
* :func:`compare_compiled`：编译器一节，``torch.compile`` 前后的用时与第一次调用的代价；
* :func:`simulate_pipeline`、:func:`readback_cost`：异步计算一节，主机与设备之间的队列，
  以及每个批次把数值读回主机的代价；
* :func:`thread_scaling`、:func:`run_streams`：自动并行一节，算子内的多线程与两路并发的工作；
  :func:`others_load` 量出测量期间别的进程占用了多少个核心，读这些加速时要对照它。

所有函数只测量、不改变全局状态（改动过的线程数会恢复）。测出的数字取决于机器与当时的负载，
页面把它们连同机器的说明一起打印出来。
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import torch
from torch import nn

__all__ = [
    "benchmark",
    "cache_sizes",
    "compare_compiled",
    "copy_bandwidth",
    "cpu_summary",
    "matmul_gflops",
    "others_load",
    "readback_cost",
    "run_streams",
    "simulate_pipeline",
    "synchronize",
    "thread_scaling",
]


def synchronize(device: torch.device | str | None = None) -> None:
    """等设备上已经排队的计算全部完成（CPU 上什么也不用等）。

    CUDA 与 MPS 上的算子是**异步**执行的：Python 调用一个算子只是把它放进设备的队列，马上返回。
    计时之前不同步，量到的只是“排队”的时间。

    Examples
    --------
    >>> synchronize("cpu")
    """
    device = torch.device(device) if device is not None else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def benchmark(
    fn: Callable[[], Any],
    *,
    device: torch.device | str | None = None,
    min_seconds: float = 0.1,
    repeat: int = 3,
) -> float:
    """``fn()`` 每次调用的用时（秒）：先调用一次预热，再重复 ``repeat`` 轮，取最快的一轮。

    每一轮连续调用 ``fn`` 若干次，次数翻倍直到这一轮不短于 ``min_seconds``；停表之前先
    :func:`synchronize`，所以 GPU 上量到的是真正的计算时间。取最快的一轮，是因为其他程序的
    干扰只会让时间变长。

    Examples
    --------
    >>> t = benchmark(lambda: sum(range(100)), min_seconds=0.001)
    >>> 0 < t < 0.01
    True
    """
    if repeat < 1:
        raise ValueError(f"repeat 必须是正整数，收到 {repeat!r}")
    fn()
    synchronize(device)
    number = 1
    while True:  # 找到一轮不短于 min_seconds 的调用次数
        start = time.perf_counter()
        for _ in range(number):
            fn()
        synchronize(device)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            break
        number *= 2
    best = elapsed / number
    for _ in range(repeat - 1):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        synchronize(device)
        best = min(best, (time.perf_counter() - start) / number)
    return best


# ---------------------------------------------------------------------------
# 硬件：算力与带宽
# ---------------------------------------------------------------------------


def matmul_gflops(
    sizes: Sequence[int] = (64, 256, 1024),
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
    min_seconds: float = 0.1,
) -> list[dict[str, float]]:
    """``n × n`` 矩阵乘法的速度：每个 ``n`` 一行，``flops = 2n³``，``gflops = flops / 秒 / 1e9``。

    Examples
    --------
    >>> rows = matmul_gflops([16], min_seconds=0.001)
    >>> rows[0]["n"], rows[0]["flops"], rows[0]["gflops"] > 0
    (16, 8192, True)
    """
    device = torch.device(device) if device is not None else torch.device("cpu")
    g = torch.Generator().manual_seed(0)
    rows = []
    for n in sizes:
        a = torch.rand(n, n, generator=g, dtype=dtype).to(device)
        b = torch.rand(n, n, generator=g, dtype=dtype).to(device)
        seconds = benchmark(lambda a=a, b=b: a @ b, device=device, min_seconds=min_seconds)
        flops = 2 * n**3
        rows.append({"n": n, "flops": flops, "seconds": seconds, "gflops": flops / seconds / 1e9})
    return rows


def copy_bandwidth(
    sizes: Sequence[int] = (2**15, 2**20, 2**26),
    *,
    device: torch.device | str | None = None,
    min_seconds: float = 0.1,
) -> list[dict[str, float]]:
    """把一块 ``S`` 字节的内存复制到另一块（``dst.copy_(src)``）的带宽。

    一次复制读 ``S`` 字节、写 ``S`` 字节，所以按 ``2S / 秒`` 计算 ``gbps`` （GB/s，1 GB = 10⁹ 字节）。
    小块能放进 CPU 的缓存，大块只能在内存（DRAM）里来回搬，两者的带宽差得很多。

    Examples
    --------
    >>> rows = copy_bandwidth([4096], min_seconds=0.001)
    >>> rows[0]["bytes"], rows[0]["gbps"] > 0
    (4096, True)
    """
    device = torch.device(device) if device is not None else torch.device("cpu")
    rows = []
    for size in sizes:
        if size < 4 or size % 4:
            raise ValueError(f"sizes 中的字节数必须是 4 的正整数倍，收到 {size!r}")
        src = torch.ones(size // 4, device=device)
        dst = torch.empty_like(src)
        seconds = benchmark(lambda s=src, d=dst: d.copy_(s), device=device, min_seconds=min_seconds)
        rows.append({"bytes": size, "seconds": seconds, "gbps": 2 * size / seconds / 1e9})
    return rows


def cache_sizes() -> dict[str, str]:
    """本机第 0 个 CPU 核心的各级缓存大小（读 Linux 的 ``/sys``；其他系统返回空字典）。

    Examples
    --------
    >>> isinstance(cache_sizes(), dict)
    True
    """
    base = Path("/sys/devices/system/cpu/cpu0/cache")
    out: dict[str, str] = {}
    if not base.is_dir():
        return out
    for index in sorted(base.glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        name = f"L{level}" + {"Data": "d", "Instruction": "i"}.get(kind, "")
        out[name] = size
    return out


# ---------------------------------------------------------------------------
# 编译器与解释器
# ---------------------------------------------------------------------------


def compare_compiled(
    fn: Callable[..., Any],
    *args: Any,
    min_seconds: float = 0.1,
    **compile_kwargs: Any,
) -> dict[str, float]:
    """比较 ``fn(*args)`` 的即时执行与 ``torch.compile(fn)`` 编译后的执行。

    返回的字典中：``eager`` 与 ``compiled`` 是每次调用的秒数（见 :func:`benchmark`），
    ``first_call`` 是编译后第一次调用的秒数（包括追踪 Python 代码、生成并编译 C++/Triton 代码），
    ``speedup = eager / compiled``，``break_even`` 是要调用多少次，省下的时间才抵得上编译的代价
    （编译后反而更慢时为 ``inf``）。结果在数值上与即时执行一致，否则抛出 ``AssertionError``。
    """
    import logging

    # 没有 CUDA 时，C++ 扩展的工具链会在日志里警告一次“找不到 CUDA 运行时”：与 CPU 上的编译无关
    logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
    with torch.no_grad():
        expected = fn(*args)
        eager = benchmark(lambda: fn(*args), min_seconds=min_seconds)
        compiled_fn = torch.compile(fn, **compile_kwargs)
        start = time.perf_counter()
        result = compiled_fn(*args)
        first_call = time.perf_counter() - start
        torch.testing.assert_close(result, expected, rtol=1e-4, atol=1e-5)
        compiled = benchmark(lambda: compiled_fn(*args), min_seconds=min_seconds)
    saved = eager - compiled
    return {
        "eager": eager,
        "first_call": first_call,
        "compiled": compiled,
        "speedup": eager / compiled,
        "break_even": (first_call - compiled) / saved if saved > 0 else float("inf"),
    }


# ---------------------------------------------------------------------------
# 异步计算
# ---------------------------------------------------------------------------


def simulate_pipeline(
    num_batches: int,
    host_work: Callable[[], Any],
    device_work: Callable[[], Any],
    *,
    wait_every_batch: bool,
) -> float:
    """用一个后台线程模拟“主机—设备”队列，返回处理 ``num_batches`` 个批次的总秒数。

    后台线程按提交的顺序逐个执行 ``device_work``，就像 GPU 按顺序执行 CUDA 流里的内核；
    主线程（主机）每个批次先做自己的 ``host_work`` （例如准备下一批数据），再把 ``device_work``
    放进队列，立即返回。``wait_every_batch=True`` 时，主机每个批次都等设备算完再继续——
    就像每个批次调用一次 ``loss.item()``：这时主机与设备轮流干活，谁都有一半时间在等。
    PyTorch 的算子在计算时释放 Python 的全局解释器锁，所以两个线程确实能同时工作。
    """
    with ThreadPoolExecutor(max_workers=1) as device:
        start = time.perf_counter()
        pending = None
        for _ in range(num_batches):
            host_work()
            pending = device.submit(device_work)
            if wait_every_batch:
                pending.result()  # 读回结果：主机在这里等设备
        if pending is not None:
            pending.result()  # 最后同步一次
        return time.perf_counter() - start


def readback_cost(
    make_net: Callable[[], nn.Module],
    batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
    *,
    lr: float = 0.1,
    device: torch.device | str | None = None,
    repeat: int = 3,
) -> dict[str, float]:
    """训练一轮，比较“每个批次把损失读回主机”与“整轮只读一次”的用时。

    ``per_batch`` 每个批次调用 ``loss.item()`` （D2L 的 ``float(l)``）；``per_epoch`` 是本书训练循环的
    做法：损失之和留在设备上累加，一轮结束时才读回。两种做法交替运行 ``repeat`` 次，各取最快的一次
    （交替进行，机器负载的波动对两者的影响相同）；它们算出的平均损失相同，否则抛出 ``AssertionError``。
    ``spread`` 是计时本身的波动：同一种做法重复 ``repeat`` 次，最慢与最快之差（两种做法中较大的那个）；
    两种做法之差不比它大时，就是噪声。``item_seconds`` 是单独测出的一次 ``.item()`` 的用时。

    CPU 上算子本来就是同步执行的，读回只多一次很小的类型转换；GPU 上每次读回都要等队列里的计算
    全部做完，主机在等待期间无法提交后面的工作（见 :func:`simulate_pipeline`）。
    """
    device = torch.device(device) if device is not None else torch.device("cpu")
    loss_fn = nn.CrossEntropyLoss()
    batches = [(X.to(device), y.to(device)) for X, y in batches]

    def epoch(per_batch: bool) -> float:
        torch.manual_seed(0)
        net = make_net().to(device)
        opt = torch.optim.SGD(net.parameters(), lr=lr)
        total_item, total_dev = 0.0, torch.zeros((), device=device)
        for X, y in batches:
            loss = loss_fn(net(X), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if per_batch:
                total_item += loss.item()  # 每个批次同步一次
            else:
                total_dev += loss.detach()  # 留在设备上
        return total_item if per_batch else total_dev.item()  # 整轮只同步一次

    runs: dict[str, list[float]] = {"per_batch": [], "per_epoch": []}
    values = {}
    for _ in range(repeat):
        for name, seconds in runs.items():
            synchronize(device)
            start = time.perf_counter()
            values[name] = epoch(name == "per_batch")
            synchronize(device)
            seconds.append(time.perf_counter() - start)
    assert abs(values["per_batch"] - values["per_epoch"]) <= 1e-4 * max(1.0, values["per_epoch"])
    scalar = torch.ones((), device=device)
    return {
        **{name: min(seconds) for name, seconds in runs.items()},
        "spread": max(max(seconds) - min(seconds) for seconds in runs.values()),
        "num_batches": len(batches),
        "item_seconds": benchmark(scalar.item, device=device, min_seconds=0.05),
    }


# ---------------------------------------------------------------------------
# 自动并行
# ---------------------------------------------------------------------------


def thread_scaling(
    fn: Callable[[], Any], threads: Sequence[int] = (1, 2), *, min_seconds: float = 0.1
) -> list[dict[str, float]]:
    """用不同的算子内线程数（``torch.set_num_threads``）运行 ``fn``，每个线程数一行。

    ``speedup`` 相对于第一个线程数。结束后恢复原来的线程数。

    Examples
    --------
    >>> rows = thread_scaling(lambda: torch.ones(64, 64) @ torch.ones(64, 64), (1,), min_seconds=0.001)
    >>> rows[0]["threads"], rows[0]["speedup"]
    (1, 1.0)
    """
    original = torch.get_num_threads()
    rows: list[dict[str, float]] = []
    try:
        for t in threads:
            torch.set_num_threads(t)
            seconds = benchmark(fn, min_seconds=min_seconds)
            rows.append({"threads": t, "seconds": seconds})
    finally:
        torch.set_num_threads(original)
    for row in rows:
        row["speedup"] = rows[0]["seconds"] / row["seconds"]
    return rows


def run_streams(works: Sequence[Callable[[], Any]], *, concurrent: bool, repeat: int = 3) -> float:
    """运行几路互不依赖的工作，返回总秒数（``repeat`` 次中最快的）。

    ``concurrent=False`` 时一路做完再做下一路；``concurrent=True`` 时每路一个线程同时开始。
    PyTorch 的算子在计算时释放全局解释器锁，只要机器有空闲的核心，几路工作就能真正并行。

    Examples
    --------
    >>> work = lambda: torch.ones(32, 32) @ torch.ones(32, 32)
    >>> run_streams([work, work], concurrent=True, repeat=1) > 0
    True
    """
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        if concurrent:
            with ThreadPoolExecutor(max_workers=len(works)) as pool:
                for future in [pool.submit(w) for w in works]:
                    future.result()
        else:
            for w in works:
                w()
        best = min(best, time.perf_counter() - start)
    return best


def _busy_cpu_seconds() -> float | None:
    """整台机器到现在为止所有核心忙碌的秒数之和（Linux 的 ``/proc/stat``）；读不到时为 ``None``。"""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    ticks = [int(x) for x in fields[1:9]]  # user nice system idle iowait irq softirq steal
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def others_load(fn: Callable[[], Any]) -> tuple[Any, float]:
    """运行 ``fn()``，返回它的结果与运行期间**别的进程**平均占用的核心数。

    整台机器忙碌的 CPU 时间（``/proc/stat``）减去本进程用掉的 CPU 时间（所有线程），除以经过的时间。
    0 表示别的核心一直空着；两核的机器上接近 1 时，另一个核心一直被别的进程占着，
    “用两个核心”的测量实际上只有一个核心。不是 Linux 时返回 ``nan``。

    Examples
    --------
    >>> value, load = others_load(lambda: 42)
    >>> value, load >= 0 or load != load
    (42, True)
    """
    busy, own, start = _busy_cpu_seconds(), time.process_time(), time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    end = _busy_cpu_seconds()
    if busy is None or end is None or wall <= 0:
        return result, float("nan")
    others = (end - busy) - (time.process_time() - own)
    return result, max(0.0, others / wall)


def cpu_summary() -> str:
    """一句话说明本机的 CPU：逻辑核心数、本进程可用的核心数与 PyTorch 的线程数。

    Examples
    --------
    >>> "逻辑核心" in cpu_summary()
    True
    """
    total = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else total
    return (
        f"{total} 个逻辑核心（本进程可用 {usable} 个），"
        f"PyTorch 算子内线程数 {torch.get_num_threads()}"
    )
