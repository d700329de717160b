"""textCNN 的示意图（dlbook.diagrams.textcnn）：画出的数就是从零实现的算子算出的数。"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from dlbook.diagrams.textcnn import draw_textcnn
from dlbook.ops.conv import corr1d_multi_in


def test_pooled_values_are_the_row_maxima():
    ax = draw_textcnn(embed_size=4, kernel_sizes=(2, 3), channels_per_kernel=1, seed=3)
    g = torch.Generator().manual_seed(3)
    X = torch.randn(4, 6, generator=g)
    expected = [corr1d_multi_in(X, torch.randn(4, k, generator=g)).max() for k in (2, 3)]
    torch.testing.assert_close(ax.dlbook_pooled, torch.stack(expected))
    assert [t.get_text() for t in ax.texts][:6] == ["this", "movie", "is", "so", "great", "!"]
    plt.close("all")


def test_rejects_a_sentence_shorter_than_the_widest_kernel():
    with pytest.raises(ValueError, match="最宽的核"):
        draw_textcnn(tokens=("good",), kernel_sizes=(2,))
