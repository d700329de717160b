"""dlbook.diagrams.rnn：第 8 章的示意图读的是真实的数据划分，标注与参数一一对应。"""

from __future__ import annotations

from collections import Counter

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from dlbook.diagrams import rnn


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize(("batch_size", "num_steps"), [(2, 5), (3, 4)])
def test_minibatch_partitions_number_every_used_token(batch_size: int, num_steps: int) -> None:
    ax = rnn.draw_minibatch_partitions(36, batch_size, num_steps, seed=0)
    counts = Counter(t for t in texts(ax) if t.isdigit())
    # 两行（顺序分区、随机采样）里，每个小批量都恰好用了 批量大小 × 时间步数 个词元
    assert set(counts.values()) == {2 * batch_size * num_steps}
    assert sorted(counts) == [str(b) for b in range(1, len(counts) + 1)]


def test_unrolled_rnn_reads_one_character_per_step() -> None:
    labels = texts(rnn.draw_unrolled_rnn("alice"))
    steps = [t for t in labels if t.startswith("$\\mathbf{x}_")]
    assert steps == [f"$\\mathbf{{x}}_{t}$" for t in range(1, 5)]  # 最后一个字符只作标签
    assert [t for t in labels if len(t) == 1] == list("alliicce")  # 输入 a l i c，标签 l i c e


def test_truncation_shows_the_text_once_per_scheme() -> None:
    labels = texts(rnn.draw_truncation("abcdefghij", num_steps=4))
    assert labels[:30] == list("abcdefghij") * 3


@pytest.mark.parametrize("num_steps", [2, 3])
def test_bptt_graph_has_one_column_per_step(num_steps: int) -> None:
    labels = texts(rnn.draw_bptt_graph(num_steps))
    for t in range(1, num_steps + 1):
        for name in "xho":
            assert labels.count(f"$\\mathbf{{{name}}}_{t}$") == 1
    assert f"$\\mathbf{{x}}_{num_steps + 1}$" not in labels
