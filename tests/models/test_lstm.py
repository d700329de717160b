"""dlbook.models.lstm：从零实现的长短期记忆网络与 nn.LSTM 逐位相同，遗忘门保留记忆，以及能训练。"""

from __future__ import annotations

import pytest
import torch

from dlbook.models.gru import GRUScratch
from dlbook.models.lstm import LSTMScratch, lstm_model, lstm_model_from_scratch


def test_lstm_scratch_equals_nn_lstm_with_the_same_weights(tokens, random_scratch):
    scratch = random_scratch(LSTMScratch)
    with torch.no_grad():
        for b in (scratch.b_i, scratch.b_f, scratch.b_o, scratch.b_h, scratch.b_q):
            b.uniform_(-1, 1, generator=torch.Generator().manual_seed(int(b.numel()) + 7))
    concise = lstm_model_from_scratch(scratch)
    Y1, (H1, C1) = scratch(tokens)
    Y2, (H2, C2) = concise(tokens)
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


def test_deep_and_bidirectional_factory(check_deep_bidirectional):
    check_deep_bidirectional(lstm_model)


@pytest.mark.slow
def test_scratch_model_trains_with_the_language_model_loop(check_trains_as_language_model):
    check_trains_as_language_model(LSTMScratch)
