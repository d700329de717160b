"""train_classifier 与 train_regression 的单元测试：每轮调用 train_epoch，外面包着的各层
（进度条、实时曲线、学习率调度、检查点）与参数检查（全部在 CPU 上、用内存中的小数据）。"""

from __future__ import annotations

import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from dlbook.data import TensorBatches
from dlbook.ops.basic import cross_entropy, linreg, sgd, softmax, squared_loss
from dlbook.train.loop import History, evaluate_accuracy, evaluate_loss, init_weights, train_epoch
from dlbook.train.trainer import train_classifier, train_regression

SUMMARY = re.compile(
    r"^loss \d+\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}, \d+\.\d examples/sec on cpu$"
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def toy_data(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """两团线性可分的二维点：类别 0 在 (-2, -2) 附近，类别 1 在 (2, 2) 附近。"""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    X = torch.randn(n, 2, generator=g) * 0.7 + (y.float() * 4 - 2).unsqueeze(1)
    return X, y


def toy_loaders(batch_size: int = 50, n: int = 400, seed: int = 0):
    X, y = toy_data(n, seed)
    train = TensorBatches((X, y), batch_size, shuffle=True, seed=seed)
    test = TensorBatches(toy_data(200, seed + 1), batch_size, shuffle=False)
    return train, test


def test_learns_separable_problem_with_lr(capsys) -> None:
    train, test = toy_loaders()
    net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    history = train_classifier(net, train, test, 5, lr=0.3, seed=0, plot=False)
    assert history.final.train_acc > 0.97
    assert history.final.test_acc > 0.97
    assert len(history) == 5 and [r.epoch for r in history.epochs] == [1, 2, 3, 4, 5]
    out, err = capsys.readouterr()
    assert err == ""  # 不是终端：没有进度条
    assert SUMMARY.match(out.strip()), out
    assert out.strip() == history.summary()


def test_learns_with_optimizer_and_xavier_init() -> None:
    train, test = toy_loaders()
    net = nn.Sequential(nn.Linear(2, 8), nn.Sigmoid(), nn.Linear(8, 2))
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    history = train_classifier(
        net, train, test, 6, optimizer=opt, init="xavier", seed=0, plot=False, verbose=False
    )
    assert history.final.test_acc > 0.97
    assert history.final.test_loss < history.epochs[0].train_loss


def test_learns_with_scratch_softmax_and_updater() -> None:
    """第 2 章的用法：手写模型（普通函数）、手写交叉熵、手写 sgd。"""
    train, test = toy_loaders()
    W = torch.normal(0, 0.01, (2, 2), generator=torch.Generator().manual_seed(0))
    W.requires_grad_()
    b = torch.zeros(2, requires_grad=True)

    def net(X: torch.Tensor) -> torch.Tensor:
        return softmax(X @ W + b)

    history = train_classifier(
        net,
        train,
        test,
        5,
        loss=cross_entropy,
        updater=lambda n: sgd([W, b], 0.1, n),
        plot=False,
        verbose=False,
    )
    assert history.final.test_acc > 0.97
    assert evaluate_accuracy(net, test) == pytest.approx(history.final.test_acc)


def test_history_metrics_match_separate_evaluation() -> None:
    train, test = toy_loaders()
    net = nn.Linear(2, 2)
    history = train_classifier(net, train, test, 2, lr=0.1, seed=1, plot=False, verbose=False)
    loss = nn.CrossEntropyLoss(reduction="none")
    assert history.final.test_acc == pytest.approx(evaluate_accuracy(net, test))
    with torch.no_grad():
        X, y = torch.cat([b[0] for b in test]), torch.cat([b[1] for b in test])
        expected = loss(net(X), y).mean().item()
    assert history.final.test_loss == pytest.approx(expected, rel=1e-5)
    r = history.final
    assert r.num_examples == 400
    assert r.examples_per_sec == pytest.approx(r.num_examples / r.train_seconds)
    assert r.wall_time >= sum(e.train_seconds for e in history.epochs)


def test_same_seed_gives_identical_runs() -> None:
    def run() -> History:
        train, test = toy_loaders()
        torch.manual_seed(0)  # 偏置的初值来自构造模型时的全局随机数
        net = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.3), nn.ReLU(), nn.Linear(8, 2))
        return train_classifier(
            net, train, test, 3, lr=0.2, init="xavier", seed=7, plot=False, verbose=False
        )

    a, b = run(), run()
    for name in ("train_loss", "train_acc", "test_loss", "test_acc"):
        assert a.column(name) == b.column(name)


