"""抛硬币的似然：公式、极大值的位置与图。"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from dlbook.diagrams.likelihood import bernoulli_likelihood, plot_coin_likelihood

TOSSES = [1, 1, 0, 1, 1, 1, 0, 1, 0, 1]  # 7 次正面、3 次反面


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_likelihood_is_product_over_tosses():
    for p in (0.1, 0.7, 0.8):
        expected = 1.0
        for x in TOSSES:
            expected *= p if x == 1 else 1 - p
        assert bernoulli_likelihood(p, TOSSES).item() == pytest.approx(expected, rel=1e-12)


def test_maximum_is_the_frequency_of_heads():
    p = torch.linspace(0, 1, 1001, dtype=torch.float64)
    values = bernoulli_likelihood(p, torch.tensor(TOSSES))
    assert p[values.argmax()].item() == pytest.approx(0.7)
    # 0.7 比 0.8、0.1 都更能解释这串观测
    l01, l07, l08 = (bernoulli_likelihood(c, TOSSES).item() for c in (0.1, 0.7, 0.8))
    assert l07 > l08 > l01


def test_plot_marks_candidates_and_maximum():
    ax = plot_coin_likelihood(TOSSES, candidates=(0.2, 0.5))
    assert len(ax.collections) == 2
    (best,) = [line for line in ax.get_lines() if line.get_label().startswith("极大值")]
    assert best.get_xdata()[0] == pytest.approx(0.7)
    assert "10 次中 7 次正面" in ax.get_title()


@pytest.mark.parametrize("outcomes", [[], [0, 2, 1], [0.5]])
def test_rejects_outcomes_that_are_not_coin_tosses(outcomes):
    with pytest.raises(ValueError, match="outcomes"):
        bernoulli_likelihood(0.5, outcomes)


def test_rejects_probabilities_outside_unit_interval():
    with pytest.raises(ValueError, match="p"):
        bernoulli_likelihood(torch.tensor([0.5, 1.2]), TOSSES)
