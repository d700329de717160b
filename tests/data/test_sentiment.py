"""情感分析的数据（dlbook.data.sentiment）：读取、损坏与缺失的文件、去重与固定划分、词元化、
截断填充与小批量、IMDb 的下载（本机回环地址上的 HTTP 服务器）。

读取真实语料的测试用 nox 取出到用户缓存里的文件（``chinese-reviews`` 与 ``rotten-tomatoes``）。
"""

from __future__ import annotations

import bz2
import hashlib
import io
import tarfile

import pytest
import torch

from dlbook.data import packaged as pk
from dlbook.data import sentiment as st
from dlbook.data.download import DataUnavailableError

REAL = {name: pk.PACKAGED[name].cache_dir for name in ("chinese-reviews", "rotten-tomatoes")}
needs_real = pytest.mark.skipif(
    any(pk.locate_packaged(name) is None for name in REAL), reason="本机没有情感分析语料"
)


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    return tmp_path


@needs_real
def test_read_real_corpora_counts_and_labels():
    zh = st.read_reviews("chinese-reviews")
    assert len(zh) == 35_123  # pos.txt 16,548 行、neg.txt 18,575 个非空行
    assert sum(label for _, label in zh) == 16_548 and {label for _, label in zh} == {0, 1}
    en = st.read_reviews("rotten-tomatoes")
    assert len(en) == 12_808 and sum(label for _, label in en) == 7_403  # 不含 1,097 条剧情简介
    assert all(text == " ".join(text.split()) and text for text, _ in en)


@needs_real
def test_real_split_is_deduplicated_and_disjoint():
    train, test = st.split_reviews(st.read_reviews("chinese-reviews"))
    train_texts, test_texts = {t for t, _ in train}, {t for t, _ in test}
    assert len(train_texts) == len(train) and len(test_texts) == len(test)
    assert not train_texts & test_texts
    assert 0.18 < len(test) / (len(train) + len(test)) < 0.22
    assert len(train) + len(test) < 0.6 * 35_123  # 约一半的行是重复的


def test_missing_and_corrupt_files_give_clear_errors(isolated):
    with pytest.raises(DataUnavailableError, match="python -m dlbook data fetch chinese-reviews"):
        st.read_reviews("chinese-reviews")
    root = isolated / "rt"
    root.mkdir()
    (root / "rotten_tomatoes_corpus_full.csv.bz2").write_bytes(bz2.compress(b"category,text\n"))
    with pytest.raises(ValueError, match="SHA-256"):
        st.read_reviews("rotten-tomatoes", root)
    with pytest.raises(ValueError, match="未知的情感分析语料"):
        st.read_reviews("sst")
    with pytest.raises(ValueError, match="split 只对 imdb"):
        st.read_reviews("rotten-tomatoes", split="train")


def test_rotten_tomatoes_parser_drops_plot_and_rejects_unknown_category(tmp_path):
    good = tmp_path / "good.csv.bz2"
    good.write_bytes(
        bz2.compress(
            b'category,text,movie_name\nplot,"A man\nwalks.",m\nfresh,"Great,  fun.",m\n'
            b"rotten,Dull.,m\n"
        )
    )
    assert st._read_rotten_tomatoes(good) == [("Great, fun.", 1), ("Dull.", 0)]
    bad = tmp_path / "bad.csv.bz2"
    bad.write_bytes(bz2.compress(b"category,text\nmeh,So so.\n"))
    with pytest.raises(ValueError, match="第 2 行：未知的类别 'meh'"):
        st._read_rotten_tomatoes(bad)
    broken = tmp_path / "broken.csv.bz2"
    broken.write_bytes(b"not bz2")
    with pytest.raises(ValueError, match="不是完好的 bz2"):
        st._read_rotten_tomatoes(broken)


def test_split_drops_conflicting_labels_and_ignores_order():
    reviews = [(f"review {i}", i % 2) for i in range(1000)] + [("same", 1), ("same", 0)]
    train, test = st.split_reviews(reviews + reviews[:10])
    assert len(train) + len(test) == 1000
    assert ("same", 1) not in train + test
    assert 150 < len(test) < 250
    again = st.split_reviews(list(reversed(reviews)))
    assert sorted(again[1]) == sorted(test)
    with pytest.raises(ValueError, match="test_fraction"):
        st.split_reviews(reviews, 1.0)


def test_tokenizers_on_hand_made_sentences():
    assert st.tokenize_reviews(["Not GOOD.", "A must-see!"], "en") == [
        ["not", "good", "."],
        ["a", "must-see", "!"],
    ]
    assert st.tokenize_reviews(["不好看，iPhone 12 还行"], "zh", "char") == [
        ["不", "好", "看", "，", "iPhone", "12", "还", "行"]
    ]
    words = st.tokenize_reviews(["这本书写得非常好", "物流 太慢了"], "zh", "word")
    # 词典分词的歧义：“这本/书写”而不是“这/本书/写”
    assert words == [["这本", "书写", "得", "非常", "好"], ["物流", "太慢", "了"]]
    assert all(
        "".join(w) == s.replace(" ", "") for w, s in zip(words, ["这本书写得非常好", "物流 太慢了"])
    )
    with pytest.raises(ValueError, match="mode"):
        st.tokenize_reviews(["good"], "en", "char")
    with pytest.raises(ValueError, match="language"):
        st.tokenize_reviews(["good"], "fr")
    with pytest.raises(TypeError, match="字符串的列表"):
        st.tokenize_reviews("good", "en")


