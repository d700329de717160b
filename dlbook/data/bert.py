"""BERT 的数据：WordPiece 分词、预训练语料、下一句预测的句子对与遮蔽语言模型的遮蔽。

D2L 用 WikiText-2 预训练 BERT，它只能在线下载。这里的语料来自 gensim 轮子包测试数据里一份缩短的英文
维基百科导出（``word-benchmarks``，CC-BY-SA，见 :mod:`dlbook.data.packaged`）：
:func:`read_pretraining_corpus` 逐篇读出条目，去掉维基标记，只留成段的正文，切成句子与词元。
这一步是确定性的：同一个文件总得到同一份语料，它的 SHA-256 与词数、句数记在
:class:`PretrainingCorpus` 里，页面打印出来。

预训练数据的做法同 D2L（与原论文一致）：

* **下一句预测**：从段落里取相邻的两句，一半换成随机段落中的随机一句（:func:`next_sentence_pairs`）；
* **遮蔽语言模型**：每个序列随机选 15% 的词元（不含 ``<cls>``、``<sep>``）作预测目标，其中 80% 换成
  ``<mask>``、10% 换成随机词元、10% 不变（:func:`mask_tokens`）；
* 填充到同一长度，记下有效长度与预测位置的权重（:func:`pad_bert_inputs`）。

预训练用词级词表（:class:`~dlbook.data.text.Vocab`，同 D2L）。预训练好的 MiniLM 用它自己的 WordPiece
词表：:class:`WordPieceTokenizer` 按 BERT 的规则分词（小写、去重音、按标点切开，再按词表最长匹配切成
子词），:func:`read_safetensors` 读它的权重文件（只读张量，不执行任何代码）。微调时
:func:`bert_batches` 把单文本或文本对编码、截断、填充成小批量（训练时按长度分桶，:class:`LengthBucketBatches`）。

导入本模块不会访问网络，也不会读写任何文件。
"""

from __future__ import annotations

import bz2
import functools
import hashlib
import html
import json
import os
import random
import re
import struct
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from dlbook.data.loader import TensorBatches
from dlbook.data.packaged import packaged_file
from dlbook.data.text import Vocab
from dlbook.utils.seeding import epoch_generator

__all__ = [
    "BERT_RESERVED_TOKENS",
    "WIKI_FILE",
    "BERTPretrainingData",
    "LengthBucketBatches",
    "PretrainingCorpus",
    "WordPieceTokenizer",
    "bert_batches",
    "get_tokens_and_segments",
    "load_bert_pretraining",
    "mask_tokens",
    "minilm_tokenizer",
    "next_sentence_pairs",
    "pad_bert_inputs",
    "read_minilm",
    "read_pretraining_corpus",
    "read_safetensors",
    "split_sentences",
    "strip_wiki_markup",
    "tokenize_words",
]

#: 缩短的英文维基百科导出（gensim 测试数据，``word-benchmarks`` 里的文件）。
WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"

#: 预训练词表在 ``<unk>`` 之后的保留词元（同 D2L）。
BERT_RESERVED_TOKENS = ("<pad>", "<mask>", "<cls>", "<sep>")

# ---------------------------------------------------------------------------
# 维基百科正文
# ---------------------------------------------------------------------------

_DROP_ELEMENTS = re.compile(
    r"<!--.*?-->|<ref[^>]*/>|<ref[^>]*>.*?</ref>|<(math|gallery|timeline|score|syntaxhighlight|"
    r"source|pre|table)[^>]*>.*?</\1>",
    re.S | re.I,
)
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_TABLE = re.compile(r"\{\|[^{}]*?\|\}", re.S)
_LINK = re.compile(r"\[\[([^\[\]]*)\]\]")
_EXTERNAL = re.compile(r"\[(?:https?|ftp)://[^\s\]]+\s*([^\]]*)\]")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_LINK_DROP = re.compile(r"^(?:file|image|category|media|[a-z]{2,3}(?:-[a-z]+)?):", re.I)


def _link_text(match: re.Match[str]) -> str:
    target = match.group(1)
    if _LINK_DROP.match(target):
        return ""
    return target.rsplit("|", 1)[-1]


