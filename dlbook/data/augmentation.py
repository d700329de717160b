"""图像增广与输入变换：在设备上的一批张量上做 ``torchvision.transforms.v2`` 变换，不经过 PIL。

``torchvision.transforms.v2`` 的变换直接作用在张量上，形状 ``(..., C, H, W)``。但把一整批图像
``(B, C, H, W)`` 交给一个随机变换时，它 **只抽一次** 随机参数：整批一起翻转或一起不翻转、裁剪同一个位置。
图像增广要每张图像各抽各的，所以 :func:`augment_images` 对批次里的每张图像分别调用变换（仍是在设备上的
张量运算）；确定性的变换（规范化、灰度转三通道）对整批调用一次即可。:func:`transform_batches` 把两种
做法接到 :class:`~dlbook.data.loader.TensorBatches` 的每个批次上。
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torchvision.transforms import v2

from dlbook.data.loader import TensorBatches

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "augment_images",
    "fashion_mnist_augmentation",
    "imagenet_input",
    "transform_batches",
]

#: ImageNet 训练集 RGB 三个通道的均值与标准差：torchvision 的预训练模型都按它们规范化输入。
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

ImageTransform = Callable[[torch.Tensor], torch.Tensor]


def augment_images(images: torch.Tensor, transform: ImageTransform) -> torch.Tensor:
    """对一批图像 ``(B, C, H, W)`` 逐张调用 ``transform``：每张图像各自抽取随机参数。

    变换的输出形状必须相同（例如随机裁剪后缩放到固定大小），才能重新叠成一批。

    Examples
    --------
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> X = torch.arange(4.0).reshape(1, 1, 1, 4).repeat(8, 1, 1, 1)
    >>> flip = v2.RandomHorizontalFlip()
    >>> len(set(flip(X)[:, 0, 0, 0].tolist()))                  # 整批交给它：全翻或全不翻
    1
    >>> sorted(set(augment_images(X, flip)[:, 0, 0, 0].tolist()))  # 逐张：有的翻了，有的没翻
    [0.0, 3.0]
    """
    if images.dim() != 4:
        raise ValueError(
            f"images 必须是 (批量, 通道, 高, 宽) 的四维张量，收到形状 {tuple(images.shape)}"
        )
    return torch.stack([transform(image) for image in images])


def transform_batches(
    batches: TensorBatches, transform: ImageTransform, *, per_image: bool = False
) -> TensorBatches:
    """返回一个新的 :class:`~dlbook.data.loader.TensorBatches`：同样的张量、批量与打乱顺序，每个批次
    ``(X, y)`` 在原有的变换之后再把 ``X`` 换成 ``transform(X)``。

    ``per_image=True`` 时用 :func:`augment_images` 逐张变换（随机的图像增广必须这样）；否则对整批调用一次
    （规范化等确定性的变换）。变换在批次所在的设备上进行；随机参数来自 PyTorch 的全局随机数生成器，
    训练前调用 :func:`dlbook.seed_everything` （或给训练函数传 ``seed``）即可复现。

    Examples
    --------
    >>> X, y = torch.zeros(6, 1, 2, 2), torch.arange(6)
    >>> data = TensorBatches((X, y), batch_size=4, shuffle=False)
    >>> shifted = transform_batches(data, lambda X: X + 1)
    >>> [(b[0].sum().item(), b[1].tolist()) for b in shifted]
    [(16.0, [0, 1, 2, 3]), (8.0, [4, 5])]
    """
    if not isinstance(batches, TensorBatches):
        raise TypeError(f"batches 必须是 TensorBatches，收到 {type(batches).__name__}")
    if not callable(transform):
        raise TypeError("transform 必须是可调用对象 transform(images) -> images")
    previous = batches.transform

    def composed(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        if previous is not None:
            batch = previous(batch)
        X, *rest = batch
        X = augment_images(X, transform) if per_image else transform(X)
        return (X, *rest)

    return TensorBatches(
        batches.tensors, batches.batch_size, batches.shuffle, seed=batches.seed, transform=composed
    )


def fashion_mnist_augmentation(padding: int = 2) -> v2.Compose:
    """适合 Fashion-MNIST 的增广：四周各填充 ``padding`` 个零像素后随机裁回 28×28，再以 0.5 的概率左右翻转。

    Examples
    --------
    >>> fashion_mnist_augmentation()
    Compose(
          RandomCrop(size=(28, 28), padding=[2, 2, 2, 2], pad_if_needed=False, fill=0, padding_mode=constant)
          RandomHorizontalFlip(p=0.5)
    )
    """
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding 必须是非负整数，收到 {padding!r}")
    return v2.Compose([v2.RandomCrop(28, padding=padding), v2.RandomHorizontalFlip()])


def imagenet_input() -> v2.Compose:
    """把 ``[0, 1]`` 的单通道（或三通道）图像变成 ImageNet 预训练模型要的输入：复制成三个通道，
    再按 :data:`IMAGENET_MEAN`、:data:`IMAGENET_STD` 逐通道规范化。确定性的变换，可以整批调用。

    Examples
    --------
    >>> imagenet_input()(torch.full((2, 1, 4, 4), 0.5))[0, :, 0, 0]
    tensor([0.0655, 0.1964, 0.4178])
    """
    return v2.Compose([v2.RGB(), v2.Normalize(IMAGENET_MEAN, IMAGENET_STD)])
