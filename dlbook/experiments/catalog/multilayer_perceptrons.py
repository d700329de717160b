"""第 3 章 多层感知机：多层感知机、多项式拟合、权重衰减、暂退法与房价预测。"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from dlbook.experiments.expectations import above, at_least, at_most, below
from dlbook.experiments.model_spec import FromData, ModelSpec, Setting
from dlbook.experiments.registry import D2L, Experiment, RunContext, RunFn, RunOutput, register
from dlbook.experiments.runners import fashion_mnist_classifier
from dlbook.models.linear import linear_regression
from dlbook.models.mlp import DropoutMLPScratch, MLPScratch, dropout_mlp, mlp
from dlbook.ops.basic import linreg
from dlbook.utils.seeding import init_seed

_MLP = "chapter_multilayer-perceptrons"

# 第 2–3 章 Fashion-MNIST 实验的快速档：前 1 万个训练样本、2000 个测试样本，轮数不变。
_QUICK_FASHION = dict(num_train=10_000, num_test=2_000)


def _polynomial_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    from dlbook.data import polynomial_data
    from dlbook.train.fitting import train_polynomial

    data = polynomial_data(
        settings["true_w"],
        max_degree=settings["max_degree"],
        n_train=settings["n_train"],
        n_test=settings["n_test"],
        noise=settings["noise"],
        seed=ctx.seed,
    )
    net, history = train_polynomial(
        settings["num_features"],
        *data,
        num_epochs=settings["num_epochs"],
        lr=settings["lr"],
        batch_size=settings["batch_size"],
        seed=ctx.seed,
        init_seed=init_seed(ctx.seed),
        device=ctx.device,
        plot=ctx.plot,
        verbose=ctx.verbose,
    )
    return RunOutput(history, model=net, data=data)


def _weight_decay_run(concise: bool) -> RunFn:
    def run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
        from dlbook.data import load_array, synthetic_linear_data
        from dlbook.train.fitting import train_weight_decay_concise, train_weight_decay_scratch

        d = settings["num_inputs"]
        true_w, true_b = torch.full((d,), 0.01), 0.05
        batch_size = settings["batch_size"]
        train_data = synthetic_linear_data(true_w, true_b, settings["n_train"], seed=ctx.seed)
        test_data = synthetic_linear_data(true_w, true_b, settings["n_test"], seed=ctx.seed + 1)
        train_iter = load_array(train_data, batch_size, seed=ctx.seed)
        test_iter = load_array(test_data, batch_size, shuffle=False)
        common = dict(
            lr=settings["lr"],
            num_epochs=settings["num_epochs"],
            init_seed=init_seed(ctx.seed),
            seed=ctx.seed,
            plot=ctx.plot,
            verbose=ctx.verbose,
        )
        if concise:
            net, history = train_weight_decay_concise(
                settings["weight_decay"], train_iter, test_iter, d, **common
            )
            w = net[0].weight.detach()
        else:
            net = None  # 手写的模型只是参数，见 RunOutput.data
            w, history = train_weight_decay_scratch(
                settings["lambd"], train_iter, test_iter, d, **common
            )
        return RunOutput(history, {"w_norm": float(w.norm())}, net, {"w": w})

    return run


def _house_price_run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
    from dlbook.data.house_prices import load_house_prices, preprocess_house_prices
    from dlbook.train.house_prices import k_fold

    train_df, test_df = load_house_prices()
    features = preprocess_house_prices(train_df, test_df)
    result = k_fold(
        settings["k"],
        features.train_features,
        features.train_labels,
        num_epochs=settings["num_epochs"],
        lr=settings["lr"],
        weight_decay=settings["weight_decay"],
        batch_size=settings["batch_size"],
        seed=ctx.seed,
        make_net=lambda num_features, g: settings["model"].build(g, num_features=num_features),
    )
    if ctx.verbose:
        print(result.summary())
    metrics = {"train_log_rmse": result.mean_train, "valid_log_rmse": result.mean_valid}
    return RunOutput(metrics=metrics, data=result)


def _mlp_beats_softmax(softmax: str) -> tuple:
    """多层感知机一节的论断：测试精度约 0.83–0.84，比上一章的 softmax 回归高。"""
    return (
        at_least("test_acc", 0.83, "多层感知机的测试精度超过 0.83"),
        above("test_acc", softmax, "加一个隐藏层后，测试精度高于 softmax 回归"),
    )


register(
    Experiment(
        name="mlp-scratch",
        page=f"{_MLP}/mlp-scratch",
        title="从零实现的多层感知机 784-256-10（手写 ReLU）",
        full=dict(
            model=ModelSpec(MLPScratch),
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.83–0.84"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier,
        expect=_mlp_beats_softmax("softmax-regression-scratch"),
    )
)

register(
    Experiment(
        name="mlp-concise",
        page=f"{_MLP}/mlp-concise",
        title="多层感知机的简洁实现 784-256-10",
        full=dict(
            model=ModelSpec(mlp),
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.83–0.84"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier,
        expect=_mlp_beats_softmax("softmax-regression-concise"),
    )
)

# 与书中的设置（训练、测试各 100 个样本，学习率 0.01，400 轮；20 个特征时 1500 轮）不同：
# 书中的设置下，20 个特征的测试损失与训练损失之差随种子忽大忽小，有时还比 4 个特征的小。
# 训练样本减到 50 个，高次项才有机会去拟合这些点的偶然；测试样本加到 1000 个，泛化误差的
# 估计才不随测试集里有没有几个离群的 x 而大起大落；学习率 0.04、1500 轮，让小到 1/i! 的
# 高次特征的系数有时间离开 0（结果几乎只取决于学习率与步数之积，学习率大些省时间）。
# 这样在种子 0–23 下，4 个特征的测试损失都在噪声的水平，20 个特征的差距都大于 4 个特征的。
_POLY = dict(
    # train_polynomial 建的模型：一个没有偏置的全连接层
    model=ModelSpec(nn.Linear, Setting("num_features"), 1, bias=False),
    loss="nn.MSELoss",
    optimizer="torch.optim.SGD",
    lr=0.04,
    batch_size=10,
    num_epochs=1500,
    true_w=[5, 1.2, -3.4, 5.6],
    max_degree=20,
    n_train=50,
    n_test=1000,
    noise=0.1,
)

_NORMAL = "underfit-overfit-normal"
for _suffix, _k, _title, _expect in (
    (
        "normal",
        4,
        "三阶多项式拟合（4 个特征，正常）",
        (
            at_most("train_loss", 0.02, "训练损失降到噪声的水平（噪声方差 0.01）"),
            at_most("test_loss", 0.02, "测试损失也降到噪声的水平"),
        ),
    ),
    (
        "underfit",
        2,
        "线性函数拟合（2 个特征，欠拟合）",
        (
            above("train_loss", _NORMAL, "直线拟合不了三次曲线：训练损失远高于正常拟合"),
            above("test_loss", _NORMAL, "欠拟合时测试损失同样很高"),
        ),
    ),
    (
        "overfit",
        20,
        "高阶多项式拟合（20 个特征，过拟合）",
        (
            at_most("train_loss", 0.02, "20 个特征的训练损失同样降到噪声的水平"),
            above("test_loss", _NORMAL, "过拟合：测试损失比正常拟合高得多"),
        ),
    ),
):
    register(
        Experiment(
            name=f"underfit-overfit-{_suffix}",
            page=f"{_MLP}/underfit-overfit",
            title=_title,
            full={**_POLY, "num_features": _k},
            cheap_on_cpu=True,
            task="regression",
            run=_polynomial_run,
            expect=_expect,
        )
    )

_WEIGHT_DECAY = dict(
    lr=0.003,
    batch_size=5,
    num_epochs=100,
    num_inputs=200,
    n_train=20,
    n_test=100,
)


def _decay_helps(name: str, baseline: str) -> tuple:
    """权重衰减一节的论断：不衰减时训练损失很小、测试损失很大（过拟合）；λ = 3 时权重的范数
    小得多，测试损失也低得多。"""
    if name == baseline:
        return (
            at_most("train_loss", 1e-3, "不用权重衰减时训练损失几乎降到 0"),
            above(
                "test_loss",
                None,
                "不用权重衰减时严重过拟合：测试损失远高于训练损失",
                other_metric="train_loss",
            ),
        )
    return (
        below("w_norm", baseline, "权重衰减让权重的 L2 范数小得多"),
        below("test_loss", baseline, "权重衰减减轻过拟合：测试损失低得多"),
    )


for _value in (0, 3):
    register(
        Experiment(
            name=f"weight-decay-scratch-{_value}",
            page=f"{_MLP}/weight-decay",
            title=f"从零实现的 L2 正则化，λ = {_value}",
            full=dict(
                # 手写的模型只是函数 linreg 与参数 w、b（train_weight_decay_scratch 创建）
                model=ModelSpec(linreg, FromData("X"), FromData("w"), FromData("b")),
                loss="dlbook.squared_loss + λ·l2_penalty(w)",
                optimizer="dlbook.sgd",
                lambd=_value,
                **_WEIGHT_DECAY,
            ),
            cheap_on_cpu=True,
            task="regression",
            run=_weight_decay_run(concise=False),
            expect=_decay_helps(f"weight-decay-scratch-{_value}", "weight-decay-scratch-0"),
        )
    )

for _value in (0, 3):
    register(
        Experiment(
            name=f"weight-decay-concise-{_value}",
            page=f"{_MLP}/weight-decay",
            title=f"权重衰减的简洁实现：只对权重设 weight_decay = {_value}",
            full=dict(
                # train_weight_decay_concise 建的模型
                model=ModelSpec(nn.Linear, Setting("num_inputs"), 1),
                loss="nn.MSELoss",
                optimizer="torch.optim.SGD",
                weight_decay=_value,
                **_WEIGHT_DECAY,
            ),
            cheap_on_cpu=True,
            task="regression",
            run=_weight_decay_run(concise=True),
            expect=_decay_helps(f"weight-decay-concise-{_value}", "weight-decay-concise-0"),
        )
    )

_DROPOUT = dict(
    loss="nn.CrossEntropyLoss",
    optimizer="torch.optim.SGD",
    lr=0.5,
    batch_size=256,
    num_epochs=10,
    dropout1=0.2,
    dropout2=0.5,
)
# 构建时的档位：全部数据，只训练 5 轮（书中 10 轮；10 轮的完整档记录在案）
_QUICK_DROPOUT = dict(num_epochs=5)

register(
    Experiment(
        name="dropout-scratch",
        page=f"{_MLP}/dropout",
        title="从零实现的暂退法：784-256-256-10，p1 = 0.2，p2 = 0.5",
        full=dict(
            model=ModelSpec(
                DropoutMLPScratch, dropout1=Setting("dropout1"), dropout2=Setting("dropout2")
            ),
            **_DROPOUT,
        ),
        quick=_QUICK_DROPOUT,
        reference=dict(test_acc="约 0.84–0.86"),
        reference_source=f"{D2L}，训练曲线",
        run=fashion_mnist_classifier,
        expect=(
            at_least("test_acc", 0.83, "带暂退法的多层感知机测试精度超过 0.83（书中约 0.84–0.86）"),
        ),
    )
)

register(
    Experiment(
        name="dropout-concise",
        page=f"{_MLP}/dropout",
        title="暂退法的简洁实现：nn.Dropout",
        full=dict(
            model=ModelSpec(
                dropout_mlp, dropout1=Setting("dropout1"), dropout2=Setting("dropout2")
            ),
            **_DROPOUT,
        ),
        quick=_QUICK_DROPOUT,
        reference=dict(test_acc="约 0.84–0.86"),
        reference_source=f"{D2L}，训练曲线",
        run=fashion_mnist_classifier,
        expect=(
            at_least("test_acc", 0.83, "带暂退法的多层感知机测试精度超过 0.83（书中约 0.84–0.86）"),
        ),
    )
)

register(
    Experiment(
        name="kaggle-house-price",
        page=f"{_MLP}/kaggle-house-price",
        title="Kaggle 房价预测：线性模型、Adam、5 折交叉验证的平均 log RMSE",
        full=dict(
            model=ModelSpec(linear_regression, FromData("num_features")),
            loss="nn.MSELoss",
            optimizer="torch.optim.Adam",
            lr=5,
            weight_decay=0,
            batch_size=64,
            num_epochs=100,
            k=5,
        ),
        cheap_on_cpu=True,
        task="regression",
        run=_house_price_run,
        expect=(
            at_most("valid_log_rmse", 0.25, "线性模型的 5 折交叉验证平均 log RMSE 低于 0.25"),
            below("train_log_rmse", None, "训练误差略低于验证误差", other_metric="valid_log_rmse"),
        ),
    )
)
