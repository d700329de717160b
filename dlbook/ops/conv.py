"""卷积与池化的从零实现：二维互相关、多输入/多输出通道、1×1 卷积、最大/平均池化与输出尺寸公式，
以及转置卷积（散布的写法与卷积矩阵转置的写法，:func:`trans_conv`、:func:`trans_conv_by_matrix`）；
文本上用的一维互相关（:func:`corr1d`、多输入通道的 :func:`corr1d_multi_in`）与时间上的最大池化
（:func:`max_over_time_pool`）。

这些函数用 Python 循环逐个窗口计算，目的是把运算讲清楚，而不是追求速度；
测试套件在随机输入上把它们与 ``torch.nn.functional`` 中的 ``conv2d``、``max_pool2d``、
``avg_pool2d``、``conv_transpose2d``、``conv1d`` 与 ``nn.AdaptiveMaxPool1d`` 逐元素对照。
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

__all__ = [
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "pool2d",
    "conv_output_shape",
    "conv2d_flops",
    "learn_kernel",
    "trans_conv",
    "trans_conv_output_shape",
    "conv_matrix",
    "trans_conv_by_matrix",
    "corr1d",
    "corr1d_multi_in",
    "max_over_time_pool",
]

IntOrPair = int | tuple[int, int]


def _pair(value: IntOrPair, name: str, minimum: int) -> tuple[int, int]:
    """把整数或二元组统一成 ``(高, 宽)``，并检查每个分量不小于 ``minimum``。"""
    if isinstance(value, int) and not isinstance(value, bool):
        pair = (value, value)
    elif (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        pair = (value[0], value[1])
    else:
        raise TypeError(f"{name} 必须是整数或两个整数组成的元组，收到 {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} 的每个分量必须 ≥ {minimum}，收到 {value!r}")
    return pair


def conv_output_shape(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> tuple[int, int]:
    """卷积或池化输出的 ``(高, 宽)``：``⌊(n - k + 2p + s) / s⌋``，每个方向分别计算。

    ``padding`` 是每一侧填充的行（列）数，上下（左右）各填 ``p``，共 ``2p``。

    Parameters
    ----------
    input_size : int 或 (int, int)
        输入的高和宽 ``n``。
    kernel_size : int 或 (int, int)
        卷积核（池化窗口）的高和宽 ``k``。
    padding : int 或 (int, int), 默认 0
        每侧填充 ``p``。
    stride : int 或 (int, int), 默认 1
        步幅 ``s``。

    Returns
    -------
    (int, int)
        输出的高和宽。

    Raises
    ------
    ValueError
        参数为负、步幅或核为 0，或者核比填充后的输入还大。

    Examples
    --------
    >>> conv_output_shape(8, 3, padding=1)
    (8, 8)
    >>> conv_output_shape(8, (3, 5), padding=(0, 1), stride=(3, 4))
    (2, 2)
    """
    n_h, n_w = _pair(input_size, "input_size", 1)
    k_h, k_w = _pair(kernel_size, "kernel_size", 1)
    p_h, p_w = _pair(padding, "padding", 0)
    s_h, s_w = _pair(stride, "stride", 1)
    if k_h > n_h + 2 * p_h or k_w > n_w + 2 * p_w:
        raise ValueError(
            f"kernel_size {(k_h, k_w)} 大于填充后的输入 {(n_h + 2 * p_h, n_w + 2 * p_w)}"
        )
    return (n_h - k_h + 2 * p_h + s_h) // s_h, (n_w - k_w + 2 * p_w + s_w) // s_w


def conv2d_flops(
    in_channels: int, out_channels: int, kernel_size: IntOrPair, output_size: IntOrPair
) -> int:
    r"""一个样本通过卷积层的前向计算量（浮点运算次数，乘法与加法各算一次，不计偏置）。

    每个输出元素是 :math:`c_i k_h k_w` 个乘积之和，共有 :math:`c_o m_h m_w` 个输出元素，
    所以一次前向约为 :math:`2\,c_o c_i k_h k_w m_h m_w` 次浮点运算（“乘加”次数的两倍）。

    Parameters
    ----------
    in_channels, out_channels : int
        输入、输出通道数 :math:`c_i`、:math:`c_o`。
    kernel_size : int 或 (int, int)
        卷积核的高和宽。
    output_size : int 或 (int, int)
        输出的高和宽 :math:`m_h, m_w`，可以用 :func:`conv_output_shape` 求出。

    Examples
    --------
    >>> conv2d_flops(1, 1, 2, 2)  # 4 个输出，每个 4 次乘法和 4 次加法
    32
    >>> conv2d_flops(100, 100, 5, conv_output_shape(64, 5, padding=2))
    2048000000
    """
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} 必须是正整数，收到 {value!r}")
    k_h, k_w = _pair(kernel_size, "kernel_size", 1)
    m_h, m_w = _pair(output_size, "output_size", 1)
    return 2 * out_channels * in_channels * k_h * k_w * m_h * m_w


def _check_2d(X: torch.Tensor, name: str) -> None:
    if not isinstance(X, torch.Tensor) or X.dim() != 2:
        shape = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
        raise ValueError(f"{name} 必须是二维张量（高, 宽），收到 {shape}")


def corr2d(
    X: torch.Tensor, K: torch.Tensor, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> torch.Tensor:
    """二维互相关：让核 ``K`` 在输入 ``X`` 上滑动，每个位置求对应元素乘积之和。

    深度学习里的“卷积层”做的就是这个运算（数学上的卷积还要把核上下、左右翻转）。
    计算可以求导，所以也能用来搭一个可学习的卷积层。

    Parameters
    ----------
    X : Tensor, 形状 (n_h, n_w)
        输入。
    K : Tensor, 形状 (k_h, k_w)
        核。
    padding : int 或 (int, int), 默认 0
        输入四周各补多少圈 0。
    stride : int 或 (int, int), 默认 1
        窗口每次在高、宽方向移动的步数。

    Returns
    -------
    Tensor, 形状由 :func:`conv_output_shape` 给出

    Examples
    --------
    >>> X = torch.arange(9.0).reshape(3, 3)
    >>> K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    >>> corr2d(X, K)
    tensor([[19., 25.],
            [37., 43.]])
    >>> corr2d(X, K, padding=1, stride=2).shape
    torch.Size([2, 2])
    """
    _check_2d(X, "X")
    _check_2d(K, "K")
    p_h, p_w = _pair(padding, "padding", 0)
    s_h, s_w = _pair(stride, "stride", 1)
    out_h, out_w = conv_output_shape(tuple(X.shape), tuple(K.shape), (p_h, p_w), (s_h, s_w))
    if p_h or p_w:
        X = F.pad(X, (p_w, p_w, p_h, p_h))  # 左、右、上、下各补 0
    k_h, k_w = K.shape
    Y = X.new_zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = X[i * s_h : i * s_h + k_h, j * s_w : j * s_w + k_w]
            Y[i, j] = (window * K).sum()
    return Y


def corr2d_multi_in(
    X: torch.Tensor, K: torch.Tensor, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> torch.Tensor:
    """多输入通道的互相关：每个通道与自己的核做 :func:`corr2d`，再把各通道的结果相加。

    Parameters
    ----------
    X : Tensor, 形状 (c_i, n_h, n_w)
    K : Tensor, 形状 (c_i, k_h, k_w)
    padding, stride
        同 :func:`corr2d`。

    Returns
    -------
    Tensor, 形状 (out_h, out_w)：输出只有一个通道。

    Examples
    --------
    >>> X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
    >>> K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    >>> corr2d_multi_in(X, K)
    tensor([[ 56.,  72.],
            [104., 120.]])
    """
    if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0]:
        raise ValueError(
            f"X 与 K 必须是三维张量且通道数相同，收到 X {tuple(X.shape)}、K {tuple(K.shape)}"
        )
    return sum(corr2d(x, k, padding, stride) for x, k in zip(X, K))


def corr2d_multi_in_out(
    X: torch.Tensor, K: torch.Tensor, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> torch.Tensor:
    """多输入、多输出通道的互相关：每个输出通道有一组 ``c_i`` 个核，结果沿第 0 维叠起来。

    Parameters
    ----------
    X : Tensor, 形状 (c_i, n_h, n_w)
    K : Tensor, 形状 (c_o, c_i, k_h, k_w)
    padding, stride
        同 :func:`corr2d`。

    Returns
    -------
    Tensor, 形状 (c_o, out_h, out_w)

    Examples
    --------
    >>> X = torch.rand(2, 3, 3)
    >>> K = torch.rand(3, 2, 2, 2)
    >>> corr2d_multi_in_out(X, K).shape
    torch.Size([3, 2, 2])
    """
    if K.dim() != 4:
        raise ValueError(f"K 必须是四维张量 (c_o, c_i, k_h, k_w)，收到 {tuple(K.shape)}")
    return torch.stack([corr2d_multi_in(X, k, padding, stride) for k in K], 0)


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """1×1 卷积写成矩阵乘法：把每个像素的 ``c_i`` 个通道当作一个样本的特征，做一次全连接。

    Parameters
    ----------
    X : Tensor, 形状 (c_i, h, w)
    K : Tensor, 形状 (c_o, c_i, 1, 1)

    Returns
    -------
    Tensor, 形状 (c_o, h, w)：与 ``corr2d_multi_in_out(X, K)`` 相等。

    Examples
    --------
    >>> X, K = torch.rand(3, 4, 4), torch.rand(2, 3, 1, 1)
    >>> torch.allclose(corr2d_multi_in_out_1x1(X, K), corr2d_multi_in_out(X, K), atol=1e-6)
    True
    """
    if X.dim() != 3 or K.dim() != 4 or K.shape[2:] != (1, 1) or K.shape[1] != X.shape[0]:
        raise ValueError(
            f"需要 X 形状 (c_i, h, w) 与 K 形状 (c_o, c_i, 1, 1)，"
            f"收到 X {tuple(X.shape)}、K {tuple(K.shape)}"
        )
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape((c_i, h * w))  # 每一列是一个像素的全部通道
    K = K.reshape((c_o, c_i))  # 每一行是一个输出通道的权重
    Y = torch.matmul(K, X)  # 全连接层的矩阵乘法
    return Y.reshape((c_o, h, w))


def pool2d(
    X: torch.Tensor,
    pool_size: IntOrPair,
    mode: str = "max",
    padding: IntOrPair = 0,
    stride: IntOrPair | None = None,
) -> torch.Tensor:
    """二维最大池化或平均池化：窗口在最后两维上滑动，每个位置取窗口内的最大值或平均值。

    前面的维度（例如通道）原样保留：池化对每个通道分别进行，不把通道相加。

    Parameters
    ----------
    X : Tensor, 形状 (..., n_h, n_w)
        输入；可以有任意多个前导维度，例如 ``(通道, 高, 宽)``。
    pool_size : int 或 (int, int)
        池化窗口的高和宽。
    mode : {'max', 'avg'}, 默认 'max'
        最大池化或平均池化。
    padding : int 或 (int, int), 默认 0
        四周各补的圈数。最大池化补 ``-inf`` （补的位置永远不会被选中），
        平均池化补 0 且把补的位置计入分母，与 PyTorch 的默认行为
        （``count_include_pad=True``）一致。
    stride : int 或 (int, int) 或 None, 默认 None
        步幅。``None`` 表示 1，即窗口逐像素滑动，与正文手写的版本一致；
        注意 ``nn.MaxPool2d`` 与 ``nn.AvgPool2d`` 的默认步幅等于窗口大小。

    Returns
    -------
    Tensor, 形状 (..., out_h, out_w)

    Examples
    --------
    >>> X = torch.arange(9.0).reshape(3, 3)
    >>> pool2d(X, (2, 2))
    tensor([[4., 5.],
            [7., 8.]])
    >>> pool2d(X, 2, mode="avg")
    tensor([[2., 3.],
            [5., 6.]])
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"mode 必须是 'max' 或 'avg'，收到 {mode!r}")
    if not isinstance(X, torch.Tensor) or X.dim() < 2:
        raise ValueError("X 至少要有两维（高, 宽）")
    p_h, p_w = _pair(pool_size, "pool_size", 1)
    pad_h, pad_w = _pair(padding, "padding", 0)
    s_h, s_w = _pair(1 if stride is None else stride, "stride", 1)
    out_h, out_w = conv_output_shape(tuple(X.shape[-2:]), (p_h, p_w), (pad_h, pad_w), (s_h, s_w))
    if pad_h or pad_w:
        fill = float("-inf") if mode == "max" else 0.0
        X = F.pad(X, (pad_w, pad_w, pad_h, pad_h), value=fill)
    Y = X.new_zeros(X.shape[:-2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = X[..., i * s_h : i * s_h + p_h, j * s_w : j * s_w + p_w]
            if mode == "max":
                Y[..., i, j] = window.amax(dim=(-2, -1))
            else:
                Y[..., i, j] = window.mean(dim=(-2, -1))
    return Y


def learn_kernel(
    X: torch.Tensor,
    Y: torch.Tensor,
    kernel_size: IntOrPair,
    num_steps: int = 10,
    lr: float = 3e-2,
    *,
    seed: int = 0,
    print_every: int | None = 2,
) -> tuple[torch.Tensor, list[float]]:
    """从输入 ``X`` 与目标输出 ``Y`` 学出一个卷积核：对平方误差之和做梯度下降。

    核用一个不带偏置的 ``nn.Conv2d(1, 1, kernel_size)`` 表示，初始值由 ``seed`` 决定。

    Parameters
    ----------
    X : Tensor, 形状 (n_h, n_w)
        输入图像。
    Y : Tensor, 形状 (n_h - k_h + 1, n_w - k_w + 1)
        希望卷积层输出的结果。
    kernel_size : int 或 (int, int)
        要学习的核的形状。
    num_steps : int, 默认 10
        梯度下降的步数。
    lr : float, 默认 3e-2
        学习率。
    seed : int, 默认 0
        初始化核的随机种子。
    print_every : int 或 None, 默认 2
        每隔多少步打印一次损失；``None`` 表示不打印。

    Returns
    -------
    kernel : Tensor, 形状 kernel_size
        学到的核。
    losses : list of float
        每一步更新之前的损失。

    Examples
    --------
    >>> X = torch.ones(6, 8)
    >>> X[:, 2:6] = 0
    >>> Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    >>> kernel, losses = learn_kernel(X, Y, (1, 2), num_steps=30, print_every=None)
    >>> losses[-1] < 1e-3 * losses[0], kernel.round(decimals=1)
    (True, tensor([[ 1., -1.]]))
    """
    _check_2d(X, "X")
    _check_2d(Y, "Y")
    k_h, k_w = _pair(kernel_size, "kernel_size", 1)
    if tuple(Y.shape) != conv_output_shape(tuple(X.shape), (k_h, k_w)):
        raise ValueError(
            f"Y 的形状 {tuple(Y.shape)} 与 X {tuple(X.shape)} 和核 {(k_h, k_w)} 的输出形状不符"
        )
    if num_steps < 1:
        raise ValueError(f"num_steps 必须 ≥ 1，收到 {num_steps}")
    with torch.random.fork_rng(devices=[]):  # 只在这里使用种子，不改变全局的随机数状态
        torch.manual_seed(seed)
        conv2d = torch.nn.Conv2d(1, 1, kernel_size=(k_h, k_w), bias=False)
    X = X.reshape((1, 1) + tuple(X.shape))  # 批量大小、通道、高、宽
    Y = Y.reshape((1, 1) + tuple(Y.shape))
    losses = []
    for i in range(num_steps):
        loss = ((conv2d(X) - Y) ** 2).sum()
        conv2d.zero_grad()
        loss.backward()
        with torch.no_grad():
            conv2d.weight -= lr * conv2d.weight.grad  # 梯度下降
        losses.append(loss.item())
        if print_every and (i + 1) % print_every == 0:
            print(f"step {i + 1}, loss {losses[-1]:.3f}")
    return conv2d.weight.detach().reshape(k_h, k_w), losses


def _as_channels(X: torch.Tensor, K: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """把单通道的 ``X (h, w)``、``K (k_h, k_w)`` 变成多通道的写法；第三项说明原来是否单通道。"""
    if X.dim() == 2 and K.dim() == 2:
        return X[None], K[None, None], True
    if X.dim() == 3 and K.dim() == 4 and K.shape[0] == X.shape[0]:
        return X, K, False
    raise ValueError(
        f"需要 X (h, w) 与 K (k_h, k_w)，或 X (c_i, h, w) 与 K (c_i, c_o, k_h, k_w)，"
        f"收到 X {tuple(X.shape)}、K {tuple(K.shape)}"
    )


def trans_conv_output_shape(
    input_size: IntOrPair, kernel_size: IntOrPair, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> tuple[int, int]:
    """转置卷积输出的 ``(高, 宽)``：``(n - 1) s + k - 2p``，与 ``nn.ConvTranspose2d`` 相同
    （``output_padding=0``）。把这个大小的输入做同样参数的卷积，得到的正是大小 ``n`` 的输出。

    Examples
    --------
    >>> trans_conv_output_shape(2, 2, stride=2)
    (4, 4)
    >>> trans_conv_output_shape(4, 64, padding=16, stride=32)  # FCN：放大 32 倍
    (128, 128)
    """
    n_h, n_w = _pair(input_size, "input_size", 1)
    k_h, k_w = _pair(kernel_size, "kernel_size", 1)
    p_h, p_w = _pair(padding, "padding", 0)
    s_h, s_w = _pair(stride, "stride", 1)
    shape = ((n_h - 1) * s_h + k_h - 2 * p_h, (n_w - 1) * s_w + k_w - 2 * p_w)
    if min(shape) < 1:
        raise ValueError(f"padding {(p_h, p_w)} 太大：输出的形状 {shape} 不是正数")
    return shape


def trans_conv(
    X: torch.Tensor, K: torch.Tensor, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> torch.Tensor:
    """转置卷积的“散布”写法：输入的每个元素乘以整个核，加到输出上以 ``(i s, j s)`` 为左上角的窗口里。

    卷积把一个窗口 **汇总** 成一个输出元素；转置卷积反过来，把一个输入元素 **散布** 到一个窗口。
    步幅 ``s`` 让相邻输入元素的窗口相隔 ``s`` 个像素（输出因此放大约 ``s`` 倍）；填充 ``p``
    与卷积相反：从散布的结果四周 **删去** ``p`` 行（列）。

    Parameters
    ----------
    X : Tensor, 形状 (n_h, n_w) 或 (c_i, n_h, n_w)
        输入。
    K : Tensor, 形状 (k_h, k_w) 或 (c_i, c_o, k_h, k_w)
        核；多通道时的排列与 ``nn.ConvTranspose2d.weight`` 相同（输入通道在前）。
    padding, stride : int 或 (int, int)
        含义与 ``nn.ConvTranspose2d`` 相同。

    Returns
    -------
    Tensor, 形状 (m_h, m_w) 或 (c_o, m_h, m_w)，大小由 :func:`trans_conv_output_shape` 给出。

    Examples
    --------
    >>> X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    >>> K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    >>> trans_conv(X, K)
    tensor([[ 0.,  0.,  1.],
            [ 0.,  4.,  6.],
            [ 4., 12.,  9.]])
    >>> trans_conv(X, K, stride=2)
    tensor([[0., 0., 0., 1.],
            [0., 0., 2., 3.],
            [0., 2., 0., 3.],
            [4., 6., 6., 9.]])
    """
    X, K, single = _as_channels(X, K)
    p_h, p_w = _pair(padding, "padding", 0)
    s_h, s_w = _pair(stride, "stride", 1)
    _, n_h, n_w = X.shape
    k_h, k_w = K.shape[2:]
    out_h, out_w = trans_conv_output_shape((n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w))
    Y = X.new_zeros((K.shape[1], (n_h - 1) * s_h + k_h, (n_w - 1) * s_w + k_w))
    for i in range(n_h):
        for j in range(n_w):
            # 每个输入通道的这个元素乘以它的核 (c_o, k_h, k_w)，各输入通道相加，散布到窗口里
            Y[:, i * s_h : i * s_h + k_h, j * s_w : j * s_w + k_w] += (
                X[:, i, j, None, None, None] * K
            ).sum(0)
    Y = Y[:, p_h : p_h + out_h, p_w : p_w + out_w]  # 填充：删去四周各 p 行（列）
    return Y[0] if single else Y


def conv_matrix(
    K: torch.Tensor, input_size: IntOrPair, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> torch.Tensor:
    """把卷积写成矩阵：返回 ``W``，使得 ``conv(X).reshape(-1) == W @ X.reshape(-1)``。

    ``W`` 的每一行对应一个输出元素，行里的非零项就是核在那个窗口里的权重（填充出来的位置是 0，
    不对应任何输入，所以直接略去）。

    Parameters
    ----------
    K : Tensor, 形状 (k_h, k_w) 或 (c_o, c_i, k_h, k_w)
        卷积核（多通道时与 ``nn.Conv2d.weight`` 的排列相同）。
    input_size : int 或 (int, int)
        输入的高和宽。
    padding, stride
        同 :func:`corr2d`。

    Returns
    -------
    Tensor, 形状 (c_o m_h m_w, c_i n_h n_w)
        单通道时 ``c_o = c_i = 1``。

    Examples
    --------
    >>> K = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> conv_matrix(K, 3)
    tensor([[1., 2., 0., 3., 4., 0., 0., 0., 0.],
            [0., 1., 2., 0., 3., 4., 0., 0., 0.],
            [0., 0., 0., 1., 2., 0., 3., 4., 0.],
            [0., 0., 0., 0., 1., 2., 0., 3., 4.]])
    """
    if K.dim() == 2:
        K = K[None, None]
    elif K.dim() != 4:
        raise ValueError(f"K 必须是 (k_h, k_w) 或 (c_o, c_i, k_h, k_w)，收到 {tuple(K.shape)}")
    c_o, c_i, k_h, k_w = K.shape
    n_h, n_w = _pair(input_size, "input_size", 1)
    p_h, p_w = _pair(padding, "padding", 0)
    s_h, s_w = _pair(stride, "stride", 1)
    out_h, out_w = conv_output_shape((n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w))
    W = K.new_zeros((c_o, out_h, out_w, c_i, n_h, n_w))
    for i in range(out_h):
        for j in range(out_w):
            for a in range(k_h):
                for b in range(k_w):
                    r, c = i * s_h + a - p_h, j * s_w + b - p_w  # 核的 (a, b) 落在输入的 (r, c)
                    if 0 <= r < n_h and 0 <= c < n_w:
                        W[:, i, j, :, r, c] = K[:, :, a, b]
    return W.reshape(c_o * out_h * out_w, c_i * n_h * n_w)


def trans_conv_by_matrix(
    X: torch.Tensor, K: torch.Tensor, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> torch.Tensor:
    """转置卷积的“矩阵”写法：乘以卷积矩阵的转置 :math:`W^\\top`。

    ``W = conv_matrix(K, m, padding, stride)`` 是把大小 ``m`` （:func:`trans_conv_output_shape`）的
    输入卷积成大小 ``n`` 的输出的矩阵；同一个核、同样的参数，转置卷积就是 ``W.T @ X.reshape(-1)``。
    卷积把 ``c_i m_h m_w`` 维的向量变成 ``c_o n_h n_w`` 维，转置卷积把形状换回来——所以叫“转置”。
    参数与返回值同 :func:`trans_conv` （``K`` 的第 0 维是转置卷积的输入通道，也就是卷积的输出通道）。

    Examples
    --------
    >>> X, K = torch.rand(2, 2), torch.rand(3, 3)
    >>> torch.allclose(trans_conv_by_matrix(X, K, stride=2), trans_conv(X, K, stride=2))
    True
    """
    X, K, single = _as_channels(X, K)
    n = tuple(X.shape[1:])
    m_h, m_w = trans_conv_output_shape(n, tuple(K.shape[2:]), padding, stride)
    W = conv_matrix(K, (m_h, m_w), padding, stride)  # (c_i n_h n_w, c_o m_h m_w)
    Y = (W.T @ X.reshape(-1)).reshape(K.shape[1], m_h, m_w)
    return Y[0] if single else Y


def corr1d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """一维互相关：宽为 ``w`` 的核 ``K`` 在序列 ``X`` 上从左到右滑动，每个位置求对应元素乘积之和。

    输出长度是 ``n - w + 1`` （不填充、步幅 1），第 ``i`` 个输出是 ``X[i : i + w]`` 与 ``K`` 的内积。
    它就是高为 1 的 :func:`corr2d`。

    Parameters
    ----------
    X : Tensor, 形状 (n,)
        输入序列。
    K : Tensor, 形状 (w,)
        核，``w <= n``。

    Returns
    -------
    Tensor, 形状 (n - w + 1,)

    Raises
    ------
    ValueError
        ``X`` 或 ``K`` 不是一维张量，或核比输入长。

    Examples
    --------
    >>> X, K = torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), torch.tensor([1.0, 2.0])
    >>> corr1d(X, K)
    tensor([ 2.,  5.,  8., 11., 14., 17.])
    >>> torch.equal(corr1d(X, K), corr2d(X[None], K[None])[0])
    True
    """
    if not isinstance(X, torch.Tensor) or not isinstance(K, torch.Tensor):
        raise ValueError("X 与 K 必须是张量")
    if X.dim() != 1 or K.dim() != 1:
        raise ValueError(f"X 与 K 必须是一维张量，收到 X {tuple(X.shape)}、K {tuple(K.shape)}")
    w = K.shape[0]
    if not 1 <= w <= X.shape[0]:
        raise ValueError(f"核的宽度 {w} 必须在 1 与输入长度 {X.shape[0]} 之间")
    Y = X.new_zeros(X.shape[0] - w + 1)
    for i in range(Y.shape[0]):
        Y[i] = (X[i : i + w] * K).sum()
    return Y


def corr1d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """多输入通道的一维互相关：每个通道与自己的核做 :func:`corr1d`，再把各通道的结果相加。

    文本的每个词元是一个 ``d`` 维的词向量，把 ``d`` 个分量看作 ``d`` 个通道，整句就是形状
    ``(d, 句长)`` 的输入。这个运算等于一个高为 ``c_i`` （与输入同高）的二维互相关：核在高的方向上
    没有滑动的余地，只沿序列滑动（见最后一个例子）。

    Parameters
    ----------
    X : Tensor, 形状 (c_i, n)
    K : Tensor, 形状 (c_i, w)

    Returns
    -------
    Tensor, 形状 (n - w + 1,)：输出只有一个通道。

    Examples
    --------
    >>> X = torch.tensor([[0.0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 7], [2, 3, 4, 5, 6, 7, 8]])
    >>> K = torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, -3.0]])
    >>> corr1d_multi_in(X, K)
    tensor([ 2.,  8., 14., 20., 26., 32.])
    >>> torch.equal(corr1d_multi_in(X, K), corr2d(X, K)[0])  # 高为 3 的二维互相关
    True
    """
    if X.dim() != 2 or K.dim() != 2 or X.shape[0] != K.shape[0]:
        raise ValueError(
            f"X 与 K 必须是二维张量 (通道, 长度) 且通道数相同，收到 X {tuple(X.shape)}、K {tuple(K.shape)}"
        )
    return sum(corr1d(x, k) for x, k in zip(X, K))


def max_over_time_pool(X: torch.Tensor) -> torch.Tensor:
    """时间上的最大池化（max-over-time pooling）：每个通道取整个序列上的最大值，去掉时间维。

    不论序列多长，每个通道都只留下一个数，所以不同宽度的卷积核（输出长度不同）的结果可以拼接起来。
    这里逐个时间步比较，与 ``nn.AdaptiveMaxPool1d(1)`` （以及 ``X.amax(dim=-1)``）的结果相同。

    Parameters
    ----------
    X : Tensor, 形状 (..., 通道, 时间步)
        例如一批卷积层的输出 ``(批量, 通道, 时间步)``。

    Returns
    -------
    Tensor, 形状 (..., 通道)

    Examples
    --------
    >>> X = torch.tensor([[[1.0, 5.0, 2.0], [-3.0, -1.0, -2.0]]])
    >>> max_over_time_pool(X)
    tensor([[ 5., -1.]])
    >>> torch.equal(max_over_time_pool(X), torch.nn.AdaptiveMaxPool1d(1)(X).squeeze(-1))
    True
    """
    if not isinstance(X, torch.Tensor) or X.dim() < 1 or X.shape[-1] < 1:
        raise ValueError("X 的最后一维是时间步，至少要有一个时间步")
    Y = X[..., 0]
    for t in range(1, X.shape[-1]):
        Y = torch.maximum(Y, X[..., t])
    return Y
