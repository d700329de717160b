"""书中讲的训练循环：一步（:func:`train_step`）、一轮（:func:`train_epoch`）、评估与训练历史。

本模块取代 D2L 的 ``train_epoch_ch3``、``evaluate_accuracy(_gpu)`` 与 ``evaluate_loss``：

* :func:`train_step` 在一个小批量上训练一步，:func:`train_epoch` 训练一轮，返回 :class:`EpochStats`；
* :func:`evaluate` 一次遍历同时累加损失与正确数，:func:`evaluate_accuracy` 与 :func:`evaluate_loss`
  是它的两个常用特例；
* :class:`History` 与 :class:`EpochRecord` 是逐轮的训练记录。

与 D2L 的版本相比：损失之和与正确数作为**设备上的张量**在一轮之内累加，只在读
:attr:`EpochStats.loss`、:attr:`EpochStats.accuracy` 时才转换成 Python 数，不再每个批次调用
``float()`` 迫使 CPU 等待 GPU。

书中用的 :func:`~dlbook.train.trainer.train_classifier` 与 :func:`~dlbook.train.trainer.train_regression`
每一轮调用的就是这里的 :func:`train_epoch`；多进程数据并行、进度条、实时曲线、学习率调度与检查点
都是包在它外面的层（:mod:`dlbook.train.trainer`），而不是它里面的分支。
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import torch
from torch import nn

from dlbook.models.blocks import init_xavier
from dlbook.ops.basic import count_correct

__all__ = [
    "EpochRecord",
    "EpochStats",
    "History",
    "evaluate",
    "evaluate_accuracy",
    "evaluate_loss",
    "init_weights",
    "train_epoch",
    "train_step",
]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Net = Callable[[Any], torch.Tensor]
#: 一步训练：``step(net, X, y, loss, updater) -> (逐样本损失, 预测)``，默认是 :func:`train_step`。
Step = Callable[[Net, Any, torch.Tensor, Loss, Any], tuple[torch.Tensor, torch.Tensor]]


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
    """一次训练的逐轮记录，:func:`~dlbook.train.trainer.train_classifier` 与
    :func:`~dlbook.train.trainer.train_regression` 的返回值。

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
    method : {"xavier", "normal", "kaiming"}, callable or None
        ``"xavier"``：对每个 ``nn.Linear`` 和 ``nn.Conv2d`` 的权重做 ``xavier_uniform_`` （第 5–6 章）；
        ``"normal"``：对每个 ``nn.Linear`` 的权重做 ``normal_(0, 0.01)`` （第 2–3 章的简洁实现）；
        ``"kaiming"``：对每个 ``nn.Linear`` 和 ``nn.Conv2d`` 的权重做 ``kaiming_uniform_`` （为 ReLU 设计的
        He 初始化，第 6 章在 CPU 上的快速档用它）；
        可调用对象：交给 ``net.apply``；``None``：不做任何事。

    Examples
    --------
    >>> net = nn.Sequential(nn.Linear(4, 3))
    >>> from dlbook.utils.seeding import seed_everything
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

    elif method == "kaiming":

        def fn(m: nn.Module) -> None:
            if isinstance(m, nn.Linear | nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")

    else:
        raise ValueError(
            f"init 必须是 'xavier'、'normal'、'kaiming'、可调用对象或 None，收到 {method!r}"
        )
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


def _batches(data_iter: Iterable[Any], device: torch.device | None) -> Iterator[tuple[Any, Any]]:
    """逐个给出移到 ``device`` 上的 ``(X, y)``；批次不是二元组时抛出 ``TypeError``。"""
    for batch in data_iter:
        if not isinstance(batch, (list, tuple)) or len(batch) != 2:
            raise TypeError("数据迭代器的每个批次必须是 (X, y) 二元组")
        yield _to_device(batch[0], device), _to_device(batch[1], device)


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


def _reshaped_loss(loss: Loss) -> Loss:
    """回归用的损失：先把标签变形成输出的形状，避免 ``(n, 1)`` 与 ``(n,)`` 被广播成 ``(n, n)``。

    Examples
    --------
    >>> mse = _reshaped_loss(nn.MSELoss(reduction="none"))
    >>> mse(torch.zeros(3, 1), torch.ones(3)).shape
    torch.Size([3, 1])
    """

    def reshaped(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return loss(y_hat, y.reshape(y_hat.shape))

    return reshaped


# ---------------------------------------------------------------------------
# 一步与一轮：第 2 章展示的训练核心，train_classifier 与 train_regression 每轮调用的就是 train_epoch
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


class EpochStats:
    """一轮训练（或一次评估）中累加的量。

    损失之和与正确数是留在设备上的零维张量，样本数是 Python 整数；读 :attr:`loss` 与
    :attr:`accuracy` 时才把张量转成 Python 数，也就是说一轮只同步一次。

    Parameters
    ----------
    device : torch.device or str, optional
        累加用的张量放在哪个设备上（与模型相同）。
    accuracy : bool
        是否累加正确数（回归任务不需要）。

    Examples
    --------
    >>> stats = EpochStats()
    >>> y_hat, y = torch.tensor([[0.9, 0.1], [0.2, 0.8]]), torch.tensor([0, 0])
    >>> stats.add(torch.tensor([0.5, 1.5]), y_hat, y)
    >>> stats.loss, stats.accuracy, stats.num_examples
    (1.0, 0.5, 2)
    """

    def __init__(self, device: torch.device | str | None = None, accuracy: bool = True) -> None:
        self.loss_sum = torch.zeros((), device=device)
        self.correct = torch.zeros((), dtype=torch.int64, device=device) if accuracy else None
        self.loss_count = 0  # 损失的个数（多输出回归时大于样本数）
        self.num_examples = 0

    def add(self, losses: torch.Tensor, y_hat: torch.Tensor, y: torch.Tensor) -> None:
        """加上一个小批量：逐样本损失（或已经求过平均的标量损失）、预测与标签。"""
        batch_size = y.shape[0]
        with torch.no_grad():
            if losses.dim():
                self.loss_sum = self.loss_sum + losses.sum()
                self.loss_count += losses.numel()
            else:  # 损失函数已经求过平均：乘回批量大小
                self.loss_sum = self.loss_sum + losses * batch_size
                self.loss_count += batch_size
            if self.correct is not None:
                self.correct = self.correct + count_correct(y_hat, y)
        self.num_examples += batch_size

    @property
    def loss(self) -> float:
        """每个样本的平均损失（读它时同步一次）。"""
        if self.loss_count == 0:
            raise ValueError("数据迭代器为空：至少需要一个批次")
        return self.loss_sum.item() / self.loss_count

    @property
    def accuracy(self) -> float | None:
        """预测正确的比例（读它时同步一次）；不累加正确数时为 ``None``。"""
        if self.correct is None:
            return None
        if self.num_examples == 0:
            raise ValueError("数据迭代器为空：至少需要一个批次")
        return self.correct.item() / self.num_examples

    def __repr__(self) -> str:
        return (
            f"EpochStats(loss={self.loss!r}, accuracy={self.accuracy!r}, "
            f"num_examples={self.num_examples})"
        )


def train_epoch(
    net: Net,
    train_iter: Iterable[Any],
    loss: Loss,
    updater: Any,
    *,
    device: torch.device | str | None = None,
    accuracy: bool = True,
    step: Step = train_step,
    on_batch: Callable[[int, EpochStats], None] | None = None,
) -> EpochStats:
    """训练一轮：对每个小批量调用一次 ``step`` （默认 :func:`train_step`），累加损失与正确数。

    Parameters
    ----------
    net, loss, updater : 见 :func:`train_step`。
    train_iter : iterable of (X, y)
        训练集的批次。
    device : torch.device or str, optional
        把每个批次移到这个设备上；默认是模型参数所在的设备。
    accuracy : bool
        是否累加正确数（回归任务传 ``False``）。
    step : callable
        一步训练，签名与 :func:`train_step` 相同；多进程时换成
        :func:`dlbook.train.distributed.distributed_train_step`。
    on_batch : callable, optional
        每个小批量之后调用 ``on_batch(i, stats)`` （``i`` 从 0 数起），外面的层用它更新进度条与
        实时曲线；它读 ``stats.loss`` 时才同步。

    Returns
    -------
    EpochStats
        本轮的平均损失 ``loss``、训练精度 ``accuracy`` 与样本数 ``num_examples``。

    Examples
    --------
    >>> net = nn.Linear(2, 2)
    >>> X, y = torch.randn(8, 2), torch.randint(0, 2, (8,))
    >>> opt = torch.optim.SGD(net.parameters(), lr=0.1)
    >>> stats = train_epoch(net, [(X, y)], nn.CrossEntropyLoss(reduction="none"), opt)
    >>> stats.num_examples, 0 <= stats.accuracy <= 1
    (8, True)
    """
    device = torch.device(device) if device is not None else _infer_device(net)
    _set_mode(net, True)
    stats = EpochStats(device, accuracy)
    for i, (X, y) in enumerate(_batches(train_iter, device)):
        losses, y_hat = step(net, X, y, loss, updater)
        stats.add(losses, y_hat, y)  # 留在设备上累加，不同步
        if on_batch is not None:
            on_batch(i, stats)  # 外面的层：进度条、实时曲线
    return stats


# ---------------------------------------------------------------------------
# 评估
# ---------------------------------------------------------------------------


def evaluate(
    net: Net,
    data_iter: Iterable[Any],
    loss: Loss,
    *,
    accuracy: bool = True,
    device: torch.device | str | None = None,
) -> EpochStats:
    """不更新参数，一次遍历同时累加损失与正确数，返回 :class:`EpochStats`。

    评估期间 ``nn.Module`` 处于评估模式（关闭暂退法等），结束后恢复原来的模式。

    Examples
    --------
    >>> net = nn.Identity()
    >>> X, y = torch.tensor([[2.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 0])
    >>> evaluate(net, [(X, y)], nn.CrossEntropyLoss(reduction="none")).accuracy
    0.5
    """
    _check_iterable(data_iter, "data_iter")
    device = torch.device(device) if device is not None else _infer_device(net)
    was_training = _set_mode(net, False)
    stats = EpochStats(device, accuracy)
    try:
        with torch.no_grad():
            for X, y in _batches(data_iter, device):
                y_hat = net(X)
                stats.add(loss(y_hat, y), y_hat, y)
    finally:
        if was_training is not None:
            net.train(was_training)
    return stats


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
    return evaluate(net, data_iter, _reshaped_loss(loss), accuracy=False, device=device).loss
