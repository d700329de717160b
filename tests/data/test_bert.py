"""BERT 的数据：句子对、遮蔽比例、填充、WordPiece、safetensors 与语料文件的散列。"""

import json
import random
import struct

import pytest
import torch

from dlbook.data.bert import (
    BERT_RESERVED_TOKENS,
    BERTPretrainingData,
    WordPieceTokenizer,
    bert_batches,
    mask_tokens,
    next_sentence_pairs,
    read_pretraining_corpus,
    read_safetensors,
)
from dlbook.data.download import DataUnavailableError
from dlbook.data.text import Vocab

WORDS = [f"w{i}" for i in range(50)]


def _vocab():
    return Vocab([WORDS], reserved_tokens=list(BERT_RESERVED_TOKENS))


def test_next_sentence_pairs_half_are_next():
    paragraphs = [[[f"p{p}s{s}"] for s in range(5)] for p in range(50)]
    rng = random.Random(0)
    labels = [
        is_next for p in paragraphs for _, _, is_next in next_sentence_pairs(p, paragraphs, 10, rng)
    ]
    assert len(labels) == 200
    assert 0.4 < sum(labels) / len(labels) < 0.6
    pair = next_sentence_pairs(paragraphs[0], paragraphs, 10, random.Random(1))[0]
    assert pair[0][0] == "<cls>" and pair[0].count("<sep>") == 2 and pair[1] == [0, 0, 0, 1, 1]


def test_too_long_pairs_are_dropped():
    para = [["a"] * 5, ["b"] * 5]
    assert next_sentence_pairs(para, [para], 12, random.Random(0)) == []


def test_masking_proportions():
    vocab, rng = _vocab(), random.Random(0)
    tokens = ["<cls>", *WORDS[:20], "<sep>", *WORDS[20:40], "<sep>"]
    kinds = {"mask": 0, "random": 0, "same": 0}
    for _ in range(3000):
        masked, positions, labels = mask_tokens(tokens, vocab, rng)
        assert len(positions) == round(len(tokens) * 0.15)
        assert all(tokens[i] not in ("<cls>", "<sep>") for i in positions)
        assert [tokens[i] for i in positions] == labels
        for i in positions:
            kinds[
                "mask" if masked[i] == "<mask>" else "same" if masked[i] == tokens[i] else "random"
            ] += 1
        assert all(masked[i] == tokens[i] for i in range(len(tokens)) if i not in positions)
    total = sum(kinds.values())
    assert abs(kinds["mask"] / total - 0.8) < 0.015
    assert abs(kinds["random"] / total - 0.1 * 49 / 50) < 0.01
    assert abs(kinds["same"] / total - (0.1 + 0.1 / 50)) < 0.01


def test_unknown_words_are_never_targets():
    vocab = _vocab()
    tokens = ["<cls>", "zzz", "w1", "yyy", "<sep>"]
    for seed in range(20):
        _, positions, _ = mask_tokens(tokens, vocab, random.Random(seed))
        assert positions == [2]


def test_pretraining_data_padding_and_batches():
    paragraphs = [[WORDS[:3], WORDS[3:6], WORDS[6:8]], [WORDS[8:12], WORDS[12:14]]]
    data = BERTPretrainingData(paragraphs, _vocab(), max_len=12, seed=0)
    t = data.tensors
    assert len(data) == 3
    for i in range(3):
        n = t["valid_lens"][i].item()
        assert (t["tokens"][i, n:] == _vocab()["<pad>"]).all()
        k = int(t["mlm_weights"][i].sum())
        assert (t["pred_positions"][i, :k] < n).all()
    seen = torch.cat([b["nsp_labels"] for b in data.batches(2, torch.Generator().manual_seed(0))])
    assert sorted(seen.tolist()) == sorted(t["nsp_labels"].tolist())


