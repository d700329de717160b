"""风格迁移（dlbook.train.style_transfer）：逐层取特征、预处理的往返、几步优化让损失下降、风格图像的退路。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.data.download import DataUnavailableError
from dlbook.models.mobilenet import mobilenet_v2
from dlbook.train import style_transfer as st


@pytest.fixture(scope="module")
def body():
    return mobilenet_v2(pretrained=True).features.eval().requires_grad_(False)


def test_layers_of_mobilenet_v2(body):
    contents, styles = st.extract_features(body, torch.zeros(1, 3, 64, 64))
    # 风格层的输出依次是 1/2、1/4、1/8、1/16 的分辨率；内容层是 1/16
    assert [tuple(y.shape[1:]) for y in styles] == [
        (16, 32, 32),
        (24, 16, 16),
        (32, 8, 8),
        (96, 4, 4),
    ]
    assert [tuple(y.shape[1:]) for y in contents] == [(64, 4, 4)]
    with pytest.raises(ValueError, match="超出"):
        st.extract_features(body, torch.zeros(1, 3, 8, 8), (19,), ())


def test_preprocess_round_trip_and_checks():
    image = torch.randint(0, 256, (3, 6, 5), dtype=torch.uint8)
    back = st.postprocess(st.preprocess(image, (6, 5)))
    torch.testing.assert_close(back, image.permute(1, 2, 0).float() / 255, atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="uint8"):
        st.preprocess(image.float(), (4, 4))


def test_three_steps_decrease_the_loss(body):
    g = torch.Generator().manual_seed(0)
    content = st.preprocess(
        torch.randint(0, 256, (3, 48, 48), dtype=torch.uint8, generator=g), (48, 48)
    )
    style = st.preprocess(
        torch.randint(0, 256, (3, 40, 56), dtype=torch.uint8, generator=g), (40, 56)
    )
    before = body.state_dict()["0.0.weight"].clone()
    image, history = st.style_transfer(body, content, style, 3, record_every=1)
    assert history.steps == [0, 1, 2, 3]
    assert history.content[0] == 0.0  # 从内容图像出发
    assert history.total[-1] < history.total[0]
    assert history.style[-1] < history.style[0]
    assert image.shape == content.shape and not image.requires_grad
    assert torch.equal(body.state_dict()["0.0.weight"], before)  # 网络的参数没有动
    with pytest.raises(ValueError, match="num_steps"):
        st.style_transfer(body, content, style, 0)


def test_style_image_falls_back_when_the_painting_is_missing(monkeypatch):
    import dlbook.data.photos as photos

    real = photos.read_photo

    def no_painting(name, root=None):
        if name == "starry-night":
            raise DataUnavailableError("没有 opencv-doc")
        return real(name, root)

    monkeypatch.setattr(photos, "read_photo", no_painting)
    image, note = st.read_style_image()
    assert image.shape[0] == 3 and "哈勃" in note
    monkeypatch.undo()
    image, note = st.read_style_image()
    assert tuple(image.shape) == (3, 600, 752) and "星月夜" in note


def test_extract_features_on_a_tiny_body():
    body = nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU(), nn.Conv2d(2, 3, 1))
    contents, styles = st.extract_features(body, torch.ones(1, 3, 4, 4), (1,), (0, 2))
    assert [y.shape[1] for y in styles] == [2, 3] and contents[0].min() >= 0