@pytest.mark.parametrize("num_batches", [1, 2, 3, 4])
def test_fewer_than_five_batches_with_plot(num_batches: int) -> None:
    """D2L 的 train_ch6 在少于 5 个批次时除以零；这里每批报告一次。"""
    train, test = toy_loaders(batch_size=-(-400 // num_batches))
    assert len(train) == num_batches
    history = train_classifier(nn.Linear(2, 2), train, test, 2, lr=0.1, plot=True, verbose=False)
    assert len(history) == 2
    fig = plt.gcf()
    lines = fig.axes[0].get_lines()
    assert len(lines[0].get_xdata()) == 2 * num_batches  # 训练损失：每批一个点
    assert list(lines[2].get_xdata()) == [1.0, 2.0]  # 测试准确率：每轮一个点


def test_loader_without_len_and_no_test_set() -> None:
    X, y = toy_data()

    def batches():
        for i in range(0, 400, 100):
            yield X[i : i + 100], y[i : i + 100]

    class Reiterable:
        def __iter__(self):
            return batches()

    history = train_classifier(nn.Linear(2, 2), Reiterable(), None, 2, lr=0.5, verbose=False)
    assert history.final.test_acc is None and history.final.test_loss is None
    assert "test acc" not in history.summary()


def test_syncs_once_per_epoch_without_plot(monkeypatch) -> None:
    """指标在设备上累加：没有画图时，每轮训练只把张量转成 Python 数两次（损失与正确数）。"""
    train, _ = toy_loaders(batch_size=10)  # 40 个批次
    calls = {"item": 0}
    real_item = torch.Tensor.item

    def counting_item(self):
        calls["item"] += 1
        return real_item(self)

    monkeypatch.setattr(torch.Tensor, "item", counting_item)
    train_classifier(nn.Linear(2, 2), train, None, 3, lr=0.1, plot=False, verbose=False)
    assert calls["item"] == 3 * 2


def test_progress_bar_only_when_asked(capsys) -> None:
    train, test = toy_loaders()
    train_classifier(nn.Linear(2, 2), train, test, 1, lr=0.1, plot=False, progress=True)
    out, err = capsys.readouterr()
    assert "batch" in err
    assert SUMMARY.match(out.strip())


def test_device_string_and_train_mode_restored() -> None:
    train, test = toy_loaders()
    net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.1))
    history = train_classifier(net, train, test, 1, lr=0.1, device="cpu", verbose=False)
    assert history.device == "cpu"
    net.train()
    evaluate_accuracy(net, test)
    assert net.training  # 评估后恢复原来的模式
    net.eval()
    evaluate_accuracy(net, test)
    assert not net.training


# ---- 回归 ----


def test_regression_recovers_line_with_scratch_updater() -> None:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(200, 2, generator=g)
    y = X @ torch.tensor([[2.0], [-3.4]]) + 4.2
    train = TensorBatches((X, y), 10, seed=0)
    w = torch.normal(0, 0.01, (2, 1), generator=g).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    history = train_regression(
        lambda X: linreg(X, w, b),
        train,
        None,
        5,
        loss=squared_loss,
        updater=lambda n: sgd([w, b], 0.1, n),
        plot=True,
        verbose=False,
    )
    torch.testing.assert_close(w.detach(), torch.tensor([[2.0], [-3.4]]), atol=1e-3, rtol=0)
    assert history.final.train_loss < 1e-6
    assert history.final.train_acc is None
    assert history.summary().startswith("train loss ")


def test_regression_with_mse_and_penalty() -> None:
    g = torch.Generator().manual_seed(1)
    X = torch.randn(20, 50, generator=g)
    y = X @ torch.full((50, 1), 0.01) + 0.05
    train = TensorBatches((X, y), 5, seed=0)
    test = TensorBatches((X, y), 5, shuffle=False)

    def run(lambd: float) -> tuple[History, torch.Tensor]:
        w = torch.normal(0, 1, (50, 1), generator=torch.Generator().manual_seed(2))
        w.requires_grad_()
        b = torch.zeros(1, requires_grad=True)
        h = train_regression(
            lambda X: linreg(X, w, b),
            train,
            test,
            30,
            loss=squared_loss,
            updater=lambda n: sgd([w, b], 0.01, n),
            penalty=lambda: lambd * (w**2).sum() / 2,
            plot=False,
            verbose=False,
        )
        return h, w.detach()

    h0, w0 = run(0.0)
    h3, w3 = run(3.0)
    assert w3.norm() < 0.5 * w0.norm()
    # 记录的训练损失不含正则项：等于在训练集上重新算的损失
    assert h3.final.train_loss == pytest.approx(h3.final.test_loss, rel=1e-5)


