"""第 11 章的示意图：延迟数量级、存储层次、CPU 与 GPU 的结构、参数服务器与环形全归约。

延迟与存储层次用的是业界常引用的典型数量级（出处见 :data:`LATENCY_NUMBERS`），
也可以把本机测出的数字一起画上；环形全归约的每一步由 :func:`dlbook.train.parallel.ring_allreduce`
实际算出。每个函数画在一个新的（或给定的）``Axes`` 上并返回它，不调用 ``plt.show()``。
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle

from dlbook.plotting.figures import use_book_style
from dlbook.train.parallel import ring_allreduce

__all__ = [
    "LATENCY_NUMBERS",
    "MEMORY_HIERARCHY",
    "draw_cpu_vs_gpu",
    "draw_data_parallel",
    "draw_latency_numbers",
    "draw_memory_hierarchy",
    "draw_parameter_server",
    "draw_ring_allreduce",
    "ring_allreduce_states",
]

#: 常被引用的延迟数量级（纳秒）。出处：Jeff Dean 的报告 “Designs, Lessons and Advice from Building
#: Large Distributed Systems”（2009）与 Peter Norvig 的 “Teach Yourself Programming in Ten Years”，
#: 经 Jonas Bonér 整理的 “Latency Numbers Every Programmer Should Know”。只是数量级，具体机器会不同。
LATENCY_NUMBERS: tuple[tuple[str, float], ...] = (
    ("L1 缓存读取", 0.5),
    ("分支预测失败", 5),
    ("L2 缓存读取", 7),
    ("互斥锁加锁/解锁", 25),
    ("主存读取", 100),
    ("用 1 Gbps 网络发送 1 KB", 10_000),
    ("从 SSD 随机读 4 KB", 150_000),
    ("从内存顺序读 1 MB", 250_000),
    ("同一数据中心内往返一次", 500_000),
    ("从 SSD 顺序读 1 MB", 1_000_000),
    ("机械硬盘寻道", 10_000_000),
    ("从机械硬盘顺序读 1 MB", 20_000_000),
    ("跨大洲网络往返一次", 150_000_000),
)

#: 存储层次（从快到慢）：名称、典型容量、典型延迟。延迟是今天常见处理器的范围（随主频与型号变化），
#: 包含 :data:`LATENCY_NUMBERS` 中 2009 年的数（L1 0.5 ns、L2 7 ns、主存 100 ns）。
MEMORY_HIERARCHY: tuple[tuple[str, str, str], ...] = (
    ("寄存器", "约 1 KB", "< 1 ns"),
    ("L1 缓存", "32–64 KB / 核", "约 0.5–1 ns"),
    ("L2 缓存", "256 KB–2 MB / 核", "约 3–7 ns"),
    ("L3 缓存", "数 MB–数百 MB，共享", "约 10–20 ns"),
    ("主存 DRAM", "数 GB–数 TB", "约 100 ns"),
    ("SSD", "数百 GB–数十 TB", "约 100 µs"),
    ("机械硬盘 / 网络存储", "TB 级以上", "约 10 ms"),
)


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    use_book_style()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _format_ns(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def draw_latency_numbers(
    measured: Sequence[tuple[str, float]] = (), ax: Axes | None = None
) -> Axes:
    """把 :data:`LATENCY_NUMBERS` 画成对数坐标的横向条形图，``measured`` 中本机测出的项用另一种颜色。

    Parameters
    ----------
    measured : sequence of (str, float)
        本机测出的操作与用时（纳秒），与典型值画在一起。
    ax : Axes, optional
        画在这里；默认新建一张图。

    Examples
    --------
    >>> ax = draw_latency_numbers([("本机：复制 1 MB", 5e4)])
    >>> len(ax.patches) == len(LATENCY_NUMBERS) + 1
    True
    >>> plt.close("all")
    """
    items = [(name, ns, False) for name, ns in LATENCY_NUMBERS]
    items += [(name, float(ns), True) for name, ns in measured]
    items.sort(key=lambda item: item[1])
    ax = _axes(ax, (7, 0.32 * len(items) + 1))
    names = [name for name, _, _ in items]
    values = [ns for _, ns, _ in items]
    colors = ["#fd8d3c" if mine else "#6baed6" for _, _, mine in items]
    ax.barh(range(len(items)), values, color=colors)
    ax.set_xscale("log")
    ax.set_yticks(range(len(items)), names)
    ax.invert_yaxis()
    ax.set_xlabel("延迟（纳秒，对数坐标）")
    for i, ns in enumerate(values):
        ax.text(ns * 1.3, i, _format_ns(ns), va="center", fontsize=8)
    ax.set_xlim(0.1, max(values) * 30)
    if measured:
        ax.set_title("典型数量级（蓝）与本机测量（橙）")
    return ax


def draw_memory_hierarchy(
    cache_sizes: dict[str, str] | None = None, ax: Axes | None = None
) -> Axes:
    """存储层次的金字塔：越往上越快、越小、每字节越贵。

    ``cache_sizes`` （例如 :func:`dlbook.utils.performance.cache_sizes` 的结果）给出时，在 L1、L2、L3
    旁边注明本机的实际大小。

    Examples
    --------
    >>> ax = draw_memory_hierarchy({"L1d": "32K", "L2": "1024K"})
    >>> any("本机" in t.get_text() for t in ax.texts)
    True
    >>> plt.close("all")
    """
    ax = _axes(ax, (8, 4.5))
    levels = MEMORY_HIERARCHY
    n = len(levels)
    cache_sizes = cache_sizes or {}
    palette = plt.get_cmap("Blues")
    for i, (name, size, latency) in enumerate(levels):
        top, bottom = n - i, n - i - 1
        half_top, half_bottom = 0.5 + 3.5 * i / n, 0.5 + 3.5 * (i + 1) / n
        ax.add_patch(
            Polygon(
                [(-half_bottom, bottom), (half_bottom, bottom), (half_top, top), (-half_top, top)],
                facecolor=palette(0.25 + 0.6 * i / n),
                edgecolor="white",
            )
        )
        ax.text(0, bottom + 0.5, name, ha="center", va="center", fontsize=10)
        note = f"{size}，{latency}"
        key = {"L1 缓存": "L1d", "L2 缓存": "L2", "L3 缓存": "L3"}.get(name)
        if key and key in cache_sizes:
            note += f"（本机 {cache_sizes[key]}）"
        ax.text(4.3, bottom + 0.5, note, ha="left", va="center", fontsize=9)
    ax.annotate(
        "",
        xy=(-4.6, n),
        xytext=(-4.6, 0),
        arrowprops={"arrowstyle": "->", "color": "gray"},
    )
    ax.text(-4.8, n / 2, "更快、更小、更贵", rotation=90, ha="right", va="center", color="gray")
    ax.set_xlim(-5.5, 11)
    ax.set_ylim(-0.2, n + 0.2)
    ax.axis("off")
    return ax


def draw_cpu_vs_gpu(ax: Axes | None = None) -> Axes:
    """CPU 与 GPU 的芯片面积怎样分配：少数复杂的大核配大缓存，对比成千上万个简单的小核。

    图只示意比例关系（控制逻辑、缓存、计算单元各占多少面积），不是某一款芯片的真实版图。

    Examples
    --------
    >>> ax = draw_cpu_vs_gpu()
    >>> len(ax.patches) > 100
    True
    >>> plt.close("all")
    """
    ax = _axes(ax, (9, 3.6))
    # CPU：4 个大核（控制 + 计算），下面是大块的缓存
    ax.text(2, 4.2, "CPU：少数复杂的大核", ha="center", fontsize=11)
    for k in range(4):
        x, y = (k % 2) * 2, 2 + (k // 2) * 1
        ax.add_patch(Rectangle((x, y), 1.0, 0.9, facecolor="#fdd0a2", edgecolor="black"))
        ax.add_patch(Rectangle((x + 1.0, y), 0.9, 0.9, facecolor="#a1d99b", edgecolor="black"))
        ax.text(x + 0.5, y + 0.45, "控制", ha="center", va="center", fontsize=8)
        ax.text(x + 1.45, y + 0.45, "ALU", ha="center", va="center", fontsize=8)
    ax.add_patch(Rectangle((0, 0.9), 3.9, 1.0, facecolor="#9ecae1", edgecolor="black"))
    ax.text(1.95, 1.4, "大容量缓存", ha="center", va="center", fontsize=9)
    ax.add_patch(Rectangle((0, 0), 3.9, 0.8, facecolor="#d9d9d9", edgecolor="black"))
    ax.text(1.95, 0.4, "内存 DRAM", ha="center", va="center", fontsize=9)
    # GPU：很多行，每行一小块控制与缓存，配一长串小 ALU
    x0 = 5
    ax.text(x0 + 2, 4.2, "GPU：成千上万个简单的小核", ha="center", fontsize=11)
    for row in range(8):
        y = 0.9 + row * 0.38
        ax.add_patch(Rectangle((x0, y), 0.3, 0.34, facecolor="#fdd0a2", edgecolor="black", lw=0.5))
        ax.add_patch(
            Rectangle((x0 + 0.3, y), 0.3, 0.34, facecolor="#9ecae1", edgecolor="black", lw=0.5)
        )
        for col in range(14):
            ax.add_patch(
                Rectangle(
                    (x0 + 0.65 + col * 0.24, y + 0.03),
                    0.2,
                    0.28,
                    facecolor="#a1d99b",
                    edgecolor="black",
                    lw=0.4,
                )
            )
    ax.add_patch(Rectangle((x0, 0), 4.0, 0.8, facecolor="#d9d9d9", edgecolor="black"))
    ax.text(x0 + 2, 0.4, "显存（高带宽 HBM/GDDR）", ha="center", va="center", fontsize=9)
    ax.set_xlim(-0.2, 9.3)
    ax.set_ylim(-0.1, 4.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _arrow(ax: Axes, start, end, color: str = "black", style: str = "<->") -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=10, color=color, lw=1.2)
    )


def draw_parameter_server(num_workers: int = 4, axes: Sequence[Axes] | None = None) -> list[Axes]:
    """左：参数服务器（所有工作节点都与一台服务器通信）；右：环形全归约（每个节点只连下一个）。

    边上的数字是一次同步中这条链路要传的数据量，以模型大小 :math:`S` 为单位：
    参数服务器的那条链路每个方向要传 :math:`n S`，是瓶颈；环上每条链路只传 :math:`2(n-1)/n \\cdot S`。

    Examples
    --------
    >>> axes = draw_parameter_server(4)
    >>> len(axes)
    2
    >>> plt.close("all")
    """
    import math

    if num_workers < 2:
        raise ValueError(f"num_workers 至少为 2，收到 {num_workers!r}")
    use_book_style()
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 4))
    left, right = axes
    n = num_workers
    # 参数服务器
    server = (0.0, 1.6)
    left.add_patch(Rectangle((-0.6, 1.35), 1.2, 0.5, facecolor="#fdd0a2", edgecolor="black"))
    left.text(*server, "服务器", ha="center", va="center")
    for i in range(n):
        x = (i - (n - 1) / 2) * 1.3
        left.add_patch(
            Rectangle((x - 0.6, -0.25), 1.2, 0.5, facecolor="#9ecae1", edgecolor="black")
        )
        left.text(x, 0, f"工作节点 {i}", ha="center", va="center", fontsize=8)
        _arrow(left, (x, 0.28), (x * 0.3, 1.32))
    left.text(0, 2.2, f"服务器的链路：每个方向 {n}S", ha="center", color="#d94801")
    left.set_title("参数服务器")
    left.set_xlim(-n * 0.75, n * 0.75)
    left.set_ylim(-0.6, 2.5)
    left.axis("off")
    # 环
    for i in range(n):
        a = math.pi / 2 - 2 * math.pi * i / n
        b = math.pi / 2 - 2 * math.pi * (i + 1) / n
        p, q = (math.cos(a), math.sin(a)), (math.cos(b), math.sin(b))
        right.add_patch(
            Rectangle((p[0] - 0.3, p[1] - 0.15), 0.6, 0.3, facecolor="#9ecae1", edgecolor="black")
        )
        right.text(*p, f"节点 {i}", ha="center", va="center", fontsize=8)
        shrink = 0.25
        start = (p[0] + (q[0] - p[0]) * shrink, p[1] + (q[1] - p[1]) * shrink)
        end = (p[0] + (q[0] - p[0]) * (1 - shrink), p[1] + (q[1] - p[1]) * (1 - shrink))
        _arrow(right, start, end, style="->")
    share = 2 * (n - 1) / n
    right.text(0, 0, f"每条链路：{share:g}S", ha="center", va="center", color="#d94801")
    right.set_title("环形全归约")
    right.set_xlim(-1.6, 1.6)
    right.set_ylim(-1.5, 1.5)
    right.set_aspect("equal")
    right.axis("off")
    return list(axes)


def ring_allreduce_states(num_devices: int = 4) -> list[list[list[set[int]]]]:
    """用 :func:`dlbook.train.parallel.ring_allreduce` 实际运行一次环形全归约，记录每一步的状态。

    设备 ``i`` 的数据取 :math:`2^i`，某一块的值的二进制位就说明它已经累加了哪些设备的贡献。
    返回 ``states[步][设备][块]``：一个集合，列出这块数据目前包含了哪些设备的贡献；第 0 项是初始状态。

    Examples
    --------
    >>> states = ring_allreduce_states(3)
    >>> len(states)                       # 初始 + 2 步归约—分散 + 2 步全收集
    5
    >>> states[-1][0]                     # 最后每个设备的每一块都包含全部贡献
    [{0, 1, 2}, {0, 1, 2}, {0, 1, 2}]
    """
    n = num_devices
    data = [torch.full((n,), float(2**i), dtype=torch.float64) for i in range(n)]
    trace = [[d.clone() for d in data]]
    ring_allreduce(data, trace=trace)
    return [
        [[{j for j in range(n) if int(v) >> j & 1} for v in device.tolist()] for device in step]
        for step in trace
    ]


def draw_ring_allreduce(num_devices: int = 4) -> plt.Figure:
    """画出环形全归约每一步之后各设备、各块的内容（字母表示包含了哪些设备的贡献）。

    第一行是归约—分散阶段，第二行是全收集阶段；颜色越深，这块包含的贡献越多。

    Examples
    --------
    >>> fig = draw_ring_allreduce(3)
    >>> len(fig.axes)
    6
    >>> plt.close("all")
    """
    use_book_style()
    n = num_devices
    states = ring_allreduce_states(n)
    letters = "abcdefghijklmnopqrstuvwxyz"
    fig, axes = plt.subplots(2, n, figsize=(2.2 * n, 2 * 0.45 * n + 1.2), squeeze=False)
    panels = [(0, 0, "初始状态")]
    panels += [(0, s, f"归约—分散 第 {s} 步") for s in range(1, n)]
    panels += [(1, s - n, f"全收集 第 {s - n + 1} 步") for s in range(n, 2 * n - 1)]
    cmap = plt.get_cmap("Blues")
    for (row, col, title), state in zip(panels, states):
        ax = axes[row][col]
        for d in range(n):
            for c in range(n):
                owners = state[d][c]
                ax.add_patch(
                    Rectangle(
                        (c, n - 1 - d),
                        1,
                        1,
                        facecolor=cmap(0.15 + 0.7 * len(owners) / n),
                        edgecolor="white",
                    )
                )
                text = "+".join(letters[j] for j in sorted(owners))
                color = "white" if len(owners) > n / 2 else "black"
                ax.text(
                    c + 0.5, n - 0.5 - d, text, ha="center", va="center", fontsize=7, color=color
                )
        ax.set_xlim(0, n)
        ax.set_ylim(0, n)
        ax.set_xticks([c + 0.5 for c in range(n)], [f"块{c}" for c in range(n)], fontsize=7)
        ax.set_yticks([n - 0.5 - d for d in range(n)], [f"设备{d}" for d in range(n)], fontsize=7)
        ax.tick_params(length=0)
        ax.set_title(title, fontsize=9)
    axes[1][n - 1].axis("off")
    axes[1][n - 1].text(
        0.5,
        0.5,
        f"每个设备共发送\n2(n−1)/n = {2 * (n - 1) / n:g}\n倍张量大小的数据",
        ha="center",
        va="center",
        transform=axes[1][n - 1].transAxes,
    )
    fig.tight_layout()
    return fig


def draw_data_parallel(num_devices: int = 2, ax: Axes | None = None) -> Axes:
    """数据并行的一步：小批量切成 k 片，k 个设备各用一份相同的参数算梯度，全归约后同步更新。

    Examples
    --------
    >>> ax = draw_data_parallel(3)
    >>> sum("设备" in t.get_text() for t in ax.texts)
    3
    >>> plt.close("all")
    """
    k = num_devices
    if k < 1:
        raise ValueError(f"num_devices 至少为 1，收到 {k!r}")
    ax = _axes(ax, (9, 1.2 + 1.1 * k))
    colors = plt.get_cmap("Pastel1")
    height = 1.1 * k
    # 小批量
    for i in range(k):
        y = height - (i + 1) * 1.1 + 0.1
        ax.add_patch(Rectangle((0, y), 1.2, 0.9, facecolor=colors(i), edgecolor="black"))
        ax.text(0.6, y + 0.45, f"第 {i} 片", ha="center", va="center", fontsize=9)
        ax.add_patch(Rectangle((2.2, y), 2.2, 0.9, facecolor="#f0f0f0", edgecolor="black"))
        ax.text(3.3, y + 0.62, f"设备 {i}", ha="center", va="center", fontsize=9)
        ax.text(3.3, y + 0.27, f"参数副本 → 梯度 g{i}", ha="center", va="center", fontsize=8)
        _arrow(ax, (1.25, y + 0.45), (2.15, y + 0.45), style="->")
        _arrow(ax, (4.45, y + 0.45), (5.35, height / 2), style="->", color="gray")
        _arrow(ax, (6.95, height / 2), (7.85, y + 0.45), style="->", color="gray")
        ax.add_patch(Rectangle((7.9, y), 1.6, 0.9, facecolor="#e5f5e0", edgecolor="black"))
        ax.text(8.7, y + 0.45, "w ← w − ηg/B", ha="center", va="center", fontsize=8)
    ax.add_patch(
        Rectangle((5.4, height / 2 - 0.5), 1.5, 1.0, facecolor="#fdd0a2", edgecolor="black")
    )
    ax.text(6.15, height / 2 + 0.15, "全归约", ha="center", va="center", fontsize=9)
    ax.text(6.15, height / 2 - 0.2, r"$g = \sum_i g_i$", ha="center", va="center", fontsize=9)
    ax.text(0.6, height + 0.15, "一个小批量（B 个样本）", ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.3, 9.8)
    ax.set_ylim(-0.1, height + 0.6)
    ax.axis("off")
    return ax
