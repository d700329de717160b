"""Fashion-MNIST 的缩放（第 6 章的 224×224、96×96 输入）：uint8 插值、缩放后的缓存与每批缩放给出相同的批次。"""

from __future__ import annotations

import gzip

import pytest
import torch
import torch.nn.functional as F

import dlbook
from dlbook.data import fashion_mnist as fm


@pytest.fixture
def tiny_root(monkeypatch, tmp_path):
    """自己写出的小 IDX 数据集（不访问网络，不用系统副本）。"""
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    g = torch.Generator().manual_seed(0)
    tensors = {
        "train-images-idx3-ubyte": torch.randint(0, 256, (20, 28, 28), generator=g),
        "train-labels-idx1-ubyte": torch.arange(20) % 10,
        "t10k-images-idx3-ubyte": torch.randint(0, 256, (6, 28, 28), generator=g),
        "t10k-labels-idx1-ubyte": torch.arange(6) % 10,
    }
    root = tmp_path / "data"
    root.mkdir()
    for name, t in tensors.items():
        header = bytes([0, 0, 8, t.dim()]) + b"".join(int(s).to_bytes(4, "big") for s in t.shape)
        (root / f"{name}.gz").write_bytes(
            gzip.compress(header + t.to(torch.uint8).numpy().tobytes())
        )
    return root


def test_cached_and_per_batch_resizing_give_identical_batches(tiny_root):
    kwargs = dict(batch_size=8, resize=(40, 56), root=tiny_root, seed=3)
    cached = dlbook.load_fashion_mnist(**kwargs, cache_resized=True)
    per_batch = dlbook.load_fashion_mnist(**kwargs, cache_resized=False)
    assert cached[0].tensors[0].shape == (20, 1, 40, 56)  # 构造时已缩放好的 uint8
    assert cached[0].tensors[0].dtype == torch.uint8
    assert per_batch[0].tensors[0].shape == (20, 28, 28)  # 每批再缩放
    for a, b in zip(cached, per_batch):
        for (Xa, ya), (Xb, yb) in zip(a, b, strict=True):
            assert Xa.dtype == torch.float32 and Xa.shape[1:] == (1, 40, 56)
            assert torch.equal(Xa, Xb) and torch.equal(ya, yb)


def test_uint8_resizing_matches_float_interpolation_within_one_level(tiny_root):
    data = dlbook.read_fashion_mnist(tiny_root)
    images = data.train_images[:5]
    ours = fm._resize_uint8(images, (224, 224)).float()
    ref = F.interpolate(images.unsqueeze(1).float(), size=(224, 224), mode="bilinear")
    assert float((ours - ref).abs().max()) <= 1.0  # uint8 插值只多一次取整
    assert float((ours - ref).abs().mean()) < 0.5


def test_cache_decision_follows_available_memory(tiny_root, monkeypatch):
    monkeypatch.setattr(fm, "_available_bytes", lambda device: 0)  # “没有内存”：不缓存
    train_iter, _ = dlbook.load_fashion_mnist(4, resize=64, root=tiny_root)
    assert train_iter.tensors[0].shape == (20, 28, 28)
    monkeypatch.setattr(fm, "_available_bytes", lambda device: 10**12)
    train_iter, test_iter = dlbook.load_fashion_mnist(4, resize=64, root=tiny_root)
    assert train_iter.tensors[0].shape == (20, 1, 64, 64)
    assert test_iter.tensors[0].shape == (6, 1, 64, 64)
    # 不缩放时没有缓存可言
    train_iter, _ = dlbook.load_fashion_mnist(4, root=tiny_root, cache_resized=True)
    assert train_iter.tensors[0].shape == (20, 28, 28)
