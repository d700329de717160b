"""第 6 章 现代卷积神经网络的练习检查器：训练模式的批量规范化、1×1 卷积即逐像素的全连接层。"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _batch_norm_train_reference(
    X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float
) -> torch.Tensor:
    return F.batch_norm(X, None, None, gamma, beta, training=True, eps=eps)


def check_batch_norm_train(
    fn: Callable[..., torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(X, gamma, beta, eps)``：训练模式的批量规范化（只返回输出，不更新移动平均）。

    ``X`` 为 ``(批量, 特征)`` 时对每个特征、为 ``(批量, 通道, 高, 宽)`` 时对每个通道，用当前小批量的
    均值和**有偏**方差规范化：:math:`\\gamma (x - \\mu) / \\sqrt{\\sigma^2 + \\epsilon} + \\beta`；
    ``gamma``、``beta`` 的形状是 ``(特征数,)`` 或 ``(通道数,)``。

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
    >>> def batch_norm_train(X, gamma, beta, eps):
    ...     raise NotImplementedError
    >>> check_batch_norm_train(batch_norm_train).status
    '尚未完成'
    """
    g = seeded(8)
    cases = [
        Case(
            "全连接层的输入 (8, 3)",
            (torch.randn(8, 3, generator=g) * 2 + 1, torch.ones(3), torch.zeros(3), 1e-5),
            hint="全连接层对每个特征（每一列）在批量维 dim=0 上求均值和方差；方差用有偏估计"
            "（除以 n，unbiased=False）。",
        ),
        Case(
            "卷积层的输入 (4, 2, 3, 3)",
            (
                torch.randn(4, 2, 3, 3, generator=g),
                torch.tensor([1.0, 2.0]),
                torch.tensor([0.5, -1.0]),
                1e-5,
            ),
            hint="卷积层对每个通道在批量、高、宽三个维度 (0, 2, 3) 上求均值和方差（keepdim=True），"
            "gamma 与 beta 要变形为 (1, C, 1, 1) 才能广播。",
        ),
        Case(
            "方差很小的输入",
            (torch.randn(6, 2, generator=g) * 1e-3, torch.ones(2), torch.zeros(2), 1e-5),
            hint="ε 加在方差上再开方：√(σ² + ε)，而不是 √σ² + ε。",
        ),
        Case(
            "带缩放与偏移",
            (
                torch.randn(5, 4, generator=g),
                torch.tensor([0.5, 1.0, 2.0, -1.0]),
                torch.tensor([1.0, 0.0, -2.0, 3.0]),
                1e-5,
            ),
            hint="规范化之后再乘 gamma、加 beta。",
        ),
    ]
    return check_function(
        fn,
        _batch_norm_train_reference,
        cases,
        name="batch_norm_train",
        device=device,
        rtol=1e-4,
        atol=1e-4,
    )


def _conv1x1_reference(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    return F.conv2d(X[None], K[:, :, None, None])[0]


def check_conv1x1(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(X, K)``：把 1×1 卷积写成一次矩阵乘法。

    ``X`` 形状 ``(c_in, h, w)``，``K`` 形状 ``(c_out, c_in)``，返回 ``(c_out, h, w)``；
    输出在每个像素上是 ``K`` 乘以该像素的 ``c_in`` 个通道值。

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
    >>> def conv1x1(X, K):
    ...     raise NotImplementedError
    >>> check_conv1x1(conv1x1).status
    '尚未完成'
    """
    g = seeded(9)
    cases = [
        Case(
            "3 个输入通道、2 个输出通道、3×3",
            (torch.randn(3, 3, 3, generator=g), torch.randn(2, 3, generator=g)),
            hint="把 X 变形为 (c_in, h·w)，每一列是一个像素；K @ X 得到 (c_out, h·w)。",
        ),
        Case(
            "高和宽不同：2×4",
            (torch.randn(2, 2, 4, generator=g), torch.randn(2, 2, generator=g)),
            hint="最后变形回 (c_out, h, w)，h 和 w 的顺序不能颠倒。",
        ),
        Case(
            "1 个输入通道、4 个输出通道",
            (torch.randn(1, 2, 2, generator=g), torch.randn(4, 1, generator=g)),
            hint="K 的行对应输出通道、列对应输入通道：用 K，而不是 K 的转置。",
        ),
    ]
    return check_function(
        fn, _conv1x1_reference, cases, name="conv1x1", device=device, rtol=1e-5, atol=1e-5
    )