def strip_wiki_markup(text: str) -> list[str]:
    """去掉一篇维基条目的标记，返回成段的正文（每段一个字符串）。

    删去注释、脚注（``<ref>``）、公式、模板（``{{…}}``，由内向外）、表格、文件与分类链接；内部链接
    ``[[目标|文字]]`` 换成文字，外部链接换成它的说明文字，去掉粗体与斜体的引号和其余 HTML 标签。
    标题、列表、缩进、表格行与空行都不算正文；正文行里留下的空括号也删去。

    Examples
    --------
    >>> wiki = chr(10).join([
    ...     "{{Infobox|name=x}}",
    ...     "'''Paris''' is the [[capital city|capital]] of [[France]].<ref>A source.</ref> It is big.",
    ...     "== History ==",
    ...     "* a list item",
    ...     "[[File:Paris.jpg|thumb|A [[photo]]]]",
    ...     "The city ({{lang|fr|Paris}}) grew.",
    ... ])
    >>> strip_wiki_markup(wiki)
    ['Paris is the capital of France. It is big.', 'The city grew.']
    """
    text = html.unescape(_DROP_ELEMENTS.sub("", text))
    for pattern, repl in ((_TEMPLATE, ""), (_TABLE, ""), (_LINK, _link_text)):
        while True:
            text, n = pattern.subn(repl, text)
            if n == 0:
                break
    text = _EXTERNAL.sub(r"\1", text)
    text = _TAG.sub("", text).replace("'''", "").replace("''", "")
    paragraphs = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line[0] in "=*#:;|!{}[" or line.startswith("__"):
            continue
        line = re.sub(r"\(\s*[,;]?\s*\)", "", line)  # 模板删掉后留下的空括号
        line = re.sub(r"\s+([,.;:])", r"\1", re.sub(r"\s{2,}", " ", line)).strip()
        if line:
            paragraphs.append(line)
    return paragraphs


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')]?\s+(?=[\"'(]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*|[^\sa-z0-9]")


def split_sentences(paragraph: str) -> list[str]:
    """把一段正文按句末标点（后面跟空白与大写字母或数字）切成句子。

    Examples
    --------
    >>> split_sentences("It rained. Then it stopped! Was it over? yes it was.")
    ['It rained.', 'Then it stopped!', 'Was it over? yes it was.']
    """
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def tokenize_words(sentence: str) -> list[str]:
    """小写后切成词元：字母数字串（可带撇号或小数点，如 ``don't``、``3.5``）与单个的标点。

    Examples
    --------
    >>> tokenize_words("The U.S. population was 3.5 million, wasn't it?")
    ['the', 'u.s', '.', 'population', 'was', '3.5', 'million', ',', "wasn't", 'it', '?']
    """
    return _WORD.findall(sentence.lower())


@dataclass(frozen=True)
class PretrainingCorpus:
    """预训练语料：按条目、段落、句子组织的词元。

    Attributes
    ----------
    titles : tuple of str
        条目的标题，按文件中的顺序。
    paragraphs : list of list of list of str
        段落 → 句子 → 词元；只留至少两句的段落（下一句预测要用相邻的句子）。
    article_of : list of int
        每个段落所属条目在 ``titles`` 中的下标。
    sha256 : str
        语料文本（每句一行，段落之间空一行，词元以空格分开）的 SHA-256。
    """

    titles: tuple[str, ...]
    paragraphs: list[list[list[str]]]
    article_of: list[int]
    sha256: str

    @property
    def num_sentences(self) -> int:
        return sum(len(p) for p in self.paragraphs)

    @property
    def num_words(self) -> int:
        """词元数（标点也算一个词元）。"""
        return sum(len(s) for p in self.paragraphs for s in p)

    def split(self, held_out: float) -> tuple[list[list[list[str]]], list[list[list[str]]]]:
        """按条目分成训练与留出两部分：每 ``round(1 / held_out)`` 篇条目中的最后一篇留出。

        同一篇条目的段落不会同时出现在两边，留出的句子与训练句子不相邻。
        """
        if not 0 < held_out < 1:
            raise ValueError(f"held_out 必须在 (0, 1) 内，收到 {held_out!r}")
        every = max(2, round(1 / held_out))
        train, test = [], []
        for paragraph, article in zip(self.paragraphs, self.article_of):
            (test if article % every == every - 1 else train).append(paragraph)
        return train, test


