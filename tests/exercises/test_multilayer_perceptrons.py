import math

import torch

from dlbook.exercises import check_softplus, check_xavier_bound
from tests.exercises.helpers import assert_fails


def test_softplus_rejects_the_naive_formula():
    assert_fails(check_softplus(lambda x: torch.log(1 + torch.exp(x))), "很大的正数", "nan 或 inf")


def test_softplus_rejects_log1p_of_exp():
    assert_fails(check_softplus(lambda x: torch.log1p(torch.exp(x))), "很大的正数", "nan 或 inf")


def test_softplus_rejects_relu_as_an_approximation():
    assert_fails(check_softplus(torch.relu), "标准正态的输入", "比参考偏小")


def test_xavier_bound_rejects_the_standard_deviation_of_the_normal_version():
    result = check_xavier_bound(lambda n_in, n_out: math.sqrt(2 / (n_in + n_out)))
    assert_fails(result, "fan_in = 784，fan_out = 256", "比参考偏小")


def test_xavier_bound_rejects_fan_in_only():
    result = check_xavier_bound(lambda n_in, n_out: math.sqrt(6 / n_in))
    assert_fails(result, "fan_in = 784，fan_out = 256", "比参考偏大")


def test_xavier_bound_rejects_a_non_number():
    result = check_xavier_bound(lambda n_in, n_out: str(n_in))
    assert_fails(result, "fan_in = 784，fan_out = 256", "应是一个数")
