"""绘图：图的尺寸、折线图、图像网格与本书统一的中文字体设置。

在脚本、Jupyter 与 sphinx-gallery 中行为一致：函数只画图并返回 ``Axes``，
不调用 ``plt.show()``，由调用者（或 sphinx-gallery）决定何时显示、保存图像。
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import font_manager

__all__ = [
    "bundled_cjk_font",
    "use_book_style",
    "set_figsize",
    "set_axes",
    "plot",
    "show_images",
    "show_heatmaps",
]

# 按顺序尝试的中文字体：系统里装了就优先用（Debian/Ubuntu 的 fonts-noto-cjk、macOS、Windows 的常见字体），
# 否则用随 pip 安装的 mplfonts 包里的 Noto Sans CJK SC（它的字体族名也是 "Noto Sans CJK SC"）。
CJK_FONTS = [
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
]

#: mplfonts 包里随 pip 安装的中文字体文件（相对包目录）。
_BUNDLED_FONT = "fonts/NotoSansCJKsc-Regular.otf"


def bundled_cjk_font() -> Path | None:
    """随 pip 安装的中文字体文件（``mplfonts`` 包中的 Noto Sans CJK SC）；没装这个包时返回 ``None``。

    只查找文件，不导入 ``mplfonts`` （导入它没有必要，也会多一个依赖）。

    Examples
    --------
    >>> bundled_cjk_font().name
    'NotoSansCJKsc-Regular.otf'
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / _BUNDLED_FONT
    return path if path.is_file() else None


def _ignore_missing_weight(record: logging.LogRecord) -> bool:
    return "Failed to find font weight" not in record.getMessage()


@functools.cache
def _register_cjk_font() -> str:
    """让 matplotlib 认识一个中文字体，返回它的字体族名；一个进程只做一次。

    随包安装的字体文件直接用 ``fontManager.addfont`` 注册：matplotlib 的字体缓存
    （``fontlist-*.json``）即使写于字体安装之前、里面没有任何中文字体，也挡不住它。
    """
    bundled = bundled_cjk_font()
    if bundled is not None:
        font_manager.fontManager.addfont(str(bundled))
        # 随包的字体只有常规字重：粗体的文字用常规字重画出，不必每次都在标准错误上提示
        logging.getLogger("matplotlib.font_manager").addFilter(_ignore_missing_weight)
    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    raise RuntimeError(
        "找不到中文字体，图中的中文会变成方框。dlbook 依赖的 mplfonts 包带有 Noto Sans CJK SC："
        "请运行 `pip install mplfonts`（或重新安装 dlbook）；也可以安装系统字体，例如 "
        "`sudo apt-get install fonts-noto-cjk`，然后删除 matplotlib 的字体缓存 "
        f"{font_manager.get_cachedir()}/fontlist-*.json。"
    )


def use_book_style() -> None:
    """设置中文字体与负号显示，使图中的中文不会变成方框。可以重复调用。

    找不到任何中文字体时抛出 ``RuntimeError``，说明怎样安装（而不是在画图时才报缺字）。

    Examples
    --------
    >>> use_book_style()
    >>> plt.rcParams["font.sans-serif"][0] in CJK_FONTS, plt.rcParams["axes.unicode_minus"]
    (True, False)
    """
    font = _register_cjk_font()
    families = list(plt.rcParams["font.sans-serif"])
    plt.rcParams["font.sans-serif"] = [font] + [f for f in families if f != font]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False


def set_figsize(figsize: tuple[float, float] = (3.5, 2.5)) -> None:
    """设置之后新建的图的默认尺寸（英寸），并启用本书的字体设置。"""
    use_book_style()
    plt.rcParams["figure.figsize"] = figsize


def set_axes(
    axes: plt.Axes,
    xlabel: str | None = None,
    ylabel: str | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    xscale: str = "linear",
    yscale: str = "linear",
    legend: Sequence[str] | None = None,
) -> None:
    """一次设置坐标轴的标签、范围、刻度类型与图例，并打开网格。"""
    axes.set_xlabel(xlabel or "")
    axes.set_ylabel(ylabel or "")
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    if xlim is not None:
        axes.set_xlim(xlim)
    if ylim is not None:
        axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid(True)


def _to_numpy(a: Any) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        return a.detach().cpu().numpy()
    return np.asarray(a)


def _is_single_series(a: Any) -> bool:
    return (hasattr(a, "ndim") and a.ndim == 1) or (
        isinstance(a, list) and len(a) > 0 and not hasattr(a[0], "__len__")
    )


