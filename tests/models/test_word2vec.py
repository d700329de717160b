"""dlbook.models.word2vec：跳元模型。"""

import pytest
import torch

from dlbook.models.word2vec import SkipGram


def test_skip_gram_scores_are_dot_products():
    net = SkipGram(10, 3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        net.context.weight.normal_(generator=torch.Generator().manual_seed(1))
    center, words = torch.tensor([2, 5]), torch.tensor([[1, 3], [4, 9]])
    out = net(center, words)
    expected = torch.stack(
        [net.context.weight[words[i]] @ net.center.weight[center[i]] for i in range(2)]
    )
    assert torch.allclose(out, expected)


def test_skip_gram_init_and_arguments():
    net = SkipGram(50, 10, generator=torch.Generator().manual_seed(0))
    assert net.center.weight.abs().max() <= 0.05 and net.context.weight.abs().max() == 0
    a = SkipGram(5, 2, generator=torch.Generator().manual_seed(3))
    b = SkipGram(5, 2, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.center.weight, b.center.weight)
    with pytest.raises(ValueError, match="embed_size"):
        SkipGram(5, 0)
