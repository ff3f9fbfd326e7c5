"""The AC500 profile (tests/data/abb-ac500-modbus.toml) through the validator."""

from __future__ import annotations

from pathlib import Path

from crane_ctrl.profile.advice import profile_warnings
from crane_ctrl.profile.loader import load_profile
from tests.hostile.ac500 import PROFILE_PATH


def test_the_ac500_profile_loads_without_warnings() -> None:
    assert profile_warnings(load_profile(PROFILE_PATH)) == []


def test_derived_at_limit_oks_without_validity_are_warned(tmp_path: Path) -> None:
    text = PROFILE_PATH.read_text(encoding="utf-8").split("[validity.status]")[0]
    path = tmp_path / "no-validity.toml"
    path.write_text(text, encoding="utf-8")
    warned = "\n".join(profile_warnings(load_profile(path)))
    assert "plc.estop_ok" in warned
    assert "hoist.limit_up_ok" in warned
