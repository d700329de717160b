"""第 10 章从零实现的优化算法（dlbook.optim.scratch）：与 torch.optim 一步一步相同，Yogi 与手算相同。"""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.optim.scratch import (
    AdadeltaScratch,
    AdaGradScratch,
    AdamScratch,
    RMSPropScratch,
    SGDMomentumScratch,
    YogiScratch,
    max_step_differences,
)

# （我们的，PyTorch 的）：超参数特意不取默认值，检查每一个都传到了公式里的正确位置
PAIRS = {
    "momentum": (
        lambda p: SGDMomentumScratch(p, lr=0.05, momentum=0.7),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.7),
    ),
    "sgd": (
        lambda p: SGDMomentumScratch(p, lr=0.05),
        lambda p: torch.optim.SGD(p, lr=0.05),
    ),
    "adagrad": (
        lambda p: AdaGradScratch(p, lr=0.3, eps=1e-6),
        lambda p: torch.optim.Adagrad(p, lr=0.3, eps=1e-6),
    ),
    "rmsprop": (
        lambda p: RMSPropScratch(p, lr=0.01, gamma=0.9, eps=1e-6),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6),
    ),
    "adadelta": (
        lambda p: AdadeltaScratch(p, rho=0.8, eps=1e-5),
        lambda p: torch.optim.Adadelta(p, rho=0.8, eps=1e-5),
    ),
    "adadelta-lr": (
        lambda p: AdadeltaScratch(p, lr=0.5, rho=0.9),
        lambda p: torch.optim.Adadelta(p, lr=0.5, rho=0.9),
    ),
    "adam": (
        lambda p: AdamScratch(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    ),
}
DEFAULTS = {  # 只给学习率时，默认值也与 PyTorch 相同
    "adagrad": (lambda p: AdaGradScratch(p, lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1)),
    "rmsprop": (lambda p: RMSPropScratch(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    "adadelta": (lambda p: AdadeltaScratch(p), lambda p: torch.optim.Adadelta(p)),
    "adam": (lambda p: AdamScratch(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
}


@pytest.mark.parametrize("name", PAIRS)
def test_same_as_torch_step_for_step_float64(name):
    diffs = max_step_differences(*PAIRS[name], num_steps=25)
    assert len(diffs) == 25
    assert max(diffs) < 1e-10, diffs


@pytest.mark.parametrize("name", PAIRS)
def test_same_as_torch_step_for_step_float32(name):
    diffs = max_step_differences(*PAIRS[name], num_steps=25, dtype=torch.float32)
    assert max(diffs) < 1e-5, diffs


@pytest.mark.parametrize("name", DEFAULTS)
def test_defaults_match_torch(name):
    assert max(max_step_differences(*DEFAULTS[name], num_steps=20)) < 1e-10


def test_a_different_optimizer_is_detected():
    # 比较本身能发现差别：RMSProp 的 γ 与 PyTorch 的 alpha 不同时，第一步就不一样
    diffs = max_step_differences(
        lambda p: RMSPropScratch(p, lr=0.01, gamma=0.9),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99),
        num_steps=3,
    )
    assert diffs[0] > 1e-3


def quadratic_run(make, num_steps=30):
    """两个参数分在两个参数组（学习率不同），梯度按 f(w) = ½ wᵀ A w 手工给出。"""
    A = torch.tensor([[0.2, 0.0], [0.0, 4.0]], dtype=torch.float64)
    w1 = torch.tensor([-5.0, -2.0], dtype=torch.float64)
    w2 = torch.tensor([3.0, 1.0], dtype=torch.float64)
    opt = make([{"params": [w1]}, {"params": [w2], "lr": 0.01}])
    trace = []
    for _ in range(num_steps):
        w1.grad, w2.grad = A @ w1, A @ w2
        opt.step()
        trace.append(torch.cat([w1, w2]).clone())
    return torch.stack(trace)


@pytest.mark.parametrize("name", PAIRS)
def test_param_groups_on_a_fixed_quadratic(name):
    ours, theirs = (quadratic_run(make) for make in PAIRS[name])
    torch.testing.assert_close(ours, theirs, atol=1e-10, rtol=0)
    assert not torch.equal(ours[-1, :2], ours[0, :2])  # 参数确实在动


def test_yogi_by_hand():
    lr, beta1, beta2, eps = 0.1, 0.5, 0.9, 1e-3
    w = torch.tensor([2.0], dtype=torch.float64)
    opt = YogiScratch([w], lr=lr, betas=(beta1, beta2), eps=eps)
    grads = [3.0, -1.0, 0.5, 4.0]  # 先大后小：Yogi 的 s 每步最多减少 (1 − β2) g²
    x, v, s = 2.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        v = beta1 * v + (1 - beta1) * g
        s_new = s + (1 - beta2) * g * g * math.copysign(1.0, g * g - s)
        if t > 1 and g * g < s:
            assert s - s_new == pytest.approx((1 - beta2) * g * g)
        s = s_new
        v_hat, s_hat = v / (1 - beta1**t), s / (1 - beta2**t)
        x -= lr * v_hat / (math.sqrt(s_hat) + eps)
        w.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        assert w.item() == pytest.approx(x, abs=1e-12)
        assert opt.state[w]["s"].item() == pytest.approx(s, abs=1e-12)
        assert opt.state[w]["step"] == t


def test_yogi_differs_from_adam_after_large_gradients():
    w_adam = torch.tensor([1.0], dtype=torch.float64)
    w_yogi = w_adam.clone()
    adam = AdamScratch([w_adam], lr=0.1, betas=(0.9, 0.9), eps=1e-3)
    yogi = YogiScratch([w_yogi], lr=0.1, betas=(0.9, 0.9), eps=1e-3)
    for g in (10.0, 10.0, 0.1):
        w_adam.grad = torch.tensor([g], dtype=torch.float64)
        w_yogi.grad = w_adam.grad.clone()
        adam.step()
        yogi.step()
    # 两步 g = 10 之后：Adam 的 s = 0.9·10 + 0.1·100 = 19；Yogi 的 s = 10 + 0.1·100 = 20。
    # 梯度变小（g² = 0.01）后，Adam 的 s 一步减少 (1 − β2)(s − g²)，Yogi 只减少 (1 − β2) g²
    assert adam.state[w_adam]["s"].item() == pytest.approx(0.9 * 19 + 0.1 * 0.01)
    assert yogi.state[w_yogi]["s"].item() == pytest.approx(20 - 0.1 * 0.01)


def test_adam_bias_correction_first_step_moves_by_lr():
    w = torch.tensor([3.0, -0.001, 50.0], dtype=torch.float64)
    opt = AdamScratch([w], lr=0.05, eps=1e-12)
    w.grad = w.clone()
    opt.step()
    torch.testing.assert_close(w, torch.tensor([2.95, 0.049, 49.95], dtype=torch.float64))


def test_state_dict_round_trip_continues_identically():
    def make(p):
        return AdamScratch(p, lr=0.05)

    def run(ws, opt, steps):
        for _ in range(steps):
            ws.grad = torch.cos(ws) + ws
            opt.step()

    w_a = torch.linspace(-1, 1, 4, dtype=torch.float64)
    w_b = w_a.clone()
    opt_a, opt_b = make([w_a]), make([w_b])
    run(w_a, opt_a, 10)
    run(w_b, opt_b, 5)
    saved = opt_b.state_dict()
    opt_c = make([w_b])
    opt_c.load_state_dict(saved)
    run(w_b, opt_c, 5)
    torch.testing.assert_close(w_a, w_b, atol=0, rtol=0)


def test_closure_and_parameters_without_gradients():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    frozen = torch.tensor([5.0], requires_grad=True)
    opt = RMSPropScratch([w, frozen], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == pytest.approx(5.0)
    assert frozen.item() == 5.0 and len(opt.state[frozen]) == 0  # 没有梯度：不更新、没有状态
    assert not torch.equal(w.detach(), torch.tensor([1.0, 2.0]))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: SGDMomentumScratch(p, lr=0.0), "lr 必须是正数"),
        (lambda p: SGDMomentumScratch(p, lr=-0.1, momentum=0.5), "lr 必须是正数"),
        (lambda p: SGDMomentumScratch(p, lr="0.1"), "lr 必须是正数"),
        (lambda p: SGDMomentumScratch(p, lr=True), "lr 必须是正数"),
        (lambda p: SGDMomentumScratch(p, lr=0.1, momentum=1.0), "momentum"),
        (lambda p: SGDMomentumScratch(p, lr=0.1, momentum=-0.1), "momentum"),
        (lambda p: AdaGradScratch(p, lr=0.1, eps=0.0), "eps 必须是正数"),
        (lambda p: RMSPropScratch(p, lr=0.1, gamma=1.5), "gamma"),
        (lambda p: AdadeltaScratch(p, rho=1.0), "rho"),
        (lambda p: AdadeltaScratch(p, lr=0), "lr 必须是正数"),
        (lambda p: AdamScratch(p, lr=0.1, betas=(0.9,)), "betas 必须是两个数"),
        (lambda p: AdamScratch(p, lr=0.1, betas=(1.0, 0.999)), r"betas\[0\]"),
        (lambda p: YogiScratch(p, lr=0.1, betas=(0.9, -0.1)), r"betas\[1\]"),
        (lambda p: YogiScratch(p, lr=0.1, eps=-1e-3), "eps 必须是正数"),
    ],
)
def test_argument_checks(make, match):
    with pytest.raises(ValueError, match=match):
        make([torch.zeros(2, requires_grad=True)])


def test_empty_parameter_list_and_comparison_arguments():
    with pytest.raises(ValueError):
        AdamScratch([], lr=0.1)
    with pytest.raises(ValueError, match="num_steps"):
        max_step_differences(*PAIRS["adam"], num_steps=0)
