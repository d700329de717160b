"""dlbook.utils.performance：计时的逻辑用假时钟逐次核对；并发与流水线用同步原语检查，不依赖机器快慢。"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from dlbook.utils import performance
from dlbook.utils.performance import (
    benchmark,
    cache_sizes,
    compare_compiled,
    copy_bandwidth,
    cpu_summary,
    matmul_gflops,
    others_load,
    readback_cost,
    run_streams,
    simulate_pipeline,
    thread_scaling,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """替换模块里的 ``time``：时钟只在被测函数调用 ``clock.advance(秒)`` 时前进。"""
    state = SimpleNamespace(now=0.0)
    state.advance = lambda seconds: setattr(state, "now", state.now + seconds)
    monkeypatch.setattr(performance, "time", SimpleNamespace(perf_counter=lambda: state.now))
    return state


def test_benchmark_doubles_the_calls_until_a_round_is_long_enough(clock) -> None:
    calls = []

    def fn() -> None:
        calls.append(None)
        clock.advance(0.03)

    # 预热 1 次；每轮 1、2、4 次（0.03、0.06、0.12 秒），第 3 轮才不短于 0.1 秒；再重复 2 轮各 4 次
    assert benchmark(fn, min_seconds=0.1, repeat=3) == pytest.approx(0.03)
    assert len(calls) == 1 + 1 + 2 + 4 + 4 + 4


def test_benchmark_keeps_the_fastest_round(clock) -> None:
    durations = iter([9.0, 0.5, 0.4, 0.2, 0.3])  # 预热、第一轮、再重复的三轮

    def fn() -> None:
        clock.advance(next(durations))

    assert benchmark(fn, min_seconds=0.1, repeat=4) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="repeat"):
        benchmark(fn, repeat=0)


def test_matmul_and_copy_rows_are_consistent() -> None:
    (row,) = matmul_gflops([8], min_seconds=0.001)
    assert row["flops"] == 2 * 8**3
    assert row["gflops"] == pytest.approx(row["flops"] / row["seconds"] / 1e9)
    (row,) = copy_bandwidth([1024], min_seconds=0.001)
    assert row["gbps"] == pytest.approx(2 * 1024 / row["seconds"] / 1e9)
    with pytest.raises(ValueError, match="4 的正整数倍"):
        copy_bandwidth([6])


@pytest.mark.parametrize("wait", [False, True])
def test_simulate_pipeline_overlaps_host_and_device_only_without_waiting(wait: bool) -> None:
    """不等待时，设备执行第 i 批时主机已经开始第 i+1 批；每批都等待时二者严格轮流。"""
    log: list[str] = []
    started = [threading.Event() for _ in range(4)]  # started[k]：主机开始了第 k 批

    def host() -> None:
        started[log.count("host")].set()
        log.append("host")

    def device() -> None:
        i = sum(entry.startswith("device") for entry in log)
        # 等主机开始第 i+1 批：不等待时很快就等到；每批都等待时等不到，超时后继续
        overlapped = i < 3 and started[i + 1].wait(timeout=0.05 if wait else 10)
        log.append("device+" if overlapped else "device")

    assert simulate_pipeline(4, host, device, wait_every_batch=wait) > 0
    if wait:
        assert log == ["host", "device"] * 4
    else:  # 最后一批之后没有下一批
        assert [e for e in log if e != "host"] == ["device+"] * 3 + ["device"]


def test_run_streams_runs_the_works_at_the_same_time_only_when_concurrent() -> None:
    barrier = threading.Barrier(2, timeout=10)
    met: list[bool] = []

    def work() -> None:
        try:
            barrier.wait()  # 两路同时在跑，才能都到达这里
            met.append(True)
        except threading.BrokenBarrierError:
            met.append(False)

    assert run_streams([work, work], concurrent=True, repeat=2) > 0
    assert met == [True] * 4
    barrier = threading.Barrier(2, timeout=0.05)
    met.clear()
    run_streams([work, work], concurrent=False, repeat=1)
    assert met == [False, False]


def test_thread_scaling_restores_the_thread_count() -> None:
    before = torch.get_num_threads()
    rows = thread_scaling(lambda: None, (1, 2), min_seconds=0.001)
    assert [r["threads"] for r in rows] == [1, 2] and rows[0]["speedup"] == 1.0
    assert rows[1]["speedup"] == pytest.approx(rows[0]["seconds"] / rows[1]["seconds"])
    assert torch.get_num_threads() == before


def test_readback_cost_times_both_ways_of_reading_the_loss() -> None:
    g = torch.Generator().manual_seed(1)
    X, y = torch.rand(32, 1, 28, 28, generator=g), torch.randint(0, 10, (32,), generator=g)
    batches = [(X[i : i + 8], y[i : i + 8]) for i in range(0, 32, 8)]
    out = readback_cost(lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), batches)
    assert out["num_batches"] == 4 and out["per_batch"] > 0 and out["per_epoch"] > 0
    # 同一次测量里比较：CPU 上读回一个标量（约 0.2 微秒）比训练一个批次（约 0.2 毫秒）快得多，
    # 留 10 倍的余量而不是约 1000 倍的实际差距，负载再重也不会倒过来
    assert 0 < out["item_seconds"] < out["per_epoch"] / out["num_batches"] / 10
    assert out["spread"] >= 0  # 同一种做法重复几次，最慢与最快之差


def test_others_load_subtracts_this_process_cpu_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """整机忙碌的 CPU 秒数减去本进程的 CPU 秒数，再除以经过的时间。"""
    busy = iter([100.0, 103.0])  # 整台机器忙了 3 秒
    own = iter([10.0, 11.0])  # 其中本进程 1 秒
    wall = iter([0.0, 2.0])  # 经过 2 秒：别的进程平均占用 1 个核心
    monkeypatch.setattr(performance, "_busy_cpu_seconds", lambda: next(busy))
    monkeypatch.setattr(
        performance,
        "time",
        SimpleNamespace(process_time=lambda: next(own), perf_counter=lambda: next(wall)),
    )
    assert others_load(lambda: "结果") == ("结果", 1.0)


def test_others_load_is_nan_without_proc_stat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(performance, "_busy_cpu_seconds", lambda: None)
    value, load = others_load(lambda: 7)
    assert value == 7 and load != load


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="需要 Linux 的 /proc/stat")
def test_others_load_sees_a_busy_child_process() -> None:
    """另起一个进程空转 0.5 秒：本进程只是等它，量到的“别的进程”的占用接近 1 个核心。"""
    import subprocess
    import sys

    code = "import time\nend = time.perf_counter() + 0.5\nwhile time.perf_counter() < end: pass"
    _, load = others_load(lambda: subprocess.run([sys.executable, "-c", code], check=True))
    assert load > 0.3  # 子进程启动与空转；机器上的其他负载只会让它更大


@pytest.mark.slow
def test_compare_compiled_checks_results_and_reports_cost() -> None:
    out = compare_compiled(lambda x: torch.sin(x) * 2 + 1, torch.ones(16), backend="eager")
    assert set(out) == {"eager", "first_call", "compiled", "speedup", "break_even"}
    assert out["first_call"] > 0 and out["speedup"] == pytest.approx(out["eager"] / out["compiled"])
    saved = out["eager"] - out["compiled"]
    expected = (out["first_call"] - out["compiled"]) / saved if saved > 0 else float("inf")
    assert out["break_even"] == pytest.approx(expected)


def test_machine_descriptions() -> None:
    for name, size in cache_sizes().items():
        assert re.fullmatch(r"L\d[di]?", name) and re.fullmatch(r"\d+[KMG]?", size)
    summary = cpu_summary()
    assert summary.startswith(f"{__import__('os').cpu_count()} 个逻辑核心")
    assert f"线程数 {torch.get_num_threads()}" in summary
