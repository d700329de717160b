"""门控循环单元（GRU）语言模型：从零实现的 :class:`GRUScratch` 与包装 ``nn.GRU`` 的简洁实现。

:class:`GRUScratch` 继承第 7 章的 :class:`~dlbook.models.rnn.RNNScratch`：独热输入、输出层、
状态的形式和训练循环都不变，只多了两个门的参数，并改写一个时间步的计算 :meth:`GRUScratch.cell`。
继承来的 ``W_xh``、``W_hh``、``b_h`` 在这里是**候选隐状态**的参数。

书中（D2L）的候选隐状态先用重置门乘隐状态，再做矩阵乘法：
:math:`\\tilde{H} = \\tanh(X W_{xh} + (R \\odot H) W_{hh} + b_h)`。
PyTorch（以及 cuDNN）的 ``nn.GRU`` 把这两步反过来，并多一个偏置：
:math:`\\tilde{H} = \\tanh(X W_{xh} + b_h + R \\odot (H W_{hh} + b_{hh}))`。
两种写法的表达能力相同，但同样的权重给出不同的结果；``reset_after=True`` 选择 PyTorch 的写法，
这时 :func:`gru_model_from_scratch` 搬过去的权重给出与 ``nn.GRU`` 相同的输出。
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlbook.models.init import reset_parameters
from dlbook.models.rnn import RNNModel, RNNScratch, State
from dlbook.utils.checks import check_positive

__all__ = ["GRUScratch", "gate_params", "gru_model", "gru_model_from_scratch", "recurrent_model"]


def gate_params(
    num_inputs: int, num_hiddens: int, sigma: float, generator: torch.Generator | None
) -> tuple[nn.Parameter, nn.Parameter, nn.Parameter]:
    """一个门的三个参数：输入到门的权重、隐状态到门的权重（均值 0、标准差 ``sigma`` 的正态分布）
    与偏置（0）。GRU 与 LSTM 共用。"""
    return (
        nn.Parameter(torch.randn(num_inputs, num_hiddens, generator=generator) * sigma),
        nn.Parameter(torch.randn(num_hiddens, num_hiddens, generator=generator) * sigma),
        nn.Parameter(torch.zeros(num_hiddens)),
    )


class GRUScratch(RNNScratch):
    r"""从零实现的 GRU 语言模型。

    每个时间步：

    .. math::

        R_t = \sigma(X_t W_{xr} + H_{t-1} W_{hr} + b_r), \quad
        Z_t = \sigma(X_t W_{xz} + H_{t-1} W_{hz} + b_z),

        \tilde{H}_t = \tanh(X_t W_{xh} + (R_t \odot H_{t-1}) W_{hh} + b_h), \quad
        H_t = Z_t \odot H_{t-1} + (1 - Z_t) \odot \tilde{H}_t.

    Parameters
    ----------
    vocab_size, num_hiddens, sigma, generator
        同 :class:`~dlbook.models.rnn.RNNScratch`。
    reset_after : bool
        ``True`` 时用 ``nn.GRU`` 的候选隐状态公式（见模块说明）。

    Examples
    --------
    >>> net = GRUScratch(28, 32, generator=torch.Generator().manual_seed(0))
    >>> sorted(name for name, _ in net.named_parameters())[:6]
    ['W_hh', 'W_hq', 'W_hr', 'W_hz', 'W_xh', 'W_xr']
    >>> Y, state = net(torch.zeros(2, 5, dtype=torch.long))
    >>> Y.shape, state[0].shape
    (torch.Size([10, 28]), torch.Size([2, 32]))
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        *,
        sigma: float = 0.01,
        reset_after: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__(vocab_size, num_hiddens, sigma=sigma, generator=generator)
        self.reset_after = reset_after
        self.W_xz, self.W_hz, self.b_z = gate_params(vocab_size, num_hiddens, sigma, generator)
        self.W_xr, self.W_hr, self.b_r = gate_params(vocab_size, num_hiddens, sigma, generator)
        self.b_hh = nn.Parameter(torch.zeros(num_hiddens)) if reset_after else None

    def cell(self, X_t: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """一个时间步的 GRU：先算两个门，再算候选隐状态，最后用更新门在新旧之间插值。"""
        (H,) = state
        Z = torch.sigmoid(X_t @ self.W_xz + H @ self.W_hz + self.b_z)  # 更新门
        R = torch.sigmoid(X_t @ self.W_xr + H @ self.W_hr + self.b_r)  # 重置门
        if self.reset_after:
            H_tilde = torch.tanh(X_t @ self.W_xh + self.b_h + R * (H @ self.W_hh + self.b_hh))
        else:
            H_tilde = torch.tanh(X_t @ self.W_xh + (R * H) @ self.W_hh + self.b_h)
        H = Z * H + (1 - Z) * H_tilde  # Z 接近 1：保留旧状态；接近 0：换成候选状态
        return H, (H,)


def recurrent_model(
    rnn_layer: nn.RNNBase, vocab_size: int, generator: torch.Generator | None = None
) -> RNNModel:
    """``RNNModel(rnn_layer, vocab_size)``；给出 ``generator`` 时用它按 PyTorch 的默认分布
    重新抽取全部参数（循环层取自 :math:`U(-1/\\sqrt{h}, 1/\\sqrt{h})`），初值便可复现。"""
    net = RNNModel(rnn_layer, vocab_size)
    if generator is not None:
        bound = 1 / math.sqrt(rnn_layer.hidden_size)
        with torch.no_grad():
            for p in net.rnn.parameters():
                p.uniform_(-bound, bound, generator=generator)
        reset_parameters(net.linear, generator)
    return net


def gru_model(
    vocab_size: int,
    num_hiddens: int,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
    generator: torch.Generator | None = None,
) -> RNNModel:
    """GRU 语言模型的简洁实现：``RNNModel(nn.GRU(vocab_size, num_hiddens, ...), vocab_size)``。

    Examples
    --------
    >>> net = gru_model(28, 16, num_layers=2, generator=torch.Generator().manual_seed(0))
    >>> net.begin_state(3).shape
    torch.Size([2, 3, 16])
    """
    check_positive("num_hiddens", num_hiddens)
    check_positive("num_layers", num_layers)
    layer = nn.GRU(vocab_size, num_hiddens, num_layers=num_layers, bidirectional=bidirectional)
    return recurrent_model(layer, vocab_size, generator)


def gru_model_from_scratch(scratch: GRUScratch) -> RNNModel:
    """把 ``reset_after=True`` 的 :class:`GRUScratch` 的参数搬进 ``nn.GRU`` 模型，两者输出相同。

    ``nn.GRU`` 把三组权重按（重置门、更新门、候选）的顺序竖着叠在一起，矩阵是我们的转置；
    门的偏置放进 ``bias_ih``、``bias_hh`` 置 0，候选状态的两个偏置各放一处。

    Examples
    --------
    >>> scratch = GRUScratch(6, 4, sigma=0.5, reset_after=True,
    ...                      generator=torch.Generator().manual_seed(0))
    >>> concise = gru_model_from_scratch(scratch)
    >>> X = torch.tensor([[0, 1, 2], [5, 3, 2]])
    >>> torch.allclose(scratch(X)[0], concise(X)[0], atol=1e-6)
    True
    """
    if not isinstance(scratch, GRUScratch) or not scratch.reset_after:
        raise ValueError("需要 reset_after=True 的 GRUScratch：只有它与 nn.GRU 的公式相同")
    net = RNNModel(nn.GRU(scratch.vocab_size, scratch.num_hiddens), scratch.vocab_size)
    net.to(device=scratch.W_xh.device, dtype=scratch.W_xh.dtype)
    rnn = net.rnn
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.cat([scratch.W_xr, scratch.W_xz, scratch.W_xh], dim=1).T)
        rnn.weight_hh_l0.copy_(torch.cat([scratch.W_hr, scratch.W_hz, scratch.W_hh], dim=1).T)
        rnn.bias_ih_l0.copy_(torch.cat([scratch.b_r, scratch.b_z, scratch.b_h]))
        rnn.bias_hh_l0.zero_()
        rnn.bias_hh_l0[2 * scratch.num_hiddens :].copy_(scratch.b_hh)
        net.linear.weight.copy_(scratch.W_hq.T)
        net.linear.bias.copy_(scratch.b_q)
    return net
