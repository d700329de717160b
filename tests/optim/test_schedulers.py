"""dlbook.optim.schedulers：从零实现的学习率调度器，与 torch.optim.lr_scheduler 逐步核对。"""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.optim.schedulers import (
    CosineScheduler,
    FactorScheduler,
    MultiFactorScheduler,
    SquareRootScheduler,
    to_torch_scheduler,
)


def _torch_lrs(make, base_lr, steps):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = make(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def test_factor_without_floor_matches_exponential_lr():
    ours = FactorScheduler(factor=0.9, base_lr=0.5, min_lr=0.0)
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9), 0.5, 30)
    assert [ours(t) for t in range(30)] == pytest.approx(theirs, rel=1e-12)


def test_factor_floor_is_applied():
    s = FactorScheduler(factor=0.5, base_lr=1.0, min_lr=0.1)
    assert [s(t) for t in range(6)] == [1.0, 0.5, 0.25, 0.125, 0.1, 0.1]


def test_multi_factor_matches_multistep_lr():
    ours = MultiFactorScheduler([15, 30], factor=0.5, base_lr=0.5)
    theirs = _torch_lrs(
        lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [15, 30], gamma=0.5), 0.5, 40
    )
    assert [ours(t) for t in range(40)] == pytest.approx(theirs, rel=1e-12)


def test_cosine_matches_cosine_annealing_lr_within_the_schedule():
    ours = CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01)
    theirs = _torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.01), 0.3, 21
    )
    assert [ours(t) for t in range(21)] == pytest.approx(theirs, rel=1e-9)
    assert ours(25) == 0.01  # 之后保持最终学习率（CosineAnnealingLR 会再升回去）


def test_cosine_warmup_matches_linear_then_cosine():
    ours = CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.0, warmup_steps=5)

    def make(o):
        warm = torch.optim.lr_scheduler.LinearLR(
            o, start_factor=1e-8, end_factor=1.0, total_iters=5
        )
        cos = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=0.0)
        return torch.optim.lr_scheduler.SequentialLR(o, [warm, cos], milestones=[5])

    theirs = _torch_lrs(make, 0.3, 21)
    assert [ours(t) for t in range(21)] == pytest.approx(theirs, rel=1e-6, abs=1e-8)
    assert max(ours(t) for t in range(30)) == ours(5) == 0.3


def test_square_root_and_to_torch_scheduler():
    s = SquareRootScheduler(base_lr=0.2)
    assert s(0) == 0.2 and s(3) == pytest.approx(0.1)
    theirs = _torch_lrs(lambda o: to_torch_scheduler(s, o), 0.7, 10)
    assert theirs == pytest.approx([s(t) for t in range(10)])


@pytest.mark.parametrize(
    "make",
    [
        lambda: FactorScheduler(factor=1.5),
        lambda: FactorScheduler(base_lr=0),
        lambda: FactorScheduler(min_lr=-1),
        lambda: MultiFactorScheduler([5, 3]),
        lambda: MultiFactorScheduler([-1]),
        lambda: CosineScheduler(max_update=0),
        lambda: CosineScheduler(max_update=5, warmup_steps=5),
        lambda: CosineScheduler(max_update=5, base_lr=0.1, final_lr=0.2),
        lambda: SquareRootScheduler(base_lr=math.nan),
    ],
)
def test_bad_arguments_raise(make):
    with pytest.raises(ValueError):
        make()


def test_negative_or_fractional_step_raises():
    s = CosineScheduler(max_update=10)
    for t in (-1, 1.5, True):
        with pytest.raises(ValueError):
            s(t)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.0)
    with pytest.raises(ValueError, match="大于 0"):
        to_torch_scheduler(s, opt)


@pytest.mark.slow
def test_lr_scheduler_experiments_pass_the_schedule_to_training(monkeypatch):
    """真实的 Fashion-MNIST（快速档的 2000 个训练样本，3 轮）：每一步用的学习率就是调度给出的。"""
    from dlbook.experiments import get_experiment, run_experiment
    from dlbook.experiments.runners import make_scheduler

    seen = []
    original = torch.optim.SGD.step

    def spy(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.SGD, "step", spy)
    settings = get_experiment("lr-scheduler-warmup").settings("quick")
    run_experiment("lr-scheduler-warmup", profile="quick", device="cpu", epochs=3, verbose=False)
    steps_per_epoch = -(-settings["num_train"] // settings["batch_size"])
    schedule = make_scheduler(settings)
    assert seen == pytest.approx([schedule(t) for t in range(3) for _ in range(steps_per_epoch)])
    assert make_scheduler(get_experiment("lr-scheduler-constant").full) is None
    with pytest.raises(ValueError, match="scheduler"):
        make_scheduler(dict(lr=0.1, scheduler="step"))
