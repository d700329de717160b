"""可分解注意力的示意图：画出的数就是模型算出的数。"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from dlbook.diagrams.decomposable_attention import draw_decomposable_attention


def test_diagram_shows_the_computed_steps():
    fig = draw_decomposable_attention(["a", "dog", "runs"], ["an", "animal"], num_hiddens=4)
    steps = fig.dlbook_steps
    assert steps["weights"].shape == (3, 2)
    assert torch.allclose(steps["weights"].sum(dim=1), torch.ones(3))
    assert steps["V_A"].shape == (3, 4) and steps["V_B"].shape == (2, 4)
    heat = fig.axes[0].images[0].get_array()
    assert torch.allclose(torch.as_tensor(heat.data), steps["weights"])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["an", "animal"]
    again = draw_decomposable_attention(["a", "dog", "runs"], ["an", "animal"], num_hiddens=4)
    assert torch.equal(again.dlbook_steps["scores"], steps["scores"])  # 同一个种子，同一张图
    plt.close("all")
