"""练习检查器测试的公共断言。"""

from dlbook.exercises.core import FAILED


def assert_fails(result, case: str, fragment: str) -> None:
    """``result`` 未通过，消息指出输入 ``case``，并含有 ``fragment``。"""
    assert result.status == FAILED, result
    assert f"「{case}」" in result.message, result
    assert fragment in result.message, result
    assert "提示：" in result.message, result
