"""第 9 章 注意力机制：倒序任务上带与不带 Bahdanau 注意力的 seq2seq，以及翻译句子对上的
带注意力的 seq2seq 与 Transformer。

**倒序任务**（:func:`~dlbook.data.synthetic.sequence_reversal`）：把 12–16 个随机字母（20 种）倒过来。
每个输出字母都只能从源序列里取回来，而第 8 章的 seq2seq 要把整个源序列压进一个 32 维的上下文变量——
这正是注意力必须赢的地方。两个实验只差解码器（``seq2seq`` 与 ``seq2seq_attention``：嵌入 16、
隐藏 32、1 层 GRU、不用暂退；参数量相差约 15%，是注意力本身的两个 32×32 矩阵与一个向量），其余完全相同：
同样的 8000 个训练序列、2 轮（160 次更新，批量 100）、Adam 学习率 0.02、梯度裁剪 1、同样的初值种子；
各自用 3 个种子（``ctx.seed`` 起连续 3 个）训练 3 次，在 500 个留出序列上用贪心解码算词元精度与整句精度。
预期：每个种子下，注意力的留出词元精度都高于不带注意力的 seq2seq。这个任务没有 D2L 的对应设置，
完整档就是构建跑的设置（两个实验合计，CPU 上一个线程 10–20 秒）。

**翻译**：两个实验与第 8 章的 ``seq2seq`` 用同一份数据（Tatoeba 英译中，设置取自 ``seq2seq`` 的登记项）、
同一个训练函数与同一个 ``run`` 函数（:func:`~dlbook.experiments.runners.translation_run`），结果可以直接比较。

* ``bahdanau-attention``：除了解码器带注意力，设置（模型大小、学习率、轮数、档位）与 ``seq2seq`` 完全相同；
* ``transformer``：D2L 的结构（隐藏 32、前馈隐藏 64、4 头、2 块、暂退 0.1）与学习率 0.005，数据与轮数同
  ``seq2seq``；嵌入的初值按 :func:`~dlbook.models.transformer.transformer` 缩放（标准差 1/√d）。
"""

from __future__ import annotations

from dlbook.experiments.catalog.recurrent_modern import (
    MEMORISES,
    TRANSLATION_SIZES,
    TRANSLATION_VOCABS,
)
from dlbook.experiments.expectations import above, at_least, below
from dlbook.experiments.model_spec import ModelSpec, Setting
from dlbook.experiments.registry import D2L, Experiment, get_experiment, register
from dlbook.experiments.runners import reversal_run, translation_run
from dlbook.models.bahdanau import seq2seq_attention
from dlbook.models.seq2seq import seq2seq
from dlbook.models.transformer import transformer

_ATTENTION = "chapter_attention-mechanisms"
_SOURCE = f"{D2L}，Tatoeba 英法句子对"
_TRANSFORMER_SIZES = {
    k: Setting(k) for k in ("num_hiddens", "ffn_num_hiddens", "num_heads", "num_blks", "dropout")
}


#: 两个倒序实验共同的设置：只有模型（解码器有没有注意力）不同。
_REVERSAL = dict(
    loss="masked_cross_entropy",
    optimizer="torch.optim.Adam",
    lr=0.02,
    batch_size=100,
    num_epochs=2,
    num_train=8000,
    num_test=500,
    num_symbols=20,
    min_len=12,
    max_len=16,
    embed_size=16,
    num_hiddens=32,
    num_layers=1,
    dropout=0.0,
    num_seeds=3,
)

register(
    Experiment(
        name="bahdanau-attention-reversal-seq2seq",
        page=f"{_ATTENTION}/bahdanau-attention",
        title="倒序任务的对照：不带注意力的 GRU 编码器–解码器（12–16 个字母，3 个种子）",
        full=dict(model=ModelSpec(seq2seq, *TRANSLATION_VOCABS, **TRANSLATION_SIZES), **_REVERSAL),
        cheap_on_cpu=True,
        task="seq2seq",
        run=reversal_run,
    )
)

register(
    Experiment(
        name="bahdanau-attention-reversal",
        page=f"{_ATTENTION}/bahdanau-attention",
        title="倒序任务：带 Bahdanau 注意力的 GRU 编码器–解码器（12–16 个字母，3 个种子）",
        full=dict(
            model=ModelSpec(seq2seq_attention, *TRANSLATION_VOCABS, **TRANSLATION_SIZES),
            **_REVERSAL,
        ),
        cheap_on_cpu=True,
        task="seq2seq",
        run=reversal_run,
        expect=tuple(
            above(
                f"token_acc_per_seed[{k}]",
                "bahdanau-attention-reversal-seq2seq",
                f"第 {k + 1} 个种子：带注意力的模型在留出序列上的词元精度高于不带注意力的 seq2seq",
            )
            for k in range(_REVERSAL["num_seeds"])
        )
        + (at_least("token_acc", 0.5, "带注意力的模型倒过来的字母，平均一半以上是对的"),),
    )
)


#: 第 8 章的翻译实验：下面两个实验的数据、批量与时间步都取自它，结果可以直接比较。
_SEQ2SEQ = get_experiment("seq2seq")
_DATA = {
    k: _SEQ2SEQ.full[k]
    for k in (
        "loss",
        "optimizer",
        "dataset",
        "batch_size",
        "num_steps",
        "drop_long",
        "num_examples",
    )
}
_LOSS_FALLS = below(
    "train_loss_per_epoch[-1]", None, "训练损失随训练下降", other_metric="train_loss_per_epoch[0]"
)

register(
    Experiment(
        name="bahdanau-attention",
        page=f"{_ATTENTION}/bahdanau-attention",
        title="带 Bahdanau 注意力的 GRU 编码器–解码器的英译中（设置同第 8 章的 seq2seq）",
        full=dict(
            {k: v for k, v in _SEQ2SEQ.full.items() if k != "model"},
            model=ModelSpec(seq2seq_attention, *TRANSLATION_VOCABS, **TRANSLATION_SIZES),
        ),
        quick={k: v for k, v in _SEQ2SEQ.quick.items() if k != "model"},
        reference=dict(bleu="4 个训练句子上 0.66–1.0（英法，600 个训练句子对）"),
        reference_source=_SOURCE,
        task="seq2seq",
        run=translation_run,
        expect=(*MEMORISES, _LOSS_FALLS),
    )
)

register(
    Experiment(
        name="transformer",
        page=f"{_ATTENTION}/transformer",
        title="Transformer 的英译中（2 块、4 头，数据同第 8 章的 seq2seq）",
        full=dict(
            model=ModelSpec(transformer, *TRANSLATION_VOCABS, **_TRANSFORMER_SIZES),
            **_DATA,
            lr=0.005,
            num_epochs=_SEQ2SEQ.full["num_epochs"],
            num_hiddens=32,
            ffn_num_hiddens=64,
            num_heads=4,
            num_blks=2,
            dropout=0.1,
            num_bleu=_SEQ2SEQ.full["num_bleu"],
        ),
        quick=dict(num_epochs=_SEQ2SEQ.quick["num_epochs"]),
        reference=dict(bleu="4 个训练句子上都是 1.0（英法，600 个训练句子对）"),
        reference_source=_SOURCE,
        task="seq2seq",
        run=translation_run,
        expect=(*MEMORISES, _LOSS_FALLS),
    )
)
