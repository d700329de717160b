"""第 2 章 线性神经网络：线性回归与 softmax 回归。"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from dlbook.utils.seeding import init_generator
from dlbook.train.loop import History
from dlbook.experiments.registry import D2L, Experiment, RunContext, RunFn, fashion_mnist_classifier, register

_LINEAR = "chapter_linear-networks"

# 第 2–3 章 Fashion-MNIST 实验的快速档：前 1 万个训练样本、2000 个测试样本，轮数不变。
_QUICK_FASHION = dict(num_train=10_000, num_test=2_000)


def _linear_regression_run(concise: bool) -> RunFn:
    def run(settings: dict[str, Any], ctx: RunContext) -> tuple[History, dict[str, Any]]:
        from dlbook.data import load_array, synthetic_linear_data
        from dlbook.ops.basic import linreg, sgd, squared_loss
        from dlbook.train.loop import train_regression

        true_w = torch.tensor(settings["true_w"])
        true_b = settings["true_b"]
        X, y = synthetic_linear_data(
            true_w, true_b, settings["num_examples"], settings["noise"], seed=ctx.seed
        )
        train_iter = load_array((X, y), settings["batch_size"], seed=ctx.seed)
        g = init_generator(ctx.seed)
        lr = settings["lr"]
        if concise:
            from dlbook.models.linear import linear_regression

            net = linear_regression(len(true_w), generator=g)
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
            w, b = w.detach().reshape(-1), b.detach()
        extra = {
            "w_error": float((true_w - w.cpu()).abs().max()),
            "b_error": float(abs(true_b - b.cpu().item())),
        }
        return history, extra

    return run


def _softmax_scratch(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.linear import SoftmaxRegressionScratch

    return SoftmaxRegressionScratch(generator=g)


def _softmax_concise(settings: dict[str, Any], g: torch.Generator) -> nn.Module:
    from dlbook.models.linear import softmax_regression

    return softmax_regression(generator=g)


register(
    Experiment(
        name="linear-regression-scratch",
        page=f"{_LINEAR}/linear-regression-scratch",
        title="从零实现的线性回归：合成数据 y = Xw + b + ε，手写小批量 SGD",
        full=dict(
            model="linreg(X, w, b)",
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
    )
)

register(
    Experiment(
        name="linear-regression-concise",
        page=f"{_LINEAR}/linear-regression-concise",
        title="线性回归的简洁实现：nn.Linear、MSELoss、torch.optim.SGD",
        full=dict(
            model="linear_regression(2)",
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
    )
)

register(
    Experiment(
        name="softmax-regression-scratch",
        page=f"{_LINEAR}/softmax-regression-scratch",
        title="从零实现的 softmax 回归：手写 softmax、交叉熵与小批量 SGD",
        full=dict(
            model="SoftmaxRegressionScratch()",
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
        run=fashion_mnist_classifier(_softmax_scratch),
    )
)

register(
    Experiment(
        name="softmax-regression-concise",
        page=f"{_LINEAR}/softmax-regression-concise",
        title="softmax 回归的简洁实现：nn.Linear 与 nn.CrossEntropyLoss",
        full=dict(
            model="softmax_regression()",
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
        run=fashion_mnist_classifier(_softmax_concise),
    )
)
