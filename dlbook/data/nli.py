"""自然语言推断的数据：用规则从真实句子造出的英文句子对（``tatoeba-rules``），以及联网时下载的 SNLI。

自然语言推断（natural language inference）判断一对句子之间的关系：由前提（premise）能否推出假设
（hypothesis）——蕴涵（entailment）、矛盾（contradiction）或中性（neutral，既推不出也不矛盾）。
D2L 用斯坦福的 SNLI 语料（57 万对，人工写的假设），它只能从网上下载；能离线安装的软件包里找不到
任何 NLI 语料（SNLI、MultiNLI、XNLI、OCNLI 都找过）。所以本书默认的数据是 **用规则造的**：

* **前提是真实句子**：第 9 章机器翻译用过的 Tatoeba 英中句子对（:mod:`dlbook.data.translation`，
  CC-BY 2.0 FR）的英文一侧，只取简单的陈述句（见 :func:`premise_polarity`）；
* **假设由规则改写前提得到，每条规则的标签由它的逻辑决定**（:func:`make_hypotheses`）：

  - 蕴涵：删去一个修饰语（``Tom is very tall.`` → ``Tom is tall.``、``a red car`` → ``a car``），
    或把名词换成它的上位词（``dog`` → ``animal``）；
  - 矛盾：加上或去掉否定（``is`` ↔ ``is not``），或把表语形容词换成反义词（``tall`` → ``short``）；
  - 中性：反方向的改写——加上修饰语、换成下位词（``animal`` → ``dog``），或接上一个无关的分句
    （另一个真实句子）；
  - 每个改写再翻转一次极性又得到一对（蕴涵 ↔ 矛盾，中性不变），所以 ``not`` 在三种标签里都会出现。

  否定句里方向反过来：``I don't have a red car.`` 推不出 ``I don't have a car.``，
  而 ``I don't have a car.`` 却能推出 ``I don't have a red car.``。规则按前提的 **极性**
  （有没有否定词）给标签：这正是自然逻辑里的单调性。可能破坏单调性的句子（含 if、every、no、
  might、than、want 等词的句子，以及问句、祈使句）不当作前提。
* **词汇知识是手写的小表**（:data:`LEXICON`：可删的程度副词、交集形容词、反义词对、上位词表），
  由本书作者按常识写成，不来自任何外部词库；表很小，覆盖有限，这是这份数据的局限之一。

数据按前提的 SHA-1 固定地分成训练集与测试集（同一个前提造出的句子对只落在一边），每个前提每种标签
最多取一对，再把三种标签下采样到一样多。它比 SNLI 简单得多：假设只与前提差一两个词。页面上用
“只看假设”的基线显示规则留下的痕迹（annotation artefacts）。

* ``read_nli("tatoeba-rules", split)`` 读出（前提，假设，标签）三元组；
  ``read_nli("snli", split)`` 读 SNLI 1.0（:func:`fetch_snli` 或第一次使用时下载，SHA-1 与 D2L 相同）；
* :func:`load_nli` 给出词元索引的小批量与词表。

标签的编号与 D2L 相同：0 蕴涵、1 矛盾、2 中性（:data:`LABELS`）。导入本模块不会访问网络、不会读写文件。
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import re
import zipfile
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
    content_digest,
    data_dir,
    download,
    downloads_disabled,
    note_data_use,
)
from dlbook.data.loader import TensorBatches
from dlbook.data.text import Vocab
from dlbook.data.translation import read_translation_pairs, truncate_pad

__all__ = [
    "LABELS",
    "LEXICON",
    "NLI_DATASETS",
    "NLIExample",
    "SNLI_SHA1",
    "build_rule_nli",
    "fetch_snli",
    "load_nli",
    "make_hypotheses",
    "premise_polarity",
    "read_nli",
    "rule_nli_examples",
    "tokenize_nli",
]

#: 三种关系，下标就是标签（与 D2L 相同）。
LABELS = ("entailment", "contradiction", "neutral")
ENTAILMENT, CONTRADICTION, NEUTRAL = 0, 1, 2
#: 两份数据：规则造的 ``tatoeba-rules`` （默认，离线）与 SNLI 1.0（只能下载）。
NLI_DATASETS = ("tatoeba-rules", "snli")
SPLITS = {"tatoeba-rules": ("train", "test"), "snli": ("train", "dev", "test")}
#: 页脚里的数据名称。
TITLES = {
    "tatoeba-rules": "Tatoeba 英文句子（CC-BY 2.0 FR）与本书的改写规则",
    "snli": "SNLI 1.0（CC-BY-SA 4.0）",
}
#: 测试集占前提的比例（按前提的 SHA-1 决定，见 :func:`build_rule_nli`）。
TEST_FRACTION = 0.15

# ---------------------------------------------------------------------------
# 手写的词汇表（本书作者按常识写成，不来自外部词库）
# ---------------------------------------------------------------------------

#: 可以删去的程度副词（``very tall`` → ``tall``）。
_INTENSIFIERS = ("very", "really", "quite", "extremely", "pretty")
#: 交集形容词：``a red car`` 一定是 ``a car`` （不收 ``fake``、``former`` 这类非交集形容词）。
_ADJECTIVES = (
    "red", "blue", "green", "black", "white", "yellow", "big", "small", "large", "little",
    "old", "new", "young", "long", "short", "good", "bad", "beautiful", "nice", "pretty",
    "happy", "tall", "hot", "cold", "heavy", "expensive", "cheap", "famous", "interesting",
    "difficult", "easy", "strong", "kind", "smart", "clever", "rich", "poor", "strange",
    "important", "delicious", "dangerous", "clean", "dirty", "quiet", "busy", "wonderful",
)  # fmt: skip
#: 加修饰语时用的形容词，按上位词的类别选，与名词搭配不会显得荒唐。
_ADDED_ADJECTIVES = {
    "animal": ("big", "black"), "fruit": ("big", "fresh"), "vehicle": ("new", "red"),
    "parent": ("tall", "young"), "sibling": ("tall", "young"), "child": ("little", "happy"),
    "person": ("tall", "young"), "instrument": ("old", "new"), "drink": ("hot", "cold"),
    "building": ("old", "big"), "flower": ("red", "white"), "garment": ("new", "red"),
    "piece of furniture": ("old", "new"),
}  # fmt: skip
#: 反义词对；第三项为真时两者非此即彼（``open``/``closed``），否定句里换反义词也是矛盾。
_ANTONYMS = (
    ("tall", "short", False), ("big", "small", False), ("large", "small", False),
    ("hot", "cold", False), ("happy", "sad", False), ("rich", "poor", False),
    ("fast", "slow", False), ("easy", "difficult", False), ("good", "bad", False),
    ("early", "late", False), ("cheap", "expensive", False), ("clean", "dirty", False),
    ("full", "empty", False), ("heavy", "light", False), ("strong", "weak", False),
    ("safe", "dangerous", False), ("beautiful", "ugly", False), ("interesting", "boring", False),
    ("quiet", "noisy", False), ("young", "old", False), ("long", "short", False),
    ("busy", "idle", False), ("healthy", "sick", False), ("wet", "dry", False),
    ("right", "wrong", True), ("correct", "wrong", True), ("true", "false", True),
    ("alive", "dead", True), ("open", "closed", True), ("awake", "asleep", True),
    ("married", "single", True), ("possible", "impossible", True), ("present", "absent", True),
)  # fmt: skip
#: 上位词：单数与复数各一条（``dog`` → ``animal``、``dogs`` → ``animals``）。
_HYPERNYMS_SINGULAR = {
    "animal": ("dog", "cat", "horse", "bird", "cow", "rabbit", "pig", "sheep", "monkey", "fish"),
    "fruit": ("apple", "banana", "orange", "peach", "pear", "grape", "strawberry", "lemon"),
    "vehicle": ("car", "bus", "truck", "bicycle", "bike", "taxi", "motorcycle"),
    "parent": ("father", "mother", "dad", "mom"),
    "sibling": ("brother", "sister"),
    "child": ("son", "daughter", "boy", "girl", "baby"),
    "person": ("man", "woman"),
    "instrument": ("piano", "guitar", "violin", "drum", "flute"),
    "drink": ("coffee", "tea", "beer", "milk", "wine", "juice"),
    "building": ("house", "hospital", "hotel", "library", "museum"),
    "flower": ("rose", "tulip", "lily"),
    "garment": ("shirt", "jacket", "coat", "dress", "sweater", "skirt"),
    "piece of furniture": ("table", "chair", "desk", "sofa", "bed"),
}
_PLURALS = {
    "child": "children", "person": "people", "man": "men", "woman": "women", "fish": "fish",
    "sheep": "sheep", "strawberry": "strawberries", "baby": "babies", "peach": "peaches",
    "bus": "buses", "church": "churches", "library": "libraries", "dress": "dresses",
    "piece of furniture": "pieces of furniture",
}  # fmt: skip

#: 本书手写的全部词汇知识（只读视图）：程度副词、交集形容词、反义词对、上位词表。
LEXICON: dict[str, Any] = {
    "intensifiers": _INTENSIFIERS,
    "adjectives": _ADJECTIVES,
    "antonyms": _ANTONYMS,
    "hypernyms": _HYPERNYMS_SINGULAR,
}


def _plural(noun: str) -> str:
    return _PLURALS.get(noun, noun + "s")


def _noun_tables() -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
    """（下位词 → 上位词，上位词 → 下位词列表，名词 → 类别），单复数都在里面。"""
    up: dict[str, str] = {}
    down: dict[str, list[str]] = {}
    category: dict[str, str] = {}
    for hyper, hypos in _HYPERNYMS_SINGULAR.items():
        for h in hypos:
            up[h] = hyper
            up[_plural(h)] = _plural(hyper)
            category[h] = category[_plural(h)] = hyper
        down[hyper] = list(hypos)
        down[_plural(hyper)] = [_plural(h) for h in hypos]
        category[hyper] = category[_plural(hyper)] = hyper
    return up, down, category


_HYPERNYM_OF, _HYPONYMS_OF, _CATEGORY = _noun_tables()
_SINGULAR = {n for hyper, hypos in _HYPERNYMS_SINGULAR.items() for n in (hyper, *hypos)}
_ANTONYM_OF: dict[str, tuple[str, bool]] = {}
for _a, _b, _complementary in _ANTONYMS:
    _ANTONYM_OF.setdefault(_a, (_b, _complementary))
    _ANTONYM_OF.setdefault(_b, (_a, _complementary))

# ---------------------------------------------------------------------------
# 规则
# ---------------------------------------------------------------------------

_BE = {"is", "are", "am", "was", "were"}
_BE_CONTRACTED = {"i'm", "he's", "she's", "it's", "that's", "you're", "we're", "they're", "there's"}
_NEGATED = {
    "isn't": "is", "aren't": "are", "wasn't": "was", "weren't": "were", "can't": "can",
    "cannot": "can", "won't": "will", "don't": "do", "doesn't": "does", "didn't": "did",
}  # fmt: skip
#: 名词之后允许出现的词（句末之外）：名词后面跟着这些词时它才是中心词，而不是 ``desk drawer`` 里的修饰语。
_AFTER_NOUN = {
    "is", "are", "was", "were", "has", "have", "had", "in", "on", "at", "with", "to", "from",
    "for", "of", "by", "into", "under", "near", "behind", "yesterday", "today", "now", "here",
    "there", "again", "and", "very", "will", "can", "cannot", "isn't", "aren't", "wasn't",
    "weren't", "doesn't", "didn't", "don't", "won't", "can't", "every", "last", "this",
}  # fmt: skip
#: 会破坏单调性（或让“加否定”不再是矛盾）的词：含这些词的句子不作前提。
_BLOCKERS = {
    "if", "every", "all", "each", "any", "no", "never", "nobody", "nothing", "none", "nor",
    "neither", "without", "unless", "only", "before", "until", "than", "too", "enough", "as",
    "or", "few", "may", "might", "could", "would", "should", "must", "seem", "seems", "think",
    "thinks", "thought", "believe", "believes", "hope", "hopes", "wish", "want", "wants",
    "wanted", "doubt", "whether", "said", "says", "say", "told", "tell", "more", "most", "less",
    "least", "almost", "hardly", "rarely", "seldom", "sometimes", "probably", "maybe",
    "perhaps", "let's", "please", "so", "such", "also", "even", "still", "just", "already",
    "because", "although", "though", "but", "when", "while", "sure", "afraid", "glad",
    "who", "which", "that", "what", "how", "why", "where", "some", "something", "someone",
}  # fmt: skip
#: 加修饰语、换上下位词只在这些限定词之后做（否定句里只用不定冠词：定指的 ``the dog`` 不受否定的单调性影响）。
_DETERMINERS = {
    "a", "an", "the", "my", "your", "his", "her", "our", "their", "this", "two", "three",
}  # fmt: skip
_INDEFINITE = {"a", "an"}
#: 无关分句只取以这些词开头的句子（首字母改成小写仍然通顺）。
_CLAUSE_STARTS = {
    "the", "my", "your", "his", "her", "our", "their", "it", "he", "she", "we", "they",
}  # fmt: skip
_SUBJECTS = {
    "i", "you", "he", "she", "it", "we", "they", "this", "these", "those", "there", "the", "a",
    "an", "my", "your", "his", "her", "our", "their", "its", *_BE_CONTRACTED, "i've", "i'll",
    "i'd", "you've", "we've", "they've", "he'll", "she'll", "we'll", "they'll", "you'll",
}  # fmt: skip
_OBJECT_STARTS = {
    "the", "a", "an", "your", "my", "his", "her", "our", "their", "me", "him", "us", "them",
    "it", "this", "these", "those", "to", "up", "out", "down", "off", "in", "on", "yourself",
}  # fmt: skip
#: 表语形容词后面只有跟着这些词（或句末）时才换反义词：``married to``、``busy working`` 换过去搭配不通。
_AFTER_PREDICATE = {
    "now", "today", "tonight", "again", "here", "there", "in", "at", "for", "on", "this",
    "yesterday", "tomorrow", "and",
}  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_PREMISE_SHAPE = re.compile(r"[A-Z][A-Za-z' ]*[A-Za-z]\.")


@dataclasses.dataclass(frozen=True)
class NLIExample:
    """一对句子、它们的关系，以及造出这一对的规则。

    Attributes
    ----------
    premise, hypothesis : str
        前提与假设。
    label : int
        0 蕴涵、1 矛盾、2 中性（:data:`LABELS`）。
    rule : str
        规则的名字，例如 ``"delete-modifier"``、``"negation"``。
    """

    premise: str
    hypothesis: str
    label: int
    rule: str

    @property
    def label_name(self) -> str:
        return LABELS[self.label]


def tokenize_nli(text: str) -> list[str]:
    """把英文句子切成小写的词元，缩写按 GloVe（宾州树库）的习惯拆开：``isn't`` → ``is n't``。

    这样否定 ``n't`` 与 ``not`` 一样是独立的词元，并且都在 GloVe 的词表里。

    Examples
    --------
    >>> tokenize_nli("Tom isn't very tall.")
    ['tom', 'is', "n't", 'very', 'tall', '.']
    >>> tokenize_nli("I can't, I'm Tom's friend.")
    ['i', 'ca', "n't", ',', 'i', "'m", 'tom', "'s", 'friend', '.']
    """
    return _NLI_TOKEN.findall(text.lower())


_NLI_TOKEN = re.compile(r"n't|'(?:s|m|re|ll|ve|d)\b|[a-z]+(?=n't)|[a-z]+|[0-9]+|[^\sa-z0-9]")


def _words(sentence: str) -> list[str] | None:
    """简单陈述句（大写字母开头、只含字母撇号空格、以句号结尾）的单词，否则为 None。"""
    if not _PREMISE_SHAPE.fullmatch(sentence):
        return None
    return _TOKEN.findall(sentence)


def premise_polarity(sentence: str) -> int | None:
    """句子能不能作前提，能的话它的极性：1 肯定、-1 否定（恰有一个否定词），不能时为 None。

    不能作前提的句子：不是只含单词的陈述句（问句、带逗号或数字的句子），少于 3 个或多于 12 个词，
    含两个以上否定词，含会破坏单调性的词（if、every、no、might、than、want……），或是祈使句。

    Examples
    --------
    >>> premise_polarity("Tom is very tall."), premise_polarity("I don't have a car.")
    (1, -1)
    >>> premise_polarity("Is Tom tall?"), premise_polarity("I think Tom is tall.")
    (None, None)
    >>> premise_polarity("Wash your face.") is None
    True
    """
    words = _words(sentence)
    if words is None or not 3 <= len(words) <= 12:
        return None
    lower = [w.lower() for w in words]
    if any(w in _BLOCKERS for w in lower) or _imperative(lower):
        return None
    negations = sum(w == "not" or w == "cannot" or w.endswith("n't") for w in lower)
    if negations > 1:
        return None
    return -1 if negations else 1


def _imperative(lower: Sequence[str]) -> bool:
    """祈使句（``Wash your face.``、``Be quiet.``）没有主语，不作前提：第一个词不像主语而第二个词像宾语的开头。"""
    if lower[0] in _SUBJECTS:
        return False
    return lower[0] in {"be", "don't", "do"} or lower[1] in _OBJECT_STARTS


def _render(words: Sequence[str]) -> str:
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _article(words: list[str], i: int) -> None:
    """让 ``words[i - 1]`` 处的不定冠词与 ``words[i]`` 的读音一致（a/an）。"""
    if i > 0 and words[i - 1].lower() in _INDEFINITE:
        an = words[i][0].lower() in "aeiou"
        words[i - 1] = ("An" if an else "A") if words[i - 1][0].isupper() else ("an" if an else "a")


def _replace(words: list[str], i: int, new: str) -> list[str]:
    out = list(words)
    out[i] = new
    _article(out, i)
    return out


def _negate(words: list[str]) -> list[str] | None:
    """肯定句加否定：第一个 be 动词（含缩写）之后加 ``not``，``can`` → ``cannot``，``will`` → ``will not``。"""
    for i, w in enumerate(words):
        lw = w.lower()
        if lw in _BE or lw in _BE_CONTRACTED or lw == "will":
            return words[: i + 1] + ["not"] + words[i + 1 :]
        if lw == "can":
            return words[:i] + [w[0] + "annot"] + words[i + 1 :]
    return None


def _affirm(words: list[str]) -> list[str] | None:
    """否定句去掉否定：删去 ``not``，``isn't`` → ``is``，``don't`` → 删去（``doesn't`` → ``does``）。"""
    for i, w in enumerate(words):
        lw = w.lower()
        if lw == "not":
            return words[:i] + words[i + 1 :]
        if lw == "don't":
            rest = words[:i] + words[i + 1 :]
            return rest if i > 0 else None
        if lw in _NEGATED:
            return _replace(words, i, _NEGATED[lw])
    return None