def test_regression_with_torch_optimizer_and_reduced_loss() -> None:
    """标量损失（reduction='mean'）配 PyTorch 优化器也能用。"""
    X = torch.linspace(-1, 1, 64).reshape(-1, 1)
    y = 3 * X + 1
    data = TensorBatches((X, y), 16, seed=0)
    net = nn.Linear(1, 1)
    history = train_regression(
        net, data, data, 100, loss=nn.MSELoss(), lr=0.2, seed=0, plot=False, verbose=False
    )
    assert history.final.test_loss < 1e-4
    assert evaluate_loss(net, data, nn.MSELoss(reduction="none")) == pytest.approx(
        history.final.test_loss, rel=1e-4
    )


# ---- 参数检查 ----


@pytest.mark.parametrize("num_epochs", [-1, 0, 1.5, True, "3"])
def test_bad_num_epochs(num_epochs) -> None:
    train, test = toy_loaders()
    with pytest.raises(ValueError, match="num_epochs"):
        train_classifier(nn.Linear(2, 2), train, test, num_epochs, lr=0.1, verbose=False)


@pytest.mark.parametrize("lr", [0, -0.5, float("nan"), math.inf])
def test_bad_lr(lr: float) -> None:
    train, test = toy_loaders()
    with pytest.raises(ValueError, match="lr"):
        train_classifier(nn.Linear(2, 2), train, test, 1, lr=lr, verbose=False)
    with pytest.raises(ValueError, match="lr"):
        train_regression(nn.Linear(2, 1), train, None, 1, loss=squared_loss, lr=lr)


def test_empty_loaders() -> None:
    _, test = toy_loaders()
    with pytest.raises(ValueError, match="train_iter 为空"):
        train_classifier(nn.Linear(2, 2), [], test, 1, lr=0.1)
    with pytest.raises(ValueError, match="test_iter 为空"):
        train_classifier(nn.Linear(2, 2), test, [], 1, lr=0.1)

    class EmptyIterable:  # 没有 len()，遍历时才发现是空的
        def __iter__(self):
            return iter(())

    with pytest.raises(ValueError, match="为空"):
        train_classifier(nn.Linear(2, 2), EmptyIterable(), None, 1, lr=0.1, verbose=False)
    with pytest.raises(ValueError, match="为空"):
        evaluate_accuracy(nn.Linear(2, 2), EmptyIterable())


def test_conflicting_or_missing_update_rule() -> None:
    train, test = toy_loaders()
    net = nn.Linear(2, 2)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="只能给一个"):
        train_classifier(net, train, test, 1, lr=0.1, optimizer=opt)
    with pytest.raises(ValueError, match="需要 lr、optimizer 或 updater"):
        train_classifier(net, train, test, 1)
    with pytest.raises(TypeError, match="optimizer"):
        train_classifier(net, train, test, 1, optimizer="sgd")
    with pytest.raises(TypeError, match="nn.Module"):
        train_classifier(lambda X: X, train, test, 1, lr=0.1)


def test_updater_needs_per_example_loss() -> None:
    train, test = toy_loaders()
    net = nn.Linear(2, 2)
    params = list(net.parameters())
    with pytest.raises(ValueError, match="逐样本"):
        train_classifier(
            net,
            train,
            test,
            1,
            loss=nn.CrossEntropyLoss(),
            updater=lambda n: sgd(params, 0.1, n),
            verbose=False,
        )


def test_bad_batches_and_init() -> None:
    X, y = toy_data()
    with pytest.raises(TypeError, match=r"\(X, y\)"):
        train_classifier(nn.Linear(2, 2), [X], None, 1, lr=0.1, verbose=False)
    with pytest.raises(ValueError, match="init"):
        init_weights(nn.Linear(2, 2), "he")
    with pytest.raises(TypeError, match="plot"):
        train_classifier(nn.Linear(2, 2), [(X, y)], None, 1, lr=0.1, plot="yes")


