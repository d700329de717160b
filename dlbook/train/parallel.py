"""从零实现数据并行：把一个小批量切成 k 份，k 个设备各算一份的梯度，相加后同步更新。

这是“多 GPU 训练”一节写的代码，对应 D2L 的 ``get_params``、``allreduce``、``split_batch``、
``train_batch`` 与 ``train``。模型是 LeNet 的一个变体，写成“参数列表的函数”，这样每个设备上的
一份参数就是一个普通的张量列表，复制、求和、更新都一目了然。

没有 k 块 GPU 时，同样的代码在 k 个 CPU **副本**上运行（:func:`replica_devices`）：每个副本有自己的
一份参数、算自己那一片数据的梯度，只是它们挤在同一个 CPU 上，不会更快。数学上与 k 块 GPU 完全相同。
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from dlbook.ops.basic import sgd
from dlbook.plotting.liveplot import LivePlot
from dlbook.train.loop import EpochRecord, History, evaluate_accuracy
from dlbook.utils.performance import synchronize
from dlbook.utils.timing import Timer

__all__ = [
    "ParamLeNet",
    "allreduce",
    "describe_devices",
    "get_params",
    "lenet_params",
    "param_lenet",
    "replica_devices",
    "ring_allreduce",
    "split_batch",
    "train",
    "train_batch",
]

#: 参数的形状：两个卷积层（20 个 3×3、50 个 5×5 的卷积核）与两个全连接层（800→128→10）。
LENET_SHAPES: tuple[tuple[int, ...], ...] = (
    (20, 1, 3, 3),
    (20,),
    (50, 20, 5, 5),
    (50,),
    (800, 128),
    (128,),
    (128, 10),
    (10,),
)


def lenet_params(
    scale: float = 0.01, *, generator: torch.Generator | None = None
) -> list[torch.Tensor]:
    """LeNet 变体的初始参数 ``[W1, b1, W2, b2, W3, b3, W4, b4]``：权重 ~ N(0, scale²)，偏置为 0。

    Examples
    --------
    >>> params = lenet_params(generator=torch.Generator().manual_seed(0))
    >>> [tuple(p.shape) for p in params[:2]], sum(p.numel() for p in params)
    ([(20, 1, 3, 3), (20,)], 129068)
    """
    params = []
    for shape in LENET_SHAPES:
        if len(shape) == 1:
            params.append(torch.zeros(shape))
        else:
            params.append(torch.randn(shape, generator=generator) * scale)
    return params


def param_lenet(X: torch.Tensor, params: Sequence[torch.Tensor]) -> torch.Tensor:
    """LeNet 变体的前向计算，参数全部由 ``params`` 给出。

    卷积 3×3（20 通道）→ ReLU → 2×2 平均池化 → 卷积 5×5（50 通道）→ ReLU → 2×2 平均池化
    → 展平（50×4×4 = 800）→ 全连接 128 → ReLU → 全连接 10。输入 ``(批量, 1, 28, 28)``，输出 logits。

    Examples
    --------
    >>> param_lenet(torch.zeros(2, 1, 28, 28), lenet_params()).shape
    torch.Size([2, 10])
    """
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    h1 = F.avg_pool2d(F.relu(F.conv2d(X, W1, b1)), kernel_size=2, stride=2)
    h2 = F.avg_pool2d(F.relu(F.conv2d(h1, W2, b2)), kernel_size=2, stride=2)
    h3 = F.relu(h2.reshape(h2.shape[0], -1) @ W3 + b3)
    return h3 @ W4 + b4


class ParamLeNet(nn.Module):
    """把 :func:`param_lenet` 包成 ``nn.Module``，参数放在 ``nn.ParameterList`` 里。

    这样同一个网络也能交给 :func:`dlbook.train_classifier` 与 ``DistributedDataParallel`` 训练。

    Examples
    --------
    >>> net = ParamLeNet(generator=torch.Generator().manual_seed(0))
    >>> net(torch.zeros(3, 1, 28, 28)).shape, len(list(net.parameters()))
    (torch.Size([3, 10]), 8)
    """

    def __init__(self, scale: float = 0.01, *, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.params = nn.ParameterList(
            nn.Parameter(p) for p in lenet_params(scale, generator=generator)
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return param_lenet(X, list(self.params))


def get_params(params: Sequence[torch.Tensor], device: torch.device | str) -> list[torch.Tensor]:
    """把一份参数复制到 ``device``，并让副本需要梯度。每个设备调用一次，得到各自独立的一份。

    Examples
    --------
    >>> copy = get_params(lenet_params(), "cpu")
    >>> copy[1].requires_grad, copy[1].grad is None
    (True, True)
    """
    return [p.detach().clone().to(device).requires_grad_() for p in params]


def allreduce(data: Sequence[torch.Tensor]) -> None:
    """把各设备上的张量加起来，再把和**原地**写回每一个设备：之后 ``data`` 中每个张量都等于总和。

    先把其余设备的值逐个加到 ``data[0]`` 上，再把 ``data[0]`` 复制回其余设备。写回必须是原地的
    （``copy_``）：如果写成 ``data[i] = data[0].to(...)``，只是让列表里的名字指向了新张量，
    设备 ``i`` 上的梯度本身并没有改变。

    Examples
    --------
    >>> data = [torch.ones(1, 2) * (i + 1) for i in range(2)]
    >>> allreduce(data)
    >>> data
    [tensor([[3., 3.]]), tensor([[3., 3.]])]
    """
    for i in range(1, len(data)):
        data[0].add_(data[i].to(data[0].device))
    for i in range(1, len(data)):
        data[i].copy_(data[0].to(data[i].device))


def ring_allreduce(
    data: Sequence[torch.Tensor], *, trace: list[list[torch.Tensor]] | None = None
) -> None:
    """环形全归约：n 个设备排成一个环，每个设备只和下一个设备通信，最后每个设备都得到总和（原地）。

    每个张量切成 n 块。第一阶段（归约—分散，n−1 步）：第 s 步，设备 i 把第 (i−s) mod n 块发给设备 i+1，
    对方把它加到自己的同一块上；n−1 步之后，设备 i 拥有第 (i+1) mod n 块的完整总和。第二阶段
    （全收集，n−1 步）：第 s 步，设备 i 把第 (i+1−s) mod n 块发给设备 i+1，对方直接用它覆盖自己的那一块。
    每一步所有设备同时发送，每次只发 1/n 的数据，所以每个设备一共发送 :math:`2(n-1)/n` 倍张量大小的数据，
    与设备数几乎无关——这就是环形全归约适合大规模训练的原因。

    ``trace`` 是一个列表时，每一步之后把所有设备上张量的副本追加进去（画图用）。

    Examples
    --------
    >>> data = [torch.arange(4.0) * (i + 1) for i in range(3)]
    >>> ring_allreduce(data)
    >>> data
    [tensor([ 0.,  6., 12., 18.]), tensor([ 0.,  6., 12., 18.]), tensor([ 0.,  6., 12., 18.])]
    """
    n = len(data)
    if any(not d.is_contiguous() for d in data):
        raise ValueError("ring_allreduce 需要连续存储的张量（原地修改它们的分块）")
    chunks = [d.view(-1).tensor_split(n) for d in data]  # 视图：修改分块就是修改原张量
    for phase in ("reduce-scatter", "all-gather"):
        for step in range(n - 1):
            # 同一步里所有设备同时发送：先把要发的块都复制出来，再让接收方处理
            offset = -step if phase == "reduce-scatter" else 1 - step
            sends = [(i, (i + offset) % n) for i in range(n)]
            payloads = [chunks[i][c].clone() for i, c in sends]
            for (i, c), payload in zip(sends, payloads):
                receiver = chunks[(i + 1) % n][c]
                payload = payload.to(receiver.device)
                if phase == "reduce-scatter":
                    receiver.add_(payload)
                else:
                    receiver.copy_(payload)
            if trace is not None:
                trace.append([d.detach().clone() for d in data])


def split_batch(
    X: torch.Tensor, y: torch.Tensor, devices: Sequence[torch.device]
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """把一个小批量 ``(X, y)`` 尽量均匀地切成 ``len(devices)`` 片，第 ``i`` 片放到第 ``i`` 个设备上。

    GPU 上 ``nn.parallel.scatter`` 做的是同样的事；这里的写法在 CPU 副本上也能用。

    Examples
    --------
    >>> X, y = torch.arange(20).reshape(5, 4), torch.arange(5)
    >>> Xs, ys = split_batch(X, y, [torch.device("cpu")] * 2)
    >>> [x.shape[0] for x in Xs], ys
    ([3, 2], [tensor([0, 1, 2]), tensor([3, 4])])
    """
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X 与 y 的样本数不同：{X.shape[0]} 与 {y.shape[0]}")
    if not devices:
        raise ValueError("devices 不能为空")
    k = len(devices)
    return (
        [x.to(d, non_blocking=True) for x, d in zip(X.tensor_split(k), devices)],
        [t.to(d, non_blocking=True) for t, d in zip(y.tensor_split(k), devices)],
    )


_loss = nn.CrossEntropyLoss(reduction="none")


def train_batch(
    X: torch.Tensor,
    y: torch.Tensor,
    device_params: Sequence[Sequence[torch.Tensor]],
    devices: Sequence[torch.device],
    lr: float,
) -> torch.Tensor:
    """在 k 个设备上训练一个小批量，返回这个小批量的损失之和（在 ``devices[0]`` 上，不同步）。

    1. 把小批量切成 k 片，分到 k 个设备上；
    2. 每个设备用自己的一份参数算自己那一片的损失之和，并反向传播（各设备可以同时进行）；
    3. 对每一个参数，把 k 个设备上的梯度 ``allreduce``：每个设备都得到整个小批量的梯度之和；
    4. 每个设备用同样的梯度、同样的学习率更新自己的参数，k 份参数因此始终相同。
    """
    X_shards, y_shards = split_batch(X, y, devices)
    losses = [
        _loss(param_lenet(X_shard, params), y_shard).sum()
        for X_shard, y_shard, params in zip(X_shards, y_shards, device_params)
    ]
    for loss in losses:  # 各设备分别反向传播
        loss.backward()
    with torch.no_grad():
        for i in range(len(device_params[0])):  # 第 i 个参数
            allreduce([params[i].grad for params in device_params])
    for params in device_params:  # 除以整个小批量的大小
        sgd(params, lr, X.shape[0])
    return sum(loss.detach().to(devices[0]) for loss in losses)


def replica_devices(k: int) -> list[torch.device]:
    """数据并行用的 k 个设备：本机至少有 k 块 GPU 时用前 k 块，否则用 k 个 CPU 副本。

    Examples
    --------
    >>> devices = replica_devices(2)
    >>> len(devices), devices[0].type in {"cuda", "cpu"}
    (2, True)
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k 必须是正整数，收到 {k!r}")
    if torch.cuda.is_available() and torch.cuda.device_count() >= k:
        return [torch.device("cuda", i) for i in range(k)]
    return [torch.device("cpu")] * k


