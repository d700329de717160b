"""文本预处理与语言模型数据：清洗、词元化、词表、n 元语法、两种小批量迭代器的覆盖与顺序。"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.data import DataUnavailableError, data_dir
from dlbook.data import corpus as tc
from dlbook.data.text import (
    SeqDataLoader,
    Vocab,
    clean_lines,
    count_corpus,
    load_corpus,
    load_language_model_data,
    ngrams,
    read_corpus_lines,
    seq_data_iter_random,
    seq_data_iter_sequential,
    split_corpus,
    tokenize,
)

HAS_ALICE = tc.verify_corpus("alice", data_dir() / "alice") == []


# ---------------------------------------------------------------------------
# 清洗、词元化、词表
# ---------------------------------------------------------------------------


def test_clean_lines_keeps_letters_only():
    text = "CHAPTER I\r\n\r\n  `Oh dear!  Oh dear!  I shall be late!'\n1865 -- 42\n"
    assert clean_lines(text) == ["chapter i", "oh dear oh dear i shall be late"]
    with pytest.raises(TypeError, match="text"):
        clean_lines(["not", "a", "string"])


def test_tokenize_words_and_chars():
    lines = ["the rabbit", "", "hole"]
    assert tokenize(lines, "word") == [["the", "rabbit"], [], ["hole"]]
    assert tokenize(lines, "char")[0] == list("the rabbit")
    with pytest.raises(ValueError, match="token"):
        tokenize(lines, "byte")
    with pytest.raises(TypeError, match="lines"):
        tokenize("the rabbit")


def test_vocab_order_min_freq_and_reserved():
    tokens = [["b", "a", "c"], ["a", "b", "a", "d", "d"]]
    assert count_corpus(tokens) == count_corpus(sum(tokens, []))
    vocab = Vocab(tokens)
    # 频率从高到低；同频率（b、d 都是 2 次）按第一次出现的先后
    assert vocab.idx_to_token == ["<unk>", "a", "b", "d", "c"]
    assert vocab.token_freqs == [("a", 3), ("b", 2), ("d", 2), ("c", 1)]
    assert vocab["a"] == 1 and vocab[["d", "zzz"]] == [3, 0]
    assert vocab.to_tokens(torch.tensor([4, 1])) == ["c", "a"]
    assert all(vocab[vocab.to_tokens(i)] == i for i in range(1, len(vocab)))

    rare = Vocab(tokens, min_freq=2, reserved_tokens=["<pad>", "<eos>"])
    assert rare.idx_to_token == ["<unk>", "<pad>", "<eos>", "a", "b", "d"]
    assert rare["c"] == rare.unk == 0
    # 保留词元即使在语料里出现，也只占一个位置
    assert Vocab(["<pad>", "x"], reserved_tokens=["<pad>"]).idx_to_token == ["<unk>", "<pad>", "x"]
    assert len(Vocab()) == 1


def test_vocab_rejects_bad_arguments():
    with pytest.raises(ValueError, match="min_freq"):
        Vocab(["a"], min_freq=-1)
    with pytest.raises(ValueError, match="<unk>"):
        Vocab(["a"], reserved_tokens=["<unk>"])
    with pytest.raises(ValueError, match="重复"):
        Vocab(["a"], reserved_tokens=["<pad>", "<pad>"])
    vocab = Vocab(["a"])
    with pytest.raises(IndexError, match="超出词表"):
        vocab.to_tokens(2)
    with pytest.raises(TypeError, match="整数"):
        vocab.to_tokens("a")


def test_ngrams():
    assert ngrams(list("abcd"), 1) == [("a",), ("b",), ("c",), ("d",)]
    bigrams = Vocab(ngrams(list("abab"), 2))  # 元组是一个词元，不被展开
    assert bigrams.token_freqs == [(("a", "b"), 2), (("b", "a"), 1)]
    assert bigrams[("a", "b")] == 1 and bigrams[[("b", "a"), ("c", "c")]] == [2, 0]
    assert ngrams(list("abcd"), 3) == [("a", "b", "c"), ("b", "c", "d")]
    assert ngrams(list("ab"), 3) == []
    with pytest.raises(ValueError, match="n"):
        ngrams(list("ab"), 0)


# ---------------------------------------------------------------------------
# 两种小批量迭代器：覆盖与顺序
# ---------------------------------------------------------------------------

# 语料取 0, 1, 2, ...：每个词元的值就是它在语料中的位置，便于检查。
sizes = st.tuples(
    st.integers(30, 400),  # 语料长度
    st.integers(1, 5),  # batch_size
    st.integers(1, 7),  # num_steps
    st.integers(0, 10_000),  # 种子
).filter(lambda t: t[0] >= (t[1] + 1) * t[2])


@settings(max_examples=60, deadline=None)
@given(sizes)
def test_random_iterator_covers_disjoint_windows(args):
    n, batch_size, num_steps, seed = args
    g = torch.Generator().manual_seed(seed)
    batches = list(seq_data_iter_random(range(n), batch_size, num_steps, generator=g))
    X = torch.cat([x for x, _ in batches])
    Y = torch.cat([y for _, y in batches])
    assert all(x.shape == (batch_size, num_steps) for x, _ in batches)
    assert torch.equal(Y, X + 1)  # 标签是右移一位
    assert torch.equal(X[:, 1:], X[:, :-1] + 1)  # 每个子序列在原文中连续
    starts = X[:, 0]
    offset = int(starts.min()) % num_steps
    assert ((starts - offset) % num_steps == 0).all()  # 都在同一个偏移的网格上
    assert len(set(starts.tolist())) == len(starts)  # 互不重叠
    # 覆盖：偏移之后的 num_subseqs 个子序列中，只丢掉凑不满一批的零头
    num_subseqs = (n - offset - 1) // num_steps
    assert len(starts) == num_subseqs // batch_size * batch_size
    assert int(Y.max()) <= n - 1


def test_random_iterator_order_depends_on_seed():
    orders = set()
    offsets = set()
    for seed in range(30):
        g = torch.Generator().manual_seed(seed)
        X = torch.cat([x for x, _ in seq_data_iter_random(range(200), 4, 5, generator=g)])
        orders.add(tuple(X[:, 0].tolist()))
        offsets.add(int(X[:, 0].min()) % 5)
    assert len(orders) == 30 and offsets == set(range(5))
    # 同一个种子给出同一个顺序
    a = list(seq_data_iter_random(range(200), 4, 5, generator=torch.Generator().manual_seed(1)))
    b = list(seq_data_iter_random(range(200), 4, 5, generator=torch.Generator().manual_seed(1)))
    assert all(torch.equal(x, y) for (x, _), (y, _) in zip(a, b))


@settings(max_examples=60, deadline=None)
@given(sizes)
def test_sequential_iterator_rows_continue_across_batches(args):
    n, batch_size, num_steps, seed = args
    g = torch.Generator().manual_seed(seed)
    batches = list(seq_data_iter_sequential(range(n), batch_size, num_steps, generator=g))
    for X, Y in batches:
        assert X.shape == (batch_size, num_steps) and torch.equal(Y, X + 1)
    rows = torch.cat([x for x, _ in batches], dim=1)  # 每一行把各批接起来
    # 顺序：第 i 行在相邻两批之间首尾相接，整行在原文中连续
    assert torch.equal(rows[:, 1:], rows[:, :-1] + 1)
    offset = int(rows[0, 0])
    assert 0 <= offset < num_steps
    # 覆盖：各行是把偏移之后的语料等分成 batch_size 段后，每段的开头部分
    segment = (n - offset - 1) // batch_size
    assert torch.equal(rows[:, 0], offset + segment * torch.arange(batch_size))
    assert rows.shape[1] == segment // num_steps * num_steps
    assert int(rows.max()) + 1 <= n - 1


def test_iterators_reject_short_corpus_and_bad_sizes():
    for make in (seq_data_iter_random, seq_data_iter_sequential):
        with pytest.raises(ValueError, match="语料只有 10 个词元"):
            list(make(range(10), 4, 3))
        with pytest.raises(ValueError, match="num_steps"):
            list(make(range(100), 4, 0))
        with pytest.raises(ValueError, match="batch_size"):
            list(make(range(100), 2.0, 3))
    with pytest.raises(ValueError, match="一维"):
        list(seq_data_iter_sequential(torch.zeros(4, 30, dtype=torch.long), 2, 3))


def test_loader_epochs_are_reproducible():
    loader = SeqDataLoader(list(range(300)), 4, 5, sampling="random", seed=3)
    first = [x.clone() for x, _ in loader]
    second = [x.clone() for x, _ in loader]
    assert loader.epoch == 2
    assert not all(torch.equal(a, b) for a, b in zip(first, second))  # 每轮不同
    loader.set_epoch(0)
    again = [x for x, _ in loader]
    assert all(torch.equal(a, b) for a, b in zip(first, again))  # 由种子与轮次决定
    assert loader.sampling == "random" and "random" in repr(loader)
    with pytest.raises(ValueError, match="sampling"):
        SeqDataLoader(list(range(300)), 4, 5, sampling="shuffle")
    with pytest.raises(ValueError, match="语料只有 20 个词元"):
        SeqDataLoader(list(range(20)), 4, 5)


# ---------------------------------------------------------------------------
# 真实语料
# ---------------------------------------------------------------------------


def test_missing_corpus_gives_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    with pytest.raises(DataUnavailableError, match="找不到语料 alice") as info:
        read_corpus_lines("alice")
    assert "brotli==1.2.1" in str(info.value)


@pytest.mark.skipif(not HAS_ALICE, reason="先运行 python -m dlbook data fetch alice")
def test_alice_corpus_and_vocab():
    corpus, vocab = load_corpus("alice")
    assert len(corpus) == 134_997 and len(vocab) == 28
    assert vocab.idx_to_token[:3] == ["<unk>", " ", "e"]  # 空格最多，其次是 e
    assert vocab.unk not in corpus  # 字符级：26 个字母加空格都在词表里
    text = "".join(vocab.to_tokens(corpus[:120]))
    assert text.startswith("alice s adventures in wonderland lewis carroll")
    assert "  " not in "".join(vocab.to_tokens(corpus))  # 行与行之间只补一个空格

    words, word_vocab = load_corpus("alice", token="word", min_freq=3)
    assert word_vocab.idx_to_token[1:4] == ["the", "and", "to"]
    assert word_vocab.unk in words  # 出现少于 3 次的词成了 <unk>
    assert len(load_corpus("alice", max_tokens=1000)[0]) == 1000

    train_iter, vocab = load_language_model_data(32, 35, max_tokens=5000, sampling="random")
    X, Y = next(iter(train_iter))
    assert X.shape == Y.shape == (32, 35) and X.dtype == torch.long


def test_split_corpus_holds_out_the_end_without_overlap():
    corpus = list(range(100))
    train, valid = split_corpus(corpus, 30)
    assert train == list(range(70)) and valid == list(range(70, 100))
    train, valid = split_corpus(corpus, 30, num_train=10)
    assert train == list(range(10)) and valid == list(range(70, 100))  # 验证集总在书末
    with pytest.raises(ValueError, match="num_valid"):
        split_corpus(corpus, 0)
    with pytest.raises(ValueError, match="num_train"):
        split_corpus(corpus, 30, num_train=0)
    with pytest.raises(ValueError, match="最多 70"):
        split_corpus(corpus, 30, num_train=71)
