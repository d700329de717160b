"""子词（第 13 章）：fastText 的字符 n 元语法、从词频学习字节对编码（BPE）、用合并规则切分单词。

* :func:`fasttext_ngrams`：fastText 把词 ``where`` 写成 ``<where>``，取其中长 3 到 6 的全部子串，
  再加上整个词；词向量是这些子词向量的和。
* :func:`learn_bpe`：从“词 → 次数”的表学习合并规则。每个词先拆成字符，最后一个字符带上词尾记号
  ``</w>`` （与 CLIP 的写法相同，所以学到的规则能与它逐条比较）；每一步把所有词里出现次数最多的相邻
  符号对合并成一个新符号，记下这条规则。
* :func:`segment`：按规则的先后（学到得越早越优先）反复合并一个词里的相邻符号对，直到没有可用的规则。
* :func:`load_word_counts`、:func:`load_clip_merges`：Norvig 由 Google Web 1T 统计的英文词频
  （``word-counts``）与 CLIP 在大规模图文数据上学到的 49,152 条合并规则（``clip-bpe``），
  见 :mod:`dlbook.data.packaged`。
"""

from __future__ import annotations

import collections
import gzip
import os
from collections.abc import Mapping, Sequence

__all__ = [
    "END_OF_WORD",
    "fasttext_ngrams",
    "learn_bpe",
    "load_clip_merges",
    "load_word_counts",
    "segment",
    "symbols_of",
]

#: 词尾记号：附在每个词最后一个字符上，区分词尾的 ``er</w>`` 与词中的 ``er``。
END_OF_WORD = "</w>"


def fasttext_ngrams(word: str, n_min: int = 3, n_max: int = 6) -> list[str]:
    """fastText 的子词：``<word>`` 里长 ``n_min`` 到 ``n_max`` 的全部子串，最后加上 ``<word>`` 本身。

    Examples
    --------
    >>> fasttext_ngrams("where", 3, 3)
    ['<wh', 'whe', 'her', 'ere', 're>', '<where>']
    >>> len(fasttext_ngrams("where"))
    15
    """
    if not isinstance(word, str) or not word:
        raise ValueError(f"word 必须是非空字符串，收到 {word!r}")
    if not 1 <= n_min <= n_max:
        raise ValueError(f"需要 1 <= n_min <= n_max，收到 n_min={n_min}、n_max={n_max}")
    marked = f"<{word}>"
    grams = [
        marked[i : i + n]
        for n in range(n_min, n_max + 1)
        for i in range(len(marked) - n + 1)
        if marked[i : i + n] != marked
    ]
    return grams + [marked]


def symbols_of(word: str) -> tuple[str, ...]:
    """把一个词拆成字符，最后一个字符带上词尾记号。

    Examples
    --------
    >>> symbols_of("tall")
    ('t', 'a', 'l', 'l</w>')
    """
    if not isinstance(word, str) or not word:
        raise ValueError(f"word 必须是非空字符串，收到 {word!r}")
    return (*word[:-1], word[-1] + END_OF_WORD)


def _pairs(symbols: Sequence[str]) -> collections.Counter:
    return collections.Counter(zip(symbols, symbols[1:]))


