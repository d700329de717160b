"""狗的品种识别的数据（dlbook.data.kaggle_dog）：四类上衣的划分，D2L 小样本的下载、校验、整理与读取。

下载由本机回环地址上的 HTTP 服务器提供，压缩包由测试自己写出（与 D2L 的 kaggle_dog_tiny.zip 同样的布局）；
除 :func:`test_upper_body_split` 读 nox 放进缓存的 Fashion-MNIST 外，任何测试都不访问网络。
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from dlbook.data import kaggle_dog as kd
from dlbook.data.download import DataUnavailableError, data_dir

BREEDS = ("beagle", "pug", "whippet")


def test_upper_body_split():
    data = kd.read_upper_body(40, 10, 12, seed=3)
    assert data.classes == ("t-shirt", "pullover", "coat", "shirt")
    assert data.train_images.shape == (40, 1, 28, 28) and data.valid_images.shape == (10, 1, 28, 28)
    assert data.test_ids == [str(i) for i in range(1, 13)] and data.test_labels.shape == (12,)
    for labels in (data.train_labels, data.valid_labels, data.test_labels):
        assert labels.dtype == torch.int64 and 0 <= labels.min() and labels.max() <= 3
    # 训练集与验证集互不重叠；同一个种子给出同样的划分
    train = {bytes(x.numpy()) for x in data.train_images}
    assert not any(bytes(x.numpy()) in train for x in data.valid_images)
    again = kd.read_upper_body(40, 10, 12, seed=3)
    assert torch.equal(again.valid_images, data.valid_images)
    with pytest.raises(ValueError, match="num_test"):
        kd.read_upper_body(1, 1, 10**6)


def _jpeg(colour: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((12, 16, 3), colour, dtype=np.uint8)).save(buffer, format="JPEG")
    return buffer.getvalue()


def dog_zip() -> bytes:
    """与 D2L 的小样本同样的布局：train/<id>.jpg、test/<id>.jpg 与 labels.csv（id,breed）。"""
    buffer = io.BytesIO()
    rows = ["id,breed"]
    with zipfile.ZipFile(buffer, "w") as z:
        for i in range(12):
            name = f"{i:04x}ab"
            z.writestr(f"{kd.DOG_TINY_DIR}/train/{name}.jpg", _jpeg(20 * i))
            rows.append(f"{name},{BREEDS[i % 3]}")
        for name in ("ff01", "ff02"):
            z.writestr(f"{kd.DOG_TINY_DIR}/test/{name}.jpg", _jpeg(200))
        z.writestr(f"{kd.DOG_TINY_DIR}/{kd.DOG_LABELS_FILE}", "\n".join(rows) + "\n")
    return buffer.getvalue()


@pytest.fixture
def server(monkeypatch, tmp_path, http_dir):
    """在 127.0.0.1 的随机端口上提供 ``tmp_path/www``；缓存放进 ``tmp_path/cache``，允许下载。"""
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DLBOOK_OFFLINE", raising=False)
    monkeypatch.setattr(kd, "DOG_TINY_MIRRORS", ())
    return http_dir


def test_download_reorganise_and_read(server, monkeypatch):
    www, url = server
    data = dog_zip()
    (www / kd.DOG_TINY_FILE).write_bytes(data)
    monkeypatch.setattr(kd, "DOG_TINY_SHA1", hashlib.sha1(data).hexdigest())
    directory = kd.fetch_dog_tiny(mirror=url, retries=0)
    assert (directory / kd.DOG_LABELS_FILE).is_file()
    assert kd.fetch_dog_tiny(mirror="http://127.0.0.1:9/") == directory  # 已解压：不再下载
    dogs = kd.read_dog_tiny(valid_ratio=0.25, size=8)
    assert dogs.classes == ("beagle", "pug", "whippet")
    # 每个犬种 4 张：floor(4 × 0.25) = 1 张进验证集，3 张进训练集
    assert dogs.train_images.shape == (9, 3, 8, 8) and dogs.valid_labels.tolist() == [0, 1, 2]
    assert dogs.test_ids == ["ff01", "ff02"] and dogs.test_labels is None


def test_corrupt_download_leaves_nothing(server):
    www, url = server
    (www / kd.DOG_TINY_FILE).write_bytes(dog_zip())  # SHA-1 与 D2L 公布的值不同
    with pytest.raises(DataUnavailableError, match=kd.DOG_TINY_SHA1):
        kd.fetch_dog_tiny(mirror=url, retries=0)
    cache = data_dir() / "kaggle-dog"
    assert not (cache / kd.DOG_TINY_FILE).exists() and not (cache / kd.DOG_TINY_DIR).exists()
    assert kd.DOG_TINY_SHA1 == "0cb91d09b814ecdc07b50f31f8dcad3e81d6a86d"  # D2L 公布的值


def test_offline_message(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    with pytest.raises(DataUnavailableError, match="DLBOOK_DOG_MIRROR"):
        kd.fetch_dog_tiny()
