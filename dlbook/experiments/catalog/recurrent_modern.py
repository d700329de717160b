"""第 8 章 现代循环神经网络：GRU、LSTM、深度与双向循环网络的字符级语言模型，以及英法翻译的 seq2seq。

语言模型与第 7 章相同：《爱丽丝梦游仙境》的字符级语料（D2L 用《时间机器》），书中的设置是
批量 32、时间步 35、256 个隐藏单元、学习率 1（深度 LSTM 为 2）、梯度裁剪 1、500 轮。快速档只用
前 1 万个字符训练 20 轮，模型不变（双向模型训练 40 轮；D2L 的双向模型有两层，这里只用一层）。

seq2seq 用本书从软件翻译目录构建的英法句子对（``fra-eng``，见 :mod:`dlbook.data.translation`），
设置同 D2L：600 个训练句子对、嵌入 32、隐藏 32、2 层 GRU、暂退 0.1、批量 64、时间步 10、
Adam 学习率 0.005、300 轮；快速档训练 100 轮。额外指标是留出的测试句子与训练句子上的平均 BLEU。
"""

from __future__ import annotations

from dlbook.experiments.catalog.recurrent_neural_networks import BEATS_UNIFORM, LANGUAGE_MODEL
from dlbook.experiments.expectations import above, below
from dlbook.experiments.model_spec import FromData, ModelSpec, Setting
from dlbook.experiments.registry import D2L, Experiment, register
from dlbook.experiments.runners import language_model_run, translation_run
from dlbook.models.gru import GRUScratch, gru_model
from dlbook.models.lstm import LSTMScratch, lstm_model
from dlbook.models.seq2seq import seq2seq

_MODERN = "chapter_recurrent-modern"
_SOURCE = f"{D2L}，《时间机器》，GPU"

_GATED = dict(LANGUAGE_MODEL, num_hiddens=256, sampling="sequential")
_QUICK = dict(num_train=10_000, num_epochs=20)
# 词表大小读完语料才知道，由 language_model_run 给出
_VOCAB, _HIDDENS = FromData("vocab_size"), Setting("num_hiddens")

for _name, _title, _factory, _ppl in (
    ("gru-scratch", "从零实现的 GRU 字符级语言模型", GRUScratch, "1.1"),
    ("gru-concise", "nn.GRU 的字符级语言模型", gru_model, "1.0"),
    ("lstm-scratch", "从零实现的 LSTM 字符级语言模型", LSTMScratch, "1.1"),
    ("lstm-concise", "nn.LSTM 的字符级语言模型", lstm_model, "1.0"),
):
    register(
        Experiment(
            name=_name,
            page=f"{_MODERN}/{_name.split('-')[0]}",
            title=_title + "（256 个隐藏单元，顺序分区）",
            full=dict(model=ModelSpec(_factory, _VOCAB, _HIDDENS), **_GATED),
            quick=_QUICK,
            reference=dict(perplexity=f"约 {_ppl}"),
            reference_source=_SOURCE,
            task="language_model",
            run=language_model_run,
            expect=BEATS_UNIFORM,
        )
    )

register(
    Experiment(
        name="deep-rnn",
        page=f"{_MODERN}/deep-rnn",
        title="两层 nn.LSTM 的字符级语言模型（每层 256 个隐藏单元）",
        full=dict(
            model=ModelSpec(lstm_model, _VOCAB, _HIDDENS, num_layers=Setting("num_layers")),
            **{**_GATED, "lr": 2},
            num_layers=2,
        ),
        quick=_QUICK,
        reference=dict(perplexity="约 1.0"),
        reference_source=_SOURCE,
        task="language_model",
        run=language_model_run,
        expect=BEATS_UNIFORM,
    )
)

register(
    Experiment(
        name="bi-rnn",
        page=f"{_MODERN}/bi-rnn",
        title="双向 nn.LSTM 的字符级语言模型（错误用法：训练时看到了要预测的下一个字符）",
        # D2L 用两层双向 LSTM；这里用一层（计算量是两层的一半），已足以说明问题
        full=dict(
            model=ModelSpec(
                lstm_model,
                _VOCAB,
                _HIDDENS,
                num_layers=Setting("num_layers"),
                bidirectional=Setting("bidirectional"),
            ),
            **_GATED,
            num_layers=1,
            bidirectional=True,
        ),
        # 快速档训练 40 轮：双向模型要先学会从反向层里“抄”下一个字符，20 轮还不够明显
        quick=dict(_QUICK, num_epochs=40),
        reference=dict(perplexity="约 1.1（两层；生成的文本却是胡话）"),
        reference_source=_SOURCE,
        task="language_model",
        run=language_model_run,
        expect=(
            below(
                "perplexity",
                "lstm-concise",
                "双向模型在训练时看到了要预测的字符：训练困惑度低得反常",
            ),
        ),
    )
)


#: 翻译各节的论断：600 个句子对只够模型记住训练句子——训练句子上的平均 BLEU 高于留出句子。
MEMORISES = (
    above(
        "bleu_train",
        None,
        "训练句子上的平均 BLEU 高于留出句子：模型在记忆而不是在翻译",
        other_metric="bleu_test",
    ),
)


#: 翻译模型的词表大小（读完句子对才知道，由 translation_run 给出）与结构参数：
#: ``ModelSpec(seq2seq, *TRANSLATION_VOCABS, **TRANSLATION_SIZES)``。
TRANSLATION_VOCABS = (FromData("src_vocab_size"), FromData("tgt_vocab_size"))
TRANSLATION_SIZES = {k: Setting(k) for k in ("embed_size", "num_hiddens", "num_layers", "dropout")}


register(
    Experiment(
        name="seq2seq",
        page=f"{_MODERN}/seq2seq",
        title="GRU 编码器–解码器的英法翻译（软件界面消息，600 个训练句子对）",
        full=dict(
            model=ModelSpec(seq2seq, *TRANSLATION_VOCABS, **TRANSLATION_SIZES),
            loss="masked_cross_entropy",
            optimizer="torch.optim.Adam",
            lr=0.005,
            batch_size=64,
            num_epochs=300,
            num_steps=10,
            num_examples=600,
            embed_size=32,
            num_hiddens=32,
            num_layers=2,
            dropout=0.1,
            num_bleu=200,
        ),
        quick=dict(num_epochs=100),
        reference=dict(bleu="4 个训练句子上 0.0–1.0（Tatoeba 数据）"),
        reference_source=f"{D2L}，Tatoeba 英法句子对",
        task="seq2seq",
        run=translation_run,
        expect=MEMORISES,
    )
)
