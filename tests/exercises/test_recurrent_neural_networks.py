import torch

from dlbook.exercises import check_clip_gradients, check_rnn_step
from tests.exercises.helpers import assert_fails


def test_rnn_step_rejects_a_missing_tanh():
    result = check_rnn_step(lambda X, H, W_xh, W_hh, b: X @ W_xh + H @ W_hh + b)
    assert_fails(result, "初始隐状态为零", "上比参考")


def test_rnn_step_rejects_the_hidden_state_on_the_right():
    result = check_rnn_step(lambda X, H, W_xh, W_hh, b: torch.tanh(X @ W_xh + (W_hh @ H.T).T + b))
    assert_fails(result, "非零隐状态", "上比参考")


def test_rnn_step_rejects_relu():
    result = check_rnn_step(lambda X, H, W_xh, W_hh, b: torch.relu(X @ W_xh + H @ W_hh + b))
    assert_fails(result, "初始隐状态为零", "上比参考")


def test_clip_gradients_rejects_clipping_each_tensor_separately():
    def per_tensor(grads, theta):
        return [g * min(1.0, theta / g.norm().item()) for g in grads]

    result = check_clip_gradients(per_tensor)
    assert_fails(result, "两个形状不同的梯度、范数大于 θ", "上比参考")


def test_clip_gradients_rejects_always_rescaling():
    def always(grads, theta):
        norm = torch.sqrt(sum((g**2).sum() for g in grads))
        return [g * theta / norm for g in grads]

    assert_fails(check_clip_gradients(always), "范数小于 θ", "上比参考偏大")


def test_clip_gradients_rejects_returning_a_single_tensor():
    def concatenated(grads, theta):
        flat = torch.cat([g.reshape(-1) for g in grads])
        return flat * min(1.0, theta / flat.norm().item())

    assert_fails(check_clip_gradients(concatenated), "一个梯度、范数 5、θ = 1", "应是 list")