def make_hypotheses(premise: str, clause: str | None = None) -> list[NLIExample]:
    """按规则从一个前提造出全部能造的假设，每一个带着由规则的逻辑决定的标签。

    先做一处 **词汇改写**，标签取决于前提的极性（:func:`premise_polarity`；自然逻辑里的单调性）：

    ============================  ==============  ==================================
    改写                           肯定句           否定句
    ============================  ==============  ==================================
    ``delete-modifier`` 删修饰语    蕴涵             中性
    ``add-modifier`` 加修饰语       中性             蕴涵
    ``hypernym`` 换上位词           蕴涵             中性
    ``hyponym`` 换下位词            中性             蕴涵
    ``antonym`` 换反义词            矛盾             矛盾（非此即彼的词对）或中性（其他）
    ============================  ==============  ==================================

    每个改写还有一个 **再翻转极性** 的版本（规则名加 ``+negation``：肯定句加否定、否定句去掉否定）：
    前提蕴涵 H 时它与“非 H”矛盾，前提与 H 矛盾时它蕴涵“非 H”，中性的仍是中性。不做词汇改写、只翻转极性
    就是 ``negation`` （矛盾）。最后，接上一个无关的真实句子 Q：“前提 and Q”是中性（``add-clause``），
    “非前提 and Q”是矛盾（``add-clause+negation``）。这样 ``not``、``and``、上位词与加上的形容词在三种
    标签的假设里都会出现，单看假设里有没有它们猜不出标签。

    否定句里删修饰语、换上下位词、加修饰语只作用在不定冠词 ``a``/``an`` 之后的名词上（定指的
    ``the dog`` 不受否定的单调性影响）；“向下”的改写（加修饰语、换下位词）只用在单数名词上；
    换反义词只作用在 be 动词（可隔一个程度副词或 ``not``）后面的表语形容词上。

    Parameters
    ----------
    premise : str
        前提；不合要求（:func:`premise_polarity` 为 None）时返回空列表。
    clause : str, optional
        另一个真实句子，用来造“接无关分句”的假设。

    Examples
    --------
    >>> for ex in make_hypotheses("Tom is very tall."):
    ...     print(f"{ex.label_name:13} {ex.rule:24} {ex.hypothesis}")
    entailment    delete-modifier          Tom is tall.
    contradiction delete-modifier+negation Tom is not tall.
    contradiction antonym                  Tom is very short.
    entailment    antonym+negation         Tom is not very short.
    contradiction negation                 Tom is not very tall.
    >>> for ex in make_hypotheses("I don't have a dog.", "The bus is late."):
    ...     print(f"{ex.label_name:13} {ex.rule:24} {ex.hypothesis}")
    entailment    add-modifier             I don't have a big dog.
    contradiction add-modifier+negation    I have a big dog.
    neutral       hypernym                 I don't have an animal.
    neutral       hypernym+negation        I have an animal.
    contradiction negation                 I have a dog.
    neutral       add-clause               I don't have a dog and the bus is late.
    contradiction add-clause+negation      I have a dog and the bus is late.
    """
    polarity = premise_polarity(premise)
    if polarity is None:
        return []
    words = _words(premise)
    assert words is not None
    lower = [w.lower() for w in words]
    positive = polarity > 0
    flip = _negate if positive else _affirm
    out: list[NLIExample] = []

    def add(hyp: list[str] | None, label: int, rule: str) -> None:
        if hyp is not None and hyp != words:
            out.append(NLIExample(_render(words), _render(hyp), label, rule))

    def edit(hyp: list[str], label: int, rule: str) -> None:
        """一处词汇改写，以及它再翻转极性的版本（蕴涵 ↔ 矛盾，中性不变）。"""
        add(hyp, label, rule)
        flipped = {ENTAILMENT: CONTRADICTION, CONTRADICTION: ENTAILMENT, NEUTRAL: NEUTRAL}
        add(flip(hyp), flipped[label], rule + "+negation")

    def quantified(i: int) -> bool:
        """名词或形容词前的限定词允许改写（否定句里只允许不定冠词）。"""
        allowed = _DETERMINERS if positive else _INDEFINITE
        return i > 0 and lower[i - 1] in allowed

    def head_noun(i: int, singular: bool = False) -> bool:
        """``lower[i]`` 是表里的名词、前有允许的限定词，且是名词短语的中心词。

        ``singular`` 为真时只接受单数：``I love the people here.`` 里定指的复数像“全部”一样，
        换成下位词（``the lawyers``）反而是蕴涵，所以“向下”的改写不用在复数上。
        """
        if lower[i] not in _CATEGORY or not quantified(i):
            return False
        if singular and lower[i] not in _SINGULAR:
            return False
        return i + 1 == len(lower) or lower[i + 1] in _AFTER_NOUN

    # 删修饰语：程度副词，或限定词与名词之间的交集形容词
    for i, w in enumerate(lower):
        deletable = w in _INTENSIFIERS and i + 1 < len(lower) and lower[i + 1] in _ADJ_OR_ANT
        if not deletable and w in _ADJECTIVES and quantified(i) and i + 1 < len(lower):
            deletable = lower[i + 1] in _CATEGORY and (
                i + 2 == len(lower) or lower[i + 2] in _AFTER_NOUN
            )
        if deletable:
            hyp = words[:i] + words[i + 1 :]
            _article(hyp, i)
            edit(hyp, ENTAILMENT if positive else NEUTRAL, "delete-modifier")
            break
    # 加修饰语：限定词之后、名词之前加一个形容词
    for i, w in enumerate(lower):
        if head_noun(i, singular=True):
            adjective = next((a for a in _ADDED_ADJECTIVES[_CATEGORY[w]] if a not in lower), None)
            if adjective is not None:
                hyp = words[:i] + [adjective] + words[i:]
                _article(hyp, i)
                edit(hyp, NEUTRAL if positive else ENTAILMENT, "add-modifier")
            break
    # 上位词与下位词
    for i, w in enumerate(lower):
        if w in _HYPERNYM_OF and head_noun(i):
            hyp = _replace(words, i, _HYPERNYM_OF[w])
            edit(hyp, ENTAILMENT if positive else NEUTRAL, "hypernym")
            break
        if w in _HYPONYMS_OF and head_noun(i, singular=True):
            choices = _HYPONYMS_OF[w]
            hypo = choices[int(hashlib.sha1(premise.encode()).hexdigest(), 16) % len(choices)]
            edit(_replace(words, i, hypo), NEUTRAL if positive else ENTAILMENT, "hyponym")
            break
    # 反义词：be 动词之后（可隔一个程度副词或 not）的表语形容词
    for i, w in enumerate(lower):
        if w not in _ANTONYM_OF or i == 0:
            continue
        before = [lower[j] for j in range(max(0, i - 2), i)]
        if before[-1] in _INTENSIFIERS or before[-1] == "not":
            before = before[:-1]
        if not before or not (
            before[-1] in _BE or before[-1] in _BE_CONTRACTED or before[-1] in _NEGATED
        ):
            continue
        if i + 1 < len(lower) and lower[i + 1] not in _AFTER_PREDICATE:
            break  # married to Jane、busy working：换成反义词后搭配不通
        antonym, complementary = _ANTONYM_OF[w]
        label = CONTRADICTION if positive or complementary else NEUTRAL
        edit(_replace(words, i, antonym), label, "antonym")
        break
    # 只翻转极性
    add(flip(words), CONTRADICTION, "negation")
    # 接一个无关的分句
    if clause is not None:
        clause_words = _words(clause)
        if clause_words and clause_words[0].lower() in _CLAUSE_STARTS:
            tail = ["and", clause_words[0].lower(), *clause_words[1:]]
            add([*words, *tail], NEUTRAL, "add-clause")
            flipped = flip(words)
            if flipped is not None:
                add([*flipped, *tail], CONTRADICTION, "add-clause+negation")
    return out


