"""LivePlot：非交互式后端下不发出警告、笔记本里原地刷新、窗口里不阻塞。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

import dlbook.plotting.liveplot as liveplot_module
from dlbook.plotting.liveplot import LivePlot
from dlbook.train.trainer import train_classifier


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_static_mode_under_agg_keeps_figure_open(tmp_path) -> None:
    live = LivePlot(
        xlabel="epoch",
        ylabel="loss",
        legend=["a", "b"],
        yscale="log",
        save_path=tmp_path / "sub" / "curve.png",
    )
    assert live.mode == "static"
    for i in range(1, 4):
        live.add(i, [1.0 / i, None if i == 1 else 2.0 / i])
    assert live.data == [([1.0, 2.0, 3.0], [1.0, 0.5, 1 / 3]), ([2.0, 3.0], [1.0, 2 / 3])]
    fig = live.finish()
    assert plt.fignum_exists(fig.number)  # 留给 sphinx-gallery 收集
    assert (tmp_path / "sub" / "curve.png").stat().st_size > 0
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    assert fig.axes[0].get_yscale() == "log"
    assert live.finish() is fig  # 可以重复调用
    with pytest.raises(RuntimeError, match="finish"):
        live.add(4, [0.1, 0.1])


def test_add_checks_counts_and_arguments() -> None:
    live = LivePlot()
    live.add(1, 0.5)  # 单个数也可以
    with pytest.raises(ValueError, match="曲线"):
        live.add(2, [0.1, 0.2])
    with pytest.raises(ValueError, match="x 有"):
        live.add([1, 2], [0.1])
    with pytest.raises(ValueError, match="mode"):
        LivePlot(mode="browser")
    with pytest.raises(ValueError, match="min_interval"):
        LivePlot(min_interval=-1)


class FakeHandle:
    def __init__(self, log: list) -> None:
        self.log = log

    def update(self, obj) -> None:
        self.log.append("update")


def test_notebook_mode_updates_in_place(monkeypatch) -> None:
    log: list = []

    def fake_display(obj, display_id=False):
        assert display_id is True
        log.append("display")
        return FakeHandle(log)

    import IPython.display

    monkeypatch.setattr(IPython.display, "display", fake_display)
    live = LivePlot(mode="notebook", min_interval=0, max_draw_fraction=1)
    for i in range(3):
        live.add(i, [i])
    fig = live.finish()
    assert log == ["display", "update", "update", "update"]
    assert not plt.fignum_exists(fig.number)  # 单元结束时不会再显示一次


def test_notebook_mode_throttles_but_final_state_is_drawn(monkeypatch) -> None:
    log: list = []
    import IPython.display

    monkeypatch.setattr(
        IPython.display, "display", lambda obj, display_id=False: log.append("d") or FakeHandle(log)
    )
    live = LivePlot(mode="notebook", min_interval=3600)
    for i in range(10):
        live.add(i, [i])
    assert log == []  # 训练开始后不到 min_interval：还不画
    live.finish()
    assert log == ["d"] and live.draws == 0  # 最后一次一定画


def test_first_draw_waits_min_interval(monkeypatch) -> None:
    from types import SimpleNamespace

    log: list = []
    import IPython.display

    monkeypatch.setattr(
        IPython.display, "display", lambda obj, display_id=False: log.append("d") or FakeHandle(log)
    )
    clock = SimpleNamespace(now=0.0)  # 假时钟：机器再忙，两次 add 之间也只过去我们说的时间
    monkeypatch.setattr(liveplot_module, "time", SimpleNamespace(perf_counter=lambda: clock.now))
    live = LivePlot(mode="notebook", min_interval=0.05, max_draw_fraction=1)
    clock.now = 0.04
    live.add(0, [0])
    assert log == []
    clock.now = 0.06
    live.add(1, [1])
    assert log == ["d"] and live.draws == 1
    live.finish()
    assert log == ["d", "update"]


def test_window_mode_refreshes_without_blocking(monkeypatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(liveplot_module.plt, "pause", lambda t: pauses.append(t))
    live = LivePlot(mode="window", min_interval=0, max_draw_fraction=1)
    live.add(1, [1.0])
    live.add(2, [2.0])
    live.finish()
    assert len(pauses) == 3 and all(t < 0.1 for t in pauses)


def test_detects_static_outside_kernel() -> None:
    assert LivePlot().mode == "static"


def test_training_uses_given_liveplot(tmp_path) -> None:
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(64, 3, generator=g), torch.randint(0, 2, (64,), generator=g)
    live = LivePlot(
        xlabel="epoch",
        legend=["train loss", "train acc", "test acc"],
        save_path=tmp_path / "train.svg",
    )
    train_classifier(nn.Linear(3, 2), [(X, y)], [(X, y)], 3, lr=0.1, plot=live, verbose=False)
    assert (tmp_path / "train.svg").exists()
    assert len(live.data[2][0]) == 3


def test_docs_build_draws_once_at_the_end(monkeypatch) -> None:
    log: list = []
    import IPython.display

    monkeypatch.setattr(
        IPython.display, "display", lambda obj, display_id=False: log.append("d") or FakeHandle(log)
    )
    monkeypatch.setenv("DLBOOK_DOCS_BUILD", "1")
    live = LivePlot(mode="notebook", min_interval=0)
    for i in range(20):
        live.add(i, [i])
    assert log == []  # 训练中一次也不画
    live.finish()
    assert log == ["d"] and live.draws == 0


def test_drawing_takes_a_bounded_share_of_the_time(monkeypatch) -> None:
    """每次重绘花 20 ms：重绘的总时间不超过（训练加画图）总时间的约 max_draw_fraction。"""
    import time

    import IPython.display

    def slow_display(obj, display_id=False):
        time.sleep(0.02)
        return FakeHandle([])

    monkeypatch.setattr(IPython.display, "display", slow_display)
    monkeypatch.setattr(FakeHandle, "update", lambda self, obj: time.sleep(0.02))
    live = LivePlot(mode="notebook", min_interval=0, max_draw_fraction=0.1)
    start = time.perf_counter()
    last_cost = 0.0
    for i in range(200):
        time.sleep(0.002)  # “训练”一步
        before = live.draw_seconds
        live.add(i, [i])
        last_cost = live.draw_seconds - before or last_cost
    total = time.perf_counter() - start
    assert live.draws >= 2
    # 每次重绘之后至少等它用时的 10 倍，所以除最后一次外，重绘时间不超过总时间的 10%；
    # 最后一次的用时就是余量（在本次运行中测出，机器慢时它也跟着变长）
    assert live.draw_seconds <= 0.1 * total + last_cost + 1e-9
    live.finish()
