import pytest
import torch

from dlbook.exercises.core import (
    FAILED,
    NOT_DONE,
    PASSED,
    Case,
    CheckResult,
    check_function,
    compare,
)

CASES = [Case("两个元素", (torch.tensor([1.0, 2.0]),), hint="逐元素平方。")]


def test_result_is_truthy_only_when_passed():
    assert CheckResult(PASSED, "")
    assert not CheckResult(NOT_DONE, "")
    assert not CheckResult(FAILED, "")
    assert repr(CheckResult(FAILED, "x")) == "【未通过】x"


def test_not_implemented_is_not_done():
    def square(x):
        raise NotImplementedError

    result = check_function(square, torch.square, CASES, name="square")
    assert result.status == NOT_DONE
    assert "尚未完成" in repr(result)


def test_other_errors_fail_with_the_case_and_hint():
    result = check_function(lambda x: x.foo(), torch.square, CASES, name="square")
    assert result.status == FAILED
    assert "「两个元素」" in result.message and "AttributeError" in result.message
    assert result.message.endswith("提示：逐元素平方。")


def test_reader_cannot_corrupt_the_inputs_of_the_reference():
    def square_in_place(x):
        return x.mul_(x)

    assert check_function(square_in_place, torch.square, CASES, name="square")


@pytest.mark.parametrize(
    ("actual", "expected", "fragment"),
    [
        ([1.0], torch.zeros(1), "应是张量"),
        (torch.zeros(2, 3), torch.zeros(3, 2), "形状应为 (3, 2)，实际是 (2, 3)"),
        (torch.zeros(2, dtype=torch.float64), torch.zeros(2), "数据类型应为 torch.float32"),
        (torch.tensor([0.0, float("nan")]), torch.zeros(2), "位置 (1,) 上是 nan"),
        (torch.tensor([1, 3]), torch.tensor([1, 2]), "位置 (1,) 上与参考不符"),
        ((torch.zeros(1),), (torch.zeros(1), torch.zeros(1)), "应有 2 项，实际有 1 项"),
        (0.5, 0.4, "比参考偏大（相对误差约 2e-01）"),
        ("a", 1.0, "应是一个数"),
        ([("a", "b")], [("a", "c")], "第 0 项的第 1 项与参考不符"),
    ],
)
def test_compare_names_the_first_mismatch(actual, expected, fragment):
    assert fragment in compare(actual, expected)


def test_compare_never_states_the_expected_value():
    message = compare(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 7.25]))
    assert "7.25" not in message


def test_inputs_go_to_the_requested_device():
    seen = []

    def square(x):
        seen.append(x.device)
        return x * x

    assert check_function(square, torch.square, CASES, name="square", device="cpu")
    assert seen == [torch.device("cpu")]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="需要 CUDA 设备")
def test_a_result_on_the_wrong_device_fails():
    def square_on_cpu(x):
        return (x * x).cpu()

    result = check_function(square_on_cpu, torch.square, CASES, name="square", device="cuda")
    assert result.status == FAILED
    assert "应在设备 cuda:0 上，实际在 cpu 上" in result.message
