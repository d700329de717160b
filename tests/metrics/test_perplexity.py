"""困惑度与 n 元语法参照值的测试。"""

import math

import pytest
import torch

from dlbook.metrics.perplexity import ngram_perplexity, perplexity


def test_perplexity_is_exp_of_mean_cross_entropy():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 0.0]])
    targets = torch.tensor([0, 2])
    mean_ce = torch.nn.functional.cross_entropy(logits, targets).item()
    assert perplexity(logits, targets) == pytest.approx(math.exp(mean_ce))


def test_perplexity_checks_shapes():
    with pytest.raises(ValueError, match="logits"):
        perplexity(torch.zeros(3), torch.zeros(3))
    with pytest.raises(ValueError, match="targets"):
        perplexity(torch.zeros(3, 4), torch.zeros(2))


def test_ngram_perplexity_uniform_and_context():
    corpus = [0, 1, 2, 3] * 25
    assert ngram_perplexity(corpus, 1, 4) == pytest.approx(4.0)  # 四个词元各占四分之一
    assert ngram_perplexity(corpus, 2, 4) < 1.2  # 知道上一个词元就几乎确定下一个
    # 加一平滑：没见过的词元也有概率，所以词表越大困惑度越高
    assert ngram_perplexity(corpus, 2, 100) > ngram_perplexity(corpus, 2, 4)


def test_ngram_perplexity_checks_arguments():
    with pytest.raises(ValueError, match="n 必须"):
        ngram_perplexity([0, 1], 0, 2)
    with pytest.raises(ValueError, match="至少"):
        ngram_perplexity([0], 2, 2)
