"""长短期记忆网络（LSTM）语言模型：从零实现的 :class:`LSTMScratch` 与包装 ``nn.LSTM`` 的简洁实现。

:class:`LSTMScratch` 继承 :class:`~dlbook.models.rnn.RNNScratch`，多了三个门的参数，状态是
``(H, C)`` 两个张量（隐状态与记忆元），改写一个时间步的计算 :meth:`LSTMScratch.cell`。
继承来的 ``W_xh``、``W_hh``、``b_h`` 在这里是**候选记忆元**的参数（D2L 记作 ``W_xc``、``W_hc``、``b_c``）。
LSTM 的公式在书中与 PyTorch 中完全一样，所以 :func:`lstm_model_from_scratch` 搬过去的权重
给出与 ``nn.LSTM`` 相同的输出。
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.models.gru import gate_params, recurrent_model
from dlbook.models.rnn import RNNModel, RNNScratch, State
from dlbook.utils.checks import check_positive

__all__ = ["LSTMScratch", "lstm_model", "lstm_model_from_scratch"]


class LSTMScratch(RNNScratch):
    r"""从零实现的 LSTM 语言模型。

    每个时间步：

    .. math::

        I_t = \sigma(X_t W_{xi} + H_{t-1} W_{hi} + b_i), \quad
        F_t = \sigma(X_t W_{xf} + H_{t-1} W_{hf} + b_f), \quad
        O_t = \sigma(X_t W_{xo} + H_{t-1} W_{ho} + b_o),

        \tilde{C}_t = \tanh(X_t W_{xh} + H_{t-1} W_{hh} + b_h), \quad
        C_t = F_t \odot C_{t-1} + I_t \odot \tilde{C}_t, \quad
        H_t = O_t \odot \tanh(C_t).

    Examples
    --------
    >>> net = LSTMScratch(28, 32, generator=torch.Generator().manual_seed(0))
    >>> H, C = net.begin_state(2)
    >>> Y, (H, C) = net(torch.zeros(2, 5, dtype=torch.long), (H, C))
    >>> Y.shape, H.shape, C.shape
    (torch.Size([10, 28]), torch.Size([2, 32]), torch.Size([2, 32]))
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        *,
        sigma: float = 0.01,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__(vocab_size, num_hiddens, sigma=sigma, generator=generator)
        self.W_xi, self.W_hi, self.b_i = gate_params(vocab_size, num_hiddens, sigma, generator)
        self.W_xf, self.W_hf, self.b_f = gate_params(vocab_size, num_hiddens, sigma, generator)
        self.W_xo, self.W_ho, self.b_o = gate_params(vocab_size, num_hiddens, sigma, generator)

    def begin_state(self, batch_size: int, device: torch.device | str | None = None) -> State:
        """全零的初始状态 ``(H, C)``，每个的形状为 ``(batch_size, num_hiddens)``。"""
        (H,) = super().begin_state(batch_size, device)
        return H, torch.zeros_like(H)

    def cell(self, X_t: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """一个时间步的 LSTM：三个门、候选记忆元、新的记忆元与隐状态。"""
        H, C = state
        I = torch.sigmoid(X_t @ self.W_xi + H @ self.W_hi + self.b_i)  # noqa: E741  输入门
        F = torch.sigmoid(X_t @ self.W_xf + H @ self.W_hf + self.b_f)  # 遗忘门
        O = torch.sigmoid(X_t @ self.W_xo + H @ self.W_ho + self.b_o)  # noqa: E741  输出门
        C_tilde = torch.tanh(X_t @ self.W_xh + H @ self.W_hh + self.b_h)  # 候选记忆元
        C = F * C + I * C_tilde  # 遗忘门决定留下多少旧记忆，输入门决定写入多少新内容
        H = O * torch.tanh(C)  # 输出门决定记忆元有多少进入隐状态
        return H, (H, C)


def lstm_model(
    vocab_size: int,
    num_hiddens: int,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
    generator: torch.Generator | None = None,
) -> RNNModel:
    """LSTM 语言模型的简洁实现：``RNNModel(nn.LSTM(vocab_size, num_hiddens, ...), vocab_size)``。

    ``num_layers > 1`` 就是深度循环网络，``bidirectional=True`` 是双向循环网络。

    Examples
    --------
    >>> net = lstm_model(28, 16, num_layers=2, bidirectional=True)
    >>> [s.shape for s in net.begin_state(3)]       # (层数 × 方向数, 批量, 隐藏单元数)
    [torch.Size([4, 3, 16]), torch.Size([4, 3, 16])]
    """
    check_positive("num_hiddens", num_hiddens)
    check_positive("num_layers", num_layers)
    layer = nn.LSTM(vocab_size, num_hiddens, num_layers=num_layers, bidirectional=bidirectional)
    return recurrent_model(layer, vocab_size, generator)


def lstm_model_from_scratch(scratch: LSTMScratch) -> RNNModel:
    """把 :class:`LSTMScratch` 的参数搬进 ``nn.LSTM`` 模型，两者输出相同。

    ``nn.LSTM`` 把四组权重按（输入门、遗忘门、候选记忆元、输出门）的顺序叠在一起。

    Examples
    --------
    >>> scratch = LSTMScratch(6, 4, sigma=0.5, generator=torch.Generator().manual_seed(0))
    >>> concise = lstm_model_from_scratch(scratch)
    >>> X = torch.tensor([[0, 1, 2], [5, 3, 2]])
    >>> torch.allclose(scratch(X)[0], concise(X)[0], atol=1e-6)
    True
    """
    if not isinstance(scratch, LSTMScratch):
        raise TypeError(f"scratch 必须是 LSTMScratch，收到 {type(scratch).__name__}")
    net = RNNModel(nn.LSTM(scratch.vocab_size, scratch.num_hiddens), scratch.vocab_size)
    net.to(device=scratch.W_xh.device, dtype=scratch.W_xh.dtype)
    s, rnn = scratch, net.rnn
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.cat([s.W_xi, s.W_xf, s.W_xh, s.W_xo], dim=1).T)
        rnn.weight_hh_l0.copy_(torch.cat([s.W_hi, s.W_hf, s.W_hh, s.W_ho], dim=1).T)
        rnn.bias_ih_l0.copy_(torch.cat([s.b_i, s.b_f, s.b_h, s.b_o]))
        rnn.bias_hh_l0.zero_()
        net.linear.weight.copy_(s.W_hq.T)
        net.linear.bias.copy_(s.b_q)
    return net
