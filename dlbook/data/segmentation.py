"""语义分割数据集：合成场景的逐像素类别、颜色表、对齐的随机裁剪与小批量，以及一张真实的细胞核图像。

D2L 用 Pascal VOC 2012（约 2 GB，只能从网上下载）。这里用能离线取得的两样东西代替：

* **合成场景** （:func:`read_segmentation`）：目标检测一节合成的同一批图像
  （:func:`~dlbook.data.detection.read_scenes`：水果图标贴在真实照片上），每个像素的类别来自图标的
  透明通道——不透明的像素属于那个水果，其余是背景。四个类别：背景、香蕉、苹果、葡萄
  （:data:`SEGMENTATION_CLASSES`）。验证集的背景照片从不出现在训练集里。
* **细胞核** （:func:`read_nuclei`）：2018 Data Science Bowl 的一张 512×512 荧光显微图像和它逐个细胞核
  的标注，由 ``stardist==0.9.2`` 轮子包带着（见 :mod:`dlbook.data.packaged`）。标注给每个细胞核一个
  编号（实例分割）；把所有编号并成“细胞核”一类就是语义分割的标签。

与 D2L 一样，标签可以画成彩色图像：:data:`SEGMENTATION_COLORMAP` 给每个类别一种 VOC 调色板里的颜色，
:func:`label_to_color` 与 :func:`color_to_label` 互为逆运算。:func:`rand_crop` 对一批图像与标签
用 **同一个** 裁剪窗口（每个样本一个），:func:`load_segmentation` 返回训练集（每批随机裁剪）与验证集
（整张图像）的迭代器。

导入本模块不会访问网络，也不会读写任何文件。
"""

from __future__ import annotations

import os

import numpy as np
import torch
from PIL import Image

from dlbook.data.detection import DEFAULTS, DETECTION_CLASSES, read_scenes
from dlbook.data.loader import TensorBatches
from dlbook.data.packaged import packaged_file

__all__ = [
    "SEGMENTATION_CLASSES",
    "SEGMENTATION_COLORMAP",
    "color_to_label",
    "label_to_color",
    "load_segmentation",
    "rand_crop",
    "read_nuclei",
    "read_segmentation",
]

#: 类别名：0 是背景，``c + 1`` 是 :data:`~dlbook.data.detection.DETECTION_CLASSES` 的第 ``c`` 类。
SEGMENTATION_CLASSES: tuple[str, ...] = ("background", *DETECTION_CLASSES)
#: 每个类别的 RGB 颜色（与 D2L 的 ``VOC_COLORMAP`` 同一个调色板：背景黑色；香蕉、苹果、葡萄取 VOC 的
#: 橄榄黄、暗红与紫色）。
SEGMENTATION_COLORMAP: tuple[tuple[int, int, int], ...] = (
    (0, 0, 0),
    (128, 128, 0),
    (128, 0, 0),
    (128, 0, 128),
)


def label_to_color(labels: torch.Tensor) -> torch.Tensor:
    """把类别标签 ``(..., H, W)`` 画成 ``uint8`` 的彩色图像 ``(..., 3, H, W)``。

    Examples
    --------
    >>> label_to_color(torch.tensor([[0, 1], [2, 3]]))[:, 0, :]
    tensor([[  0, 128],
            [  0, 128],
            [  0,   0]], dtype=torch.uint8)
    """
    labels = labels.long()
    if labels.numel() and (labels.min() < 0 or labels.max() >= len(SEGMENTATION_COLORMAP)):
        raise ValueError(f"labels 必须在 0 到 {len(SEGMENTATION_COLORMAP) - 1} 之间")
    colormap = torch.tensor(SEGMENTATION_COLORMAP, dtype=torch.uint8, device=labels.device)
    return colormap[labels].movedim(-1, -3)  # (..., H, W, 3) -> (..., 3, H, W)


