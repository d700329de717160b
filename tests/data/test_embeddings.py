"""预训练词向量与基准文件（dlbook.data.embeddings）：小 Parquet 读取器、TokenEmbedding、GloVe 与基准的读取。"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from dlbook.data import embeddings as emb
from dlbook.data.packaged import packaged_file


def test_snappy_literal_and_overlapping_copy():
    # 长度 10；原样的 "ab"（标签 (2-1)<<2），再复制 8 个字节、偏移 2（1 字节偏移的复制：长度 4 + 4）
    data = bytes([10, (2 - 1) << 2]) + b"ab" + bytes([((8 - 4) << 2) | 1, 2])
    assert emb._snappy(data) == b"ababababab"


def test_snappy_rejects_wrong_length():
    with pytest.raises(ValueError, match="解压后"):
        emb._snappy(bytes([5, 0]) + b"a")


def test_rle_bitpacked_hybrid():
    # 游程：值 3 重复 4 次（头 4<<1，值占 1 个字节）；位打包：1 组 8 个 2 位的值 0..3,0..3
    run = bytes([4 << 1, 3])
    packed_values = [0, 1, 2, 3, 0, 1, 2, 3]
    bits = np.array([[(v >> k) & 1 for k in range(2)] for v in packed_values], np.uint8).ravel()
    packed = bytes([(1 << 1) | 1]) + np.packbits(bits, bitorder="little").tobytes()
    buf = run + packed
    assert emb._rle_bitpacked(buf, 0, len(buf), 2, 12) == [3, 3, 3, 3, *packed_values]


def test_token_embedding_lookup_and_errors():
    e = emb.TokenEmbedding(["a", "b"], np.eye(2, dtype=np.float64))
    assert e.vectors.dtype == torch.float32 and "a" in e and "z" not in e
    assert e[["b", "z"]].tolist() == [[0.0, 1.0], [0.0, 0.0]]
    with pytest.raises(ValueError, match="形状"):
        emb.TokenEmbedding(["a"], torch.zeros(2, 3))
    with pytest.raises(ValueError, match="重复"):
        emb.TokenEmbedding(["a", "a"], torch.zeros(2, 3))
    with pytest.raises(KeyError):
        e.nearest("z")


def test_knn_orders_by_cosine_and_respects_candidates():
    vectors = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [1.0, 0.05]])
    e = emb.TokenEmbedding(["x", "near", "far", "nearest"], vectors)
    idx, cos = e.knn(torch.tensor([2.0, 0.0]), 3)
    assert idx.tolist() == [0, 3, 1] and cos[0] == pytest.approx(1.0)
    idx, _ = e.knn(torch.tensor([[1.0, 0.0]]), 2, candidates=3)
    assert idx.tolist() == [[0, 1]]
    with pytest.raises(ValueError, match="candidates"):
        e.knn(torch.tensor([1.0, 0.0]), 5)


def test_analogy_excludes_the_question_words():
    # b - a + c 最接近 c 本身；排除 a、b、c 之后答案是 d
    vectors = torch.tensor([[1.0, 0.0, 0.0], [1.0, 0.1, 0.0], [0.0, 0.0, 1.0], [0.0, 0.3, 1.0]])
    e = emb.TokenEmbedding(["a", "b", "c", "d"], vectors)
    assert e.analogy("a", "b", "c") == "d"


def test_benchmarks_have_the_published_sizes():
    questions = emb.load_analogy_questions()
    assert sum(map(len, questions.values())) == 19544 and len(questions) == 14
    assert sum(not name.startswith("gram") for name in questions) == 5
    assert len(emb.load_word_similarity("wordsim353")) == 353
    assert len(emb.load_word_similarity("simlex999")) == 999
    with pytest.raises(ValueError, match="wordsim353"):
        emb.load_word_similarity("men")


def test_corrupted_benchmark_file_is_refused(tmp_path):
    for name in ("questions-words.txt", "wordsim353.tsv", "simlex999.txt"):
        shutil.copy(packaged_file("word-benchmarks", name), tmp_path / name)
    big = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
    (tmp_path / big).symlink_to(packaged_file("word-benchmarks", big))
    with open(tmp_path / "wordsim353.tsv", "a", encoding="utf-8") as f:
        f.write("cat\tdog\t9.9\n")
    with pytest.raises(ValueError, match="SHA-256"):
        emb.load_word_similarity("wordsim353", root=tmp_path)


@pytest.mark.slow
def test_glove_index_matches_vectors_and_neighbours():
    glove = emb.load_glove()
    assert len(glove) == 400_000 and glove.dim == 50
    assert len(set(glove.idx_to_token)) == 400_000
    assert glove.idx_to_token[:4] == ["the", ",", ".", "of"]
    assert glove.nearest("chip", 1)[0][0] == "chips"
    assert glove.analogy("man", "woman", "king") == "queen"
