"""dlbook.diagrams.gates：门控单元、编码器—解码器与深度/双向循环网络的示意图。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from dlbook.diagrams import gates


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_gru_cell_has_two_gates_and_a_candidate() -> None:
    labels = texts(gates.draw_gru_cell())
    assert labels.count("$\\sigma$") == 2 and labels.count("tanh") == 1
    assert {"$R_t$", "$Z_t$", "$\\tilde{H}_t$", "1-"} <= set(labels)


def test_lstm_cell_has_three_gates_and_a_memory_cell() -> None:
    labels = texts(gates.draw_lstm_cell())
    assert labels.count("$\\sigma$") == 3 and labels.count("tanh") == 2
    assert {"$F_t$", "$I_t$", "$O_t$", "$C_{t-1}$", "$C_t$"} <= set(labels)


def test_encoder_decoder_teacher_forcing_tokens() -> None:
    labels = texts(gates.draw_encoder_decoder(["they", "run", "."], ["ils", "courent", "."]))
    for token in ("they", "run", "ils", "courent"):
        assert token in labels
    # 编码器读到 <eos>；解码器输入 <bos> + 目标，输出目标 + <eos>
    assert [t for t in labels if t.startswith("<")] == ["<eos>", "<bos>", "<eos>"]


@pytest.mark.parametrize(
    ("kwargs", "cells"),
    [
        ({"num_layers": 3, "num_steps": 2}, 6),
        ({"num_layers": 1, "num_steps": 3, "bidirectional": True}, 6),  # 前向、反向各一层
    ],
)
def test_deep_and_bidirectional_rnn_cell_counts(kwargs: dict, cells: int) -> None:
    ax = gates.draw_deep_birnn(**kwargs)
    assert len([p for p in ax.patches if type(p).__name__ == "FancyBboxPatch"]) == cells
