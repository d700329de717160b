"""目标检测数据集：把带透明通道的水果图标贴到真实照片上合成，边界框由透明通道算出。

D2L 的香蕉检测数据集本身就是合成的（把香蕉图片贴到背景图上），而且只能从 D2L 的服务器下载。
这里用同样的办法、从能离线取得的素材合成一个 **三类** 的版本：

* 物体：Emoji One 的香蕉、苹果、葡萄图标（64×64，带透明通道，取自 Debian 的 ``ruby-gemojione``，
  见 :mod:`dlbook.data.packaged`）；
* 背景：scikit-image 与 imgaug 的真实照片（:mod:`dlbook.data.photos`）的随机裁剪。 **验证集的背景照片
  不出现在训练集里** （咖啡与摩托车），检测器必须在没见过的照片上找到物体；
* 每张图像贴 1–``max_objects`` 个物体，类别、大小（边长为图像的 15%–45%）、位置与左右翻转都随机，
  物体之间互不重叠；边界框是图标不透明像素（透明度 > 0.5）的外接矩形，不是贴图的方框。

同样的参数与种子总是生成同样的数据。生成一次后缓存为 ``<data_dir()>/detection/`` 下的一个文件，
文件里存着图像的 SHA-256，读取时核对：文件损坏时给出清楚的错误（删除它即可重新生成）。
``python -m dlbook data fetch detection`` 生成默认参数的缓存，``data verify detection`` 检查它。

同一批合成图像也带着每个像素的类别（掩码，:func:`read_scenes`），第 12 章的语义分割用它们。

标签的格式与 D2L 相同：每张图像一个 ``(max_objects, 5)`` 的张量，每行 ``[类别, x1, y1, x2, y2]``，
坐标除以图像边长（落在 ``[0, 1]``），不足 ``max_objects`` 个物体时用类别 ``-1`` 的行补齐。

导入本模块不会访问网络，也不会读写任何文件。
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from dlbook.data.download import DataSource, atomic_write, data_dir, note_data_use
from dlbook.data.loader import TensorBatches
from dlbook.data.packaged import packaged_file
from dlbook.data.photos import read_photo

__all__ = [
    "DETECTION_CLASSES",
    "DETECTION_PHOTOS",
    "detection_cache_file",
    "fetch_detection",
    "generate_detection",
    "load_detection",
    "locate_detection",
    "read_detection",
    "read_scenes",
    "read_sprites",
    "verify_detection",
]

#: 物体的类别与对应的 Emoji One 图标文件。
DETECTION_CLASSES: tuple[str, ...] = ("banana", "apple", "grapes")
_SPRITE_FILES = {"banana": "1F34C.png", "apple": "1F34E.png", "grapes": "1F347.png"}
#: 两个划分的背景照片（:data:`~dlbook.data.photos.PHOTOS` 的名字）：验证集的照片不出现在训练集里。
DETECTION_PHOTOS: dict[str, tuple[str, ...]] = {
    "train": ("cat", "astronaut", "rocket", "brick", "grass", "gravel", "hubble", "quokka"),
    "val": ("coffee", "motorcycle"),
}
#: 默认参数：图像边长、两个划分的样本数、每张图像最多几个物体。
DEFAULTS = {"size": 128, "num_train": 1000, "num_val": 200, "max_objects": 2}
#: 页脚里的数据名称（见 :func:`dlbook.data.download.note_data_use`）。
TITLE = "合成的目标检测数据集（Emoji One 图标 + 真实照片）"
_FORMAT = 2  # 生成方法改变时加一，旧的缓存文件自动作废


def read_sprites() -> dict[str, torch.Tensor]:
    """读取三个图标，返回 类别 → ``float32`` 的 ``(4, 64, 64)`` RGBA 张量，取值 ``[0, 1]``。

    第 4 个通道是透明度（alpha）：物体上接近 1，周围为 0。

    Examples
    --------
    >>> {name: tuple(rgba.shape) for name, rgba in read_sprites().items()}
    {'banana': (4, 64, 64), 'apple': (4, 64, 64), 'grapes': (4, 64, 64)}
    """
    out = {}
    for name in DETECTION_CLASSES:
        with Image.open(packaged_file("emoji", _SPRITE_FILES[name])) as image:
            rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255
        out[name] = torch.from_numpy(rgba.copy()).permute(2, 0, 1)
    return out


def _random_crop(photo: torch.Tensor, size: int, gen: torch.Generator) -> torch.Tensor:
    """从照片上随机裁一个正方形（边长为短边的 40%–100%），缩放到 ``size``，返回 ``float32`` 的 ``(3, size, size)``。"""
    _, h, w = photo.shape
    side = int(min(h, w) * (0.4 + 0.6 * torch.rand((), generator=gen).item()))
    y = int(torch.randint(0, h - side + 1, (), generator=gen))
    x = int(torch.randint(0, w - side + 1, (), generator=gen))
    crop = photo[:, y : y + side, x : x + side].float().unsqueeze(0) / 255
    return F.interpolate(crop, size=(size, size), mode="bilinear", antialias=True)[0]


def _overlaps(box: tuple[int, int, int, int], others: list[tuple[int, int, int, int]]) -> bool:
    x1, y1, x2, y2 = box
    return any(x1 < b[2] and b[0] < x2 and y1 < b[3] and b[1] < y2 for b in others)


def generate_detection(
    split: str,
    *,
    size: int = DEFAULTS["size"],
    num_examples: int | None = None,
    max_objects: int = DEFAULTS["max_objects"],
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """合成数据集的一个划分（不读写缓存；:func:`read_detection` 带缓存）。

    Returns
    -------
    images : torch.Tensor
        ``uint8``，``(N, 3, size, size)``。
    labels : torch.Tensor
        ``float32``，``(N, max_objects, 5)``，每行 ``[类别, x1, y1, x2, y2]``，坐标除以 ``size``；
        补齐的行类别为 ``-1``、坐标为 0。
    masks : torch.Tensor
        ``uint8``，``(N, size, size)``，每个像素的类别：0 是背景，``c + 1`` 是第 ``c`` 类物体
        （图标不透明的像素）。语义分割一节用它。
    """
    if split not in DETECTION_PHOTOS:
        raise ValueError(f"split 必须是 {'、'.join(DETECTION_PHOTOS)} 之一，收到 {split!r}")
    if size < 32:
        raise ValueError(f"size 至少为 32 像素，收到 {size}")
    if max_objects < 1:
        raise ValueError(f"max_objects 至少为 1，收到 {max_objects}")
    if num_examples is None:
        num_examples = DEFAULTS["num_train" if split == "train" else "num_val"]
    photos = [read_photo(name) for name in DETECTION_PHOTOS[split]]
    sprites = read_sprites()
    gen = torch.Generator().manual_seed(seed * 2 + (split == "val"))
    images = torch.empty(num_examples, 3, size, size, dtype=torch.uint8)
    masks = torch.zeros(num_examples, size, size, dtype=torch.uint8)
    labels = torch.zeros(num_examples, max_objects, 5)
    labels[:, :, 0] = -1
    for i in range(num_examples):
        photo = photos[int(torch.randint(0, len(photos), (), generator=gen))]
        canvas = _random_crop(photo, size, gen)
        count = int(torch.randint(1, max_objects + 1, (), generator=gen))
        placed: list[tuple[int, int, int, int]] = []
        for _ in range(count):
            cls = int(torch.randint(0, len(DETECTION_CLASSES), (), generator=gen))
            side = int(size * (0.15 + 0.30 * torch.rand((), generator=gen).item()))
            sprite = F.interpolate(
                sprites[DETECTION_CLASSES[cls]].unsqueeze(0),
                size=(side, side),
                mode="bilinear",
                antialias=True,
            )[0]
            if torch.rand((), generator=gen) < 0.5:
                sprite = sprite.flip(-1)
            for _attempt in range(20):  # 找一个不与已放物体重叠的位置；找不到就少放一个
                x = int(torch.randint(0, size - side + 1, (), generator=gen))
                y = int(torch.randint(0, size - side + 1, (), generator=gen))
                if not _overlaps((x, y, x + side, y + side), placed):
                    break
            else:
                continue
            alpha = sprite[3:]
            region = canvas[:, y : y + side, x : x + side]
            canvas[:, y : y + side, x : x + side] = alpha * sprite[:3] + (1 - alpha) * region
            masks[i, y : y + side, x : x + side][alpha[0] > 0.5] = cls + 1
            rows = torch.nonzero(alpha[0].amax(dim=1) > 0.5).flatten()
            cols = torch.nonzero(alpha[0].amax(dim=0) > 0.5).flatten()
            x1, x2 = x + cols[0].item(), x + cols[-1].item() + 1
            y1, y2 = y + rows[0].item(), y + rows[-1].item() + 1
            labels[i, len(placed)] = torch.tensor([cls, x1 / size, y1 / size, x2 / size, y2 / size])
            placed.append((x, y, x + side, y + side))
        images[i] = (canvas * 255).round().clamp(0, 255).to(torch.uint8)
    return images, labels, masks


def detection_cache_file(
    split: str,
    *,
    size: int = DEFAULTS["size"],
    num_examples: int | None = None,
    max_objects: int = DEFAULTS["max_objects"],
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
) -> Path:
    """这组参数的缓存文件路径（参数与生成方法的版本都写在文件名里）。"""
    if num_examples is None:
        num_examples = DEFAULTS["num_train" if split == "train" else "num_val"]
    directory = Path(root) if root is not None else data_dir() / "detection"
    name = f"{split}-s{size}-n{num_examples}-m{max_objects}-seed{seed}-v{_FORMAT}.pt"
    return directory / name


def _digest(*tensors: torch.Tensor) -> str:
    h = hashlib.sha256()
    for t in tensors:
        h.update(t.contiguous().numpy().tobytes())
    return h.hexdigest()


def _load_cache(path: Path) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    hint = f"删除 {path} 后重新运行即可重新生成（或 python -m dlbook data fetch detection）"
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        images, labels, masks = saved["images"], saved["labels"], saved["masks"]
        digest = saved["sha256"]
    except Exception as err:  # noqa: BLE001 - 任何读取错误都说明文件坏了
        raise ValueError(
            f"检测数据集的缓存文件 {path} 已损坏（{type(err).__name__}）；{hint}"
        ) from err
    if _digest(images, labels, masks) != digest:
        raise ValueError(f"检测数据集的缓存文件 {path} 内容与它记下的 SHA-256 不符；{hint}")
    return images, labels, masks


def read_scenes(
    split: str = "train",
    *,
    size: int = DEFAULTS["size"],
    num_examples: int | None = None,
    max_objects: int = DEFAULTS["max_objects"],
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """读取合成场景的一个划分 ``(images, labels, masks)``：缓存里有就读缓存（并核对摘要），
    没有就生成并写入缓存。目标检测用前两项（:func:`read_detection`），语义分割用图像与掩码。

    参数与返回值的含义见 :func:`generate_detection`；``root`` 是缓存目录（默认 ``<data_dir()>/detection``）。

    Raises
    ------
    ValueError
        缓存文件损坏（信息说明怎样重新生成）或参数不合法。
    DataUnavailableError
        需要生成、但照片或图标不在本机；信息列出获取办法。
    """
    params = dict(size=size, num_examples=num_examples, max_objects=max_objects, seed=seed)
    path = detection_cache_file(split, root=root, **params)
    note_data_use(TITLE)
    if path.is_file():
        return _load_cache(path)
    images, labels, masks = generate_detection(split, **params)
    with atomic_write(path) as out:
        digest = _digest(images, labels, masks)
        torch.save({"images": images, "labels": labels, "masks": masks, "sha256": digest}, out)
    return images, labels, masks


def read_detection(
    split: str = "train",
    *,
    size: int = DEFAULTS["size"],
    num_examples: int | None = None,
    max_objects: int = DEFAULTS["max_objects"],
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """读取检测数据集的一个划分 ``(images, labels)`` （:func:`read_scenes` 的前两项，带缓存）。

    Examples
    --------
    >>> images, labels = read_detection("val")
    >>> images.shape, images.dtype, labels.shape
    (torch.Size([200, 3, 128, 128]), torch.uint8, torch.Size([200, 2, 5]))
    >>> bool(((labels[:, :, 0] == -1) | (labels[:, :, 1:] <= 1).all(-1)).all())
    True
    """
    params = dict(size=size, num_examples=num_examples, max_objects=max_objects, seed=seed)
    images, labels, _ = read_scenes(split, root=root, **params)
    return images, labels


def _to_float(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    X, Y = batch
    return X.float() / 255, Y


def load_detection(
    batch_size: int,
    *,
    size: int = DEFAULTS["size"],
    num_train: int = DEFAULTS["num_train"],
    num_val: int = DEFAULTS["num_val"],
    max_objects: int = DEFAULTS["max_objects"],
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
    device: torch.device | str | None = None,
) -> tuple[TensorBatches, TensorBatches]:
    """返回检测数据集训练集与验证集的小批量迭代器（D2L 的 ``load_data_bananas``）。

    每个批次是 ``(X, Y)``：``X`` 为 ``float32``、取值 ``[0, 1]``、形状 ``(B, 3, size, size)``；
    ``Y`` 为 ``(B, max_objects, 5)`` 的标签。训练集每轮打乱（由 ``seed`` 决定），验证集按顺序。

    Examples
    --------
    >>> train_iter, val_iter = load_detection(32)
    >>> X, Y = next(iter(train_iter))
    >>> X.shape, X.dtype, Y.shape
    (torch.Size([32, 3, 128, 128]), torch.float32, torch.Size([32, 2, 5]))
    """
    common = dict(size=size, max_objects=max_objects, seed=seed, root=root)
    train = read_detection("train", num_examples=num_train, **common)
    val = read_detection("val", num_examples=num_val, **common)

    return (
        TensorBatches(train, batch_size, True, seed=seed, device=device, transform=_to_float),
        TensorBatches(val, batch_size, False, device=device, transform=_to_float),
    )


def locate_detection(root: str | os.PathLike[str] | None = None) -> DataSource | None:
    """默认参数的缓存文件（两个划分都在时）；不生成、不读取。"""
    files = {split: detection_cache_file(split, root=root) for split in DETECTION_PHOTOS}
    if not all(p.is_file() for p in files.values()):
        return None
    directory = next(iter(files.values())).parent
    return DataSource("目录" if root is not None else "缓存", directory, files)


def verify_detection(directory: str | os.PathLike[str]) -> list[str]:
    """检查 ``directory`` 里默认参数的缓存文件，返回问题列表（空列表表示一切正常）。"""
    problems = []
    for split in DETECTION_PHOTOS:
        path = detection_cache_file(split, root=directory)
        if not path.is_file():
            problems.append(f"缺少文件 {path}")
            continue
        try:
            _load_cache(path)
        except ValueError as err:
            problems.append(str(err))
    return problems


def fetch_detection() -> Path:
    """生成默认参数的两个划分并写入缓存（已有且完好时什么也不做），返回缓存目录。"""
    for split in DETECTION_PHOTOS:
        path = detection_cache_file(split)
        if path.is_file() and not verify_detection(path.parent):
            continue
        path.unlink(missing_ok=True)
        read_detection(split)
    return detection_cache_file("train").parent
