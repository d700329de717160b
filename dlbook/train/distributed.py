"""多进程数据并行：让全书的训练循环在 ``torchrun`` 启动的多个进程上运行。

``torchrun --nproc_per_node=N script.py`` 启动 N 个进程，每个进程都运行同一个脚本，
环境变量 ``RANK`` （全局编号）、``LOCAL_RANK`` （本机编号）、``WORLD_SIZE`` （进程总数）、
``MASTER_ADDR`` 与 ``MASTER_PORT`` （会合点）告诉它“我是谁、一共几个、到哪里集合”。
本模块提供训练循环需要的几样东西：

* :func:`init_distributed`：读这些环境变量，建立进程组（GPU 上用 NCCL，CPU 上用 gloo），
  为每个进程选好设备，并给所有集合通信设一个超时——某个进程崩溃或卡住时，其余进程报错退出，
  而不是永远等下去；
* :class:`ShardedBatches`：分布式采样器在本书张量加载器上的等价物。每一轮各进程拿到
  每个全局批次中互不相交的一片，合起来恰好是整个数据集一次；每轮按共同的种子重新打乱；
* :func:`distributed_train_step`：各进程批量不同时也与单进程等价的一步训练；
* :func:`all_reduce_sum`：把各进程的指标（损失之和、正确数、样本数）加起来；
* :func:`print_main`、:func:`rank_log`：只让 0 号进程打印结果，每个进程的日志带上编号；
* :func:`distributed_command`：让 ``python -m dlbook run`` 在 ``torchrun`` 下工作；
* :func:`measure_allreduce`：在本机起几个进程，测量不同大小的张量做一次全归约要多久。

不在 ``torchrun`` 下运行时（``WORLD_SIZE`` 未设置或为 1），这些函数都退化为单进程的行为。
导入本模块不会建立进程组，也不会探测硬件。
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import io
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from dlbook.data.loader import TensorBatches

__all__ = [
    "DEFAULT_TIMEOUT",
    "DistributedInfo",
    "ShardedBatches",
    "all_reduce_sum",
    "distributed_command",
    "distributed_train_step",
    "gather_objects",
    "get_rank",
    "get_world_size",
    "init_distributed",
    "is_distributed",
    "is_main_process",
    "measure_allreduce",
    "print_main",
    "rank_log",
    "shard_batches",
    "shard_sizes",
    "shutdown_distributed",
    "sync_batchnorm_devices",
    "unwrap_model",
    "wrap_model",
]

#: 集合通信的默认超时（秒）；环境变量 ``DLBOOK_DIST_TIMEOUT`` 可以改变它。
DEFAULT_TIMEOUT = 300.0
TIMEOUT_ENV = "DLBOOK_DIST_TIMEOUT"


# ---------------------------------------------------------------------------
# 进程组
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DistributedInfo:
    """当前进程在进程组中的位置。

    Attributes
    ----------
    rank : int
        全局编号，0 到 ``world_size - 1``。
    world_size : int
        进程总数；为 1 表示普通的单进程运行。
    local_rank : int
        在本机上的编号，用来挑选本机的第几块 GPU。
    device : torch.device
        这个进程用来训练的设备。
    backend : str or None
        通信后端（``"nccl"`` 或 ``"gloo"``）；单进程时为 ``None``。
    """

    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: str | None

    @property
    def is_main(self) -> bool:
        """是否是 0 号进程（只有它打印结果、画图、写文件）。"""
        return self.rank == 0

    def describe(self) -> str:
        """一句话说明，例如 ``进程 1/2（本机第 1 个），设备 cpu，后端 gloo``。"""
        if self.world_size == 1:
            return f"单进程，设备 {self.device}"
        return (
            f"进程 {self.rank}/{self.world_size}（本机第 {self.local_rank} 个），"
            f"设备 {self.device}，后端 {self.backend}"
        )


def is_distributed() -> bool:
    """是否已经建立了多于一个进程的进程组。

    Examples
    --------
    >>> is_distributed()
    False
    """
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def get_rank() -> int:
    """当前进程的全局编号；没有进程组时为 0。"""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def get_world_size() -> int:
    """进程总数；没有进程组时为 1。

    Examples
    --------
    >>> get_rank(), get_world_size(), is_main_process()
    (0, 1, True)
    """
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def is_main_process() -> bool:
    """当前进程是否是 0 号进程（单进程时总是）。"""
    return get_rank() == 0


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError as err:
        raise ValueError(f"环境变量 {name} 应是整数，收到 {text!r}") from err


def _timeout_seconds(timeout: float | None) -> float:
    if timeout is None:
        text = os.environ.get(TIMEOUT_ENV)
        timeout = float(text) if text else DEFAULT_TIMEOUT
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout 必须是正的秒数，收到 {timeout!r}")
    return float(timeout)


def _pick_device(device: torch.device | str | None, local_rank: int) -> torch.device:
    if device is None or device == "auto":
        if torch.cuda.is_available() and local_rank < torch.cuda.device_count():
            return torch.device("cuda", local_rank)
        return torch.device("cpu")  # MPS 不支持进程组，多进程时退回 CPU
    device = torch.device(device)
    if device.type == "cuda" and device.index is None:
        return torch.device("cuda", local_rank)  # “cuda” 表示本机第 LOCAL_RANK 块 GPU
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"多进程训练只支持 cpu 与 cuda 设备，收到 {device}")
    return device


def init_distributed(
    device: torch.device | str | None = None,
    *,
    backend: str | None = None,
    timeout: float | None = None,
) -> DistributedInfo:
    """按 ``torchrun`` 设置的环境变量建立进程组，返回本进程的 :class:`DistributedInfo`。

    Parameters
    ----------
    device : torch.device or str, optional
        ``None`` 或 ``"auto"``：有 GPU 时用本机第 ``LOCAL_RANK`` 块，否则用 CPU；
        ``"cuda"``：同样按 ``LOCAL_RANK`` 挑选；也可以给出确定的设备。
    backend : {"nccl", "gloo"}, optional
        默认 GPU 用 NCCL，CPU 用 gloo。
    timeout : float, optional
        集合通信等待其他进程的最长秒数，默认读 ``DLBOOK_DIST_TIMEOUT``，再默认 300 秒。
        某个进程崩溃或卡住时，其余进程最多等这么久就报错，而不是永远挂起。

    环境变量 ``WORLD_SIZE`` 未设置或为 1 时不建立进程组，返回单进程的信息；
    进程组已经建立时直接返回它的信息。

    Examples
    --------
    >>> info = init_distributed("cpu")          # 不在 torchrun 下：单进程
    >>> info.world_size, info.rank, info.is_main, info.backend
    (1, 0, True, None)
    """
    local_rank = _env_int("LOCAL_RANK", 0)
    if dist.is_available() and dist.is_initialized():
        chosen = _pick_device(device, local_rank)
        return DistributedInfo(
            dist.get_rank(), dist.get_world_size(), local_rank, chosen, dist.get_backend()
        )
    world_size = _env_int("WORLD_SIZE", 1)
    if world_size <= 1:
        from dlbook.utils.devices import best_device

        chosen = best_device() if device in (None, "auto") else torch.device(device)
        return DistributedInfo(0, 1, 0, chosen, None)
    if not dist.is_available():
        raise RuntimeError("这个 PyTorch 没有编译 torch.distributed，无法多进程训练")
    rank = _env_int("RANK", 0)
    chosen = _pick_device(device, local_rank)
    if chosen.type == "cuda":
        torch.cuda.set_device(chosen)
    backend = backend or ("nccl" if chosen.type == "cuda" else "gloo")
    seconds = _timeout_seconds(timeout)
    dist.init_process_group(
        backend,
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=seconds),
    )
    return DistributedInfo(rank, world_size, local_rank, chosen, backend)


def shutdown_distributed() -> None:
    """销毁进程组（没有进程组时什么也不做）。"""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


# ---------------------------------------------------------------------------
# 打印与日志
# ---------------------------------------------------------------------------


def print_main(*args: Any, **kwargs: Any) -> None:
    """只在 0 号进程上 ``print``：N 个进程训练同一个模型，结果只需要打印一次。

    Examples
    --------
    >>> print_main("只打印一次")
    只打印一次
    """
    if is_main_process():
        print(*args, **kwargs)


def rank_log(message: str) -> None:
    """多进程时，每个进程都把 ``[rank r/N] message`` 写到标准错误（单进程时什么也不做）。

    日志写到标准错误，结果写到标准输出：``torchrun`` 把各进程的输出汇在一起，带编号的日志
    分得清是谁写的，标准输出里则只有 0 号进程的结果。
    """
    if is_distributed():
        # 整行一次写出：几个进程同时写同一个终端时，行与行不会交错在一起
        sys.stderr.write(f"[rank {get_rank()}/{get_world_size()}] {message}\n")
        sys.stderr.flush()


# ---------------------------------------------------------------------------
# 模型与指标
# ---------------------------------------------------------------------------


def sync_batchnorm_devices() -> tuple[str, ...]:
    """本版本 PyTorch 的 ``nn.SyncBatchNorm`` 在多进程时支持的设备类型。

    ``nn.SyncBatchNorm`` 前向时检查输入所在的设备，只接受 GPU 一类的设备（CUDA、XPU、HPU 与
    ``privateuse1`` 后端）；CPU 上的张量（gloo 后端）会在第一次前向时报错。

    Examples
    --------
    >>> "cuda" in sync_batchnorm_devices(), "cpu" in sync_batchnorm_devices()
    (True, False)
    """
    return ("cuda", "xpu", "hpu", torch._C._get_privateuse1_backend_name())


def wrap_model(net: nn.Module, device: torch.device, *, sync_batchnorm: bool = False) -> nn.Module:
    """多进程时把模型包进 ``DistributedDataParallel``，单进程时原样返回。

    ``DistributedDataParallel`` 在构造时把 0 号进程的参数广播给所有进程（各进程从相同的初值出发），
    之后每次反向传播都在各进程之间对梯度做全归约（求平均），并且一边算后面层的梯度、
    一边传前面层已经算好的梯度，让计算与通信重叠。

    DDP 只同步梯度：批量规范化层训练时仍然只用**本进程**那一片批量计算均值与方差，
    运行均值也各自累计（DDP 每次前向前把 0 号进程的缓冲区广播给其他进程）。所以有批量规范化层的模型，
    多进程训练与单进程训练同样的全局批量，结果并不相同。``sync_batchnorm=True`` 时先用
    ``nn.SyncBatchNorm.convert_sync_batchnorm`` 把它们换成在所有进程之间汇总统计量的版本（参数与缓冲区
    沿用原来的张量），代价是每个批量规范化层前向、反向各多一次集合通信。它只支持
    :func:`sync_batchnorm_devices` 中的设备：``device`` 是 CPU 时抛出 ``ValueError``，而不是等到第一次前向。
    """
    if not is_distributed() or isinstance(net, nn.parallel.DistributedDataParallel):
        return net  # 单进程，或调用者已经自己包好了
    if not isinstance(net, nn.Module):
        raise TypeError(
            f"多进程训练需要 nn.Module（要包进 DistributedDataParallel），收到 {type(net).__name__}"
        )
    if sync_batchnorm:
        if device.type not in sync_batchnorm_devices():
            raise ValueError(
                f"sync_batchnorm=True 需要 GPU 一类的设备（{', '.join(sync_batchnorm_devices())}），"
                f"收到 {device}：PyTorch {torch.__version__} 的 nn.SyncBatchNorm 不支持 CPU 上的张量；"
                "在 CPU 上多进程训练时，批量规范化层只能用各进程自己那一片批量的统计量"
            )
        net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    device_ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(net, device_ids=device_ids)


def unwrap_model(net: Any) -> Any:
    """取出 ``DistributedDataParallel`` （或 ``nn.DataParallel``）包着的模型。

    保存检查点时用它：参数名里就没有 ``module.`` 前缀，单进程与多进程的检查点可以互相读取。

    Examples
    --------
    >>> net = nn.Linear(2, 1)
    >>> unwrap_model(nn.DataParallel(net)) is net, unwrap_model(net) is net
    (True, True)
    """
    wrappers = (nn.parallel.DistributedDataParallel, nn.DataParallel)
    return net.module if isinstance(net, wrappers) else net


def distributed_train_step(
    net: Callable[[Any], torch.Tensor],
    X: Any,
    y: torch.Tensor,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    updater: Any,
    global_batch_size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""多进程时的一步训练，参数与返回值同 :func:`dlbook.train.loop.train_step`。

    各进程的批量可能不同（最后一个批次不能均分时），所以不能直接对本进程的损失求平均。
    设全局批次有 :math:`M` 个样本（``global_batch_size``，默认为本进程批量 × 进程数），
    第 :math:`r` 个进程分到其中 :math:`m_r` 个、损失之和为 :math:`S_r`。DDP 在反向传播时把
    :math:`N` 个进程的梯度取平均；让每个进程对 :math:`S_r \cdot N / M` 反向传播，平均之后正好是
    :math:`\sum_r S_r / M` 的梯度，也就是单进程在整个全局批次上求平均的梯度。

    Examples
    --------
    单进程时（:math:`N = 1`、:math:`M = m`）与 ``train_step`` 相同：

    >>> net = nn.Linear(2, 1)
    >>> opt = torch.optim.SGD(net.parameters(), lr=0.1)
    >>> X, y = torch.ones(4, 2), torch.zeros(4, 1)
    >>> losses, y_hat = distributed_train_step(net, X, y, nn.MSELoss(reduction="none"), opt)
    >>> losses.shape, losses.requires_grad
    (torch.Size([4, 1]), False)
    """
    world_size = get_world_size()
    y_hat = net(X)
    losses = loss(y_hat, y)
    total = losses.sum() if losses.dim() else losses * y.shape[0]
    global_size = global_batch_size or y.shape[0] * world_size
    if isinstance(updater, torch.optim.Optimizer):
        updater.zero_grad(set_to_none=True)
        (total * (world_size / global_size)).backward()
        updater.step()
    else:
        (total * world_size).backward()  # 平均后是全局损失之和的梯度
        updater(global_size)  # 手写的更新函数再除以全局批量大小
    return losses.detach(), y_hat.detach()