_ADJ_OR_ANT = set(_ADJECTIVES) | set(_ANTONYM_OF)


def _is_test(premise: str) -> bool:
    digest = int(hashlib.sha1(premise.lower().encode("utf-8")).hexdigest()[:8], 16)
    return digest % 1000 < TEST_FRACTION * 1000


def build_rule_nli(sentences: Sequence[str], seed: int = 0) -> dict[str, list[NLIExample]]:
    """从一组真实句子造出规则 NLI 数据，返回 ``{"train": [...], "test": [...]}``。

    步骤：按前提的 SHA-1 把句子固定地分到训练集或测试集（约 15% 进测试集）；对每个前提用
    :func:`make_hypotheses` 造出全部假设（无关分句取同一集合里的另一个前提）；每个前提每种标签随机取一对；
    最后在每个集合里把三种标签随机下采样到一样多。``seed`` 只影响这些随机选择，不影响划分。

    Examples
    --------
    >>> data = build_rule_nli(["Tom is very tall.", "The dog is happy.", "I have a red car."] * 1)
    >>> sorted(data), [ex.label for ex in data["train"]].count(0) == len(data["train"]) // 3
    (['test', 'train'], True)
    """
    rng = random.Random(seed)
    seen: set[str] = set()
    parts: dict[str, list[str]] = {"train": [], "test": []}
    for s in sentences:
        s = " ".join(s.split())
        if s.lower() in seen or premise_polarity(s) is None:
            continue
        seen.add(s.lower())
        parts["test" if _is_test(s) else "train"].append(s)
    result: dict[str, list[NLIExample]] = {}
    for split, premises in parts.items():
        by_label: list[list[NLIExample]] = [[], [], []]
        for premise in premises:
            clause = premises[rng.randrange(len(premises))]
            options = make_hypotheses(premise, clause if clause != premise else None)
            for label in range(3):
                chosen = [ex for ex in options if ex.label == label]
                if chosen:
                    by_label[label].append(rng.choice(chosen))
        n = min(len(group) for group in by_label)
        kept = [ex for group in by_label for ex in _stratified(group, n, rng)]
        rng.shuffle(kept)
        result[split] = kept
    return result


