"""文本预处理与语言模型的数据（第 7 章）：清洗、词元化、词表、n 元语法与两种小批量采样。

处理流程与 D2L 相同：

1. :func:`clean_lines` 把原文按行清洗成只含小写字母和空格的行；
2. :func:`tokenize` 把每行拆成词元（单词或字符）；
3. :class:`Vocab` 按词频给每个词元一个索引，低频词元归为未知词元 ``<unk>``；
4. :func:`load_corpus` 把整本书变成一串索引（语料），:class:`SeqDataLoader` 用随机采样或
   顺序分区把它切成 ``(批量大小, 时间步数)`` 的小批量。

与 D2L 的一处不同：字符级语料在相邻两行之间补一个空格。书的正文是按固定宽度折行的，
行尾的换行本来就是词与词之间的分隔；D2L 直接把各行首尾相接，会把 ``sister`` 与下一行的
``on`` 拼成 ``sisteron``。
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import torch

from dlbook.utils.seeding import epoch_generator

__all__ = [
    "SAMPLINGS",
    "SeqDataLoader",
    "Vocab",
    "clean_lines",
    "count_corpus",
    "load_corpus",
    "load_language_model_data",
    "ngrams",
    "read_corpus_lines",
    "seq_data_iter_random",
    "seq_data_iter_sequential",
    "split_corpus",
    "tokenize",
]

#: 两种小批量采样方式。
SAMPLINGS = ("random", "sequential")

_NOT_LETTERS = re.compile(r"[^A-Za-z]+")


def clean_lines(text: str) -> list[str]:
    """按行清洗文本：非字母的字符（标点、数字、撇号）都换成空格，转小写，去掉空行。

    Examples
    --------
    >>> clean_lines("  Alice was beginning\\n\\n`and what is the use of a book,'\\nALICE'S")
    ['alice was beginning', 'and what is the use of a book', 'alice s']
    """
    if not isinstance(text, str):
        raise TypeError(f"text 必须是字符串，收到 {type(text).__name__}")
    lines = (_NOT_LETTERS.sub(" ", line).strip().lower() for line in text.splitlines())
    return [line for line in lines if line]


def read_corpus_lines(name: str = "alice", root: Any = None) -> list[str]:
    """读取一份语料（见 :mod:`dlbook.data.corpus`）并用 :func:`clean_lines` 清洗。

    Examples
    --------
    >>> lines = read_corpus_lines("alice")
    >>> len(lines), lines[0], lines[5]
    (2723, 'alice s adventures in wonderland', 'alice was beginning to get very tired of sitting by her sister')
    """
    from dlbook.data.corpus import read_corpus

    return clean_lines(read_corpus(name, root))


def tokenize(lines: Sequence[str], token: str = "word") -> list[list[str]]:
    """把每一行拆成词元：``token="word"`` 按空白拆成单词，``"char"`` 拆成字符。

    Examples
    --------
    >>> tokenize(["the rabbit hole", "down"])
    [['the', 'rabbit', 'hole'], ['down']]
    >>> tokenize(["to be"], "char")
    [['t', 'o', ' ', 'b', 'e']]
    """
    if isinstance(lines, str):
        raise TypeError("lines 应是字符串的列表（每行一个），收到一个字符串")
    if token == "word":
        return [line.split() for line in lines]
    if token == "char":
        return [list(line) for line in lines]
    raise ValueError(f"token 必须是 'word' 或 'char'，收到 {token!r}")


def _flatten(tokens: Iterable[Any]) -> list[Any]:
    tokens = list(tokens)
    if tokens and isinstance(tokens[0], list):  # 元组（例如 n 元语法）本身就是一个词元
        return [t for line in tokens for t in line]
    return tokens


def count_corpus(tokens: Iterable[Any]) -> collections.Counter:
    """统计词元的频率；``tokens`` 可以是一维列表，也可以是“每行一个列表”的二维列表。

    元组不会被展开：n 元语法（见 :func:`ngrams`）的每个元组就是一个词元。

    Examples
    --------
    >>> count_corpus([["a", "b"], ["a"]]).most_common()
    [('a', 2), ('b', 1)]
    >>> count_corpus([("a", "b"), ("b", "a"), ("a", "b")]).most_common(1)
    [(('a', 'b'), 2)]
    """
    return collections.Counter(_flatten(tokens))


class Vocab:
    """词表：词元与整数索引之间的双向映射。

    索引 0 永远是未知词元 ``<unk>``，接着是保留词元（``reserved_tokens``，例如 ``<pad>``、
    ``<bos>``、``<eos>``），然后是出现至少 ``min_freq`` 次的词元，按频率从高到低排列（同频率的
    按第一次出现的先后）。查不到的词元映射到 ``<unk>``。

    Parameters
    ----------
    tokens : list, optional
        词元的一维列表或“每行一个列表”的二维列表。
    min_freq : int
        出现次数少于它的词元不进词表（当作 ``<unk>``）。
    reserved_tokens : sequence of str, optional
        排在 ``<unk>`` 之后的保留词元，不论是否出现。

    Attributes
    ----------
    idx_to_token : list of str
        索引 → 词元。
    token_to_idx : dict
        词元 → 索引。
    token_freqs : list of (str, int)
        语料中每个词元及其频率，从高到低（包括低于 ``min_freq`` 的）。

    Examples
    --------
    >>> vocab = Vocab([["the", "cat"], ["the", "hat", "the", "cat"]], min_freq=2,
    ...               reserved_tokens=["<pad>"])
    >>> vocab.idx_to_token
    ['<unk>', '<pad>', 'the', 'cat']
    >>> vocab[["the", "hat", "dog"]]
    [2, 0, 0]
    >>> vocab.to_tokens([3, 2])
    ['cat', 'the']
    >>> len(vocab), vocab.unk
    (4, 0)
    """

    UNK = "<unk>"

    def __init__(
        self,
        tokens: Iterable[Any] | None = None,
        min_freq: int = 0,
        reserved_tokens: Sequence[str] | None = None,
    ) -> None:
        if isinstance(min_freq, bool) or not isinstance(min_freq, int) or min_freq < 0:
            raise ValueError(f"min_freq 必须是非负整数，收到 {min_freq!r}")
        reserved = list(reserved_tokens or [])
        if self.UNK in reserved:
            raise ValueError(f"reserved_tokens 不能包含 {self.UNK!r}：它总是索引 0")
        if len(set(reserved)) != len(reserved):
            raise ValueError(f"reserved_tokens 有重复：{reserved}")
        counter = count_corpus(tokens if tokens is not None else [])
        # sorted 是稳定的：同频率的词元保持第一次出现的先后
        self.token_freqs: list[tuple[Any, int]] = sorted(
            counter.items(), key=lambda kv: kv[1], reverse=True
        )
        self.idx_to_token: list[Any] = [self.UNK, *reserved]
        self.token_to_idx: dict[Any, int] = {t: i for i, t in enumerate(self.idx_to_token)}
        for token, freq in self.token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.token_to_idx[token] = len(self.idx_to_token)
                self.idx_to_token.append(token)

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __getitem__(self, tokens: Any) -> Any:
        """一个词元 → 一个索引；列表 → 索引的列表。元组是一个词元（例如 n 元语法），不会被展开。"""
        if isinstance(tokens, list):
            return [self.__getitem__(t) for t in tokens]
        return self.token_to_idx.get(tokens, self.unk)

    def to_tokens(self, indices: Any) -> Any:
        """一个索引 → 一个词元；列表、元组或张量 → 词元的列表。"""
        if isinstance(indices, torch.Tensor):
            indices = indices.tolist()
        if isinstance(indices, (list, tuple)):
            return [self.to_tokens(i) for i in indices]
        if isinstance(indices, bool) or not isinstance(indices, int):
            raise TypeError(f"索引必须是整数，收到 {type(indices).__name__}")
        if not 0 <= indices < len(self):
            raise IndexError(f"索引 {indices} 超出词表范围 [0, {len(self)})")
        return self.idx_to_token[indices]

    @property
    def unk(self) -> int:
        """未知词元的索引（0）。"""
        return 0

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self.idx_to_token[:6])
        more = ", ..." if len(self) > 6 else ""
        return f"Vocab(size={len(self)}, tokens=[{head}{more}])"


def ngrams(tokens: Sequence[Any], n: int) -> list[tuple[Any, ...]]:
    """一串词元中所有相邻的 ``n`` 个词元组成的元组（n 元语法）。

    Examples
    --------
    >>> ngrams(["a", "b", "c", "d"], 2)
    [('a', 'b'), ('b', 'c'), ('c', 'd')]
    >>> ngrams(["a", "b", "c"], 3)
    [('a', 'b', 'c')]
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n 必须是正整数，收到 {n!r}")
    return list(zip(*(tokens[i:] for i in range(n))))


