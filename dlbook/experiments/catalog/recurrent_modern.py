"""第 8 章 现代循环神经网络：GRU、LSTM、深度与双向循环网络的字符级语言模型，以及英译中的 seq2seq。

语言模型用第 7 章的《爱丽丝梦游仙境》字符级语料（D2L 用《时间机器》），书末 1 万个字符留作验证集。
D2L 的设置（前 1 万个字符、SGD 学习率 1、256 个隐藏单元、500 轮）在 CPU 构建的几百次更新里学不出门控的好处：
GRU、LSTM 的困惑度反而比普通 RNN 和三元语法都差。所以本章的语言模型改成一个受控的比较：用书中其余的全部
文本训练，RNN / GRU / LSTM 的隐藏单元数取 256 / 146 / 126，使参数量相同（约 8.1 万），同样的 Adam
学习率 0.003、同样的更新次数（快速档 6 轮，666 次更新；完整档 20 轮）。学习率 0.003 是
{0.003, 0.01, 0.03} 中对普通 RNN 最有利的一个（``tests/experiments/test_recurrent_catalog.py`` 检查），
门控网络并没有占便宜。双向模型仍用 D2L 的设置
（前 1 万个字符、40 轮；D2L 的双向模型有两层，这里只用一层），它只用来说明双向模型为什么不能做语言模型。

seq2seq 用 Tatoeba 的英中句子对（``cmn-eng``，见 :mod:`dlbook.data.translation`；英文按词、中文按字）。
D2L 的设置（600 个训练句子对、2 层 GRU、嵌入与隐藏 32、300 轮）在 600 对上只能记住训练句子。这里改成：
两边加 ``<eos>`` 后都不超过 10 个词元的句子对中的 15,000 对、1 层 GRU、嵌入与隐藏 64、不用暂退、
批量 64、Adam 学习率 0.01；快速档训练 5 轮（1,175 次更新），完整档 30 轮。
额外指标是前 200 个训练句子与留出句子上的平均逐句 BLEU 与语料级 BLEU-4。
"""

from __future__ import annotations

from dlbook.experiments.catalog.recurrent_neural_networks import BEATS_UNIFORM, LANGUAGE_MODEL
from dlbook.experiments.expectations import above, at_least, below
from dlbook.experiments.model_spec import FromData, ModelSpec, Setting
from dlbook.experiments.registry import D2L, Experiment, register
from dlbook.experiments.runners import language_model_run, translation_run
from dlbook.models.gru import GRUScratch, gru_model
from dlbook.models.lstm import LSTMScratch, lstm_model
from dlbook.models.rnn import rnn_model
from dlbook.models.seq2seq import seq2seq

_MODERN = "chapter_recurrent-modern"
_SOURCE = f"{D2L}，《时间机器》，GPU"

#: 受控比较的共同设置：整本书（除留出的最后 1 万个字符）、Adam、学习率 0.003，三种网络参数量相同。
_GATED = dict(
    LANGUAGE_MODEL,
    num_train=None,
    optimizer="torch.optim.Adam",
    lr=0.003,
    num_epochs=20,
    sampling="sequential",
)
_QUICK = dict(num_epochs=6)
#: 从零实现逐时间步用 Python 循环，慢得多：快速档只训练 3 轮（333 次更新），用来核对它能学，不参加比较。
_QUICK_SCRATCH = dict(num_epochs=3)
#: 约 8.1 万个参数：h(28 + h) 乘以 1（RNN）、3（GRU）、4（LSTM），再加输出层 28(h + 1)。
MATCHED_HIDDENS = {"rnn": 256, "gru": 146, "lstm": 126}
# 词表大小读完语料才知道，由 language_model_run 给出
_VOCAB, _HIDDENS = FromData("vocab_size"), Setting("num_hiddens")
#: 在留出文本上好过同一段训练文本上计数的三元语法（加一平滑）。
BEATS_TRIGRAM = below(
    "valid_perplexity",
    None,
    "留出文本上的困惑度低于同一段训练文本上计数的三元语法",
    other_metric="trigram_perplexity",
)

register(
    Experiment(
        name="gru-rnn-baseline",
        page=f"{_MODERN}/gru",
        title="门控比较的对照：nn.RNN 字符级语言模型（256 个隐藏单元，约 8.1 万个参数）",
        full=dict(
            model=ModelSpec(rnn_model, _VOCAB, _HIDDENS),
            **_GATED,
            num_hiddens=MATCHED_HIDDENS["rnn"],
        ),
        quick=_QUICK,
        task="language_model",
        run=language_model_run,
        expect=(*BEATS_UNIFORM, BEATS_TRIGRAM),
    )
)

