"""从零实现的线性代数小工具：矩阵的算子范数。"""

from __future__ import annotations

import torch

__all__ = ["operator_norm"]


def operator_norm(A: torch.Tensor, num_iters: int = 100, seed: int = 0) -> torch.Tensor:
    r"""矩阵的算子范数 :math:`\|\mathbf{A}\| = \max_{\mathbf{b} \ne \mathbf{0}} \|\mathbf{A}\mathbf{b}\| / \|\mathbf{b}\|`，用幂迭代求出。

    它是使 :math:`\|\mathbf{A}\mathbf{b}\| \le c\,\|\mathbf{b}\|` 对所有 :math:`\mathbf{b}` 成立的最小常数
    :math:`c`，即矩阵能把向量拉长的最大倍数（向量范数取 :math:`L_2` 时也叫谱范数，等于最大的奇异值）。
    :math:`\|\mathbf{A}\mathbf{b}\|^2 = \mathbf{b}^\top \mathbf{A}^\top\mathbf{A}\,\mathbf{b}`，所以要找的
    :math:`\mathbf{b}` 是 :math:`\mathbf{A}^\top\mathbf{A}` 最大特征值的特征向量：从一个随机的单位向量出发，
    反复乘以 :math:`\mathbf{A}^\top\mathbf{A}` 再归一化（幂迭代），它就转向这个方向；
    最后返回 :math:`\|\mathbf{A}\mathbf{b}\|`。

    Parameters
    ----------
    A : torch.Tensor
        二维矩阵，形状 ``(m, n)``。
    num_iters : int
        迭代次数，必须为正。最大的两个奇异值越接近，需要的次数越多。
    seed : int
        随机初始向量的种子。

    Returns
    -------
    torch.Tensor
        标量张量，与 ``A`` 的浮点类型相同（整数矩阵按 ``float32`` 计算）。

    Examples
    --------
    对角矩阵把第一个坐标轴方向拉长 3 倍，这是它能拉长的最大倍数：

    >>> A = torch.tensor([[3.0, 0.0], [0.0, -2.0]])
    >>> round(operator_norm(A).item(), 4)
    3.0
    >>> A = torch.randn(5, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> torch.allclose(operator_norm(A), torch.linalg.matrix_norm(A, ord=2))
    True
    """
    if not isinstance(A, torch.Tensor) or A.ndim != 2:
        raise ValueError(f"A 必须是二维矩阵，收到形状 {getattr(A, 'shape', type(A))}")
    if isinstance(num_iters, bool) or not isinstance(num_iters, int) or num_iters < 1:
        raise ValueError(f"num_iters 必须是正整数，收到 {num_iters!r}")
    if not A.is_floating_point():
        A = A.float()
    g = torch.Generator(device=A.device).manual_seed(seed)
    b = torch.randn(A.shape[1], generator=g, dtype=A.dtype, device=A.device)
    b = b / b.norm()
    for _ in range(num_iters):
        b_next = A.T @ (A @ b)
        length = b_next.norm()
        if length == 0:  # A b = 0：b 落在零空间里（A 为零矩阵时总是如此）
            break
        b = b_next / length
    return (A @ b).norm()