@needs_real
def test_load_sentiment_shapes_vocab_and_padding():
    data = st.load_sentiment_data(
        "rotten-tomatoes", batch_size=16, num_steps=12, max_examples=200, max_test=40, seed=3
    )
    X, y = data.train_iter.tensors
    assert X.shape == (200, 12) and y.shape == (200,)
    assert data.test_iter.tensors[0].shape == (40, 12)
    pad = data.vocab[st.PAD]
    assert pad == 1
    # 每行：非填充的词元在前，填充在后；长度不超过 num_steps
    for text, row in zip([t for t, _ in data.train_reviews], X):
        n = min(len(st.tokenize_reviews([text], "en")[0]), 12)
        assert (row[:n] != pad).all() and (row[n:] == pad).all()
    # 固定的子集与种子无关；种子只改变批次顺序
    other = st.load_sentiment_data(
        "rotten-tomatoes", batch_size=16, num_steps=12, max_examples=200, max_test=40, seed=4
    )
    assert other.train_reviews == data.train_reviews
    first = [b[1].tolist() for b in data.train_iter]
    assert first != [b[1].tolist() for b in other.train_iter]
    assert data.encode(["A fun ride."]).shape == (1, 12)
    train_iter, test_iter, vocab = st.load_sentiment(
        "chinese-reviews", mode="char", num_steps=30, max_examples=100, max_test=20
    )
    assert len(vocab) > 100 and next(iter(test_iter))[0].shape == (20, 30)
    with pytest.raises(ValueError, match="mode"):
        st.load_sentiment("rotten-tomatoes", mode="char")
    with pytest.raises(ValueError, match="max_examples"):
        st.load_sentiment("rotten-tomatoes", max_examples=0)


# ---------------------------------------------------------------------------
# IMDb：本机回环地址上的 HTTP 服务器
# ---------------------------------------------------------------------------


def tiny_imdb() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        files = {
            "aclImdb/train/pos/10_9.txt": "Loved it.<br />Great.",
            "aclImdb/train/pos/2_8.txt": "Good fun.",
            "aclImdb/train/neg/1_2.txt": "Boring.",
            "aclImdb/test/pos/0_10.txt": "A classic.",
            "aclImdb/test/neg/0_1.txt": "Awful.",
            "aclImdb/train/unsup/0_0.txt": "No label.",
            "aclImdb/imdb.vocab": "the\n",
        }
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def server(isolated, monkeypatch, http_dir):
    """在 127.0.0.1 的随机端口上提供 ``isolated/www`` 目录；允许下载，但不用真实的地址。"""
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(st, "IMDB_MIRRORS", ())
    return http_dir


def test_imdb_download_and_read(server, monkeypatch):
    www, url = server
    data = tiny_imdb()
    (www / st.IMDB_FILE).write_bytes(data)
    monkeypatch.setattr(st, "IMDB_SHA1", hashlib.sha1(data).hexdigest())
    monkeypatch.setenv(st.IMDB_MIRROR_ENV, url)
    archive = st.fetch_imdb(retries=0)
    assert archive.is_file()
    (www / st.IMDB_FILE).unlink()  # 已在缓存里：不再下载
    assert st.read_reviews("imdb", split="train") == [
        ("Good fun.", 1),
        ("Loved it. Great.", 1),
        ("Boring.", 0),
    ]
    assert st.read_reviews("imdb", split="test") == [("A classic.", 1), ("Awful.", 0)]
    assert len(st.read_reviews("imdb")) == 5
    train_iter, test_iter, vocab = st.load_sentiment("imdb", num_steps=4, min_freq=1)
    assert train_iter.tensors[0].shape == (3, 4) and test_iter.tensors[1].tolist() == [1, 0]


def test_imdb_corrupt_download_leaves_nothing(server):
    www, url = server
    (www / st.IMDB_FILE).write_bytes(tiny_imdb())  # SHA-1 不是 D2L 公布的
    with pytest.raises(DataUnavailableError, match=f"应为 {st.IMDB_SHA1}"):
        st.fetch_imdb(mirror=url, retries=0)
    assert not (st.data_dir() / "imdb" / st.IMDB_FILE).exists()
    assert st.IMDB_SHA1 == "01ada507287d82875905620988597833ad4e0903"  # D2L 公布的值


def test_imdb_offline_message_and_local_root(isolated):
    with pytest.raises(DataUnavailableError, match="DLBOOK_IMDB_MIRROR"):
        st.read_reviews("imdb")
    with pytest.raises(DataUnavailableError, match="里没有 aclImdb_v1.tar.gz"):
        st.read_reviews("imdb", isolated)


def test_encode_matches_training_pipeline():
    vocab = st.Vocab([["good", "film"], ["good"]], reserved_tokens=[st.PAD])
    X = st._build_array([["good", "bad"], ["film", "good", "good", "film"]], vocab, 3)
    assert X.tolist() == [[2, 0, 1], [3, 2, 2]]
    assert X.dtype == torch.long
