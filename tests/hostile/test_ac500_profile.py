"""The AC500 profile (tests/data/abb-ac500-modbus.toml) through the validator."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.profile.advice import profile_warnings
from crane_ctrl.profile.loader import load_profile
from tests.hostile.ac500 import PROFILE_PATH


def test_the_ac500_profile_loads_without_warnings() -> None:
    assert profile_warnings(load_profile(PROFILE_PATH)) == []


@pytest.mark.xfail(
    strict=True,
    reason="F1: limit *_ok signals derived from 'AT LIMIT' bits (not bit(limits_word, n), the "
    "form the README itself shows) read safe when the word is dead (0), yet with no [validity] "
    "block the validator warns only for the inverted plc.estop_ok: advice.dead_word_reads_safe "
    "skips every derived signal",
)
def test_derived_at_limit_oks_without_validity_are_warned(tmp_path: Path) -> None:
    text = PROFILE_PATH.read_text(encoding="utf-8").split("[validity.status]")[0]
    path = tmp_path / "no-validity.toml"
    path.write_text(text, encoding="utf-8")
    warned = "\n".join(profile_warnings(load_profile(path)))
    assert "plc.estop_ok" in warned
    assert "hoist.limit_up_ok" in warned
