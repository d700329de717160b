"""逐层查看网络：每一层（或每个阶段）的输出形状、参数个数与乘加次数。

第 5 章用一个循环把输入依次交给 ``nn.Sequential`` 的每一层、打印输出形状；这里把同一个循环写成函数，
顺便数出每层的参数与计算量，第 6 章各节用它比较不同的网络。
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["LayerInfo", "layer_summary", "format_layer_summary"]


@dataclass(frozen=True)
class LayerInfo:
    """:func:`layer_summary` 的一行：``net`` 的一个直接子模块。"""

    name: str
    """子模块在 ``net`` 中的名字（``nn.Sequential`` 里是序号）。"""
    kind: str
    """子模块的类名，例如 ``Conv2d``、``Sequential``。"""
    output_shape: tuple[int, ...]
    """一个样本的输出形状（不含批量维）。"""
    params: int
    """参数个数（含它内部的所有子模块）。"""
    macs: int
    """处理一个样本的乘加次数：只计卷积层与全连接层，它们占了几乎全部计算。"""


def _macs_hook(counter: list[int]):
    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        n = output.shape[0]
        if isinstance(module, nn.Conv2d):
            # 每个输出元素：(输入通道 / 组数) × 核高 × 核宽 次乘加
            per_output = module.weight[0].numel()
            counter[0] += output.numel() // n * per_output
        elif isinstance(module, nn.Linear):
            counter[0] += output.numel() // n * module.in_features

    return hook


def layer_summary(net: nn.Module, input_shape: Sequence[int]) -> list[LayerInfo]:
    """把一个样本（全零，形状 ``input_shape``，不含批量维）依次交给 ``net`` 的每个直接子模块，
    记下输出形状、参数个数与乘加次数。

    运行在评估模式与 ``torch.no_grad()`` 下（批量规范化用移动平均，暂退法不丢弃），结束后恢复原来的模式。
    ``net`` 应当像 ``nn.Sequential`` 一样按子模块的顺序计算。

    Examples
    --------
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(64, 2))
    >>> for row in layer_summary(net, (1, 4, 4)):
    ...     print(row.kind, row.output_shape, row.params, row.macs)
    Conv2d (4, 4, 4) 40 576
    ReLU (4, 4, 4) 0 0
    Flatten (64,) 0 0
    Linear (2,) 130 128
    """
    children = list(net.named_children())
    if not children:
        raise ValueError("net 没有子模块：layer_summary 需要 nn.Sequential 这样按顺序计算的网络")
    device = next((p.device for p in net.parameters()), torch.device("cpu"))
    X = torch.zeros((1, *input_shape), device=device)
    was_training = net.training
    net.eval()
    rows = []
    try:
        with torch.no_grad():
            for name, layer in children:
                counter = [0]
                hook = _macs_hook(counter)
                handles = [
                    m.register_forward_hook(hook)
                    for m in layer.modules()
                    if isinstance(m, nn.Conv2d | nn.Linear)
                ]
                try:
                    X = layer(X)
                finally:
                    for h in handles:
                        h.remove()
                rows.append(
                    LayerInfo(
                        name=name,
                        kind=type(layer).__name__,
                        output_shape=tuple(X.shape[1:]),
                        params=sum(p.numel() for p in layer.parameters()),
                        macs=counter[0],
                    )
                )
    finally:
        net.train(was_training)
    return rows


def _count(n: int) -> str:
    if n >= 10**6:
        return f"{n / 10**6:.2f}M"
    if n >= 10**3:
        return f"{n / 10**3:.1f}K"
    return str(n)


def _width(text: str) -> int:
    """显示宽度：中文等全角字符占两格。"""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(text: str, width: int, right: bool = False) -> str:
    pad = " " * max(0, width - _width(text))
    return pad + text if right else text + pad


def format_layer_summary(rows: Sequence[LayerInfo], *, names: bool = False) -> str:
    """把 :func:`layer_summary` 的结果排成一张文字表格，最后一行是合计。

    参数个数与乘加次数用 K（千）、M（百万）表示；``names=True`` 时第一列写成 ``名字:类名``。

    Examples
    --------
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    >>> print(format_layer_summary(layer_summary(net, (1, 28, 28))))
    层       输出形状      参数      乘加
    Flatten  (784,)           0         0
    Linear   (10,)         7.8K      7.8K
    合计                   7.8K      7.8K
    """
    table = [("层", "输出形状", "参数", "乘加")]
    for row in rows:
        label = f"{row.name}:{row.kind}" if names else row.kind
        table.append((label, str(row.output_shape), _count(row.params), _count(row.macs)))
    total_params = sum(r.params for r in rows)
    total_macs = sum(r.macs for r in rows)
    table.append(("合计", "", _count(total_params), _count(total_macs)))
    w0 = max(_width(r[0]) for r in table) + 2
    w1 = max(_width(r[1]) for r in table) + 2
    return "\n".join(
        _cell(a, w0) + _cell(b, w1) + _cell(c, 8, right=True) + _cell(d, 10, right=True)
        for a, b, c, d in table
    ).rstrip()
