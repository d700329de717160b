"""批量规范化（batch normalization）的从零实现。"""

from __future__ import annotations

import torch

__all__ = ["batch_norm"]


def batch_norm(
    X: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    moving_mean: torch.Tensor,
    moving_var: torch.Tensor,
    *,
    eps: float = 1e-5,
    momentum: float = 0.9,
    training: bool = True,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """批量规范化：先按特征（通道）标准化，再用可学习的 γ、β 拉伸和偏移。

    训练时用当前小批量的均值 :math:`\\hat{\\mu}_B` 与方差 :math:`\\hat{\\sigma}^2_B`：

    .. math::

        \\hat{x} = \\frac{x - \\hat{\\mu}_B}{\\sqrt{\\hat{\\sigma}^2_B + \\epsilon}},\\qquad
        y = \\gamma \\odot \\hat{x} + \\beta,

    同时用指数加权平均更新整个数据集上的均值与方差的估计（移动平均）::

        moving_mean = momentum * moving_mean + (1 - momentum) * 小批量均值
        moving_var  = momentum * moving_var  + (1 - momentum) * 小批量方差（无偏）

    预测时不再看小批量，直接用移动平均来标准化，输出只取决于单个样本本身。

    - 全连接层的输入 ``(批量, 特征)``：每个特征（每一列）在批量维上求均值和方差；
    - 卷积层的输入 ``(批量, 通道, 高, 宽)``：每个通道在批量、高、宽三个维度上求，
      即把每个像素位置都当作一个样本。

    标准化用的是有偏方差（除以样本数 :math:`m`）；更新移动平均时用无偏方差（除以 :math:`m-1`），
    与原论文的预测公式以及 PyTorch 的 ``nn.BatchNorm1d/2d`` 一致。

    Parameters
    ----------
    X : torch.Tensor
        二维 ``(批量, 特征)`` 或四维 ``(批量, 通道, 高, 宽)`` 的输入。
    gamma, beta : torch.Tensor
        拉伸与偏移参数，形状 ``(1, 特征)`` 或 ``(1, 通道, 1, 1)``。
    moving_mean, moving_var : torch.Tensor
        均值与方差的移动平均，形状同 ``gamma``。
    eps : float, 默认 1e-5
        加在方差上、防止除以 0 的小常数。
    momentum : float, 默认 0.9
        移动平均中 **旧值** 所占的比例（笔记与 D2L 的约定）。PyTorch 的 ``momentum`` 是 **新值**
        所占的比例，默认 0.1：本函数的 ``momentum=0.9`` 对应 PyTorch 的 ``momentum=0.1``。
    training : bool, 默认 True
        训练模式用小批量统计量并更新移动平均；预测模式用移动平均，不更新。

    Returns
    -------
    Y : torch.Tensor
        与 ``X`` 形状相同的输出。
    moving_mean, moving_var : torch.Tensor
        更新后的移动平均（预测模式下原样返回），已从计算图中分离。

    Examples
    --------
    >>> X = torch.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> ones, zeros = torch.ones(1, 2), torch.zeros(1, 2)
    >>> Y, mean, var = batch_norm(X, ones, zeros, zeros, ones, eps=0.0)
    >>> Y
    tensor([[-1., -1.],
            [ 1.,  1.]])
    >>> mean, var    # 0.9 × 旧值 + 0.1 × 小批量的值（方差取无偏估计 2 与 200）
    (tensor([[0.2000, 2.0000]]), tensor([[ 1.1000, 20.9000]]))
    >>> Y, _, _ = batch_norm(X, ones, zeros, mean, var, training=False)
    >>> Y.shape
    torch.Size([2, 2])
    """
    if X.dim() not in (2, 4):
        raise ValueError(
            f"X 必须是二维（全连接层）或四维（卷积层）的张量，收到 {X.dim()} 维、形状 {tuple(X.shape)}"
        )
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum 必须在 [0, 1] 之间，收到 {momentum!r}")
    if eps < 0:
        raise ValueError(f"eps 必须非负，收到 {eps!r}")
    if not training:
        # 预测模式：用整个训练集上估计出的均值与方差
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)  # 全连接：按列；卷积：每个通道一个均值
    m = X.numel() // X.shape[1]  # 每个特征（通道）参与统计的元素个数
    if m < 2:
        raise ValueError(
            f"训练模式下每个特征至少需要 2 个值才能估计方差，输入形状 {tuple(X.shape)}"
        )
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)  # 有偏方差，用于标准化
    X_hat = (X - mean) / torch.sqrt(var + eps)
    with torch.no_grad():  # 移动平均只是统计量，不参与求梯度
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var * (m / (m - 1))
    return gamma * X_hat + beta, moving_mean, moving_var
