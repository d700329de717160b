"""dlbook.diagrams.performance：环形全归约每一步的状态（由真实的 ring_allreduce 得出）与第 11 章的示意图。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from dlbook.diagrams import performance as diagrams


@pytest.mark.parametrize("n", [2, 3, 5])
def test_ring_allreduce_states_follow_the_two_phases(n: int) -> None:
    states = diagrams.ring_allreduce_states(n)
    assert len(states) == 1 + 2 * (n - 1)  # 初始 + 归约—分散 n-1 步 + 全收集 n-1 步
    assert states[0] == [[{i}] * n for i in range(n)]  # 开始时每个设备只有自己的贡献
    everyone = set(range(n))
    # 归约—分散之后：每个设备恰好有一块已经汇总了全部设备，且各设备的这一块互不相同
    complete = [[c for c, chunk in enumerate(dev) if chunk == everyone] for dev in states[n - 1]]
    assert all(len(chunks) == 1 for chunks in complete)
    assert sorted(chunks[0] for chunks in complete) == list(range(n))
    assert states[-1] == [[everyone] * n] * n  # 全收集之后：人人都有全部的和
    for before, after in zip(states, states[1:]):  # 贡献只增不减，每步每个设备至多改一块
        for dev_before, dev_after in zip(before, after):
            assert all(a >= b for a, b in zip(dev_after, dev_before))
            assert sum(a != b for a, b in zip(dev_after, dev_before)) <= 1


def test_ring_allreduce_figure_has_one_panel_per_step() -> None:
    fig = diagrams.draw_ring_allreduce(4)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0] == "初始状态"
    assert titles[1:] == [f"归约—分散 第 {k} 步" for k in (1, 2, 3)] + [
        f"全收集 第 {k} 步" for k in (1, 2, 3)
    ]
    plt.close(fig)


@pytest.mark.parametrize(
    "draw",
    [
        diagrams.draw_latency_numbers,
        diagrams.draw_memory_hierarchy,
        diagrams.draw_cpu_vs_gpu,
        diagrams.draw_data_parallel,
    ],
)
def test_diagrams_draw(draw) -> None:
    ax = draw()
    assert ax.texts or ax.patches
    ax.figure.canvas.draw()
    plt.close("all")


def test_parameter_server_draws_one_panel_per_stage() -> None:
    axes = diagrams.draw_parameter_server(num_workers=3)
    assert len(axes) >= 2 and all(ax.patches for ax in axes)
    plt.close("all")
