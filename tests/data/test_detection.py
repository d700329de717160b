"""合成的目标检测数据集（dlbook.data.detection）：确定、标签正确、缓存损坏时报清楚的错。"""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import torch

from dlbook.cli import main
from dlbook.data import detection as dt
from dlbook.data import packaged as pk
from dlbook.data.download import DataUnavailableError

REAL = {name: spec.cache_dir for name, spec in pk.PACKAGED.items()}


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """一个只有照片与图标（从真实缓存复制）的用户缓存；不许下载、没有系统副本。"""
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    for name, spec in pk.PACKAGED.items():
        monkeypatch.setitem(pk.PACKAGED, name, dataclasses.replace(spec, system_dir=None))
    for name in ("photos", "quokka", "emoji"):
        shutil.copytree(REAL[name], tmp_path / name)
    return tmp_path


def test_generation_is_deterministic_and_labels_are_valid(cache):
    a = dt.generate_detection("train", num_examples=16, seed=3)
    b = dt.generate_detection("train", num_examples=16, seed=3)
    c = dt.generate_detection("train", num_examples=16, seed=4)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c[0])
    images, labels, masks = a
    assert images.shape == (16, 3, 128, 128) and labels.shape == (16, 2, 5)
    real = labels[:, :, 0] >= 0
    assert real[:, 0].all()  # 每张图像至少一个物体
    boxes = labels[real][:, 1:]
    assert ((boxes >= 0) & (boxes <= 1)).all()
    assert (boxes[:, 2] > boxes[:, 0]).all() and (boxes[:, 3] > boxes[:, 1]).all()
    assert set(labels[real][:, 0].long().tolist()) <= set(range(len(dt.DETECTION_CLASSES)))
    assert (labels[~real] == torch.tensor([-1.0, 0, 0, 0, 0])).all()


def test_boxes_are_tight_around_the_opaque_pixels(cache):
    """框外一圈像素与框内的物体像素不同：框由透明通道算出，而不是贴图的方框。"""
    images, labels, masks = dt.generate_detection("val", num_examples=4, max_objects=1, seed=0)
    for image, label, mask in zip(images, labels, masks):
        x1, y1, x2, y2 = (label[0, 1:] * 128).round().long().tolist()
        inside = image[:, y1:y2, x1:x2].float()
        assert inside.std() > 10  # 框里有物体
        # 掩码里的物体像素正好落满这个框：框是它们的外接矩形
        ys, xs = torch.nonzero(mask == label[0, 0] + 1, as_tuple=True)
        assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (x1, y1, x2, y2)
        assert set(mask.unique().tolist()) == {0, int(label[0, 0]) + 1}


def test_cache_round_trip_and_corrupt_cache(cache):
    images, labels = dt.read_detection("val", num_examples=8)
    path = dt.detection_cache_file("val", num_examples=8)
    assert path.is_file()
    again = dt.read_detection("val", num_examples=8)
    assert torch.equal(again[0], images) and torch.equal(again[1], labels)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ValueError, match="已损坏.*删除"):
        dt.read_detection("val", num_examples=8)
    masks = torch.zeros(8, 128, 128, dtype=torch.uint8)
    saved = {"images": images, "labels": labels, "masks": masks, "sha256": "0" * 64}
    torch.save(saved, path)
    with pytest.raises(ValueError, match="SHA-256 不符"):
        dt.read_detection("val", num_examples=8)


def test_missing_sprites_give_a_clear_error(cache):
    shutil.rmtree(cache / "emoji")
    with pytest.raises(DataUnavailableError, match="ruby-gemojione"):
        dt.read_detection("val", num_examples=2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        dt.generate_detection("test")
    with pytest.raises(ValueError, match="size"):
        dt.generate_detection("train", size=8)


def test_loader_batches(cache):
    train_iter, val_iter = dt.load_detection(4, num_train=8, num_val=4)
    X, Y = next(iter(train_iter))
    assert X.dtype == torch.float32 and 0 <= X.min() and X.max() <= 1
    assert X.shape == (4, 3, 128, 128) and Y.shape == (4, 2, 5)
    assert len(val_iter) == 1


@pytest.mark.slow
def test_cli_fetch_and_verify(cache, capsys):
    assert main(["data", "fetch", "detection"]) == 0
    assert main(["data", "verify", "detection"]) == 0
    path = dt.detection_cache_file("val")
    path.write_bytes(b"garbage")
    assert main(["data", "verify", "detection"]) == 1
    assert "已损坏" in capsys.readouterr().out
