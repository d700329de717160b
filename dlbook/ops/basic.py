"""从零实现的基础算子：第 2–3 章在页面上一行一行写出来的那些函数。

这些函数刻意写得直白，只用张量的基本运算，方便对照公式阅读；测试会把它们与 PyTorch
自带的对应实现逐一比较（``torch.softmax``、``nn.CrossEntropyLoss``、``torch.optim.SGD``、
``nn.MSELoss`` 等）。训练循环本身在 :mod:`dlbook.train.loop` 中。
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

__all__ = ["softmax", "cross_entropy", "accuracy", "sgd", "linreg", "squared_loss"]


def softmax(X: torch.Tensor) -> torch.Tensor:
    r"""按行计算 softmax：:math:`\mathrm{softmax}(\mathbf{x})_j = \exp(x_j) / \sum_k \exp(x_k)`。

    每一行是一个样本的未归一化得分（logits）。先减去每行的最大值再取指数：结果在数学上不变，
    却避免了 ``exp`` 上溢（得分为 1000 时 ``exp(1000)`` 在 float32 下是 ``inf``）。

    Parameters
    ----------
    X : torch.Tensor
        形状为 ``(批量大小, 类别数)`` 的得分矩阵。

    Returns
    -------
    torch.Tensor
        与 ``X`` 形状相同；每个元素非负，每行之和为 1。

    Examples
    --------
    >>> X = torch.tensor([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])
    >>> P = softmax(X)
    >>> P.sum(dim=1)
    tensor([1., 1.])
    >>> P[1]
    tensor([0.3333, 0.3333, 0.3333])
    """
    if X.dim() != 2:
        raise ValueError(f"X 必须是二维的（批量大小, 类别数），收到形状 {tuple(X.shape)}")
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    partition = X_exp.sum(dim=1, keepdim=True)
    return X_exp / partition  # 广播：每行除以该行的和


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""逐样本的交叉熵损失 :math:`-\log \hat{y}_{i, y_i}`。

    ``y_hat[range(n), y]`` 用“花式索引”从第 ``i`` 行取出第 ``y[i]`` 列，也就是模型给真实类别的概率。

    Parameters
    ----------
    y_hat : torch.Tensor
        形状 ``(n, 类别数)`` 的预测概率（已经过 softmax）。
    y : torch.Tensor
        形状 ``(n,)`` 的整数类别标签。

    Returns
    -------
    torch.Tensor
        形状 ``(n,)``，每个样本一个损失；训练循环再决定求和还是求平均。

    Examples
    --------
    >>> y_hat = torch.tensor([[0.2, 0.1, 0.7], [0.25, 0.6, 0.15]])
    >>> y = torch.tensor([2, 0])
    >>> y_hat[[0, 1], y]
    tensor([0.7000, 0.2500])
    >>> cross_entropy(y_hat, y)
    tensor([0.3567, 1.3863])
    """
    if y_hat.dim() != 2 or y.dim() != 1 or y_hat.shape[0] != y.shape[0]:
        raise ValueError(
            f"y_hat 应为 (n, 类别数)、y 应为 (n,)，收到 {tuple(y_hat.shape)} 与 {tuple(y.shape)}"
        )
    return -torch.log(y_hat[torch.arange(y_hat.shape[0], device=y_hat.device), y])


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """预测正确的样本个数（不是比例）。

    ``y_hat`` 是二维时先按行取 ``argmax`` 得到预测类别，再与 ``y`` 比较。返回 Python 浮点数会让
    CPU 等待设备算完；训练循环里为了不每批同步一次，改用 :func:`count_correct` 得到张量。

    Examples
    --------
    >>> y_hat = torch.tensor([[0.2, 0.1, 0.7], [0.25, 0.6, 0.15]])
    >>> accuracy(y_hat, torch.tensor([2, 0]))
    1.0
    >>> accuracy(y_hat, torch.tensor([2, 0])) / 2
    0.5
    """
    return float(count_correct(y_hat, y))


def count_correct(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """与 :func:`accuracy` 相同，但返回留在原设备上的零维张量，不触发同步。

    Examples
    --------
    >>> count_correct(torch.tensor([[0.2, 0.8], [0.9, 0.1]]), torch.tensor([1, 1]))
    tensor(1)
    """
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)  # 每行得分最大的类别
    if y_hat.dtype != y.dtype:
        y_hat = y_hat.to(y.dtype)  # == 对类型敏感，先统一类型
    if y.shape != y_hat.shape:
        y = y.reshape(y_hat.shape)
    return (y_hat == y).sum()


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    r"""小批量随机梯度下降的一步：:math:`\mathbf{w} \leftarrow \mathbf{w} - \frac{\eta}{|B|} \nabla`。

    约定损失是整个小批量上逐样本损失的**和**，所以梯度要除以 ``batch_size``。更新在
    ``torch.no_grad()`` 下原地进行（更新本身不应进入计算图），更新后把梯度清零，
    因为 PyTorch 默认会把新梯度累加到旧梯度上。

    Parameters
    ----------
    params : 可迭代的张量
        需要更新的参数，每个都已有 ``.grad``。
    lr : float
        学习率，必须为正。
    batch_size : int
        这一小批量的样本数。

    Examples
    --------
    >>> w = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> (w ** 2).sum().backward()   # 梯度 2w = [2, 4]
    >>> sgd([w], lr=0.1, batch_size=2)
    >>> w
    tensor([0.9000, 1.8000], requires_grad=True)
    >>> w.grad
    tensor([0., 0.])
    """
    if not lr > 0:
        raise ValueError(f"lr 必须为正数，收到 {lr!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size 必须是正整数，收到 {batch_size!r}")
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                raise ValueError("有参数没有梯度：请先对损失调用 backward()")
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r"""线性回归模型 :math:`\hat{\mathbf{y}} = \mathbf{X}\mathbf{w} + b` （``b`` 通过广播加到每一行）。

    Examples
    --------
    >>> X = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> w = torch.tensor([[2.0], [-3.4]])
    >>> linreg(X, w, torch.tensor([4.2]))
    tensor([[-0.6000],
            [-3.4000]])
    """
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""逐样本的平方损失 :math:`\frac{1}{2}(\hat{y} - y)^2`。

    ``y`` 先变形成 ``y_hat`` 的形状，避免 ``(n, 1)`` 与 ``(n,)`` 相减时被广播成 ``(n, n)``。
    系数 1/2 让求导后的系数为 1；对样本求平均留给优化算法（见 :func:`sgd`）。

    Examples
    --------
    >>> squared_loss(torch.tensor([[1.0], [2.0]]), torch.tensor([0.0, 4.0]))
    tensor([[0.5000],
            [2.0000]])
    """
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