def test_wordpiece_longest_match_and_specials():
    tok = WordPieceTokenizer(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "play", "##ing", "##s", "p", "##lay", "."]
    )
    assert tok.tokenize("Playing plays.") == ["play", "##ing", "play", "##s", "."]
    assert tok.tokenize("xyz") == ["[UNK]"]
    with pytest.raises(ValueError, match=r"\[CLS\]"):
        WordPieceTokenizer(["[PAD]", "[UNK]"])


def _letters():
    return WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *"abcdefgh"])


def test_encode_truncates_the_longer_text_first():
    tok = _letters()
    ids, segments = tok.encode("a b c d e f", "g h", max_len=8)
    tokens = [tok.idx_to_token[i] for i in ids]
    assert tokens == ["[CLS]", "a", "b", "c", "[SEP]", "g", "h", "[SEP]"]
    assert segments == [0] * 5 + [1] * 3
    ids, _ = tok.encode("a b c d e f", max_len=4)
    assert [tok.idx_to_token[i] for i in ids] == ["[CLS]", "a", "b", "[SEP]"]
    assert tok.encode("a b", "c") == tok.encode("a b", "c", max_len=100)


def test_bert_batches_trim_padding_only():
    tok = _letters()
    examples = [("a", 1), ("a b c d", 0), ("b c", 2)]
    batches = list(bert_batches(tok, examples, 2, 10, shuffle=False))
    (X0, S0, L0), y0 = batches[0]
    (X1, S1, L1), y1 = batches[1]
    assert X0.shape == (2, 6) and X1.shape == (1, 4)  # 每批保留到最长的有效长度
    assert L0.tolist() == [3, 6] and L1.tolist() == [4] and y0.tolist() == [1, 0]
    assert X0[0, 3:].eq(tok.token_to_idx["[PAD]"]).all() and not S0.any()
    order = [y.tolist() for _, y in bert_batches(tok, examples, 1, 10, seed=3)]
    assert order == [y.tolist() for _, y in bert_batches(tok, examples, 1, 10, seed=3)]
    with pytest.raises(ValueError, match="为空"):
        bert_batches(tok, [], 2, 10)


def test_safetensors_bad_header(tmp_path):
    path = tmp_path / "bad.safetensors"
    header = json.dumps({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 8)
    with pytest.raises(ValueError, match="字节范围"):
        read_safetensors(path)


def test_corpus_with_wrong_hash_is_refused(tmp_path):
    from dlbook.data.packaged import PACKAGED

    for f in PACKAGED["word-benchmarks"].files:  # 四个文件都在，但内容不对
        (tmp_path / f.name).write_bytes(b"not the dump")
    with pytest.raises((ValueError, DataUnavailableError), match="SHA-256"):
        read_pretraining_corpus(tmp_path)


@pytest.mark.slow
def test_corpus_is_deterministic():
    try:
        corpus = read_pretraining_corpus()
    except DataUnavailableError as e:
        pytest.skip(str(e))
    assert corpus.sha256 == "2d0de78678f30ae248c3f0477eb70bfb3549626f06e66b06e3ff1794a0e004da"
    assert (corpus.num_sentences, corpus.num_words) == (17851, 448623)
    train, test = corpus.split(0.1)
    assert len(train) + len(test) == len(corpus.paragraphs) and test


@pytest.mark.slow
def test_wordpiece_matches_transformers():
    transformers = pytest.importorskip("transformers")
    from dlbook.data.bert import minilm_tokenizer
    from dlbook.data.packaged import packaged_file

    try:
        ours = minilm_tokenizer()
    except DataUnavailableError as e:
        pytest.skip(str(e))
    ref = transformers.BertTokenizer(str(packaged_file("minilm", "vocab.txt")))
    for text in [
        "Unbelievably, the café's naïve owner—Dr. Müller—paid $3.50 for 東京 tickets!!",
        "BERT's WordPiece splits rare words: antidisestablishmentarianism.",
    ]:
        assert ours.tokenize(text) == ref.tokenize(text)
