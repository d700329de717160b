"""循环神经网络语言模型（第 7 章）：从零实现的 :class:`RNNScratch` 与包装 ``nn.RNN`` 的 :class:`RNNModel`。

两者的接口相同，训练循环（:func:`dlbook.train_language_model`）和预测
（:func:`dlbook.predict_text`）对它们一视同仁：

* 输入 ``X`` 是词元索引，形状 ``(批量大小, 时间步数)``；模型内部先转成独热编码；
* ``forward(X, state)`` 返回 ``(输出, 新状态)``。输出的形状是 ``(时间步数 × 批量大小, 词表大小)``，
  按**时间步优先**排列（先是第 1 步的整批，再是第 2 步的整批……），所以对应的标签是
  ``Y.T.reshape(-1)``；
* ``begin_state(batch_size, device)`` 给出全零的初始状态。

:class:`RNNModel` 也能包装 ``nn.GRU``、``nn.LSTM`` （状态是两个张量的元组）、多层和双向的
循环层；从零实现的 GRU、LSTM 可以继承 :class:`RNNScratch`，只改参数和 :meth:`RNNScratch.cell`。
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.models.init import reset_parameters
from dlbook.utils.checks import check_positive

__all__ = ["RNNModel", "RNNScratch", "rnn_model", "rnn_model_from_scratch"]

State = tuple[torch.Tensor, ...]


class RNNScratch(nn.Module):
    r"""从零实现的单隐藏层循环神经网络语言模型。

    每个时间步 :math:`t`：

    .. math::

        \mathbf{H}_t = \tanh(\mathbf{X}_t \mathbf{W}_{xh} + \mathbf{H}_{t-1} \mathbf{W}_{hh}
        + \mathbf{b}_h), \qquad \mathbf{O}_t = \mathbf{H}_t \mathbf{W}_{hq} + \mathbf{b}_q,

    其中 :math:`\mathbf{X}_t` 是第 :math:`t` 步的独热编码 ``(批量大小, 词表大小)``。
    五个参数都是 ``nn.Parameter``；权重取自 :math:`N(0, \sigma^2)`，偏置为 0。
    状态是只含一个张量 :math:`\mathbf{H}` 的元组（与 LSTM 的 ``(H, C)`` 形式一致）。

    Parameters
    ----------
    vocab_size : int
        词表大小（输入与输出的维数）。
    num_hiddens : int
        隐藏单元个数。
    sigma : float
        权重初始化的标准差，默认 0.01。
    generator : torch.Generator, optional
        初始化所用的随机数生成器。

    Examples
    --------
    >>> net = RNNScratch(28, 512, generator=torch.Generator().manual_seed(0))
    >>> [(name, tuple(p.shape)) for name, p in net.named_parameters()]
    [('W_xh', (28, 512)), ('W_hh', (512, 512)), ('b_h', (512,)), ('W_hq', (512, 28)), ('b_q', (28,))]
    >>> X = torch.zeros(2, 5, dtype=torch.long)          # 批量 2，时间步 5
    >>> Y, state = net(X, net.begin_state(2))
    >>> Y.shape, len(state), state[0].shape
    (torch.Size([10, 28]), 1, torch.Size([2, 512]))
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        *,
        sigma: float = 0.01,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        check_positive("vocab_size", vocab_size)
        check_positive("num_hiddens", num_hiddens)
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens

        def normal(*shape: int) -> nn.Parameter:
            return nn.Parameter(torch.randn(*shape, generator=generator) * sigma)

        # 隐藏层参数
        self.W_xh = normal(vocab_size, num_hiddens)
        self.W_hh = normal(num_hiddens, num_hiddens)
        self.b_h = nn.Parameter(torch.zeros(num_hiddens))
        # 输出层参数
        self.W_hq = normal(num_hiddens, vocab_size)
        self.b_q = nn.Parameter(torch.zeros(vocab_size))

    def begin_state(self, batch_size: int, device: torch.device | str | None = None) -> State:
        """全零的初始隐状态 ``(H,)``，``H`` 的形状为 ``(batch_size, num_hiddens)``。"""
        device = self.W_xh.device if device is None else device
        return (torch.zeros(batch_size, self.num_hiddens, device=device),)

    def cell(self, X_t: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """一个时间步：由输入 ``X_t`` 与旧状态算出隐状态 ``H``，返回 ``(H, 新状态)``。"""
        (H,) = state
        H = torch.tanh(X_t @ self.W_xh + H @ self.W_hh + self.b_h)
        return H, (H,)

    def hidden_states(
        self, X: torch.Tensor, state: State | None = None
    ) -> tuple[list[torch.Tensor], State]:
        """逐个时间步算出隐状态，返回（每一步的隐状态 ``H_t`` 组成的列表，最后的状态）。"""
        if X.dim() != 2:
            raise ValueError(f"X 的形状应为 (批量大小, 时间步数)，收到 {tuple(X.shape)}")
        if state is None:
            state = self.begin_state(X.shape[0], X.device)
        # (批量, 时间步) → 转置 → 独热编码 (时间步, 批量, 词表)：按时间步逐个取出
        inputs = F.one_hot(X.T.long(), self.vocab_size).to(self.W_xh.dtype)
        hiddens = []
        for X_t in inputs:
            H, state = self.cell(X_t, state)
            hiddens.append(H)
        return hiddens, state

    def forward(self, X: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        hiddens, state = self.hidden_states(X, state)
        # 所有时间步的隐状态一起经过输出层：(时间步 × 批量, 词表)
        outputs = torch.cat(hiddens, dim=0) @ self.W_hq + self.b_q
        return outputs, state


class RNNModel(nn.Module):
    """循环神经网络语言模型的简洁实现：独热编码 → 循环层（``nn.RNN``/``nn.GRU``/``nn.LSTM``）→ 全连接输出层。

    循环层只返回每个时间步的隐状态，不含输出层；这里加一个 ``nn.Linear`` 把隐状态变成
    每个词元的得分。双向循环层的隐状态是两个方向拼接起来的，输出层的输入维数随之加倍。

    Parameters
    ----------
    rnn_layer : nn.RNN, nn.GRU or nn.LSTM
        循环层，``input_size`` 必须等于 ``vocab_size``，且 ``batch_first=False``。
    vocab_size : int
        词表大小。

    Examples
    --------
    >>> net = RNNModel(nn.RNN(28, 256), 28)
    >>> X = torch.zeros(2, 5, dtype=torch.long)
    >>> Y, state = net(X, net.begin_state(2))
    >>> Y.shape, state.shape
    (torch.Size([10, 28]), torch.Size([1, 2, 256]))
    >>> lstm = RNNModel(nn.LSTM(28, 16, num_layers=2, bidirectional=True), 28)
    >>> [s.shape for s in lstm.begin_state(3)]
    [torch.Size([4, 3, 16]), torch.Size([4, 3, 16])]
    """

    def __init__(self, rnn_layer: nn.RNNBase, vocab_size: int) -> None:
        super().__init__()
        if not isinstance(rnn_layer, nn.RNNBase):
            raise TypeError(
                f"rnn_layer 必须是 nn.RNN、nn.GRU 或 nn.LSTM，收到 {type(rnn_layer).__name__}"
            )
        check_positive("vocab_size", vocab_size)
        if rnn_layer.input_size != vocab_size:
            raise ValueError(
                f"rnn_layer 的 input_size（{rnn_layer.input_size}）应等于 vocab_size（{vocab_size}）：输入是独热编码"
            )
        if rnn_layer.batch_first:
            raise ValueError("rnn_layer 应使用默认的 batch_first=False（输入按时间步优先排列）")
        if getattr(rnn_layer, "proj_size", 0):
            raise ValueError("不支持带 proj_size 的 LSTM")
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = rnn_layer.hidden_size
        self.num_directions = 2 if rnn_layer.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, vocab_size)

    def forward(
        self, X: torch.Tensor, state: torch.Tensor | State | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | State]:
        if X.dim() != 2:
            raise ValueError(f"X 的形状应为 (批量大小, 时间步数)，收到 {tuple(X.shape)}")
        inputs = F.one_hot(X.T.long(), self.vocab_size).to(self.linear.weight.dtype)
        Y, state = self.rnn(inputs, state)  # Y：(时间步, 批量, 隐藏单元数 × 方向数)
        outputs = self.linear(Y.reshape(-1, Y.shape[-1]))
        return outputs, state

    def begin_state(
        self, batch_size: int, device: torch.device | str | None = None
    ) -> torch.Tensor | State:
        """全零的初始状态，形状 ``(层数 × 方向数, batch_size, num_hiddens)``；LSTM 返回 ``(H, C)``。"""
        device = self.linear.weight.device if device is None else device
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if isinstance(self.rnn, nn.LSTM):
            return (torch.zeros(shape, device=device), torch.zeros(shape, device=device))
        return torch.zeros(shape, device=device)


def rnn_model(
    vocab_size: int, num_hiddens: int, *, generator: torch.Generator | None = None
) -> RNNModel:
    """单层 ``nn.RNN`` （tanh）的语言模型 ``RNNModel(nn.RNN(vocab_size, num_hiddens), vocab_size)``。

    给出 ``generator`` 时，用它按 PyTorch 的默认分布重新抽取全部参数（循环层的参数取自
    :math:`U(-1/\\sqrt{h}, 1/\\sqrt{h})`，:math:`h` 为隐藏单元数；输出层见
    :func:`dlbook.models.init.reset_parameters`），初值便可复现。

    Examples
    --------
    >>> a = rnn_model(28, 8, generator=torch.Generator().manual_seed(0))
    >>> b = rnn_model(28, 8, generator=torch.Generator().manual_seed(0))
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    check_positive("num_hiddens", num_hiddens)
    net = RNNModel(nn.RNN(vocab_size, num_hiddens), vocab_size)
    if generator is not None:
        bound = 1 / math.sqrt(num_hiddens)
        with torch.no_grad():
            for p in net.rnn.parameters():
                p.uniform_(-bound, bound, generator=generator)
        reset_parameters(net.linear, generator)
    return net


def rnn_model_from_scratch(scratch: RNNScratch) -> RNNModel:
    """把 :class:`RNNScratch` 的参数搬进一个 ``nn.RNN`` 模型，两者的输出完全相同（用来核对）。

    ``nn.RNN`` 计算 :math:`\\tanh(\\mathbf{x} \\mathbf{W}_{ih}^\\top + \\mathbf{b}_{ih} +
    \\mathbf{h} \\mathbf{W}_{hh}^\\top + \\mathbf{b}_{hh})`：它的权重是我们的转置，并且有两个偏置，
    把 :math:`\\mathbf{b}_h` 放进其中一个、另一个置 0 即可。输出层 ``nn.Linear`` 的权重同样是转置。

    Examples
    --------
    >>> scratch = RNNScratch(5, 3, sigma=0.5, generator=torch.Generator().manual_seed(0))
    >>> concise = rnn_model_from_scratch(scratch)
    >>> X = torch.tensor([[0, 1, 2], [4, 3, 2]])
    >>> torch.allclose(scratch(X)[0], concise(X)[0], atol=1e-6)
    True
    """
    if not isinstance(scratch, RNNScratch) or type(scratch).cell is not RNNScratch.cell:
        raise TypeError("scratch 必须是 RNNScratch（不能是改写了 cell 的子类）")
    net = RNNModel(nn.RNN(scratch.vocab_size, scratch.num_hiddens), scratch.vocab_size)
    net.to(device=scratch.W_xh.device, dtype=scratch.W_xh.dtype)
    with torch.no_grad():
        net.rnn.weight_ih_l0.copy_(scratch.W_xh.T)
        net.rnn.weight_hh_l0.copy_(scratch.W_hh.T)
        net.rnn.bias_ih_l0.copy_(scratch.b_h)
        net.rnn.bias_hh_l0.zero_()
        net.linear.weight.copy_(scratch.W_hq.T)
        net.linear.bias.copy_(scratch.b_q)
    return net
