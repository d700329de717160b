"""dlbook.train.optimizer_comparison：比较优化器的训练循环与它的记录。"""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.data.house_prices import load_house_regression
from dlbook.train.optimizer_comparison import (
    OptimizerHistory,
    compare_optimizers,
    train_optimizer,
)


def test_train_optimizer_records_losses_and_is_reproducible(capsys):
    data_iter, d = load_house_regression(batch_size=10, num_examples=500)
    make = lambda p: torch.optim.SGD(p, lr=0.05)  # noqa: E731
    h1 = train_optimizer(make, data_iter, d, 2, plot=False)
    assert capsys.readouterr().out.startswith("loss: ")
    # 训练前一次，之后每 200 个样本一次：共 1 + 1000 // 200 次
    assert h1.epochs == pytest.approx([0.0, 0.4, 0.8, 1.2, 1.6, 2.0])
    assert len(h1.losses) == len(h1.seconds) == 6
    assert h1.seconds == sorted(h1.seconds)
    assert h1.losses[0] == pytest.approx(0.5, abs=0.05)  # 预测约为 0：损失约为方差的一半
    assert h1.final_loss < 0.2
    # 同一个数据迭代器再训练一次：轮次由 (seed, epoch) 决定，结果完全相同
    h2 = train_optimizer(make, data_iter, d, 2, plot=False, verbose=False)
    assert h2.losses == h1.losses


def test_train_optimizer_matches_full_batch_gradient_descent_by_hand():
    data_iter, d = load_house_regression(batch_size=100, num_examples=100)
    h = train_optimizer(
        lambda p: torch.optim.SGD(p, lr=0.1),
        data_iter,
        d,
        3,
        eval_every=100,
        plot=False,
        verbose=False,
    )
    X, y = data_iter.tensors
    from dlbook.models.linear import linear_regression
    from dlbook.utils.seeding import init_generator

    net = linear_regression(d, sigma=0.01, generator=init_generator(0))
    w, b = net[0].weight.detach().clone(), net[0].bias.detach().clone()
    expected = []
    for _ in range(4):
        err = X @ w.T + b - y
        expected.append(float((err**2 / 2).mean()))
        w -= 0.1 * (err * X).mean(0, keepdim=True)
        b -= 0.1 * err.mean(0)
    assert h.epochs == [0.0, 1.0, 2.0, 3.0]
    assert h.losses == pytest.approx(expected, rel=1e-5)


def test_train_optimizer_checks_arguments():
    data_iter, d = load_house_regression(batch_size=10, num_examples=20)
    with pytest.raises(TypeError):
        train_optimizer(None, data_iter, d, plot=False)
    with pytest.raises(TypeError, match="zero_grad"):
        train_optimizer(lambda p: object(), data_iter, d, plot=False)
    with pytest.raises(ValueError):
        train_optimizer(lambda p: torch.optim.SGD(p, lr=0.1), data_iter, d, 0, plot=False)
    with pytest.raises(ValueError):
        train_optimizer(lambda p: torch.optim.SGD(p, lr=0.1), data_iter, 0, plot=False)


def test_optimizer_history_properties():
    h = OptimizerHistory()
    with pytest.raises(IndexError):
        _ = h.final_loss
    assert h.sec_per_epoch == 0.0
    h = OptimizerHistory([0.0, 2.0], [1.0, math.inf], [0.0, 3.0])
    assert h.sec_per_epoch == 1.5 and h.final_loss == math.inf


@pytest.mark.parametrize(
    "name",
    [
        "minibatch-sgd-gd",
        pytest.param("minibatch-sgd-sgd", marks=pytest.mark.slow),  # 批量 1：逐个样本更新，约 1 秒
        "minibatch-sgd-10",
        "minibatch-sgd-100",
    ],
)
def test_minibatch_experiments_run_and_converge(name):
    from dlbook.experiments import get_experiment, run_experiment

    exp = get_experiment(name)
    assert exp.cheap_on_cpu and exp.task == "regression"
    result = run_experiment(name, profile="full", device="cpu", verbose=False)
    # 标准化的对数房价：不学习时损失约为 0.5，四种批量大小在书中的设置下都降到 0.1 以下
    assert result.metrics["train_loss"] < 0.1
    assert result.metrics["sec_per_epoch"] > 0


def _sparse_problem(seed):
    from dlbook.data.synthetic import load_array, sparse_classification_data

    X, y, _ = sparse_classification_data(300, 30, 5, seed=seed)
    return load_array((X, y), 10, seed=seed), None


def _linear(generator):
    from dlbook.models.linear import softmax_regression

    return softmax_regression(30, 2, generator=generator)


def test_compare_optimizers_same_start_per_seed_and_reproducible():
    sgd = lambda p: torch.optim.SGD(p, lr=0.1)  # noqa: E731
    runs = compare_optimizers({"a": sgd, "b": sgd}, _linear, _sparse_problem, 2, seeds=(0, 3))
    assert list(runs) == ["a", "b"] and all(len(hs) == 2 for hs in runs.values())
    # 同一个种子、同一个优化器：初值与数据顺序相同，记录逐位相同；不同种子不同
    for ha, hb in zip(runs["a"], runs["b"]):
        assert ha.column("train_loss") == hb.column("train_loss")
    assert runs["a"][0].column("train_loss") != runs["a"][1].column("train_loss")
    again = compare_optimizers({"a": sgd}, _linear, _sparse_problem, 2, seeds=(0, 3))
    assert again["a"][1].column("train_loss") == runs["a"][1].column("train_loss")
    assert len(runs["a"][0].column("train_loss")) == 2


def test_compare_optimizers_adagrad_beats_sgd_on_sparse_features():
    """第 10 章 AdaGrad 一节的论断，在小一号的问题上：罕见特征携带强信号时 AdaGrad 的损失更低。"""
    from dlbook.optim.scratch import AdaGradScratch, SGDMomentumScratch

    runs = compare_optimizers(
        {
            "sgd": lambda p: SGDMomentumScratch(p, lr=0.3),
            "adagrad": lambda p: AdaGradScratch(p, lr=0.3, eps=1e-6),
        },
        _linear,
        _sparse_problem,
        3,
        seeds=(0, 1, 2),
    )
    for h_sgd, h_ada in zip(runs["sgd"], runs["adagrad"]):
        assert h_ada.final.train_loss < h_sgd.final.train_loss


def test_compare_optimizers_checks_arguments():
    sgd = lambda p: torch.optim.SGD(p, lr=0.1)  # noqa: E731
    with pytest.raises(ValueError, match="optimizers"):
        compare_optimizers({}, _linear, _sparse_problem, 1)
    with pytest.raises(TypeError, match="optimizers"):
        compare_optimizers({"a": 1}, _linear, _sparse_problem, 1)
    with pytest.raises(TypeError, match="make_net"):
        compare_optimizers({"a": sgd}, None, _sparse_problem, 1)
    with pytest.raises(ValueError, match="num_epochs"):
        compare_optimizers({"a": sgd}, _linear, _sparse_problem, 0)
    with pytest.raises(ValueError, match="seeds"):
        compare_optimizers({"a": sgd}, _linear, _sparse_problem, 1, seeds=())