def _stratified(group: list[NLIExample], n: int, rng: random.Random) -> list[NLIExample]:
    """从同一标签的句子对里取 ``n`` 对，轮流从每条规则里取（少见的规则全部保留），减少规则的痕迹。"""
    by_rule: dict[str, list[NLIExample]] = {}
    for ex in group:
        by_rule.setdefault(ex.rule, []).append(ex)
    queues = [rng.sample(v, len(v)) for _, v in sorted(by_rule.items())]
    out: list[NLIExample] = []
    while len(out) < n:
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop())
    return out


_RULE_CACHE: dict[tuple[Any, ...], dict[str, list[NLIExample]]] = {}


def rule_nli_examples(
    split: str = "train", root: str | os.PathLike[str] | None = None, *, seed: int = 0
) -> list[NLIExample]:
    """规则 NLI 数据的一个集合，每一对带着造出它的规则（:class:`NLIExample`）。

    前提取自 Tatoeba 英中句子对（:func:`dlbook.data.translation.read_translation_pairs`）的英文一侧，
    ``root`` 传给它。

    Examples
    --------
    >>> train = rule_nli_examples("train")
    >>> len(train), train[0].label_name
    (..., ...)
    """
    if split not in SPLITS["tatoeba-rules"]:
        raise ValueError(f"split 必须是 'train' 或 'test'，收到 {split!r}")
    note_data_use(TITLES["tatoeba-rules"])
    key = (None if root is None else str(root), seed)
    if key not in _RULE_CACHE:
        english = [en for en, _ in read_translation_pairs("cmn-eng", root)]
        _RULE_CACHE[key] = build_rule_nli(english, seed=seed)
    return list(_RULE_CACHE[key][split])


