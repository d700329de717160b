"""设备、计时器、累加器、随机种子与绘图辅助函数的测试。"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

import dlbook


def test_devices_are_consistent():
    devices = dlbook.list_devices()
    assert devices[0] == torch.device("cpu")
    assert dlbook.best_device() in devices
    assert len(dlbook.try_all_gpus()) >= 1
    assert dlbook.num_gpus() == sum(d.type == "cuda" for d in devices)


def test_gpu_out_of_range_is_a_clear_error():
    with pytest.raises(ValueError, match="GPU"):
        dlbook.gpu(dlbook.num_gpus())
    with pytest.raises(ValueError, match="非负整数"):
        dlbook.gpu(-1)


def test_try_gpu_falls_back_without_cuda():
    device = dlbook.try_gpu(dlbook.num_gpus() + 3)
    assert device.type in {"cpu", "mps"} or device.type == "cuda"
    if dlbook.num_gpus() == 0:
        assert device.type != "cuda"


def test_timer_records_segments():
    timer = dlbook.Timer()
    timer.stop()
    timer.start()
    timer.stop()
    assert len(timer.times) == 2
    assert timer.sum() == pytest.approx(sum(timer.times))
    assert timer.avg() == pytest.approx(timer.sum() / 2)
    assert timer.cumsum()[-1] == pytest.approx(timer.sum())


def test_accumulator_checks_arity():
    acc = dlbook.Accumulator(2)
    acc.add(1, 2)
    acc.add(torch.tensor(3.0), 4)
    assert list(acc) == [4.0, 6.0]
    with pytest.raises(ValueError, match="需要 2 个数"):
        acc.add(1)
    with pytest.raises(ValueError, match="正整数"):
        dlbook.Accumulator(0)


def test_seed_everything_reproduces_all_generators():
    dlbook.seed_everything(7)
    a = torch.randn(3)
    g = dlbook.seed_everything(7)
    assert torch.equal(a, torch.randn(3))
    assert torch.equal(
        torch.rand(2, generator=g), torch.rand(2, generator=torch.Generator().manual_seed(7))
    )
    with pytest.raises(ValueError):
        dlbook.seed_everything(-1)


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
