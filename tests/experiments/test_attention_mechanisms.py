"""第 9 章的实验目录：倒序任务的整批贪心解码与 run 函数。"""

from __future__ import annotations

import pytest
import torch

from dlbook.data.synthetic import sequence_reversal
from dlbook.experiments.catalog.attention_mechanisms import greedy_decode, reversal_run
from dlbook.experiments.registry import RunContext, get_experiment
from dlbook.models.bahdanau import seq2seq_attention


def test_greedy_decode_matches_one_sequence_at_a_time():
    (X, X_len, _, _), vocab = sequence_reversal(4, num_symbols=5, min_len=2, max_len=5, seed=0)
    g = torch.Generator().manual_seed(0)
    net = seq2seq_attention(
        len(vocab), len(vocab), embed_size=8, num_hiddens=8, num_layers=1, dropout=0.0, generator=g
    )
    out = greedy_decode(net, X, X_len, bos=vocab["<bos>"], num_steps=6)
    assert out.shape == (4, 6) and net.training  # 解码完恢复训练模式
    net.eval()
    for i in range(4):
        x, n = X[i : i + 1], X_len[i : i + 1]
        state = net.decoder.init_state(net.encoder(x, n), n)
        y, tokens = vocab["<bos>"], []
        for _ in range(6):
            Y_hat, state = net.decoder(torch.tensor([[y]]), state)
            y = int(Y_hat[0, -1].argmax())
            tokens.append(y)
        assert out[i].tolist() == tokens


@pytest.mark.slow
def test_reversal_run_reports_one_value_per_seed():
    settings = get_experiment("bahdanau-attention-reversal").settings("full")
    settings.update(num_train=200, num_test=20, num_epochs=1, num_seeds=2, min_len=3, max_len=5)
    out = reversal_run(settings, RunContext(device=torch.device("cpu"), seed=0))
    m = out.metrics
    assert len(m["token_acc_per_seed"]) == len(m["exact_match_per_seed"]) == 2
    assert all(0.0 <= v <= 1.0 for v in m["token_acc_per_seed"] + m["exact_match_per_seed"])
    assert len(m["position_acc"]) == 5
    assert m["token_acc"] == pytest.approx(sum(m["token_acc_per_seed"]) / 2)
    assert out.data["predictions"].shape == (20, 6) and out.model is not None