def _corpus_text(paragraphs: Sequence[Sequence[Sequence[str]]]) -> str:
    return "\n\n".join("\n".join(" ".join(s) for s in p) for p in paragraphs) + "\n"


def _articles(path: Path) -> Iterator[tuple[str, str]]:
    """文件中主命名空间里不是重定向的条目：``(标题, 维基文本)``。"""
    with bz2.open(path, "rb") as f:
        for _, elem in ET.iterparse(f):
            if not elem.tag.endswith("}page") and elem.tag != "page":
                continue
            ns = {child.tag.rsplit("}", 1)[-1]: child for child in elem.iter()}
            text = ns.get("text")
            body = text.text if text is not None and text.text else ""
            if ns["ns"].text == "0" and not body.lstrip().upper().startswith("#REDIRECT"):
                yield ns["title"].text or "", body
            elem.clear()


@functools.lru_cache(maxsize=2)
def _read_corpus(path: str) -> PretrainingCorpus:
    titles, paragraphs, article_of = [], [], []
    for title, wiki in _articles(Path(path)):
        for text in strip_wiki_markup(wiki):
            sentences = [tokenize_words(s) for s in split_sentences(text)]
            sentences = [s for s in sentences if s]
            if len(sentences) >= 2:
                paragraphs.append(sentences)
                article_of.append(len(titles))
        titles.append(title)
    digest = hashlib.sha256(_corpus_text(paragraphs).encode("utf-8")).hexdigest()
    return PretrainingCorpus(tuple(titles), paragraphs, article_of, digest)


def read_pretraining_corpus(root: str | os.PathLike[str] | None = None) -> PretrainingCorpus:
    """读出预训练语料（缩短的英文维基百科，见模块说明）；同一进程里只解析一次。

    文件来自 ``word-benchmarks`` （:func:`~dlbook.data.packaged.packaged_file` 核对它的 SHA-256，
    不对时拒绝读取）；``root`` 是放着这个文件的目录（默认用户缓存）。
    """
    return _read_corpus(str(packaged_file("word-benchmarks", WIKI_FILE, root)))


# ---------------------------------------------------------------------------
# 下一句预测与遮蔽语言模型
# ---------------------------------------------------------------------------


def get_tokens_and_segments(
    tokens_a: Sequence[str], tokens_b: Sequence[str] | None = None
) -> tuple[list[str], list[int]]:
    """BERT 的输入：``<cls>`` A ``<sep>`` [B ``<sep>``]，与每个词元的片段号（A 为 0，B 为 1）。

    Examples
    --------
    >>> get_tokens_and_segments(["a", "b"], ["c"])
    (['<cls>', 'a', 'b', '<sep>', 'c', '<sep>'], [0, 0, 0, 0, 1, 1])
    """
    tokens = ["<cls>", *tokens_a, "<sep>"]
    segments = [0] * len(tokens)
    if tokens_b is not None:
        tokens += [*tokens_b, "<sep>"]
        segments += [1] * (len(tokens_b) + 1)
    return tokens, segments


def next_sentence_pairs(
    paragraph: Sequence[Sequence[str]],
    paragraphs: Sequence[Sequence[Sequence[str]]],
    max_len: int,
    rng: random.Random,
) -> list[tuple[list[str], list[int], bool]]:
    """一个段落里的下一句预测样本：``(词元, 片段号, 是否真是下一句)``。

    对每对相邻的句子 (A, B)，以 1/2 的概率保留 B，否则把 B 换成随机段落里的随机一句（同 D2L：随机的
    那句偶尔也可能恰好是 B）。加上 ``<cls>`` 与两个 ``<sep>`` 后超过 ``max_len`` 的样本丢掉。

    Examples
    --------
    >>> para = [["a", "b"], ["c"], ["d", "e", "f"]]
    >>> pairs = next_sentence_pairs(para, [para, [["x"], ["y"]]], 8, random.Random(0))
    >>> [(" ".join(t), is_next) for t, _, is_next in pairs]
    [('<cls> a b <sep> x <sep>', False), ('<cls> c <sep> d e f <sep>', True)]
    """
    pairs = []
    for a, b in zip(paragraph[:-1], paragraph[1:]):
        is_next = rng.random() < 0.5
        if not is_next:
            b = rng.choice(rng.choice(paragraphs))
        if len(a) + len(b) + 3 > max_len:
            continue
        tokens, segments = get_tokens_and_segments(a, b)
        pairs.append((tokens, segments, is_next))
    return pairs


