"""第 2 章 线性神经网络：线性回归与 softmax 回归。"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from dlbook.experiments.expectations import above, at_least, at_most
from dlbook.experiments.model_spec import FromData, ModelSpec
from dlbook.experiments.registry import D2L, Experiment, RunContext, RunFn, RunOutput, register
from dlbook.experiments.runners import fashion_mnist_classifier
from dlbook.models.linear import SoftmaxRegressionScratch, linear_regression, softmax_regression
from dlbook.ops.basic import linreg
from dlbook.utils.seeding import init_generator

_LINEAR = "chapter_linear-networks"

# 第 2–3 章 Fashion-MNIST 实验的快速档：前 1 万个训练样本、2000 个测试样本，轮数不变。
_QUICK_FASHION = dict(num_train=10_000, num_test=2_000)


def _linear_regression_run(concise: bool) -> RunFn:
    def run(settings: dict[str, Any], ctx: RunContext) -> RunOutput:
        from dlbook.data import load_array, synthetic_linear_data
        from dlbook.ops.basic import sgd, squared_loss
        from dlbook.train.trainer import train_regression

        true_w = torch.tensor(settings["true_w"])
        true_b = settings["true_b"]
        X, y = synthetic_linear_data(
            true_w, true_b, settings["num_examples"], settings["noise"], seed=ctx.seed
        )
        train_iter = load_array((X, y), settings["batch_size"], seed=ctx.seed)
        g = init_generator(ctx.seed)
        lr = settings["lr"]
        if concise:
            net = settings["model"].build(g, num_inputs=len(true_w))
            history = train_regression(
                net,
                train_iter,
                None,
                settings["num_epochs"],
                loss=nn.MSELoss(reduction="none"),
                lr=lr,
                device=ctx.device,
                seed=ctx.seed,
                plot=ctx.plot,
                verbose=ctx.verbose,
            )
            model = net
            w, b = net[0].weight.detach().reshape(-1), net[0].bias.detach()
        else:
            w = torch.normal(0, 0.01, size=(len(true_w), 1), generator=g).requires_grad_()
            b = torch.zeros(1, requires_grad=True)
            history = train_regression(
                lambda X: linreg(X, w, b),
                train_iter,
                None,
                settings["num_epochs"],
                loss=squared_loss,
                updater=lambda n: sgd([w, b], lr, n),
                seed=ctx.seed,
                plot=ctx.plot,
                verbose=ctx.verbose,
            )
            model = None  # 手写的模型只是参数 w、b，见 RunOutput.data
            w, b = w.detach().reshape(-1), b.detach()
        extra = {
            "w_error": float((true_w - w.cpu()).abs().max()),
            "b_error": float(abs(true_b - b.cpu().item())),
        }
        return RunOutput(history, extra, model, {"w": w, "b": b, "features": X, "labels": y})

    return run


# 线性回归一节的论断：3 轮之后学到的参数与真实参数只差千分之几，训练损失降到噪声的水平
# （噪声标准差 0.01，平方损失的一半约 5e-5）。
_RECOVERS_PARAMETERS = (
    at_most("w_error", 0.01, "学到的权重与真实权重 [2, -3.4] 的差都小于 0.01"),
    at_most("b_error", 0.01, "学到的偏置与真实偏置 4.2 的差小于 0.01"),
    at_most("train_loss", 1e-3, "3 轮之后训练损失降到噪声的水平"),
)


# softmax 回归一节的论断：测试精度约 0.83（书中的训练曲线），训练中测试精度提高。
_SOFTMAX_LEARNS = (
    at_least("test_acc", 0.80, "softmax 回归在测试集上的精度超过 0.8（书中约 0.83）"),
    above(
        "test_acc_per_epoch[-1]",
        None,
        "训练曲线上，最后一轮的测试精度高于第 1 轮",
        other_metric="test_acc_per_epoch[0]",
    ),
)


register(
    Experiment(
        name="linear-regression-scratch",
        page=f"{_LINEAR}/linear-regression-scratch",
        title="从零实现的线性回归：合成数据 y = Xw + b + ε，手写小批量 SGD",
        full=dict(
            # 手写的模型只是函数 linreg 与参数 w、b（run 函数里创建）
            model=ModelSpec(linreg, FromData("X"), FromData("w"), FromData("b")),
            loss="dlbook.squared_loss",
            optimizer="dlbook.sgd",
            lr=0.03,
            batch_size=10,
            num_epochs=3,
            true_w=[2, -3.4],
            true_b=4.2,
            num_examples=1000,
            noise=0.01,
        ),
        cheap_on_cpu=True,
        task="regression",
        run=_linear_regression_run(concise=False),
        expect=_RECOVERS_PARAMETERS,
    )
)

register(
    Experiment(
        name="linear-regression-concise",
        page=f"{_LINEAR}/linear-regression-concise",
        title="线性回归的简洁实现：nn.Linear、MSELoss、torch.optim.SGD",
        full=dict(
            model=ModelSpec(linear_regression, FromData("num_inputs")),
            loss="nn.MSELoss",
            optimizer="torch.optim.SGD",
            lr=0.03,
            batch_size=10,
            num_epochs=3,
            true_w=[2, -3.4],
            true_b=4.2,
            num_examples=1000,
            noise=0.01,
        ),
        cheap_on_cpu=True,
        task="regression",
        run=_linear_regression_run(concise=True),
        expect=_RECOVERS_PARAMETERS,
    )
)

register(
    Experiment(
        name="softmax-regression-scratch",
        page=f"{_LINEAR}/softmax-regression-scratch",
        title="从零实现的 softmax 回归：手写 softmax、交叉熵与小批量 SGD",
        full=dict(
            model=ModelSpec(SoftmaxRegressionScratch),
            loss="dlbook.cross_entropy",
            optimizer="dlbook.sgd",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.83"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier,
        expect=_SOFTMAX_LEARNS,
    )
)

register(
    Experiment(
        name="softmax-regression-concise",
        page=f"{_LINEAR}/softmax-regression-concise",
        title="softmax 回归的简洁实现：nn.Linear 与 nn.CrossEntropyLoss",
        full=dict(
            model=ModelSpec(softmax_regression),
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.1,
            batch_size=256,
            num_epochs=10,
        ),
        quick=_QUICK_FASHION,
        reference=dict(test_acc="约 0.83"),
        reference_source=f"{D2L}，训练曲线",
        cheap_on_cpu=True,
        run=fashion_mnist_classifier,
        expect=_SOFTMAX_LEARNS,
    )
)
