"""第 7、8 章语言模型登记项的设置：GRU 一节写明的学习率选择在快速档上成立。"""

from __future__ import annotations

import pytest
import torch

from dlbook.data import corpus as tc
from dlbook.data import data_dir
from dlbook.experiments import get_experiment
from dlbook.experiments.registry import RunContext
from dlbook.experiments.runners import language_model_run

HAS_ALICE = tc.verify_corpus("alice", data_dir() / "alice") == []


@pytest.mark.slow
@pytest.mark.skipif(
    not HAS_ALICE, reason="需要《爱丽丝梦游仙境》的语料（python -m dlbook data fetch alice）"
)
def test_shared_learning_rate_is_the_best_of_the_grid_for_the_plain_rnn():
    """门控比较用同一个学习率 0.003：它是 {0.003, 0.01, 0.03} 中让普通 RNN 留出困惑度最低的一个。"""
    settings = get_experiment("gru-rnn-baseline").settings("quick")
    assert settings["lr"] == 0.003
    ctx = RunContext(device=torch.device("cpu"))
    valid = {
        lr: language_model_run(dict(settings, lr=lr), ctx).history.perplexity("valid")[-1]
        for lr in (0.003, 0.01, 0.03)
    }
    assert min(valid, key=valid.get) == 0.003, valid