def _merge(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def learn_bpe(word_counts: Mapping[str, int], num_merges: int) -> list[tuple[str, str]]:
    """从词频表学习至多 ``num_merges`` 条 BPE 合并规则（Sennrich 等，2016）。

    每一步数出所有词里相邻符号对的加权次数（一个词出现几次就算几次），把次数最多的一对合并；
    次数相同时取字典序最小的一对，所以结果是确定的，与词的先后无关。只更新含有被合并
    符号对的词的计数，不必每一步重数全部的词。没有可合并的符号对时提前结束。

    Parameters
    ----------
    word_counts : mapping
        词 → 出现次数（正整数）。
    num_merges : int
        最多学几条规则。

    Returns
    -------
    list of (str, str)
        按学到的先后排列的合并规则。

    Examples
    --------
    D2L 用的小例子（次数相同的符号对取字典序最小的，所以顺序与 D2L 的输出不全相同）：

    >>> merges = learn_bpe({"fast": 4, "faster": 3, "tall": 5, "taller": 4}, 10)
    >>> merges[:5]
    [('a', 'l'), ('t', 'al'), ('a', 's'), ('e', 'r</w>'), ('f', 'as')]
    >>> segment("tallest", merges), segment("fatter", merges)
    (['tal', 'l', 'e', 's', 't</w>'], ['f', 'a', 't', 't', 'er</w>'])
    """
    if not isinstance(num_merges, int) or num_merges < 0:
        raise ValueError(f"num_merges 必须是非负整数，收到 {num_merges!r}")
    words = [symbols_of(w) for w in word_counts]
    counts = list(word_counts.values())
    if any(not isinstance(c, int) or c < 1 for c in counts):
        raise ValueError("word_counts 的次数必须都是正整数")
    pair_counts: collections.Counter = collections.Counter()
    where: dict[tuple[str, str], set[int]] = collections.defaultdict(set)
    for i, (symbols, count) in enumerate(zip(words, counts)):
        for pair, n in _pairs(symbols).items():
            pair_counts[pair] += n * count
            where[pair].add(i)
    merges = []
    for _ in range(num_merges):
        if not pair_counts:
            break
        best = min(pair_counts, key=lambda p: (-pair_counts[p], p))
        merges.append(best)
        for i in sorted(where.pop(best)):
            old, new = words[i], _merge(words[i], best)
            for pair, n in _pairs(old).items():
                pair_counts[pair] -= n * counts[i]
                if pair_counts[pair] <= 0:
                    del pair_counts[pair]
                if pair != best:
                    where[pair].discard(i)
            for pair, n in _pairs(new).items():
                pair_counts[pair] += n * counts[i]
                where[pair].add(i)
            words[i] = new
    return merges


def segment(word: str, merges: Sequence[tuple[str, str]]) -> list[str]:
    """用合并规则把一个词切成子词：每次合并规则表里最靠前的、词里现有的相邻符号对（与 CLIP 的做法相同）。

    Examples
    --------
    >>> segment("lower", [("e", "r</w>"), ("l", "o"), ("lo", "w")])
    ['low', 'er</w>']
    """
    rank = merges if isinstance(merges, dict) else {tuple(p): i for i, p in enumerate(merges)}
    symbols = symbols_of(word)
    while len(symbols) > 1:
        pair = min(zip(symbols, symbols[1:]), key=lambda p: rank.get(p, float("inf")))
        if pair not in rank:
            break
        symbols = _merge(symbols, pair)
    return list(symbols)


def load_word_counts(
    limit: int | None = None, root: str | os.PathLike[str] | None = None
) -> dict[str, int]:
    """Norvig 的英文词频表：词 → 在 Google Web 1T（约一万亿个词的网页文本）里的次数，按文件里的顺序（大致从高到低）。

    Parameters
    ----------
    limit : int, optional
        只取文件里的前 ``limit`` 个词；默认全部（333,333 个）。
    root : path-like, optional
        ``count_1w.txt`` 所在的目录；默认按 :func:`dlbook.data.packaged.packaged_file` 的顺序查找。

    Examples
    --------
    >>> counts = load_word_counts(3)
    >>> counts
    {'the': 23135851162, 'of': 13151942776, 'and': 12997637966}
    """
    from dlbook.data.packaged import packaged_file

    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit 必须是正整数，收到 {limit!r}")
    counts: dict[str, int] = {}
    with open(packaged_file("word-counts", "count_1w.txt", root), encoding="utf-8") as f:
        for line in f:
            word, count = line.split("\t")
            counts[word] = int(count)
            if limit is not None and len(counts) >= limit:
                break
    return counts


def load_clip_merges(
    limit: int | None = None, root: str | os.PathLike[str] | None = None
) -> list[tuple[str, str]]:
    """CLIP 的 BPE 合并规则（按学到的先后）：文件第一行是版本说明，CLIP 用其后的 49,152 - 256 - 2 条。

    CLIP 先把 UTF-8 字节映射成可打印的字符，对英文字母来说就是字母本身，所以这些规则与
    :func:`learn_bpe` 学到的规则可以直接比较。

    Examples
    --------
    >>> load_clip_merges(5)
    [('i', 'n'), ('t', 'h'), ('a', 'n'), ('r', 'e'), ('a', 'r')]
    """
    from dlbook.data.packaged import packaged_file

    usable = 49152 - 256 - 2
    n = usable if limit is None else min(limit, usable)
    merges = []
    path = packaged_file("clip-bpe", "bpe_simple_vocab_16e6.txt.gz", root)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        next(f)
        for line in f:
            if len(merges) >= n:
                break
            first, second = line.split()
            merges.append((first, second))
    return merges