def all_reduce_sum(values: torch.Tensor) -> torch.Tensor:
    """把各进程的 ``values`` 逐元素相加，每个进程都得到总和（单进程时原样返回）。

    训练循环用它合并各进程的损失之和、正确数与样本数：先求和、最后再除，
    得到的平均值与单进程在整个数据上算出的完全相同。

    Examples
    --------
    >>> all_reduce_sum(torch.tensor([1.0, 2.0]))     # 单进程：不变
    tensor([1., 2.])
    """
    if is_distributed():
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def gather_objects(obj: Any) -> list[Any]:
    """收集每个进程的 ``obj`` （可序列化的 Python 对象），按进程编号排成列表。

    Examples
    --------
    >>> gather_objects({"rank": 0})
    [{'rank': 0}]
    """
    if not is_distributed():
        return [obj]
    out: list[Any] = [None] * get_world_size()
    dist.all_gather_object(out, obj)
    return out


# ---------------------------------------------------------------------------
# 数据分片
# ---------------------------------------------------------------------------


def shard_sizes(batch_size: int, world_size: int) -> list[int]:
    """一个全局批次分给各进程的样本数：尽量均分，余数给编号小的进程。

    Examples
    --------
    >>> shard_sizes(256, 2), shard_sizes(5, 2), shard_sizes(1, 3)
    ([128, 128], [3, 2], [1, 0, 0])
    """
    q, r = divmod(batch_size, world_size)
    return [q + (1 if i < r else 0) for i in range(world_size)]


