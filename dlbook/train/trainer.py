"""全书共用的训练函数：:func:`train_classifier` 与 :func:`train_regression`。

本模块取代 D2L 的 ``train_ch3`` 与 ``train_ch6``。每一轮调用的都是书中讲的
:func:`dlbook.train.loop.train_epoch`；其余的事情是包在它外面的几层，而不是它里面的分支：

* 多进程数据并行（``_DataParallel``）：模型包进 ``DistributedDataParallel``，每个进程只遍历
  每个全局批次中属于自己的一片（:class:`dlbook.train.distributed.ShardedBatches`），一步换成
  :func:`dlbook.train.distributed.distributed_train_step`，指标在进程之间求和后再平均；
* 进度条（``_ProgressBar``）：只在标准错误是终端时显示；
* 实时曲线（``_LiveCurves``）：分类任务每轮约 5 个训练点，画图的时间不计入吞吐量；
* 学习率调度（``_LRSchedule``）与检查点（``_Checkpoints``）：每轮开始或结束时各做一件事。

每一层是 ``_Layer`` 的子类，在训练开始、每轮开始、每个小批量之后、每轮结束、训练结束时
被调用。两个函数都返回 :class:`~dlbook.train.loop.History` （每轮的训练损失、准确率、测试结果、
吞吐量与用时），结束时打印一行总结。吞吐量的计时包括读取数据的时间；批次数少于 5 也能正常工作；
绘图在脚本和 CI 中同样可用；每轮保存的检查点让中断后继续训练的结果与不中断完全一样。

在 ``torchrun`` 启动的多个进程里（进程组已由 :func:`dlbook.train.distributed.init_distributed` 建立），
同样的调用就是数据并行训练：只有 0 号进程打印、画图和写检查点；结果与单进程用同样的全局批量训练
相同（在浮点误差之内）。
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from dlbook.plotting.liveplot import LivePlot
from dlbook.train import distributed
from dlbook.train.checkpoint import (
    CHECKPOINT_NAME,
    capture_rng_state,
    load_checkpoint,
    restore_rng_state,
    save_checkpoint,
)
from dlbook.train.loop import (
    EpochRecord,
    EpochStats,
    History,
    Loss,
    Net,
    Step,
    _check_iterable,
    _infer_device,
    _reshaped_loss,
    evaluate,
    init_weights,
    train_epoch,
    train_step,
)
from dlbook.utils.seeding import seed_everything

__all__ = ["train_classifier", "train_regression"]

#: 画图时每轮报告训练指标的次数（批次数更少时每批报告一次）。
POINTS_PER_EPOCH = 5


# ---------------------------------------------------------------------------
# 包在 train_epoch 外面的层
# ---------------------------------------------------------------------------


class _Layer:
    """包在训练循环外面的一层；每个钩子默认什么也不做。"""

    #: 本轮在钩子里花掉、不应计入训练时间的秒数（例如画图）。
    paused = 0.0

    def on_train_begin(self, history: History) -> None:
        """训练开始（从检查点继续时，``history`` 里已经有之前的轮次）。"""

    def on_epoch_begin(self, epoch: int) -> None:
        """第 ``epoch`` 轮（从 0 数起）开始之前。"""

    def on_batch_end(self, i: int, stats: EpochStats) -> None:
        """本轮第 ``i`` 个小批量（从 0 数起）训练完之后；读 ``stats.loss`` 会同步一次。"""

    def on_epoch_end(self, record: EpochRecord, history: History) -> None:
        """一轮（含测试集评估）结束、记录已加入 ``history`` 之后。"""

    def on_train_end(self) -> None:
        """训练结束，或中途出错时（在 ``finally`` 中调用）。"""


def _report_every(num_batches: int | None) -> int | None:
    return max(1, num_batches // POINTS_PER_EPOCH) if num_batches else None


class _ProgressBar(_Layer):
    """终端中显示的批次进度条，每轮一个，报告点上显示当前的平均损失。"""

    def __init__(self, num_batches: int | None, num_epochs: int) -> None:
        self.num_batches, self.num_epochs = num_batches, num_epochs
        self.report_every = _report_every(num_batches)
        self.bar: Any = None

    def on_epoch_begin(self, epoch: int) -> None:
        from tqdm import tqdm

        desc = f"epoch {epoch + 1}/{self.num_epochs}"
        self.bar = tqdm(
            total=self.num_batches, desc=desc, leave=False, unit="batch", file=sys.stderr
        )

    def on_batch_end(self, i: int, stats: EpochStats) -> None:
        self.bar.update(1)
        if self.report_every and (i + 1) % self.report_every == 0:
            self.bar.set_postfix({"loss": f"{stats.loss:.3f}"}, refresh=False)

    def on_epoch_end(self, record: EpochRecord, history: History) -> None:
        self.on_train_end()

    def on_train_end(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _LiveCurves(_Layer):
    """实时曲线：分类任务在一轮之中画约 ``POINTS_PER_EPOCH`` 个训练点，每轮结束补上测试点。

    ``num_batches`` 为 ``None`` （回归、数据没有长度、多进程）时每轮只画一个点。
    """

    def __init__(self, live: LivePlot, task: str, num_batches: int | None) -> None:
        self.live, self.task, self.num_batches = live, task, num_batches
        self.report_every = _report_every(num_batches)
        self.epoch = 0

    def on_train_begin(self, history: History) -> None:
        for record in history.epochs:  # 从检查点继续：先画出之前的轮次
            self._add_epoch(record, drawn_in_epoch=False)

    def on_epoch_begin(self, epoch: int) -> None:
        self.epoch, self.paused = epoch, 0.0

    def on_batch_end(self, i: int, stats: EpochStats) -> None:
        if self.report_every and ((i + 1) % self.report_every == 0 or i + 1 == self.num_batches):
            # 报告点：同步一次（等设备算完属于训练时间），之后画图的时间不计入吞吐量
            train_loss, train_acc = stats.loss, stats.accuracy
            start = time.perf_counter()
            self.live.add(self.epoch + (i + 1) / self.num_batches, (train_loss, train_acc, None))
            self.paused += time.perf_counter() - start

    def on_epoch_end(self, record: EpochRecord, history: History) -> None:
        self._add_epoch(record, drawn_in_epoch=self.report_every is not None)

    def on_train_end(self) -> None:
        self.live.finish()

    def _add_epoch(self, record: EpochRecord, drawn_in_epoch: bool) -> None:
        if self.task != "classification":
            self.live.add(record.epoch, (record.train_loss, record.test_loss))
        elif drawn_in_epoch:  # 轮内已经画过训练曲线，这里只补测试准确率
            self.live.add(record.epoch, (None, None, record.test_acc))
        else:
            self.live.add(record.epoch, (record.train_loss, record.train_acc, record.test_acc))


class _LRSchedule(_Layer):
    """学习率调度：函数 ``scheduler(epoch)`` 在每轮开始时给出学习率，PyTorch 的调度器每轮结束时
    ``step()`` 一次。"""

    def __init__(self, scheduler: Any, optimizer: torch.optim.Optimizer) -> None:
        self.scheduler, self.optimizer = scheduler, optimizer

    def on_epoch_begin(self, epoch: int) -> None:
        if not _is_torch_scheduler(self.scheduler):
            for group in self.optimizer.param_groups:  # 第 epoch 轮（从 0 数起）的学习率
                group["lr"] = self.scheduler(epoch)

    def on_epoch_end(self, record: EpochRecord, history: History) -> None:
        if _is_torch_scheduler(self.scheduler):
            self.scheduler.step()


class _Checkpoints(_Layer):
    """每轮结束时把模型、优化器、调度器、历史与随机数状态原子地写到 ``path``。"""

    def __init__(self, path: Path, run: _Run) -> None:
        self.path, self.run = path, run

    def on_epoch_end(self, record: EpochRecord, history: History) -> None:
        state = _training_state(self.run, history)  # 多进程时各进程都参与（收集随机数状态）
        if distributed.is_main_process():  # 只有 0 号进程写文件
            save_checkpoint(self.path, state)


class _DataParallel:
    """多进程数据并行（``torchrun``）：包模型、分片数据、换一步、合并指标。单进程时原样返回。"""

    def __init__(self, world_size: int, *, sync_batchnorm: bool = False) -> None:
        self.world_size = world_size
        self.sync_batchnorm = sync_batchnorm

    def device_name(self, device: torch.device) -> str:
        return str(device) if self.world_size == 1 else f"{self.world_size}×{device}"

    def wrap(self, net: Any, device: torch.device) -> Any:
        # 包进 DDP：各进程从 0 号进程的参数出发，反向传播时对梯度求平均
        if self.world_size == 1:
            return net
        return distributed.wrap_model(net, device, sync_batchnorm=self.sync_batchnorm)

    def step(self, train_iter: Any) -> Step:
        if self.world_size == 1:
            return train_step

        def step(net: Net, X: Any, y: torch.Tensor, loss: Loss, updater: Any) -> Any:
            global_batch_size = getattr(train_iter, "global_batch_size", None)
            return distributed.distributed_train_step(net, X, y, loss, updater, global_batch_size)

        return step

    def reduce(self, stats: EpochStats, log: str | None = None, start: float = 0.0) -> EpochStats:
        """把各进程的损失之和、正确数与个数加起来；给出 ``log`` 时先记一行本进程的日志。"""
        if self.world_size == 1:
            return stats
        zero = torch.zeros((), dtype=torch.float64, device=stats.loss_sum.device)
        correct = stats.correct if stats.correct is not None else zero
        if log is not None:
            local = torch.stack([stats.loss_sum.double(), correct.double()]).tolist()
            n = stats.num_examples
            acc = f"、train acc {local[1] / max(n, 1):.4f}" if stats.correct is not None else ""
            distributed.rank_log(
                f"{log}：本进程 {n} 个样本，本地 loss {local[0] / max(stats.loss_count, 1):.4g}"
                f"{acc}，{time.perf_counter() - start:.1f} 秒"
            )
        totals = distributed.all_reduce_sum(
            torch.stack(
                [
                    zero + stats.loss_sum,
                    zero + correct,
                    zero + stats.loss_count,
                    zero + stats.num_examples,
                ]
            )
        )
        stats.loss_sum = totals[0]
        if stats.correct is not None:
            stats.correct = totals[1]
        stats.loss_count, stats.num_examples = int(totals[2].item()), int(totals[3].item())
        return stats


# ---------------------------------------------------------------------------
# 准备与轮次循环
# ---------------------------------------------------------------------------


@dataclass
class _Run:
    net: Any
    optimizer: torch.optim.Optimizer | None
    updater: Callable[[int], Any] | None
    #: 逐样本损失（回归时先把标签变形成输出的形状），评估用；训练时再加上正则项。
    loss: Loss
    device: torch.device
    task: str
    parallel: _DataParallel
    #: 学习率调度器：PyTorch 的 LRScheduler（每轮结束 step()），或函数“第几轮 → 学习率”。
    scheduler: Any = None


def _check_common(
    num_epochs: Any,
    lr: Any,
    optimizer: Any,
    updater: Any,
    seed: Any,
) -> None:
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs 必须是正整数，收到 {num_epochs!r}")
    if lr is not None:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)):
            raise TypeError(f"lr 必须是正数，收到 {type(lr).__name__}")
        if not (lr > 0 and math.isfinite(lr)):
            raise ValueError(f"lr 必须是有限的正数（lr > 0），收到 {lr!r}")
    choices = (("lr", lr), ("optimizer", optimizer), ("updater", updater))
    given = [name for name, value in choices if value is not None]
    if len(given) > 1:
        raise ValueError(
            f"lr、optimizer、updater 只能给一个，收到 {', '.join(given)}："
            "给 lr 时使用 SGD；给 optimizer 时用它更新；给 updater 时调用 updater(批量大小)"
        )
    if not given:
        raise ValueError("需要 lr、optimizer 或 updater 之一来更新参数")
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer 必须是 torch.optim.Optimizer，收到 {type(optimizer).__name__}")
    if updater is not None and not callable(updater):
        raise TypeError("updater 必须是可调用对象 updater(batch_size)")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed 必须是非负整数或 None，收到 {seed!r}")


def _check_data_and_checkpoint(
    net: Any,
    train_iter: Any,
    test_iter: Any,
    checkpoint_dir: str | Path | None,
    resume: bool,
) -> None:
    _check_iterable(train_iter, "train_iter")
    if test_iter is not None:
        _check_iterable(test_iter, "test_iter")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True 需要同时给出 checkpoint_dir")
    if checkpoint_dir is not None and not isinstance(net, nn.Module):
        raise TypeError("保存检查点需要 net 是 nn.Module（要保存它的 state_dict）")


def _prepare(
    net: Any,
    *,
    task: str,
    loss: Loss,
    lr: float | None,
    optimizer: torch.optim.Optimizer | None,
    updater: Callable[[int], Any] | None,
    device: torch.device | str | None,
    init: str | Callable[[nn.Module], None] | None,
    seed: int | None,
    sync_batchnorm: bool = False,
) -> _Run:
    if not callable(net):
        raise TypeError(f"net 必须是 nn.Module 或可调用对象，收到 {type(net).__name__}")
    if not callable(loss):
        raise TypeError("loss 必须是可调用对象 loss(y_hat, y)，返回逐样本的损失")
    if seed is not None:
        seed_everything(seed)
    if init is not None:
        if not isinstance(net, nn.Module):
            raise TypeError("init 只能用于 nn.Module；手写的模型请自己初始化参数")
        init_weights(net, init)
    device = (
        torch.device(device) if device is not None else (_infer_device(net) or torch.device("cpu"))
    )
    if isinstance(net, nn.Module):
        net.to(device)
    parallel = _DataParallel(distributed.get_world_size(), sync_batchnorm=sync_batchnorm)
    net = parallel.wrap(net, device)
    if lr is not None:
        if not isinstance(net, nn.Module):
            raise TypeError("只给 lr 时 net 必须是 nn.Module；手写的模型请传 updater")
        optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    if task == "regression":
        loss = _reshaped_loss(loss)
    return _Run(net, optimizer, updater, loss, device, task, parallel)


def _set_loader_epoch(data_iter: Any, epoch: int) -> None:
    """让支持的数据迭代器按轮次决定打乱顺序，使中断后继续训练与不中断完全一致。"""
    set_epoch = getattr(data_iter, "set_epoch", None)
    if callable(set_epoch):
        set_epoch(epoch)
    elif isinstance(getattr(data_iter, "epoch", None), int):
        data_iter.epoch = epoch


def _with_penalty(loss: Loss, penalty: Callable[[], torch.Tensor] | None) -> Loss:
    """训练用的损失：逐样本损失加上标量正则项（通过广播加到每个样本上）。"""
    if penalty is None:
        return loss

    def penalized(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return loss(y_hat, y) + penalty()

    return penalized


def _fit(
    run: _Run,
    train_iter: Iterable[Any],
    test_iter: Iterable[Any] | None,
    num_epochs: int,
    *,
    penalty: Callable[[], torch.Tensor] | None,
    live: LivePlot | None,
    progress: bool | None,
    checkpoint_dir: str | Path | None,
    resume: bool,
    verbose: bool,
) -> History:
    """轮次循环：每轮调用 :func:`~dlbook.train.loop.train_epoch`，再评估、记录，各层在外面做其余的事。"""
    classify = run.task == "classification"
    parallel = run.parallel
    history = History(task=run.task, device=parallel.device_name(run.device))
    # 多进程时每个进程只遍历每个全局批次中属于自己的一片（单进程时原样返回）
    train_iter = distributed.shard_batches(train_iter)
    test_iter = distributed.shard_batches(test_iter)
    ckpt_path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
    if resume and ckpt_path is not None and ckpt_path.exists():
        _resume(ckpt_path, run, history)
    layers = _layers(run, train_iter, num_epochs, live, progress, ckpt_path)
    train_loss_fn = _with_penalty(run.loss, penalty)
    updater = run.updater or run.optimizer
    step = parallel.step(train_iter)

    def on_batch(i: int, stats: EpochStats) -> None:
        for layer in layers:
            layer.on_batch_end(i, stats)

    elapsed_before = history.final.wall_time if len(history) else 0.0
    wall_start = time.perf_counter()
    try:
        for layer in layers:
            layer.on_train_begin(history)
        for epoch in range(len(history), num_epochs):
            _set_loader_epoch(train_iter, epoch)
            for layer in layers:
                layer.on_epoch_begin(epoch)
            start = time.perf_counter()
            stats = train_epoch(
                run.net,
                train_iter,
                train_loss_fn,
                updater,
                device=run.device,
                accuracy=classify,
                step=step,
                on_batch=on_batch,
            )
            stats = parallel.reduce(stats, log=f"epoch {epoch + 1}/{num_epochs}", start=start)
            train_loss, train_acc = stats.loss, stats.accuracy  # 一轮只在这里（和报告点）同步
            seconds = time.perf_counter() - start - sum(layer.paused for layer in layers)
            if not classify:  # 回归：训练完一轮后在整个训练集上重新计算损失（不含正则项）
                train_loss = parallel.reduce(
                    evaluate(run.net, train_iter, run.loss, accuracy=False, device=run.device)
                ).loss
            test_loss = test_acc = None
            if test_iter is not None:
                test = parallel.reduce(
                    evaluate(run.net, test_iter, run.loss, accuracy=classify, device=run.device)
                )
                test_loss, test_acc = test.loss, test.accuracy
            n = stats.num_examples
            record = EpochRecord(
                epoch=epoch + 1,
                train_loss=train_loss,
                train_acc=train_acc,
                test_loss=test_loss,
                test_acc=test_acc,
                num_examples=n,
                train_seconds=seconds,
                examples_per_sec=n / seconds if seconds > 0 else 0.0,
                wall_time=elapsed_before + time.perf_counter() - wall_start,
            )
            history.append(record)
            for layer in layers:
                layer.on_epoch_end(record, history)
    finally:
        for layer in layers:
            layer.on_train_end()
    if verbose and distributed.is_main_process():
        print(history.summary())
    return history


def _layers(
    run: _Run,
    train_iter: Any,
    num_epochs: int,
    live: LivePlot | None,
    progress: bool | None,
    ckpt_path: Path | None,
) -> list[_Layer]:
    """按调用顺序排好的各层：每轮结束时先调度学习率、再画图、最后写检查点。"""
    num_batches = len(train_iter) if hasattr(train_iter, "__len__") else None
    layers: list[_Layer] = []
    if progress is None:
        progress = sys.stderr.isatty()
    if progress and distributed.is_main_process():
        layers.append(_ProgressBar(num_batches, num_epochs))
    if run.scheduler is not None:
        assert run.optimizer is not None
        layers.append(_LRSchedule(run.scheduler, run.optimizer))
    if live is not None:
        in_epoch = run.task == "classification" and run.parallel.world_size == 1
        layers.append(_LiveCurves(live, run.task, num_batches if in_epoch else None))
    if ckpt_path is not None:
        layers.append(_Checkpoints(ckpt_path, run))
    return layers


def _resume(path: Path, run: _Run, history: History) -> None:
    """从检查点恢复模型、优化器、调度器、历史与随机数状态；之后从下一轮继续。"""
    state = load_checkpoint(path)
    distributed.unwrap_model(run.net).load_state_dict(state["model"])
    if run.optimizer is not None and state.get("optimizer") is not None:
        run.optimizer.load_state_dict(state["optimizer"])
    if _is_torch_scheduler(run.scheduler) and state.get("scheduler") is not None:
        run.scheduler.load_state_dict(state["scheduler"])
    history.epochs = History.from_dict(state["history"]).epochs
    rng_ranks = state.get("rng_ranks")  # 多进程保存的检查点：每个进程一份随机数状态
    same_world = rng_ranks is not None and len(rng_ranks) == run.parallel.world_size
    restore_rng_state(rng_ranks[distributed.get_rank()] if same_world else state["rng"])


def _training_state(run: _Run, history: History) -> dict[str, Any]:
    state = {
        "format": 1,
        "epoch": len(history),
        "model": distributed.unwrap_model(run.net).state_dict(),
        "optimizer": run.optimizer.state_dict() if run.optimizer is not None else None,
        "history": history.to_dict(),
        "rng": capture_rng_state(),
    }
    if _is_torch_scheduler(run.scheduler):
        state["scheduler"] = run.scheduler.state_dict()
    if run.parallel.world_size > 1:
        state["rng_ranks"] = distributed.gather_objects(state["rng"])
    return state


# ---------------------------------------------------------------------------
# 书中用的两个训练函数
# ---------------------------------------------------------------------------


def train_classifier(
    net: Net,
    train_iter: Iterable[Any],
    test_iter: Iterable[Any] | None,
    num_epochs: int,
    *,
    lr: float | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    updater: Callable[[int], Any] | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | Callable[[int], float] | None = None,
    loss: Loss | None = None,
    device: torch.device | str | None = None,
    init: str | Callable[[nn.Module], None] | None = None,
    seed: int | None = None,
    plot: bool | LivePlot = True,
    progress: bool | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    verbose: bool = True,
    sync_batchnorm: bool = False,
) -> History:
    """训练一个分类模型，返回每轮的 :class:`History`，结束时打印一行总结。

    Parameters
    ----------
    net : nn.Module or callable
        模型；手写的模型也可以是一个普通函数（此时用 ``updater`` 更新参数）。
    train_iter, test_iter : iterable of (X, y)
        训练集与测试集的批次；``test_iter`` 可以为 ``None``。
    num_epochs : int
        训练轮数，必须为正。
    lr : float, optional
        学习率：只给它时使用 ``torch.optim.SGD(net.parameters(), lr)``。
    optimizer : torch.optim.Optimizer, optional
        自己构造的 PyTorch 优化器；对逐样本损失的**平均值**反向传播。
    updater : callable, optional
        手写的更新函数 ``updater(batch_size)``，例如 ``lambda n: sgd(params, lr, n)``；
        对逐样本损失的**和**反向传播，由它除以批量大小。``lr``、``optimizer``、``updater`` 只能给一个。
    scheduler : torch.optim.lr_scheduler.LRScheduler or callable, optional
        学习率调度器（需要 ``lr`` 或 ``optimizer``）。PyTorch 的调度器必须建在 ``optimizer`` 上，
        每轮结束时调用一次 ``step()``；函数 ``scheduler(epoch)`` （例如 :mod:`dlbook.optim.schedulers`
        中的调度器）在第 ``epoch`` 轮（从 0 数起）开始时给出这一轮的学习率。
    loss : callable, optional
        逐样本损失，默认 ``nn.CrossEntropyLoss(reduction="none")`` （输入是未归一化的 logits）。
        手写的 softmax 模型配 :func:`dlbook.ops.basic.cross_entropy`。
    device : torch.device or str, optional
        训练所用的设备，默认是模型参数所在的设备（通常为 CPU）；模型与每个批次都会移到这里。
    init : {"xavier", "normal"}, callable or None
        训练前的权重初始化，见 :func:`init_weights`。第 5–6 章用 ``"xavier"``。
    seed : int, optional
        训练前调用 :func:`dlbook.seed_everything`，决定 ``init`` 的初始化、暂退法等的随机性。
        注意：构造模型时 PyTorch 的默认初始化（例如偏置）发生在调用本函数之前，
        要让整个运行可复现，请在构造模型之前也调用一次 :func:`dlbook.seed_everything`。
    plot : bool or LivePlot
        是否画训练曲线（也可以传入自己的 :class:`~dlbook.plotting.liveplot.LivePlot`）。
    progress : bool, optional
        是否显示批次进度条；默认只在标准错误是终端时显示。
    checkpoint_dir : str or path-like, optional
        每轮结束时把模型、优化器、历史与随机数状态原子地存到 ``checkpoint_dir/checkpoint.pt``。
    resume : bool
        为 True 且检查点存在时，从中恢复并从下一轮继续；结果与不中断的训练完全相同。
    verbose : bool
        结束时是否打印总结行。
    sync_batchnorm : bool
        多进程（``torchrun``）训练时，把批量规范化层换成 ``nn.SyncBatchNorm``，在所有进程之间汇总
        批量统计量，使结果与单进程训练同样的全局批量相同；只支持 GPU（CPU 上抛出 ``ValueError``，
        见 :func:`dlbook.train.distributed.wrap_model`）。单进程时不起作用。

    Returns
    -------
    History
        每轮的训练损失、训练准确率、测试损失与准确率、吞吐量（含读数据）和累计用时。

    Examples
    --------
    在一个线性可分的二维玩具问题上训练一个线性分类器：

    >>> g = torch.Generator().manual_seed(0)
    >>> X = torch.randn(200, 2, generator=g)
    >>> y = (X[:, 0] + X[:, 1] > 0).long()
    >>> batches = [(X[i:i + 50], y[i:i + 50]) for i in range(0, 200, 50)]
    >>> net = nn.Linear(2, 2)
    >>> history = train_classifier(net, batches, batches, 5, lr=0.5, seed=0, plot=False)
    loss ..., train acc ..., test acc ..., ... examples/sec on cpu
    >>> history.final.test_acc > 0.95
    True
    """
    _check_common(num_epochs, lr, optimizer, updater, seed)
    _check_data_and_checkpoint(net, train_iter, test_iter, checkpoint_dir, resume)
    _check_scheduler(scheduler, optimizer, updater)
    run = _prepare(
        net,
        task="classification",
        loss=loss if loss is not None else nn.CrossEntropyLoss(reduction="none"),
        lr=lr,
        optimizer=optimizer,
        updater=updater,
        device=device,
        init=init,
        seed=seed,
        sync_batchnorm=sync_batchnorm,
    )
    run.scheduler = scheduler
    live = _make_plot(
        plot,
        xlabel="epoch",
        xlim=(1, num_epochs),
        legend=["train loss", "train acc", "test acc"],
    )
    return _fit(
        run,
        train_iter,
        test_iter,
        num_epochs,
        penalty=None,
        live=live,
        progress=progress,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
        verbose=verbose,
    )


def train_regression(
    net: Net,
    train_iter: Iterable[Any],
    test_iter: Iterable[Any] | None,
    num_epochs: int,
    *,
    loss: Loss,
    lr: float | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    updater: Callable[[int], Any] | None = None,
    penalty: Callable[[], torch.Tensor] | None = None,
    device: torch.device | str | None = None,
    seed: int | None = None,
    plot: bool | LivePlot = True,
    yscale: str = "log",
    ylim: tuple[float, float] | None = None,
    progress: bool | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    verbose: bool = True,
) -> History:
    """训练一个逐样本损失的回归模型，返回 :class:`History`，结束时打印一行总结。

    每轮结束后在整个训练集和测试集上重新计算平均损失（不含 ``penalty``），记入历史并画出
    对数坐标的训练/测试损失曲线——这就是多项式拟合与权重衰减两节中的曲线。

    Parameters
    ----------
    net : nn.Module or callable
        模型，例如 ``nn.Linear`` 或 ``lambda X: linreg(X, w, b)``。
    train_iter, test_iter : iterable of (X, y)
        训练集与测试集的批次；标签会被变形成模型输出的形状。``test_iter`` 可以为 ``None``。
    num_epochs : int
        训练轮数，必须为正。
    loss : callable
        逐样本损失，例如 :func:`dlbook.ops.basic.squared_loss` 或 ``nn.MSELoss(reduction="none")``。
    lr, optimizer, updater : 见 :func:`train_classifier`，三者只给一个。
    penalty : callable, optional
        返回一个标量的正则项，例如 ``lambda: lambd * l2_penalty(w)``；训练时加到每个样本的损失上
        （与书中通过广播相加一致），评估时不计入。
    device, seed, progress, checkpoint_dir, resume, verbose : 见 :func:`train_classifier`。
    plot : bool or LivePlot
        是否画训练/测试损失曲线。
    yscale : {"log", "linear"}
        纵轴刻度，默认对数。
    ylim : (float, float), optional
        纵轴范围。

    Returns
    -------
    History
        ``train_acc``、``test_acc`` 为 ``None``。

    Examples
    --------
    用小批量随机梯度下降拟合 y = 2x - 1：

    >>> from dlbook.ops.basic import linreg, sgd, squared_loss
    >>> X = torch.linspace(-1, 1, 40).reshape(-1, 1); y = 2 * X - 1
    >>> batches = [(X[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10)]
    >>> w = torch.zeros(1, 1, requires_grad=True); b = torch.zeros(1, requires_grad=True)
    >>> history = train_regression(lambda X: linreg(X, w, b), batches, None, 50,
    ...                            loss=squared_loss, updater=lambda n: sgd([w, b], 0.5, n),
    ...                            plot=False)
    train loss ..., ... examples/sec on cpu
    >>> round(w.item(), 2), round(b.item(), 2)
    (2.0, -1.0)
    """
    _check_common(num_epochs, lr, optimizer, updater, seed)
    _check_data_and_checkpoint(net, train_iter, test_iter, checkpoint_dir, resume)
    if penalty is not None and not callable(penalty):
        raise TypeError("penalty 必须是返回标量张量的可调用对象")
    run = _prepare(
        net,
        task="regression",
        loss=loss,
        lr=lr,
        optimizer=optimizer,
        updater=updater,
        device=device,
        init=None,
        seed=seed,
    )
    live = _make_plot(
        plot,
        xlabel="epoch",
        ylabel="loss",
        xlim=(1, num_epochs),
        ylim=ylim,
        yscale=yscale,
        legend=["train", "test"],
    )
    return _fit(
        run,
        train_iter,
        test_iter,
        num_epochs,
        penalty=penalty,
        live=live,
        progress=progress,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
        verbose=verbose,
    )


def _is_torch_scheduler(scheduler: Any) -> bool:
    return isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler)


def _check_scheduler(scheduler: Any, optimizer: Any, updater: Any) -> None:
    if scheduler is None:
        return
    if updater is not None:
        raise ValueError("scheduler 只能与 lr 或 optimizer 一起使用（它要修改优化器的学习率）")
    if _is_torch_scheduler(scheduler):
        if scheduler.optimizer is not optimizer:
            raise ValueError("PyTorch 的 scheduler 必须建在传给本函数的 optimizer 上")
    elif not callable(scheduler):
        raise TypeError(
            "scheduler 必须是 torch.optim.lr_scheduler.LRScheduler 或函数 scheduler(epoch) -> 学习率"
        )


def _make_plot(plot: bool | LivePlot, **kwargs: Any) -> LivePlot | None:
    if not distributed.is_main_process():  # 多进程时只有 0 号进程画图
        return None
    if isinstance(plot, LivePlot):
        return plot
    if not isinstance(plot, bool):
        raise TypeError(f"plot 必须是 True、False 或 LivePlot，收到 {type(plot).__name__}")
    if not plot:
        return None
    if kwargs.get("xlim") == (1, 1):
        kwargs["xlim"] = None  # 只训练一轮时让坐标轴自动调整
    return LivePlot(**kwargs)
