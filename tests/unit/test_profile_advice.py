"""Warnings for valid profiles (issue 15, finding 6): a fail-safe signal mapped to an inverted
bit reads safe when its status word is dead (0). A ``[validity.<block>]`` that covers the bit
(a life counter, a life bit, never all zero) proves the word alive and silences the warning;
without one, the warning gives the TOML to add."""

from __future__ import annotations

from crane_ctrl.profile.advice import profile_warnings, validity_toml
from crane_ctrl.profile.loader import load_profile, parse_profile
from tests.profile_texts import GENERIC_MODBUS, GENERIC_OPCUA, PROFILES, with_signal

M580 = (PROFILES / "modicon-m580-modbus.toml").read_text(encoding="utf-8")
M580_UNPROVEN = M580[: M580.index("\n[validity.plc_status]")]
"""The shipped M580 without the block that proves its status words alive."""
BLOCK_TOML = (
    '[validity.holding_0]\nregisters = ["holding 0"]\nlife_counter = "plc.heartbeat"\n'
    "timeout_s = 1.0"
)


def test_profiles_with_plain_or_proven_fail_safe_bits_get_no_warning() -> None:
    for name in ("generic-modbus", "generic-opcua", "siemens-s7-1500-opcua", "modicon-m580-modbus"):
        assert profile_warnings(load_profile(PROFILES / f"{name}.toml")) == []


def test_an_inverted_ok_bit_no_block_proves_is_warned_with_the_toml_to_add() -> None:
    (warning,) = profile_warnings(parse_profile(M580_UNPROVEN, "m580.toml"))
    assert warning.startswith("plc.estop_ok is the inverted holding 0 bit 1: if that word reads 0")
    assert "\n    " + BLOCK_TOML.replace("\n", "\n    ") + "\n" in warning
    assert 'life_bit = "<a point of that word the PLC toggles>"' in warning
    assert "never_all_zero = true" in warning


def test_the_toml_the_warning_gives_silences_it_when_added() -> None:
    fixed = parse_profile(M580_UNPROVEN + "\n" + BLOCK_TOML + "\n", "m580-fixed.toml")
    assert profile_warnings(fixed) == []


def test_a_block_that_does_not_cover_the_bit_does_not_silence_it() -> None:
    other = '\n[validity.limits]\nregisters = ["holding 1"]\nnever_all_zero = true\n'
    (warning,) = profile_warnings(parse_profile(M580_UNPROVEN + other, "m580.toml"))
    assert warning.startswith("plc.estop_ok is the inverted holding 0 bit 1")


def test_a_life_bit_block_by_signal_name_silences_it_too() -> None:
    block = (
        '\n[points]\nstatus_alive = { table = "holding", address = 0, type = "bool", bit = 15 }\n'
        '\n[validity.status_word]\nsignals = ["plc.*"]\nlife_bit = "status_alive"\n'
        "timeout_s = 2.0\n"
    )
    assert profile_warnings(parse_profile(M580_UNPROVEN + block, "m580.toml")) == []


def test_an_opcua_warning_names_the_node_in_a_literal_string() -> None:
    mapping = '{ node = \'s="DB_Crane"."Plc"."EStopActive"\', type = "Boolean", invert = true }'
    text = with_signal(GENERIC_OPCUA, "plc.estop_ok", mapping)
    (warning,) = profile_warnings(parse_profile(text, "s7.toml"))
    toml = validity_toml(parse_profile(text, "s7.toml").signals["plc.estop_ok"])
    assert toml.splitlines()[:2] == [
        "[validity.db_crane_plc_estopactive]",
        """nodes = ['s="DB_Crane"."Plc"."EStopActive"']""",
    ]
    assert toml in warning.replace("\n    ", "\n")
    fixed = parse_profile(text + "\n" + toml + "\n", "s7.toml")
    assert profile_warnings(fixed) == []


LIMIT_WORD = """
[points]
limits_word = { table = "input", address = 80, type = "uint16", text = "at-limit bits" }
"""


def _derived_limit(validity: str = "") -> str:
    text = with_signal(
        (PROFILES / "generic-modbus.toml").read_text(encoding="utf-8"),
        "gantry.limit_fwd_ok",
        '{ derived = "not bit(limits_word, 0)" }',
    )
    return text + LIMIT_WORD + validity


def test_a_derived_ok_that_reads_safe_from_a_dead_word_is_warned() -> None:
    """Hostile finding F1: ``not bit(limits_word, 0)`` is true when the word reads 0."""
    (warning,) = profile_warnings(parse_profile(_derived_limit(), "derived.toml"))
    assert warning.startswith(
        "gantry.limit_fwd_ok = not bit(limits_word, 0) reads true, safe, when its inputs read 0"
    )
    assert 'signals = ["limits_word"]' in warning
    proven = '\n[validity.limits]\nsignals = ["limits_word"]\nlife_counter = "plc.heartbeat"\n'
    assert not profile_warnings(
        parse_profile(_derived_limit(proven + "timeout_s = 1.0\n"), "d.toml")
    )


def test_an_address_copied_as_a_modicon_reference_number_is_warned_with_the_address() -> None:
    text = with_signal(GENERIC_MODBUS, "hoist.load",
                       '{ table = "input", address = 30031, type = "int16", scale = 0.1 }')  # fmt: skip
    warnings = profile_warnings(parse_profile(text, "ref.toml"))
    assert warnings == [
        "[signals] hoist.load: input address 30031 looks like the Modicon reference number of "
        "input register 30; addresses are zero-based (address_base = 0): if the manual numbers "
        "it so, write address = 30"
    ]
