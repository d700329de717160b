"""Kaggle 式的图像分类比赛：原始图像文件与标签 CSV、验证集划分、按类别整理的文件夹与 ``submission.csv``。

Kaggle 的 CIFAR-10 比赛（https://www.kaggle.com/c/cifar-10）给参赛者的是一个目录::

    train/1.png … train/50000.png      训练图像（32×32 彩色 PNG）
    test/1.png  … test/300000.png      测试图像，没有标签
    trainLabels.csv                    训练图像的标签：表头 ``id,label``，每行 ``1,frog``
    sampleSubmission.csv               提交文件的样例：``id,label``，每个测试图像一行

测试图像的标签只在 Kaggle 的服务器上，用来给提交的 ``submission.csv`` 打分（分类精度）。

CIFAR-10 不能离线安装，所以本书用能离线取得的真实数据 **Fashion-MNIST 搭一个同样格式的比赛**
（:func:`make_fashion_mnist_competition`）：图像逐张写成 PNG 文件放进 ``train/`` 与 ``test/``，训练标签写进
``trainLabels.csv``，测试标签写进比赛目录 **之外** 的答案文件（相当于 Kaggle 服务器上的标签），工作流程
看不到它，只有 :func:`score_submission` 用它给提交打分。与 CIFAR-10 的对应：同样 10 类、同样的文件布局与
CSV 格式；图像是 28×28 的灰度图而不是 32×32 的彩色图；训练图像取自 Fashion-MNIST 的训练集，测试图像取自
它的测试集（两边不重叠）。

联网的读者也可以用 D2L 的 CIFAR-10 小样本 ``kaggle_cifar10_tiny.zip`` （Kaggle 比赛的前 1000 张训练图像
与 5 张测试图像，SHA-1 与 D2L 相同）：:func:`fetch_cifar10_tiny` 下载、校验并解压，得到同样布局的目录，
后面的每一步都一样。

整理与提交的函数对任何类别名、任何图像文件都适用（狗的品种识别一节也用它们）：

* :func:`read_csv_labels`：``trainLabels.csv`` → ``{文件名（不带扩展名）: 类别}``；
* :func:`reorg_train_valid`、:func:`reorg_test` （D2L 的同名函数）：把图像复制到
  ``train_valid_test/{train,valid,train_valid,test}/<类别>/``；
* :func:`read_image_folder`、:func:`read_test_images`：用 Pillow 把这些文件夹读回张量；
* :func:`write_submission`、:func:`check_submission`、:func:`score_submission`：写出、检查提交文件并打分。

导入本模块不会访问网络、不会读写任何文件。
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from dlbook.data.augmentation import augment_images
from dlbook.data.download import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DataUnavailableError,
    DownloadError,
    Opener,
    content_digest,
    data_dir,
    download,
    downloads_disabled,
    note_data_use,
)

__all__ = [
    "CIFAR10_TINY_FILE",
    "fetch_competition_zip",
    "CIFAR10_TINY_SHA1",
    "Competition",
    "check_submission",
    "fetch_cifar10_tiny",
    "image_batch_transform",
    "make_fashion_mnist_competition",
    "read_csv_labels",
    "read_image_folder",
    "read_test_images",
    "reorg_test",
    "reorg_train_valid",
    "score_submission",
    "write_submission",
]

#: D2L 的 CIFAR-10 小样本与它的 SHA-1（与 D2L 的 ``DATA_HUB['cifar10_tiny']`` 相同）。
CIFAR10_TINY_FILE = "kaggle_cifar10_tiny.zip"
CIFAR10_TINY_SHA1 = "2068874e4b9a9f0fb07ebe0ad2b29754449ccacd"
CIFAR10_TINY_MIRRORS: tuple[str, ...] = ("http://d2l-data.s3-accelerate.amazonaws.com/",)
CIFAR10_MIRROR_ENV = "DLBOOK_CIFAR10_MIRROR"
#: 压缩包里的顶层目录（解压后就是比赛目录）。
CIFAR10_TINY_DIR = "kaggle_cifar10_tiny"
#: 比赛目录里的训练标签文件、提交样例与整理后的文件夹。
LABELS_FILE = "trainLabels.csv"
SAMPLE_SUBMISSION_FILE = "sampleSubmission.csv"
REORG_DIR = "train_valid_test"
#: 测试图像没有标签：整理后放在 ``test/unknown/`` 里（D2L 的约定，让它也是“一个类别一个文件夹”）。
UNKNOWN = "unknown"
#: 能读的图像文件扩展名。
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


@dataclasses.dataclass(frozen=True)
class Competition:
    """一个 Kaggle 式的比赛。

    Attributes
    ----------
    directory : Path
        参赛者拿到的目录：``train/``、``test/``、``trainLabels.csv`` 与 ``sampleSubmission.csv``。
    solution : Path or None
        测试图像的标签（``id,label``），放在 ``directory`` 之外；真实的 Kaggle 比赛没有它（``None``）。
    classes : tuple of str
        类别名。
    """

    directory: Path
    solution: Path | None
    classes: tuple[str, ...]


def _id_key(name: str) -> tuple[int, int | str]:
    """文件名（不带扩展名）的排序键：数字按数值排（``2`` 在 ``10`` 之前），其余按字符串排在后面。"""
    return (0, int(name)) if name.isdigit() else (1, name)


def _image_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise FileNotFoundError(f"没有目录 {directory}")
    files = [p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
    return sorted(files, key=lambda p: _id_key(p.stem))


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# ---------------------------------------------------------------------------
# 比赛的数据：Fashion-MNIST 搭的比赛与 D2L 的 CIFAR-10 小样本
# ---------------------------------------------------------------------------


def make_fashion_mnist_competition(
    directory: str | os.PathLike[str] | None = None,
    *,
    num_train: int | None = None,
    num_test: int | None = None,
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
) -> Competition:
    """用 Fashion-MNIST 写出一个与 Kaggle CIFAR-10 比赛格式相同的目录，返回 :class:`Competition`。

    训练图像是 Fashion-MNIST 训练集里随机选的 ``num_train`` 张（默认全部 60,000 张），测试图像是测试集里
    随机选的 ``num_test`` 张（默认全部 10,000 张），选择与编号由 ``seed`` 决定。图像按新的编号
    ``1, 2, …`` 写成灰度 PNG 文件；类别名是 :data:`~dlbook.data.fashion_mnist.FASHION_MNIST_LABELS`。
    测试标签写进 ``directory`` 旁边的 ``<目录名>-solution.csv``，不在比赛目录里。

    ``directory`` 默认是 ``<data_dir()>/kaggle-fashion-mnist/<样本数与种子>``。写出的内容只由参数决定：
    目录里已有同样参数写出的完整比赛时直接返回它（写很多个小文件很慢）；参数不同时先删掉再写。
    先写到临时目录，写完才改名，中途失败不会留下半个比赛。``root`` 是 Fashion-MNIST 所在的目录，见
    :func:`~dlbook.data.fashion_mnist.read_fashion_mnist`。
    """
    from dlbook.data.fashion_mnist import FASHION_MNIST_LABELS, read_fashion_mnist

    data = read_fashion_mnist(root)
    sizes = {
        "num_train": (num_train, len(data.train_images)),
        "num_test": (num_test, len(data.test_images)),
    }
    for name, (value, total) in sizes.items():
        if value is not None and (isinstance(value, bool) or not 1 <= value <= total):
            raise ValueError(f"{name} 必须是 1 到 {total} 之间的整数，收到 {value!r}")
    n_train = num_train or len(data.train_images)
    n_test = num_test or len(data.test_images)
    if directory is None:
        directory = data_dir() / "kaggle-fashion-mnist" / f"train{n_train}-test{n_test}-seed{seed}"
    directory = Path(directory)
    solution = directory.parent / f"{directory.name}-solution.csv"
    classes = FASHION_MNIST_LABELS
    marker = f"Fashion-MNIST train={n_train} test={n_test} seed={seed}\n"
    done = directory / ".competition"
    if done.is_file() and solution.is_file() and done.read_text(encoding="utf-8") == marker:
        return Competition(directory, solution, classes)
    if directory.exists():
        shutil.rmtree(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        for split, images, labels, n in (
            ("train", data.train_images, data.train_labels, n_train),
            ("test", data.test_images, data.test_labels, n_test),
        ):
            chosen = torch.randperm(len(images), generator=g)[:n]
            (work / split).mkdir()
            rows = []
            for i, index in enumerate(chosen.tolist(), start=1):
                Image.fromarray(images[index].numpy()).save(work / split / f"{i}.png")
                rows.append((i, classes[int(labels[index])]))
            if split == "train":
                _write_csv(work / LABELS_FILE, ("id", "label"), rows)
            else:
                _write_csv(solution, ("id", "label"), rows)
                sample = [(i, classes[0]) for i, _ in rows]
                _write_csv(work / SAMPLE_SUBMISSION_FILE, ("id", "label"), sample)
        (work / done.name).write_text(marker, encoding="utf-8")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    work.rename(directory)
    return Competition(directory, solution, classes)


def fetch_competition_zip(
    *,
    title: str,
    file: str,
    sha1: str,
    top_dir: str,
    labels_file: str,
    cache_subdir: str,
    mirror_env: str,
    default_mirrors: Sequence[str],
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
) -> Path:
    """下载一个比赛的压缩包 ``file`` （D2L 的小样本），校验 SHA-1 后解压，返回比赛目录 ``top_dir``。

    镜像依次为参数 ``mirror``、环境变量 ``mirror_env``、``default_mirrors``。压缩包与解压出的目录都在
    ``<data_dir()>/<cache_subdir>/``；目录里已有 ``labels_file`` 时直接返回。下载的文件先校验，不通过的
    不进缓存；解压先写到临时目录，完整后才改名，缓存里不会出现解压了一半的目录。

    Raises
    ------
    DataUnavailableError
        没有缓存又不能下载（离线，或所有镜像都失败），信息里写明怎样取得。
    ValueError
        压缩包的 SHA-1 不对、成员会写到解压目录之外，或缺少标签文件。
    """
    cache = data_dir() / cache_subdir
    target = cache / top_dir
    if (target / labels_file).is_file():
        return target
    archive = cache / file

    def check_sha1(path: Path) -> None:
        digest = content_digest(path, "sha1")
        if digest != sha1:
            raise ValueError(f"{path.name} 的 SHA-1 是 {digest}，应为 {sha1}")

    how = (
        f"{title}不能离线安装：请联网运行（或设 {mirror_env} 指向一个镜像），"
        f"也可以自己下载 {file}（SHA-1 {sha1}）放进 {cache}；"
        f"环境变量 DLBOOK_OFFLINE=1 时不尝试下载"
    )
    if not archive.is_file():
        if downloads_disabled():
            raise DataUnavailableError(how)
        mirrors = [m for m in (mirror, os.environ.get(mirror_env)) if m]
        mirrors += [m for m in default_mirrors if m not in mirrors]
        urls = [(m if m.endswith("/") else m + "/") + file for m in mirrors]
        try:
            download(
                file, urls, archive, check_sha1, timeout=timeout, retries=retries, opener=opener
            )
        except DownloadError as err:
            raise DataUnavailableError(f"{how}\n{err}") from err
    check_sha1(archive)
    with tempfile.TemporaryDirectory(dir=cache) as tmp, zipfile.ZipFile(archive) as z:
        for member in z.namelist():
            if member.startswith("/") or ".." in Path(member).parts:
                raise ValueError(f"{archive}：成员 {member!r} 会写到解压目录之外")
        z.extractall(tmp)
        extracted = Path(tmp) / top_dir
        if not (extracted / labels_file).is_file():
            raise ValueError(f"{archive} 里没有 {top_dir}/{labels_file}")
        extracted.rename(target)
    note_data_use(f"{title}（D2L 的 {file}）")
    return target


def fetch_cifar10_tiny(
    *,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
) -> Path:
    """下载 D2L 的 CIFAR-10 小样本（联网的读者用），校验 SHA-1 后解压，返回比赛目录。

    镜像依次为参数 ``mirror``、环境变量 ``DLBOOK_CIFAR10_MIRROR``、D2L 的数据地址。压缩包与解压出的
    ``kaggle_cifar10_tiny/`` （``train/``、``test/``、``trainLabels.csv``）都放在
    ``<data_dir()>/kaggle-cifar10/``；已经解压过时直接返回（见 :func:`fetch_competition_zip`）。

    Raises
    ------
    DataUnavailableError
        没有缓存又不能下载（离线，或所有镜像都失败），信息里写明怎样取得。
    """
    return fetch_competition_zip(
        title="CIFAR-10 小样本",
        file=CIFAR10_TINY_FILE,
        sha1=CIFAR10_TINY_SHA1,
        top_dir=CIFAR10_TINY_DIR,
        labels_file=LABELS_FILE,
        cache_subdir="kaggle-cifar10",
        mirror_env=CIFAR10_MIRROR_ENV,
        default_mirrors=CIFAR10_TINY_MIRRORS,
        mirror=mirror,
        timeout=timeout,
        retries=retries,
        opener=opener,
    )


# ---------------------------------------------------------------------------
# 整理成“一个类别一个文件夹”
# ---------------------------------------------------------------------------


def read_csv_labels(path: str | os.PathLike[str]) -> dict[str, str]:
    """读 ``trainLabels.csv`` 这样的标签文件（表头之后每行 ``id,label``），返回 ``{id: label}``。

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "trainLabels.csv"
    >>> _ = path.write_text("id,label\\n1,frog\\n2,truck\\n")
    >>> read_csv_labels(path)
    {'1': 'frog', '2': 'truck'}
    """
    path = Path(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ValueError(f"{path} 是空文件")
    labels = {}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != 2 or not row[0] or not row[1]:
            raise ValueError(f"{path} 第 {line} 行应为 id,label 两列，收到 {row!r}")
        labels[row[0]] = row[1]
    return labels


def _place(src: Path, dst: Path) -> None:
    """把 ``src`` 放到 ``dst``：能建硬链接就建（不复制内容，快得多），否则复制。"""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _sync(out: Path, splits: Sequence[str], plan: Mapping[Path, Path]) -> None:
    """让 ``out/<split>/`` 下恰好是 ``plan`` （目标路径 → 源文件）里的文件。

    已经在那里、大小相同的文件不再放一遍，多余的删掉：重复整理同一份数据几乎不碰磁盘。
    """
    existing = {p for split in splits if (out / split).is_dir() for p in (out / split).rglob("*")}
    for path in existing - set(plan):
        if path.is_file():
            path.unlink()
    for dst, src in plan.items():
        if dst in existing and dst.stat().st_size == src.stat().st_size:
            continue
        if dst.exists():
            dst.unlink()
        _place(src, dst)
    for path in sorted(existing, reverse=True):  # 删掉空了的类别文件夹（先子后父）
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def reorg_train_valid(
    data_dir: str | os.PathLike[str],
    labels: Mapping[str, str],
    valid_ratio: float,
    *,
    out: str | os.PathLike[str] | None = None,
) -> int:
    """把 ``data_dir/train/`` 里的图像按类别放进 ``train/``、``valid/`` 与 ``train_valid/`` 三个文件夹。

    与 D2L 的同名函数相同：样本最少的类别有 ``n`` 张图像，每个类别取 ``max(1, floor(n * valid_ratio))``
    张放进验证集 ``valid/<类别>/``，其余放进 ``train/<类别>/``；每张图像也都放进 ``train_valid/<类别>/``
    （选好超参数后在全部有标签的数据上再训练一次）。图像按文件名（数字按数值）排序后依次分配，结果
    可复现。``out`` 默认是 ``data_dir/train_valid_test``。D2L 复制文件；这里能建硬链接时建硬链接
    （同一份内容，不占额外的磁盘），再次整理时只改动与上次不同的文件。返回每个类别的验证样本数。
    """
    if not 0 < valid_ratio < 1:
        raise ValueError(f"valid_ratio 必须在 0 与 1 之间，收到 {valid_ratio!r}")
    data_dir = Path(data_dir)
    out = data_dir / REORG_DIR if out is None else Path(out)
    files = _image_files(data_dir / "train")
    if not files:
        raise ValueError(f"{data_dir / 'train'} 里没有图像")
    missing = [p.name for p in files if p.stem not in labels]
    if missing:
        raise ValueError(f"{len(missing)} 张训练图像没有标签，例如 {missing[0]}")
    n = min(Counter(labels[p.stem] for p in files).values())
    n_valid_per_label = max(1, math.floor(n * valid_ratio))
    label_count: Counter[str] = Counter()
    plan = {}
    for path in files:
        label = labels[path.stem]
        plan[out / "train_valid" / label / path.name] = path
        if label_count[label] < n_valid_per_label:
            plan[out / "valid" / label / path.name] = path
            label_count[label] += 1
        else:
            plan[out / "train" / label / path.name] = path
    _sync(out, ("train", "valid", "train_valid"), plan)
    return n_valid_per_label


def reorg_test(
    data_dir: str | os.PathLike[str], *, out: str | os.PathLike[str] | None = None
) -> None:
    """把 ``data_dir/test/`` 里的图像放进 ``train_valid_test/test/unknown/`` （D2L 的同名函数）。"""
    data_dir = Path(data_dir)
    out = data_dir / REORG_DIR if out is None else Path(out)
    files = _image_files(data_dir / "test")
    (out / "test" / UNKNOWN).mkdir(parents=True, exist_ok=True)
    _sync(out, ("test",), {out / "test" / UNKNOWN / p.name: p for p in files})


# ---------------------------------------------------------------------------
# 把文件夹读回张量
# ---------------------------------------------------------------------------


def _read_images(files: Sequence[Path], mode: str, size: int | None) -> torch.Tensor:
    arrays = []
    for path in files:
        with Image.open(path) as image:
            image = image.convert(mode)
            if size is not None and image.size != (size, size):
                image = image.resize((size, size), Image.Resampling.BILINEAR)
            arrays.append(np.asarray(image))
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(f"图像大小不一（{sorted(shapes)[:3]} …）：请给出 size，读取时统一缩放")
    if not arrays:
        raise ValueError("没有图像可读")
    stacked = torch.from_numpy(np.stack(arrays))
    return stacked.unsqueeze(1) if stacked.dim() == 3 else stacked.permute(0, 3, 1, 2).contiguous()


def read_image_folder(
    directory: str | os.PathLike[str],
    *,
    classes: Sequence[str] | None = None,
    mode: str = "RGB",
    size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor, tuple[str, ...]]:
    """读 ``directory/<类别>/*.png`` 这样“一个类别一个文件夹”的图像，返回 ``(图像, 标签, 类别名)``。

    图像是 ``uint8``、形状 ``(N, C, H, W)`` （``mode="L"`` 时 ``C=1``，``"RGB"`` 时 ``C=3``），用 Pillow
    解码；``size`` 给出时每张图像双线性缩放到 ``size×size``，否则所有图像必须一样大。类别名默认是子文件夹
    名按字母排序（与 torchvision 的 ``ImageFolder`` 相同），标签是它在 ``classes`` 里的下标；验证集
    应当传入训练集的 ``classes``，两边的下标才一致。
    """
    directory = Path(directory)
    if classes is None:
        classes = sorted(p.name for p in directory.iterdir() if p.is_dir())
    classes = tuple(classes)
    if not classes:
        raise ValueError(f"{directory} 里没有类别文件夹")
    files, labels = [], []
    for index, name in enumerate(classes):
        folder = directory / name
        found = _image_files(folder) if folder.is_dir() else []
        files += found
        labels += [index] * len(found)
    unknown = sorted(p.name for p in directory.iterdir() if p.is_dir() and p.name not in classes)
    if unknown:
        raise ValueError(f"{directory} 里有 classes 之外的类别文件夹：{unknown}")
    return _read_images(files, mode, size), torch.tensor(labels, dtype=torch.int64), classes


def read_test_images(
    directory: str | os.PathLike[str], *, mode: str = "RGB", size: int | None = None
) -> tuple[torch.Tensor, list[str]]:
    """读一个文件夹里的全部图像（例如 ``train_valid_test/test/unknown``），返回 ``(图像, 编号)``。

    编号是文件名去掉扩展名，按数值（不是数字的按字符串）排序；图像格式同 :func:`read_image_folder`。
    """
    files = _image_files(Path(directory))
    return _read_images(files, mode, size), [p.stem for p in files]


def image_batch_transform(
    mean: Sequence[float],
    std: Sequence[float],
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> Callable[[tuple[torch.Tensor, ...]], tuple[torch.Tensor, ...]]:
    """给 :class:`~dlbook.data.loader.TensorBatches` 用的批次变换：增广（可选）、转成浮点数、按通道标准化。

    批次的第一项是 ``uint8`` 图像 ``(B, C, H, W)``，其余各项（标签）原样返回。``augment`` 是作用在
    **一张** 图像张量上的变换（例如 ``torchvision.transforms.v2.Compose``），由
    :func:`~dlbook.data.augmentation.augment_images` 逐张调用，每张图像各抽各的随机参数。之后除以 255，再减去 ``mean``、除以 ``std`` （每个通道一个数）。

    Examples
    --------
    >>> transform = image_batch_transform([0.5], [0.25])
    >>> X, y = transform((torch.tensor([[[[0, 255]]]], dtype=torch.uint8), torch.tensor([3])))
    >>> X.tolist(), y.tolist()
    ([[[[-2.0, 2.0]]]], [3])
    """
    if len(mean) != len(std) or not all(s > 0 for s in std):
        raise ValueError(f"mean 与 std 应一样长、std 为正，收到 {list(mean)} 与 {list(std)}")
    mean_t = torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    std_t = torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)

    def transform(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        X, *rest = batch
        if augment is not None:
            X = augment_images(X, augment)
        X = X.float().div_(255)
        X = (X - mean_t.to(X.device)) / std_t.to(X.device)
        return (X, *rest)

    return transform


# ---------------------------------------------------------------------------
# 提交文件
# ---------------------------------------------------------------------------


def write_submission(
    path: str | os.PathLike[str],
    ids: Sequence[str | int],
    predictions: Sequence[str] | torch.Tensor,
    *,
    classes: Sequence[str] | None = None,
) -> Path:
    """按 Kaggle 的格式写出提交文件，返回它的路径。

    * ``predictions`` 是类别名的序列（或类别下标的一维张量，此时要给 ``classes``）：写成 ``id,label``
      两列（CIFAR-10 比赛的格式）；
    * ``predictions`` 是形状 ``(N, 类别数)`` 的概率张量：写成 ``id`` 加每个类别一列概率
      （ImageNet Dogs 比赛的格式），列名是 ``classes``。

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "submission.csv"
    >>> print(write_submission(path, [1, 2], ["cat", "frog"]).read_text(), end="")
    id,label
    1,cat
    2,frog
    >>> probs = torch.tensor([[0.25, 0.75], [1.0, 0.0]])
    >>> print(write_submission(path, ["a", "b"], probs, classes=["x", "y"]).read_text(), end="")
    id,x,y
    a,0.25,0.75
    b,1.0,0.0
    """
    path = Path(path)
    if len(predictions) != len(ids):
        raise ValueError(f"ids 有 {len(ids)} 个，predictions 有 {len(predictions)} 个：应一一对应")
    if isinstance(predictions, torch.Tensor) and predictions.dim() == 2:
        if classes is None or len(classes) != predictions.shape[1]:
            raise ValueError("概率形式的提交需要 classes，个数与概率的列数相同")
        rows = [(i, *p) for i, p in zip(ids, predictions.tolist(), strict=True)]
        _write_csv(path, ("id", *classes), rows)
        return path
    if isinstance(predictions, torch.Tensor):
        if classes is None:
            raise ValueError("predictions 是类别下标时需要 classes")
        predictions = [classes[int(k)] for k in predictions]
    _write_csv(path, ("id", "label"), list(zip(ids, predictions, strict=True)))
    return path


def check_submission(
    path: str | os.PathLike[str], ids: Sequence[str | int], classes: Sequence[str]
) -> list[str]:
    """检查 ``id,label`` 格式的提交文件，返回发现的问题（空列表表示合格）。

    合格的提交：表头是 ``id,label``；每个测试图像恰好一行（不缺、不重、不多）；每个标签都是 ``classes``
    之一。
    """
    path = Path(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != ["id", "label"]:
        return [f"表头应为 id,label，收到 {rows[0] if rows else '（空文件）'}"]
    problems = []
    wanted = {str(i) for i in ids}
    seen: Counter[str] = Counter(row[0] for row in rows[1:] if row)
    if missing := wanted - set(seen):
        problems.append(f"缺少 {len(missing)} 个测试图像，例如 {min(missing, key=_id_key)}")
    if extra := set(seen) - wanted:
        problems.append(f"多出 {len(extra)} 个不是测试图像的编号，例如 {min(extra, key=_id_key)}")
    if repeated := [i for i, c in seen.items() if c > 1]:
        problems.append(f"{len(repeated)} 个编号出现了不止一次，例如 {repeated[0]}")
    allowed = set(classes)
    bad = [row for row in rows[1:] if len(row) != 2 or row[1] not in allowed]
    if bad:
        problems.append(f"{len(bad)} 行的标签不是已知的类别，例如 {bad[0]}")
    return problems


def score_submission(submission: str | os.PathLike[str], solution: str | os.PathLike[str]) -> float:
    """用答案文件（``id,label``）给提交文件打分：分类精度，即预测正确的测试图像所占的比例。

    与 Kaggle 的 CIFAR-10 比赛的评分相同。提交里缺少的图像算错。

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "s.csv").write_text("id,label\\n1,cat\\n2,dog\\n")
    >>> _ = (d / "a.csv").write_text("id,label\\n1,cat\\n2,frog\\n")
    >>> score_submission(d / "s.csv", d / "a.csv")
    0.5
    """
    predicted, answers = read_csv_labels(submission), read_csv_labels(solution)
    if not answers:
        raise ValueError(f"答案文件 {solution} 里没有标签")
    return sum(predicted.get(i) == label for i, label in answers.items()) / len(answers)
