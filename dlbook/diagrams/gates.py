"""第 8 章的示意图：GRU 与 LSTM 的门、编码器–解码器的数据流、深度与双向循环网络的结构。

每个函数画在一个新的（或给定的）``Axes`` 上并返回它，不调用 ``plt.show()``。图中的方框是
“层”（σ：sigmoid 全连接层，tanh：tanh 全连接层），圆圈是按元素的运算。
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from dlbook.plotting.figures import use_book_style

__all__ = ["draw_deep_birnn", "draw_encoder_decoder", "draw_gru_cell", "draw_lstm_cell"]

GATE_COLOR = "#9ecae1"  # 门（sigmoid）
CANDIDATE_COLOR = "#fdd0a2"  # 候选状态（tanh）
STATE_COLOR = "#c7e9c0"  # 状态与输入
OP_COLOR = "white"


def _new_axes(ax: Axes | None, width: float, height: float, figsize: tuple[float, float]) -> Axes:
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _box(
    ax: Axes, x: float, y: float, text: str, color: str, w: float = 1.0, h: float = 0.6
) -> None:
    """以 ``(x, y)`` 为中心的圆角方框。"""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.05",
            facecolor=color,
            edgecolor="black",
            linewidth=1,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _op(ax: Axes, x: float, y: float, text: str) -> None:
    """按元素运算的小圆圈。"""
    ax.add_patch(Circle((x, y), 0.25, facecolor=OP_COLOR, edgecolor="black", linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(ax: Axes, points: Sequence[tuple[float, float]], color: str = "black") -> None:
    """沿折线画箭头：前面几段是线，最后一段带箭头。"""
    for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
        ax.plot([x0, x1], [y0, y1], color=color, linewidth=1)
    ax.add_patch(
        FancyArrowPatch(
            points[-2],
            points[-1],
            arrowstyle="-|>",
            mutation_scale=12,
            color=color,
            linewidth=1,
            shrinkA=0,
            shrinkB=12,
        )
    )


def _label(ax: Axes, x: float, y: float, text: str, **kwargs: object) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=12, **kwargs)


def draw_gru_cell(ax: Axes | None = None) -> Axes:
    r"""GRU 的一个时间步：重置门 :math:`R_t`、更新门 :math:`Z_t`、候选隐状态 :math:`\tilde{H}_t`。

    Examples
    --------
    >>> ax = draw_gru_cell()
    >>> sorted(t.get_text() for t in ax.texts if t.get_text().startswith("$"))[:3]
    ['$H_t$', '$H_{t-1}$', '$R_t$']
    """
    ax = _new_axes(ax, 10, 6, (7.5, 4.5))
    top, bottom = 5.0, 0.6
    _label(ax, 0.4, top, "$H_{t-1}$")
    _label(ax, 9.6, top, "$H_t$")
    _label(ax, 1.6, bottom - 0.1, "$X_t$")
    # 两个门与候选状态
    _box(ax, 2.6, 2.6, r"$\sigma$", GATE_COLOR)
    _box(ax, 4.2, 2.6, r"$\sigma$", GATE_COLOR)
    _box(ax, 6.4, 2.6, "tanh", CANDIDATE_COLOR)
    _label(ax, 2.15, 2.05, "$R_t$", color="#08519c")
    _label(ax, 3.75, 2.05, "$Z_t$", color="#08519c")
    _label(ax, 5.85, 2.05, r"$\tilde{H}_t$", color="#a63603")
    # X_t 与 H_{t-1} 送进两个门
    _arrow(ax, [(1.6, bottom + 0.2), (1.6, 1.4), (2.6, 1.4), (2.6, 2.3)])
    _arrow(ax, [(1.6, 1.4), (4.2, 1.4), (4.2, 2.3)])
    _arrow(ax, [(1.6, 1.4), (6.4, 1.4), (6.4, 2.3)])
    _arrow(ax, [(0.8, top), (1.9, top), (1.9, 3.4), (2.6, 3.4), (2.6, 2.9)])
    _arrow(ax, [(1.9, 3.4), (4.2, 3.4), (4.2, 2.9)])
    # 重置门作用于 H_{t-1}，结果送进候选状态
    _op(ax, 5.3, 4.2, r"$\odot$")
    _arrow(ax, [(2.9, 2.6), (3.4, 2.6), (3.4, 4.2), (5.05, 4.2)])
    _arrow(ax, [(1.9, top), (5.3, top), (5.3, 4.45)])
    _arrow(ax, [(5.3, 3.95), (5.3, 3.3), (6.4, 3.3), (6.4, 2.9)])
    # 更新门在旧状态与候选状态之间插值：H_t = Z ⊙ H_{t-1} + (1 - Z) ⊙ H~
    _op(ax, 7.6, top, r"$\odot$")
    _op(ax, 7.6, 2.6, r"$\odot$")
    _op(ax, 8.6, top, "+")
    _op(ax, 4.9, 1.0, "1-")
    _arrow(ax, [(5.3, top), (7.35, top)])
    _arrow(ax, [(4.5, 2.6), (4.9, 2.6), (4.9, 3.0), (7.1, 3.0), (7.6, 3.0), (7.6, 4.75)])
    _arrow(ax, [(4.2, 2.3), (4.2, 1.9), (4.9, 1.9), (4.9, 1.25)])
    _arrow(ax, [(5.15, 1.0), (7.6, 1.0), (7.6, 2.35)])
    _arrow(ax, [(6.9, 2.6), (7.35, 2.6)])
    _arrow(ax, [(7.85, 2.6), (8.6, 2.6), (8.6, 4.75)])
    _arrow(ax, [(7.85, top), (8.35, top)])
    _arrow(ax, [(8.85, top), (9.3, top)])
    ax.set_title("GRU 的一个时间步：重置门 R、更新门 Z 与候选隐状态", fontsize=12)
    return ax


def draw_lstm_cell(ax: Axes | None = None) -> Axes:
    r"""LSTM 的一个时间步：输入门、遗忘门、输出门、候选记忆元与记忆元 :math:`C_t`。

    Examples
    --------
    >>> ax = draw_lstm_cell()
    >>> {"$C_{t-1}$", "$C_t$", "$F_t$", "$I_t$", "$O_t$"} <= {t.get_text() for t in ax.texts}
    True
    """
    ax = _new_axes(ax, 11, 6, (8, 4.4))
    c_y, h_y, bottom = 5.2, 0.9, 0.25
    _label(ax, 0.45, c_y, "$C_{t-1}$")
    _label(ax, 10.55, c_y, "$C_t$")
    _label(ax, 0.45, h_y, "$H_{t-1}$")
    _label(ax, 10.55, h_y, "$H_t$")
    _label(ax, 1.8, bottom, "$X_t$")
    xs = {"F": 2.8, "I": 4.4, "C": 5.9, "O": 7.5}
    for key, x in xs.items():
        is_candidate = key == "C"
        _box(
            ax,
            x,
            2.6,
            "tanh" if is_candidate else r"$\sigma$",
            CANDIDATE_COLOR if is_candidate else GATE_COLOR,
        )
        name = r"$\tilde{C}_t$" if is_candidate else f"${key}_t$"
        _label(ax, x + 0.75, 2.05, name, color="#a63603" if is_candidate else "#08519c")
        _arrow(ax, [(1.8, 1.6), (x, 1.6), (x, 2.3)])
    _arrow(ax, [(0.9, h_y), (1.8, h_y), (1.8, 1.6)])
    _arrow(ax, [(1.8, bottom + 0.2), (1.8, 1.6)])
    # 记忆元的“传送带”：C_t = F ⊙ C_{t-1} + I ⊙ C~
    _op(ax, 2.8, c_y, r"$\odot$")
    _op(ax, 5.9, c_y, "+")
    _op(ax, 5.9, 3.9, r"$\odot$")
    _arrow(ax, [(0.9, c_y), (2.55, c_y)])
    _arrow(ax, [(2.8, 2.9), (2.8, 4.95)])
    _arrow(ax, [(3.05, c_y), (5.65, c_y)])
    _arrow(ax, [(4.4, 2.9), (4.4, 3.9), (5.65, 3.9)])
    _arrow(ax, [(5.9, 2.9), (5.9, 3.65)])
    _arrow(ax, [(5.9, 4.15), (5.9, 4.95)])
    _arrow(ax, [(6.15, c_y), (10.1, c_y)])
    # 隐状态：H_t = O ⊙ tanh(C_t)
    _box(ax, 8.9, 4.1, "tanh", OP_COLOR, w=0.8, h=0.45)
    _op(ax, 8.9, 2.6, r"$\odot$")
    _arrow(ax, [(8.9, c_y), (8.9, 4.35)])
    _arrow(ax, [(8.9, 3.87), (8.9, 2.85)])
    _arrow(ax, [(7.8, 2.6), (8.65, 2.6)])
    _arrow(ax, [(8.9, 2.35), (8.9, h_y), (10.1, h_y)])
    ax.set_title("LSTM 的一个时间步：三个门控制记忆元的读、写与遗忘", fontsize=12)
    return ax


def draw_encoder_decoder(
    source: Sequence[str] = ("they", "are", "watching", "."),
    target: Sequence[str] = ("ils", "regardent", "."),
    ax: Axes | None = None,
) -> Axes:
    """序列到序列学习：编码器读完源序列，最终隐状态既初始化解码器，又作为每一步的上下文变量。

    训练时解码器的输入是 ``<bos>`` 加上目标序列（强制教学），输出是目标序列加 ``<eos>``。

    Examples
    --------
    >>> ax = draw_encoder_decoder(["hi", "."], ["salut", "."])
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("<")]
    ['<eos>', '<bos>', '<eos>']
    """
    src = [*source, "<eos>"]
    dec_in = ["<bos>", *target]
    dec_out = [*target, "<eos>"]
    gap = 1.5
    width = gap * (len(src) + len(dec_in)) + 2.0
    ax = _new_axes(ax, width, 5, (min(1.2 * width, 12), 4.2))
    x0 = 1.0
    enc_x = [x0 + i * gap for i in range(len(src))]
    dec_x = [enc_x[-1] + 2.5 + i * gap for i in range(len(dec_in))]
    for i, (x, token) in enumerate(zip(enc_x, src)):
        _box(ax, x, 2.5, "RNN", STATE_COLOR)
        _label(ax, x, 0.6, token)
        _arrow(ax, [(x, 0.85), (x, 2.2)])
        if i:
            _arrow(ax, [(enc_x[i - 1] + 0.5, 2.5), (x - 0.5, 2.5)])
    for i, (x, token, out) in enumerate(zip(dec_x, dec_in, dec_out)):
        _box(ax, x, 2.5, "RNN", CANDIDATE_COLOR)
        _label(ax, x, 0.6, token)
        _label(ax, x, 4.4, out)
        _arrow(ax, [(x, 0.85), (x, 2.2)])
        _arrow(ax, [(x, 2.8), (x, 4.15)])
        if i:
            _arrow(ax, [(dec_x[i - 1] + 0.5, 2.5), (x - 0.5, 2.5)])
    # 编码器的最终隐状态：初始化解码器，并作为上下文变量 c 送到解码器的每一步
    _arrow(ax, [(enc_x[-1] + 0.5, 2.5), (dec_x[0] - 0.5, 2.5)], color="#a63603")
    for x in dec_x:
        _arrow(
            ax,
            [(enc_x[-1] + 1.2, 2.5), (enc_x[-1] + 1.2, 1.5), (x - 0.3, 1.5), (x - 0.3, 2.2)],
            color="#a63603",
        )
    _label(ax, enc_x[-1] + 1.2, 3.0, "c", color="#a63603", style="italic")
    _label(ax, (enc_x[0] + enc_x[-1]) / 2, 3.6, "编码器", fontweight="bold")
    _label(ax, (dec_x[0] + dec_x[-1]) / 2, 3.6, "解码器", fontweight="bold")
    return ax


def draw_deep_birnn(
    num_layers: int = 2, num_steps: int = 4, bidirectional: bool = False, ax: Axes | None = None
) -> Axes:
    """深度循环网络（``bidirectional=False``）或一层双向循环网络的展开图。

    深度网络：第 l 层在时间步 t 的隐状态同时依赖同一层的上一个时间步与下一层的同一时间步。
    双向网络：前向层从左往右、反向层从右往左传递隐状态，输出层同时看两者。

    Examples
    --------
    >>> ax = draw_deep_birnn(num_layers=3, num_steps=2)
    >>> len([p for p in ax.patches if type(p).__name__ == "FancyBboxPatch"])    # 3 层 × 2 步
    6
    """
    layers = 2 if bidirectional else num_layers
    width, height = 1.8 * num_steps + 1.0, 1.5 * layers + 2.4
    ax = _new_axes(ax, width, height, (min(1.3 * width, 9), 0.9 * height + 0.5))
    xs = [1.2 + 1.8 * t for t in range(num_steps)]
    ys = [1.6 + 1.5 * layer for layer in range(layers)]
    for t, x in enumerate(xs):
        _label(ax, x, 0.45, f"$X_{t + 1}$")
        _label(ax, x, ys[-1] + 1.45, f"$O_{t + 1}$")
        for layer, y in enumerate(ys):
            if bidirectional:
                text = r"$\overrightarrow{H}$" if layer == 0 else r"$\overleftarrow{H}$"
            else:
                text = f"$H^{{({layer + 1})}}$"
            _box(ax, x, y, text, STATE_COLOR if layer % 2 == 0 else GATE_COLOR, w=1.0, h=0.6)
            if layer == 0:
                _arrow(ax, [(x, 0.7), (x, y - 0.3)])
            elif not bidirectional:
                _arrow(ax, [(x, ys[layer - 1] + 0.3), (x, y - 0.3)])
            if t:
                if bidirectional and layer == 1:
                    _arrow(ax, [(x - 0.5, y), (xs[t - 1] + 0.5, y)])
                else:
                    _arrow(ax, [(xs[t - 1] + 0.5, y), (x - 0.5, y)])
        if bidirectional:  # 输入同时进入反向层；两个方向都进入输出层
            _arrow(
                ax,
                [
                    (x - 0.25, 0.7),
                    (x - 0.25, 0.95),
                    (x - 0.65, 0.95),
                    (x - 0.65, ys[1]),
                    (x - 0.5, ys[1]),
                ],
            )
            _arrow(
                ax,
                [
                    (x + 0.6, ys[0]),
                    (x + 0.7, ys[0]),
                    (x + 0.7, ys[1] + 0.9),
                    (x + 0.15, ys[1] + 0.9),
                    (x + 0.15, ys[-1] + 1.2),
                ],
            )
        _arrow(ax, [(x, ys[-1] + 0.3), (x, ys[-1] + 1.2)])
    ax.set_title(
        "双向循环神经网络" if bidirectional else f"{num_layers} 层的深度循环神经网络", fontsize=12
    )
    return ax