def _corpus_tokens(lines: Sequence[str], token: str) -> list[str]:
    """整本书的词元序列：单词按行拼接；字符在相邻两行之间补一个空格。"""
    if token == "char":
        return tokenize([" ".join(lines)], "char")[0]
    return _flatten(tokenize(lines, token))


def load_corpus(
    name: str = "alice",
    *,
    token: str = "char",
    max_tokens: int | None = None,
    min_freq: int = 0,
    root: Any = None,
) -> tuple[list[int], Vocab]:
    """读取语料，返回（词元索引的列表，词表）。

    Parameters
    ----------
    name : str
        语料名，见 :data:`dlbook.data.corpus.CORPORA`；本书用 ``"alice"``。
    token : {"char", "word"}
        字符级或单词级。
    max_tokens : int, optional
        只保留前这么多个词元。
    min_freq : int
        见 :class:`Vocab`。
    root : path-like, optional
        语料文件所在的目录（默认用户缓存）。

    Examples
    --------
    >>> corpus, vocab = load_corpus("alice")
    >>> len(corpus), len(vocab)
    (134997, 28)
    >>> "".join(vocab.to_tokens(corpus[:25]))
    'alice s adventures in won'
    """
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise ValueError(f"max_tokens 必须是正整数或 None，收到 {max_tokens!r}")
    tokens = _corpus_tokens(read_corpus_lines(name, root), token)
    vocab = Vocab(tokens, min_freq=min_freq)
    corpus = vocab[tokens]
    if max_tokens is not None:
        corpus = corpus[:max_tokens]
    return corpus, vocab


