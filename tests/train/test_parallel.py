"""从零实现的数据并行（dlbook.train.parallel）与它训练的 28×28 ResNet-18。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from dlbook.models.resnet import resnet18
from dlbook.train import parallel as P

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


def test_resnet18_small_stem_keeps_28x28_resolution_in_first_stage() -> None:
    net = resnet18(stem="small", generator=torch.Generator().manual_seed(0))
    assert not any(isinstance(m, nn.MaxPool2d) for m in net.modules())
    out = net[:2](torch.zeros(1, 1, 28, 28))
    assert out.shape == (1, 64, 28, 28)
    again = resnet18(stem="small", generator=torch.Generator().manual_seed(0))
    assert torch.equal(net[-1].weight, again[-1].weight)
    with pytest.raises(ValueError, match="num_classes"):
        resnet18(0, stem="small")
