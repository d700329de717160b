"""第 8 章的门控循环网络（dlbook.models.gru、dlbook.models.lstm）：从零实现与 nn.GRU/nn.LSTM 逐位相同。"""

from __future__ import annotations

import pytest
import torch

from dlbook.train.language_model import evaluate_perplexity, train_language_model
from dlbook.models.gru import GRUScratch, gru_model, gru_model_from_scratch
from dlbook.models.lstm import LSTMScratch, lstm_model, lstm_model_from_scratch
from dlbook.data.text import SeqDataLoader

X = torch.tensor([[0, 3, 5, 1, 2, 2], [4, 4, 0, 1, 5, 3], [1, 2, 3, 4, 5, 0]])


def random_scratch(cls, **kwargs):
    return cls(6, 5, sigma=0.7, generator=torch.Generator().manual_seed(3), **kwargs)


def test_gru_scratch_equals_nn_gru_with_the_same_weights():
    scratch = random_scratch(GRUScratch, reset_after=True)
    with torch.no_grad():  # 偏置也取非零值，检查每个偏置都放对了位置
        for b in (scratch.b_z, scratch.b_r, scratch.b_h, scratch.b_hh, scratch.b_q):
            b.uniform_(-1, 1, generator=torch.Generator().manual_seed(int(b.numel())))
    concise = gru_model_from_scratch(scratch)
    Y1, (H1,) = scratch(X)
    Y2, H2 = concise(X)
    torch.testing.assert_close(Y1, Y2, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(H1, H2[0], atol=1e-5, rtol=1e-5)
    # 从一个非零状态继续：状态的传递也一样
    Y1, _ = scratch(X, (H1,))
    Y2, _ = concise(X, H2)
    torch.testing.assert_close(Y1, Y2, atol=1e-5, rtol=1e-5)


def test_book_gru_formula_differs_from_nn_gru():
    book = random_scratch(GRUScratch)
    torch_style = random_scratch(GRUScratch, reset_after=True)
    with torch.no_grad():
        torch_style.b_hh.zero_()
    assert not book.reset_after and book.b_hh is None
    # 同样的权重，只有重置门作用的位置不同：结果不同
    assert not torch.allclose(book(X)[0], torch_style(X)[0], atol=1e-4)
    with pytest.raises(ValueError, match="reset_after=True"):
        gru_model_from_scratch(book)


def test_gru_cell_by_hand():
    net = GRUScratch(2, 1, sigma=0.0)
    with torch.no_grad():
        net.b_z.fill_(100.0)  # 更新门恒为 1：隐状态永远不变
    H0 = torch.tensor([[0.3]])
    H, _ = net.cell(torch.tensor([[1.0, 0.0]]), (H0,))
    torch.testing.assert_close(H, H0)
    with torch.no_grad():
        net.b_z.fill_(-100.0)  # 更新门恒为 0：隐状态换成候选隐状态 tanh(b_h)
        net.b_h.fill_(0.5)
    H, _ = net.cell(torch.tensor([[1.0, 0.0]]), (H0,))
    torch.testing.assert_close(H, torch.tanh(torch.tensor([[0.5]])))


def test_lstm_scratch_equals_nn_lstm_with_the_same_weights():
    scratch = random_scratch(LSTMScratch)
    with torch.no_grad():
        for b in (scratch.b_i, scratch.b_f, scratch.b_o, scratch.b_h, scratch.b_q):
            b.uniform_(-1, 1, generator=torch.Generator().manual_seed(int(b.numel()) + 7))
    concise = lstm_model_from_scratch(scratch)
    Y1, (H1, C1) = scratch(X)
    Y2, (H2, C2) = concise(X)
    torch.testing.assert_close(Y1, Y2, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(H1, H2[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(C1, C2[0], atol=1e-5, rtol=1e-5)
    with pytest.raises(TypeError):
        lstm_model_from_scratch(random_scratch(GRUScratch))


def test_lstm_forget_gate_keeps_memory():
    net = LSTMScratch(2, 1, sigma=0.0)
    with torch.no_grad():
        net.b_f.fill_(100.0)  # 遗忘门 1、输入门 0：记忆元原样保留
        net.b_i.fill_(-100.0)
    C0 = torch.tensor([[0.8]])
    _, (H, C) = net.cell(torch.tensor([[0.0, 1.0]]), (torch.zeros(1, 1), C0))
    torch.testing.assert_close(C, C0)
    torch.testing.assert_close(H, torch.sigmoid(torch.tensor(0.0)) * torch.tanh(C0))


@pytest.mark.parametrize("factory", [gru_model, lstm_model])
def test_deep_and_bidirectional_factories(factory):
    g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    a = factory(6, 4, num_layers=2, bidirectional=True, generator=g1)
    b = factory(6, 4, num_layers=2, bidirectional=True, generator=g2)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    Y, _ = a(X)
    assert Y.shape == (X.numel(), 6)
    assert a.linear.in_features == 8  # 两个方向拼接
    with pytest.raises(ValueError, match="num_layers"):
        factory(6, 4, num_layers=0)


def test_bidirectional_output_depends_on_future_inputs():
    net = gru_model(6, 4, bidirectional=True, generator=torch.Generator().manual_seed(0))
    uni = gru_model(6, 4, generator=torch.Generator().manual_seed(0))
    X2 = X.clone()
    X2[:, -1] = (X2[:, -1] + 1) % 6  # 只改最后一个词元
    first_step = slice(0, X.shape[0])  # 输出按时间步优先排列：前 3 行是第 1 个时间步
    assert not torch.allclose(net(X)[0][first_step], net(X2)[0][first_step])
    torch.testing.assert_close(uni(X)[0][first_step], uni(X2)[0][first_step])


@pytest.mark.parametrize("cls", [GRUScratch, LSTMScratch])
def test_gated_scratch_models_train_with_the_language_model_loop(cls):
    loader = SeqDataLoader([0, 1, 2, 3] * 60, 4, 8, seed=0)
    net = cls(4, 16, sigma=0.1, generator=torch.Generator().manual_seed(0))
    assert evaluate_perplexity(net, loader) == pytest.approx(4.0, abs=0.05)
    train_language_model(net, loader, 40, lr=2.0, plot=False, verbose=False)
    assert evaluate_perplexity(net, loader) < 1.2
