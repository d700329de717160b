"""第 10 章 优化算法：小批量随机梯度下降、动量法与自适应学习率算法、学习率调度器。

房价回归上的实验（批量大小的比较与各种优化算法）都用 :func:`train_house_run` 训练：线性回归，
数据是 :func:`dlbook.optim.traces.load_house_regression` （D2L 用翼型噪声数据，本书改用房价数据的
数值特征），优化器由登记项的 ``optimizer`` 与超参数构造（:func:`optimizer_factory`）。这些运行在 CPU 上
也只要零点几秒，完整档与快速档相同。学习率调度器的实验在 Fashion-MNIST 上训练 ReLU 版的 LeNet。
"""

from __future__ import annotations

from dlbook.experiments.registry import Experiment, register

_OPTIMIZATION = "chapter_optimization"

# ---------------------------------------------------------------------------
# 房价回归上的优化器实验
# ---------------------------------------------------------------------------

#: 本节各实验中可能出现的超参数（按书中的记号命名）：登记项里有哪个，就把哪个传给优化器。
_HYPERPARAMETERS = ("lr", "momentum", "gamma", "alpha", "rho", "betas", "eps")


def optimizer_factory(settings: dict):
    """由登记项的设置得到 ``make_optimizer(params)``：``settings["optimizer"]`` 是
    :mod:`dlbook.optim.scratch` 中的类名（从零实现）或 ``"torch.optim.XXX"`` （简洁实现），
    超参数取自 ``lr``、``momentum``、``gamma`` 等键。

    Examples
    --------
    >>> import torch
    >>> make = optimizer_factory(dict(optimizer="AdamScratch", lr=0.01, eps=1e-6, batch_size=10))
    >>> make([torch.zeros(2, requires_grad=True)]).defaults["lr"]
    0.01
    """
    import torch

    from dlbook.optim import scratch as optimizers

    name = settings["optimizer"]
    if name.startswith("torch.optim."):
        cls = getattr(torch.optim, name.removeprefix("torch.optim."))
    elif name in optimizers.__all__:
        cls = getattr(optimizers, name)
    else:
        raise ValueError(f"未知的 optimizer 设置 {name!r}")
    kwargs = {k: settings[k] for k in _HYPERPARAMETERS if k in settings}
    return lambda params: cls(params, **kwargs)


def train_house_run(
    settings: dict, make_optimizer=None, *, seed: int = 0, plot=False, verbose=True
):
    """按 ``settings`` （批量、样本数、轮数）在房价回归上训练线性回归，返回
    :class:`~dlbook.optim.traces.OptimizerHistory`。

    ``make_optimizer(params, settings)`` 构造优化器；默认按 :func:`optimizer_factory` 由设置构造。
    """
    from dlbook.optim.traces import load_house_regression, train_optimizer

    def make(params):
        if make_optimizer is None:
            return optimizer_factory(settings)(params)
        return make_optimizer(params, settings)

    data_iter, feature_dim = load_house_regression(
        settings["batch_size"], settings["num_examples"], seed=seed
    )
    return train_optimizer(
        make, data_iter, feature_dim, settings["num_epochs"], seed=seed, plot=plot, verbose=verbose
    )


def _house_metrics(history) -> dict:
    return {"train_loss": history.final_loss, "sec_per_epoch": history.sec_per_epoch}


def _optimizer_run(settings: dict, ctx) -> dict:
    """登记项的 ``run``：见 :func:`train_house_run`。"""
    history = train_house_run(settings, seed=ctx.seed, plot=ctx.plot, verbose=ctx.verbose)
    return _house_metrics(history)


def run_house_experiment(
    name: str, make_optimizer=None, *, seed: int = 0, plot=False, verbose=True
):
    """页面用：按登记项 ``name`` 的设置（``auto`` 档，这些实验的完整档在 CPU 上也很便宜）训练，
    记下结果（:func:`~dlbook.experiments.record_run`），返回训练记录。

    ``make_optimizer(params, settings)`` 让页面写出优化器的构造，例如
    ``lambda p, s: AdamScratch(p, lr=s["lr"])``；默认按登记项的设置构造。
    """
    from dlbook.experiments.profiles import resolve_profile
    from dlbook.experiments.registry import get_experiment, record_run

    exp = get_experiment(name)
    profile = resolve_profile(cheap_on_cpu=exp.cheap_on_cpu)
    history = train_house_run(
        exp.settings(profile), make_optimizer, seed=seed, plot=plot, verbose=verbose
    )
    record_run(name, profile=profile, metrics=_house_metrics(history), seed=seed)
    return history


