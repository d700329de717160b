"""语义分割数据集（dlbook.data.segmentation）：裁剪对齐、颜色表往返、批次形状、细胞核图像。"""

from __future__ import annotations

import pytest
import torch

from dlbook.data.segmentation import (
    SEGMENTATION_CLASSES,
    SEGMENTATION_COLORMAP,
    color_to_label,
    label_to_color,
    load_segmentation,
    rand_crop,
    read_nuclei,
    read_segmentation,
)


def test_rand_crop_keeps_image_and_labels_aligned():
    # 标签就是图像某个通道的函数：裁剪之后这个关系必须逐像素保持
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (6, 3, 20, 30), generator=g, dtype=torch.uint8)
    labels = images[:, 1].long() % 4
    X, Y = rand_crop(images, labels, 7, 11, generator=g)
    assert X.shape == (6, 3, 7, 11) and Y.shape == (6, 7, 11)
    assert torch.equal(X[:, 1].long() % 4, Y)
    # 每个样本的窗口是原图里的一个连续块
    for x, image in zip(X, images):
        windows = image.unfold(1, 7, 1).unfold(2, 11, 1)  # (3, 14, 20, 7, 11)
        assert (windows == x[:, None, None]).flatten(3).all(-1).all(0).any()


def test_rand_crop_is_reproducible_and_varies_per_sample():
    images = torch.arange(4 * 32 * 32).reshape(4, 1, 32, 32)
    a, _ = rand_crop(images, images[:, 0], 8, 8, generator=torch.Generator().manual_seed(1))
    b, _ = rand_crop(images, images[:, 0], 8, 8, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert len({int(x[0, 0, 0] % (32 * 32)) for x in a}) > 1  # 不同样本的窗口不同


def test_rand_crop_rejects_bad_arguments():
    images = torch.zeros(2, 3, 8, 8)
    with pytest.raises(ValueError, match="裁剪窗口"):
        rand_crop(images, torch.zeros(2, 8, 8), 9, 4)
    with pytest.raises(ValueError, match="labels"):
        rand_crop(images, torch.zeros(2, 7, 8), 4, 4)


def test_colormap_round_trips():
    assert len(SEGMENTATION_COLORMAP) == len(SEGMENTATION_CLASSES) == 4
    assert len(set(SEGMENTATION_COLORMAP)) == 4
    labels = torch.randint(0, 4, (2, 5, 6), generator=torch.Generator().manual_seed(0))
    colors = label_to_color(labels)
    assert colors.shape == (2, 3, 5, 6) and colors.dtype == torch.uint8
    assert torch.equal(color_to_label(colors), labels)
    for c, rgb in enumerate(SEGMENTATION_COLORMAP):
        assert label_to_color(torch.tensor([[c]]))[:, 0, 0].tolist() == list(rgb)


def test_color_to_label_rejects_unknown_colours():
    with pytest.raises(ValueError, match="颜色表以外"):
        color_to_label(torch.full((3, 2, 2), 7, dtype=torch.uint8))
    with pytest.raises(ValueError, match="labels"):
        label_to_color(torch.tensor([[4]]))


def test_segmentation_set_shares_the_detection_scenes():
    from dlbook.data.detection import read_scenes

    images, labels = read_segmentation("val")
    scene_images, _, masks = read_scenes("val")
    assert torch.equal(images, scene_images) and torch.equal(labels, masks.long())
    assert set(labels.unique().tolist()) == {0, 1, 2, 3}


def test_loader_shapes():
    train_iter, val_iter = load_segmentation(16, crop_size=32, num_train=40, num_val=20)
    X, Y = next(iter(train_iter))
    assert X.shape == (16, 3, 32, 32) and X.dtype == torch.float32 and 0 <= X.min() <= X.max() <= 1
    assert Y.shape == (16, 32, 32) and Y.dtype == torch.int64
    sizes = [X.shape for X, _ in val_iter]
    assert sizes == [(16, 3, 128, 128), (4, 3, 128, 128)]
    with pytest.raises(ValueError, match="crop_size"):
        load_segmentation(4, crop_size=200)


def test_nuclei_image_and_instances():
    image, instances = read_nuclei()
    assert image.shape == instances.shape == (512, 512)
    assert 0 <= float(image.min()) and float(image.max()) == 1.0
    # 细胞核比背景亮：语义标签（编号 > 0）上的平均亮度明显更高
    nuclei = instances > 0
    assert image[nuclei].mean() > 1.5 * image[~nuclei].mean()