# ---------------------------------------------------------------------------
# 学习率调度器（scheduler 参数）
# ---------------------------------------------------------------------------


class _LrSpy(torch.optim.SGD):
    """记录每次 step() 时的学习率。"""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.seen: list[float] = []

    def step(self, closure=None):
        self.seen.append(self.param_groups[0]["lr"])
        return super().step(closure)


def _toy_classification():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(40, 2, generator=g)
    y = (X[:, 0] > 0).long()
    return [(X[i : i + 20], y[i : i + 20]) for i in range(0, 40, 20)]


def test_train_classifier_callable_scheduler_sets_lr_at_start_of_each_epoch():
    batches = _toy_classification()
    net = nn.Linear(2, 2)
    opt = _LrSpy(net.parameters(), lr=1.0)
    train_classifier(
        net, batches, None, 3, optimizer=opt, scheduler=lambda e: 0.1 / (e + 1),
        plot=False, verbose=False,
    )  # fmt: skip
    assert opt.seen == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.1 / 3, 0.1 / 3])


def test_train_classifier_torch_scheduler_steps_once_per_epoch():
    batches = _toy_classification()
    net = nn.Linear(2, 2)
    opt = _LrSpy(net.parameters(), lr=0.4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    train_classifier(
        net, batches, None, 3, optimizer=opt, scheduler=sched, plot=False, verbose=False
    )
    assert opt.seen == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1, 0.1])


def test_train_classifier_without_scheduler_is_unchanged():
    batches = _toy_classification()
    torch.manual_seed(0)
    a = nn.Linear(2, 2)
    b = nn.Linear(2, 2)
    b.load_state_dict(a.state_dict())
    ha = train_classifier(a, batches, None, 2, lr=0.3, plot=False, verbose=False)
    hb = train_classifier(
        b, batches, None, 2, lr=0.3, scheduler=lambda e: 0.3, plot=False, verbose=False
    )
    assert ha.column("train_loss") == hb.column("train_loss")
    assert torch.equal(a.weight, b.weight)


def test_train_classifier_scheduler_resume_matches_uninterrupted(tmp_path):
    batches = _toy_classification()

    def run(num_epochs, **kw):
        torch.manual_seed(0)
        net = nn.Linear(2, 2)
        opt = torch.optim.SGD(net.parameters(), lr=0.5)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        train_classifier(
            net, batches, None, num_epochs, optimizer=opt, scheduler=sched,
            plot=False, verbose=False, **kw,
        )  # fmt: skip
        return net, opt

    full, _ = run(3)
    run(1, checkpoint_dir=tmp_path)
    resumed, opt = run(3, checkpoint_dir=tmp_path, resume=True)
    assert torch.allclose(full.weight, resumed.weight)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5 * 0.5**3)


def test_train_classifier_scheduler_argument_checks():
    batches = _toy_classification()
    net = nn.Linear(2, 2)
    other = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(other, step_size=1)
    with pytest.raises(ValueError, match="optimizer"):
        train_classifier(net, batches, None, 1, optimizer=opt, scheduler=sched, plot=False)
    with pytest.raises(ValueError, match="lr 或 optimizer"):
        train_classifier(
            net, batches, None, 1, updater=lambda n: None, scheduler=lambda e: 0.1, plot=False
        )
    with pytest.raises(TypeError, match="scheduler"):
        train_classifier(net, batches, None, 1, lr=0.1, scheduler=0.1, plot=False)


def test_train_classifier_calls_train_epoch_every_epoch(monkeypatch) -> None:
    """书中展示的 train_epoch 就是 train_classifier 与 train_regression 每轮运行的函数。"""
    import dlbook.train.trainer as trainer

    calls: list[str] = []

    def counting(*args, **kwargs):
        calls.append("epoch")
        return train_epoch(*args, **kwargs)

    monkeypatch.setattr(trainer, "train_epoch", counting)
    train, test = toy_loaders()
    train_classifier(nn.Linear(2, 2), train, test, 3, lr=0.1, plot=False, verbose=False)
    assert calls == ["epoch"] * 3
    X = torch.linspace(-1, 1, 20).reshape(-1, 1)
    batches = [(X[i : i + 5], 2 * X[i : i + 5]) for i in range(0, 20, 5)]
    train_regression(
        nn.Linear(1, 1), batches, None, 2, loss=squared_loss, lr=0.1, plot=False, verbose=False
    )
    assert calls == ["epoch"] * 5
