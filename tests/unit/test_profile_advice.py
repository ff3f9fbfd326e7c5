"""Warnings for valid profiles (issue 15, finding 6): a fail-safe signal mapped to an inverted
bit reads safe when its status word is dead (0); deriving it with a life bit proves the word
alive and silences the warning."""

from __future__ import annotations

from crane_ctrl.profile.advice import profile_warnings
from crane_ctrl.profile.loader import load_profile, parse_profile
from tests.profile_texts import PROFILES


def test_profiles_with_plain_fail_safe_bits_get_no_warning() -> None:
    for name in ("generic-modbus", "generic-opcua", "siemens-s7-1500-opcua"):
        assert profile_warnings(load_profile(PROFILES / f"{name}.toml")) == []


def test_an_inverted_ok_bit_is_warned_with_the_fix_and_a_derived_one_with_a_life_bit_is_not() -> (
    None
):
    text = (PROFILES / "modicon-m580-modbus.toml").read_text(encoding="utf-8")
    (warning,) = profile_warnings(parse_profile(text, "m580.toml"))
    assert warning.startswith("plc.estop_ok is the inverted holding 0 bit 1: if that word reads 0")
    assert 'derived = "not estop_active and status_alive"' in warning
    old = '"plc.estop_ok"          = { table = "holding", address = 0, type = "bool", bit = 1, invert = true }'
    assert old in text
    proven = text.replace(old, '"plc.estop_ok" = { derived = "not estop_active and status_alive" }')
    proven = proven.replace(
        "[signals]",
        '[points]\nestop_active = { table = "holding", address = 0, type = "bool", bit = 1 }\n'
        'status_alive = { table = "holding", address = 0, type = "bool", bit = 15 }\n\n[signals]',
        1,
    )
    assert profile_warnings(parse_profile(proven, "m580-proven.toml")) == []