# ---------------------------------------------------------------------------
# SNLI：只能下载
# ---------------------------------------------------------------------------

SNLI_FILE = "snli_1.0.zip"
#: D2L 的 ``DATA_HUB['SNLI']`` 给出的 SHA-1。
SNLI_SHA1 = "9fcde07509c7e87ec61c640c1b2753d9041758e4"
SNLI_MIRRORS: tuple[str, ...] = ("https://nlp.stanford.edu/projects/snli/",)
SNLI_MIRROR_ENV = "DLBOOK_SNLI_MIRROR"


def _snli_dir() -> Path:
    return data_dir() / "snli"


def _check_snli(path: Path) -> None:
    digest = content_digest(path, "sha1")
    if digest != SNLI_SHA1:
        raise ValueError(
            f"{path.name} 的 SHA-1 是 {digest}，应为 {SNLI_SHA1}（文件损坏或不是 SNLI 1.0）"
        )


def _snli_how_to(detail: str = "") -> str:
    lines = [
        "本机没有 SNLI 1.0（snli_1.0.zip）。获取办法：",
        "  * 联网时调用 dlbook.data.nli.fetch_snli()（第一次调用 read_nli('snli') 时也会自动下载）；",
        f"  * 设置环境变量 {SNLI_MIRROR_ENV} 指向一个放着 {SNLI_FILE} 的镜像；",
        f"  * 把 {SNLI_FILE} 放进 {_snli_dir()}，或用 root= 指定它所在的目录。",
        "本书默认的 read_nli('tatoeba-rules') 不需要下载。",
    ]
    if detail:
        lines.append("下载时的错误：" + detail)
    return "\n".join(lines)


