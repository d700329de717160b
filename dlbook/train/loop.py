"""训练与评估：全书共用的训练循环、评估函数和训练历史。

本模块取代 D2L 的 ``train_ch3``、``train_ch6``、``evaluate_accuracy(_gpu)`` 与 ``evaluate_loss``：

* :func:`train_classifier` 训练分类模型。既支持第 2–3 章“PyTorch 优化器或手写更新函数”的用法，
  也支持第 5–6 章“指定设备、Xavier 初始化、在设备上评估”的用法。
* :func:`train_regression` 训练逐样本损失的回归模型（线性回归、多项式拟合、权重衰减、房价预测）。
* 两者都返回 :class:`History` （每轮的训练损失、准确率、测试结果、吞吐量与用时），结束时打印一行总结。

与 D2L 的版本相比：损失之和与正确数作为**设备上的张量**在一轮之内累加，只在报告点（每轮结束，
以及画图时每轮约 5 次）才转换成 Python 数，不再每个批次调用 ``float()`` 迫使 CPU 等待 GPU；
吞吐量的计时包括读取数据的时间；批次数少于 5 也能正常工作；绘图在脚本和 CI 中同样可用；
还可以每轮保存检查点，中断后继续训练，结果与不中断完全一样。

在 ``torchrun`` 启动的多个进程里（进程组已由 :func:`dlbook.train.distributed.init_distributed` 建立），
同样的调用就是数据并行训练：模型包进 ``DistributedDataParallel``，每个进程只遍历每个全局批次中
属于自己的一片（:class:`dlbook.train.distributed.ShardedBatches`），指标在进程之间求和后再平均，
只有 0 号进程打印、画图和写检查点；结果与单进程用同样的全局批量训练相同（在浮点误差之内）。
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import torch
from torch import nn

from dlbook.train import distributed
from dlbook.train.checkpoint import (
    CHECKPOINT_NAME,
    capture_rng_state,
    load_checkpoint,
    restore_rng_state,
    save_checkpoint,
)
from dlbook.plotting.liveplot import LivePlot
from dlbook.models.blocks import init_xavier
from dlbook.ops.basic import count_correct
from dlbook.utils.seeding import seed_everything

__all__ = [
    "EpochRecord",
    "History",
    "init_weights",
    "evaluate_accuracy",
    "evaluate_loss",
    "train_classifier",
    "train_epoch",
    "train_regression",
    "train_step",
]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Net = Callable[[Any], torch.Tensor]

#: 画图时每轮报告训练指标的次数（批次数更少时每批报告一次）。
POINTS_PER_EPOCH = 5


# ---------------------------------------------------------------------------
# 训练历史
# ---------------------------------------------------------------------------


@dataclass
class EpochRecord:
    """一轮训练结束时的记录。

    Attributes
    ----------
    epoch : int
        第几轮（从 1 数起）。
    train_loss : float
        训练损失（每个样本的平均值）。分类任务是本轮训练过程中的平均损失；回归任务是本轮结束后
        在整个训练集上重新计算的损失（与书中的回归曲线一致，不含正则项）。
    train_acc : float or None
        训练准确率（分类任务）。
    test_loss, test_acc : float or None
        测试集上的平均损失与准确率；没有测试集时为 ``None``。
    num_examples : int
        本轮训练的样本数。
    train_seconds : float
        本轮训练所用的秒数，**包括读取数据**，不包括测试集评估与画图。
    examples_per_sec : float
        ``num_examples / train_seconds``。
    wall_time : float
        从训练开始到本轮（含评估）结束的累计秒数。
    """

    epoch: int
    train_loss: float
    train_acc: float | None
    test_loss: float | None
    test_acc: float | None
    num_examples: int
    train_seconds: float
    examples_per_sec: float
    wall_time: float


@dataclass
class History:
    """一次训练的逐轮记录，:func:`train_classifier` 与 :func:`train_regression` 的返回值。

    Examples
    --------
    >>> h = History(task="classification", device="cpu")
    >>> h.append(EpochRecord(1, 0.5, 0.8, 0.55, 0.78, 60000, 5.0, 12000.0, 5.5))
    >>> h.final.test_acc
    0.78
    >>> h.summary()
    'loss 0.500, train acc 0.800, test acc 0.780, 12000.0 examples/sec on cpu'
    >>> h.column("train_loss")
    [0.5]
    >>> History.from_dict(h.to_dict()) == h
    True
    """

    task: str = "classification"
    device: str = "cpu"
    epochs: list[EpochRecord] = field(default_factory=list)

    def append(self, record: EpochRecord) -> None:
        """添加一轮的记录。"""
        self.epochs.append(record)

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def final(self) -> EpochRecord:
        """最后一轮的记录；还没有任何记录时抛出 ``IndexError``。"""
        if not self.epochs:
            raise IndexError("History 还没有任何一轮的记录")
        return self.epochs[-1]

    def column(self, name: str) -> list[Any]:
        """某个字段在各轮的取值，例如 ``history.column("test_acc")``。"""
        valid = [f.name for f in fields(EpochRecord)]
        if name not in valid:
            raise ValueError(f"没有字段 {name!r}；可选：{valid}")
        return [getattr(r, name) for r in self.epochs]

    def examples_per_sec(self) -> float:
        """全部轮次合计的吞吐量：总样本数 / 总训练秒数。"""
        seconds = sum(r.train_seconds for r in self.epochs)
        return sum(r.num_examples for r in self.epochs) / seconds if seconds > 0 else 0.0

    def summary(self) -> str:
        """一行总结，格式与书中一致，例如
        ``loss 0.469, train acc 0.823, test acc 0.779, 12000.0 examples/sec on cpu``。"""
        r = self.final
        speed = f"{self.examples_per_sec():.1f} examples/sec on {self.device}"
        if self.task == "classification":
            parts = [f"loss {r.train_loss:.3f}"]
            if r.train_acc is not None:
                parts.append(f"train acc {r.train_acc:.3f}")
            if r.test_acc is not None:
                parts.append(f"test acc {r.test_acc:.3f}")
        else:
            parts = [f"train loss {r.train_loss:.4g}"]
            if r.test_loss is not None:
                parts.append(f"test loss {r.test_loss:.4g}")
        return ", ".join([*parts, speed])

    def to_dict(self) -> dict[str, Any]:
        """转成只含基本类型的字典（可写入检查点或 JSON）。"""
        return {
            "task": self.task,
            "device": self.device,
            "epochs": [asdict(r) for r in self.epochs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """:meth:`to_dict` 的逆操作。"""
        return cls(
            task=data["task"],
            device=data["device"],
            epochs=[EpochRecord(**r) for r in data["epochs"]],
        )


# ---------------------------------------------------------------------------
# 小工具
# ---------------------------------------------------------------------------


def init_weights(net: nn.Module, method: str | Callable[[nn.Module], None] | None) -> None:
    """按书中的方式初始化权重（偏置保持不变）。

    Parameters
    ----------
    net : nn.Module
        要初始化的网络。
    method : {"xavier", "normal"}, callable or None
        ``"xavier"``：对每个 ``nn.Linear`` 和 ``nn.Conv2d`` 的权重做 ``xavier_uniform_`` （第 5–6 章）；
        ``"normal"``：对每个 ``nn.Linear`` 的权重做 ``normal_(0, 0.01)`` （第 2–3 章的简洁实现）；
        可调用对象：交给 ``net.apply``；``None``：不做任何事。

    Examples
    --------
    >>> net = nn.Sequential(nn.Linear(4, 3))
    >>> _ = seed_everything(0)
    >>> init_weights(net, "normal")
    >>> round(net[0].weight.std().item(), 3) < 0.02
    True
    """
    if method is None:
        return
    if callable(method):
        net.apply(method)
        return
    if method == "xavier":
        fn = init_xavier
    elif method == "normal":

        def fn(m: nn.Module) -> None:
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.01)

    else:
        raise ValueError(f"init 必须是 'xavier'、'normal'、可调用对象或 None，收到 {method!r}")
    net.apply(fn)


def _to_device(X: Any, device: torch.device | None) -> Any:
    if device is None:
        return X
    if isinstance(X, (list, tuple)):
        return type(X)(_to_device(x, device) for x in X)
    return X.to(device, non_blocking=True)


def _infer_device(net: Any) -> torch.device | None:
    if isinstance(net, nn.Module):
        for p in net.parameters():
            return p.device
    return None


def _split_batch(batch: Any) -> tuple[Any, torch.Tensor]:
    if not isinstance(batch, (list, tuple)) or len(batch) != 2:
        raise TypeError("数据迭代器的每个批次必须是 (X, y) 二元组")
    return batch[0], batch[1]


def _check_iterable(data_iter: Any, name: str) -> None:
    if data_iter is None or not isinstance(data_iter, Iterable):
        raise TypeError(f"{name} 必须是可迭代的 (X, y) 批次序列，收到 {type(data_iter).__name__}")
    if hasattr(data_iter, "__len__") and len(data_iter) == 0:
        raise ValueError(f"{name} 为空：至少需要一个批次")


def _set_mode(net: Any, training: bool) -> bool | None:
    """设置训练/评估模式，返回原来的模式（非 ``nn.Module`` 返回 None）。"""
    if isinstance(net, nn.Module):
        was = net.training
        net.train(training)
        return was
    return None


def _prediction_loss(task: str, loss: Loss, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if task == "regression":
        y = y.reshape(y_hat.shape)  # 避免 (n,1) 与 (n,) 被广播成 (n,n)
    return loss(y_hat, y)


# ---------------------------------------------------------------------------
# 一步与一轮：第 2 章展示的训练核心，完整的训练循环建立在 train_step 之上
# ---------------------------------------------------------------------------


def train_step(
    net: Net, X: Any, y: torch.Tensor, loss: Loss, updater: Any
) -> tuple[torch.Tensor, torch.Tensor]:
    """在一个小批量上训练一步：前向计算、逐样本损失、反向传播、更新参数。

    ``updater`` 是 PyTorch 的优化器时，对**平均**损失反向传播再 ``step()``；是手写的
    ``updater(批量大小)`` 时（例如 ``lambda n: sgd(params, lr, n)``），对损失之**和**反向传播，
    由它除以批量大小。返回脱离计算图的逐样本损失与预测。
    """
    y_hat = net(X)
    losses = loss(y_hat, y)
    if isinstance(updater, torch.optim.Optimizer):
        updater.zero_grad(set_to_none=True)
        losses.mean().backward()
        updater.step()
    else:
        if losses.dim() == 0:
            raise ValueError(
                "使用 updater 时 loss 必须返回逐样本的损失（例如 reduction='none'），"
                "训练循环先求和再反向传播，updater 再除以批量大小"
            )
        losses.sum().backward()
        updater(y.shape[0])
    return losses.detach(), y_hat.detach()


def train_epoch(
    net: Net, train_iter: Iterable[Any], loss: Loss, updater: Any
) -> tuple[float, float]:
    """训练一轮，返回平均训练损失与训练精度。

    损失之和与正确数在一轮之内留在设备上累加，最后才转成 Python 数（每批转换会让 CPU 等待 GPU）。

    Examples
    --------
    >>> net = nn.Linear(2, 2)
    >>> X, y = torch.randn(8, 2), torch.randint(0, 2, (8,))
    >>> opt = torch.optim.SGD(net.parameters(), lr=0.1)
    >>> loss, acc = train_epoch(net, [(X, y)], nn.CrossEntropyLoss(reduction="none"), opt)
    >>> 0 <= acc <= 1
    True
    """
    if isinstance(net, nn.Module):
        net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in train_iter:
        losses, y_hat = train_step(net, X, y, loss, updater)
        loss_sum += losses.sum()
        correct += count_correct(y_hat, y)
        n += y.numel()
    return float(loss_sum / n), float(correct / n)


# ---------------------------------------------------------------------------
# 评估
# ---------------------------------------------------------------------------


def _evaluate(
    net: Net,
    data_iter: Iterable[Any],
    *,
    loss: Loss | None,
    accuracy: bool,
    device: torch.device | None,
    task: str = "classification",
    reduce: bool = False,
) -> tuple[float | None, float | None]:
    """一次遍历同时求平均损失与准确率；累加在设备上进行，最后只同步一次。

    ``reduce=True`` （多进程、数据已分片）时先把各进程的和与个数加起来再求平均。"""
    was_training = _set_mode(net, False)
    loss_sum = correct = None
    loss_count = n = 0
    try:
        with torch.no_grad():
            for batch in data_iter:
                X, y = _split_batch(batch)
                X, y = _to_device(X, device), _to_device(y, device)
                y_hat = net(X)
                if loss is not None:
                    losses = _prediction_loss(task, loss, y_hat, y)
                    s = losses.sum() if losses.dim() else losses * y.shape[0]
                    loss_sum = s if loss_sum is None else loss_sum + s
                    loss_count += losses.numel() if losses.dim() else y.shape[0]
                if accuracy:
                    c = count_correct(y_hat, y)
                    correct = c if correct is None else correct + c
                n += y.shape[0]
    finally:
        if was_training is not None:
            net.train(was_training)
    if reduce:
        zero = torch.zeros((), dtype=torch.float64, device=device)
        totals = distributed.all_reduce_sum(
            torch.stack(
                [
                    zero + (loss_sum if loss_sum is not None else 0),
                    zero + loss_count,
                    zero + (correct if correct is not None else 0),
                    zero + n,
                ]
            )
        ).tolist()
        loss_sum = totals[0] if loss is not None else None
        correct = totals[2] if accuracy else None
        loss_count, n = int(totals[1]), int(totals[3])
    if n == 0:
        raise ValueError("数据迭代器为空：至少需要一个批次")
    mean_loss = float(loss_sum) / loss_count if loss_sum is not None else None
    acc = float(correct) / n if correct is not None else None
    return mean_loss, acc


def evaluate_accuracy(
    net: Net, data_iter: Iterable[Any], device: torch.device | str | None = None
) -> float:
    """模型在数据集上的分类准确率（预测正确的比例）。

    评估期间 ``nn.Module`` 处于评估模式（关闭暂退法等），结束后恢复原来的模式；
    数据被移到 ``device`` （默认取模型参数所在的设备），正确数在该设备上累加，最后只同步一次。

    Examples
    --------
    >>> X = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0], [0.0, 5.0]])
    >>> y = torch.tensor([0, 1, 1, 1])
    >>> net = nn.Identity()           # “得分”就是输入本身，argmax 即预测
    >>> evaluate_accuracy(net, [(X[:2], y[:2]), (X[2:], y[2:])])
    0.75
    """
    _check_iterable(data_iter, "data_iter")
    if device is None:
        device = _infer_device(net)  # 默认：模型参数所在的设备
    else:
        device = torch.device(device)
    was_training = _set_mode(net, False)  # 评估模式：关闭暂退法等
    correct, total = 0, 0  # 第一批之后 correct 是设备上的零维张量
    try:
        with torch.no_grad():
            for X, y in data_iter:
                X, y = _to_device(X, device), _to_device(y, device)
                correct = correct + count_correct(net(X), y)  # 留在设备上，不同步
                total += y.numel()
    finally:
        if was_training is not None:
            net.train(was_training)  # 恢复原来的模式
    if total == 0:
        raise ValueError("data_iter 为空：至少需要一个批次")
    return float(correct) / total  # 只在这里同步一次


def evaluate_loss(
    net: Net, data_iter: Iterable[Any], loss: Loss, device: torch.device | str | None = None
) -> float:
    """模型在数据集上的平均损失（逐样本损失之和除以元素个数）。

    ``loss`` 应返回逐样本的损失（例如 ``nn.MSELoss(reduction="none")`` 或
    :func:`dlbook.ops.basic.squared_loss`）；标签会先变形成输出的形状。

    Examples
    --------
    >>> net = nn.Linear(1, 1, bias=False)
    >>> _ = nn.init.constant_(net.weight, 2.0)
    >>> X = torch.tensor([[1.0], [2.0]]); y = torch.tensor([2.0, 5.0])
    >>> evaluate_loss(net, [(X, y)], nn.MSELoss(reduction="none"))   # (0 + 1) / 2
    0.5
    """
    _check_iterable(data_iter, "data_iter")
    if not callable(loss):
        raise TypeError("loss 必须是可调用对象，例如 nn.MSELoss(reduction='none')")
    device = torch.device(device) if device is not None else _infer_device(net)
    mean_loss, _ = _evaluate(
        net, data_iter, loss=loss, accuracy=False, device=device, task="regression"
    )
    assert mean_loss is not None
    return mean_loss


# ---------------------------------------------------------------------------
# 训练循环
# ---------------------------------------------------------------------------


class _Progress:
    """终端中显示的批次进度条；标准错误不是终端（Jupyter、文档构建、CI）时什么也不做。"""

    def __init__(self, enabled: bool | None, total: int | None, desc: str) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty()
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, leave=False, unit="batch", file=sys.stderr)

    def update(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def postfix(self, **values: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.3f}" for k, v in values.items()}, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class _Setup:
    net: Any
    optimizer: torch.optim.Optimizer | None
    updater: Callable[[int], Any] | None
    loss: Loss
    device: torch.device
    task: str
    world_size: int = 1  # 多进程数据并行时的进程数（net 已包进 DistributedDataParallel）
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
) -> _Setup:
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
    world_size = distributed.get_world_size()
    if world_size > 1:  # torchrun 启动的多个进程：包进 DDP，各进程从 0 号进程的参数出发
        net = distributed.wrap_model(net, device)
    if lr is not None:
        if not isinstance(net, nn.Module):
            raise TypeError("只给 lr 时 net 必须是 nn.Module；手写的模型请传 updater")
        optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    return _Setup(net, optimizer, updater, loss, device, task, world_size)


def _train_epoch(
    s: _Setup,
    train_iter: Iterable[Any],
    epoch: int,
    num_epochs: int,
    *,
    penalty: Callable[[], torch.Tensor] | None,
    live: LivePlot | None,
    progress: bool | None,
) -> tuple[float, float | None, int, float]:
    """训练一轮，返回（平均训练损失、训练准确率、样本数、训练秒数）。"""
    net, device, classify = s.net, s.device, s.task == "classification"
    _set_mode(net, True)

    def loss_fn(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        losses = _prediction_loss(s.task, s.loss, y_hat, y)
        return losses if penalty is None else losses + penalty()

    num_batches = len(train_iter) if hasattr(train_iter, "__len__") else None
    report_every = None
    if classify and live is not None and num_batches and s.world_size == 1:
        report_every = max(1, num_batches // POINTS_PER_EPOCH)
    main = distributed.is_main_process()
    bar = _Progress(progress if main else False, num_batches, f"epoch {epoch + 1}/{num_epochs}")
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), dtype=torch.int64, device=device)
    loss_count = n = 0
    paused = 0.0
    start = time.perf_counter()
    try:
        for i, batch in enumerate(train_iter):
            X, y = _split_batch(batch)
            X, y = _to_device(X, device), _to_device(y, device)
            batch_size = y.shape[0]
            if s.world_size > 1:
                y_hat = net(X)
                losses = loss_fn(y_hat, y)
                _distributed_step(s, losses, batch_size, train_iter)
            else:
                losses, y_hat = train_step(net, X, y, loss_fn, s.updater or s.optimizer)
            with torch.no_grad():
                if losses.dim():
                    loss_sum += losses.detach().sum()
                    loss_count += losses.numel()
                else:
                    loss_sum += losses.detach() * batch_size
                    loss_count += batch_size
                if classify:
                    correct += count_correct(y_hat.detach(), y)
            n += batch_size
            bar.update()
            if report_every and ((i + 1) % report_every == 0 or i + 1 == num_batches):
                # 报告点：同步一次（等设备算完属于训练时间），之后画图的时间不计入吞吐量
                train_loss = loss_sum.item() / loss_count
                train_acc = correct.item() / n if classify else None
                t0 = time.perf_counter()
                bar.postfix(loss=train_loss)
                if live is not None:
                    live.add(epoch + (i + 1) / num_batches, (train_loss, train_acc, None))
                paused += time.perf_counter() - t0
        if s.world_size > 1:  # 合并各进程的和与个数
            loss_sum, correct, loss_count, n = _reduce_epoch(
                loss_sum, correct, loss_count, n, classify, f"epoch {epoch + 1}/{num_epochs}", start
            )
        if n == 0:
            raise ValueError("train_iter 为空：至少需要一个批次")
        train_loss = loss_sum.item() / loss_count  # 一轮只在这里（和报告点）同步一次
        train_acc = correct.item() / n if classify else None
    finally:
        bar.close()
    seconds = time.perf_counter() - start - paused
    return train_loss, train_acc, n, seconds


def _distributed_step(s: _Setup, losses: torch.Tensor, batch_size: int, train_iter: Any) -> None:
    """多进程时的一步：各进程的批量可能不同（最后一个批次不能均分时），所以不能直接求平均。

    设全局批次有 :math:`M` 个样本，第 :math:`r` 个进程分到其中 :math:`m_r` 个、损失之和为 :math:`S_r`。
    DDP 在反向传播时把 :math:`N` 个进程的梯度取平均；让每个进程对 :math:`S_r \\cdot N / M` 反向传播，
    平均之后正好是 :math:`\\sum_r S_r / M` 的梯度，也就是单进程在整个全局批次上求平均的梯度。
    """
    total = losses.sum() if losses.dim() else losses * batch_size
    global_size = getattr(train_iter, "global_batch_size", None) or batch_size * s.world_size
    if s.updater is not None:
        (total * s.world_size).backward()  # 平均后是全局损失之和的梯度
        s.updater(global_size)  # 手写的更新函数再除以全局批量大小
    else:
        assert s.optimizer is not None
        s.optimizer.zero_grad(set_to_none=True)
        (total * (s.world_size / global_size)).backward()
        s.optimizer.step()


def _reduce_epoch(
    loss_sum: torch.Tensor,
    correct: torch.Tensor,
    loss_count: int,
    n: int,
    classify: bool,
    label: str,
    start: float,
) -> tuple[torch.Tensor, torch.Tensor, int, int]:
    """每个进程记一行本地日志，再把损失之和、正确数与个数在各进程之间相加。"""
    local = torch.stack([loss_sum.double(), correct.double()]).tolist()
    acc = f"、train acc {local[1] / max(n, 1):.4f}" if classify else ""
    distributed.rank_log(
        f"{label}：本进程 {n} 个样本，本地 loss {local[0] / max(loss_count, 1):.4g}{acc}，"
        f"{time.perf_counter() - start:.1f} 秒"
    )
    zero = torch.zeros((), dtype=torch.float64, device=loss_sum.device)
    totals = distributed.all_reduce_sum(
        torch.stack([loss_sum.double(), correct.double(), zero + loss_count, zero + n])
    )
    return totals[0], totals[1], int(totals[2].item()), int(totals[3].item())


def _set_loader_epoch(data_iter: Any, epoch: int) -> None:
    """让支持的数据迭代器按轮次决定打乱顺序，使中断后继续训练与不中断完全一致。"""
    set_epoch = getattr(data_iter, "set_epoch", None)
    if callable(set_epoch):
        set_epoch(epoch)
    elif isinstance(getattr(data_iter, "epoch", None), int):
        data_iter.epoch = epoch


def _fit(
    s: _Setup,
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
    eval_train: bool,
) -> History:
    device_name = str(s.device) if s.world_size == 1 else f"{s.world_size}×{s.device}"
    history = History(task=s.task, device=device_name)
    if s.world_size > 1:  # 每个进程只遍历每个全局批次中属于自己的一片
        train_iter = distributed.shard_batches(train_iter)
        test_iter = distributed.shard_batches(test_iter)
    ckpt_path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
    if ckpt_path is not None and not isinstance(s.net, nn.Module):
        raise TypeError("保存检查点需要 net 是 nn.Module（要保存它的 state_dict）")
    if resume and ckpt_path is None:
        raise ValueError("resume=True 需要同时给出 checkpoint_dir")
    if resume and ckpt_path is not None and ckpt_path.exists():
        state = load_checkpoint(ckpt_path)
        distributed.unwrap_model(s.net).load_state_dict(state["model"])
        if s.optimizer is not None and state.get("optimizer") is not None:
            s.optimizer.load_state_dict(state["optimizer"])
        if _is_torch_scheduler(s.scheduler) and state.get("scheduler") is not None:
            s.scheduler.load_state_dict(state["scheduler"])
        history = History.from_dict(state["history"])
        history.device = device_name
        rng_ranks = state.get("rng_ranks")  # 多进程保存的检查点：每个进程一份随机数状态
        same_world = rng_ranks is not None and len(rng_ranks) == s.world_size
        restore_rng_state(rng_ranks[distributed.get_rank()] if same_world else state["rng"])
        if live is not None:
            _replay(live, history)
    start_epoch = len(history)
    elapsed_before = history.final.wall_time if len(history) else 0.0
    wall_start = time.perf_counter()
    try:
        for epoch in range(start_epoch, num_epochs):
            _set_loader_epoch(train_iter, epoch)
            if s.scheduler is not None and not _is_torch_scheduler(s.scheduler):
                assert s.optimizer is not None
                for group in s.optimizer.param_groups:  # 第 epoch 轮（从 0 数起）的学习率
                    group["lr"] = s.scheduler(epoch)
            train_loss, train_acc, n, seconds = _train_epoch(
                s, train_iter, epoch, num_epochs, penalty=penalty, live=live, progress=progress
            )
            if eval_train:  # 回归：训练完一轮后在整个训练集上重新计算损失（不含正则项）
                train_loss, _ = _evaluate(
                    s.net,
                    train_iter,
                    loss=s.loss,
                    accuracy=False,
                    device=s.device,
                    task=s.task,
                    reduce=s.world_size > 1,
                )
            test_loss = test_acc = None
            if test_iter is not None:
                test_loss, test_acc = _evaluate(
                    s.net,
                    test_iter,
                    loss=s.loss,
                    accuracy=s.task == "classification",
                    device=s.device,
                    task=s.task,
                    reduce=s.world_size > 1,
                )
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
            if _is_torch_scheduler(s.scheduler):
                s.scheduler.step()
            if live is not None:
                drawn = s.task == "classification" and hasattr(train_iter, "__len__")
                _plot_epoch_end(live, record, s.task, drawn_in_epoch=drawn and s.world_size == 1)
            if ckpt_path is not None:
                state = _training_state(s, history)  # 多进程时各进程都参与（收集随机数状态）
                if distributed.is_main_process():  # 只有 0 号进程写文件
                    save_checkpoint(ckpt_path, state)
    finally:
        if live is not None:
            live.finish()
    if verbose and distributed.is_main_process():
        print(history.summary())
    return history


def _training_state(s: _Setup, history: History) -> dict[str, Any]:
    state = {
        "format": 1,
        "epoch": len(history),
        "model": distributed.unwrap_model(s.net).state_dict(),
        "optimizer": s.optimizer.state_dict() if s.optimizer is not None else None,
        "history": history.to_dict(),
        "rng": capture_rng_state(),
    }
    if _is_torch_scheduler(s.scheduler):
        state["scheduler"] = s.scheduler.state_dict()
    if s.world_size > 1:
        state["rng_ranks"] = distributed.gather_objects(state["rng"])
    return state


def _plot_epoch_end(live: LivePlot, record: EpochRecord, task: str, drawn_in_epoch: bool) -> None:
    if task == "classification":
        if drawn_in_epoch:  # 轮内已经画过训练曲线，这里只补测试准确率
            live.add(record.epoch, (None, None, record.test_acc))
        else:
            live.add(record.epoch, (record.train_loss, record.train_acc, record.test_acc))
    else:
        live.add(record.epoch, (record.train_loss, record.test_loss))


def _replay(live: LivePlot, history: History) -> None:
    for r in history.epochs:
        _plot_epoch_end(live, r, history.task, drawn_in_epoch=False)


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
    _check_iterable(train_iter, "train_iter")
    if test_iter is not None:
        _check_iterable(test_iter, "test_iter")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True 需要同时给出 checkpoint_dir")
    _check_scheduler(scheduler, optimizer, updater)
    s = _prepare(
        net,
        task="classification",
        loss=loss if loss is not None else nn.CrossEntropyLoss(reduction="none"),
        lr=lr,
        optimizer=optimizer,
        updater=updater,
        device=device,
        init=init,
        seed=seed,
    )
    s.scheduler = scheduler
    live = _make_plot(
        plot,
        xlabel="epoch",
        xlim=(1, num_epochs),
        legend=["train loss", "train acc", "test acc"],
    )
    return _fit(
        s,
        train_iter,
        test_iter,
        num_epochs,
        penalty=None,
        live=live,
        progress=progress,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
        verbose=verbose,
        eval_train=False,
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
    _check_iterable(train_iter, "train_iter")
    if test_iter is not None:
        _check_iterable(test_iter, "test_iter")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True 需要同时给出 checkpoint_dir")
    if penalty is not None and not callable(penalty):
        raise TypeError("penalty 必须是返回标量张量的可调用对象")
    s = _prepare(
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
        s,
        train_iter,
        test_iter,
        num_epochs,
        penalty=penalty,
        live=live,
        progress=progress,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
        verbose=verbose,
        eval_train=True,
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