def _register_house_run(
    name: str,
    title: str,
    optimizer: str,
    *,
    page: str | None = None,
    batch_size: int = 10,
    num_epochs: int = 2,
    **hyperparameters,
) -> None:
    """登记一次房价回归上的优化器实验，默认是 D2L 的设置（批量 10、2 轮）；页面默认取名字的第一段。"""
    register(
        Experiment(
            name=name,
            page=f"{_OPTIMIZATION}/{page or name.split('-')[0]}",
            title=title,
            full=dict(
                model="linear_regression(36)",
                data="load_house_regression",
                optimizer=optimizer,
                **hyperparameters,
                batch_size=batch_size,
                num_epochs=num_epochs,
                num_examples=1460,
            ),
            cheap_on_cpu=True,
            task="regression",
            run=_optimizer_run,
        )
    )


# 批量大小的比较：torch.optim.SGD。D2L 在翼型噪声数据上的学习率（1、0.005、0.05、0.4）对房价数据的
# 大批量会发散：损失的黑塞矩阵最大特征值约为 7，梯度下降的学习率必须小于 2/7，所以梯度下降与批量 100
# 改用 0.2 与 0.1。
for _name, _title, _batch_size, _lr, _epochs in [
    ("minibatch-sgd-gd", "梯度下降：每轮一个批次（1460 个样本）", 1460, 0.2, 10),
    ("minibatch-sgd-sgd", "随机梯度下降：批量大小 1", 1, 0.005, 2),
    ("minibatch-sgd-10", "小批量随机梯度下降：批量大小 10", 10, 0.05, 2),
    ("minibatch-sgd-100", "小批量随机梯度下降：批量大小 100", 100, 0.1, 2),
]:
    _register_house_run(
        _name,
        _title,
        "torch.optim.SGD",
        page="minibatch-sgd",
        batch_size=_batch_size,
        num_epochs=_epochs,
        lr=_lr,
    )

# 动量法与自适应学习率算法
_register_house_run(
    "momentum", "从零实现的动量法，β = 0.5", "SGDMomentumScratch", lr=0.02, momentum=0.5
)
_register_house_run(
    "momentum-2", "动量法，β = 0.9（有效学习率变大）", "SGDMomentumScratch", lr=0.01, momentum=0.9
)
_register_house_run(
    "momentum-3", "动量法，β = 0.9、学习率减半", "SGDMomentumScratch", lr=0.005, momentum=0.9
)
_register_house_run(
    "momentum-concise",
    "动量法的简洁实现：torch.optim.SGD",
    "torch.optim.SGD",
    lr=0.005,
    momentum=0.9,
)
_register_house_run("adagrad", "从零实现的 AdaGrad", "AdaGradScratch", lr=0.1, eps=1e-6)
_register_house_run(
    "adagrad-concise",
    "AdaGrad 的简洁实现：torch.optim.Adagrad",
    "torch.optim.Adagrad",
    lr=0.1,
    eps=1e-6,
)
_register_house_run("rmsprop", "从零实现的 RMSProp", "RMSPropScratch", lr=0.01, gamma=0.9, eps=1e-6)
_register_house_run(
    "rmsprop-concise",
    "RMSProp 的简洁实现：torch.optim.RMSprop",
    "torch.optim.RMSprop",
    lr=0.01,
    alpha=0.9,
    eps=1e-6,
)
_register_house_run("adadelta", "从零实现的 Adadelta", "AdadeltaScratch", lr=1.0, rho=0.9, eps=1e-5)
_register_house_run(
    "adadelta-concise",
    "Adadelta 的简洁实现：torch.optim.Adadelta",
    "torch.optim.Adadelta",
    lr=1.0,
    rho=0.9,
    eps=1e-5,
)
_register_house_run("adam", "从零实现的 Adam", "AdamScratch", lr=0.01, betas=(0.9, 0.999), eps=1e-6)
_register_house_run(
    "adam-concise",
    "Adam 的简洁实现：torch.optim.Adam",
    "torch.optim.Adam",
    lr=0.01,
    betas=(0.9, 0.999),
    eps=1e-6,
)
_register_house_run(
    "adam-yogi", "从零实现的 Yogi", "YogiScratch", lr=0.01, betas=(0.9, 0.999), eps=1e-3
)