def fetch_snli(
    *,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
) -> Path:
    """把 ``snli_1.0.zip`` 下载进用户缓存（先校验 SHA-1），返回缓存目录；已有且正确时不再下载。

    镜像依次为参数 ``mirror``、环境变量 ``DLBOOK_SNLI_MIRROR``、斯坦福的原始地址。

    Raises
    ------
    DataUnavailableError
        禁止下载（``DLBOOK_OFFLINE``）或所有地址都失败；信息列出获取数据的全部办法。
    """
    cache = _snli_dir()
    dest = cache / SNLI_FILE
    if dest.is_file():
        try:
            _check_snli(dest)
            return cache
        except ValueError:
            pass
    if downloads_disabled():
        raise DataUnavailableError(_snli_how_to())
    mirrors = [m for m in (mirror, os.environ.get(SNLI_MIRROR_ENV)) if m]
    mirrors += [m for m in SNLI_MIRRORS if m not in mirrors]
    urls = [(m if m.endswith("/") else m + "/") + SNLI_FILE for m in mirrors]
    try:
        download(
            SNLI_FILE, urls, dest, _check_snli, timeout=timeout, retries=retries, opener=opener
        )
    except DownloadError as err:
        raise DataUnavailableError(_snli_how_to(str(err))) from err
    return cache