class ShardedBatches:
    """把一个批次迭代器按进程分片：分布式采样器在本书张量加载器上的等价物。

    第 ``i`` 个全局批次（也就是单进程训练时的第 ``i`` 个批次）被切成 ``world_size`` 片，
    第 ``r`` 号进程拿第 ``r`` 片（见 :func:`shard_sizes`）。于是：

    * 各进程的批次数相同（集合通信不会因为有人先做完而挂起）；
    * 每一轮里，每个样本恰好被一个进程见到一次，没有重复，也没有丢弃；
    * 每轮的顺序由共同的种子与轮次决定（``(seed, epoch)``），各进程不需要通信就能一致。

    对 :class:`~dlbook.data.TensorBatches`，每个进程只索引、只变换自己那一片；对其他可迭代对象，
    各进程必须产生相同的批次，每个进程从中切出自己的一片。

    Parameters
    ----------
    data : TensorBatches or iterable of tuple of torch.Tensor
        全局的批次迭代器（批量大小是**全局**批量）。
    rank, world_size : int, optional
        默认取当前进程组的编号与进程数。

    Attributes
    ----------
    global_batch_size : int or None
        最近一次交出的分片所属的全局批次有多少个样本。训练循环用它给各进程的损失加权，
        使 DDP 求平均之后恰好等于全局批次上的平均损失。

    Examples
    --------
    >>> X = torch.arange(10)
    >>> full = TensorBatches((X,), batch_size=4, shuffle=False)
    >>> [b[0].tolist() for b in ShardedBatches(full, rank=0, world_size=2)]
    [[0, 1], [4, 5], [8]]
    >>> [b[0].tolist() for b in ShardedBatches(full, rank=1, world_size=2)]
    [[2, 3], [6, 7], [9]]
    """

    def __init__(
        self,
        data: Iterable[Any],
        rank: int | None = None,
        world_size: int | None = None,
    ) -> None:
        if world_size is None:
            world_size = get_world_size()
        if rank is None:
            rank = get_rank()
        if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
            raise ValueError(f"world_size 必须是正整数，收到 {world_size!r}")
        if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < world_size:
            raise ValueError(f"rank 必须在 0 到 {world_size - 1} 之间，收到 {rank!r}")
        if (
            isinstance(data, TensorBatches)
            and data.shuffle
            and data.seed is None
            and world_size > 1
        ):
            raise ValueError(
                "多进程时 TensorBatches 必须给出 seed：各进程靠共同的种子得到相同的打乱顺序"
            )
        if not isinstance(data, Iterable):
            raise TypeError(f"data 必须是可迭代的批次序列，收到 {type(data).__name__}")
        self.data = data
        self.rank = rank
        self.world_size = world_size
        self.global_batch_size: int | None = None

    def __len__(self) -> int:
        return len(self.data)  # type: ignore[arg-type]

    @property
    def epoch(self) -> int | None:
        """底层加载器的轮次计数（没有时为 ``None``）。"""
        return getattr(self.data, "epoch", None)

    def set_epoch(self, epoch: int) -> None:
        """让下一次遍历使用第 ``epoch`` 轮的顺序（与 ``DistributedSampler.set_epoch`` 相同）。"""
        set_epoch = getattr(self.data, "set_epoch", None)
        if callable(set_epoch):
            set_epoch(epoch)
        elif isinstance(getattr(self.data, "epoch", None), int):
            self.data.epoch = epoch  # type: ignore[attr-defined]

    @property
    def num_examples(self) -> int:
        """本进程每轮见到的样本数（只对 :class:`TensorBatches` 可用）。"""
        if not isinstance(self.data, TensorBatches):
            raise TypeError("只有 TensorBatches 能预先知道样本数")
        n, b = self.data.num_examples, self.data.batch_size
        sizes = [b] * (n // b) + ([n % b] if n % b else [])
        return sum(shard_sizes(m, self.world_size)[self.rank] for m in sizes)

    def _bounds(self, m: int) -> tuple[int, int]:
        sizes = shard_sizes(m, self.world_size)
        start = sum(sizes[: self.rank])
        return start, start + sizes[self.rank]

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        if isinstance(self.data, TensorBatches):
            return self._tensor_shards(self.data)
        return self._sliced(self.data)

    def _tensor_shards(self, data: TensorBatches) -> Iterator[tuple[torch.Tensor, ...]]:
        n = data.num_examples
        device = data.tensors[0].device
        order = data.epoch_order() if data.shuffle else torch.arange(n, device=device)
        data.epoch += 1
        for start in range(0, n, data.batch_size):
            index = order[start : start + data.batch_size]
            lo, hi = self._bounds(len(index))
            batch = tuple(t.index_select(0, index[lo:hi]) for t in data.tensors)
            self.global_batch_size = len(index)
            yield batch if data.transform is None else data.transform(batch)

    def _sliced(self, data: Iterable[Any]) -> Iterator[tuple[torch.Tensor, ...]]:
        for batch in data:
            if not isinstance(batch, (list, tuple)):
                raise TypeError("数据迭代器的每个批次必须是张量元组，例如 (X, y)")
            m = len(batch[0])
            lo, hi = self._bounds(m)
            self.global_batch_size = m
            yield tuple(t[lo:hi] for t in batch)

    def __repr__(self) -> str:
        return f"ShardedBatches({self.data!r}, rank={self.rank}, world_size={self.world_size})"


def shard_batches(data: Any, rank: int | None = None, world_size: int | None = None) -> Any:
    """多进程时返回 ``ShardedBatches(data)``；单进程、或 ``data`` 已经分过片时原样返回。

    已经分过片的包括 :class:`ShardedBatches` 本身，以及采样器是
    ``torch.utils.data.DistributedSampler`` 的 ``DataLoader``。
    """
    world_size = get_world_size() if world_size is None else world_size
    if data is None or world_size == 1 or isinstance(data, ShardedBatches):
        return data
    sampler = getattr(data, "sampler", None)
    if isinstance(sampler, torch.utils.data.DistributedSampler):
        return data
    return ShardedBatches(data, rank=rank, world_size=world_size)


# ---------------------------------------------------------------------------
# 命令行
# ---------------------------------------------------------------------------


def _is_communication_error(err: BaseException) -> bool:
    backend_error = getattr(dist, "DistBackendError", ())
    if backend_error and isinstance(err, backend_error):
        return True
    text = str(err)
    return any(
        k in text for k in ("Timed out", "timed out", "Connection closed", "Connection reset")
    )


def distributed_command(func: Callable[[Any], int]) -> Callable[[Any], int]:
    """包装一个命令行命令（参数为 argparse 的结果），使它在 ``torchrun`` 下也能运行。

    不在 ``torchrun`` 下时直接调用 ``func``。多进程时：建立进程组（见 :func:`init_distributed`），
    把 ``args.device`` 换成本进程的设备；只有 0 号进程的标准输出被保留，其余进程的
    ``args.no_save`` 设为真、``args.plot`` 设为 ``None`` （不写结果、不画图）；每个进程在标准错误上
    各写一行带编号的日志。通信超时或对方进程退出时，给出一条说明是哪个进程、等了多久的错误。
    """

    @functools.wraps(func)
    def wrapper(args: Any) -> int:
        if _env_int("WORLD_SIZE", 1) <= 1:
            return func(args)
        requested = getattr(args, "device", "auto")
        info = init_distributed(None if requested == "auto" else requested)
        if hasattr(args, "device"):
            args.device = str(info.device)
        rank_log(f"{info.describe()}，pid {os.getpid()}")
        if not info.is_main:
            if hasattr(args, "no_save"):
                args.no_save = True
            if hasattr(args, "plot"):
                args.plot = None
        quiet = (
            contextlib.nullcontext() if info.is_main else contextlib.redirect_stdout(io.StringIO())
        )
        try:
            with quiet:
                return func(args)
        except Exception as err:
            if _is_communication_error(err):
                raise RuntimeError(
                    f"进程 {info.rank}/{info.world_size} 与其他进程通信失败："
                    f"某个进程崩溃、退出或在 {_timeout_seconds(None):.0f} 秒内没有响应"
                    f"（超时见 {TIMEOUT_ENV}）。原始错误：{err}"
                ) from err
            raise
        finally:
            shutdown_distributed()

    return wrapper


# ---------------------------------------------------------------------------
# 测量：全归约的带宽
# ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _allreduce_worker(
    rank: int,
    world_size: int,
    port: int,
    processes: Sequence[int],
    sizes: Sequence[int],
    min_seconds: float,
    queue: Any,
) -> None:
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=60),
    )
    try:
        results = {}
        for n in processes:
            group = dist.new_group(list(range(n)))  # 所有进程都要参与创建子组
            if rank < n:
                results[n] = _time_allreduce(group, sizes, min_seconds)
            dist.barrier()  # 其余进程在这里等，不占用 CPU
        if rank == 0:
            queue.put(results)
    finally:
        dist.destroy_process_group()


