"""差商、逐点梯度、计算图描述、控制流求导与梯度场图的测试。"""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.collections import LineCollection
from matplotlib.quiver import Quiver

import dlbook


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_difference_quotient_converges_to_derivative():
    f = lambda x: 3 * x**2 - 4 * x  # noqa: E731
    errors = [abs(dlbook.difference_quotient(f, 1.0, h) - 2.0) for h in (0.1, 0.01, 0.001)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] == pytest.approx(0.003, rel=1e-3)  # 误差恰为 3h
    with pytest.raises(ValueError, match="h"):
        dlbook.difference_quotient(f, 1.0, 0.0)


def test_value_and_grad_2d_matches_analytic_gradients():
    g = torch.Generator().manual_seed(0)
    x1 = torch.randn(50, generator=g, dtype=torch.float64)
    x2 = torch.randn(50, generator=g, dtype=torch.float64)
    value, g1, g2 = dlbook.value_and_grad_2d(lambda a, b: a**2 + 2 * b**2, x1, x2)
    torch.testing.assert_close(value, x1**2 + 2 * x2**2)
    torch.testing.assert_close(g1, 2 * x1)
    torch.testing.assert_close(g2, 4 * x2)

    value, g1, g2 = dlbook.value_and_grad_2d(
        lambda a, b: torch.sin(a) * torch.cos(b), x1.reshape(5, 10), x2.reshape(5, 10)
    )
    torch.testing.assert_close(g1, torch.cos(x1).reshape(5, 10) * torch.cos(x2).reshape(5, 10))
    torch.testing.assert_close(g2, -torch.sin(x1).reshape(5, 10) * torch.sin(x2).reshape(5, 10))
    assert not value.requires_grad and not x1.requires_grad


def test_value_and_grad_2d_rejects_bad_inputs():
    with pytest.raises(ValueError, match="形状"):
        dlbook.value_and_grad_2d(lambda a, b: a + b, torch.zeros(2), torch.zeros(3))
    with pytest.raises(TypeError, match="浮点"):
        dlbook.value_and_grad_2d(
            lambda a, b: a + b, torch.zeros(2, dtype=torch.long), torch.zeros(2, dtype=torch.long)
        )
    with pytest.raises(ValueError, match="逐元素"):
        dlbook.value_and_grad_2d(lambda a, b: (a + b).sum(), torch.zeros(2), torch.zeros(2))


def test_describe_graph_lists_operations_and_leaves():
    x = torch.arange(4.0, requires_grad=True)
    w = torch.ones(4, requires_grad=True)
    y = (x * w).sum()
    text = dlbook.describe_graph(y, {"x": x, "w": w})
    assert text.splitlines()[0] == "SumBackward0"
    assert "MulBackward0" in text and "x（叶子张量" in text and "w（叶子张量" in text
    assert "没有计算图" in dlbook.describe_graph(x.detach())


def test_control_flow_gradient_equals_value_over_input():
    g = torch.Generator().manual_seed(1)
    for a0 in torch.randn(100, generator=g):
        a = a0.clone().requires_grad_(True)
        d = dlbook.scale_by_control_flow(a)
        d.backward()
        k = (d / a).item()
        assert a.grad.item() == pytest.approx(k, rel=1e-6)
        # k 是 2 的幂（a > 0），或 100 乘 2 的幂（a < 0）
        base = k if a0 > 0 else k / 100
        assert math.log2(base) == pytest.approx(round(math.log2(base)))
    with pytest.raises(ValueError, match="全为 0"):
        dlbook.scale_by_control_flow(torch.tensor(0.0))


def test_draw_gradient_field_draws_contours_and_orthogonal_arrows():
    ax = dlbook.draw_gradient_field(
        lambda a, b: a**2 + 2 * b**2, num_arrows=6, points=[(1.0, 1.0)], title="测试"
    )
    quivers = [c for c in ax.collections if isinstance(c, Quiver)]
    assert len(quivers) == 1
    q = quivers[0]
    assert q.N == 36
    # 箭头方向与解析梯度 (2x1, 4x2) 相同
    xy = q.XY
    expected = torch.tensor(xy, dtype=torch.float64) * torch.tensor([2.0, 4.0], dtype=torch.float64)
    u, v = torch.tensor(q.U), torch.tensor(q.V)
    cross = u * expected[:, 1] - v * expected[:, 0]
    assert cross.abs().max() < 1e-9
    assert (u * expected[:, 0] + v * expected[:, 1] >= 0).all()
    assert ax.get_title() == "测试"
    # 重点标出的点：一条切线（虚线）与它经过的点
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1
    (x0, x1), (y0, y1) = dashed[0].get_data()
    assert (x1 - x0) * 2.0 + (y1 - y0) * 4.0 == pytest.approx(0.0, abs=1e-9)
    assert any(isinstance(c, LineCollection) or hasattr(c, "levels") for c in ax.collections)


def test_draw_gradient_field_validates_arguments():
    f = lambda a, b: a + b  # noqa: E731
    with pytest.raises(ValueError, match="num_arrows"):
        dlbook.draw_gradient_field(f, num_arrows=1)
    with pytest.raises(ValueError, match="xlim"):
        dlbook.draw_gradient_field(f, xlim=(1.0, -1.0))