def _read_snli(path: Path, split: str) -> list[tuple[str, str, int]]:
    member = f"snli_1.0/snli_1.0_{split}.txt"
    with zipfile.ZipFile(path) as z:
        if member not in z.namelist():
            raise ValueError(f"{path} 里没有 {member}")
        lines = z.read(member).decode("utf-8").splitlines()
    header = lines[0].split("\t")
    try:
        gold, s1, s2 = (header.index(c) for c in ("gold_label", "sentence1", "sentence2"))
    except ValueError as err:
        raise ValueError(f"{path}!{member} 的表头不对：{header[:8]}") from err
    out = []
    for n, line in enumerate(lines[1:], start=2):
        row = line.split("\t")
        if len(row) <= max(gold, s1, s2):
            raise ValueError(f"{path}!{member} 第 {n} 行的列数不对")
        if row[gold] in LABELS:  # 标注者没有多数意见的行（"-"）丢掉，与 D2L 相同
            out.append((row[s1], row[s2], LABELS.index(row[gold])))
    return out


# ---------------------------------------------------------------------------
# 读取与小批量
# ---------------------------------------------------------------------------


def read_nli(
    name: str = "tatoeba-rules",
    split: str = "train",
    root: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
) -> list[tuple[str, str, int]]:
    """读出（前提，假设，标签）三元组的列表；标签 0 蕴涵、1 矛盾、2 中性。

    Parameters
    ----------
    name : {"tatoeba-rules", "snli"}
        ``tatoeba-rules`` 是本书用规则造的数据（离线，见模块说明）；``snli`` 是 SNLI 1.0（只能下载）。
    split : str
        ``tatoeba-rules`` 有 ``"train"``、``"test"``；``snli`` 还有 ``"dev"``。
    root : path-like, optional
        ``tatoeba-rules``：Tatoeba 句子对文件所在的目录；``snli``：``snli_1.0.zip`` 所在的目录。
    download : bool
        ``snli`` 不在本机时是否下载。

    Raises
    ------
    DataUnavailableError
        本机没有数据且无法获取；信息列出获取数据的全部办法。

    Examples
    --------
    >>> train = read_nli("tatoeba-rules", "train")
    >>> premise, hypothesis, label = train[0]
    >>> isinstance(premise, str), label in (0, 1, 2)
    (True, True)
    """
    if name not in NLI_DATASETS:
        raise ValueError(f"name 必须是 {NLI_DATASETS} 之一，收到 {name!r}")
    if split not in SPLITS[name]:
        raise ValueError(f"{name} 的 split 必须是 {SPLITS[name]} 之一，收到 {split!r}")
    if name == "tatoeba-rules":
        return [(ex.premise, ex.hypothesis, ex.label) for ex in rule_nli_examples(split, root)]
    note_data_use(TITLES["snli"])
    if root is not None:
        path = Path(root) / SNLI_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{root} 里没有 {SNLI_FILE}")
        _check_snli(path)
    else:
        path = _snli_dir() / SNLI_FILE
        if not path.is_file() and not download:
            raise DataUnavailableError(_snli_how_to())
        path = fetch_snli() / SNLI_FILE
    return _read_snli(path, split)


