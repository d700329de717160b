"""Fashion-MNIST 的查找、格式检查、解码缓存、缩放、下载与小批量读取。

测试自己写出很小的 IDX 文件，走与真实数据相同的代码路径；任何测试都不访问网络。
装有 Debian 包 ``dataset-fashion-mnist`` 时，另有几项测试读取真实数据。
"""

from __future__ import annotations

import gzip
import io
import urllib.error
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F

import dlbook
from dlbook.data import DataUnavailableError, IDXFormatError, download
from dlbook.data import fashion_mnist as fm

REAL = fm.SYSTEM_DIR
needs_real = pytest.mark.skipif(
    not (REAL / "train-images-idx3-ubyte.gz").is_file(),
    reason="没有安装 dataset-fashion-mnist（/usr/share/datasets/fashion-mnist）",
)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """每个测试用自己的缓存目录，禁止下载，并让系统副本“不存在”（需要时再改回来）。"""
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    monkeypatch.delenv("DLBOOK_FASHION_MNIST_MIRROR", raising=False)
    monkeypatch.setattr(fm, "SYSTEM_DIR", tmp_path / "no-system-copy")
    return tmp_path


def idx_bytes(tensor: torch.Tensor) -> bytes:
    header = bytes([0, 0, 8, tensor.dim()])
    header += b"".join(int(s).to_bytes(4, "big") for s in tensor.shape)
    return header + tensor.to(torch.uint8).numpy().tobytes()