def describe_devices(devices: Sequence[torch.device]) -> str:
    """设备列表的简短写法：相同的设备合并成 ``2×cpu``，不同的用逗号隔开。

    Examples
    --------
    >>> describe_devices([torch.device("cpu")] * 2)
    '2×cpu'
    >>> describe_devices([torch.device("cuda", 0), torch.device("cuda", 1)])
    'cuda:0, cuda:1'
    """
    names = [str(d) for d in devices]
    if len(set(names)) == 1 and len(names) > 1:
        return f"{len(names)}×{names[0]}"
    return ", ".join(names)


def train(
    devices: Sequence[torch.device],
    batch_size: int,
    lr: float,
    num_epochs: int = 10,
    *,
    num_train: int | None = None,
    num_test: int | None = None,
    seed: int = 0,
    scale: float = 0.01,
    plot: bool = True,
    verbose: bool = True,
) -> History:
    """在 ``devices`` 上用从零实现的数据并行训练 LeNet 变体（Fashion-MNIST），返回 :class:`History`。

    每轮结束后在 ``devices[0]`` 上评估测试准确率。计时包括读数据，停表前同步所有设备。
    ``num_train``、``num_test`` 只取前若干个样本（在 CPU 上快速试跑）。``scale`` 是初始权重的
    标准差（:func:`lenet_params`）：书中的 0.01 要先经过一段很长的平台期才开始学习。
    """
    from dlbook.data import load_fashion_mnist
    from dlbook.utils.seeding import init_generator

    if not devices:
        raise ValueError("devices 不能为空")
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs 必须是正整数，收到 {num_epochs!r}")
    train_iter, test_iter = load_fashion_mnist(
        batch_size, seed=seed, num_train=num_train, num_test=num_test
    )
    params = lenet_params(scale, generator=init_generator(seed))
    device_params = [get_params(params, d) for d in devices]  # 每个设备一份
    live = None
    if plot:
        xlim = (1, num_epochs) if num_epochs > 1 else None
        live = LivePlot(xlabel="epoch", legend=["train loss", "test acc"], xlim=xlim)
    history = History(task="classification", device=describe_devices(devices))
    timer = Timer()
    try:
        for epoch in range(num_epochs):
            timer.start()
            loss_sum = torch.zeros((), device=devices[0])
            n = 0
            for X, y in train_iter:
                loss_sum += train_batch(X, y, device_params, devices, lr)
                n += y.shape[0]
            for d in set(devices):
                synchronize(d)  # 等所有设备算完，计时才准确
            seconds = timer.stop()
            test_acc = evaluate_accuracy(
                lambda X: param_lenet(X, device_params[0]), test_iter, devices[0]
            )
            record = EpochRecord(
                epoch=epoch + 1,
                train_loss=loss_sum.item() / n,
                train_acc=None,
                test_loss=None,
                test_acc=test_acc,
                num_examples=n,
                train_seconds=seconds,
                examples_per_sec=n / seconds,
                wall_time=timer.sum(),
            )
            history.append(record)
            if live is not None:
                live.add(epoch + 1, (record.train_loss, test_acc))
    finally:
        if live is not None:
            live.finish()
    if verbose:
        print(f"{history.summary()}，{timer.avg():.1f} 秒/轮")
    return history