def mask_tokens(
    tokens: Sequence[str],
    vocab: Vocab,
    rng: random.Random,
    mask_ratio: float = 0.15,
) -> tuple[list[str], list[int], list[str]]:
    """遮蔽语言模型的输入：随机选 ``max(1, round(len * mask_ratio))`` 个位置作预测目标。

    ``<cls>``、``<sep>`` 与词表外的词（``<unk>``）不参与：猜“未知词”学不到东西，却能白白拿分。每个选中的位置：80% 换成 ``<mask>``，10% 换成词表里的随机词元
    （不含保留词元），10% 保持不变。返回 ``(遮蔽后的词元, 预测位置（从小到大）, 原来的词元)``。

    Examples
    --------
    >>> vocab = Vocab([["the", "cat", "sat", "on", "mat"]], reserved_tokens=list(BERT_RESERVED_TOKENS))
    >>> tokens = ["<cls>", "the", "cat", "sat", "<sep>", "on", "the", "mat", "<sep>"]
    >>> masked, positions, labels = mask_tokens(tokens, vocab, random.Random(1))
    >>> masked, positions, labels
    (['<cls>', 'the', '<mask>', 'sat', '<sep>', 'on', 'the', 'mat', '<sep>'], [2], ['cat'])
    """
    if not 0 < mask_ratio < 1:
        raise ValueError(f"mask_ratio 必须在 (0, 1) 内，收到 {mask_ratio!r}")
    candidates = [
        i for i, t in enumerate(tokens) if t not in ("<cls>", "<sep>") and vocab[t] != vocab.unk
    ]
    if not candidates:
        return list(tokens), [], []
    num_preds = min(len(candidates), max(1, round(len(tokens) * mask_ratio)))
    positions = sorted(rng.sample(candidates, num_preds))
    first_word = 1 + len(BERT_RESERVED_TOKENS)  # 0 是 <unk>，接着是保留词元
    masked = list(tokens)
    for i in positions:
        u = rng.random()
        if u < 0.8:
            masked[i] = "<mask>"
        elif u < 0.9:
            masked[i] = vocab.idx_to_token[rng.randrange(first_word, len(vocab))]
    return masked, positions, [tokens[i] for i in positions]


