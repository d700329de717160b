"""书中的训练循环（train_step、train_epoch、EpochStats）、评估函数与训练历史的单元测试。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.ops.basic import squared_loss
from dlbook.train.loop import (
    EpochRecord,
    EpochStats,
    History,
    evaluate,
    evaluate_accuracy,
    evaluate_loss,
    train_epoch,
    train_step,
)


def toy_batches(n: int = 100, batch_size: int = 25) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """两团线性可分的二维点，切成小批量。"""
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (n,), generator=g)
    X = torch.randn(n, 2, generator=g) * 0.7 + (y.float() * 4 - 2).unsqueeze(1)
    return [(X[i : i + batch_size], y[i : i + batch_size]) for i in range(0, n, batch_size)]


def test_evaluate_loss_reshapes_labels() -> None:
    net = nn.Linear(1, 1, bias=False)
    nn.init.constant_(net.weight, 1.0)
    X = torch.tensor([[1.0], [2.0], [3.0]])
    y = torch.tensor([1.0, 2.0, 5.0])  # 形状 (3,)，输出是 (3, 1)
    assert evaluate_loss(net, [(X, y)], squared_loss) == pytest.approx(4 / 2 / 3)


def test_history_helpers() -> None:
    h = History(task="regression", device="cpu")
    with pytest.raises(IndexError):
        _ = h.final
    h.append(EpochRecord(1, 0.25, None, 0.5, None, 100, 0.5, 200.0, 0.6))
    assert h.summary() == "train loss 0.25, test loss 0.5, 200.0 examples/sec on cpu"
    with pytest.raises(ValueError, match="没有字段"):
        h.column("accuracy")
    assert History.from_dict(h.to_dict()) == h


# ---- 书中的一轮：train_epoch、EpochStats、evaluate ----


def test_train_epoch_returns_stats_and_matches_manual_steps() -> None:
    batches = toy_batches()
    loss = nn.CrossEntropyLoss(reduction="none")
    torch.manual_seed(0)
    net = nn.Linear(2, 2)
    twin = nn.Linear(2, 2)
    twin.load_state_dict(net.state_dict())
    stats = train_epoch(net, batches, loss, torch.optim.SGD(net.parameters(), lr=0.1))
    opt = torch.optim.SGD(twin.parameters(), lr=0.1)
    total, correct = 0.0, 0
    for Xb, yb in batches:  # 逐步调用 train_step，结果应完全相同
        losses, y_hat = train_step(twin, Xb, yb, loss, opt)
        total += losses.sum().item()
        correct += int((y_hat.argmax(dim=1) == yb).sum())
    assert stats.num_examples == 100
    assert stats.loss == pytest.approx(total / 100)
    assert stats.accuracy == correct / 100
    assert torch.equal(net.weight, twin.weight)
    assert repr(stats).startswith("EpochStats(loss=")


def test_train_epoch_hooks_and_regression_mode() -> None:
    X = torch.linspace(-1, 1, 20).reshape(-1, 1)
    batches = [(X[i : i + 5], 3 * X[i : i + 5]) for i in range(0, 20, 5)]
    net = nn.Linear(1, 1)
    seen: list[tuple[int, int]] = []
    calls: list[int] = []

    def step(net, X, y, loss, updater):  # 换掉一步：例如多进程时的 distributed_train_step
        calls.append(X.shape[0])
        return train_step(net, X, y, loss, updater)

    stats = train_epoch(
        net,
        batches,
        nn.MSELoss(reduction="none"),
        torch.optim.SGD(net.parameters(), lr=0.1),
        accuracy=False,
        step=step,
        on_batch=lambda i, s: seen.append((i, s.num_examples)),
    )
    assert stats.accuracy is None and stats.loss > 0
    assert calls == [5, 5, 5, 5]
    assert seen == [(0, 5), (1, 10), (2, 15), (3, 20)]


def test_epoch_stats_scalar_losses_and_empty() -> None:
    stats = EpochStats(accuracy=False)
    stats.add(torch.tensor(2.0), torch.zeros(4, 1), torch.zeros(4))  # 已经求过平均的损失
    stats.add(torch.tensor([1.0, 3.0]), torch.zeros(2, 1), torch.zeros(2))
    assert stats.loss == pytest.approx((2.0 * 4 + 4.0) / 6)
    assert stats.accuracy is None
    with pytest.raises(ValueError, match="为空"):
        _ = EpochStats().loss
    with pytest.raises(ValueError, match="为空"):
        _ = EpochStats().accuracy


def test_evaluate_matches_the_two_special_cases() -> None:
    test = toy_batches(200, 50)
    net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    loss = nn.CrossEntropyLoss(reduction="none")
    stats = evaluate(net, test, loss)
    assert stats.accuracy == evaluate_accuracy(net, test)
    assert stats.num_examples == 200
    assert net.training  # 评估后恢复原来的模式
