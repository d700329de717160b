"""Kaggle 式的图像分类比赛（dlbook.data.kaggle）：整理成类别文件夹、读回张量、提交文件、CIFAR-10 小样本的下载。

除最后一个测试（读真实的 Fashion-MNIST）外不用任何真实数据：小比赛由测试自己写出，下载由本机回环地址上的
HTTP 服务器提供。
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from dlbook.data import kaggle
from dlbook.data.download import DataUnavailableError
from dlbook.data.fashion_mnist import locate_fashion_mnist


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    return tmp_path


#: 小比赛：3 个类别（名字里有空格与连字符），每类的样本数不同；编号按数值排序（10 在 9 之后）。
LABELS = {
    "1": "cat",
    "2": "ankle boot",
    "3": "cat",
    "4": "t-shirt",
    "5": "cat",
    "6": "ankle boot",
    "7": "t-shirt",
    "8": "cat",
    "9": "ankle boot",
    "10": "t-shirt",
    "11": "cat",
    "12": "t-shirt",
}


def write_png(path, value, size=(6, 4), mode="RGB"):
    shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
    Image.fromarray(np.full(shape, value, dtype=np.uint8)).save(path)


@pytest.fixture
def competition(isolated):
    """一个 Kaggle 布局的小比赛：train/<id>.png（像素值 = 编号）、test/<id>.png、trainLabels.csv。"""
    root = isolated / "comp"
    (root / "train").mkdir(parents=True)
    (root / "test").mkdir()
    for i in LABELS:
        write_png(root / "train" / f"{i}.png", int(i))
    for i in range(1, 4):
        write_png(root / "test" / f"{i}.png", 100 + i)
    (root / "trainLabels.csv").write_text(
        "id,label\n" + "".join(f"{i},{label}\n" for i, label in LABELS.items())
    )
    return root


def tree(directory):
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*.png"))


def test_read_csv_labels_and_errors(competition):
    assert kaggle.read_csv_labels(competition / "trainLabels.csv") == LABELS
    bad = competition / "bad.csv"
    bad.write_text("id,label\n1,cat\n2\n")
    with pytest.raises(ValueError, match="第 3 行"):
        kaggle.read_csv_labels(bad)


def test_reorg_train_valid_and_test(competition):
    labels = kaggle.read_csv_labels(competition / "trainLabels.csv")
    # 最少的类别（ankle boot）有 3 张：每类 max(1, floor(3 * 0.5)) = 1 张验证图像
    assert kaggle.reorg_train_valid(competition, labels, 0.5) == 1
    kaggle.reorg_test(competition)
    out = competition / "train_valid_test"
    assert tree(out / "valid") == ["ankle boot/2.png", "cat/1.png", "t-shirt/4.png"]
    assert len(tree(out / "train")) == len(LABELS) - 3
    assert len(tree(out / "train_valid")) == len(LABELS)
    assert set(tree(out / "train")) | set(tree(out / "valid")) == set(tree(out / "train_valid"))
    assert tree(out / "test") == ["unknown/1.png", "unknown/2.png", "unknown/3.png"]
    assert (out / "train" / "cat" / "11.png").read_bytes() == (
        competition / "train" / "11.png"
    ).read_bytes()
    # 换一个比例再整理：多余的文件被删掉，结果与第一次就这样整理相同
    assert kaggle.reorg_train_valid(competition, labels, 0.7) == 2
    assert tree(out / "valid") == [
        "ankle boot/2.png",
        "ankle boot/6.png",
        "cat/1.png",
        "cat/3.png",
        "t-shirt/4.png",  # 编号按数值排序：4、7 在 10 之前
        "t-shirt/7.png",
    ]
    assert len(tree(out / "train")) == len(LABELS) - 6
    with pytest.raises(ValueError, match="valid_ratio"):
        kaggle.reorg_train_valid(competition, labels, 1.0)
    with pytest.raises(ValueError, match="没有标签"):
        kaggle.reorg_train_valid(competition, {"1": "cat"}, 0.5)


def test_read_folders_back(competition):
    labels = kaggle.read_csv_labels(competition / "trainLabels.csv")
    kaggle.reorg_train_valid(competition, labels, 0.5)
    kaggle.reorg_test(competition)
    out = competition / "train_valid_test"
    X, y, classes = kaggle.read_image_folder(out / "train_valid")
    assert classes == ("ankle boot", "cat", "t-shirt")  # 按字母排序，与 ImageFolder 相同
    assert X.shape == (len(LABELS), 3, 4, 6) and X.dtype == torch.uint8
    # 每张图像的像素值就是它的编号：标签与图像对得上
    for image, label in zip(X, y, strict=True):
        assert labels[str(int(image[0, 0, 0]))] == classes[label]
    Xv, yv, _ = kaggle.read_image_folder(out / "valid", classes=classes, mode="L", size=3)
    assert Xv.shape == (3, 1, 3, 3) and yv.tolist() == [0, 1, 2]
    Xt, ids = kaggle.read_test_images(out / "test" / "unknown", mode="L")
    assert ids == ["1", "2", "3"] and Xt[:, 0, 0, 0].tolist() == [101, 102, 103]
    with pytest.raises(ValueError, match="classes 之外"):
        kaggle.read_image_folder(out / "train", classes=("cat",))
    write_png(out / "train" / "cat" / "odd.png", 0, size=(5, 5))
    with pytest.raises(ValueError, match="大小不一"):
        kaggle.read_image_folder(out / "train")


def test_submission_written_checked_and_scored(competition, isolated):
    classes = ("ankle boot", "cat", "t-shirt")
    path = isolated / "submission.csv"
    kaggle.write_submission(path, ["1", "2", "3"], torch.tensor([1, 0, 2]), classes=classes)
    assert path.read_text() == "id,label\n1,cat\n2,ankle boot\n3,t-shirt\n"
    assert kaggle.check_submission(path, [1, 2, 3], classes) == []
    solution = isolated / "solution.csv"
    solution.write_text("id,label\n1,cat\n2,cat\n3,t-shirt\n")
    assert kaggle.score_submission(path, solution) == pytest.approx(2 / 3)
    # 缺一行、多一行、重复、未知的类别、错误的表头
    path.write_text("id,label\n1,cat\n1,cat\n4,dog\n")
    problems = kaggle.check_submission(path, [1, 2, 3], classes)
    assert len(problems) == 4 and "缺少 2 个" in problems[0]
    path.write_text("ImageId,label\n")
    assert "表头" in kaggle.check_submission(path, [1], classes)[0]
    # 概率形式（狗的品种识别比赛的格式）
    probs = torch.tensor([[0.5, 0.25, 0.25]])
    kaggle.write_submission(path, ["a"], probs, classes=classes)
    assert path.read_text() == "id,ankle boot,cat,t-shirt\na,0.5,0.25,0.25\n"
    with pytest.raises(ValueError, match="一一对应"):
        kaggle.write_submission(path, ["a", "b"], ["cat"])


def test_image_batch_transform_augments_each_image():
    from torchvision.transforms import v2

    X = torch.arange(2 * 16, dtype=torch.uint8).reshape(2, 1, 4, 4).repeat(8, 1, 1, 1)
    y = torch.arange(16)
    flip = kaggle.image_batch_transform([0.0], [1.0], v2.RandomHorizontalFlip())
    torch.manual_seed(0)
    out, labels = flip((X, y))
    assert torch.equal(labels, y) and out.dtype == torch.float32
    flipped = [torch.equal(o, X[i].flip(-1).float() / 255) for i, o in enumerate(out)]
    kept = [torch.equal(o, X[i].float() / 255) for i, o in enumerate(out)]
    assert all(f or k for f, k in zip(flipped, kept, strict=True))
    assert any(flipped) and any(kept)  # 每张图像各抽各的：有的翻转、有的不翻转
    with pytest.raises(ValueError, match="std"):
        kaggle.image_batch_transform([0.0], [0.0])


# ---------------------------------------------------------------------------
# D2L 的 CIFAR-10 小样本：从本机的 HTTP 服务器下载
# ---------------------------------------------------------------------------


def tiny_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        png = io.BytesIO()
        Image.fromarray(np.zeros((32, 32, 3), dtype=np.uint8)).save(png, format="PNG")
        for i in (1, 2):
            z.writestr(f"{kaggle.CIFAR10_TINY_DIR}/train/{i}.png", png.getvalue())
        z.writestr(f"{kaggle.CIFAR10_TINY_DIR}/test/1.png", png.getvalue())
        z.writestr(f"{kaggle.CIFAR10_TINY_DIR}/trainLabels.csv", "id,label\n1,frog\n2,truck\n")
    return buffer.getvalue()


@pytest.fixture
def server(isolated, monkeypatch, http_dir):
    """在 127.0.0.1 的随机端口上提供 ``isolated/www`` 目录；允许下载，但不用 D2L 的地址。"""
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(kaggle, "CIFAR10_TINY_MIRRORS", ())
    return http_dir


def test_cifar10_tiny_download_and_workflow(server, monkeypatch):
    www, url = server
    data = tiny_zip()
    (www / kaggle.CIFAR10_TINY_FILE).write_bytes(data)
    monkeypatch.setattr(kaggle, "CIFAR10_TINY_SHA1", hashlib.sha1(data).hexdigest())
    directory = kaggle.fetch_cifar10_tiny(mirror=url, retries=0)
    assert directory.name == kaggle.CIFAR10_TINY_DIR
    labels = kaggle.read_csv_labels(directory / "trainLabels.csv")
    assert kaggle.reorg_train_valid(directory, labels, 0.1) == 1
    X, y, classes = kaggle.read_image_folder(directory / "train_valid_test" / "train_valid")
    assert X.shape == (2, 3, 32, 32) and classes == ("frog", "truck")
    (www / kaggle.CIFAR10_TINY_FILE).unlink()  # 已解压：不再下载
    assert kaggle.fetch_cifar10_tiny(mirror=url, retries=0) == directory


def test_cifar10_tiny_corrupt_download_leaves_nothing(server):
    www, url = server
    (www / kaggle.CIFAR10_TINY_FILE).write_bytes(tiny_zip())  # SHA-1 不是 D2L 公布的
    with pytest.raises(DataUnavailableError, match=f"应为 {kaggle.CIFAR10_TINY_SHA1}"):
        kaggle.fetch_cifar10_tiny(mirror=url, retries=0)
    cache = kaggle.data_dir() / "kaggle-cifar10"
    assert not cache.exists() or not any(cache.iterdir())
    assert kaggle.CIFAR10_TINY_SHA1 == "2068874e4b9a9f0fb07ebe0ad2b29754449ccacd"  # D2L 公布的值


def test_cifar10_tiny_offline_message():
    with pytest.raises(DataUnavailableError, match="DLBOOK_CIFAR10_MIRROR"):
        kaggle.fetch_cifar10_tiny()


@pytest.mark.skipif(locate_fashion_mnist() is None, reason="本机没有 Fashion-MNIST")
def test_fashion_mnist_competition(isolated, monkeypatch):
    monkeypatch.delenv("DLBOOK_DATA_DIR")  # 用真实的缓存读 Fashion-MNIST，比赛写到临时目录
    comp = kaggle.make_fashion_mnist_competition(isolated / "fm", num_train=30, num_test=7, seed=1)
    assert tree(comp.directory) == sorted(
        [f"train/{i}.png" for i in range(1, 31)] + [f"test/{i}.png" for i in range(1, 8)]
    )
    labels = kaggle.read_csv_labels(comp.directory / "trainLabels.csv")
    assert len(labels) == 30 and set(labels.values()) <= set(comp.classes)
    assert comp.solution.parent == comp.directory.parent  # 答案在比赛目录之外
    answers = kaggle.read_csv_labels(comp.solution)
    assert list(answers) == [str(i) for i in range(1, 8)]
    sample = comp.directory / "sampleSubmission.csv"
    assert kaggle.check_submission(sample, list(answers), comp.classes) == []
    assert kaggle.score_submission(comp.solution, comp.solution) == 1.0
    image = kaggle.read_test_images(comp.directory / "test", mode="L")[0]
    assert image.shape == (7, 1, 28, 28)
    stamp = (comp.directory / "train" / "1.png").stat().st_mtime_ns
    again = kaggle.make_fashion_mnist_competition(isolated / "fm", num_train=30, num_test=7, seed=1)
    assert again == comp and (comp.directory / "train" / "1.png").stat().st_mtime_ns == stamp
    with pytest.raises(ValueError, match="num_test"):
        kaggle.make_fashion_mnist_competition(isolated / "x", num_test=0)
