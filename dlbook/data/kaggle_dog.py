"""狗的品种识别（Kaggle 的 ImageNet Dogs 比赛）的数据：离线可得的细粒度替身，与联网读者用的 D2L 小样本。

Kaggle 的比赛（https://www.kaggle.com/c/dog-breed-identification）有 10,222 张训练图像、10,357 张测试图像，
120 个犬种；标签在 ``labels.csv`` （表头 ``id,breed``），提交文件是 ``id`` 加每个犬种一列概率，按多类别
对数损失（:func:`dlbook.metrics.classification.log_loss`）打分。这是 **细粒度** 分类：所有图像都是狗，
类别之间只差耳朵、毛色、口鼻的形状这样的细节。

这些图像（ImageNet 的一个子集）不能离线安装；PyPI 与 Debian 上也没有任何细粒度的真实图像集
（Stanford Dogs、Oxford-IIIT Pet、CUB-200 都只能从它们的网站下载）。本书离线时用最接近的真实数据：
**Fashion-MNIST 里的四类上衣** （:data:`UPPER_BODY_CLASSES`：T 恤、套头衫、外套、衬衫）。它们同属一个
大类，只差领口、纽扣、袖长与门襟这样的细节，是 Fashion-MNIST 十类里彼此最容易混淆的四类——与犬种
之间的差别同一性质，只是图像小得多（28×28 灰度）。:func:`read_upper_body` 按 Kaggle 的分法给出训练、
验证与“标签藏起来的”测试三份数据。

联网的读者可以换成真正的狗：:func:`fetch_dog_tiny` 下载 D2L 的 ``kaggle_dog_tiny.zip`` （SHA-1 与 D2L
相同），:func:`read_dog_tiny` 用 :mod:`dlbook.data.kaggle` 的 :func:`~dlbook.data.kaggle.reorg_train_valid`
等函数整理并读回张量，得到同样的三份数据，后面的每一步都一样。

导入本模块不会访问网络、不会读写任何文件。
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import torch

from dlbook.data.download import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    Opener,
)

__all__ = [
    "DOG_TINY_FILE",
    "DOG_TINY_SHA1",
    "UPPER_BODY_CLASSES",
    "FineGrainedData",
    "fetch_dog_tiny",
    "read_dog_tiny",
    "read_upper_body",
]

#: D2L 的狗品种小样本与它的 SHA-1（与 D2L 的 ``DATA_HUB['dog_tiny']`` 相同）。
DOG_TINY_FILE = "kaggle_dog_tiny.zip"
DOG_TINY_SHA1 = "0cb91d09b814ecdc07b50f31f8dcad3e81d6a86d"
DOG_TINY_MIRRORS: tuple[str, ...] = ("http://d2l-data.s3-accelerate.amazonaws.com/",)
DOG_MIRROR_ENV = "DLBOOK_DOG_MIRROR"
#: 压缩包里的顶层目录：``train/``、``test/`` 与 ``labels.csv`` （表头 ``id,breed``）。
DOG_TINY_DIR = "kaggle_dog_tiny"
DOG_LABELS_FILE = "labels.csv"

#: Fashion-MNIST 里的四类上衣（原标签 0、2、4、6），离线时代替 120 个犬种。
UPPER_BODY_CLASSES: tuple[str, ...] = ("t-shirt", "pullover", "coat", "shirt")


@dataclasses.dataclass
class FineGrainedData:
    """一个细粒度分类比赛的三份数据（图像都是 ``uint8`` 的 ``(N, C, H, W)``）。

    Attributes
    ----------
    classes : tuple of str
        类别名；标签是它们的下标，提交文件的概率列也按这个顺序。
    train_images, train_labels, valid_images, valid_labels : torch.Tensor
        有标签的数据分成训练集与验证集（验证集用来选超参数、报告留出的成绩）。
    test_images : torch.Tensor
        测试图像。
    test_ids : list of str
        测试图像的编号（提交文件的 ``id`` 列）。
    test_labels : torch.Tensor or None
        测试图像的真实标签：真实的比赛里只有 Kaggle 的服务器有（``None``）；离线的替身保留它，
        工作流程不看它，只在最后给提交打分。
    """

    classes: tuple[str, ...]
    train_images: torch.Tensor
    train_labels: torch.Tensor
    valid_images: torch.Tensor
    valid_labels: torch.Tensor
    test_images: torch.Tensor
    test_ids: list[str]
    test_labels: torch.Tensor | None = None


def _check_count(name: str, value: int, available: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= available:
        raise ValueError(f"{name} 必须是 1 到 {available} 之间的整数，收到 {value!r}")


def read_upper_body(
    num_train: int,
    num_valid: int,
    num_test: int,
    *,
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
) -> FineGrainedData:
    """Fashion-MNIST 的四类上衣，分成训练、验证（都取自训练集，互不重叠）与测试（取自测试集）三份。

    各份在四类上衣里随机抽取（由 ``seed`` 决定）；图像是 ``(N, 1, 28, 28)``，测试编号是 ``"1"`` 起的
    序号。四类上衣在训练集里共有 24,000 张、测试集里 4,000 张。

    Examples
    --------
    >>> data = read_upper_body(8, 4, 4)
    >>> data.classes, data.train_images.shape, data.test_ids
    (('t-shirt', 'pullover', 'coat', 'shirt'), torch.Size([8, 1, 28, 28]), ['1', '2', '3', '4'])
    >>> int(data.train_labels.max()) <= 3
    True
    """
    from dlbook.data.fashion_mnist import FASHION_MNIST_LABELS, read_fashion_mnist

    original = torch.tensor([FASHION_MNIST_LABELS.index(c) for c in UPPER_BODY_CLASSES])
    data = read_fashion_mnist(root)
    g = torch.Generator().manual_seed(seed)

    def pick(images: torch.Tensor, labels: torch.Tensor, n: int, name: str):
        keep = torch.isin(labels, original).nonzero().squeeze(1)
        _check_count(name, n, len(keep))
        chosen = keep[torch.randperm(len(keep), generator=g)[:n]]
        new_labels = (labels[chosen, None] == original).int().argmax(dim=1)
        return images[chosen].unsqueeze(1), new_labels

    train_x, train_y = pick(
        data.train_images, data.train_labels, num_train + num_valid, "num_train + num_valid"
    )
    test_x, test_y = pick(data.test_images, data.test_labels, num_test, "num_test")
    return FineGrainedData(
        classes=UPPER_BODY_CLASSES,
        train_images=train_x[:num_train],
        train_labels=train_y[:num_train],
        valid_images=train_x[num_train:],
        valid_labels=train_y[num_train:],
        test_images=test_x,
        test_ids=[str(i) for i in range(1, num_test + 1)],
        test_labels=test_y,
    )


# ---------------------------------------------------------------------------
# D2L 的狗品种小样本（联网的读者用）
# ---------------------------------------------------------------------------


def fetch_dog_tiny(
    *,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
) -> Path:
    """下载 D2L 的狗品种小样本（联网的读者用），校验 SHA-1 后解压，返回比赛目录 ``kaggle_dog_tiny/``。

    镜像依次为参数 ``mirror``、环境变量 ``DLBOOK_DOG_MIRROR``、D2L 的数据地址。压缩包与解压出的目录都在
    ``<data_dir()>/kaggle-dog/``；已经解压过时直接返回（见 :func:`~dlbook.data.kaggle.fetch_competition_zip`）。

    Raises
    ------
    DataUnavailableError
        没有缓存又不能下载（离线，或所有镜像都失败），信息里写明怎样取得。
    """
    from dlbook.data.kaggle import fetch_competition_zip

    return fetch_competition_zip(
        title="狗的品种小样本",
        file=DOG_TINY_FILE,
        sha1=DOG_TINY_SHA1,
        top_dir=DOG_TINY_DIR,
        labels_file=DOG_LABELS_FILE,
        cache_subdir="kaggle-dog",
        mirror_env=DOG_MIRROR_ENV,
        default_mirrors=DOG_TINY_MIRRORS,
        mirror=mirror,
        timeout=timeout,
        retries=retries,
        opener=opener,
    )


def read_dog_tiny(
    directory: str | os.PathLike[str] | None = None,
    *,
    valid_ratio: float = 0.1,
    size: int = 64,
) -> FineGrainedData:
    """把 Kaggle 格式的狗品种目录（默认 :func:`fetch_dog_tiny` 的结果）整理、读成 :class:`FineGrainedData`。

    与 D2L 的 ``reorg_dog_data`` 相同：用 :func:`~dlbook.data.kaggle.reorg_train_valid` 按 ``valid_ratio``
    分出验证集、:func:`~dlbook.data.kaggle.reorg_test` 整理测试图像，再用 Pillow 读回（每张缩放到
    ``size×size``）。测试图像没有标签（``test_labels`` 为 ``None``）。
    """
    from dlbook.data.kaggle import (
        REORG_DIR,
        UNKNOWN,
        read_csv_labels,
        read_image_folder,
        read_test_images,
        reorg_test,
        reorg_train_valid,
    )

    directory = fetch_dog_tiny() if directory is None else Path(directory)
    labels = read_csv_labels(directory / DOG_LABELS_FILE)
    reorg_train_valid(directory, labels, valid_ratio)
    reorg_test(directory)
    out = directory / REORG_DIR
    classes = tuple(sorted(set(labels.values())))  # 某个犬种可能全部分进了验证集：类别取自标签文件
    train_x, train_y, _ = read_image_folder(out / "train", classes=classes, size=size)
    valid_x, valid_y, _ = read_image_folder(out / "valid", classes=classes, size=size)
    test_x, test_ids = read_test_images(out / "test" / UNKNOWN, size=size)
    return FineGrainedData(classes, train_x, train_y, valid_x, valid_y, test_x, test_ids)
