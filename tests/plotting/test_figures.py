"""绘图：折线图、图像网格、热图与中文字体（包括全新机器上字体缓存里没有中文字体的情形）。"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

import dlbook
from dlbook.plotting.figures import show_heatmaps


def test_plot_accepts_tensors_lists_and_multiple_series():
    x = torch.linspace(0, 1, 5, requires_grad=True)
    ax = dlbook.plot(x, [x * 2, x**2], xlabel="横轴", legend=["2x", "x²"], yscale="log")
    assert len(ax.get_lines()) == 2
    assert ax.get_xlabel() == "横轴" and ax.get_yscale() == "log"
    ax = dlbook.plot([1.0, 2.0, 4.0])
    assert list(ax.get_lines()[0].get_ydata()) == [1.0, 2.0, 4.0]
    plt.close("all")


def test_chinese_text_renders_without_missing_glyphs(recwarn):
    dlbook.use_book_style()
    fig, ax = plt.subplots()
    ax.set_title("张量与梯度")
    fig.canvas.draw()
    assert not [w for w in recwarn if "missing from" in str(w.message)]
    plt.close(fig)


def test_show_images_layouts():
    axes = dlbook.show_images(torch.rand(5, 1, 8, 8), 2, 3, titles=["a"] * 5)
    assert axes.shape == (2, 3)
    assert len(axes[1, 2].images) == 0  # 第 6 格没有图像
    with pytest.raises(ValueError):
        dlbook.show_images(torch.rand(1, 8, 8), 0, 1)
    plt.close("all")


def test_show_heatmaps_grid():
    fig = show_heatmaps(torch.rand(2, 3, 4, 5), "键", "查询", titles=["一", "二", "三"])
    assert len(fig.axes) == 2 * 3 + 1  # 6 个热图 + 1 条颜色条
    assert fig.axes[2].get_title() == "三" and fig.axes[3].get_ylabel() == "查询"
    assert fig.axes[4].get_xlabel() == "键"
    plt.close(fig)
    with pytest.raises(ValueError, match="matrices"):
        show_heatmaps(torch.eye(3), "x", "y")


# 在子进程里用本书的字体设置画一个中文标题；缺字警告会变成错误，让子进程失败。
_DRAW_CHINESE = textwrap.dedent(
    """
    import warnings
    import matplotlib
    matplotlib.use("Agg")
    warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from.*")
    import matplotlib.pyplot as plt
    import dlbook
    dlbook.use_book_style()
    fig, ax = plt.subplots()
    ax.set_title("训练损失与测试精度")
    ax.set_xlabel("粗体的轴标签", fontweight="bold")
    fig.savefig("chinese.png")
    print(plt.rcParams["font.sans-serif"][0])
    """
)

# 写一个“过时”的字体缓存：matplotlib 照常扫描系统字体后，去掉其中所有中文字体再存盘，
# 就像缓存写于中文字体安装之前。
_WRITE_STALE_CACHE = textwrap.dedent(
    """
    from matplotlib import font_manager as fm
    cjk = ("CJK", "Han Sans", "WenQuanYi", "PingFang", "YaHei", "SimHei")
    fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if not any(k in f.name for k in cjk)]
    import os, matplotlib
    path = os.path.join(matplotlib.get_cachedir(), f"fontlist-v{fm.FontManager.__version__}.json")
    fm.json_dump(fm.fontManager, path)
    print(path)
    """
)


def _run(code, cwd, env, prefix=()):
    return subprocess.run(
        [*prefix, sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.mark.slow
def test_chinese_renders_with_a_font_cache_written_without_cjk_fonts(tmp_path):
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    stale = _run(_WRITE_STALE_CACHE, tmp_path, env)
    assert stale.returncode == 0, stale.stderr
    cache = json.loads(Path(stale.stdout.strip()).read_text(encoding="utf-8"))
    assert not [f for f in cache["ttflist"] if "CJK" in f["name"]]
    drawn = _run(_DRAW_CHINESE, tmp_path, env)
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.strip() == "Noto Sans CJK SC"
    assert (tmp_path / "chinese.png").stat().st_size > 0


def _system_cjk_font_dirs():
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    out = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True).stdout
    return sorted({os.path.dirname(line.split(":")[0]) for line in out.splitlines() if line})


_COUNT_CJK = "import matplotlib.font_manager as fm; print(sum('CJK' in f.name for f in fm.fontManager.ttflist))"


@pytest.mark.slow
def test_chinese_renders_with_system_fonts_hidden(tmp_path):
    """在私有的挂载命名空间里把系统的中文字体目录换成空目录，再用全新的字体缓存画图。"""
    if shutil.which("unshare") is None:
        pytest.fail("这个测试需要 util-linux 的 unshare 来隐藏系统字体")
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "count.py").write_text(_COUNT_CJK, encoding="utf-8")
    (tmp_path / "draw.py").write_text(_DRAW_CHINESE, encoding="utf-8")
    hide = "".join(f"mount --bind {empty} {d} && " for d in _system_cjk_font_dirs())
    shell = f"{hide}{sys.executable} count.py && {sys.executable} draw.py"
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    result = subprocess.run(
        ["unshare", "-r", "-m", "sh", "-c", shell],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # 没有缺字警告，也没有“找不到粗体”的提示
    system_cjk, font = result.stdout.strip().splitlines()
    assert system_cjk == "0"  # 系统字体被隐藏：matplotlib 自己一个中文字体也找不到
    assert font == "Noto Sans CJK SC"  # 仍然用上了随 pip 安装的字体
