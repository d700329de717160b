"""dlbook.experiments.profiles：档位的来源（参数、环境变量、默认值）与 auto 按设备和实验的解析。"""

from __future__ import annotations

import pytest
import torch

from dlbook.experiments import profiles
from dlbook.experiments.profiles import PROFILES, profile_setting, resolve_profile


def test_argument_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLBOOK_PROFILE", "full")
    assert profile_setting() == "full"
    assert profile_setting("quick") == "quick"
    assert resolve_profile("quick", device="cuda") == "quick"


@pytest.mark.parametrize(("raw", "value"), [(" Quick ", "quick"), ("FULL", "full"), ("", "auto")])
def test_environment_is_normalised(monkeypatch: pytest.MonkeyPatch, raw: str, value: str) -> None:
    monkeypatch.setenv("DLBOOK_PROFILE", raw)
    assert profile_setting() == value


def test_default_is_auto_and_unknown_names_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DLBOOK_PROFILE", raising=False)
    assert profile_setting() == "auto" and profile_setting() in PROFILES
    monkeypatch.setenv("DLBOOK_PROFILE", "fast")
    with pytest.raises(ValueError, match="'fast'"):
        profile_setting()
    with pytest.raises(ValueError, match="档位"):
        resolve_profile("medium", device="cpu")


@pytest.mark.parametrize(
    ("device", "cheap_on_cpu", "expected"),
    [
        ("cuda", False, "full"),
        ("mps", False, "full"),
        ("cpu", True, "full"),
        ("cpu", False, "quick"),
    ],
)
def test_auto_resolves_by_device_and_cost(device: str, cheap_on_cpu: bool, expected: str) -> None:
    assert resolve_profile("auto", device=device, cheap_on_cpu=cheap_on_cpu) == expected
    # 明确的档位不看设备
    assert resolve_profile("full", device=device, cheap_on_cpu=cheap_on_cpu) == "full"


def test_auto_without_device_asks_for_the_best_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiles, "best_device", lambda: torch.device("cuda"))
    assert resolve_profile("auto") == "full"
    monkeypatch.setattr(profiles, "best_device", lambda: torch.device("cpu"))
    assert resolve_profile("auto") == "quick"
    assert resolve_profile("auto", cheap_on_cpu=True) == "full"