def _time_allreduce(group: Any, sizes: Sequence[int], min_seconds: float) -> list[tuple]:
    rows = []
    for numel in sizes:
        x = torch.ones(numel)
        dist.all_reduce(x, group=group)  # 预热：建立连接、分配缓冲区
        count = 1
        while True:  # 各进程商定同样的重复次数，保证大家调用 all_reduce 的次数相同
            dist.barrier(group=group)
            start = time.perf_counter()
            for _ in range(count):
                dist.all_reduce(x, group=group)
            elapsed = torch.tensor([time.perf_counter() - start], dtype=torch.float64)
            dist.all_reduce(elapsed, op=dist.ReduceOp.MAX, group=group)
            if elapsed.item() >= min_seconds or count >= 2**16:
                break
            count *= 4
        rows.append((numel, elapsed.item() / count, count))
    return rows


def measure_allreduce(
    processes: int | Sequence[int] = 2,
    sizes: Sequence[int] = (2**10, 2**14, 2**18, 2**22),
    *,
    min_seconds: float = 0.2,
) -> list[dict[str, float]]:
    """在本机起几个进程（gloo，CPU，各 1 个线程），测量全归约的用时与带宽。

    ``processes`` 是进程数，或几个进程数（例如 ``(2, 4)``）：只启动一次最多的进程，
    用前 ``n`` 个进程组成的子组分别测量，省去反复启动进程的时间。对每个大小（``float32`` 元素个数）
    重复 ``all_reduce`` 直到总用时不少于 ``min_seconds``，取各进程中最慢的一个。返回每个
    （进程数, 大小）一行：

    * ``bytes``：张量的字节数 :math:`S`；
    * ``seconds``：一次全归约的用时 :math:`t`；
    * ``algbw``：算法带宽 :math:`S / t` （GB/s），即“每秒归约了多少字节的数据”；
    * ``busbw``：总线带宽 :math:`S / t \\cdot 2(n-1)/n` （GB/s）。环形全归约中每个进程收发
      :math:`2(n-1)/n \\cdot S` 字节，这个数衡量的是链路本身跑得多快，与进程数无关，
      可以直接和链路的带宽相比。
    """
    counts = [processes] if isinstance(processes, int) else list(processes)
    for n in counts:
        if isinstance(n, bool) or not isinstance(n, int) or n < 2:
            raise ValueError(f"processes 中的进程数至少为 2，收到 {processes!r}")
    sizes = [int(s) for s in sizes]
    if not sizes or any(s < 1 for s in sizes):
        raise ValueError(f"sizes 必须是正整数的序列，收到 {sizes!r}")
    import torch.multiprocessing as mp

    ctx = mp.get_context("spawn")
    queue = ctx.SimpleQueue()
    world_size = max(counts)
    mp.start_processes(
        _allreduce_worker,
        args=(world_size, _free_port(), counts, sizes, min_seconds, queue),
        nprocs=world_size,
        join=True,
        start_method="spawn",
    )
    results = queue.get()
    rows = []
    for n in counts:
        factor = 2 * (n - 1) / n
        for numel, seconds, count in results[n]:
            size = numel * 4
            rows.append(
                {
                    "processes": n,
                    "bytes": size,
                    "seconds": seconds,
                    "repeats": count,
                    "algbw": size / seconds / 1e9,
                    "busbw": size / seconds * factor / 1e9,
                }
            )
    return rows
