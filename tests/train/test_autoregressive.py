"""dlbook.train.autoregressive：k 步预测与逐步预测一致、训练与登记表。"""

from __future__ import annotations

import pytest
import torch

from dlbook.data.synthetic import noisy_sine
from dlbook.experiments import run_experiment
from dlbook.train.autoregressive import (
    fit_autoregressive,
    k_step_predictions,
    predict_autoregressive,
)


def test_k_step_predictions_match_rolling_forward():
    """k 步预测矩阵的第 i 行，与只给出 x[i : i + tau] 后逐步往前推的结果相同。"""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1))
    _, x = noisy_sine(40, seed=1)
    tau, max_steps = 3, 6
    steps = k_step_predictions(net, x, tau, max_steps)
    assert steps.shape == (40 - tau - max_steps + 1, tau + max_steps)
    for i in (0, 7, len(steps) - 1):
        window = x[i : i + tau + max_steps].clone()
        rolled = predict_autoregressive(net, window, tau, tau)
        torch.testing.assert_close(steps[i], rolled)
    with pytest.raises(ValueError, match="太短"):
        k_step_predictions(net, x[:5], tau, max_steps)


def test_fit_and_registry_run():
    _, x = noisy_sine(1000, noise=0.2, seed=0)
    net, history = fit_autoregressive(x, verbose=False)
    assert history.final.train_loss < 0.1  # 噪声的方差是 0.04
    result = run_experiment("sequence", profile="full", device="cpu", verbose=False)
    m = result.metrics
    assert m["mse_1_step"] < 0.1 < m["mse_64_steps"]  # 误差随预测步数累积
    with pytest.raises(ValueError, match="n_train"):
        fit_autoregressive(x, n_train=5000)
