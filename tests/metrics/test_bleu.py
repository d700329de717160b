"""dlbook.metrics.bleu：BLEU 与 n 元语法精度。"""

from __future__ import annotations

import math
import random

import pytest

from dlbook.metrics.bleu import bleu, corpus_bleu, ngram_precision


def test_bleu_hand_cases():
    label = "ils regardent la télé .".split()
    assert bleu(label, label, k=4) == 1.0
    # 预测 4 个词元：p1 = 4/4，p2 = 3/3，只有长度惩罚 exp(1 - 5/4)
    pred = "ils regardent la télé".split()
    assert ngram_precision(pred, label, 2) == (3, 3)
    assert bleu(pred, label, k=2) == pytest.approx(math.exp(1 - 5 / 4))
    # 词序错了：p1 = 1，p2 = 1/3（只有“la télé”），p3 = 0
    pred = "télé la regardent ils".split()
    assert bleu(pred, label, k=1) == pytest.approx(math.exp(1 - 5 / 4))
    assert ngram_precision("la télé regardent ils".split(), label, 2) == (1, 3)
    assert bleu("la télé regardent ils".split(), label, k=2) == pytest.approx(
        math.exp(1 - 5 / 4) * (1 / 3) ** 0.25
    )
    assert bleu("la télé regardent ils".split(), label, k=3) == 0.0
    # 比参考长：没有长度惩罚；重复的词元最多匹配参考中的次数
    pred = "ils ils regardent la télé .".split()
    assert ngram_precision(pred, label, 1) == (5, 6)
    assert bleu(pred, label, k=1) == pytest.approx((5 / 6) ** 0.5)
    assert bleu(["chat"], label, k=2) == 0.0
    assert bleu([], label) == 0.0
    assert bleu(["terminé"], ["terminé"], k=2) == 1.0  # 单个词元：只比较一元语法
    assert bleu(["fini"], ["terminé"], k=2) == 0.0
    # 参考只有 2 个词元：n 只取到 2
    assert bleu("ils regardent".split(), "ils regardent".split(), k=4) == 1.0
    with pytest.raises(ValueError, match="k"):
        bleu(label, label, k=0)


# ---------------------------------------------------------------------------
# 语料级 BLEU-4：与 sacrebleu 核对
# ---------------------------------------------------------------------------


def _sacrebleu(preds, labels, tokenize="none"):
    sacrebleu = pytest.importorskip("sacrebleu")
    hyps = [" ".join(p) for p in preds] if tokenize == "none" else preds
    refs = [" ".join(r) for r in labels] if tokenize == "none" else labels
    result = sacrebleu.corpus_bleu(
        hyps, [refs], tokenize=tokenize, smooth_method="none", force=True
    )
    return result.score / 100


def test_corpus_bleu_matches_sacrebleu_on_random_corpora():
    rng = random.Random(0)
    words = "a b c d e f".split()
    for _ in range(30):
        labels = [[rng.choice(words) for _ in range(rng.randint(1, 12))] for _ in range(8)]
        preds = [
            [t if rng.random() < 0.7 else rng.choice(words) for t in label][: rng.randint(1, 14)]
            for label in labels
        ]
        assert corpus_bleu(preds, labels) == pytest.approx(_sacrebleu(preds, labels), abs=1e-9)


def test_corpus_bleu_matches_sacrebleu_zh_tokenizer():
    # sacrebleu 的 zh 分词把每个汉字和中文标点切开，与本书按字切分一致
    labels = ["我们走吧。", "他今天很忙。", "汤姆比玛丽大三岁。", "你会回来吗？"]
    preds = ["我们走吧。", "他很忙。", "汤姆比玛丽大两岁。", "你会回来？"]
    ours = corpus_bleu([list(p) for p in preds], [list(r) for r in labels])
    assert 0 < ours < 1
    assert ours == pytest.approx(_sacrebleu(preds, labels, tokenize="zh"), abs=1e-9)


def test_corpus_bleu_differs_from_mean_sentence_bleu():
    preds, labels = (
        [list("我们走吧。"), list("他很忙。")],
        [list("我们走吧。"), list("他今天很忙。")],
    )
    assert bleu(preds[1], labels[1], k=4) == 0.0  # 没有一个四元语法匹配
    assert corpus_bleu(preds, labels) > 0  # 语料级：匹配数合在一起算
    assert corpus_bleu([list("好")], [list("好")]) == 0.0  # 整个语料没有 2 元语法
    with pytest.raises(ValueError, match="句子数"):
        corpus_bleu([["a"]], [])
    with pytest.raises(ValueError, match="不能为空"):
        corpus_bleu([], [])