#: 词表里的保留词元：填充。
PAD = "<pad>"


def _as_tensor(texts: Sequence[str], vocab: Vocab, num_steps: int) -> torch.Tensor:
    rows = [truncate_pad(vocab[tokenize_nli(t)], num_steps, vocab[PAD]) for t in texts]
    return torch.tensor(rows, dtype=torch.long)


def load_nli(
    name: str = "tatoeba-rules",
    *,
    batch_size: int = 128,
    num_steps: int = 16,
    min_freq: int = 1,
    seed: int = 0,
    max_examples: int | None = None,
    root: str | os.PathLike[str] | None = None,
    test_split: str = "test",
) -> tuple[TensorBatches, TensorBatches, Vocab]:
    """NLI 数据的小批量：``for (premises, hypotheses), labels in train_iter``。

    前提与假设用 :func:`tokenize_nli` 切成词元，截断或用 ``<pad>`` 填充到 ``num_steps``；
    词表只由训练集建立（出现少于 ``min_freq`` 次的词元当作 ``<unk>``）。训练集每轮由 ``seed``
    决定顺序地打乱，测试集不打乱。

    Parameters
    ----------
    max_examples : int, optional
        只用训练集的前这么多对（测试集不变），用于缩小运行规模。
    test_split : str
        作测试集的集合；SNLI 可用 ``"dev"``。

    Examples
    --------
    >>> train_iter, test_iter, vocab = load_nli(batch_size=4, max_examples=8)
    >>> (premises, hypotheses), labels = next(iter(train_iter))
    >>> premises.shape, hypotheses.shape, labels.shape
    (torch.Size([4, 16]), torch.Size([4, 16]), torch.Size([4]))
    """
    train = read_nli(name, "train", root)
    test = read_nli(name, test_split, root)
    if max_examples is not None:
        if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
            raise ValueError(f"max_examples 必须是正整数，收到 {max_examples!r}")
        train = train[:max_examples]
    tokens = [tokenize_nli(t) for p, h, _ in train for t in (p, h)]
    vocab = Vocab(tokens, min_freq=min_freq, reserved_tokens=[PAD])

    def tensors(rows: list[tuple[str, str, int]]) -> tuple[torch.Tensor, ...]:
        return (
            _as_tensor([p for p, _, _ in rows], vocab, num_steps),
            _as_tensor([h for _, h, _ in rows], vocab, num_steps),
            torch.tensor([y for _, _, y in rows], dtype=torch.long),
        )

    def pair(batch: tuple[torch.Tensor, ...]) -> tuple[Any, ...]:
        return (batch[0], batch[1]), batch[2]

    train_iter = TensorBatches(tensors(train), batch_size, shuffle=True, seed=seed, transform=pair)
    test_iter = TensorBatches(tensors(test), batch_size, shuffle=False, transform=pair)
    return train_iter, test_iter, vocab
