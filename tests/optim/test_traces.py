"""dlbook.optim.traces：一维与二维的优化轨迹与轨迹图。"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

from dlbook.optim.traces import show_trace_1d, show_trace_2d, trace_1d, trace_optimizer, train_2d


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
