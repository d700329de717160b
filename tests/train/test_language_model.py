"""dlbook.train.language_model：梯度裁剪、困惑度、状态的传递、文本预测与语言模型的训练循环。"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from dlbook.data.text import SeqDataLoader, Vocab
from dlbook.metrics.perplexity import perplexity
from dlbook.models.rnn import RNNScratch
from dlbook.train.language_model import (
    LanguageModelHistory,
    evaluate_perplexity,
    grad_clipping,
    predict_text,
    train_language_model,
)


def scratch(vocab_size=7, num_hiddens=5, seed=0, sigma=0.5):
    return RNNScratch(
        vocab_size, num_hiddens, sigma=sigma, generator=torch.Generator().manual_seed(seed)
    )


def test_grad_clipping_bounds_the_global_norm():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    net(torch.randn(5, 4)).pow(2).sum().mul(100).backward()
    grads = [p.grad.clone() for p in net.parameters()]
    before = torch.sqrt(sum((g * g).sum() for g in grads))
    assert before > 1
    norm = grad_clipping(net, 1.0)
    torch.testing.assert_close(norm, before)
    after = torch.sqrt(sum((p.grad * p.grad).sum() for p in net.parameters()))
    torch.testing.assert_close(after, torch.tensor(1.0))
    # 方向不变：所有参数按同一个比例缩小（整体的范数，而不是每个参数各自裁剪）
    for g, p in zip(grads, net.parameters()):
        torch.testing.assert_close(p.grad, g / before)
    # 与 PyTorch 自带的 clip_grad_norm_ 一致
    for g, p in zip(grads, net.parameters()):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    reference = [p.grad.clone() for p in net.parameters()]
    for g, p in zip(grads, net.parameters()):
        p.grad = g.clone()
    grad_clipping(net.parameters(), 1.0)
    for r, p in zip(reference, net.parameters()):
        torch.testing.assert_close(p.grad, r)
    # 范数小于阈值时不变
    grad_clipping(net, 5.0)
    for r, p in zip(reference, net.parameters()):
        torch.testing.assert_close(p.grad, r)
    with pytest.raises(ValueError, match="theta"):
        grad_clipping(net, 0)
    with pytest.raises(ValueError, match="backward"):
        grad_clipping(nn.Linear(2, 2), 1.0)


@pytest.mark.parametrize("vocab_size", [2, 28, 1000])
def test_uniform_model_perplexity_equals_vocab_size(vocab_size):
    targets = torch.randint(0, vocab_size, (50,), generator=torch.Generator().manual_seed(0))
    assert perplexity(torch.zeros(50, vocab_size), targets) == pytest.approx(vocab_size)
    # 参数全为 0 的从零实现：每一步都给出均匀分布
    net = RNNScratch(vocab_size, 3, sigma=0.0)
    loader = SeqDataLoader(targets.repeat(4), 2, 5)
    assert evaluate_perplexity(net, loader) == pytest.approx(vocab_size, rel=1e-5)
    # 完全确定且总是对的模型困惑度为 1；总给正确答案一半概率的模型困惑度为 2
    assert perplexity(torch.eye(vocab_size)[targets] * 50, targets) == pytest.approx(1.0)
    two = torch.full((50, vocab_size), -1e9)
    two[torch.arange(50), targets] = 0
    two[torch.arange(50), (targets + 1) % vocab_size] = 0
    assert perplexity(two, targets) == pytest.approx(2.0)


def test_train_learns_a_periodic_text_and_predicts_it():
    vocab = Vocab(list("abcd"))
    corpus = vocab[list("abcd" * 150)]
    loader = SeqDataLoader(corpus, 4, 8, seed=0)
    net = scratch(len(vocab), 16, sigma=0.1)
    assert evaluate_perplexity(net, loader) == pytest.approx(len(vocab), rel=0.1)
    history = train_language_model(net, loader, 20, lr=1.0, plot=False, verbose=False)
    assert isinstance(history, LanguageModelHistory) and len(history) == 20
    assert history.perplexity()[-1] < 1.05
    assert predict_text("bc", 8, net, vocab) == "bcdabcdabc"
    loader.set_epoch(19)  # 最后一轮：词元数就是这一轮各个小批量的元素个数之和
    assert history.final.num_examples == sum(X.numel() for X, _ in loader)
    assert "perplexity" in history.summary() and "tokens/sec" in history.summary()


def test_state_handling_depends_on_sampling():
    """顺序分区把状态传给下一批（并切断梯度），随机采样每批都从零开始。"""

    class Spy(RNNScratch):
        def forward(self, X, state=None):
            self.starts.append(float(state[0].abs().sum()))
            self.requires_grad.append(state[0].requires_grad)
            return super().forward(X, state)

    corpus = list(range(7)) * 40
    for sampling in ("sequential", "random"):
        net = Spy(7, 4, sigma=0.5, generator=torch.Generator().manual_seed(0))
        net.starts, net.requires_grad = [], []
        loader = SeqDataLoader(corpus, 3, 5, sampling=sampling, seed=0)
        train_language_model(net, loader, 1, lr=0.1, plot=False, verbose=False)
        assert len(net.starts) > 3 and not any(net.requires_grad)
        if sampling == "random":
            assert all(s == 0 for s in net.starts)
        else:
            assert net.starts[0] == 0 and all(s > 0 for s in net.starts[1:])


def test_predict_and_train_reject_bad_arguments():
    vocab = Vocab(list("ab"))
    net = scratch(len(vocab), 4)
    with pytest.raises(ValueError, match="prefix"):
        predict_text("", 3, net, vocab)
    with pytest.raises(ValueError, match="num_preds"):
        predict_text("a", -1, net, vocab)
    words = Vocab("the cat sat".split())
    out = predict_text("the cat", 2, scratch(len(words), 4), words, sep=" ")
    assert out.startswith("the cat ") and len(out.split(" ")) == 4
    loader = SeqDataLoader([0, 1] * 50, 2, 4)
    with pytest.raises(ValueError, match="lr 与 optimizer"):
        train_language_model(net, loader, 1, plot=False)
    with pytest.raises(ValueError, match="clip"):
        train_language_model(net, loader, 1, lr=1.0, clip=0, plot=False)
    with pytest.raises(ValueError, match="num_epochs"):
        train_language_model(net, loader, 0, lr=1.0, plot=False)
    with pytest.raises(TypeError, match="begin_state"):
        train_language_model(nn.Linear(2, 2), loader, 1, lr=1.0, plot=False)


def test_history_with_validation():
    vocab = Vocab(list("abc"))
    corpus = vocab[list("abc" * 100)]
    train = SeqDataLoader(corpus[:240], 2, 6)
    valid = SeqDataLoader(corpus[240:], 2, 6)
    net = scratch(len(vocab), 8, sigma=0.1)
    history = train_language_model(
        net, train, 3, lr=1.0, valid_iter=valid, plot=False, verbose=False
    )
    valid_ppl = history.perplexity("valid")
    assert len(valid_ppl) == 3 and all(v is not None for v in valid_ppl)
    valid.set_epoch(2)  # 第 3 轮结束后的评估是验证迭代器的第 3 次遍历（偏移由轮次决定）
    assert valid_ppl[-1] == pytest.approx(evaluate_perplexity(net, valid), rel=1e-6)
    assert "valid perplexity" in history.summary()
    assert math.exp(history.final.train_loss) == pytest.approx(history.perplexity()[-1])


def test_predict_text_samples_with_temperature():
    vocab = Vocab(list("abcd "))
    net = scratch(len(vocab), 8, sigma=1.0)
    greedy = predict_text("ab", 20, net, vocab)
    a, b = (
        predict_text(
            "ab", 20, net, vocab, temperature=1.0, generator=torch.Generator().manual_seed(3)
        )
        for _ in range(2)
    )
    assert a == b and a.startswith("ab")  # 同一个种子，同样的样本
    many = {
        predict_text(
            "ab", 20, net, vocab, temperature=5.0, generator=torch.Generator().manual_seed(s)
        )
        for s in range(5)
    }
    assert len(many) > 1  # 温度高时，不同的种子给出不同的文本
    # 温度趋于 0 时，采样就是贪心
    g = torch.Generator().manual_seed(0)
    cold = predict_text("ab", 20, net, vocab, temperature=1e-4, generator=g)
    assert cold == greedy
    for bad in (-1.0, float("inf"), float("nan"), True):
        with pytest.raises(ValueError, match="temperature"):
            predict_text("ab", 2, net, vocab, temperature=bad)
