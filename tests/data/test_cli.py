"""``python -m dlbook data info|fetch|verify`` 与页脚里的数据来源。任何测试都不访问网络。"""

from __future__ import annotations

import gzip
import subprocess
import sys

import pytest

from dlbook.cli import main
from dlbook.data import fashion_mnist as fm
from dlbook.experiments.provenance import build_info

HAS_REAL = (fm.SYSTEM_DIR / "train-images-idx3-ubyte.gz").is_file()


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    return tmp_path


def write_labels_only(directory):
    directory.mkdir(parents=True)
    header = bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big")
    (directory / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(header + bytes([1, 2, 11]))
    )


def test_verify_dir_names_every_problem(isolated, capsys):
    write_labels_only(isolated / "d")
    assert main(["data", "verify", "--dir", str(isolated / "d")]) == 1
    out = capsys.readouterr().out
    assert "第 2 个标签是 11" in out and "缺少文件" in out and "t10k-images-idx3-ubyte" in out
    assert "kaggle-house" not in out  # 目录里没有房价文件，就不检查它
    (isolated / "empty").mkdir()
    assert main(["data", "verify", "--dir", str(isolated / "empty")]) == 1
    assert main(["data", "verify", "--dir", str(isolated / "missing")]) == 1
    assert "不存在" in capsys.readouterr().err
    assert main(["data", "verify", "nonsense"]) == 1


def test_info_and_fetch_without_any_copy(isolated, monkeypatch, capsys):
    monkeypatch.setattr(fm, "SYSTEM_DIR", isolated / "none")
    assert main(["data", "info"]) == 0
    out = capsys.readouterr().out
    assert "fashion-mnist：未找到" in out and "kaggle-house：未找到" in out
    assert main(["data", "fetch", "fashion-mnist"]) == 1
    err = capsys.readouterr().err
    assert "apt-get install dataset-fashion-mnist" in err and "DLBOOK_OFFLINE" in err
    assert main(["data", "verify"]) == 1
    assert build_info()["data"] == "Fashion-MNIST（本机未找到，首次使用时下载）"


def test_fetch_several_names_in_one_process(isolated, monkeypatch, capsys):
    monkeypatch.setattr(fm, "SYSTEM_DIR", isolated / "none")
    # 一次给出几个名字：按顺序逐个获取，任何一个失败则整体以非零状态退出
    assert main(["data", "fetch", "kaggle-house", "fashion-mnist", "--check"]) == 3
    out = capsys.readouterr().out
    assert out.index("missing kaggle-house") < out.index("missing fashion-mnist")
    # 从文件或目录取出只对一个名字有意义
    assert main(["data", "fetch", "ptb", "glove-50d", "--from", str(isolated)]) == 1
    assert "只能和一个数据集名字一起用" in capsys.readouterr().err


@pytest.mark.slow  # 解码并校验完整的 Fashion-MNIST（30 MB）
@pytest.mark.skipif(not HAS_REAL, reason="没有安装 dataset-fashion-mnist")
def test_fetch_copies_system_copy_into_cache(isolated, capsys):
    assert main(["data", "verify", "--dir", str(fm.SYSTEM_DIR)]) == 0
    assert main(["data", "fetch", "fashion-mnist"]) == 0  # 有系统副本：复制，不联网
    assert main(["data", "info"]) == 0
    out = capsys.readouterr().out
    assert (
        f"fashion-mnist：缓存 {isolated / 'cache' / 'fashion-mnist'}，4 个文件，30.9 MB，已校验"
        in out
    )
    assert build_info()["data"].startswith("Fashion-MNIST（缓存")


@pytest.mark.slow
def test_module_entry_point(isolated):
    result = subprocess.run(
        [sys.executable, "-m", "dlbook", "data", "fetch", "kaggle-house", "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3 and result.stdout.startswith("missing kaggle-house")
