"""dlbook.experiments.runners：倒序任务的 run 函数（第 9 章）。"""

from __future__ import annotations

import pytest
import torch

from dlbook.experiments.registry import RunContext, get_experiment
from dlbook.experiments.runners import reversal_run


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
