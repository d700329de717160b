"""第 7 章 循环神经网络的练习检查器：循环神经网络的一步、梯度裁剪。"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _rnn_step_reference(
    X: torch.Tensor, H: torch.Tensor, W_xh: torch.Tensor, W_hh: torch.Tensor, b_h: torch.Tensor
) -> torch.Tensor:
    return torch.rnn_tanh_cell(X, H, W_xh.T, W_hh.T, b_h, torch.zeros_like(b_h))


def check_rnn_step(fn: Callable[..., torch.Tensor], device: str | None = None) -> CheckResult:
    """检查 ``fn(X, H, W_xh, W_hh, b_h)``：循环神经网络的一个时间步，返回新的隐状态。

    :math:`H_t = \\tanh(X_t W_{xh} + H_{t-1} W_{hh} + b_h)`；``X`` 形状 ``(批量, 输入数)``，``H`` 形状
    ``(批量, 隐藏单元数)``，``W_xh`` ``(输入数, 隐藏单元数)``，``W_hh`` ``(隐藏单元数, 隐藏单元数)``。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def rnn_step(X, H, W_xh, W_hh, b_h):
    ...     raise NotImplementedError
    >>> check_rnn_step(rnn_step).status
    '尚未完成'
    """
    g = seeded(10)

    def weights(num_inputs: int, num_hiddens: int, scale: float = 0.5) -> tuple:
        return (
            torch.randn(num_inputs, num_hiddens, generator=g) * scale,
            torch.randn(num_hiddens, num_hiddens, generator=g) * scale,
            torch.randn(num_hiddens, generator=g) * scale,
        )

    cases = [
        Case(
            "初始隐状态为零",
            (torch.randn(2, 3, generator=g), torch.zeros(2, 4), *weights(3, 4)),
            hint="H_t = tanh(X W_xh + H W_hh + b_h)：矩阵乘法 X @ W_xh 的形状是 (批量, 隐藏单元数)。",
        ),
        Case(
            "非零隐状态",
            (torch.randn(2, 3, generator=g), torch.randn(2, 4, generator=g), *weights(3, 4)),
            hint="隐状态一项是 H @ W_hh（行向量在左），不是 W_hh @ H。",
        ),
        Case(
            "很大的输入",
            (
                torch.randn(3, 2, generator=g) * 10,
                torch.randn(3, 5, generator=g),
                *weights(2, 5, scale=2.0),
            ),
            hint="激活函数是 tanh，输出在 (−1, 1) 之间。",
        ),
    ]
    return check_function(
        fn, _rnn_step_reference, cases, name="rnn_step", device=device, rtol=1e-5, atol=1e-5
    )


def _clip_gradients_reference(grads: Sequence[torch.Tensor], theta: float) -> list[torch.Tensor]:
    params = [torch.zeros_like(grad, requires_grad=True) for grad in grads]
    for param, grad in zip(params, grads):
        param.grad = grad.clone()
    torch.nn.utils.clip_grad_norm_(params, theta)
    return [param.grad for param in params]


def check_clip_gradients(
    fn: Callable[[list[torch.Tensor], float], list[torch.Tensor]], device: str | None = None
) -> CheckResult:
    """检查 ``fn(grads, theta)``：按全部梯度拼成的一个向量的范数裁剪，返回裁剪后的梯度列表。

    若 :math:`\\|g\\| > \\theta`，每个梯度都乘以 :math:`\\theta / \\|g\\|`，否则原样返回；
    :math:`\\|g\\|` 是所有梯度张量的元素放在一起的 L2 范数。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def clip_gradients(grads, theta):
    ...     raise NotImplementedError
    >>> check_clip_gradients(clip_gradients).status
    '尚未完成'
    """
    g = seeded(11)
    cases = [
        Case(
            "一个梯度、范数 5、θ = 1",
            ([torch.tensor([3.0, 4.0])], 1.0),
            hint="范数超过 θ 时乘以 θ / ‖g‖：方向不变，长度变为 θ。",
        ),
        Case(
            "两个形状不同的梯度、范数大于 θ",
            ([torch.randn(3, 2, generator=g) * 4, torch.randn(5, generator=g) * 4], 1.0),
            hint="范数是所有梯度放在一起的一个向量的范数：先把每个张量的平方和加起来再开方，"
            "所有张量用同一个缩放系数。",
        ),
        Case(
            "范数小于 θ",
            ([torch.tensor([0.3, 0.4]), torch.tensor([[0.0, 0.1]])], 10.0),
            hint="范数不超过 θ 时梯度保持不变：缩放系数是 min(1, θ / ‖g‖)。",
        ),
    ]
    return check_function(
        fn,
        _clip_gradients_reference,
        cases,
        name="clip_gradients",
        device=device,
        rtol=1e-5,
        atol=1e-6,
    )
