"""多进程数据并行：dlbook.train.distributed 与训练循环的 DDP 路径，用真实的进程测试。

每个多进程测试都起真正的进程（``torch.multiprocessing`` 或 ``torchrun``），用 gloo 后端在 CPU 上通信，
每个进程 1 个线程。本文件同时也是 ``torchrun`` 运行的脚本：``python -m torch.distributed.run
--nproc_per_node=2 tests/test_distributed.py <场景> <输出目录>``，见文件末尾的 ``_scenario``。
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from torch import nn

from dlbook.data import TensorBatches
from dlbook.train.distributed import (
    DEFAULT_TIMEOUT,
    ShardedBatches,
    all_reduce_sum,
    distributed_command,
    distributed_train_step,
    gather_objects,
    init_distributed,
    is_distributed,
    measure_allreduce,
    shard_batches,
    shard_sizes,
    unwrap_model,
)
from dlbook.train.trainer import train_classifier

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]

# 69 个样本、全局批量 16：最后一个批次只有 5 个，两个进程分到 3 个和 2 个——检验不均分时的加权。
N_EXAMPLES, BATCH = 69, 16


def _toy_data() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(N_EXAMPLES, 1, 6, 6, generator=g)
    y = (X.mean(dim=(1, 2, 3)) > 0).long() + (X[:, 0, 0, 0] > 0.5).long()
    return X, y


def _toy_net(fail_at: int | None = None, hang: bool = False) -> nn.Module:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    if fail_at is None:
        return net

    class Faulty(nn.Module):
        """第 ``fail_at`` 次前向时在 1 号进程上出错（或卡住），模拟一个进程崩溃。"""

        def __init__(self) -> None:
            super().__init__()
            self.net, self.calls = net, 0

        def forward(self, X: torch.Tensor) -> torch.Tensor:
            self.calls += 1
            if int(os.environ.get("RANK", "0")) == 1 and self.calls == fail_at:
                if hang:
                    time.sleep(600)
                raise RuntimeError("1 号进程模拟的故障")
            return self.net(X)

    return Faulty()


def _train(
    epochs: int = 2,
    *,
    updater: bool = False,
    checkpoint_dir: str | None = None,
    resume: bool = False,
    net: nn.Module | None = None,
    sync_batchnorm: bool = False,
) -> tuple[dict[str, torch.Tensor], dict]:
    """在玩具数据上训练一个小卷积网络，返回最终参数与历史（单进程或多进程都调用它）。"""
    from dlbook.ops.basic import sgd

    X, y = _toy_data()
    train_iter = TensorBatches((X, y), BATCH, seed=3)
    test_iter = TensorBatches((X[:29], y[:29]), 10, shuffle=False)
    net = net if net is not None else _toy_net()
    kwargs = {"lr": 0.3}
    if updater:
        params = list(net.parameters())
        kwargs = {"updater": lambda n: sgd(params, 0.3, n)}
    history = train_classifier(
        net,
        train_iter,
        test_iter,
        epochs,
        seed=0,
        plot=False,
        verbose=False,
        device="cpu",
        checkpoint_dir=checkpoint_dir,
        resume=resume,
        sync_batchnorm=sync_batchnorm,
        **kwargs,
    )
    state = {k: v.detach().clone() for k, v in unwrap_model(net).state_dict().items()}
    return state, history.to_dict()


def _toy_bn_net() -> nn.Module:
    """带批量规范化层的小卷积网络：DDP 下各进程只用自己那一片批量的统计量。"""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3)
    )


def _assert_same_weights(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-5, atol=1e-6, msg=k)


def _assert_same_metrics(a: dict, b: dict) -> None:
    for ra, rb in zip(a["epochs"], b["epochs"], strict=True):
        assert ra["num_examples"] == rb["num_examples"] == N_EXAMPLES
        for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
            assert ra[key] == pytest.approx(rb[key], rel=1e-5, abs=1e-6), key


# ---------------------------------------------------------------------------
# 不需要多个进程的部分
# ---------------------------------------------------------------------------


def test_shard_sizes_split_as_evenly_as_possible() -> None:
    for m in range(0, 40):
        for w in (1, 2, 3, 4):
            sizes = shard_sizes(m, w)
            assert sum(sizes) == m and max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("world", [2, 3])
@pytest.mark.parametrize("shuffle", [True, False])
def test_shards_cover_each_epoch_exactly_once(world: int, shuffle: bool) -> None:
    ids = torch.arange(N_EXAMPLES)
    loaders = [
        ShardedBatches(TensorBatches((ids,), BATCH, shuffle, seed=5), rank=r, world_size=world)
        for r in range(world)
    ]
    single = TensorBatches((ids,), BATCH, shuffle, seed=5)
    for epoch in range(3):
        for loader in loaders:
            loader.set_epoch(epoch)
        single.epoch = epoch
        shards = [[b[0] for b in loader] for loader in loaders]
        assert len({len(s) for s in shards}) == 1  # 各进程的批次数相同
        for i, full in enumerate(single):  # 第 i 个全局批次 = 各进程第 i 片按编号拼起来
            assert torch.equal(torch.cat([s[i] for s in shards]), full[0])
        seen = torch.cat([torch.cat(s) for s in shards])
        assert sorted(seen.tolist()) == list(range(N_EXAMPLES))
        assert sum(loader.num_examples for loader in loaders) == N_EXAMPLES


def test_sharded_batches_validates_arguments() -> None:
    data = TensorBatches((torch.arange(4),), 2, seed=0)
    with pytest.raises(ValueError, match="rank"):
        ShardedBatches(data, rank=2, world_size=2)
    with pytest.raises(ValueError, match="world_size"):
        ShardedBatches(data, rank=0, world_size=0)
    with pytest.raises(ValueError, match="seed"):
        ShardedBatches(TensorBatches((torch.arange(4),), 2), rank=0, world_size=2)
    assert shard_batches(data) is data  # 单进程：原样返回
    sharded = shard_batches(data, rank=0, world_size=2)
    assert isinstance(sharded, ShardedBatches) and shard_batches(sharded) is sharded


def test_single_process_helpers_are_no_ops() -> None:
    info = init_distributed("cpu")
    assert (info.rank, info.world_size, info.backend, is_distributed()) == (0, 1, None, False)
    assert all_reduce_sum(torch.ones(2)).tolist() == [1.0, 1.0]
    assert gather_objects(3) == [3]


@pytest.mark.parametrize("use_updater", [False, True])
def test_distributed_train_step_in_one_process_is_train_step(use_updater: bool) -> None:
    """单进程（N = 1，M = 批量）时与 train_step 的梯度与更新完全相同。"""
    from dlbook.ops.basic import sgd
    from dlbook.train.loop import train_step

    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(6, 3, generator=g), torch.randint(0, 2, (6,), generator=g)
    loss = nn.CrossEntropyLoss(reduction="none")
    nets = [nn.Linear(3, 2) for _ in range(2)]
    nets[1].load_state_dict(nets[0].state_dict())
    if use_updater:
        updaters = [lambda n, net=net: sgd(list(net.parameters()), 0.1, n) for net in nets]
    else:
        updaters = [torch.optim.SGD(net.parameters(), lr=0.1) for net in nets]
    ours = distributed_train_step(nets[0], X, y, loss, updaters[0])
    ref = train_step(nets[1], X, y, loss, updaters[1])
    assert torch.equal(ours[0], ref[0]) and torch.equal(ours[1], ref[1])
    assert torch.allclose(nets[0].weight, nets[1].weight)


# ---------------------------------------------------------------------------
# torch.multiprocessing：两个进程训练，与单进程比较
# ---------------------------------------------------------------------------


def _spawn_worker(rank: int, world: int, port: int, out: str) -> None:
    torch.set_num_threads(1)
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world),
    )
    init_distributed("cpu", timeout=30)
    try:
        results = {
            "optimizer": _train(),
            "updater": _train(updater=True),
            "batchnorm": _train(net=_toy_bn_net()),
        }
        try:
            _train(net=_toy_bn_net(), sync_batchnorm=True)
        except ValueError as err:
            results["sync_batchnorm_error"] = str(err)
        ids = torch.arange(N_EXAMPLES)
        loader = shard_batches(TensorBatches((ids,), BATCH, seed=5))
        seen = []
        for epoch in range(2):
            loader.set_epoch(epoch)
            seen.append([b[0].tolist() for b in loader])
        results["seen"] = gather_objects(seen)
        if rank == 0:
            torch.save(results, Path(out) / "ddp.pt")
    finally:
        torch.distributed.destroy_process_group()


@pytest.fixture(scope="module")
def two_process_run(tmp_path_factory) -> dict:
    import torch.multiprocessing as mp

    from dlbook.train.distributed import _free_port

    out = tmp_path_factory.mktemp("ddp")
    mp.start_processes(
        _spawn_worker, args=(2, _free_port(), str(out)), nprocs=2, join=True, start_method="spawn"
    )
    return torch.load(out / "ddp.pt", weights_only=True)


@pytest.mark.slow
def test_two_processes_match_one_process(two_process_run) -> None:
    weights, history = _train()
    ddp_weights, ddp_history = two_process_run["optimizer"]
    _assert_same_weights(ddp_weights, weights)
    _assert_same_metrics(ddp_history, history)
    assert ddp_history["device"] == "2×cpu"


@pytest.mark.slow
def test_two_processes_match_one_process_with_handwritten_updater(two_process_run) -> None:
    weights, history = _train(updater=True)
    ddp_weights, ddp_history = two_process_run["updater"]
    _assert_same_weights(ddp_weights, weights)
    _assert_same_metrics(ddp_history, history)


@pytest.mark.slow
def test_batch_norm_under_ddp_differs_from_one_process(two_process_run) -> None:
    """DDP 只同步梯度：批量规范化用各进程半个批量的统计量，结果与单进程不同（不只是浮点误差）。"""
    weights, history = _train(net=_toy_bn_net())
    ddp_weights, ddp_history = two_process_run["batchnorm"]
    assert ddp_weights.keys() == weights.keys()
    gap = max((ddp_weights[k].float() - weights[k].float()).abs().max().item() for k in weights)
    assert gap > 1e-3
    # 仍然用了同样的数据：样本数相同
    assert [r["num_examples"] for r in ddp_history["epochs"]] == [N_EXAMPLES, N_EXAMPLES]


@pytest.mark.slow
def test_sync_batchnorm_on_cpu_fails_early_with_a_clear_message(two_process_run) -> None:
    message = two_process_run.get("sync_batchnorm_error", "")
    assert "sync_batchnorm=True" in message and "cpu" in message and torch.__version__ in message


def test_sync_batchnorm_in_one_process_changes_nothing() -> None:
    from dlbook.train.distributed import sync_batchnorm_devices, wrap_model

    net = _toy_bn_net()
    assert wrap_model(net, torch.device("cpu"), sync_batchnorm=True) is net
    assert "cuda" in sync_batchnorm_devices() and "cpu" not in sync_batchnorm_devices()
    weights, _ = _train(net=_toy_bn_net(), sync_batchnorm=True)
    same, _ = _train(net=_toy_bn_net())
    _assert_same_weights(weights, same)


@pytest.mark.slow
def test_every_example_seen_once_per_epoch_across_ranks(two_process_run) -> None:
    per_rank = two_process_run["seen"]  # [rank][epoch][batch] -> 样本编号
    orders = []
    for epoch in range(2):
        seen = [i for rank in per_rank for batch in rank[epoch] for i in batch]
        assert sorted(seen) == list(range(N_EXAMPLES))
        assert not set(sum(per_rank[0][epoch], [])) & set(sum(per_rank[1][epoch], []))
        orders.append(per_rank[0][epoch])
    assert orders[0] != orders[1]  # 每轮重新打乱


@pytest.mark.slow
def test_measure_allreduce_reports_bandwidth() -> None:
    rows = measure_allreduce((2, 3), sizes=(256, 4096), min_seconds=0.01)  # 启动一次，测两种进程数
    assert [(r["processes"], r["bytes"]) for r in rows] == [
        (2, 1024),
        (2, 16384),
        (3, 1024),
        (3, 16384),
    ]
    for r in rows:
        factor = 2 * (r["processes"] - 1) / r["processes"]  # 环形全归约每个进程收发的比例
        assert r["seconds"] > 0 and r["busbw"] == pytest.approx(r["algbw"] * factor)
    with pytest.raises(ValueError, match="processes"):
        measure_allreduce(1)


# ---------------------------------------------------------------------------
# torchrun：故障、超时、断点续训与命令行
# ---------------------------------------------------------------------------


# 出错或卡住的运行的时间上限。测试把通信超时设为 5 秒（DLBOOK_DIST_TIMEOUT）；若这个设置没有生效，
# 运行要等默认的 DEFAULT_TIMEOUT（300 秒）才结束。上限取它的一半，
# 又比正常结束的一次运行（两个进程各导入一次 torch，再等 5 秒，负载很高的 2 核机器上约半分钟）宽裕得多。
HANG_LIMIT = DEFAULT_TIMEOUT / 2


def _torchrun(*args: str, timeout: float = 120, env: dict | None = None):
    full_env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
        "DLBOOK_DIST_TIMEOUT": "5",
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    proc = subprocess.run(
        [*cmd, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=ROOT,
    )
    return proc


@pytest.mark.slow
def test_crashing_rank_ends_the_run_with_a_clear_error(tmp_path) -> None:
    # 出错的进程若让其他进程一直等下去，subprocess 的超时会让测试失败（TimeoutExpired）
    proc = _torchrun(str(HERE), "crash", str(tmp_path), timeout=HANG_LIMIT)
    assert proc.returncode != 0
    assert "1 号进程模拟的故障" in proc.stderr


@pytest.mark.slow
def test_hanging_rank_times_out_instead_of_hanging(tmp_path) -> None:
    proc = _torchrun(str(HERE), "hang", str(tmp_path), timeout=HANG_LIMIT)
    assert proc.returncode != 0
    assert "通信失败" in proc.stderr and "5 秒" in proc.stderr  # 0 号进程等了 5 秒后报错


@pytest.mark.slow
def test_resume_from_checkpoint_under_torchrun(tmp_path) -> None:
    # 同一次 torchrun 中：先训练 2 轮并保存检查点，再用一个新模型从检查点续训到第 3 轮
    proc = _torchrun(str(HERE), "resume", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    state = torch.load(tmp_path / "after2" / "checkpoint.pt", weights_only=True)
    assert state["epoch"] == 2 and len(state["rng_ranks"]) == 2
    assert not any(k.startswith("module.") for k in state["model"])  # 与单进程的检查点通用
    resumed = torch.load(tmp_path / "resumed.pt", weights_only=True)
    weights, history = _train(epochs=3)  # 不中断、单进程
    _assert_same_weights(resumed["weights"], weights)
    _assert_same_metrics(resumed["history"], history)
    assert [r["epoch"] for r in resumed["history"]["epochs"]] == [1, 2, 3]


@pytest.mark.slow
def test_cli_run_under_torchrun(tmp_path) -> None:
    store = tmp_path / "results.json"
    args = ["-m", "dlbook", "run", "linear-regression-concise", "--device", "cpu"]
    proc = _torchrun(*args, "--results", str(store))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("我们：") == 1  # 只有 0 号进程打印结果
    assert "on 2×cpu" in proc.stdout
    assert "[rank 1/2]" in proc.stderr and "[rank 0/2]" in proc.stderr  # 每个进程的日志
    runs = json.loads(store.read_text(encoding="utf-8"))["runs"]
    assert len(runs) == 1  # 只有 0 号进程写结果
    from dlbook.experiments import run_experiment

    single = run_experiment("linear-regression-concise", device="cpu", verbose=False)
    assert runs[0]["metrics"]["train_loss"] == pytest.approx(single.metrics["train_loss"], rel=1e-3)


# ---------------------------------------------------------------------------
# 作为 torchrun 脚本运行时的场景
# ---------------------------------------------------------------------------


def _scenario(args: argparse.Namespace) -> int:
    torch.set_num_threads(1)
    out = Path(args.out)
    if args.name in ("crash", "hang"):
        _train(net=_toy_net(fail_at=3, hang=args.name == "hang"))
    elif args.name == "resume":
        _train(epochs=2, checkpoint_dir=str(out))
        if int(os.environ["RANK"]) == 0:  # 留一份第 2 轮的检查点给测试检查
            (out / "after2").mkdir()
            shutil.copyfile(out / "checkpoint.pt", out / "after2" / "checkpoint.pt")
        torch.distributed.barrier()
        weights, history = _train(epochs=3, checkpoint_dir=str(out), resume=True)
        if int(os.environ["RANK"]) == 0:
            torch.save({"weights": weights, "history": history}, out / "resumed.pt")
    else:
        raise ValueError(f"未知的场景 {args.name!r}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("out")
    parser.add_argument("--device", default="cpu")
    raise SystemExit(distributed_command(_scenario)(parser.parse_args()))
