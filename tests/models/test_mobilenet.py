"""dlbook.models.mobilenet：形状、预训练权重的载入、新的输出层与冻结的主体。"""

from __future__ import annotations

import torch
import torchvision

from dlbook.data.pretrained import mobilenet_v2_state_dict
from dlbook.models.mobilenet import MobileNetV2, mobilenet_v2


def test_output_shape_and_torchvision_structure():
    net = mobilenet_v2(10)
    assert isinstance(net, torchvision.models.MobileNetV2)
    assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert net.features(torch.zeros(1, 3, 64, 64)).shape == (1, 1280, 2, 2)  # 高宽缩小为 1/32


def test_pretrained_body_equals_the_state_dict_and_head_is_new():
    expected = mobilenet_v2_state_dict()
    net = mobilenet_v2(7, pretrained=True)
    state = net.state_dict()
    body = [k for k in expected if not k.startswith("classifier.")]
    assert body and all(torch.equal(state[k], expected[k]) for k in body)
    assert state.keys() == expected.keys()  # 同样的层，只是输出层换了形状
    assert state["classifier.1.weight"].shape == (7, 1280)
    assert state["classifier.1.bias"].abs().sum() == 0


def test_head_is_drawn_from_the_generator():
    a = mobilenet_v2(5, generator=torch.Generator().manual_seed(3))
    b = mobilenet_v2(5, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.classifier[1].weight, b.classifier[1].weight)
    assert abs(a.classifier[1].weight.std().item() - 0.01) < 0.002


def test_frozen_body_keeps_its_weights_and_statistics():
    net = mobilenet_v2(3, freeze_body=True)
    before = {k: v.clone() for k, v in net.features.state_dict().items()}
    optimizer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.1)
    net.train()
    loss = net(torch.randn(4, 3, 32, 32)).sum()
    loss.backward()
    optimizer.step()
    after = net.features.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # 含批量规范化的滑动统计量
    assert net.classifier.training and not net.features.training
    assert isinstance(net, MobileNetV2) and net.body_frozen


def test_pretrained_without_num_classes_is_the_imagenet_network():
    expected = mobilenet_v2_state_dict()
    state = mobilenet_v2(pretrained=True).state_dict()
    assert all(torch.equal(state[k], expected[k]) for k in expected)
