"""保存与加载（dlbook.utils.serialization）：原子写入、weights_only=True、损坏文件给出清楚的错误。"""

from __future__ import annotations

import os
import pickle

import pytest
import torch
from torch import nn

from dlbook.models.blocks import MLP
from dlbook.utils.serialization import CorruptFileError, load_state, save_state


def test_round_trip_tensor_list_dict(tmp_path):
    x, y = torch.arange(4), torch.zeros(4)
    for obj in (x, [x, y], {"x": x, "y": y}):
        back = load_state(save_state(obj, tmp_path / "f.pt"))
        assert type(back) is type(obj)
    torch.testing.assert_close(load_state(tmp_path / "f.pt")["x"], x)


def test_model_state_round_trip(tmp_path):
    torch.manual_seed(0)
    net = MLP()
    X = torch.randn(2, 20)
    save_state(net.state_dict(), tmp_path / "mlp.params")
    clone = MLP()
    clone.load_state_dict(load_state(tmp_path / "mlp.params"))
    clone.eval()
    torch.testing.assert_close(clone(X), net(X), atol=0, rtol=0)


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    target = tmp_path / "w.pt"
    save_state({"w": torch.ones(2)}, target)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(KeyboardInterrupt):
        save_state({"w": torch.zeros(2)}, target)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["w.pt"]  # 临时文件已清理
    torch.testing.assert_close(load_state(target)["w"], torch.ones(2))  # 旧文件完好


class _Payload:
    def __reduce__(self):
        return (os.getcwd, ())


def test_refuses_arbitrary_pickles(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save(_Payload(), path)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        load_state(path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)


@pytest.mark.parametrize("keep", [0, 10, 0.5, -10, -1])
def test_truncated_file_gives_clear_error(tmp_path, keep):
    path = save_state({"w": torch.arange(1000)}, tmp_path / "w.pt")
    data = path.read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    path.write_bytes(data[:n])
    with pytest.raises(CorruptFileError, match=f"{n} 字节"):
        load_state(path)


def test_flipped_byte_is_detected(tmp_path):
    path = save_state({"w": torch.arange(1000)}, tmp_path / "w.pt")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="校验和"):
        load_state(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="找不到"):
        load_state(tmp_path / "nope.pt")


def test_map_location(tmp_path):
    path = save_state({"layer": nn.Linear(2, 2).state_dict()}, tmp_path / "s.pt")
    assert load_state(path, map_location="cpu")["layer"]["weight"].device.type == "cpu"
