"""设备的发现、挑选与命令行设备名的检查。"""

import pytest
import torch

import dlbook
from dlbook.utils.devices import parse_device


def test_devices_are_consistent():
    devices = dlbook.list_devices()
    assert devices[0] == torch.device("cpu")
    assert dlbook.best_device() in devices
    assert dlbook.try_all_gpus() == (
        [torch.device(f"cuda:{i}") for i in range(dlbook.num_gpus())] or [dlbook.best_device()]
    )
    assert dlbook.num_gpus() == sum(d.type == "cuda" for d in devices)


def test_gpu_out_of_range_is_a_clear_error():
    with pytest.raises(ValueError, match="GPU"):
        dlbook.gpu(dlbook.num_gpus())
    with pytest.raises(ValueError, match="非负整数"):
        dlbook.gpu(-1)


def test_try_gpu_beyond_the_devices_is_the_cpu():
    assert dlbook.try_gpu(dlbook.num_gpus() + 3) == torch.device("cpu")


def test_parse_device_accepts_present_devices():
    assert parse_device("cpu") == torch.device("cpu")
    assert parse_device("auto") == dlbook.best_device()


@pytest.mark.parametrize("text", ["tpu", "cuda:x", "gpu0"])
def test_parse_device_rejects_unknown_names(text):
    with pytest.raises(ValueError, match="无法识别的设备"):
        parse_device(text)


def test_parse_device_checks_the_cuda_index():
    n = dlbook.num_gpus()
    with pytest.raises(ValueError, match="不可用"):
        parse_device(f"cuda:{n}")
    with pytest.raises(ValueError, match="不可用"):
        parse_device("cuda:7" if n <= 7 else f"cuda:{n + 1}")
