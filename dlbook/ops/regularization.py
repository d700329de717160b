"""正则化用到的从零实现：暂退法（dropout）与 L2 范数惩罚。"""

from __future__ import annotations

import torch

__all__ = ["dropout_layer", "l2_penalty"]


def dropout_layer(
    X: torch.Tensor, dropout: float, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """以概率 ``dropout`` 把 ``X`` 的每个元素置零，并把保留下来的元素除以 ``1 - dropout``。

    这样每个元素的期望保持不变：:math:`E[x'] = p \\cdot 0 + (1-p) \\cdot x / (1-p) = x`。
    ``dropout`` 为 0 时原样返回 ``X``，为 1 时返回全零张量。

    Parameters
    ----------
    X : torch.Tensor
        输入（通常是隐藏层的输出）。
    dropout : float
        丢弃概率，取值范围 ``[0, 1]``。
    generator : torch.Generator, optional
        生成随机掩码用的随机数生成器；不给则使用 PyTorch 的全局生成器。

    Returns
    -------
    torch.Tensor
        与 ``X`` 形状相同的张量。

    Examples
    --------
    >>> X = torch.arange(8, dtype=torch.float32).reshape(2, 4)
    >>> dropout_layer(X, 0.0) is X
    True
    >>> dropout_layer(X, 1.0)
    tensor([[0., 0., 0., 0.],
            [0., 0., 0., 0.]])
    >>> g = torch.Generator().manual_seed(0)
    >>> Y = dropout_layer(X, 0.5, generator=g)
    >>> bool(((Y == 0) | (Y == 2 * X)).all())  # 每个元素要么被丢弃，要么放大为 2 倍
    True
    """
    if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
        raise ValueError(f"dropout 必须在 [0, 1] 之间，收到 {dropout!r}")
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    if generator is None:
        noise = torch.rand(X.shape, device=X.device)
    else:  # 在生成器所在的设备上抽样，再搬到 X 所在的设备
        noise = torch.rand(X.shape, generator=generator, device=generator.device).to(X.device)
    mask = (noise > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    """L2 范数惩罚 :math:`\\|\\mathbf{w}\\|^2 / 2`，除以 2 让它的梯度正好是 ``w``。

    Examples
    --------
    >>> l2_penalty(torch.tensor([3.0, 4.0]))
    tensor(12.5000)
    """
    return (w**2).sum() / 2
