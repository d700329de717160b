import torch

from dlbook.exercises import check_adam_step, check_momentum_step
from tests.exercises.helpers import assert_fails


def test_momentum_step_rejects_the_exponential_moving_average():
    def ema(x, v, grad, lr, beta):
        v = beta * v + (1 - beta) * grad
        return x - lr * v, v

    assert_fails(check_momentum_step(ema), "速度为零的第一步", "上比参考")


def test_momentum_step_rejects_updating_x_with_the_old_velocity():
    def old_velocity(x, v, grad, lr, beta):
        return x - lr * v, beta * v + grad

    assert_fails(check_momentum_step(old_velocity), "速度为零的第一步", "第 0 项在位置")


def test_momentum_step_rejects_returning_only_x():
    def only_x(x, v, grad, lr, beta):
        return x - lr * (beta * v + grad)

    assert_fails(check_momentum_step(only_x), "速度为零的第一步", "应是 tuple")


def _adam(
    x, m, v, grad, t, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, *, correct=True, eps_inside=False
):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t) if correct else m
    v_hat = v / (1 - beta2**t) if correct else v
    denom = torch.sqrt(v_hat + eps) if eps_inside else torch.sqrt(v_hat) + eps
    return x - lr * m_hat / denom, m, v


def test_adam_step_rejects_no_bias_correction():
    result = check_adam_step(lambda *a, **k: _adam(*a, **k, correct=False))
    assert_fails(result, "第 1 步", "上比参考")


def test_adam_step_rejects_epsilon_inside_the_square_root():
    result = check_adam_step(lambda *a, **k: _adam(*a, **k, eps_inside=True))
    assert_fails(result, "很小的梯度", "上比参考")


def test_adam_step_rejects_the_previous_step_number():
    def previous_t(x, m, v, grad, t, **kwargs):
        return _adam(x, m, v, grad, max(t - 1, 1), **kwargs)

    assert_fails(check_adam_step(previous_t), "第 10 步、已有状态", "上比参考")
