"""神经风格迁移（Gatys 等，2016；D2L 13.12 节）：训练的不是网络，而是合成图像本身。

预训练网络的参数全部固定，只把合成图像当作模型参数：从内容图像出发，用 Adam 反复更新它，使
内容层上的特征接近内容图像（:func:`~dlbook.ops.style.content_loss`）、风格层上的格拉姆矩阵接近
风格图像（:func:`~dlbook.ops.style.style_loss`），同时保持平滑（:func:`~dlbook.ops.style.tv_loss`）。

D2L 用 ImageNet 上预训练的 VGG-19 抽取特征；VGG-19 的权重只能从 PyTorch 的服务器下载，没有
能离线安装的包带着它。本书用能离线取得的 ImageNet MobileNetV2
（:func:`dlbook.models.mobilenet.mobilenet_v2` 的主体 ``features``，共 19 块），层的选法与 D2L 相同：

* 风格层 :data:`STYLE_LAYERS` ——每种分辨率取靠前的一块（第 1、3、6、13 块，输出分别是输入的
  1/2、1/4、1/8、1/16），从细小的笔触到较大的纹理都算进风格；
* 内容层 :data:`CONTENT_LAYERS` ——第 10 块（1/16 分辨率、64 个通道），位于风格层之间、靠近输出：
  它保留物体的布局，却不拘泥于像素的细节。
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.data.augmentation import IMAGENET_MEAN, IMAGENET_STD
from dlbook.ops.style import content_loss, gram, style_loss, tv_loss

__all__ = [
    "CONTENT_LAYERS",
    "STYLE_LAYERS",
    "StyleTransferHistory",
    "extract_features",
    "postprocess",
    "preprocess",
    "read_style_image",
    "style_transfer",
]

#: MobileNetV2 主体里用作风格层的块的下标（输出分辨率依次是输入的 1/2、1/4、1/8、1/16）。
STYLE_LAYERS: tuple[int, ...] = (1, 3, 6, 13)
#: 用作内容层的块的下标（1/16 分辨率）。
CONTENT_LAYERS: tuple[int, ...] = (10,)


def _stats(X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    mean = torch.tensor(IMAGENET_MEAN, dtype=X.dtype, device=X.device).reshape(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, dtype=X.dtype, device=X.device).reshape(1, 3, 1, 1)
    return mean, std


def preprocess(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """把 ``uint8`` 的 ``(3, H, W)`` 图像缩放到 ``size = (高, 宽)`` 并按 ImageNet 的均值与标准差（:data:`~dlbook.data.augmentation.IMAGENET_MEAN` 等）标准化，返回 ``(1, 3, 高, 宽)``。

    Examples
    --------
    >>> X = preprocess(torch.full((3, 8, 8), 255, dtype=torch.uint8), (4, 6))
    >>> X.shape, round(X[0, 0, 0, 0].item(), 4)          # (1 - 0.485) / 0.229
    (torch.Size([1, 3, 4, 6]), 2.2489)
    """
    if image.dtype != torch.uint8 or image.dim() != 3 or image.shape[0] != 3:
        raise ValueError(
            f"image 应是 uint8、形状 (3, H, W) 的张量，收到 {image.dtype} {tuple(image.shape)}"
        )
    X = image[None].float() / 255
    X = F.interpolate(X, size=size, mode="bilinear", antialias=True, align_corners=False)
    mean, std = _stats(X)
    return (X - mean) / std


def postprocess(X: torch.Tensor) -> torch.Tensor:
    """:func:`preprocess` 的逆：``(1, 3, H, W)`` 的标准化图像还原成 ``[0, 1]`` 的 ``(H, W, 3)``，可直接画出。

    Examples
    --------
    >>> image = torch.randint(0, 256, (3, 4, 4), dtype=torch.uint8)
    >>> torch.allclose(postprocess(preprocess(image, (4, 4))), image.permute(1, 2, 0) / 255, atol=1e-6)
    True
    """
    mean, std = _stats(X)
    return (X.detach() * std + mean).clamp(0, 1)[0].permute(1, 2, 0).cpu()


def extract_features(
    body: nn.Sequential,
    X: torch.Tensor,
    content_layers: Sequence[int] = CONTENT_LAYERS,
    style_layers: Sequence[int] = STYLE_LAYERS,
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """让 ``X`` 逐块通过 ``body``，返回内容层与风格层的输出（各一个列表，按层的顺序）。

    只算到用得着的最深一层，后面的块不计算。

    Examples
    --------
    >>> body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 1))
    >>> contents, styles = extract_features(body, torch.zeros(1, 3, 6, 6), (2,), (0, 1))
    >>> [y.shape[1] for y in contents], [y.shape[1] for y in styles]
    ([5], [4, 4])
    """
    last = max((*content_layers, *style_layers))
    if last >= len(body):
        raise ValueError(f"层的下标 {last} 超出了 body 的 {len(body)} 块")
    contents, styles = [], []
    for i in range(last + 1):
        X = body[i](X)
        if i in content_layers:
            contents.append(X)
        if i in style_layers:
            styles.append(X)
    return contents, styles


@dataclass
class StyleTransferHistory:
    """每隔几步记下的加权损失（第 0 步是更新之前，合成图像就是内容图像）。"""

    steps: list[int] = field(default_factory=list)
    content: list[float] = field(default_factory=list)
    style: list[float] = field(default_factory=list)
    tv: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> list[float]:
        """三项之和（优化的目标）。"""
        return [c + s + t for c, s, t in zip(self.content, self.style, self.tv, strict=True)]


def style_transfer(
    body: nn.Sequential,
    content: torch.Tensor,
    style: torch.Tensor,
    num_steps: int,
    *,
    lr: float = 0.05,
    lr_period: int = 50,
    lr_decay: float = 0.8,
    content_weight: float = 1.0,
    style_weight: float = 3e5,
    tv_weight: float = 50.0,
    content_layers: Sequence[int] = CONTENT_LAYERS,
    style_layers: Sequence[int] = STYLE_LAYERS,
    record_every: int = 10,
) -> tuple[torch.Tensor, StyleTransferHistory]:
    """从内容图像出发，用 Adam 更新合成图像 ``num_steps`` 步，返回合成图像（标准化的 ``(1, 3, H, W)``）与损失记录。

    ``content`` 与 ``style`` 是 :func:`preprocess` 的输出（大小可以不同）。``body`` 的参数不会被改动，
    也不求梯度；它应处于评估模式（批量规范化用预训练时的统计量）。学习率每 ``lr_period`` 步乘以
    ``lr_decay`` （D2L 的设置）。三项损失都乘上各自的权重后相加；风格层有几层，风格损失就是几项之和。

    Examples
    --------
    >>> body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1))
    >>> _ = torch.manual_seed(0)
    >>> C, S = torch.randn(1, 3, 8, 8), torch.randn(1, 3, 6, 6)
    >>> Y, h = style_transfer(body.requires_grad_(False), C, S, 3, content_layers=(2,),
    ...                       style_layers=(0, 2), record_every=1)
    >>> Y.shape, h.steps, h.content[0]
    (torch.Size([1, 3, 8, 8]), [0, 1, 2, 3], 0.0)
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps 必须是正整数，收到 {num_steps!r}")
    if record_every < 1:
        raise ValueError(f"record_every 必须是正整数，收到 {record_every!r}")
    start = time.process_time()
    with torch.no_grad():
        contents_Y, _ = extract_features(body, content, content_layers, style_layers)
        _, styles_Y = extract_features(body, style, content_layers, style_layers)
        grams_Y = [gram(Y) for Y in styles_Y]
    image = nn.Parameter(content.clone())
    optimizer = torch.optim.Adam([image], lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, lr_period, lr_decay)
    history = StyleTransferHistory()
    for step in range(num_steps + 1):
        optimizer.zero_grad()
        contents_hat, styles_hat = extract_features(body, image, content_layers, style_layers)
        losses = (
            content_weight * sum(content_loss(a, b) for a, b in zip(contents_hat, contents_Y)),
            style_weight * sum(style_loss(a, g) for a, g in zip(styles_hat, grams_Y)),
            tv_weight * tv_loss(image),
        )
        if step % record_every == 0 or step == num_steps:
            history.steps.append(step)
            for series, value in zip((history.content, history.style, history.tv), losses):
                series.append(value.item())
        if step == num_steps:  # 最后一次只记下损失，不再更新
            break
        sum(losses).backward()
        optimizer.step()
        scheduler.step()
    history.seconds = time.process_time() - start
    return image.detach(), history


def read_style_image() -> tuple[torch.Tensor, str]:
    """风格图像：梵高的《星月夜》（Debian ``opencv-doc`` 包里的示例数据），返回 ``(uint8 图像, 说明)``。

    取不到它时（不是 Debian/Ubuntu、没有 ``apt-get`` 也没有缓存），退而用 scikit-image 的哈勃深空照片，
    并在说明里写明换了图像——风格迁移照样能跑，只是“风格”不再是一幅画。
    """
    from dlbook.data.download import DataUnavailableError
    from dlbook.data.photos import PHOTOS, read_photo

    try:
        return read_photo("starry-night"), PHOTOS["starry-night"][2]
    except DataUnavailableError:
        note = f"（取不到《星月夜》，改用{PHOTOS['hubble'][2]}作风格图像）"
        return read_photo("hubble"), note
