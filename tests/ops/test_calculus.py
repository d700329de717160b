"""dlbook.ops.calculus：差商收敛到导数、逐点梯度与手算的梯度相同、计算图的文字树、穿过控制流的导数。"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.ops.calculus import (
    describe_graph,
    difference_quotient,
    scale_by_control_flow,
    value_and_grad_2d,
)


def test_difference_quotient_error_shrinks_linearly_with_h() -> None:
    """前向差商的误差是 h·f''(ξ)/2：对 sin 在 x=1 处，h 缩小 10 倍，误差也缩小约 10 倍。"""
    errors = [
        abs(difference_quotient(math.sin, 1.0, h) - math.cos(1.0)) for h in (1e-1, 1e-2, 1e-3)
    ]
    for big, small in zip(errors, errors[1:]):
        assert 8 < big / small < 12
    assert errors[0] == pytest.approx(0.1 * math.sin(1.0) / 2, rel=0.1)


def test_difference_quotient_is_exact_for_lines_and_rejects_zero_h() -> None:
    assert difference_quotient(lambda x: 3 * x - 1, 2.0, 0.5) == 3.0
    assert difference_quotient(lambda x: x**2, 1.0, -0.5) == 1.5  # h 为负：后向差商
    with pytest.raises(ValueError, match="h"):
        difference_quotient(math.sin, 0.0, 0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), n=st.integers(1, 20))
def test_value_and_grad_2d_matches_the_analytic_gradient(seed: int, n: int) -> None:
    g = torch.Generator().manual_seed(seed)
    x1, x2 = (
        torch.randn(n, generator=g, dtype=torch.float64),
        torch.randn(n, generator=g, dtype=torch.float64),
    )
    value, g1, g2 = value_and_grad_2d(lambda a, b: a**2 * b + torch.sin(b), x1, x2)
    torch.testing.assert_close(value, x1**2 * x2 + torch.sin(x2))
    torch.testing.assert_close(g1, 2 * x1 * x2)
    torch.testing.assert_close(g2, x1**2 + torch.cos(x2))
    assert not (value.requires_grad or g1.requires_grad or g2.requires_grad)
    assert not x1.requires_grad and x1.grad is None  # 输入不被改动


def test_value_and_grad_2d_checks_its_arguments() -> None:
    x = torch.zeros(3)
    with pytest.raises(ValueError, match="形状"):
        value_and_grad_2d(lambda a, b: a + b, x, torch.zeros(4))
    with pytest.raises(TypeError, match="浮点"):
        value_and_grad_2d(lambda a, b: a + b, x, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="逐元素"):
        value_and_grad_2d(lambda a, b: (a + b).sum(), x, x)


def test_describe_graph_names_leaves_and_collapses_repeated_ops() -> None:
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2, requires_grad=True)
    tree = describe_graph((x * w + x).sum(), {"x": x})
    lines = tree.splitlines()
    assert lines[0] == "SumBackward0"
    assert lines[1] == "└── AddBackward0"
    assert sum("x（叶子张量，形状 (2,)）" in line for line in lines) == 2  # x 用了两次
    assert sum(line.endswith("叶子张量（形状 (2,)）") for line in lines) == 1  # 没有名字的 w
    y = x
    for _ in range(5):
        y = y * 3
    assert describe_graph(y).splitlines()[0] == "MulBackward0 × 5（同一运算连续 5 次）"
    assert "没有计算图" in describe_graph(torch.ones(2))


@pytest.mark.parametrize(
    ("a", "k"),
    [(0.3, 4096.0), (600.0, 2.0), (1000.0, 2.0), (-0.3, 409600.0)],
)
def test_scale_by_control_flow_gradient_is_the_scale_factor(a: float, k: float) -> None:
    """结果总是 k·a，导数就是 k：0.3 要翻倍 12 次才到 ‖b‖ ≥ 1000；600 只乘一次 2；
    -0.3 走同样的循环，但元素和为负，再乘 100。"""
    x = torch.tensor(a, requires_grad=True)
    y = scale_by_control_flow(x)
    y.backward()
    assert float(x.grad) == k
    assert float(y.detach()) == pytest.approx(k * a)
    with pytest.raises(ValueError, match="0"):
        scale_by_control_flow(torch.zeros(3))
