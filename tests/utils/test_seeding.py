"""随机种子与初始化种子的规则。"""

import pytest
import torch

import dlbook
from dlbook.utils.seeding import init_generator, init_seed


def test_seed_everything_reproduces_all_generators():
    dlbook.seed_everything(7)
    a = torch.randn(3)
    g = dlbook.seed_everything(7)
    assert torch.equal(a, torch.randn(3))
    assert torch.equal(
        torch.rand(2, generator=g), torch.rand(2, generator=torch.Generator().manual_seed(7))
    )
    with pytest.raises(ValueError):
        dlbook.seed_everything(-1)


def test_init_seed_is_separate_from_the_data_seed():
    for seed in (0, 1, 5):
        assert init_seed(seed) != seed
        assert torch.equal(
            torch.rand(4, generator=init_generator(seed)),
            torch.rand(4, generator=torch.Generator().manual_seed(init_seed(seed))),
        )
    assert len({init_seed(s) for s in range(10)}) == 10
    with pytest.raises(ValueError):
        init_seed(-1)
