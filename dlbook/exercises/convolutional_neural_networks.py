"""第 5 章 卷积神经网络的练习检查器：带步幅的二维互相关、带步幅的最大池化。"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

from dlbook.exercises.core import Case, CheckResult, check_function, seeded


def _corr2d_strided_reference(X: torch.Tensor, K: torch.Tensor, stride: int) -> torch.Tensor:
    return F.conv2d(X[None, None], K[None, None], stride=stride)[0, 0]


def check_corr2d_strided(
    fn: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(X, K, stride)``：单通道二维互相关，高和宽方向的步幅都是 ``stride``，不填充。

    输出形状是 :math:`(\\lfloor (n_h - k_h) / s \\rfloor + 1, \\lfloor (n_w - k_w) / s \\rfloor + 1)`。

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
    >>> def corr2d_strided(X, K, stride):
    ...     raise NotImplementedError
    >>> check_corr2d_strided(corr2d_strided).status
    '尚未完成'
    """
    g = seeded(6)
    cases = [
        Case(
            "4×4 输入、2×2 核、步幅 1",
            (torch.randn(4, 4, generator=g), torch.randn(2, 2, generator=g), 1),
            hint="互相关不翻转卷积核：输出 (i, j) 是以 (i·s, j·s) 为左上角的窗口与 K 逐元素相乘再求和。",
        ),
        Case(
            "5×5 输入、3×3 核、步幅 2",
            (torch.randn(5, 5, generator=g), torch.randn(3, 3, generator=g), 2),
            hint="有步幅时输出的高是 (n_h − k_h) // s + 1，窗口的左上角每次移动 s 格。",
        ),
        Case(
            "7×5 输入、2×3 核、步幅 3",
            (torch.randn(7, 5, generator=g), torch.randn(2, 3, generator=g), 3),
            hint="高和宽不能整除时向下取整：最后放不下一个完整窗口的行和列被丢掉。",
        ),
    ]
    return check_function(
        fn,
        _corr2d_strided_reference,
        cases,
        name="corr2d_strided",
        device=device,
        rtol=1e-5,
        atol=1e-5,
    )


def _max_pool2d_reference(X: torch.Tensor, pool_size: int, stride: int) -> torch.Tensor:
    return F.max_pool2d(X[None, None], pool_size, stride)[0, 0]


def check_max_pool2d(
    fn: Callable[[torch.Tensor, int, int], torch.Tensor], device: str | None = None
) -> CheckResult:
    """检查 ``fn(X, pool_size, stride)``：单通道二维最大池化，窗口 ``pool_size × pool_size``，不填充。

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
    >>> check_max_pool2d(lambda X, k, s: torch.nn.functional.max_pool2d(X[None, None], k, s)[0, 0])
    【通过】max_pool2d 在全部 4 组输入上都与参考一致。
    """
    g = seeded(7)
    cases = [
        Case(
            "4×4 输入、窗口 2、步幅 2",
            (torch.arange(16.0).reshape(4, 4), 2, 2),
            hint="每个窗口取最大值，不是平均值；窗口的左上角每次移动 stride 格。",
        ),
        Case(
            "5×5 输入、窗口 3、步幅 1",
            (torch.randn(5, 5, generator=g), 3, 1),
            hint="输出的高是 (n_h − k) // stride + 1。",
        ),
        Case(
            "5×6 输入、窗口 2、步幅 3",
            (torch.randn(5, 6, generator=g), 2, 3),
            hint="步幅大于窗口时，窗口之间有跳过的行和列；输出大小向下取整。",
        ),
        Case(
            "全是负数",
            (-torch.rand(4, 4, generator=g) - 1, 2, 2),
            hint="不要从 0 开始取最大值：输入全为负时，最大值也是负的。",
        ),
    ]
    return check_function(fn, _max_pool2d_reference, cases, name="max_pool2d", device=device)
