import torch

from dlbook.exercises import check_numerical_gradient, check_pairwise_sq_dists
from tests.exercises.helpers import assert_fails


def test_pairwise_sq_dists_rejects_distances_that_are_not_squared():
    def distances(X, Y):
        return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1).sqrt()

    assert_fails(check_pairwise_sq_dists(distances), "X 为 2×3，Y 为 4×3", "比参考偏小")


def test_pairwise_sq_dists_rejects_subtraction_without_broadcasting():
    def no_broadcast(X, Y):
        return ((X - Y) ** 2).sum(-1)

    assert_fails(check_pairwise_sq_dists(no_broadcast), "X 为 2×3，Y 为 4×3", "RuntimeError")


def test_pairwise_sq_dists_rejects_a_float32_result_for_float64_inputs():
    def float32_result(X, Y):
        D = torch.zeros(X.shape[0], Y.shape[0])
        D[:] = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
        return D

    assert_fails(
        check_pairwise_sq_dists(float32_result), "float64 输入", "数据类型应为 torch.float64"
    )


def _perturbed(f, x, i, h):
    y = x.clone()
    y.view(-1)[i] += h
    return f(y)


def test_numerical_gradient_rejects_the_forward_difference():
    def forward_difference(f, x, h=1e-4):
        grad = torch.zeros_like(x)
        for i in range(x.numel()):
            grad.view(-1)[i] = (_perturbed(f, x, i, h) - f(x)) / h
        return grad

    result = check_numerical_gradient(forward_difference)
    assert_fails(result, "f(x) = Σ x³，x 有 5 个元素", "上比参考")


def test_numerical_gradient_rejects_a_missing_factor_two():
    def divided_by_h(f, x, h=1e-4):
        grad = torch.zeros_like(x)
        for i in range(x.numel()):
            grad.view(-1)[i] = (_perturbed(f, x, i, h) - _perturbed(f, x, i, -h)) / h
        return grad

    result = check_numerical_gradient(divided_by_h)
    assert_fails(result, "f(x) = Σ x³，x 有 5 个元素", "相对误差约 1e+00")


def test_numerical_gradient_rejects_moving_all_coordinates_at_once():
    def all_at_once(f, x, h=1e-4):
        return torch.full_like(x, float((f(x + h) - f(x - h)) / (2 * h)))

    assert_fails(check_numerical_gradient(all_at_once), "f(x) = Σ x³，x 有 5 个元素", "上比参考")
