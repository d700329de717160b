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


def test_perplexity_of_an_empty_batch_is_an_error_not_nan():
    with pytest.raises(ValueError, match="至少需要一个词元"):
        perplexity(torch.zeros(0, 28), torch.zeros(0, dtype=torch.long))


def test_ngram_perplexity_on_held_out_text():
    train = [0, 1, 2, 3] * 25
    # 留出文本与训练文本的规律相同：困惑度与样本内相近；规律不同：困惑度高得多
    same = ngram_perplexity(train, 2, 4, heldout=[0, 1, 2, 3] * 5)
    assert same == pytest.approx(ngram_perplexity(train, 2, 4), rel=0.05)
    assert ngram_perplexity(train, 2, 4, heldout=[3, 2, 1, 0] * 5) > 10 * same
    # 加一平滑：没见过的上下文给出均匀分布
    assert ngram_perplexity([0, 0, 0], 2, 5, heldout=[4, 4]) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="heldout"):
        ngram_perplexity(train, 3, 4, heldout=[0, 1])
