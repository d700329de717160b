"""dlbook.models.gru：从零实现的门控循环单元与 nn.GRU 逐位相同，书中公式与 PyTorch 的差别，以及能训练。"""

from __future__ import annotations

import pytest
import torch

from dlbook.models.gru import GRUScratch, gru_model, gru_model_from_scratch


def test_gru_scratch_equals_nn_gru_with_the_same_weights(tokens, random_scratch):
    scratch = random_scratch(GRUScratch, reset_after=True)
    with torch.no_grad():  # 偏置也取非零值，检查每个偏置都放对了位置
        for b in (scratch.b_z, scratch.b_r, scratch.b_h, scratch.b_hh, scratch.b_q):
            b.uniform_(-1, 1, generator=torch.Generator().manual_seed(int(b.numel())))
    concise = gru_model_from_scratch(scratch)
    Y1, (H1,) = scratch(tokens)
    Y2, H2 = concise(tokens)
    torch.testing.assert_close(Y1, Y2, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(H1, H2[0], atol=1e-5, rtol=1e-5)
    # 从一个非零状态继续：状态的传递也一样
    Y1, _ = scratch(tokens, (H1,))
    Y2, _ = concise(tokens, H2)
    torch.testing.assert_close(Y1, Y2, atol=1e-5, rtol=1e-5)


def test_book_gru_formula_differs_from_nn_gru(tokens, random_scratch):
    book = random_scratch(GRUScratch)
    torch_style = random_scratch(GRUScratch, reset_after=True)
    with torch.no_grad():
        torch_style.b_hh.zero_()
    assert not book.reset_after and book.b_hh is None
    # 同样的权重，只有重置门作用的位置不同：结果不同
    assert not torch.allclose(book(tokens)[0], torch_style(tokens)[0], atol=1e-4)
    with pytest.raises(ValueError, match="reset_after=True"):
        gru_model_from_scratch(book)


def test_gru_cell_by_hand():
    net = GRUScratch(2, 1, sigma=0.0)
    with torch.no_grad():
        net.b_z.fill_(100.0)  # 更新门恒为 1：隐状态永远不变
    H0 = torch.tensor([[0.3]])
    H, _ = net.cell(torch.tensor([[1.0, 0.0]]), (H0,))
    torch.testing.assert_close(H, H0)
    with torch.no_grad():
        net.b_z.fill_(-100.0)  # 更新门恒为 0：隐状态换成候选隐状态 tanh(b_h)
        net.b_h.fill_(0.5)
    H, _ = net.cell(torch.tensor([[1.0, 0.0]]), (H0,))
    torch.testing.assert_close(H, torch.tanh(torch.tensor([[0.5]])))


def test_bidirectional_output_depends_on_future_inputs(tokens):
    net = gru_model(6, 4, bidirectional=True, generator=torch.Generator().manual_seed(0))
    uni = gru_model(6, 4, generator=torch.Generator().manual_seed(0))
    X2 = tokens.clone()
    X2[:, -1] = (X2[:, -1] + 1) % 6  # 只改最后一个词元
    first_step = slice(0, tokens.shape[0])  # 输出按时间步优先排列：前 3 行是第 1 个时间步
    assert not torch.allclose(net(tokens)[0][first_step], net(X2)[0][first_step])
    torch.testing.assert_close(uni(tokens)[0][first_step], uni(X2)[0][first_step])


def test_deep_and_bidirectional_factory(check_deep_bidirectional):
    check_deep_bidirectional(gru_model)


@pytest.mark.slow
def test_scratch_model_trains_with_the_language_model_loop(check_trains_as_language_model):
    check_trains_as_language_model(GRUScratch)