def pad_bert_inputs(
    examples: Sequence[tuple[list[int], list[int], list[int], list[int], bool]],
    max_len: int,
    vocab: Vocab,
) -> dict[str, torch.Tensor]:
    """把样本 ``(词元索引, 片段号, 预测位置, 目标词元索引, 是否下一句)`` 填充成张量的字典。

    词元与片段号填充到 ``max_len`` （填充词元 ``<pad>``、片段号 0）；预测位置与目标填充到
    ``round(max_len * 0.15)`` 个，填充的位置权重为 0。返回的键：``tokens``、``segments``、``valid_lens``、
    ``pred_positions``、``mlm_weights``、``mlm_labels``、``nsp_labels``。

    Examples
    --------
    >>> vocab = Vocab([["a", "b"]], reserved_tokens=list(BERT_RESERVED_TOKENS))
    >>> batch = pad_bert_inputs([([3, 5, 4, 6, 4], [0, 0, 0, 1, 1], [1], [5], True)], 8, vocab)
    >>> batch["tokens"].tolist(), batch["valid_lens"].tolist()
    ([[3, 5, 4, 6, 4, 1, 1, 1]], [5])
    >>> batch["pred_positions"].tolist(), batch["mlm_weights"].tolist(), batch["nsp_labels"].tolist()
    ([[1]], [[1.0]], [1])
    """
    max_preds = round(max_len * 0.15)
    pad = vocab["<pad>"]
    n = len(examples)
    out = {
        "tokens": torch.full((n, max_len), pad, dtype=torch.long),
        "segments": torch.zeros(n, max_len, dtype=torch.long),
        "valid_lens": torch.zeros(n, dtype=torch.long),
        "pred_positions": torch.zeros(n, max_preds, dtype=torch.long),
        "mlm_weights": torch.zeros(n, max_preds),
        "mlm_labels": torch.zeros(n, max_preds, dtype=torch.long),
        "nsp_labels": torch.zeros(n, dtype=torch.long),
    }
    for i, (ids, segments, positions, labels, is_next) in enumerate(examples):
        if len(ids) > max_len or len(positions) > max_preds:
            raise ValueError(f"第 {i} 个样本超过了 max_len={max_len}")
        out["tokens"][i, : len(ids)] = torch.tensor(ids)
        out["segments"][i, : len(segments)] = torch.tensor(segments)
        out["valid_lens"][i] = len(ids)
        out["pred_positions"][i, : len(positions)] = torch.tensor(positions, dtype=torch.long)
        out["mlm_weights"][i, : len(positions)] = 1.0
        out["mlm_labels"][i, : len(labels)] = torch.tensor(labels, dtype=torch.long)
        out["nsp_labels"][i] = int(is_next)
    return out


