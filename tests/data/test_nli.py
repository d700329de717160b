"""自然语言推断的数据（dlbook.data.nli）：改写规则给出它们声称的标签、划分与平衡、小批量、SNLI 的下载与读取。

除了最后一个测试（读 nox 放进用户缓存的 Tatoeba 句子对），任何测试都不访问网络：SNLI 的压缩包由测试自己
写出，下载由本机回环地址上的 HTTP 服务器提供。
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
import torch

from dlbook.data import nli
from dlbook.data.download import DataUnavailableError

E, C, N = nli.ENTAILMENT, nli.CONTRADICTION, nli.NEUTRAL


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    monkeypatch.setenv("DLBOOK_USE_SYSTEM_DATA", "0")
    nli._RULE_CACHE.clear()
    yield tmp_path
    nli._RULE_CACHE.clear()


def labelled(premise: str, clause: str | None = None) -> dict[str, tuple[str, int]]:
    return {ex.rule: (ex.hypothesis, ex.label) for ex in nli.make_hypotheses(premise, clause)}


# ---------------------------------------------------------------------------
# 规则：手写的句子，逐条核对假设与标签
# ---------------------------------------------------------------------------


def test_positive_premise_rules():
    got = labelled("My brother has a red car.", "The bus is late.")
    assert got["delete-modifier"] == ("My brother has a car.", E)
    assert got["hypernym"] == ("My sibling has a red car.", E)
    assert "negation" not in got  # 没有 be 动词或 can/will：规则不加否定（不会写出 has not）
    assert got["add-clause"] == ("My brother has a red car and the bus is late.", N)
    got = labelled("Tom is very tall.")
    assert got == {
        "delete-modifier": ("Tom is tall.", E),
        "delete-modifier+negation": ("Tom is not tall.", C),
        "antonym": ("Tom is very short.", C),
        "antonym+negation": ("Tom is not very short.", E),
        "negation": ("Tom is not very tall.", C),
    }


def test_adding_a_modifier_or_a_hyponym_is_neutral_in_positive_context():
    got = labelled("I saw a dog.")
    assert got["add-modifier"] == ("I saw a big dog.", N)
    assert got["hypernym"] == ("I saw an animal.", E)  # 冠词跟着读音改
    got = labelled("An animal is sleeping.")
    hypothesis, label = got["hyponym"]
    assert label == N and hypothesis.split()[1] in nli.LEXICON["hypernyms"]["animal"]


def test_negation_reverses_monotonicity():
    got = labelled("I don't have a dog.", "The bus is late.")
    assert got["add-modifier"] == ("I don't have a big dog.", E)
    assert got["add-modifier+negation"] == ("I have a big dog.", C)
    assert got["hypernym"] == ("I don't have an animal.", N)
    assert got["hypernym+negation"] == ("I have an animal.", N)
    assert got["negation"] == ("I have a dog.", C)
    assert got["add-clause+negation"] == ("I have a dog and the bus is late.", C)
    assert labelled("Tom isn't very tall.")["delete-modifier"] == ("Tom isn't tall.", N)


def test_antonyms_under_negation_depend_on_the_pair():
    # 非此即彼：不开就是关着
    assert labelled("The door is not open.")["antonym"] == ("The door is not closed.", C)
    assert labelled("The door is not open.")["antonym+negation"] == ("The door is closed.", E)
    # 有中间状态：不高也不一定矮
    assert labelled("Tom is not tall.")["antonym"] == ("Tom is not short.", N)
    assert "antonym" not in labelled("John was married to Jane.")  # married to → single to 不通
    assert "antonym" not in labelled("They were busy working.")
    assert labelled("I was late for school.")["antonym"] == ("I was early for school.", C)


def test_definite_noun_phrases_are_not_edited_under_negation():
    got = labelled("I didn't see the dog.")
    assert "hypernym" not in got and "add-modifier" not in got
    assert got["negation"] == ("I did see the dog.", C)


def test_premise_filter():
    assert nli.premise_polarity("Tom is tall.") == 1
    assert nli.premise_polarity("Tom can't swim.") == -1
    for bad in (
        "Is Tom tall?",  # 问句
        "Every dog is an animal.",  # 全称量词破坏单调性
        "Tom might be tall.",  # 情态
        "I don't think Tom isn't tall.",  # 两个否定
        "Hi.",  # 太短
        "Tom, come here.",  # 逗号
        "Tom is taller than Mary.",  # 比较
        "Wash your face.",  # 祈使句
        "Be quiet.",
    ):
        assert nli.premise_polarity(bad) is None, bad
        assert nli.make_hypotheses(bad) == []


def test_compound_nouns_are_left_alone():
    # desk drawer 里的 desk 是修饰语，不是中心词
    got = labelled("I found it in your desk drawer.")
    assert "hypernym" not in got and "add-modifier" not in got


def test_tokenize_nli_splits_clitics_like_glove():
    assert nli.tokenize_nli("I don't know Tom's dog.") == [
        "i", "do", "n't", "know", "tom", "'s", "dog", ".",
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# 数据集：划分、平衡与小批量
# ---------------------------------------------------------------------------

SENTENCES = [
    f"{name} {verb}"
    for name in ("Tom", "Mary", "My father", "The man", "Her sister", "The boy", "John", "Ann")
    for verb in (
        "is very tall.", "has a red car.", "doesn't have a dog.", "is not happy.",
        "saw a horse.", "bought an apple.", "is very busy.", "was late.",
    )
]  # fmt: skip


def test_build_rule_nli_is_balanced_split_by_premise_and_seeded():
    data = nli.build_rule_nli(SENTENCES * 2, seed=0)  # 重复的句子只用一次
    for split in ("train", "test"):
        labels = [ex.label for ex in data[split]]
        assert labels.count(E) == labels.count(C) == labels.count(N) > 0
    train_premises = {ex.premise for ex in data["train"]}
    assert not train_premises & {ex.premise for ex in data["test"]}
    assert nli.build_rule_nli(SENTENCES, seed=0) == data
    assert nli.build_rule_nli(SENTENCES, seed=1) != data
    # 划分只由前提决定，与种子无关
    other = nli.build_rule_nli(SENTENCES, seed=1)
    assert {ex.premise for ex in other["test"]} <= {s for s in SENTENCES if nli._is_test(s)}


@pytest.fixture
def tiny_tatoeba(monkeypatch):
    pairs = [(s, "中文") for s in SENTENCES]
    monkeypatch.setattr(nli, "read_translation_pairs", lambda dataset, root=None: pairs)


def test_read_and_load_nli(tiny_tatoeba):
    train = nli.read_nli("tatoeba-rules", "train")
    test = nli.read_nli("tatoeba-rules", "test")
    assert train and test and all(y in (0, 1, 2) for *_, y in train + test)
    assert train == [(ex.premise, ex.hypothesis, ex.label) for ex in nli.rule_nli_examples()]
    train_iter, test_iter, vocab = nli.load_nli(batch_size=4, num_steps=6)
    (P, H), y = next(iter(train_iter))
    assert P.shape == H.shape == (4, 6) and y.shape == (4,)
    assert vocab.idx_to_token[1] == nli.PAD
    assert test_iter.num_examples == len(test) and train_iter.num_examples == len(train)
    assert nli.load_nli(max_examples=5)[0].num_examples == 5
    with pytest.raises(ValueError, match="split"):
        nli.read_nli("tatoeba-rules", "dev")
    with pytest.raises(ValueError, match="name"):
        nli.read_nli("mnli")


# ---------------------------------------------------------------------------
# SNLI：只能下载（本机回环地址上的服务器）
# ---------------------------------------------------------------------------

HEADER = (
    "gold_label\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
    "sentence2_parse\tsentence1\tsentence2\tcaptionID\tpairID\tlabel1\n"
)


def snli_zip() -> bytes:
    rows = [
        "neutral\t( A dog )\t( A cat )\t(ROOT)\t(ROOT)\tA dog runs.\tA cat sleeps.\t1\t1"
        "\tneutral\n",
        "-\tx\ty\t(ROOT)\t(ROOT)\tNo gold.\tDropped.\t2\t2\tneutral\n",
        "entailment\tx\ty\t(ROOT)\t(ROOT)\tA man sings.\tA person sings.\t3\t3\tentailment\n",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for split in ("train", "dev", "test"):
            z.writestr(f"snli_1.0/snli_1.0_{split}.txt", HEADER + "".join(rows))
    return buffer.getvalue()


@pytest.fixture
def server(isolated, http_dir):
    return http_dir


def test_snli_download_from_local_server(server, monkeypatch):
    www, url = server
    data = snli_zip()
    (www / nli.SNLI_FILE).write_bytes(data)
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(nli, "SNLI_MIRRORS", ())
    monkeypatch.setattr(nli, "SNLI_SHA1", hashlib.sha1(data).hexdigest())
    monkeypatch.setenv(nli.SNLI_MIRROR_ENV, url)
    assert nli.read_nli("snli", "dev") == [
        ("A dog runs.", "A cat sleeps.", N),
        ("A man sings.", "A person sings.", E),
    ]
    assert (nli._snli_dir() / nli.SNLI_FILE).read_bytes() == data


def test_snli_with_wrong_digest_leaves_nothing(server, monkeypatch):
    www, url = server
    (www / nli.SNLI_FILE).write_bytes(snli_zip())
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(nli, "SNLI_MIRRORS", ())
    with pytest.raises(DataUnavailableError, match=f"应为 {nli.SNLI_SHA1}"):
        nli.fetch_snli(mirror=url, retries=0)
    assert not (nli._snli_dir() / nli.SNLI_FILE).exists()
    assert nli.SNLI_SHA1 == "9fcde07509c7e87ec61c640c1b2753d9041758e4"  # D2L 公布的值


def test_snli_offline_and_root(isolated, monkeypatch):
    with pytest.raises(DataUnavailableError, match="DLBOOK_SNLI_MIRROR"):
        nli.read_nli("snli", "train")
    with pytest.raises(FileNotFoundError):
        nli.read_nli("snli", "train", root=isolated)
    data = snli_zip()
    (isolated / nli.SNLI_FILE).write_bytes(data)
    with pytest.raises(ValueError, match="SHA-1"):
        nli.read_nli("snli", "train", root=isolated)
    monkeypatch.setattr(nli, "SNLI_SHA1", hashlib.sha1(data).hexdigest())
    assert len(nli.read_nli("snli", "test", root=isolated)) == 2


# ---------------------------------------------------------------------------
# 真实数据（nox 把 Tatoeba 句子对放进了用户缓存）
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_real_rule_nli(monkeypatch):
    monkeypatch.undo()  # 用真实的用户缓存
    try:
        train = nli.rule_nli_examples("train")
    except DataUnavailableError:
        pytest.skip("本机没有 Tatoeba 句子对")
    test = nli.rule_nli_examples("test")
    assert len(train) > 5000 and len(test) > 800
    for split in (train, test):
        labels = [ex.label for ex in split]
        assert labels.count(E) == labels.count(C) == labels.count(N)
    assert not {ex.premise for ex in train} & {ex.premise for ex in test}
    assert torch.tensor([ex.label for ex in train]).bincount().tolist() == [len(train) // 3] * 3