for _name, _title, _factory, _ppl in (
    ("gru-scratch", "从零实现的 GRU 字符级语言模型", GRUScratch, "1.1"),
    ("gru-concise", "nn.GRU 的字符级语言模型", gru_model, "1.0"),
    ("lstm-scratch", "从零实现的 LSTM 字符级语言模型", LSTMScratch, "1.1"),
    ("lstm-concise", "nn.LSTM 的字符级语言模型", lstm_model, "1.0"),
):
    _kind, _how = _name.split("-")
    _h = MATCHED_HIDDENS[_kind]
    _gating_wins = below(
        "valid_perplexity",
        "gru-rnn-baseline",
        f"参数量、优化器、学习率与更新次数都相同时，{_kind.upper()} 在留出文本上的困惑度低于普通 RNN",
    )
    register(
        Experiment(
            name=_name,
            page=f"{_MODERN}/{_kind}",
            title=_title + f"（{_h} 个隐藏单元，约 8.1 万个参数）",
            full=dict(model=ModelSpec(_factory, _VOCAB, _HIDDENS), **_GATED, num_hiddens=_h),
            quick=_QUICK_SCRATCH if _how == "scratch" else _QUICK,
            reference=dict(perplexity=f"约 {_ppl}（训练集，256 个隐藏单元，SGD）"),
            reference_source=_SOURCE,
            task="language_model",
            run=language_model_run,
            expect=BEATS_UNIFORM + ((BEATS_TRIGRAM, _gating_wins) if _how == "concise" else ()),
        )
    )

register(
    Experiment(
        name="deep-rnn",
        page=f"{_MODERN}/deep-rnn",
        title="两层 nn.LSTM 的字符级语言模型（每层 126 个隐藏单元）",
        full=dict(
            model=ModelSpec(lstm_model, _VOCAB, _HIDDENS, num_layers=Setting("num_layers")),
            **_GATED,
            num_hiddens=MATCHED_HIDDENS["lstm"],
            num_layers=2,
        ),
        quick=_QUICK,
        reference=dict(perplexity="约 1.0（训练集，每层 256 个隐藏单元，SGD 学习率 2）"),
        reference_source=_SOURCE,
        task="language_model",
        run=language_model_run,
        expect=(
            *BEATS_UNIFORM,
            BEATS_TRIGRAM,
            below(
                "valid_perplexity",
                "lstm-concise",
                "快速档：两层 LSTM 在留出文本上的困惑度低于单层 LSTM（参数多一倍多，不是参数量相同的比较）",
                profile="quick",
            ),
        ),
    )
)

register(
    Experiment(
        name="bi-rnn",
        page=f"{_MODERN}/bi-rnn",
        title="双向 nn.LSTM 的字符级语言模型（错误用法：训练时看到了要预测的下一个字符）",
        # D2L 的设置（前 1 万个字符、SGD 学习率 1）；D2L 用两层双向 LSTM，这里用一层（计算量是两层的一半），
        # 已足以说明问题
        full=dict(
            model=ModelSpec(
                lstm_model,
                _VOCAB,
                _HIDDENS,
                num_layers=Setting("num_layers"),
                bidirectional=Setting("bidirectional"),
            ),
            **LANGUAGE_MODEL,
            num_hiddens=256,
            sampling="sequential",
            num_layers=1,
            bidirectional=True,
        ),
        # 快速档训练 40 轮：双向模型要先学会从反向层里“抄”下一个字符，20 轮还不够明显
        quick=dict(num_epochs=40),
        reference=dict(perplexity="约 1.1（两层；生成的文本却是胡话）"),
        reference_source=_SOURCE,
        task="language_model",
        run=language_model_run,
        expect=(
            below(
                "valid_perplexity",
                None,
                "双向模型在评估时也看得到要预测的字符：留出文本上的困惑度低得反常，"
                "低于同一段训练文本上计数的三元语法",
                other_metric="trigram_perplexity",
            ),
        ),
    )
)


#: 翻译各节的论断：训练句子上的平均 BLEU 高于留出句子（第 8、9 章的翻译实验共用）。
MEMORISES = (
    above(
        "bleu_train",
        None,
        "训练句子上的平均 BLEU 高于留出句子：模型对见过的句子翻译得更好",
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
        title="GRU 编码器–解码器的英译中（Tatoeba，15,000 个训练句子对）",
        full=dict(
            model=ModelSpec(seq2seq, *TRANSLATION_VOCABS, **TRANSLATION_SIZES),
            loss="masked_cross_entropy",
            optimizer="torch.optim.Adam",
            dataset="cmn-eng",
            lr=0.01,
            batch_size=64,
            num_epochs=30,
            num_steps=10,
            drop_long=True,
            num_examples=15_000,
            embed_size=64,
            num_hiddens=64,
            num_layers=1,
            dropout=0.0,
            num_bleu=200,
        ),
        quick=dict(num_epochs=5),
        reference=dict(bleu="4 个训练句子上 0.0–1.0（英法，600 个训练句子对）"),
        reference_source=f"{D2L}，Tatoeba 英法句子对",
        task="seq2seq",
        run=translation_run,
        expect=(
            *MEMORISES,
            below(
                "train_loss_per_epoch[-1]",
                None,
                "训练损失随训练下降",
                other_metric="train_loss_per_epoch[0]",
            ),
            at_least(
                "corpus_bleu_test",
                0.05,
                "留出句子上的语料级 BLEU-4 不低于 0.05：模型能翻译一部分没见过的句子",
            ),
        ),
    )
)
