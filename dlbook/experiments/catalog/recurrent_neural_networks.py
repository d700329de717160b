"""第 7 章 循环神经网络：正弦序列上的自回归模型，字符级循环神经网络语言模型（从零实现与简洁实现）。

语言模型在《爱丽丝梦游仙境》（``alice``，见 :mod:`dlbook.data.corpus`）上训练；D2L 用的是
《时间机器》。两者都只取字符级语料的前 10000 个词元，设置相同，但文本不同，书中的结果只能作为参照。
"""

from __future__ import annotations

from typing import Any

from dlbook.experiments.expectations import above, at_most, below
from dlbook.experiments.model_spec import FromData, ModelSpec, Setting
from dlbook.experiments.registry import D2L, Experiment, RunContext, RunOutput, register
from dlbook.experiments.runners import language_model_run
from dlbook.models.mlp import mlp
from dlbook.models.rnn import RNNScratch, rnn_model

_RNN = "chapter_recurrent-neural-networks"


def _sequence_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    from dlbook.data.synthetic import noisy_sine
    from dlbook.train.autoregressive import fit_autoregressive, k_step_predictions

    tau, n_train = settings["tau"], settings["n_train"]
    _, x = noisy_sine(settings["T"], settings["noise"], seed=ctx.seed)
    net, history = fit_autoregressive(
        x,
        tau=tau,
        n_train=n_train,
        num_hiddens=settings["num_hiddens"],
        batch_size=settings["batch_size"],
        lr=settings["lr"],
        num_epochs=settings["num_epochs"],
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    # 训练区间之外的单步与 64 步预测的均方误差
    steps = k_step_predictions(net, x, tau, 64)
    truth = x[tau + n_train : tau + len(steps)]
    far_truth = x[tau + 63 + n_train :]
    extra = {
        "mse_1_step": float(((steps[n_train:, tau] - truth) ** 2).mean()),
        "mse_64_steps": float(((steps[n_train:, tau + 63] - far_truth) ** 2).mean()),
    }
    return RunOutput(history, extra, net, x)


register(
    Experiment(
        name="sequence",
        page=f"{_RNN}/sequence",
        title="正弦序列上的自回归多层感知机（τ = 4，4-10-1）",
        full=dict(
            # fit_autoregressive 建的模型：τ 个输入、一个隐藏层、一个输出
            model=ModelSpec(mlp, Setting("tau"), Setting("num_hiddens"), 1),
            loss="nn.MSELoss",
            optimizer="torch.optim.Adam",
            lr=0.01,
            batch_size=16,
            num_epochs=5,
            T=1000,
            noise=0.2,
            tau=4,
            n_train=600,
            num_hiddens=10,
        ),
        cheap_on_cpu=True,
        task="regression",
        run=_sequence_run,
        expect=(
            at_most("train_loss", 0.1, "训练损失与噪声的方差（0.2² = 0.04）同一量级"),
            below(
                "mse_1_step",
                None,
                "把自己的预测当作输入、往后推得越远误差越大：64 步预测的误差远大于单步预测",
                other_metric="mse_64_steps",
            ),
        ),
    )
)


#: 字符级语言模型的共同设置（第 8 章的门控循环网络在它的基础上改用整本书与 Adam）。
# D2L 第 8.5、8.6 节：语料的前 10000 个字符（D2L 的 load_data_time_machine 默认 max_tokens=10000），
# 批量 32、时间步 35、学习率 1、梯度裁剪 θ = 1、500 轮（4000 次更新）。D2L 只报告训练集上的困惑度；
# 本书另把书末的 10000 个字符留作验证集（num_valid），报告模型在没读过的文字上的困惑度，
# 并与同一段训练文本上计数的 1、2、3 元语法在同一段留出文本上的困惑度比较。
LANGUAGE_MODEL = dict(
    corpus="alice",
    token="char",
    num_train=10_000,
    num_valid=10_000,
    optimizer="torch.optim.SGD",
    lr=1,
    clip=1,
    batch_size=32,
    num_steps=35,
    num_epochs=500,
    prefix="alice",
    temperature=0.7,
)
# 快速档：数据与模型不变，只训练 25 轮（200 次更新）。完整设置在单核 CPU 上要几分钟（每个实验），
# 放进每次构建就太慢了。
_QUICK_LANGUAGE_MODEL = dict(num_epochs=25)
_D2L_TIME_MACHINE = f"{D2L}，《时间机器》，GPU"
#: 语言模型至少要比均匀地猜（困惑度等于词表大小，字符级约 28）好得多，也要好过只数字符频率的一元语法。
BEATS_UNIFORM = (
    at_most("perplexity", 20, "训练后的困惑度远低于均匀猜测（词表大小，约 28）"),
    below(
        "valid_perplexity",
        None,
        "在留出的文本上好过一元语法（只数字符频率）",
        other_metric="unigram_perplexity",
    ),
)
#: 第 7 章的两个从零实现在 1 万个字符上训练：快速档的 200 次更新好过一元语法；完整档的 500 轮
#: （4000 次更新）把训练文本背了下来，留出文本上反而不如一元语法。两句话各自只对自己的档位成立。
_CHAPTER7_HELD_OUT = (
    BEATS_UNIFORM[0],
    below(
        "valid_perplexity",
        None,
        "快速档：在留出的文本上好过一元语法（只数字符频率）",
        other_metric="unigram_perplexity",
        profile="quick",
    ),
    above(
        "valid_perplexity",
        None,
        "书中的 500 轮（完整档）把 1 万个字符背了下来：留出文本上的困惑度反而高于一元语法",
        other_metric="unigram_perplexity",
        profile="full",
    ),
)
# 词表大小读完语料才知道，由 language_model_run 给出
_RNN_SCRATCH = ModelSpec(RNNScratch, FromData("vocab_size"), Setting("num_hiddens"))

register(
    Experiment(
        name="rnn-scratch",
        page=f"{_RNN}/rnn-scratch",
        title="从零实现的字符级循环神经网络语言模型（512 个隐藏单元，顺序分区）",
        full=dict(model=_RNN_SCRATCH, num_hiddens=512, sampling="sequential", **LANGUAGE_MODEL),
        quick=_QUICK_LANGUAGE_MODEL,
        reference=dict(perplexity="约 1.0"),
        reference_source=_D2L_TIME_MACHINE,
        task="language_model",
        run=language_model_run,
        expect=_CHAPTER7_HELD_OUT
        + (
            above(
                "valid_perplexity",
                None,
                "快速档的 200 次更新还不够：留出文本上的困惑度仍高于三元语法",
                other_metric="trigram_perplexity",
                profile="quick",
            ),
        ),
    )
)

register(
    Experiment(
        name="rnn-scratch-random",
        page=f"{_RNN}/rnn-scratch",
        title="从零实现的字符级循环神经网络语言模型（512 个隐藏单元，随机采样）",
        full=dict(model=_RNN_SCRATCH, num_hiddens=512, sampling="random", **LANGUAGE_MODEL),
        quick=_QUICK_LANGUAGE_MODEL,
        reference_source=_D2L_TIME_MACHINE,
        task="language_model",
        run=language_model_run,
        expect=_CHAPTER7_HELD_OUT,
    )
)

register(
    Experiment(
        name="rnn-concise",
        page=f"{_RNN}/rnn-concise",
        title="nn.RNN 的字符级语言模型（256 个隐藏单元，顺序分区）",
        full=dict(
            model=ModelSpec(rnn_model, FromData("vocab_size"), Setting("num_hiddens")),
            num_hiddens=256,
            sampling="sequential",
            **LANGUAGE_MODEL,
        ),
        # nn.RNN 的 256 个隐藏单元便宜得多：快速档训练 150 轮（1200 次更新），困惑度已经降到 2 左右；
        # 完整设置在单核 CPU 上约 40 秒，放进每次构建仍嫌太慢。
        quick=dict(num_epochs=150),
        reference=dict(perplexity="约 1.3"),
        reference_source=_D2L_TIME_MACHINE,
        task="language_model",
        run=language_model_run,
        expect=(
            at_most("perplexity", 2.5, "快速档 150 轮后训练困惑度已经降到 2 左右"),
            above(
                "valid_perplexity",
                None,
                "1 万个字符反复读 150 轮，模型记住了训练文本：留出文本上的困惑度比一元语法还高",
                other_metric="unigram_perplexity",
            ),
        ),
    )
)
