"""第 12 章用的真实照片：scikit-image 的示例照片与 imgaug 带标注的短尾矮袋鼠照片。

照片文件装在固定版本的轮子包里（见 :mod:`dlbook.data.packaged`，``photos`` 与 ``quokka``），
读取时校验 SHA-256。每张照片读成 ``uint8`` 的 ``(3, H, W)`` 张量（与 :func:`torchvision.io.decode_image`
相同的布局，但用 Pillow 解码）；灰度照片复制成三个通道。

导入本模块不会访问网络，也不会读写任何文件。
"""

from __future__ import annotations

import json
import os

import numpy as np
import torch
from PIL import Image

from dlbook.data.packaged import packaged_file

__all__ = ["PHOTOS", "quokka_annotation", "read_image", "read_photo"]

#: 照片的名字 → （数据名，文件名，说明）。
PHOTOS: dict[str, tuple[str, str, str]] = {
    "cat": ("photos", "chelsea.png", "一只名叫 Chelsea 的猫（Stefan van der Walt 摄）"),
    "astronaut": ("photos", "astronaut.png", "宇航员 Eileen Collins（NASA）"),
    "coffee": ("photos", "coffee.png", "一杯咖啡（Rachel Michetti 摄）"),
    "rocket": ("photos", "rocket.jpg", "发射台上的火箭（NASA）"),
    "motorcycle": ("photos", "motorcycle_left.png", "摩托车（Middlebury 立体视觉数据集）"),
    "brick": ("photos", "brick.png", "砖墙纹理（灰度）"),
    "grass": ("photos", "grass.png", "草地纹理（灰度）"),
    "gravel": ("photos", "gravel.png", "碎石纹理（灰度）"),
    "hubble": ("photos", "hubble_deep_field.jpg", "哈勃深空场（NASA）"),
    "starry-night": ("starry-night", "starry_night.jpg", "梵高的《星月夜》（1889，公有领域）"),
    "quokka": ("quokka", "quokka.jpg", "短尾矮袋鼠（imgaug 的示例照片，带边界框与关键点标注）"),
}


def read_photo(name: str, root: str | os.PathLike[str] | None = None) -> torch.Tensor:
    """读取照片 ``name``，返回 ``uint8``、形状 ``(3, H, W)`` 的 RGB 张量。

    Parameters
    ----------
    name : str
        :data:`PHOTOS` 里的名字，例如 ``"cat"``、``"quokka"``。
    root : path, optional
        照片文件所在的目录；不给时按“缓存 → 系统副本”查找（``python -m dlbook data fetch photos``
        与 ``... fetch quokka`` 把它们放进缓存）。

    Examples
    --------
    >>> read_photo("cat").shape
    torch.Size([3, 300, 451])
    >>> read_photo("dog")
    Traceback (most recent call last):
    ...
    ValueError: 未知的照片 'dog'；可选：cat、astronaut、...
    """
    if name not in PHOTOS:
        raise ValueError(f"未知的照片 {name!r}；可选：{'、'.join(PHOTOS)}")
    dataset, file, _ = PHOTOS[name]
    return read_image(packaged_file(dataset, file, root))


def read_image(path: str | os.PathLike[str]) -> torch.Tensor:
    """把一个图像文件读成 ``uint8``、形状 ``(3, H, W)`` 的 RGB 张量（灰度与带透明通道的图像都转成 RGB）。

    用 Pillow 解码：torchvision 0.29 起它自己的图像解码已被弃用。
    """
    with Image.open(path) as image:
        array = np.asarray(image.convert("RGB"))
    return torch.from_numpy(array.copy()).permute(2, 0, 1).contiguous()


def quokka_annotation(root: str | os.PathLike[str] | None = None) -> dict:
    """imgaug 为短尾矮袋鼠照片做的人工标注：边界框（像素坐标）、类别与关键点。

    Returns
    -------
    dict
        ``"box"``：``float32`` 张量 ``[x1, y1, x2, y2]`` （左上角与右下角，单位像素）；
        ``"label"``：类别名；``"keypoints"``：关键点名 → ``(x, y)``。

    Examples
    --------
    >>> ann = quokka_annotation()
    >>> ann["box"], ann["label"]
    (tensor([148.,  50., 550., 642.]), 'animal')
    >>> ann["keypoints"]["nose"]
    (313.0, 270.0)
    """
    raw = json.loads(packaged_file("quokka", "quokka_annotations.json", root).read_text("utf-8"))
    (box,) = raw["bounding_boxes"]
    return {
        "box": torch.tensor([box["x1"], box["y1"], box["x2"], box["y2"]], dtype=torch.float32),
        "label": box["label"],
        "keypoints": {k["label"]: (float(k["x"]), float(k["y"])) for k in raw["keypoints"]},
    }