def split_corpus(
    corpus: Sequence[int], num_valid: int, num_train: int | None = None
) -> tuple[list[int], list[int]]:
    """把语料分成训练部分与留出的验证部分：验证部分是语料**最后**的 ``num_valid`` 个词元，
    训练部分是它之前的文本的前 ``num_train`` 个词元（默认全部）。

    两部分不重叠，验证文本在书中位于训练文本之后，所以验证困惑度衡量的是模型对没读过的文字的预测，
    而不是对读过的文字的记忆。

    Examples
    --------
    >>> train, valid = split_corpus(list(range(10)), 3)
    >>> train, valid
    ([0, 1, 2, 3, 4, 5, 6], [7, 8, 9])
    >>> split_corpus(list(range(10)), 3, num_train=4)[0]
    [0, 1, 2, 3]
    """
    corpus = list(corpus)
    if isinstance(num_valid, bool) or not isinstance(num_valid, int) or num_valid < 1:
        raise ValueError(f"num_valid 必须是正整数，收到 {num_valid!r}")
    available = len(corpus) - num_valid
    if num_train is None:
        num_train = available
    if isinstance(num_train, bool) or not isinstance(num_train, int) or num_train < 1:
        raise ValueError(f"num_train 必须是正整数或 None，收到 {num_train!r}")
    if num_train > available:
        raise ValueError(
            f"语料只有 {len(corpus)} 个词元：留出 {num_valid} 个之后，"
            f"训练部分最多 {available} 个，收到 num_train={num_train}"
        )
    return corpus[:num_train], corpus[available:]