def color_to_label(image: torch.Tensor) -> torch.Tensor:
    """:func:`label_to_color` 的逆运算：把 ``(..., 3, H, W)`` 的彩色标签图像变回 ``int64`` 的类别。

    D2L 建一张 :math:`256^3` 项的查找表（``voc_colormap2label``，一亿多字节）；这里只有四种颜色，
    直接把每个像素与颜色表逐一比较。颜色表以外的颜色抛出 ``ValueError``。

    Examples
    --------
    >>> labels = torch.tensor([[0, 1], [2, 3]])
    >>> torch.equal(color_to_label(label_to_color(labels)), labels)
    True
    """
    if image.dim() < 3 or image.shape[-3] != 3:
        raise ValueError(f"image 的形状必须是 (..., 3, H, W)，收到 {tuple(image.shape)}")
    colormap = torch.tensor(SEGMENTATION_COLORMAP, dtype=image.dtype, device=image.device)
    pixels = image.movedim(-3, -1).unsqueeze(-2)  # (..., H, W, 1, 3)
    matches = (pixels == colormap).all(dim=-1)  # (..., H, W, 类别数)
    if not bool(matches.any(dim=-1).all()):
        raise ValueError("image 里有颜色表以外的颜色")
    return matches.int().argmax(dim=-1)


