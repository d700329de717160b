"""风格迁移的三种损失：内容损失、用格拉姆矩阵衡量的风格损失与全变分损失（D2L 13.12 节）。

三个函数都只用张量运算写成，作用在 ``(1, C, H, W)`` 的特征图或图像上（批量维只能是 1：
风格迁移一次只合成一张图像）。它们与 D2L 的定义完全相同，因此同样的权重（内容 1、风格 1e4、
全变分 10）在这里有同样的含义。
"""

from __future__ import annotations

import torch

__all__ = ["content_loss", "gram", "style_loss", "tv_loss"]


def _check_single(X: torch.Tensor, name: str) -> None:
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"{name} 必须是 torch.Tensor，收到 {type(X).__name__}")
    if X.dim() != 4 or X.shape[0] != 1:
        raise ValueError(f"{name} 的形状应为 (1, C, H, W)，收到 {tuple(X.shape)}")


def gram(X: torch.Tensor) -> torch.Tensor:
    r"""特征图 ``X`` （形状 ``(1, c, h, w)``）的格拉姆矩阵，除以元素个数 :math:`c\,hw`。

    把 ``X`` 排成 :math:`c \times hw` 的矩阵 :math:`\mathbf{X}` （每行是一个通道在所有位置上的值），
    返回 :math:`\mathbf{X}\mathbf{X}^\top / (c\,hw)`：第 :math:`(i, j)` 个元素是通道 :math:`i` 与
    :math:`j` 的平均内积，与位置无关——它只记下“哪些特征一起出现”，不记下“出现在哪里”。

    Examples
    --------
    >>> X = torch.tensor([[1., 2.], [3., 4.]]).reshape(1, 2, 1, 2)   # 两个通道，各两个位置
    >>> gram(X)                     # [[1+4, 3+8], [3+8, 9+16]] / (2 * 2)
    tensor([[1.2500, 2.7500],
            [2.7500, 6.2500]])
    """
    _check_single(X, "X")
    num_channels, n = X.shape[1], X.numel() // X.shape[1]
    X = X.reshape(num_channels, n)
    return X @ X.T / (num_channels * n)


def content_loss(Y_hat: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """内容损失：合成图像与内容图像在内容层上的特征之差的平方的平均（``Y`` 不参与求导）。

    Examples
    --------
    >>> content_loss(torch.ones(1, 2, 2, 2), torch.zeros(1, 2, 2, 2))
    tensor(1.)
    """
    _check_single(Y_hat, "Y_hat")
    if Y.shape != Y_hat.shape:
        raise ValueError(f"Y 的形状 {tuple(Y.shape)} 与 Y_hat 的 {tuple(Y_hat.shape)} 不同")
    return torch.square(Y_hat - Y.detach()).mean()


def style_loss(Y_hat: torch.Tensor, gram_Y: torch.Tensor) -> torch.Tensor:
    """风格损失：合成图像在某个风格层上的格拉姆矩阵与风格图像的格拉姆矩阵 ``gram_Y`` 之差的平方的平均。

    ``gram_Y`` 在训练前算好一次（风格图像不变），不参与求导。两张图像的大小可以不同：
    格拉姆矩阵的形状只取决于通道数。

    Examples
    --------
    >>> X = torch.rand(1, 3, 4, 4)
    >>> style_loss(X, gram(X)).item()
    0.0
    >>> style_loss(X, gram(X.flip(-1))).item()     # 左右翻转不改变格拉姆矩阵
    0.0
    """
    _check_single(Y_hat, "Y_hat")
    channels = Y_hat.shape[1]
    if gram_Y.shape != (channels, channels):
        raise ValueError(f"gram_Y 的形状应为 ({channels}, {channels})，收到 {tuple(gram_Y.shape)}")
    return torch.square(gram(Y_hat) - gram_Y.detach()).mean()


def tv_loss(Y_hat: torch.Tensor) -> torch.Tensor:
    r"""全变分损失：相邻像素（上下、左右）之差的绝对值的平均，两个方向各占一半。

    .. math:: \frac{1}{2}\Big(\operatorname{mean}_{i,j}|x_{i+1,j}-x_{i,j}|
              + \operatorname{mean}_{i,j}|x_{i,j+1}-x_{i,j}|\Big)

    压低它让合成图像更平滑，去掉高频的噪点。

    Examples
    --------
    >>> tv_loss(torch.ones(1, 3, 4, 4))                       # 常数图像
    tensor(0.)
    >>> tv_loss(torch.tensor([[0., 1.], [0., 1.]]).reshape(1, 1, 2, 2))  # 只有左右之差 1
    tensor(0.5000)
    """
    _check_single(Y_hat, "Y_hat")
    return 0.5 * (
        torch.abs(Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).mean()
        + torch.abs(Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).mean()
    )
