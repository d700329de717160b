"""边训练边画的曲线图：D2L ``Animator`` 的替代品。

同一个 :class:`LivePlot` 在三种环境里都能用，调用方式完全一样：

* **Jupyter / IPython 内核**：第一次 :meth:`LivePlot.add` 显示图像，之后在同一个输出位置原地刷新
  （``display_id``），不会刷出一长串图。:meth:`LivePlot.finish` 画出最终状态后关闭图，避免单元结束时
  同一张图再被显示一次。
* **构建本书时**（环境变量 ``DLBOOK_DOCS_BUILD`` 由本书的 Sphinx 扩展设置，执行页面的内核与
  sphinx-gallery 都能看到）：训练中一次也不画，只在 :meth:`LivePlot.finish` 时画一次——页面上
  只留下最后一张图，中间的渲染都是白费。
* **脚本 + 交互式后端**（TkAgg、QtAgg、macOS 等）：在窗口里刷新，窗口不会阻塞训练。
* **脚本 + 非交互式后端**（Agg，例如 CI、sphinx-gallery）：只更新曲线数据，不渲染，也不调用
  ``plt.show``/``plt.pause`` （它们在 Agg 下会发出警告）。图在结束后保持打开，sphinx-gallery
  会把它收进页面；给了 ``save_path`` 时 :meth:`LivePlot.finish` 还会把图写进文件。
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt

from dlbook.book.environment import DOCS_BUILD_ENV
from dlbook.plotting.figures import set_axes, use_book_style

__all__ = ["LivePlot", "in_docs_build"]

_MODES = ("notebook", "window", "static")


def _in_notebook_kernel() -> bool:
    """当前是否运行在 Jupyter 内核里（不导入 IPython，除非它已经被导入）。"""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def in_docs_build() -> bool:
    """是否正在构建本书（本书的 Sphinx 扩展设置环境变量 ``DLBOOK_DOCS_BUILD=1``，
    见 :mod:`dlbook.book.environment`）。

    Examples
    --------
    >>> import os
    >>> in_docs_build() == (os.environ.get("DLBOOK_DOCS_BUILD") == "1")
    True
    """
    return os.environ.get(DOCS_BUILD_ENV) == "1"


def _detect_mode(fig: matplotlib.figure.Figure) -> str:
    backend = matplotlib.get_backend().lower()
    if _in_notebook_kernel() and "inline" in backend:
        return "notebook"
    # 交互式画布会声明它需要的 GUI 框架（tk、qt……）；Agg、PDF、SVG 等为 None。
    if getattr(fig.canvas, "required_interactive_framework", None):
        return "window"
    return "static"


class LivePlot:
    """增量绘制多条曲线，在笔记本、窗口和无显示环境中都能工作。

    Parameters
    ----------
    xlabel, ylabel : str, optional
        坐标轴标签。
    legend : sequence of str, optional
        每条曲线的图例，顺序与 :meth:`add` 中 ``ys`` 的顺序一致。
    xlim, ylim : (float, float), optional
        坐标轴范围；不给时随数据自动调整。
    xscale, yscale : {"linear", "log"}
        坐标轴刻度类型。
    fmts : sequence of str
        各条曲线的格式串（颜色与线型），循环使用。
    figsize : (float, float)
        图的尺寸（英寸）。
    save_path : str or path-like, optional
        :meth:`finish` 时把图写到这个文件（格式由扩展名决定）。
    mode : {"notebook", "window", "static"}, optional
        显示方式；默认自动判断（见模块说明）。
    min_interval : float
        两次重绘之间至少间隔的秒数（只影响笔记本与窗口模式；:meth:`finish` 总会重绘）。
    max_draw_fraction : float
        重绘最多占用的时间比例：一次重绘花了 ``t`` 秒，下一次至少等 ``t / max_draw_fraction`` 秒，
        所以画图的代价再高，也只占训练时间的一小部分。

    Examples
    --------
    >>> live = LivePlot(xlabel="epoch", legend=["train loss", "test acc"], xlim=(1, 3))
    >>> for epoch in range(1, 4):
    ...     live.add(epoch, (1.0 / epoch, None if epoch < 3 else 0.8))
    >>> live.mode
    'static'
    >>> live.data[0]
    ([1.0, 2.0, 3.0], [1.0, 0.5, 0.3333333333333333])
    >>> live.data[1]
    ([3.0], [0.8])
    >>> fig = live.finish()
    >>> plt.close(fig)
    """

    def __init__(
        self,
        xlabel: str | None = None,
        ylabel: str | None = None,
        legend: Sequence[str] | None = None,
        xlim: tuple[float, float] | None = None,
        ylim: tuple[float, float] | None = None,
        xscale: str = "linear",
        yscale: str = "linear",
        fmts: Sequence[str] = ("-", "m--", "g-.", "r:"),
        figsize: tuple[float, float] = (3.5, 2.5),
        *,
        save_path: str | os.PathLike[str] | None = None,
        mode: str | None = None,
        min_interval: float = 1.0,
        max_draw_fraction: float = 0.05,
    ) -> None:
        if mode is not None and mode not in _MODES:
            raise ValueError(f"mode 必须是 {_MODES} 之一或 None，收到 {mode!r}")
        if not fmts:
            raise ValueError("fmts 不能为空")
        if min_interval < 0:
            raise ValueError(f"min_interval 不能为负，收到 {min_interval!r}")
        if not 0 < max_draw_fraction <= 1:
            raise ValueError(f"max_draw_fraction 必须在 (0, 1] 内，收到 {max_draw_fraction!r}")
        use_book_style()
        self.fig, self.axes = plt.subplots(figsize=figsize)
        self.legend = list(legend) if legend else []
        self.fmts = list(fmts)
        self.save_path = Path(save_path) if save_path is not None else None
        self.mode = mode or _detect_mode(self.fig)
        self.min_interval = float(min_interval)
        self.max_draw_fraction = float(max_draw_fraction)
        #: 构建本书时只在 finish() 画一次。
        self.draw_at_end_only = in_docs_build()
        #: 训练过程中（不含 finish() 的最后一次）重绘的次数与它们一共花的秒数。
        self.draws = 0
        self.draw_seconds = 0.0
        self._axes_config = dict(
            xlabel=xlabel, ylabel=ylabel, xlim=xlim, ylim=ylim, xscale=xscale, yscale=yscale
        )
        set_axes(self.axes, **self._axes_config)
        self._xs: list[list[float]] = []
        self._ys: list[list[float]] = []
        self._lines: list[Any] = []
        self._handle: Any = None
        # 第一次重绘至少等 min_interval 秒：很短的训练只在 finish() 时画一次
        self._next_draw = time.perf_counter() + self.min_interval
        self._finished = False

    @property
    def data(self) -> list[tuple[list[float], list[float]]]:
        """每条曲线已添加的 ``(x 列表, y 列表)``。"""
        return [(list(x), list(y)) for x, y in zip(self._xs, self._ys)]

    def add(self, x: float | Sequence[float], ys: float | Sequence[float | None]) -> None:
        """给每条曲线添加一个点；``ys`` 中为 ``None`` 的曲线这次不加点。

        ``x`` 可以是一个数（所有曲线共用），也可以与 ``ys`` 等长。
        """
        if self._finished:
            raise RuntimeError("这张图已经 finish()，不能再添加数据")
        if not isinstance(ys, Sequence):
            ys = [ys]
        n = len(ys)
        xs = list(x) if isinstance(x, Sequence) else [x] * n
        if len(xs) != n:
            raise ValueError(f"x 有 {len(xs)} 个值而 ys 有 {n} 个")
        if not self._lines:
            self._create_lines(n)
        elif n != len(self._lines):
            raise ValueError(f"这张图有 {len(self._lines)} 条曲线，这次收到 {n} 个 y 值")
        for i, (a, b) in enumerate(zip(xs, ys)):
            if a is not None and b is not None:
                self._xs[i].append(float(a))
                self._ys[i].append(float(b))
        self._refresh(force=False)

    def _sync(self) -> None:
        """把累积的数据交给曲线并重新确定坐标范围：只在真正重绘之前做，添加一个点是 O(1) 的。"""
        for line, x, y in zip(self._lines, self._xs, self._ys):
            line.set_data(x, y)
            if len(x) == 1 and line.get_marker() in ("None", "", None):
                line.set_marker("o")  # 只有一个点的曲线没有线段可画：画成一个点，图例里也有它
        self.axes.relim()
        self.axes.autoscale_view()

    def _create_lines(self, n: int) -> None:
        self._xs = [[] for _ in range(n)]
        self._ys = [[] for _ in range(n)]
        for i in range(n):
            label = self.legend[i] if i < len(self.legend) else None
            (line,) = self.axes.plot([], [], self.fmts[i % len(self.fmts)], label=label)
            self._lines.append(line)
        if self.legend:
            self.axes.legend()

    def _refresh(self, force: bool) -> None:
        if self.mode == "static" and not force:
            return
        start = time.perf_counter()
        if not force and (self.draw_at_end_only or start < self._next_draw):
            return
        self._sync()
        if self.mode == "static":  # 不渲染：图留给 sphinx-gallery 或调用者
            return
        self._draw()
        cost = time.perf_counter() - start
        if force:  # finish() 的最后一次重绘是结果本身，不算开销
            return
        self.draws += 1
        self.draw_seconds += cost
        wait = max(self.min_interval, cost / self.max_draw_fraction)
        self._next_draw = start + wait

    def _draw(self) -> None:
        if self.mode == "notebook":
            from IPython.display import display

            if self._handle is None:
                self._handle = display(self.fig, display_id=True)
            else:
                self._handle.update(self.fig)
        else:  # window：交互式后端，刷新窗口但不阻塞
            self.fig.canvas.draw_idle()
            plt.pause(0.001)

    def finish(self) -> matplotlib.figure.Figure:
        """画出最终状态并返回图。

        笔记本模式下显示最终的图后关闭它（输出已经在页面里）；脚本中图保持打开，
        由 sphinx-gallery 收集或由调用者 ``plt.show()``。可以重复调用。
        """
        if self._finished:
            return self.fig
        self._finished = True
        self._refresh(force=True)
        if self.save_path is not None:
            self.save_path.parent.mkdir(parents=True, exist_ok=True)
            self.fig.savefig(self.save_path, bbox_inches="tight")
        if self.mode == "notebook":
            plt.close(self.fig)
        return self.fig
