"""计时器。"""

import pytest

import dlbook


def test_timer_records_segments():
    timer = dlbook.Timer()
    timer.stop()
    timer.start()
    timer.stop()
    assert len(timer.times) == 2
    assert timer.sum() == pytest.approx(sum(timer.times))
    assert timer.avg() == pytest.approx(timer.sum() / 2)
    assert timer.cumsum()[-1] == pytest.approx(timer.sum())