class BERTPretrainingData:
    """预训练 BERT 的样本（D2L 的 ``_WikiTextDataset``）：下一句预测的句子对，每个都做过遮蔽。

    由 ``seed`` 决定的随机数依次生成句子对（:func:`next_sentence_pairs`）与遮蔽（:func:`mask_tokens`），
    所以同样的段落与种子总得到同样的样本。``tensors`` 是 :func:`pad_bert_inputs` 的字典；
    :meth:`batches` 每次按 ``generator`` 打乱后分成小批量。

    Examples
    --------
    >>> paragraphs = [[["the", "cat", "sat"], ["it", "was", "happy"]], [["a", "dog"], ["it", "ran"]]]
    >>> vocab = Vocab([s for p in paragraphs for s in p], reserved_tokens=list(BERT_RESERVED_TOKENS))
    >>> data = BERTPretrainingData(paragraphs, vocab, max_len=10, seed=0)
    >>> len(data), data.tensors["tokens"].shape, data.tensors["pred_positions"].shape
    (2, torch.Size([2, 10]), torch.Size([2, 2]))
    >>> [b["tokens"].shape[0] for b in data.batches(1, torch.Generator().manual_seed(0))]
    [1, 1]
    """

    def __init__(
        self,
        paragraphs: Sequence[Sequence[Sequence[str]]],
        vocab: Vocab,
        max_len: int,
        seed: int = 0,
        mask_ratio: float = 0.15,
    ) -> None:
        rng = random.Random(seed)
        self.vocab, self.max_len = vocab, max_len
        examples = []
        for paragraph in paragraphs:
            for tokens, segments, is_next in next_sentence_pairs(
                paragraph, paragraphs, max_len, rng
            ):
                masked, positions, labels = mask_tokens(tokens, vocab, rng, mask_ratio)
                examples.append((vocab[masked], segments, positions, vocab[labels], is_next))
        if not examples:
            raise ValueError("段落里没有能放进 max_len 的句子对")
        self.tensors = pad_bert_inputs(examples, max_len, vocab)

    def __len__(self) -> int:
        return self.tensors["tokens"].shape[0]

    def batches(
        self, batch_size: int, generator: torch.Generator | None = None
    ) -> Iterator[dict[str, torch.Tensor]]:
        """按 ``generator`` 打乱一遍全部样本，依次给出小批量（最后一个可能小一些）。

        每个小批量的词元与片段号只保留到其中最长的有效长度（后面全是填充，不必计算）。
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size 必须是正整数，收到 {batch_size!r}")
        order = torch.randperm(len(self), generator=generator)
        for start in range(0, len(self), batch_size):
            idx = order[start : start + batch_size]
            batch = {k: v[idx] for k, v in self.tensors.items()}
            width = int(batch["valid_lens"].max())
            batch["tokens"], batch["segments"] = (
                batch["tokens"][:, :width],
                batch["segments"][:, :width],
            )
            yield batch


def load_bert_pretraining(
    max_len: int = 64,
    min_freq: int = 5,
    held_out: float = 0.1,
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
) -> tuple[BERTPretrainingData, BERTPretrainingData, Vocab, PretrainingCorpus]:
    """预训练的训练样本、留出样本、词表与语料。

    语料按条目分开（:meth:`PretrainingCorpus.split`），词表只用训练部分的句子建（出现少于 ``min_freq``
    次的词是 ``<unk>``，保留词元见 :data:`BERT_RESERVED_TOKENS`）。留出样本用另一个种子生成。
    """
    corpus = read_pretraining_corpus(root)
    train, test = corpus.split(held_out)
    vocab = Vocab(
        [s for p in train for s in p],
        min_freq=min_freq,
        reserved_tokens=list(BERT_RESERVED_TOKENS),
    )
    return (
        BERTPretrainingData(train, vocab, max_len, seed),
        BERTPretrainingData(test, vocab, max_len, seed + 1),
        vocab,
        corpus,
    )


# ---------------------------------------------------------------------------
# 预训练的 MiniLM：WordPiece 分词与 safetensors 权重
# ---------------------------------------------------------------------------


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPieceTokenizer:
    """BERT（不分大小写）的分词器：基本切分后按词表做 WordPiece 最长匹配。

    基本切分：去掉控制字符，小写，去重音（NFD 后删去组合记号），每个汉字单独成词，按空白与标点切开
    （每个标点单独成词）。WordPiece：从词首开始每次取词表里最长的前缀，词中间的子词带 ``##`` 前缀；
    切不下去或词长超过 100 个字符时整个词是 ``[UNK]``。与 ``transformers`` 的 ``BertTokenizer`` 规则相同。

    Parameters
    ----------
    vocab : sequence of str
        词表，下标即索引（``vocab.txt`` 的行）。

    Examples
    --------
    >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able",
    ...                           "runn", "##ing", ",", "café"])
    >>> tok.tokenize("Unaffable, running! Café")
    ['un', '##aff', '##able', ',', 'runn', '##ing', '[UNK]', '[UNK]']
    >>> tok.encode("running", "unaffable")
    ([2, 7, 8, 3, 4, 5, 6, 3], [0, 0, 0, 0, 1, 1, 1, 1])
    """

    def __init__(self, vocab: Sequence[str]) -> None:
        self.idx_to_token = list(vocab)
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
        for special in ("[UNK]", "[CLS]", "[SEP]", "[PAD]"):
            if special not in self.token_to_idx:
                raise ValueError(f"词表里没有 {special}")

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def basic_tokenize(self, text: str) -> list[str]:
        """基本切分（见类的说明）。"""
        chars = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or unicodedata.category(ch) in ("Cc", "Cf"):
                if ch not in "\t\n\r":
                    continue
            chars.append(f" {ch} " if _is_cjk(cp) else ch)
        words = []
        for word in "".join(chars).lower().split():
            word = "".join(
                c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
            )
            current = ""
            for ch in word:
                if _is_punctuation(ch):
                    words += [current, ch] if current else [ch]
                    current = ""
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def wordpiece(self, word: str) -> list[str]:
        """一个词的 WordPiece 子词（最长匹配）；切不下去时是 ``["[UNK]"]``。"""
        if len(word) > 100:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.token_to_idx:
                    break
                end -= 1
            if end == start:
                return ["[UNK]"]
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """整段文字的 WordPiece 子词。"""
        return [p for w in self.basic_tokenize(text) for p in self.wordpiece(w)]

    def encode(
        self, text_a: str, text_b: str | None = None, max_len: int | None = None
    ) -> tuple[list[int], list[int]]:
        """``[CLS] A [SEP] [B [SEP]]`` 的索引与片段号。

        给了 ``max_len`` 时截断到至多 ``max_len`` 个词元（同 D2L）：单文本只留前 ``max_len - 2`` 个子词；
        文本对每次从较长的一段末尾删去一个子词，直到两段加起来不超过 ``max_len - 3`` 个。
        """
        a = self.tokenize(text_a)
        b = None if text_b is None else self.tokenize(text_b)
        if max_len is not None:
            if b is None:
                a = a[: max(max_len - 2, 0)]
            while b is not None and len(a) + len(b) > max_len - 3 and (a or b):
                (a if len(a) > len(b) else b).pop()
        tokens, segments = get_tokens_and_segments(a, b)
        tokens = ["[CLS]" if t == "<cls>" else "[SEP]" if t == "<sep>" else t for t in tokens]
        return [self.token_to_idx[t] for t in tokens], segments

    def encode_batch(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """几段文字填充成一个批量：``(词元索引, 片段号, 有效长度)``，用 ``[PAD]`` 填充。"""
        encoded = [self.encode(t)[0] for t in texts]
        width = max(len(e) for e in encoded)
        tokens = torch.full((len(texts), width), self.token_to_idx["[PAD]"], dtype=torch.long)
        for i, e in enumerate(encoded):
            tokens[i, : len(e)] = torch.tensor(e)
        valid_lens = torch.tensor([len(e) for e in encoded])
        return tokens, torch.zeros_like(tokens), valid_lens


class LengthBucketBatches(TensorBatches):
    """按长度分桶的 :class:`~dlbook.data.loader.TensorBatches`：第三个张量是每个样本的有效长度。

    每轮的随机顺序（由 ``(seed, 轮次)`` 决定）里，每 ``batch_size × 8`` 个样本按有效长度排序再切成小批量，
    整批的顺序再打乱（不满的一批留在最后）。每个样本每轮仍然恰好出现一次。

    Examples
    --------
    >>> lengths = torch.tensor([5, 1, 4, 2, 6, 3])
    >>> data = LengthBucketBatches((torch.arange(6), torch.zeros(6), lengths), 2, seed=0)
    >>> batches = [lengths[b[0]].tolist() for b in data]
    >>> sorted(x for b in batches for x in b), [sorted(b) for b in batches] == batches
    ([1, 2, 3, 4, 5, 6], True)
    """

    def epoch_order(self) -> torch.Tensor:
        g = epoch_generator(self.seed, self.epoch) if self.seed is not None else None
        order = torch.randperm(self.num_examples, generator=g)
        lengths, pool = self.tensors[2], self.batch_size * 8
        order = torch.cat(
            [chunk[lengths[chunk].argsort(stable=True)] for chunk in order.split(pool)]
        )
        full = self.num_examples // self.batch_size * self.batch_size  # 不满的一批留在最后
        batches = order[:full].reshape(-1, self.batch_size)
        shuffled = batches[torch.randperm(len(batches), generator=g)].flatten()
        return torch.cat([shuffled, order[full:]])


def bert_batches(
    tokenizer: WordPieceTokenizer,
    examples: Sequence[tuple[str, int] | tuple[str, str, int]],
    batch_size: int,
    max_len: int,
    *,
    shuffle: bool = True,
    seed: int | None = None,
) -> TensorBatches:
    """微调 BERT 的小批量：``for (tokens, segments, valid_lens), labels in data``。

    ``examples`` 的每一项是 ``(文本, 标签)`` （单文本分类）或 ``(文本 A, 文本 B, 标签)`` （文本对分类，
    例如前提与假设）。每个样本用 :meth:`WordPieceTokenizer.encode` 编码并截断到 ``max_len`` 个词元，
    用 ``[PAD]`` 填充；每个小批量只保留到其中最长的有效长度（填充位置不被关注，去掉多余的填充不改变结果，
    只省计算）。``shuffle`` 时每轮的顺序由 ``seed`` 决定，并且 **按长度分桶**：随机顺序里每
    ``batch_size × 8`` 个样本按有效长度排序后切成小批量，再打乱这些小批量的顺序——同一批里的句子长短相近，
    填充少，计算也就少（句子对的长短相差一倍时，省下约三分之一）。

    Examples
    --------
    >>> tok = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "b", "c"])
    >>> data = bert_batches(tok, [("a b", "c", 0), ("a", "b c a b c", 2), ("c", "c", 1)], 2, 6,
    ...                     shuffle=False)
    >>> (tokens, segments, valid_lens), labels = next(iter(data))
    >>> tokens.tolist(), segments.tolist(), valid_lens.tolist(), labels.tolist()
    ([[2, 4, 5, 3, 6, 3], [2, 4, 3, 5, 6, 3]], [[0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 1]], [6, 6], [0, 2])
    >>> [batch[0][0].shape[1] for batch in data]  # 第二批只有一个样本，保留到它的有效长度 5
    [6, 5]
    """
    pad = tokenizer.token_to_idx["[PAD]"]
    n = len(examples)
    if n == 0:
        raise ValueError("examples 为空")
    tokens = torch.full((n, max_len), pad, dtype=torch.long)
    segments = torch.zeros(n, max_len, dtype=torch.long)
    valid_lens = torch.zeros(n, dtype=torch.long)
    labels = torch.zeros(n, dtype=torch.long)
    for i, example in enumerate(examples):
        *texts, label = example
        ids, segs = tokenizer.encode(*texts, max_len=max_len)
        tokens[i, : len(ids)] = torch.tensor(ids)
        segments[i, : len(segs)] = torch.tensor(segs)
        valid_lens[i], labels[i] = len(ids), label

    def trim(batch: tuple[torch.Tensor, ...]) -> tuple[Any, ...]:
        X, S, L, y = batch
        width = int(L.max())
        return (X[:, :width], S[:, :width], L), y

    batches = LengthBucketBatches if shuffle else TensorBatches
    return batches(
        (tokens, segments, valid_lens, labels), batch_size, shuffle, seed=seed, transform=trim
    )


def minilm_tokenizer(root: str | os.PathLike[str] | None = None) -> WordPieceTokenizer:
    """MiniLM 的 WordPiece 分词器（``minilm`` 里的 ``vocab.txt``，30,522 个词元，不分大小写）。"""
    path = packaged_file("minilm", "vocab.txt", root)
    return WordPieceTokenizer(path.read_text(encoding="utf-8").splitlines())


_SAFETENSORS_DTYPES = {
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "F64": torch.float64,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}


def read_safetensors(path: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
    """读 safetensors 文件的全部张量：8 字节小端的头长度、JSON 头（每个张量的类型、形状与字节范围）、数据。

    只按头里写的类型和形状解释字节，不执行文件里的任何东西。头损坏或字节范围不对时抛出 ``ValueError``。

    Examples
    --------
    >>> import tempfile
    >>> header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "t.safetensors"
    ...     _ = p.write_bytes(struct.pack("<Q", len(header)) + header + struct.pack("<2f", 1.5, -2.0))
    ...     read_safetensors(p)
    {'w': tensor([ 1.5000, -2.0000])}
    """
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}：不是 safetensors 文件（太短）")
    (n,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8 : 8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}：safetensors 的头不是 JSON（{e}）") from None
    body = memoryview(data)[8 + n :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise ValueError(f"{path}：张量 {name} 的类型 {info.get('dtype')!r} 不认识")
        start, end = info["data_offsets"]
        shape = info["shape"]
        count = 1
        for s in shape:
            count *= s
        if not 0 <= start <= end <= len(body) or end - start != count * dtype.itemsize:
            raise ValueError(f"{path}：张量 {name} 的字节范围 {start}–{end} 与形状 {shape} 不符")
        raw = bytearray(body[start:end])
        tensors[name] = (
            torch.frombuffer(raw, dtype=dtype).reshape(shape).clone()
            if count
            else (torch.zeros(shape, dtype=dtype))
        )
    return tensors


def read_minilm(
    root: str | os.PathLike[str] | None = None,
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """MiniLM（all-MiniLM-L6-v2）的设置（``config.json``）与全部权重（``model.safetensors``）。

    两个文件都来自 ``minilm``，由 :func:`~dlbook.data.packaged.packaged_file` 核对 SHA-256：文件损坏或
    版本不对时拒绝读取。
    """
    config = json.loads(packaged_file("minilm", "config.json", root).read_text(encoding="utf-8"))
    return config, read_safetensors(packaged_file("minilm", "model.safetensors", root))
