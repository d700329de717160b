"""第 9 章 注意力机制：带 Bahdanau 注意力的 seq2seq 与 Transformer，在英法句子对上翻译。

两个实验与第 8 章的 ``seq2seq`` 用同一份数据（本书从软件翻译目录构建的英法句子对，600 个训练
句子对、时间步 10、批量 64）、同一个训练函数（强制教学、Adam 学习率 0.005、梯度裁剪 1）和同一个
``run`` 函数（:func:`~dlbook.experiments.runners.translation_run`），额外指标同样是前
200 个训练句子与留出句子上的平均 BLEU，所以三者的结果可以直接比较。

* ``bahdanau-attention``：设置同 D2L——嵌入 32、隐藏 32、2 层 GRU、暂退 0.1、250 轮；
* ``transformer``：设置同 D2L——隐藏 32、前馈隐藏 64、4 头、2 块、暂退 0.1、200 轮。

快速档只减少轮数：两者都训练 100 轮（与 ``seq2seq`` 的快速档相同），模型与数据不变。
"""

from __future__ import annotations

from dlbook.experiments.catalog.recurrent_modern import (
    MEMORISES,
    TRANSLATION_SIZES,
    TRANSLATION_VOCABS,
)
from dlbook.experiments.model_spec import ModelSpec, Setting
from dlbook.experiments.registry import D2L, Experiment, register
from dlbook.experiments.runners import translation_run
from dlbook.models.bahdanau import seq2seq_attention
from dlbook.models.transformer import transformer

_ATTENTION = "chapter_attention-mechanisms"
_SOURCE = f"{D2L}，Tatoeba 英法句子对"
_TRANSFORMER_SIZES = {
    k: Setting(k) for k in ("num_hiddens", "ffn_num_hiddens", "num_heads", "num_blks", "dropout")
}


register(
    Experiment(
        name="bahdanau-attention",
        page=f"{_ATTENTION}/bahdanau-attention",
        title="带 Bahdanau 注意力的 GRU 编码器–解码器的英法翻译（600 个训练句子对）",
        full=dict(
            model=ModelSpec(seq2seq_attention, *TRANSLATION_VOCABS, **TRANSLATION_SIZES),
            loss="masked_cross_entropy",
            optimizer="torch.optim.Adam",
            lr=0.005,
            batch_size=64,
            num_epochs=250,
            num_steps=10,
            num_examples=600,
            embed_size=32,
            num_hiddens=32,
            num_layers=2,
            dropout=0.1,
            num_bleu=200,
        ),
        quick=dict(num_epochs=100),
        reference=dict(bleu="4 个训练句子上 0.66–1.0（Tatoeba 数据）"),
        reference_source=_SOURCE,
        task="seq2seq",
        run=translation_run,
        expect=MEMORISES,
    )
)

register(
    Experiment(
        name="transformer",
        page=f"{_ATTENTION}/transformer",
        title="Transformer 的英法翻译（2 块、4 头，600 个训练句子对）",
        full=dict(
            model=ModelSpec(transformer, *TRANSLATION_VOCABS, **_TRANSFORMER_SIZES),
            loss="masked_cross_entropy",
            optimizer="torch.optim.Adam",
            lr=0.005,
            batch_size=64,
            num_epochs=200,
            num_steps=10,
            num_examples=600,
            num_hiddens=32,
            ffn_num_hiddens=64,
            num_heads=4,
            num_blks=2,
            dropout=0.1,
            num_bleu=200,
        ),
        quick=dict(num_epochs=100),
        reference=dict(bleu="4 个训练句子上都是 1.0（Tatoeba 数据）"),
        reference_source=_SOURCE,
        task="seq2seq",
        run=translation_run,
        expect=MEMORISES,
    )
)
