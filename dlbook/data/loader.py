"""把内存里的张量切成小批量：可复现的打乱、``len()``、按批次在目标设备上做变换。

这是 ``torch.utils.data.DataLoader`` 在“整个数据集已经是张量”这种情形下的简单替代：
不逐个样本取数据、不需要工作进程；每个批次只是一次索引（或切片）。
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import torch

from dlbook.utils.seeding import epoch_generator

__all__ = ["TensorBatches"]

Transform = Callable[[tuple[torch.Tensor, ...]], tuple[torch.Tensor, ...]]


class TensorBatches:
    """按小批量遍历若干个第一维长度相同的张量。

    Parameters
    ----------
    tensors : sequence of torch.Tensor
        第一维是样本维，长度必须相同。
    batch_size : int
        每批的样本数；最后一批可能较小。
    shuffle : bool
        是否在每一轮（每次 ``iter()``）开始时打乱顺序。
    seed : int, optional
        打乱用的种子；第 ``e`` 轮（从 0 数起）的顺序由 ``(seed, e)`` 决定
        （:func:`dlbook.utils.seeding.epoch_generator`），所以同一个种子总给出同样的批次顺序，而不同种子的
        各轮顺序互不相关。为 ``None`` 时使用 PyTorch 的全局随机数生成器（受
        :func:`dlbook.seed_everything` 控制）。
    device : torch.device or str, optional
        张量在构造时一次性移到这个设备上，之后的索引与变换都在这里进行。
    transform : callable, optional
        作用在每个批次（张量元组）上的函数，例如把 ``uint8`` 图像变成 ``[0, 1]`` 的浮点数。

    Examples
    --------
    >>> X, y = torch.arange(10).reshape(5, 2), torch.arange(5)
    >>> batches = TensorBatches((X, y), batch_size=2, shuffle=False)
    >>> len(batches), [b[1].tolist() for b in batches]
    (3, [[0, 1], [2, 3], [4]])
    >>> a = [b[1].tolist() for b in TensorBatches((X, y), 2, shuffle=True, seed=3)]
    >>> b = [b[1].tolist() for b in TensorBatches((X, y), 2, shuffle=True, seed=3)]
    >>> a == b
    True
    """

    def __init__(
        self,
        tensors: Sequence[torch.Tensor],
        batch_size: int,
        shuffle: bool = True,
        *,
        seed: int | None = None,
        device: torch.device | str | None = None,
        transform: Transform | None = None,
    ) -> None:
        tensors = tuple(tensors)
        if not tensors:
            raise ValueError("tensors 不能为空：至少需要一个张量")
        for t in tensors:
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"tensors 里的每一项都必须是 torch.Tensor，收到 {type(t).__name__}")
            if t.dim() == 0:
                raise ValueError("tensors 里的张量至少要有一维（样本维）")
        n = len(tensors[0])
        if any(len(t) != n for t in tensors):
            sizes = [len(t) for t in tensors]
            raise ValueError(f"tensors 的第一维长度必须相同，收到 {sizes}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size 必须是正整数，收到 {batch_size!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ValueError(f"seed 必须是非负整数或 None，收到 {seed!r}")
        self.device = None if device is None else torch.device(device)
        if self.device is not None:
            tensors = tuple(t.to(self.device) for t in tensors)
        self.tensors = tensors
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.transform = transform
        #: 已经开始过的轮数；下一次 ``iter()`` 用 ``(seed, epoch)`` 打乱。
        self.epoch = 0

    @property
    def num_examples(self) -> int:
        """样本总数。"""
        return len(self.tensors[0])

    def __len__(self) -> int:
        return -(-self.num_examples // self.batch_size)

    def epoch_order(self) -> torch.Tensor:
        """这一轮的样本顺序：``0 … n-1`` 的一个随机排列。

        给了 ``seed`` 时由 ``(seed, epoch)`` 决定（同一轮总是同一个顺序），否则用 PyTorch 的全局随机数。
        排列放在数据所在的设备上，索引时不必来回搬运。
        """
        n = self.num_examples
        if self.seed is None:
            perm = torch.randperm(n)
        else:
            perm = torch.randperm(n, generator=epoch_generator(self.seed, self.epoch))
        return perm.to(self.tensors[0].device)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        order = self.epoch_order() if self.shuffle else None
        self.epoch += 1
        return self.batches(order)

    def batches(self, order: torch.Tensor | None = None) -> Iterator[tuple[torch.Tensor, ...]]:
        """按 ``order`` （样本下标的排列；``None`` 时按原来的顺序）一批批地产生小批量。

        这是一个生成器：每次只取出一批（一次索引或切片），有 ``transform`` 时再对这一批做变换。
        ``for X, y in data`` 每一轮开始时调用 :meth:`epoch_order` 得到新的顺序，再交给它。

        Examples
        --------
        >>> data = TensorBatches((torch.arange(5),), batch_size=2, shuffle=False)
        >>> [b[0].tolist() for b in data.batches(torch.tensor([4, 3, 2, 1, 0]))]
        [[4, 3], [2, 1], [0]]
        """
        for start in range(0, self.num_examples, self.batch_size):
            stop = start + self.batch_size
            if order is None:
                batch = tuple(t[start:stop] for t in self.tensors)
            else:
                index = order[start:stop]
                batch = tuple(t.index_select(0, index) for t in self.tensors)
            yield batch if self.transform is None else self.transform(batch)

    def __repr__(self) -> str:
        return (
            f"TensorBatches({self.num_examples} 个样本, batch_size={self.batch_size}, "
            f"{len(self)} 批, shuffle={self.shuffle})"
        )
