"""第 7 章 循环神经网络：正弦序列上的自回归模型，字符级循环神经网络语言模型（从零实现与简洁实现）。

语言模型在《爱丽丝梦游仙境》（``alice``，见 :mod:`dlbook.data.corpus`）上训练；D2L 用的是
《时间机器》。两者都只取字符级语料的前 10000 个词元，设置相同，但文本不同，书中的结果只能作为参照。
"""

from __future__ import annotations

from typing import Any

from dlbook.utils.seeding import init_generator
from dlbook.experiments.registry import D2L, Experiment, RunContext, RunFn, RunOutput, register

_RNN = "chapter_recurrent-neural-networks"


def _sequence_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    from dlbook.train.sequence import fit_autoregressive, k_step_predictions, noisy_sine

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
    return RunOutput(history, extra, net)


register(
    Experiment(
        name="sequence",
        page=f"{_RNN}/sequence",
        title="正弦序列上的自回归多层感知机（τ = 4，4-10-1）",
        full=dict(
            model="mlp(4, 10, 1)",
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
    )
)


def _language_model_run(concise: bool) -> RunFn:
    """在字符级语料上训练循环神经网络语言模型；额外指标是最终困惑度和给定前缀生成的文本。"""

    def run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
        from dlbook.train.language_model import predict_text, train_language_model
        from dlbook.models.rnn import RNNScratch, rnn_model
        from dlbook.data.text import load_language_model_data

        train_iter, vocab = load_language_model_data(
            settings["batch_size"],
            settings["num_steps"],
            name=settings["corpus"],
            token=settings["token"],
            sampling=settings["sampling"],
            max_tokens=settings.get("num_train"),
            seed=ctx.seed,
            device=ctx.device,
        )
        g = init_generator(ctx.seed)
        num_hiddens = settings["num_hiddens"]
        if concise:
            net = rnn_model(len(vocab), num_hiddens, generator=g)
        else:
            net = RNNScratch(len(vocab), num_hiddens, generator=g)
        history = train_language_model(
            net,
            train_iter,
            settings["num_epochs"],
            lr=settings["lr"],
            clip=settings["clip"],
            device=ctx.device,
            seed=ctx.seed,
            plot=ctx.plot,
            verbose=ctx.verbose,
        )
        prefix = settings["prefix"]
        extra = {
            "perplexity": history.perplexity()[-1],
            "generated": predict_text(prefix, 50, net, vocab),
        }
        return RunOutput(history, extra, net)

    return run


# D2L 第 8.5、8.6 节：语料的前 10000 个字符（D2L 的 load_data_time_machine 默认 max_tokens=10000），
# 批量 32、时间步 35、学习率 1、梯度裁剪 θ = 1、500 轮（4000 次更新）。
_LANGUAGE_MODEL = dict(
    corpus="alice",
    token="char",
    num_train=10_000,
    optimizer="torch.optim.SGD",
    lr=1,
    clip=1,
    batch_size=32,
    num_steps=35,
    num_epochs=500,
    prefix="alice",
)
# 快速档：数据与模型不变，只训练 25 轮（200 次更新）。完整设置在单核 CPU 上要几分钟（每个实验），
# 放进每次构建就太慢了。
_QUICK_LANGUAGE_MODEL = dict(num_epochs=25)
_D2L_TIME_MACHINE = f"{D2L}，《时间机器》，GPU"

register(
    Experiment(
        name="rnn-scratch",
        page=f"{_RNN}/rnn-scratch",
        title="从零实现的字符级循环神经网络语言模型（512 个隐藏单元，顺序分区）",
        full=dict(
            model="RNNScratch(28, 512)", num_hiddens=512, sampling="sequential", **_LANGUAGE_MODEL
        ),
        quick=_QUICK_LANGUAGE_MODEL,
        reference=dict(perplexity="约 1.0"),
        reference_source=_D2L_TIME_MACHINE,
        task="regression",
        run=_language_model_run(concise=False),
    )
)

register(
    Experiment(
        name="rnn-scratch-random",
        page=f"{_RNN}/rnn-scratch",
        title="从零实现的字符级循环神经网络语言模型（512 个隐藏单元，随机采样）",
        full=dict(
            model="RNNScratch(28, 512)", num_hiddens=512, sampling="random", **_LANGUAGE_MODEL
        ),
        quick=_QUICK_LANGUAGE_MODEL,
        reference_source=_D2L_TIME_MACHINE,
        task="regression",
        run=_language_model_run(concise=False),
    )
)

register(
    Experiment(
        name="rnn-concise",
        page=f"{_RNN}/rnn-concise",
        title="nn.RNN 的字符级语言模型（256 个隐藏单元，顺序分区）",
        full=dict(
            model="rnn_model(28, 256)", num_hiddens=256, sampling="sequential", **_LANGUAGE_MODEL
        ),
        # nn.RNN 的 256 个隐藏单元便宜得多：快速档训练 150 轮（1200 次更新），困惑度已经降到 2 左右；
        # 完整设置在单核 CPU 上约 40 秒，放进每次构建仍嫌太慢。
        quick=dict(num_epochs=150),
        reference=dict(perplexity="约 1.3"),
        reference_source=_D2L_TIME_MACHINE,
        task="regression",
        run=_language_model_run(concise=True),
    )
)