# ---------------------------------------------------------------------------
# 学习率调度器
# ---------------------------------------------------------------------------


def make_scheduler(settings: dict):
    """由登记项的设置得到 :mod:`dlbook.optim.schedulers` 中的调度器；``scheduler`` 为 ``None`` 时不调度。

    Examples
    --------
    >>> make_scheduler(dict(lr=0.3, scheduler="cosine", max_update=20, final_lr=0.01))
    CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01, warmup_steps=0, warmup_begin_lr=0.0)
    >>> make_scheduler(dict(lr=0.3, scheduler=None)) is None
    True
    """
    from dlbook.optim import schedulers

    kind, lr = settings["scheduler"], settings["lr"]
    if kind is None:
        return None
    if kind == "multi-factor":
        return schedulers.MultiFactorScheduler(settings["milestones"], settings["factor"], lr)
    if kind == "cosine":
        return schedulers.CosineScheduler(
            settings["max_update"],
            lr,
            settings["final_lr"],
            warmup_steps=settings.get("warmup_steps", 0),
        )
    raise ValueError(f"未知的 scheduler 设置 {kind!r}")


def _lr_scheduler_run(settings: dict, ctx):
    import torch

    from dlbook.data import load_fashion_mnist
    from dlbook.models.lenet import lenet
    from dlbook.utils.seeding import init_generator, init_seed
    from dlbook.train.loop import train_classifier
    from dlbook.experiments.registry import RunOutput

    train_iter, test_iter = load_fashion_mnist(
        settings["batch_size"],
        seed=ctx.seed,
        device=ctx.device,
        num_train=settings.get("num_train"),
        num_test=settings.get("num_test"),
    )
    torch.manual_seed(init_seed(ctx.seed))
    net = lenet(modern=True, generator=init_generator(ctx.seed))
    history = train_classifier(
        net,
        train_iter,
        test_iter,
        settings["num_epochs"],
        lr=settings["lr"],
        scheduler=make_scheduler(settings),
        device=ctx.device,
        seed=ctx.seed,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    return RunOutput(history, model=net)


# D2L 的设置：批量 256、30 轮；快速档只用前 2000 个训练样本、1000 个测试样本，轮数与调度不变。
for _name, _title, _schedule in [
    ("lr-scheduler-constant", "不调度：学习率始终为 0.3", dict(lr=0.3, scheduler=None)),
    (
        "lr-scheduler-multi-factor",
        "多因子调度：学习率 0.5，第 15、30 轮各乘 0.5",
        dict(lr=0.5, scheduler="multi-factor", milestones=(15, 30), factor=0.5),
    ),
    (
        "lr-scheduler-cosine",
        "余弦调度：20 轮内从 0.3 降到 0.01",
        dict(lr=0.3, scheduler="cosine", max_update=20, final_lr=0.01),
    ),
    (
        "lr-scheduler-warmup",
        "带 5 轮预热的余弦调度",
        dict(lr=0.3, scheduler="cosine", max_update=20, final_lr=0.01, warmup_steps=5),
    ),
]:
    register(
        Experiment(
            name=_name,
            page=f"{_OPTIMIZATION}/lr-scheduler",
            title=_title,
            full=dict(
                model="lenet(modern=True)",
                loss="nn.CrossEntropyLoss",
                optimizer="torch.optim.SGD",
                **_schedule,
                batch_size=256,
                num_epochs=30,
            ),
            quick=dict(num_train=2000, num_test=1000),
            task="classification",
            run=_lr_scheduler_run,
        )
    )
