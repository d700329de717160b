"""tests/models 共用的检查：逐层输出形状、参数个数、初始化可复现、网络能在固定的小批量上学习。"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from dlbook.utils.summary import layer_summary


@pytest.fixture
def shapes() -> Callable[[nn.Module, int], list[tuple[int, ...]]]:
    """``shapes(net, size)``：单通道 ``size×size`` 输入经过 ``net`` 每个直接子模块后的输出形状。"""

    def shapes(net: nn.Module, size: int) -> list[tuple[int, ...]]:
        return [row.output_shape for row in layer_summary(net, (1, size, size))]

    return shapes


@pytest.fixture
def count() -> Callable[[nn.Module], int]:
    """``count(net)``：参数个数。"""
    return lambda net: sum(p.numel() for p in net.parameters())


@pytest.fixture
def check_reproducible_init() -> Callable[[Callable[..., nn.Module]], None]:
    """``check_reproducible_init(factory)``：同一个种子的生成器给出相同的参数，不同的种子不同；
    第一个卷积层的权重不超过 PyTorch 默认初始化的界 ``1/sqrt(fan_in)``。"""

    def check(factory: Callable[..., nn.Module]) -> None:
        a = factory(generator=torch.Generator().manual_seed(0))
        b = factory(generator=torch.Generator().manual_seed(0))
        c = factory(generator=torch.Generator().manual_seed(1))
        assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
        first = next(m for m in a.modules() if isinstance(m, nn.Conv2d))
        other = next(m for m in c.modules() if isinstance(m, nn.Conv2d))
        assert not torch.equal(first.weight, other.weight)
        bound = 1 / first.weight[0].numel() ** 0.5
        assert float(first.weight.detach().abs().max()) <= bound

    return check


@pytest.fixture
def check_learns_fixed_batch() -> Callable[[Callable[..., nn.Module], int], None]:
    """``check_learns_fixed_batch(factory, size)``：网络能反向传播并学习——在一个固定的小批量
    （8 张单通道 ``size×size`` 图像）上走 3 步小批量随机梯度下降，损失下降。"""

    def check(factory: Callable[..., nn.Module], size: int) -> None:
        torch.manual_seed(0)
        net = factory(generator=torch.Generator().manual_seed(0))
        X, y = torch.rand(8, 1, size, size), torch.arange(8) % 10
        opt = torch.optim.SGD(net.parameters(), lr=0.05)
        loss = nn.CrossEntropyLoss()
        net.eval()  # 关闭暂退法，让损失只随参数变化
        with torch.no_grad():
            before = float(loss(net(X), y))
        net.train()
        for m in net.modules():
            if isinstance(m, nn.Dropout):
                m.eval()
        for _ in range(3):
            opt.zero_grad()
            loss(net(X), y).backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            after = float(loss(net(X), y))
        assert after < before

    return check


@pytest.fixture
def images() -> tuple[torch.Tensor, torch.Tensor]:
    """8 张随机的 1×28×28 “图像”与 10 类标签（固定种子）。"""
    g = torch.Generator().manual_seed(0)
    return torch.rand(8, 1, 28, 28, generator=g), torch.randint(0, 10, (8,), generator=g)


@pytest.fixture
def check_normal_init() -> Callable[[Callable[[torch.Generator], nn.Module]], None]:
    """``check_normal_init(factory)``：第 2–3 章的初始化——权重服从 N(0, 0.01²)、偏置为 0，
    同一个种子的生成器给出相同的参数。"""

    def check(factory: Callable[[torch.Generator], nn.Module]) -> None:
        a = factory(torch.Generator().manual_seed(1))
        b = factory(torch.Generator().manual_seed(1))
        for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
            assert torch.equal(pa, pb)
            if pa.dim() == 2:  # 权重
                assert abs(pa.std().item() - 0.01) < 0.001
                assert abs(pa.mean().item()) < 0.001
            else:  # 偏置
                assert torch.equal(pa, torch.zeros_like(pa)), name

    return check


@pytest.fixture
def tokens() -> torch.Tensor:
    """3 个长度为 6 的词元序列，词表大小 6（批量大小 × 时间步）。"""
    return torch.tensor([[0, 3, 5, 1, 2, 2], [4, 4, 0, 1, 5, 3], [1, 2, 3, 4, 5, 0]])


@pytest.fixture
def random_scratch() -> Callable[..., nn.Module]:
    """``random_scratch(cls, **kwargs)``：词表 6、隐藏单元 5、权重标准差 0.7 的从零实现循环网络（固定种子）。"""
    return lambda cls, **kwargs: cls(
        6, 5, sigma=0.7, generator=torch.Generator().manual_seed(3), **kwargs
    )


@pytest.fixture
def check_deep_bidirectional(tokens) -> Callable[[Callable[..., nn.Module]], None]:
    """``check_deep_bidirectional(factory)``：两层双向的网络可复现地初始化，输出层读两个方向拼接的状态。"""

    def check(factory: Callable[..., nn.Module]) -> None:
        g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
        a = factory(6, 4, num_layers=2, bidirectional=True, generator=g1)
        b = factory(6, 4, num_layers=2, bidirectional=True, generator=g2)
        assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
        Y, _ = a(tokens)
        assert Y.shape == (tokens.numel(), 6)
        assert a.linear.in_features == 8  # 两个方向拼接
        with pytest.raises(ValueError, match="num_layers"):
            factory(6, 4, num_layers=0)

    return check


@pytest.fixture
def check_trains_as_language_model() -> Callable[[type[nn.Module]], None]:
    """``check_trains_as_language_model(cls)``：从零实现的循环网络交给语言模型的训练循环，
    在周期为 4 的序列上困惑度从约 4（均匀猜）降到 1.2 以下。"""
    from dlbook.data.text import SeqDataLoader
    from dlbook.train.language_model import evaluate_perplexity, train_language_model

    def check(cls: type[nn.Module]) -> None:
        loader = SeqDataLoader([0, 1, 2, 3] * 60, 4, 8, seed=0)
        net = cls(4, 16, sigma=0.1, generator=torch.Generator().manual_seed(0))
        assert evaluate_perplexity(net, loader) == pytest.approx(4.0, abs=0.05)
        train_language_model(net, loader, 40, lr=2.0, plot=False, verbose=False)
        assert evaluate_perplexity(net, loader) < 1.2

    return check
