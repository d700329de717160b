"""dlbook.optim.traces：优化轨迹、轨迹图、房价回归数据与比较优化器的训练循环。"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch

from dlbook.optim.traces import (
    OptimizerHistory,
    load_house_regression,
    show_trace_1d,
    show_trace_2d,
    trace_1d,
    trace_optimizer,
    train_2d,
    train_optimizer,
)


def test_trace_1d_gradient_descent_on_square_is_geometric(capsys):
    xs = trace_1d(lambda x: x - 0.2 * 2 * x, x0=10.0, num_steps=10)
    assert len(xs) == 11
    for k, x in enumerate(xs):
        assert x == pytest.approx(10.0 * 0.6**k)
    assert capsys.readouterr().out.strip() == f"epoch 10, x: {xs[-1]:f}"


def test_trace_1d_accepts_tensor_steps_and_checks_arguments():
    xs = trace_1d(lambda x: torch.tensor(x) / 2, x0=torch.tensor(4.0), num_steps=2, verbose=False)
    assert xs == [4.0, 2.0, 1.0]
    with pytest.raises(TypeError):
        trace_1d(3.0)
    with pytest.raises(ValueError):
        trace_1d(lambda x: x, num_steps=-1)


def test_train_2d_passes_state_and_records_every_point(capsys):
    def momentum_like(x1, x2, s1, s2):
        s1, s2 = 0.5 * s1 + x1, 0.5 * s2 + x2
        return x1 - 0.1 * s1, x2 - 0.1 * s2, s1, s2

    points = train_2d(momentum_like, num_steps=3)
    assert len(points) == 4 and points[0] == (-5.0, -2.0)
    # 手算前两步：s = x0，x1 = x0 - 0.1 x0；s = 0.5 x0 + x1
    assert points[1] == pytest.approx((-4.5, -1.8))
    s1 = 0.5 * -5.0 + -4.5
    assert points[2][0] == pytest.approx(-4.5 - 0.1 * s1)
    assert "epoch 3, x1:" in capsys.readouterr().out


def test_train_2d_rejects_bad_steps():
    with pytest.raises(TypeError, match="四元组"):
        train_2d(lambda x1, x2, s1, s2: (x1, x2), num_steps=1, verbose=False)
    with pytest.raises(ValueError):
        train_2d(lambda *a: a, x0=(1.0,), verbose=False)


def test_show_traces_draw_on_given_axes():
    fig, axes = plt.subplots(1, 2)
    ax = show_trace_1d(lambda x: x**2, [10.0, 6.0, 3.6], ax=axes[0])
    assert ax is axes[0] and len(ax.get_lines()) == 2
    points = [(-5.0, -2.0), (-4.0, -1.2), (-3.2, -0.72)]
    ax2 = show_trace_2d(lambda a, b: a**2 + 2 * b**2, points, ax=axes[1], xlim=(-6, 1))
    assert ax2 is axes[1]
    assert ax2.get_xlim() == (-6, 1)
    x, y = ax2.get_lines()[0].get_data()
    assert list(x) == [-5.0, -4.0, -3.2] and list(y) == [-2.0, -1.2, -0.72]
    plt.close(fig)
    with pytest.raises(ValueError):
        show_trace_2d(lambda a, b: a, [])


def test_load_house_regression_is_standardised_and_reshuffled():
    data_iter, d = load_house_regression(batch_size=1460)
    X, y = next(iter(data_iter))
    assert d == 36 and X.shape == (1460, 36) and y.shape == (1460, 1)
    assert not torch.isnan(X).any()
    assert y.mean().abs() < 1e-4 and y.std() == pytest.approx(1.0, abs=1e-3)
    small, _ = load_house_regression(batch_size=5, num_examples=20, seed=1)
    first = [b[1].flatten().tolist() for b in small]
    second = [b[1].flatten().tolist() for b in small]
    assert first != second  # 每轮重新打乱
    assert sorted(sum(first, [])) == sorted(sum(second, []))
    again, _ = load_house_regression(batch_size=5, num_examples=20, seed=1)
    assert [b[1].flatten().tolist() for b in again] == first
    with pytest.raises(ValueError, match="1460"):
        load_house_regression(10, num_examples=1500)
    with pytest.raises(ValueError):
        load_house_regression(0)


def test_load_house_regression_clips_only_the_extreme_entries():
    clipped = load_house_regression(batch_size=1460)[0].tensors[0]
    raw = load_house_regression(batch_size=1460, clip=None)[0].tensors[0]
    assert clipped.abs().max() == 3.0 and raw.abs().max() > 30
    inside = raw.abs() <= 3
    assert torch.equal(clipped[inside], raw[inside])  # 只改动了截断的元素
    assert torch.equal(clipped[~inside], 3.0 * raw[~inside].sign())
    assert load_house_regression(1460, clip=1)[0].tensors[0].abs().max() == 1.0
    for bad in (0, -1.0, "3"):
        with pytest.raises(ValueError, match="clip"):
            load_house_regression(10, clip=bad)


def test_trace_optimizer_matches_the_hand_written_update():
    def f(x1, x2):
        return 0.1 * x1**2 + 2 * x2**2

    def momentum_2d(x1, x2, v1, v2):  # 动量法：v ← βv + g，x ← x − ηv
        v1, v2 = 0.5 * v1 + 0.2 * x1, 0.5 * v2 + 4 * x2
        return x1 - 0.4 * v1, x2 - 0.4 * v2, v1, v2

    expected = train_2d(momentum_2d, num_steps=15, verbose=False)
    points = trace_optimizer(f, lambda p: torch.optim.SGD(p, lr=0.4, momentum=0.5), num_steps=15)
    assert len(points) == 16
    for (a1, a2), (b1, b2) in zip(points, expected):
        assert a1 == pytest.approx(b1, abs=1e-12) and a2 == pytest.approx(b2, abs=1e-12)
    with pytest.raises(ValueError, match="x0"):
        trace_optimizer(f, lambda p: torch.optim.SGD(p, lr=0.1), x0=(1.0,))


def test_train_optimizer_records_losses_and_is_reproducible(capsys):
    data_iter, d = load_house_regression(batch_size=10, num_examples=500)
    make = lambda p: torch.optim.SGD(p, lr=0.05)  # noqa: E731
    h1 = train_optimizer(make, data_iter, d, 2, plot=False)
    assert capsys.readouterr().out.startswith("loss: ")
    # 训练前一次，之后每 200 个样本一次：共 1 + 1000 // 200 次
    assert h1.epochs == pytest.approx([0.0, 0.4, 0.8, 1.2, 1.6, 2.0])
    assert len(h1.losses) == len(h1.seconds) == 6
    assert h1.seconds == sorted(h1.seconds)
    assert h1.losses[0] == pytest.approx(0.5, abs=0.05)  # 预测约为 0：损失约为方差的一半
    assert h1.final_loss < 0.2
    # 同一个数据迭代器再训练一次：轮次由 (seed, epoch) 决定，结果完全相同
    h2 = train_optimizer(make, data_iter, d, 2, plot=False, verbose=False)
    assert h2.losses == h1.losses


def test_train_optimizer_matches_full_batch_gradient_descent_by_hand():
    data_iter, d = load_house_regression(batch_size=100, num_examples=100)
    h = train_optimizer(
        lambda p: torch.optim.SGD(p, lr=0.1),
        data_iter,
        d,
        3,
        eval_every=100,
        plot=False,
        verbose=False,
    )
    X, y = data_iter.tensors
    from dlbook.models.linear import linear_regression
    from dlbook.utils.seeding import init_generator

    net = linear_regression(d, sigma=0.01, generator=init_generator(0))
    w, b = net[0].weight.detach().clone(), net[0].bias.detach().clone()
    expected = []
    for _ in range(4):
        err = X @ w.T + b - y
        expected.append(float((err**2 / 2).mean()))
        w -= 0.1 * (err * X).mean(0, keepdim=True)
        b -= 0.1 * err.mean(0)
    assert h.epochs == [0.0, 1.0, 2.0, 3.0]
    assert h.losses == pytest.approx(expected, rel=1e-5)


def test_train_optimizer_checks_arguments():
    data_iter, d = load_house_regression(batch_size=10, num_examples=20)
    with pytest.raises(TypeError):
        train_optimizer(None, data_iter, d, plot=False)
    with pytest.raises(TypeError, match="zero_grad"):
        train_optimizer(lambda p: object(), data_iter, d, plot=False)
    with pytest.raises(ValueError):
        train_optimizer(lambda p: torch.optim.SGD(p, lr=0.1), data_iter, d, 0, plot=False)
    with pytest.raises(ValueError):
        train_optimizer(lambda p: torch.optim.SGD(p, lr=0.1), data_iter, 0, plot=False)


def test_optimizer_history_properties():
    h = OptimizerHistory()
    with pytest.raises(IndexError):
        _ = h.final_loss
    assert h.sec_per_epoch == 0.0
    h = OptimizerHistory([0.0, 2.0], [1.0, math.inf], [0.0, 3.0])
    assert h.sec_per_epoch == 1.5 and h.final_loss == math.inf


@pytest.mark.parametrize(
    "name", ["minibatch-sgd-gd", "minibatch-sgd-sgd", "minibatch-sgd-10", "minibatch-sgd-100"]
)
def test_minibatch_experiments_run_and_converge(name):
    from dlbook.experiments import get_experiment, run_experiment

    exp = get_experiment(name)
    assert exp.cheap_on_cpu and exp.task == "regression"
    result = run_experiment(name, profile="full", device="cpu", verbose=False)
    # 标准化的对数房价：不学习时损失约为 0.5，四种批量大小在书中的设置下都降到 0.1 以下
    assert result.metrics["train_loss"] < 0.1
    assert result.metrics["sec_per_epoch"] > 0
