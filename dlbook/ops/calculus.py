"""微积分与自动微分的小工具：差商、二元函数的逐点梯度、计算图的文字描述，以及带控制流的示例函数。"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch

__all__ = [
    "difference_quotient",
    "value_and_grad_2d",
    "describe_graph",
    "scale_by_control_flow",
]


def difference_quotient(f: Callable[[float], float], x: float, h: float) -> float:
    """前向差商 ``(f(x + h) - f(x)) / h``：当 ``h → 0`` 时它趋于导数 ``f'(x)``。

    Examples
    --------
    >>> round(difference_quotient(lambda x: x**2, 1.0, 1e-3), 6)  # (x^2)' = 2x，在 x=1 处为 2
    2.001
    """
    if h == 0:
        raise ValueError("h 不能为 0：差商的分母是 h")
    return (f(x + h) - f(x)) / h


def value_and_grad_2d(
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    x1: torch.Tensor,
    x2: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """在许多点上同时计算二元函数 ``f(x1, x2)`` 的值与梯度，梯度由自动微分求出。

    ``f`` 必须逐元素地作用在同形状的 ``x1``、``x2`` 上（例如 ``x1**2 + 2 * x2**2``），
    即第 ``i`` 个输出只依赖第 ``i`` 个点。于是对输出求和后反向传播一次，``x1.grad`` 的第 ``i``
    个元素就是 ``∂f/∂x1`` 在第 ``i`` 个点上的值——这正是“对非标量输出先求和再反向传播”的用法。

    Parameters
    ----------
    f : callable
        二元函数，接受两个张量，返回与它们同形状的张量。
    x1, x2 : torch.Tensor
        同形状的浮点张量，给出各点的两个坐标（例如网格）。

    Returns
    -------
    tuple of torch.Tensor
        ``(value, grad1, grad2)``：函数值、``∂f/∂x1`` 与 ``∂f/∂x2``，都与 ``x1`` 同形状，且不带计算图。

    Examples
    --------
    >>> x1, x2 = torch.tensor([1.0, 0.0]), torch.tensor([1.0, -2.0])
    >>> value_and_grad_2d(lambda a, b: a**2 + 2 * b**2, x1, x2)  # 梯度是 (2 x1, 4 x2)
    (tensor([3., 8.]), tensor([2., 0.]), tensor([ 4., -8.]))
    """
    if x1.shape != x2.shape:
        raise ValueError(f"x1 与 x2 的形状必须相同，收到 {tuple(x1.shape)} 与 {tuple(x2.shape)}")
    if not (x1.is_floating_point() and x2.is_floating_point()):
        raise TypeError("x1 与 x2 必须是浮点张量，才能对它们求导")
    a = x1.detach().clone().requires_grad_(True)
    b = x2.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        y = f(a, b)
        if y.shape != a.shape:
            raise ValueError(
                f"f 必须逐元素计算：输出形状 {tuple(y.shape)} 应与输入形状 {tuple(a.shape)} 相同"
            )
        y.sum().backward()
    assert a.grad is not None and b.grad is not None
    return y.detach(), a.grad, b.grad


def _node_label(fn: object, names: Mapping[str, torch.Tensor]) -> str:
    variable = getattr(fn, "variable", None)
    if isinstance(variable, torch.Tensor):
        for name, tensor in names.items():
            if tensor is variable:
                return f"{name}（叶子张量，形状 {tuple(variable.shape)}）"
        return f"叶子张量（形状 {tuple(variable.shape)}）"
    return type(fn).__name__


def _children(fn: object) -> list[object]:
    return [child for child, _ in getattr(fn, "next_functions", ()) if child is not None]


def _collapse(fn: object, names: Mapping[str, torch.Tensor]) -> tuple[object, str]:
    """沿“只有一个子节点且运算相同”的链往下走，把连续重复的运算合并成一行。"""
    label = _node_label(fn, names)
    count = 1
    while True:
        children = _children(fn)
        if len(children) != 1 or type(children[0]) is not type(fn) or hasattr(fn, "variable"):
            break
        fn = children[0]
        count += 1
    return fn, label if count == 1 else f"{label} × {count}（同一运算连续 {count} 次）"


def describe_graph(y: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None) -> str:
    """把 ``y`` 背后记录下的反向计算图画成一棵文字树。

    从 ``y.grad_fn`` 出发沿 ``next_functions`` 往回走：每个节点是一个求导函数（如
    ``MulBackward0``），叶子是需要梯度的输入张量（``AccumulateGrad`` 节点，梯度在这里累加到
    ``.grad``）。``names`` 把名字映射到叶子张量，用来在树中标出它们。同一运算连续出现多次
    （例如循环中反复乘 2）时合并成一行并注明次数。

    Examples
    --------
    >>> x = torch.arange(4.0, requires_grad=True)
    >>> y = 2 * torch.dot(x, x)
    >>> print(describe_graph(y, {"x": x}))
    MulBackward0
    └── DotBackward0
        ├── x（叶子张量，形状 (4,)）
        └── x（叶子张量，形状 (4,)）
    >>> print(describe_graph(x * 2 * 2 * 2, {"x": x}))
    MulBackward0 × 3（同一运算连续 3 次）
    └── x（叶子张量，形状 (4,)）
    """
    if y.grad_fn is None:
        return "（没有计算图：这个张量不是由需要梯度的运算得到的）"
    names = names or {}
    root, label = _collapse(y.grad_fn, names)
    lines = [label]

    def visit(fn: object, prefix: str) -> None:
        children = _children(fn)
        for i, child in enumerate(children):
            last = i == len(children) - 1
            child, label = _collapse(child, names)
            lines.append(prefix + ("└── " if last else "├── ") + label)
            visit(child, prefix + ("    " if last else "│   "))

    visit(root, "")
    return "\n".join(lines)


def scale_by_control_flow(a: torch.Tensor, threshold: float = 1000.0) -> torch.Tensor:
    """一个含 Python ``while`` 与 ``if`` 的函数，用来演示自动微分能穿过控制流。

    先令 ``b = 2a``，只要 ``‖b‖ < threshold`` 就把 ``b`` 翻倍；最后若 ``b`` 的元素和为正则返回
    ``b``，否则返回 ``100 b``。循环次数与分支取决于 ``a`` 的值，但对任何给定的 ``a``，结果都是
    ``k · a`` （``k`` 是一个由 ``a`` 决定的常数），所以 ``∂f/∂a = k = f(a) / a``。

    Examples
    --------
    >>> a = torch.tensor(0.3, requires_grad=True)
    >>> d = scale_by_control_flow(a)
    >>> d.backward()
    >>> a.grad, d / a  # 0.3 被翻倍到 ‖b‖ ≥ 1000：2 的 12 次方 = 4096
    (tensor(4096.), tensor(4096., grad_fn=<DivBackward0>))
    """
    b = a * 2
    if b.norm() == 0:
        raise ValueError("a 全为 0 时 ‖b‖ 永远小于 threshold，循环不会停止")
    while b.norm() < threshold:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c
