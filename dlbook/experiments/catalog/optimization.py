"""第 10 章 优化算法：小批量随机梯度下降、动量法与自适应学习率算法、学习率调度器。

房价回归上的实验（批量大小的比较与各种优化算法）都用 :func:`~dlbook.experiments.runners.house_regression_run`
训练：线性回归，数据是 :func:`dlbook.data.house_prices.load_house_regression` （D2L 用翼型噪声数据，本书改用
房价数据的数值特征），优化器由登记项的 ``optimizer`` 与超参数构造
（:func:`~dlbook.experiments.runners.optimizer_factory`）。这些运行在 CPU 上
也只要零点几秒，完整档与快速档相同。学习率调度器的实验在 Fashion-MNIST 上训练单隐藏层的多层感知机，
四种调度的初始学习率相同。
"""

from __future__ import annotations

from dlbook.experiments.expectations import above, at_least, at_most, below
from dlbook.experiments.model_spec import FromData, ModelSpec
from dlbook.experiments.registry import Experiment, register
from dlbook.experiments.runners import fashion_mnist_classifier, house_regression_run
from dlbook.models.linear import linear_regression
from dlbook.models.mlp import mlp

_OPTIMIZATION = "chapter_optimization"


def _register_house_run(
    name: str,
    title: str,
    optimizer: str,
    *,
    page: str | None = None,
    batch_size: int = 10,
    num_epochs: int = 2,
    expect: tuple = (),
    **hyperparameters,
) -> None:
    """登记一次房价回归上的优化器实验，默认是 D2L 的设置（批量 10、2 轮）；页面默认取名字的第一段。"""
    register(
        Experiment(
            name=name,
            page=f"{_OPTIMIZATION}/{page or name.split('-')[0]}",
            title=title,
            full=dict(
                # train_optimizer 建的模型：权重 ~ N(0, 0.01²) 的线性回归
                model=ModelSpec(linear_regression, FromData("feature_dim"), sigma=0.01),
                data="load_house_regression",
                optimizer=optimizer,
                **hyperparameters,
                batch_size=batch_size,
                num_epochs=num_epochs,
                num_examples=1460,
            ),
            cheap_on_cpu=True,
            task="regression",
            run=house_regression_run,
            expect=(
                at_most("train_loss", 0.08, f"{title}：训练后损失降到 0.08 以下"),
                *expect,
            ),
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
        # 一节的论断：批量越小，每轮要做的更新越多，每轮越慢（批量 1 与 100 相差几十倍）
        expect=(above("sec_per_epoch", "minibatch-sgd-100", "批量为 1 时每轮的用时远多于批量 100"),)
        if _name == "minibatch-sgd-sgd"
        else (),
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


# D2L 在 LeNet 上比较调度（批量 256、30 轮），而且多因子调度从 0.5 出发、其余从 0.3 出发，比较不受控。
# 本书让四种调度的初始学习率都是 0.3，余弦调度覆盖全部 30 轮（D2L 是前 20 轮）；网络换成单隐藏层的
# 多层感知机（784 → 128 → 10），CPU 上也能做足够多次更新、重复 3 个种子。快速档只用前 2000 个训练样本、
# 1000 个测试样本，批量 32（每轮 63 次、共 1890 次更新），网络、轮数与调度不变。
_SCHEDULES = [
    ("lr-scheduler-constant", "不调度：学习率始终为 0.3", dict(scheduler=None)),
    (
        "lr-scheduler-multi-factor",
        "多因子调度：学习率 0.3，第 15、30 轮各乘 0.5",
        dict(scheduler="multi-factor", milestones=(15, 30), factor=0.5),
    ),
    (
        "lr-scheduler-cosine",
        "余弦调度：30 轮内从 0.3 降到 0.01",
        dict(scheduler="cosine", max_update=30, final_lr=0.01),
    ),
    (
        "lr-scheduler-warmup",
        "带 5 轮预热的余弦调度：先从 0 升到 0.3，到第 30 轮降到 0.01",
        dict(scheduler="cosine", max_update=30, final_lr=0.01, warmup_steps=5),
    ),
]
for _name, _title, _schedule in _SCHEDULES:
    register(
        Experiment(
            name=_name,
            page=f"{_OPTIMIZATION}/lr-scheduler",
            title=_title,
            full=dict(
                model=ModelSpec(mlp, num_hiddens=128),
                loss="nn.CrossEntropyLoss",
                optimizer="torch.optim.SGD",
                lr=0.3,
                **_schedule,
                batch_size=256,
                num_epochs=30,
            ),
            quick=dict(num_train=2000, num_test=1000, batch_size=32),
            task="classification",
            run=fashion_mnist_classifier,
            expect=(
                at_least("test_acc", 0.8, "多层感知机训练 30 轮后测试精度超过 0.8"),
                *(
                    ()
                    if _schedule["scheduler"] is None
                    else (
                        below(
                            "loss",
                            "lr-scheduler-constant",
                            f"快速档（批量 32）：{_title}：最后一轮的训练损失低于不调度（学习率始终为 0.3）",
                            profile="quick",
                        ),
                    )
                ),
            ),
        )
    )