def rand_crop(
    images: torch.Tensor,
    labels: torch.Tensor,
    height: int,
    width: int,
    *,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """对一批图像与标签做随机裁剪：每个样本一个窗口，图像与它的标签用 **同一个** 窗口。

    D2L 的 ``voc_rand_crop`` 一次裁一张图；这里在整批张量上一次完成（用下标张量取出每个样本的窗口）。
    分割不能像分类那样把图像缩放到固定大小：缩放标签要插值，类别之间的像素会变成不存在的“中间类别”。

    Parameters
    ----------
    images : torch.Tensor
        ``(B, C, H, W)``。
    labels : torch.Tensor
        ``(B, H, W)``，与图像逐像素对应。
    height, width : int
        窗口的高和宽，不能超过图像。
    generator : torch.Generator, optional
        决定窗口位置的随机数生成器。

    Returns
    -------
    (torch.Tensor, torch.Tensor)
        ``(B, C, height, width)`` 与 ``(B, height, width)``。

    Examples
    --------
    >>> images = torch.arange(2 * 16).reshape(2, 1, 4, 4)
    >>> X, Y = rand_crop(images, images[:, 0], 2, 3, generator=torch.Generator().manual_seed(0))
    >>> X.shape, Y.shape, torch.equal(X[:, 0], Y)
    (torch.Size([2, 1, 2, 3]), torch.Size([2, 2, 3]), True)
    """
    if images.dim() != 4 or labels.shape != (images.shape[0], *images.shape[2:]):
        raise ValueError(
            f"需要 images 形状 (B, C, H, W) 与 labels 形状 (B, H, W)，"
            f"收到 {tuple(images.shape)} 与 {tuple(labels.shape)}"
        )
    n, _, h, w = images.shape
    if not (1 <= height <= h and 1 <= width <= w):
        raise ValueError(f"裁剪窗口 {height}×{width} 必须不大于图像 {h}×{w}")
    device = images.device
    top = torch.randint(0, h - height + 1, (n,), generator=generator).to(device)
    left = torch.randint(0, w - width + 1, (n,), generator=generator).to(device)
    rows = (top[:, None] + torch.arange(height, device=device))[:, :, None]  # (B, height, 1)
    cols = (left[:, None] + torch.arange(width, device=device))[:, None, :]  # (B, 1, width)
    batch = torch.arange(n, device=device)[:, None, None]
    cropped = images.movedim(1, -1)[batch, rows, cols].movedim(-1, 1)  # 图像与标签同一组下标
    return cropped, labels[batch, rows, cols]


def read_segmentation(
    split: str = "train",
    *,
    size: int = DEFAULTS["size"],
    num_examples: int | None = None,
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """读取分割数据集的一个划分 ``(images, labels)``：``uint8`` 的 ``(N, 3, size, size)`` 与
    ``int64`` 的 ``(N, size, size)`` （类别下标，见 :data:`SEGMENTATION_CLASSES`）。

    图像与掩码来自 :func:`~dlbook.data.detection.read_scenes` （与目标检测共用、带缓存，不重新合成）。

    Examples
    --------
    >>> images, labels = read_segmentation("val")
    >>> images.shape, labels.shape, labels.dtype, int(labels.max())
    (torch.Size([200, 3, 128, 128]), torch.Size([200, 128, 128]), torch.int64, 3)
    """
    images, _, masks = read_scenes(
        split, size=size, num_examples=num_examples, seed=seed, root=root
    )
    return images, masks.long()


def _crop_transform(crop_size: int | None, seed: int):
    generator = torch.Generator().manual_seed(seed)

    def transform(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, torch.Tensor]:
        X, Y = batch
        if crop_size is not None:
            X, Y = rand_crop(X, Y, crop_size, crop_size, generator=generator)
        return X.float() / 255, Y

    return transform


def load_segmentation(
    batch_size: int,
    *,
    crop_size: int | None = None,
    size: int = DEFAULTS["size"],
    num_train: int = DEFAULTS["num_train"],
    num_val: int = DEFAULTS["num_val"],
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
    device: torch.device | str | None = None,
) -> tuple[TensorBatches, TensorBatches]:
    """返回分割数据集训练集与验证集的小批量迭代器（D2L 的 ``load_data_voc``）。

    每个批次是 ``(X, Y)``：``X`` 为 ``float32``、取值 ``[0, 1]``；``Y`` 为 ``int64`` 的类别。
    训练集每轮打乱，``crop_size`` 不为 ``None`` 时每批随机裁剪成 ``crop_size × crop_size``
    （:func:`rand_crop`，窗口由 ``seed`` 决定）；验证集按顺序、用整张图像。

    Examples
    --------
    >>> train_iter, val_iter = load_segmentation(8, crop_size=64)
    >>> X, Y = next(iter(train_iter))
    >>> X.shape, X.dtype, Y.shape, Y.dtype
    (torch.Size([8, 3, 64, 64]), torch.float32, torch.Size([8, 64, 64]), torch.int64)
    >>> next(iter(val_iter))[0].shape
    torch.Size([8, 3, 128, 128])
    """
    if crop_size is not None and not 1 <= crop_size <= size:
        raise ValueError(f"crop_size 必须在 1 到 size={size} 之间，收到 {crop_size}")
    train = read_segmentation("train", size=size, num_examples=num_train, seed=seed, root=root)
    val = read_segmentation("val", size=size, num_examples=num_val, seed=seed, root=root)
    return (
        TensorBatches(
            train,
            batch_size,
            True,
            seed=seed,
            device=device,
            transform=_crop_transform(crop_size, seed),
        ),
        TensorBatches(val, batch_size, False, device=device, transform=_crop_transform(None, seed)),
    )


def read_nuclei(root: str | os.PathLike[str] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """读取细胞核图像与标注：``float32`` 的 ``(512, 512)`` 图像（除以最大值，落在 ``[0, 1]``）与
    ``int64`` 的 ``(512, 512)`` 实例标注（0 是背景，``k ≥ 1`` 是第 ``k`` 个细胞核）。

    两个文件是 16 位灰度 TIFF，用 Pillow 读取；``instances > 0`` 就是语义分割的标签（细胞核 / 背景）。

    Examples
    --------
    >>> image, instances = read_nuclei()
    >>> image.shape, float(image.max()), instances.dtype
    (torch.Size([512, 512]), 1.0, torch.int64)
    >>> int((instances.unique() > 0).sum())  # 细胞核的个数
    125
    """
    arrays = []
    for name in ("img2d.tif", "mask2d.tif"):
        with Image.open(packaged_file("nuclei", name, root)) as image:
            arrays.append(np.asarray(image).astype(np.int64))
    image, instances = (torch.from_numpy(a) for a in arrays)
    return image.float() / image.max(), instances
