"""dlbook.metrics.bleu：BLEU 与 n 元语法精度。"""

from __future__ import annotations

import math

import pytest

from dlbook.metrics.bleu import bleu, ngram_precision


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
