"""从零实现的数据并行（dlbook.train.parallel）、28×28 的 ResNet-18 与第 11 章的测量函数。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from dlbook.train import parallel as P
from dlbook.utils import performance as perf
from dlbook.models.resnet_small import resnet18_small

CPU = torch.device("cpu")


def _batch(n: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)


@pytest.mark.parametrize("k", [2, 3])
def test_one_data_parallel_step_equals_one_step_on_the_whole_batch(k: int) -> None:
    # 用较大的初值，让一步更新的变化明显；10 个样本分给 3 个副本时是 4/3/3，不均分
    params = P.lenet_params(scale=0.1, generator=torch.Generator().manual_seed(0))
    X, y = _batch(10)
    replicas = [P.get_params(params, CPU) for _ in range(k)]
    single = [P.get_params(params, CPU)]
    loss_k = P.train_batch(X, y, replicas, [CPU] * k, lr=0.5)
    loss_1 = P.train_batch(X, y, single, [CPU], lr=0.5)
    torch.testing.assert_close(loss_k, loss_1)
    moved = max((a - b).abs().max().item() for a, b in zip(single[0], params))
    assert moved > 1e-3  # 参数确实更新了
    for replica in replicas:
        for p, q in zip(replica, single[0]):
            torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
            assert p.grad is not None and not p.grad.abs().any()  # sgd 之后梯度清零


def test_allreduce_writes_the_sum_back_in_place() -> None:
    data = [torch.full((2, 3), float(i + 1)) for i in range(3)]
    ids = [id(t) for t in data]
    allreduce_targets = list(data)
    P.allreduce(allreduce_targets)
    assert [id(t) for t in allreduce_targets] == ids  # 没有换成新张量
    for t in data:
        assert torch.equal(t, torch.full((2, 3), 6.0))


def test_split_batch_shapes_and_errors() -> None:
    X, y = _batch(5)
    Xs, ys = P.split_batch(X, y, [CPU] * 3)
    assert [len(t) for t in Xs] == [2, 2, 1] and torch.equal(torch.cat(ys), y)
    with pytest.raises(ValueError, match="样本数"):
        P.split_batch(X, y[:3], [CPU])
    with pytest.raises(ValueError, match="devices"):
        P.split_batch(X, y, [])


def test_param_lenet_module_matches_function() -> None:
    net = P.ParamLeNet(generator=torch.Generator().manual_seed(0))
    params = P.lenet_params(generator=torch.Generator().manual_seed(0))
    X, _ = _batch(4)
    torch.testing.assert_close(net(X), P.param_lenet(X, params))


def test_replica_devices_and_description() -> None:
    devices = P.replica_devices(3)
    assert len(devices) == 3
    assert P.describe_devices([CPU]) == "cpu"
    with pytest.raises(ValueError, match="k"):
        P.replica_devices(0)


def test_train_runs_on_two_replicas(monkeypatch) -> None:
    from dlbook.data import TensorBatches

    X, y = _batch(40)

    def fake_loader(batch_size, *, seed=0, num_train=None, num_test=None, **kwargs):
        return TensorBatches((X, y), batch_size, seed=seed), TensorBatches((X, y), 16, False)

    monkeypatch.setattr("dlbook.data.load_fashion_mnist", fake_loader)
    h2 = P.train(P.replica_devices(2), 16, 0.3, 2, plot=False, verbose=False)
    h1 = P.train(P.replica_devices(1), 16, 0.3, 2, plot=False, verbose=False)
    assert [r.num_examples for r in h2.epochs] == [40, 40]
    assert h2.column("train_loss") == pytest.approx(h1.column("train_loss"), rel=1e-5)
    assert h2.column("test_acc") == pytest.approx(h1.column("test_acc"))


def test_resnet18_small_keeps_28x28_resolution_in_first_stage() -> None:
    net = resnet18_small(generator=torch.Generator().manual_seed(0))
    assert not any(isinstance(m, nn.MaxPool2d) for m in net.modules())
    out = net[:2](torch.zeros(1, 1, 28, 28))
    assert out.shape == (1, 64, 28, 28)
    again = resnet18_small(generator=torch.Generator().manual_seed(0))
    assert torch.equal(net[-1].weight, again[-1].weight)
    with pytest.raises(ValueError, match="num_classes"):
        resnet18_small(0)


def test_measurements_are_positive_and_consistent() -> None:
    rows = perf.matmul_gflops([8, 32], min_seconds=0.001)
    assert [r["flops"] for r in rows] == [2 * 8**3, 2 * 32**3]
    assert all(r["gflops"] > 0 for r in rows)
    rows = perf.copy_bandwidth([1024], min_seconds=0.001)
    assert rows[0]["gbps"] == pytest.approx(2 * 1024 / rows[0]["seconds"] / 1e9)
    with pytest.raises(ValueError, match="4 的"):
        perf.copy_bandwidth([3])
    with pytest.raises(ValueError, match="repeat"):
        perf.benchmark(lambda: None, repeat=0)
    before = torch.get_num_threads()
    rows = perf.thread_scaling(lambda: torch.ones(8) + 1, (1, 2), min_seconds=0.001)
    assert [r["threads"] for r in rows] == [1, 2] and torch.get_num_threads() == before


def test_simulated_pipeline_overlaps_host_and_device() -> None:
    import time

    def sleep(seconds):
        return lambda: time.sleep(seconds)

    waiting = perf.simulate_pipeline(
        8, sleep(0.01), sleep(0.01), wait_every_batch=True
    )  # 主机与设备轮流：约 8 × 0.02 秒
    overlapped = perf.simulate_pipeline(8, sleep(0.01), sleep(0.01), wait_every_batch=False)
    assert waiting >= 0.16
    assert overlapped < waiting * 0.85  # 重叠起来约 9 × 0.01 秒


def test_readback_cost_gives_same_loss_both_ways() -> None:
    X, y = _batch(32)
    batches = [(X[i : i + 8], y[i : i + 8]) for i in range(0, 32, 8)]
    out = perf.readback_cost(lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), batches)
    assert out["per_batch"] > 0 and out["per_epoch"] > 0 and out["num_batches"] == 4
    assert 0 < out["item_seconds"] < 0.01


def test_compare_compiled_checks_results_and_reports_cost() -> None:
    out = perf.compare_compiled(lambda x: torch.sin(x) * 2 + 1, torch.ones(16), backend="eager")
    assert set(out) == {"eager", "first_call", "compiled", "speedup", "break_even"}
    assert out["first_call"] > 0 and out["speedup"] > 0