def plot(
    X: Any,
    Y: Any = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    legend: Sequence[str] | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    xscale: str = "linear",
    yscale: str = "linear",
    fmts: Sequence[str] = ("-", "m--", "g-.", "r:"),
    figsize: tuple[float, float] = (3.5, 2.5),
    axes: plt.Axes | None = None,
) -> plt.Axes:
    """画一条或多条折线。

    ``X`` 与 ``Y`` 可以是一维序列，也可以是多个序列组成的列表；只给 ``X`` 时它被当作 ``Y``，
    横坐标取 0, 1, 2, ...。张量会先被移到 CPU 并脱离计算图。

    Examples
    --------
    >>> x = torch.arange(0, 3, 0.1)
    >>> ax = plot(x, [x**2, 2 * x], xlabel="x", legend=["x^2", "2x"])
    >>> len(ax.get_lines())
    2
    >>> plt.close("all")
    """
    if Y is None:
        X, Y = [[]] * (1 if _is_single_series(X) else len(X)), X
    if _is_single_series(X):
        X = [X]
    if _is_single_series(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    if axes is None:
        set_figsize(figsize)
        axes = plt.figure().gca()
    else:
        use_book_style()
    for x, y, fmt in zip(X, Y, fmts * (len(Y) // len(fmts) + 1)):
        y = _to_numpy(y)
        x = _to_numpy(x)
        if len(x):
            axes.plot(x, y, fmt)
        else:
            axes.plot(y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes


def show_images(
    imgs: Any,
    num_rows: int,
    num_cols: int,
    titles: Sequence[str] | None = None,
    scale: float = 1.5,
    cmap: str = "gray",
) -> np.ndarray:
    """把一批图像画成 ``num_rows × num_cols`` 的网格，可为每张图加标题，返回 ``Axes`` 数组。

    图像可以是形状 ``(N, H, W)``、``(N, 1, H, W)`` 或 ``(N, H, W, 3)`` 的张量或数组。

    Examples
    --------
    >>> axes = show_images(torch.rand(6, 28, 28), 2, 3, titles=list("abcdef"))
    >>> axes.shape, axes[0, 1].get_title()
    ((2, 3), 'b')
    >>> plt.close("all")
    """
    if num_rows < 1 or num_cols < 1:
        raise ValueError(f"num_rows 与 num_cols 必须为正，收到 {num_rows} 与 {num_cols}")
    use_book_style()
    imgs = _to_numpy(imgs)
    if imgs.ndim == 4 and imgs.shape[1] in (1, 3) and imgs.shape[-1] not in (1, 3):
        imgs = imgs.transpose(0, 2, 3, 1)
    if imgs.ndim == 4 and imgs.shape[-1] == 1:
        imgs = imgs[..., 0]
    figsize = (num_cols * scale, num_rows * scale * (1.25 if titles else 1.0))
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= len(imgs):
            continue
        ax.imshow(imgs[i], cmap=cmap)
        if titles is not None and i < len(titles):
            ax.set_title(titles[i], fontsize=8)
    plt.tight_layout()
    return axes


def show_heatmaps(
    matrices: Any,
    xlabel: str,
    ylabel: str,
    titles: Sequence[str] | None = None,
    figsize: tuple[float, float] = (2.5, 2.5),
    cmap: str = "Reds",
) -> plt.Figure:
    """把 ``(行数, 列数, 查询个数, 键个数)`` 的一组矩阵画成热图网格，共用一条颜色条，返回 ``Figure``。

    每个小图的横轴是键、纵轴是查询（由 ``xlabel``、``ylabel`` 给出，只标在最下一行与最左一列）。
    ``titles`` 给出时作为每一列的标题。``figsize`` 是整张图的尺寸（英寸，同 D2L）。

    Examples
    --------
    >>> fig = show_heatmaps(torch.eye(5).reshape(1, 1, 5, 5), "键", "查询")
    >>> len(fig.axes)                     # 一个热图 + 一条颜色条
    2
    >>> fig = show_heatmaps(np.random.rand(2, 3, 4, 6), "键", "查询", titles=["a", "b", "c"])
    >>> len(fig.axes), fig.axes[1].get_title()
    (7, 'b')
    >>> plt.close("all")
    """
    matrices = _to_numpy(matrices)
    if matrices.ndim != 4:
        raise ValueError(
            f"matrices 的形状必须是 (行数, 列数, 查询个数, 键个数)，收到 {matrices.shape}"
        )
    use_book_style()
    num_rows, num_cols = matrices.shape[:2]
    fig, axes = plt.subplots(
        num_rows,
        num_cols,
        figsize=figsize,
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    vmin, vmax = float(matrices.min()), float(matrices.max())
    for i in range(num_rows):
        for j in range(num_cols):
            ax = axes[i, j]
            image = ax.imshow(matrices[i, j], cmap=cmap, vmin=vmin, vmax=vmax)
            if i == num_rows - 1:
                ax.set_xlabel(xlabel)
            if j == 0:
                ax.set_ylabel(ylabel)
            if titles is not None and j < len(titles):
                ax.set_title(titles[j])
    fig.colorbar(image, ax=axes, shrink=0.6)
    return fig
