"""张量内存布局的查询函数与存储区示意图的测试。"""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.patches import FancyArrowPatch, Rectangle

import dlbook


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_contiguous_strides_match_fresh_tensors():
    for shape in [(5,), (2, 3), (2, 3, 4), (4, 1, 3), (3, 0, 2), ()]:
        assert dlbook.contiguous_strides(shape) == torch.empty(shape).stride()
    with pytest.raises(ValueError, match="非负"):
        dlbook.contiguous_strides((2, -1))


def test_layout_of_transposed_and_permuted_tensors():
    a = torch.arange(12).reshape(3, 4)
    info = dlbook.describe_layout(a.T)
    assert info["shape"] == (4, 3)
    assert info["stride"] == (1, 4)
    assert info["contiguous_stride"] == (3, 1)
    assert info["is_contiguous"] is False
    assert info["storage_size"] == 12

    x = torch.arange(24).reshape(2, 3, 4)
    for perm in itertools.permutations(range(3)):
        y = x.permute(*perm)
        info = dlbook.describe_layout(y)
        assert info["stride"] == tuple(x.stride()[p] for p in perm)
        assert info["is_contiguous"] == (perm == (0, 1, 2))
        assert dlbook.shares_storage(x, y)
        # 存储下标与逐元素按公式 offset + Σ i_k·stride[k] 计算的结果一致
        idx = dlbook.storage_indices(y)
        for i in itertools.product(*(range(s) for s in y.shape)):
            expected = y.storage_offset() + sum(k * s for k, s in zip(i, y.stride()))
            assert idx[i].item() == expected
            assert y[i].item() == dlbook.storage_values(y)[expected].item()


def test_slices_have_offsets_and_share_storage():
    a = torch.arange(12.0).reshape(3, 4)
    b = a[1:, 2:]
    info = dlbook.describe_layout(b)
    assert info["storage_offset"] == 6
    assert info["stride"] == (4, 1)
    assert info["numel"] == 4 and info["storage_size"] == 12
    assert not info["is_contiguous"]
    b[0, 0] = 100.0  # 视图：改 b 就改了 a
    assert a[1, 2].item() == 100.0
    c = b.contiguous()
    assert not dlbook.shares_storage(a, c)
    assert dlbook.storage_values(c).tolist() == c.reshape(-1).tolist()


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=1, max_size=4),
    data=st.data(),
)
def test_contiguity_condition_agrees_with_torch(shape, data):
    x = torch.zeros(shape)
    perm = data.draw(st.permutations(range(len(shape))))
    y = x.permute(*perm)
    # 再在某一维上取步长为 2 的切片，制造更多不连续的布局
    dim = data.draw(st.integers(0, len(shape) - 1))
    step = data.draw(st.sampled_from([1, 2]))
    y = y[(slice(None),) * dim + (slice(None, None, step),)]
    assert dlbook.satisfies_contiguity(y.shape, y.stride()) == y.is_contiguous()


def test_satisfies_contiguity_checks_arguments():
    with pytest.raises(ValueError, match="维数"):
        dlbook.satisfies_contiguity((2, 3), (1,))
    # 长度为 1 的维的步幅不参与寻址
    assert dlbook.satisfies_contiguity((3, 1, 4), (4, 99, 1))


def test_view_of_permuted_tensor_fails_but_reshape_copies():
    a = torch.arange(9).reshape(3, 3)
    b = a.permute(1, 0)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        b.view(9)
    r = b.reshape(9)
    assert not dlbook.shares_storage(a, r)
    assert dlbook.shares_storage(a, a.reshape(9))


def test_draw_storage_draws_cells_arrows_and_caption():
    a = torch.arange(12).reshape(3, 4)
    ax = dlbook.draw_storage(a.T, title="a.T")
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(rects) == 12 + 12
    assert len(arrows) == 12 + 2  # 每个元素一个箭头，加两条步幅弧线
    texts = [t.get_text() for t in ax.texts]
    assert "stride[0]=1" in texts and "stride[1]=4" in texts
    assert any("stride=(1, 4)" in t and "否" in t for t in texts)
    assert ax.get_title() == "a.T"

    ax = dlbook.draw_storage(a[1:, 1:3], arrows=False)
    assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == 2  # 只有步幅弧线
    assert any("offset=5" in t.get_text() for t in ax.texts)


def test_draw_storage_handles_other_ranks():
    for t in [torch.tensor(3.5), torch.arange(5), torch.arange(24).reshape(2, 3, 4)]:
        ax = dlbook.draw_storage(t)
        assert ax.get_title() == ""
    with pytest.raises(ValueError, match="3 维"):
        dlbook.draw_storage(torch.zeros(1, 1, 1, 1))
    with pytest.raises(ValueError, match="max_storage"):
        dlbook.draw_storage(torch.zeros(100))


def test_draw_views_names_shared_and_new_storages():
    a = torch.arange(6).reshape(2, 3)
    axes = dlbook.draw_views([a, a.T, a.T.contiguous(), a.view(3, 2)])
    labels = [t.get_text() for ax in axes for t in ax.texts if t.get_text().startswith("存储区")]
    assert labels == ["存储区 A", "存储区 A", "存储区 B", "存储区 A"]
    with pytest.raises(ValueError, match="titles"):
        dlbook.draw_views([a], ["x", "y"])


def test_chinese_labels_render_without_missing_glyphs(tmp_path):
    # pytest 把警告当作错误：若中文字体缺失，matplotlib 的 "Glyph ... missing" 警告会让测试失败
    ax = dlbook.draw_storage(torch.arange(4).reshape(2, 2))
    ax.figure.savefig(tmp_path / "storage.png")
    assert (tmp_path / "storage.png").stat().st_size > 0