def _check_batching(batch_size: Any, num_steps: Any) -> None:
    for arg, value in (("batch_size", batch_size), ("num_steps", num_steps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{arg} 必须是正整数，收到 {value!r}")


def _as_tensor(corpus: Sequence[int] | torch.Tensor) -> torch.Tensor:
    if isinstance(corpus, torch.Tensor):
        if corpus.dim() != 1:
            raise ValueError(f"corpus 必须是一维的索引序列，收到形状 {tuple(corpus.shape)}")
        return corpus.long()
    return torch.tensor(list(corpus), dtype=torch.long)


def _too_short(n: int, batch_size: int, num_steps: int) -> ValueError:
    return ValueError(
        f"语料只有 {n} 个词元，不够一个 batch_size={batch_size}、num_steps={num_steps} 的小批量"
        f"（至少需要 {batch_size * num_steps + num_steps} 个）"
    )


def seq_data_iter_random(
    corpus: Sequence[int] | torch.Tensor,
    batch_size: int,
    num_steps: int,
    *,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """随机采样：从随机偏移处把语料切成长 ``num_steps`` 的不重叠子序列，打乱后组成小批量。

    每个小批量 ``X`` 的形状是 ``(batch_size, num_steps)``，标签 ``Y`` 是 ``X`` 在语料中右移一位。
    同一批中、相邻两批之间的子序列在原文中一般都不相邻，所以训练时每个小批量都要重新初始化
    隐状态。偏移 ``[0, num_steps)`` 与打乱都由 ``generator`` 决定。

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> for X, Y in seq_data_iter_random(list(range(20)), 2, 3, generator=g):
    ...     print(X.tolist(), Y.tolist())
    [[14, 15, 16], [8, 9, 10]] [[15, 16, 17], [9, 10, 11]]
    [[5, 6, 7], [2, 3, 4]] [[6, 7, 8], [3, 4, 5]]
    """
    _check_batching(batch_size, num_steps)
    corpus = _as_tensor(corpus)
    offset = int(torch.randint(0, num_steps, (1,), generator=generator))
    num_subseqs = (len(corpus) - offset - 1) // num_steps
    num_batches = num_subseqs // batch_size
    if num_batches < 1:
        raise _too_short(len(corpus), batch_size, num_steps)
    starts = offset + num_steps * torch.randperm(num_subseqs, generator=generator)
    steps = torch.arange(num_steps, device=corpus.device)
    starts = starts.to(corpus.device)
    for i in range(num_batches):
        index = starts[i * batch_size : (i + 1) * batch_size, None] + steps
        yield corpus[index], corpus[index + 1]


def seq_data_iter_sequential(
    corpus: Sequence[int] | torch.Tensor,
    batch_size: int,
    num_steps: int,
    *,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """顺序分区：从随机偏移处把语料等分成 ``batch_size`` 段，每批从每段依次取 ``num_steps`` 个词元。

    相邻两个小批量的第 ``i`` 行在原文中首尾相接，所以训练时可以把上一批的隐状态传给下一批
    （只需切断梯度）。偏移 ``[0, num_steps)`` 由 ``generator`` 决定。

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> for X, Y in seq_data_iter_sequential(list(range(20)), 2, 3, generator=g):
    ...     print(X.tolist(), Y.tolist())
    [[2, 3, 4], [10, 11, 12]] [[3, 4, 5], [11, 12, 13]]
    [[5, 6, 7], [13, 14, 15]] [[6, 7, 8], [14, 15, 16]]
    """
    _check_batching(batch_size, num_steps)
    corpus = _as_tensor(corpus)
    offset = int(torch.randint(0, num_steps, (1,), generator=generator))
    num_tokens = (len(corpus) - offset - 1) // batch_size * batch_size
    Xs = corpus[offset : offset + num_tokens].reshape(batch_size, -1)
    Ys = corpus[offset + 1 : offset + 1 + num_tokens].reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    if num_batches < 1:
        raise _too_short(len(corpus), batch_size, num_steps)
    for i in range(0, num_batches * num_steps, num_steps):
        yield Xs[:, i : i + num_steps], Ys[:, i : i + num_steps]


class SeqDataLoader:
    """语言模型的小批量迭代器：可以反复遍历，每一轮的偏移和打乱都不同，但由种子完全决定。

    Parameters
    ----------
    corpus : sequence of int or 1-D tensor
        词元索引。
    batch_size, num_steps : int
        批量大小与每个子序列的时间步数。
    sampling : {"sequential", "random"}
        顺序分区（:func:`seq_data_iter_sequential`）或随机采样（:func:`seq_data_iter_random`）。
    seed : int
        第 ``e`` 轮（从 0 数）用种子 ``seed * 1_000_003 + e`` 决定偏移与打乱。
    device : torch.device or str, optional
        把整个语料放到这个设备上，小批量直接在设备上切出。

    Attributes
    ----------
    epoch : int
        下一次遍历是第几轮；每遍历一次加 1，也可以用 :meth:`set_epoch` 设定。

    Examples
    --------
    >>> loader = SeqDataLoader(list(range(20)), 2, 3, sampling="sequential", seed=2)
    >>> [X[0, 0].item() for X, _ in loader]
    [0, 3, 6]
    >>> [X[0, 0].item() for X, _ in loader]   # 第二轮换了一个偏移
    [1, 4, 7]
    >>> loader.set_epoch(0); [X[0, 0].item() for X, _ in loader]
    [0, 3, 6]
    """

    def __init__(
        self,
        corpus: Sequence[int] | torch.Tensor,
        batch_size: int,
        num_steps: int,
        *,
        sampling: str = "sequential",
        seed: int = 0,
        device: torch.device | str | None = None,
    ) -> None:
        _check_batching(batch_size, num_steps)
        if sampling not in SAMPLINGS:
            raise ValueError(f"sampling 必须是 {SAMPLINGS} 之一，收到 {sampling!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
        self.corpus = _as_tensor(corpus)
        if device is not None:
            self.corpus = self.corpus.to(device)
        self.batch_size, self.num_steps = batch_size, num_steps
        self.sampling, self.seed = sampling, seed
        self.epoch = 0
        if (len(self.corpus) - num_steps) // num_steps < batch_size:
            raise _too_short(len(self.corpus), batch_size, num_steps)

    def set_epoch(self, epoch: int) -> None:
        """指定下一次遍历是第几轮（中断后继续训练时用）。"""
        self.epoch = epoch

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        g = epoch_generator(self.seed, self.epoch)  # 每轮的顺序由 (seed, epoch) 决定
        self.epoch += 1
        make = seq_data_iter_random if self.sampling == "random" else seq_data_iter_sequential
        return make(self.corpus, self.batch_size, self.num_steps, generator=g)

    def __repr__(self) -> str:
        return (
            f"SeqDataLoader({len(self.corpus)} 个词元, batch_size={self.batch_size}, "
            f"num_steps={self.num_steps}, sampling={self.sampling!r})"
        )


def load_language_model_data(
    batch_size: int,
    num_steps: int,
    *,
    name: str = "alice",
    token: str = "char",
    sampling: str = "sequential",
    max_tokens: int | None = None,
    seed: int = 0,
    device: torch.device | str | None = None,
    root: Any = None,
) -> tuple[SeqDataLoader, Vocab]:
    """语言模型的数据：返回（小批量迭代器，词表）。取代 D2L 的 ``load_data_time_machine``。

    Examples
    --------
    >>> train_iter, vocab = load_language_model_data(32, 35, max_tokens=10_000)
    >>> X, Y = next(iter(train_iter))
    >>> X.shape, Y.shape, len(vocab)
    (torch.Size([32, 35]), torch.Size([32, 35]), 28)
    """
    corpus, vocab = load_corpus(name, token=token, max_tokens=max_tokens, root=root)
    loader = SeqDataLoader(
        corpus, batch_size, num_steps, sampling=sampling, seed=seed, device=device
    )
    return loader, vocab
