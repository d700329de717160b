"""dlbook.models.rnn：从零实现的循环神经网络与 nn.RNN 逐元素相等；第 8 章的登记表实验能运行。"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook.experiments import get_experiment, run_experiment
from dlbook.models.rnn import RNNModel, RNNScratch, rnn_model, rnn_model_from_scratch


def scratch(vocab_size=7, num_hiddens=5, seed=0, sigma=0.5):
    return RNNScratch(
        vocab_size, num_hiddens, sigma=sigma, generator=torch.Generator().manual_seed(seed)
    )


def test_scratch_equals_nn_rnn_with_same_weights():
    net = scratch()
    with torch.no_grad():
        net.b_h.uniform_(-1, 1, generator=torch.Generator().manual_seed(1))
        net.b_q.uniform_(-1, 1, generator=torch.Generator().manual_seed(2))
    concise = rnn_model_from_scratch(net)
    g = torch.Generator().manual_seed(3)
    X1 = torch.randint(0, 7, (4, 6), generator=g)
    X2 = torch.randint(0, 7, (4, 3), generator=g)
    # 两段接着算：状态从第一段传到第二段
    Y1, (H1,) = net(X1, net.begin_state(4))
    Y1c, H1c = concise(X1, concise.begin_state(4))
    Y2, (H2,) = net(X2, (H1,))
    Y2c, H2c = concise(X2, H1c)
    torch.testing.assert_close(Y1, Y1c)
    torch.testing.assert_close(H1, H1c[0])
    torch.testing.assert_close(Y2, Y2c)
    torch.testing.assert_close(H2, H2c[0])
    # 不是碰巧相等：换一个权重，输出就不同了
    with torch.no_grad():
        concise.rnn.weight_hh_l0.mul_(2)
    assert not torch.allclose(concise(X1)[0], Y1)


def test_scratch_output_is_time_major():
    net = scratch()
    X = torch.tensor([[1, 2, 3], [4, 5, 6]])
    Y, _ = net(X)
    assert Y.shape == (3 * 2, 7)
    for b in range(2):
        Yb, _ = net(X[b : b + 1])
        # 第 t 步、第 b 个样本在第 t * 批量大小 + b 行
        torch.testing.assert_close(Y[b::2], Yb)
    # 手算第一步：H_1 = tanh(onehot(x) W_xh + b_h)，O_1 = H_1 W_hq + b_q
    H = torch.tanh(net.W_xh[1] + net.b_h)
    torch.testing.assert_close(Y[0], H @ net.W_hq + net.b_q)


def test_rnn_model_wraps_gru_lstm_and_bidirectional():
    X = torch.randint(0, 9, (3, 4))
    gru = RNNModel(nn.GRU(9, 6, num_layers=2), 9)
    Y, state = gru(X, gru.begin_state(3))
    assert Y.shape == (12, 9) and state.shape == (2, 3, 6)
    lstm = RNNModel(nn.LSTM(9, 6, bidirectional=True), 9)
    assert lstm.linear.in_features == 12
    Y, (H, C) = lstm(X, lstm.begin_state(3))
    assert Y.shape == (12, 9) and H.shape == C.shape == (2, 3, 6)
    with pytest.raises(ValueError, match="input_size"):
        RNNModel(nn.RNN(8, 6), 9)
    with pytest.raises(ValueError, match="batch_first"):
        RNNModel(nn.RNN(9, 6, batch_first=True), 9)
    with pytest.raises(TypeError, match="rnn_layer"):
        RNNModel(nn.Linear(9, 6), 9)
    with pytest.raises(ValueError, match="形状"):
        gru(torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="num_hiddens"):
        RNNScratch(9, 0)
    a = rnn_model(9, 4, generator=torch.Generator().manual_seed(0))
    assert all(p.abs().max() <= 0.5 for p in a.rnn.parameters())  # U(-1/√4, 1/√4)


@pytest.mark.parametrize("name", ["rnn-scratch", "rnn-scratch-random", "rnn-concise"])
def test_registry_entries_run(name):
    exp = get_experiment(name)
    assert exp.page.startswith("chapter_recurrent-neural-networks/")
    full, quick = exp.settings("full"), exp.settings("quick")
    assert full["num_epochs"] == 500 and full["batch_size"] == 32 and full["num_steps"] == 35
    assert quick["num_hiddens"] == full["num_hiddens"]  # 快速档不改模型结构
    result = run_experiment(name, profile="quick", device="cpu", epochs=1, verbose=False)
    assert result.metrics["perplexity"] > 5  # 只训练一轮，离学会还很远
    assert result.metrics["examples_per_sec"] > 0