def write_set(directory: Path, n_train=12, n_test=5, *, gz=True, seed=0, overrides=None) -> Path:
    """写出四个小 IDX 文件；``overrides`` 把某个文件名换成给定的原始字节。"""
    g = torch.Generator().manual_seed(seed)
    tensors = {
        "train-images-idx3-ubyte": torch.randint(0, 256, (n_train, 28, 28), generator=g),
        "train-labels-idx1-ubyte": torch.arange(n_train) % 10,
        "t10k-images-idx3-ubyte": torch.randint(0, 256, (n_test, 28, 28), generator=g),
        "t10k-labels-idx1-ubyte": (torch.arange(n_test) * 3) % 10,
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, tensor in tensors.items():
        data = (overrides or {}).get(name, idx_bytes(tensor))
        if gz:
            (directory / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (directory / name).write_bytes(data)
    return directory


# ---- 标签名与图像网格 ----


def test_labels_and_names():
    assert len(dlbook.FASHION_MNIST_LABELS) == 10
    assert dlbook.fashion_mnist_labels([0, 9]) == ["t-shirt", "ankle boot"]
    with pytest.raises(ValueError, match="0–9"):
        dlbook.fashion_mnist_labels([10])


def test_show_images_with_true_and_predicted_titles(isolated):
    train_iter, _ = dlbook.load_fashion_mnist(6, root=write_set(isolated / "d"))
    X, y = next(iter(train_iter))
    trues = dlbook.fashion_mnist_labels(y)
    preds = dlbook.fashion_mnist_labels(torch.zeros(6, dtype=torch.long))
    titles = [f"{t}\n{p}" for t, p in zip(trues, preds)]
    axes = dlbook.show_images(X, 2, 3, titles=titles)
    assert axes.shape == (2, 3) and axes[0, 0].get_title() == titles[0]
    plt.close("all")


# ---- 读取小 IDX 文件：与真实数据同一条代码路径 ----


@pytest.mark.parametrize("gz", [True, False])
def test_reads_tiny_files_through_real_path(isolated, gz):
    root = write_set(isolated / "d", gz=gz)
    data = dlbook.read_fashion_mnist(root)
    assert data.train_images.shape == (12, 28, 28) and data.train_images.dtype == torch.uint8
    assert data.train_labels.dtype == torch.int64
    assert data.train_labels.tolist() == [i % 10 for i in range(12)]
    assert data.test_images.shape == (5, 28, 28)
    assert not data.verified and "目录" in data.source and "未校验" in data.source
    assert (isolated / "cache" / "fashion-mnist" / "decoded.pt").is_file()


def test_torchvision_layout_is_found(isolated):
    write_set(isolated / "d" / "FashionMNIST" / "raw", gz=False)
    assert dlbook.read_fashion_mnist(isolated / "d").train_images.shape[0] == 12


def test_cache_is_used_then_invalidated_when_source_changes(isolated, monkeypatch):
    root = write_set(isolated / "d")
    first = dlbook.read_fashion_mnist(root)
    calls = []
    real_decode = fm._decode
    monkeypatch.setattr(fm, "_decode", lambda files: calls.append(1) or real_decode(files))
    again = dlbook.read_fashion_mnist(root)
    assert calls == [] and torch.equal(first.train_images, again.train_images)
    write_set(root, seed=1, n_train=7)  # 源文件变了：重新解码
    changed = dlbook.read_fashion_mnist(root)
    assert calls == [1] and changed.train_images.shape[0] == 7


def test_user_cache_is_searched_before_system_copy(isolated, monkeypatch):
    write_set(isolated / "cache" / "fashion-mnist", n_train=3)
    write_set(isolated / "system", n_train=4)
    monkeypatch.setattr(fm, "SYSTEM_DIR", isolated / "system")
    data = dlbook.read_fashion_mnist()
    assert data.train_images.shape[0] == 3 and data.source.startswith("缓存")
    (isolated / "cache" / "fashion-mnist" / "train-images-idx3-ubyte.gz").unlink()
    data = dlbook.read_fashion_mnist()
    assert data.train_images.shape[0] == 4 and data.source.startswith("系统副本")


def test_system_copy_can_be_switched_off(isolated, monkeypatch):
    write_set(isolated / "system", n_train=4)
    monkeypatch.setattr(fm, "SYSTEM_DIR", isolated / "system")
    assert fm.locate_fashion_mnist().kind == "系统副本"
    assert fm.locate_fashion_mnist(use_system=False) is None
    with pytest.raises(DataUnavailableError):  # 离线、缓存为空：不再退回系统副本
        dlbook.read_fashion_mnist(use_system=False)
    monkeypatch.setenv("DLBOOK_USE_SYSTEM_DATA", "0")
    assert fm.locate_fashion_mnist() is None
    with pytest.raises(DataUnavailableError):
        dlbook.load_fashion_mnist(2)
    assert fm.locate_fashion_mnist(use_system=True).kind == "系统副本"  # 参数优先于环境变量
    write_set(isolated / "cache" / "fashion-mnist", n_train=3)
    assert dlbook.read_fashion_mnist().source.startswith("缓存")


def test_explicit_root_without_files_is_an_error(isolated):
    (isolated / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="没有找齐"):
        dlbook.read_fashion_mnist(isolated / "empty")


# ---- 损坏的文件：错误信息说出是哪个文件、哪里不对 ----

TRAIN_LABELS = "train-labels-idx1-ubyte"
TRAIN_IMAGES = "train-images-idx3-ubyte"


def expect_error(isolated, match, *, gz=True, raw=None, name=TRAIN_LABELS):
    root = write_set(isolated / "bad", gz=gz, overrides=None if raw is None else {name: raw})
    return root, pytest.raises(IDXFormatError, match=match)


def test_bad_magic_number(isolated):
    raw = bytes([0, 0, 8, 3]) + (3).to_bytes(4, "big") * 3 + bytes(27)
    root, raises = expect_error(isolated, f"{TRAIN_LABELS}.gz.*魔数 0x00000803.*应为 1 维", raw=raw)
    with raises:
        dlbook.read_fashion_mnist(root)
    raw = bytes([1, 2, 3, 4, 5, 6, 7, 8])
    root, raises = expect_error(isolated, "魔数 0x01020304", raw=raw)
    with raises:
        dlbook.read_fashion_mnist(root)


def test_truncated_idx_content(isolated):
    good = idx_bytes(torch.zeros(12, 28, 28))
    root, raises = expect_error(
        isolated, f"{TRAIN_IMAGES}.*截断", raw=good[:-100], name=TRAIN_IMAGES, gz=False
    )
    with raises:
        dlbook.read_fashion_mnist(root)


def test_truncated_gzip(isolated):
    root = write_set(isolated / "bad")
    path = root / f"{TRAIN_IMAGES}.gz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(IDXFormatError, match=f"{TRAIN_IMAGES}.gz.*gzip"):
        dlbook.read_fashion_mnist(root)


def test_corrupted_gzip(isolated):
    root = write_set(isolated / "bad")
    (root / f"{TRAIN_LABELS}.gz").write_bytes(b"this is not gzip at all")
    with pytest.raises(IDXFormatError, match=f"{TRAIN_LABELS}.gz.*gzip"):
        dlbook.read_fashion_mnist(root)


def test_label_outside_range(isolated):
    raw = idx_bytes(torch.tensor([1, 2, 3, 12, 0, 0, 0, 0, 0, 0, 0, 0]))
    root, raises = expect_error(isolated, f"{TRAIN_LABELS}.gz.*第 3 个标签是 12.*0–9", raw=raw)
    with raises:
        dlbook.read_fashion_mnist(root)


def test_wrong_counts(isolated):
    raw = idx_bytes(torch.zeros(11, dtype=torch.uint8))
    root, raises = expect_error(isolated, "12 张图像.*11 个标签", raw=raw)
    with raises:
        dlbook.read_fashion_mnist(root)
    raw = idx_bytes(torch.zeros(12, 20, 20))
    root, raises = expect_error(isolated, "28×28", raw=raw, name=TRAIN_IMAGES)
    with raises:
        dlbook.read_fashion_mnist(root)


def test_verify_reports_every_problem(isolated):
    root = write_set(isolated / "d")
    (root / f"{TRAIN_LABELS}.gz").write_bytes(b"garbage")
    problems = fm.verify_fashion_mnist(root)
    assert any(TRAIN_LABELS in p and "gzip" in p for p in problems)
    assert sum("SHA-256" in p for p in problems) == 3  # 其余三个文件格式正确，但不是官方数据


# ---- 小批量读取 ----


def test_batches_shapes_range_and_len(isolated):
    root = write_set(isolated / "d", n_train=10, n_test=5)
    train_iter, test_iter = dlbook.load_fashion_mnist(4, root=root)
    assert (len(train_iter), len(test_iter)) == (3, 2)
    batches = list(train_iter)
    assert [len(y) for _, y in batches] == [4, 4, 2]
    X, y = batches[0]
    assert X.shape == (4, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= X.min() and X.max() <= 1
    data = dlbook.read_fashion_mnist(root)
    X_test, y_test = next(iter(test_iter))  # 测试集不打乱：就是前 4 个样本
    assert torch.equal(X_test[:, 0], data.test_images[:4].float() / 255)
    assert torch.equal(y_test, data.test_labels[:4])
    seen = torch.cat([y for _, y in batches])
    assert sorted(seen.tolist()) == sorted(data.train_labels.tolist())


def test_resize_num_train_and_bad_arguments(isolated):
    root = write_set(isolated / "d", n_train=10, n_test=5)
    train_iter, test_iter = dlbook.load_fashion_mnist(
        3, resize=(32, 48), root=root, num_train=7, num_test=2
    )
    X, _ = next(iter(train_iter))
    assert X.shape == (3, 1, 32, 48) and (len(train_iter), len(test_iter)) == (3, 1)
    X, _ = next(iter(dlbook.load_fashion_mnist(3, resize=96, root=root)[1]))
    assert X.shape == (3, 1, 96, 96)
    for kwargs, match in [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2, "resize": 0}, "resize"),
        ({"batch_size": 2, "num_train": 11}, "num_train"),
        ({"batch_size": 2, "seed": -1}, "seed"),
    ]:
        with pytest.raises(ValueError, match=match):
            dlbook.load_fashion_mnist(root=root, **kwargs)


def test_same_seed_same_order_each_epoch_reshuffles(isolated):
    root = write_set(isolated / "d", n_train=40, n_test=5)

    def orders(seed, epochs=2):
        train_iter, _ = dlbook.load_fashion_mnist(8, root=root, seed=seed)
        return [
            torch.cat([X.sum((1, 2, 3)) for X, _ in train_iter]).tolist() for _ in range(epochs)
        ]

    a, b, c = orders(0), orders(0), orders(1)
    assert a == b  # 同一个种子：每一轮的顺序都相同
    assert a[0] != a[1]  # 每一轮重新打乱
    assert a != c


# ---- 缩放（第 6 章的 224×224、96×96 输入）：uint8 插值、缩放后的缓存与每批缩放给出相同的批次 ----


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


# ---- 下载：本地桩代替网络 ----


class StubServer:
    """按文件名返回给定字节的“网络”；记录请求，可以中途断开或整个连不上。"""

    def __init__(self, files=None, *, offline=False, cut_after=None):
        self.files, self.offline, self.cut_after, self.requests = (
            files or {},
            offline,
            cut_after,
            [],
        )

    def __call__(self, url, timeout):
        self.requests.append(url)
        if self.offline:
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
        name = url.rsplit("/", 1)[-1]
        if name not in self.files:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        data = self.files[name]
        if self.cut_after is None:
            return io.BytesIO(data)
        stream = io.BytesIO(data[: self.cut_after])

        class Cut:
            def read(self, n):
                chunk = stream.read(n)
                if not chunk:
                    raise TimeoutError("read timed out")
                return chunk

            def close(self):
                pass

        return Cut()


def cache_files(isolated):
    return [p for p in (isolated / "cache").rglob("*") if p.is_file()]


def test_failed_downloads_leave_nothing_in_cache(isolated, monkeypatch):
    monkeypatch.delenv("DLBOOK_OFFLINE")
    root = write_set(isolated / "d")  # 格式正确，但摘要不是官方数据的
    fake = {p.name: p.read_bytes() for p in root.iterdir()}
    for server in (
        StubServer(fake),
        StubServer(fake, cut_after=100),
        StubServer({}),
        StubServer(offline=True),
    ):
        with pytest.raises(DataUnavailableError, match="dataset-fashion-mnist"):
            fm.fetch_fashion_mnist(opener=server, retries=1)
        assert cache_files(isolated) == []
        assert server.requests


def test_connect_errors_switch_mirror_without_retrying(isolated, monkeypatch):
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setenv("DLBOOK_FASHION_MNIST_MIRROR", "http://mirror.example/fm")
    server = StubServer(offline=True)
    with pytest.raises(DataUnavailableError, match="mirror.example/fm/train-images"):
        fm.fetch_fashion_mnist(opener=server, retries=3)
    assert server.requests == [
        "http://mirror.example/fm/train-images-idx3-ubyte.gz",
        *(m + "train-images-idx3-ubyte.gz" for m in fm.MIRRORS),
    ]


@pytest.mark.slow  # 解码并校验完整的 Fashion-MNIST（30 MB）
@needs_real
def test_download_from_stub_mirror_verifies_and_caches(isolated, monkeypatch):
    monkeypatch.delenv("DLBOOK_OFFLINE")
    real = {p.name: p.read_bytes() for p in REAL.glob("*.gz")}
    server = StubServer(real)
    cache = fm.fetch_fashion_mnist(opener=server)
    assert sorted(p.name for p in cache.iterdir()) == sorted(real)
    assert fm.verify_fashion_mnist(cache) == []
    data = dlbook.read_fashion_mnist()
    assert data.verified and data.source.startswith("缓存")
    fm.fetch_fashion_mnist(opener=server)  # 已在缓存里：不再请求
    assert len(server.requests) == 4


def test_offline_message_lists_every_way_and_is_fast(isolated, monkeypatch):
    for offline in ("1", ""):
        monkeypatch.setenv("DLBOOK_OFFLINE", offline)
        server = StubServer(offline=True)
        monkeypatch.setattr(download, "_urlopen", server)
        with pytest.raises(DataUnavailableError) as info:
            dlbook.load_fashion_mnist(256)
        # 失败得快：离线时一个请求也不发；连不上时每个镜像只试一次（不重试），第一个文件失败就停下
        if offline:
            assert server.requests == []
        else:
            assert server.requests and len(set(server.requests)) == len(server.requests)
            assert {url.rsplit("/", 1)[-1] for url in server.requests} == {
                "train-images-idx3-ubyte.gz"
            }
        message = str(info.value)
        for part in (
            "apt-get install dataset-fashion-mnist",
            str(isolated / "cache"),
            "DLBOOK_FASHION_MNIST_MIRROR",
            "DLBOOK_DATA_DIR",
        ):
            assert part in message
        assert cache_files(isolated) == []


# ---- 真实数据（Debian 包） ----


@pytest.mark.slow  # 解码并校验完整的 Fashion-MNIST（30 MB）
@needs_real
def test_real_data(isolated, monkeypatch):
    monkeypatch.setattr(fm, "SYSTEM_DIR", REAL)
    data = dlbook.read_fashion_mnist()
    assert data.verified and data.source.startswith("系统副本")
    assert data.train_images.shape == (60000, 28, 28) and data.test_images.shape == (10000, 28, 28)
    assert data.train_labels[:4].tolist() == [9, 0, 0, 3]
    assert data.train_labels.bincount().tolist() == [6000] * 10
    assert data.test_labels.bincount().tolist() == [1000] * 10
    train_iter, test_iter = dlbook.load_fashion_mnist(256, seed=0)
    assert (len(train_iter), len(test_iter)) == (235, 40)
    assert fm.verify_fashion_mnist(REAL) == []
