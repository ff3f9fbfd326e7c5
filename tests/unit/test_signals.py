"""The canonical signal catalogue: the public contract of PLC profiles."""

from __future__ import annotations

import math

import pytest

from crane_ctrl.signals import COMMANDS, SIGNALS, STATUS, Direction, Kind, spec

ARCHITECTURE_STATUS = {
    "plc.heartbeat", "plc.remote", "plc.estop_ok", "plc.watchdog_trip", "plc.fault_code",
    "gantry.position", "trolley.position", "hoist.position",
    "gantry.speed", "trolley.speed", "hoist.speed",
    "gantry.ready", "trolley.ready", "hoist.ready", "gantry.fault", "trolley.fault", "hoist.fault",
    "gantry.limit_fwd_ok", "gantry.limit_rev_ok", "trolley.limit_fwd_ok", "trolley.limit_rev_ok",
    "hoist.limit_up_ok", "hoist.limit_down_ok", "hoist.load", "hoist.slack_rope",
    "sway.trolley", "sway.gantry", "spreader.size",
    *(f"spreader.{w}_{c}" for w in ("landed", "locked", "unlocked") for c in (1, 2, 3, 4)),
    "gantry.storm_pins_up", "env.wind", "lane.clear", "lane.truck_lifted",
    "plc.restart_inhibit",
}  # fmt: skip
"""Issue 15 (items 1 and 5) adds ``plc.restart_inhibit``, optional."""
PER_AXIS_ENABLES = {"gantry.enable", "trolley.enable", "hoist.enable"}
"""Issue 15 (item 9) adds them to the contract: optional commands for PLCs with one drive enable
per axis (ARCHITECTURE.md's table predates them)."""
DIRECTIONS = {
    "gantry.forward", "gantry.reverse", "trolley.forward", "trolley.reverse", "hoist.up",
    "hoist.down",
}  # fmt: skip
"""Optional commands for PLCs whose drives take a speed magnitude and direction bits."""
ARCHITECTURE_COMMANDS = {
    "sup.heartbeat", "drives.enable", "gantry.speed_ref", "trolley.speed_ref", "hoist.speed_ref",
    "spreader.lock", "spreader.unlock", "spreader.size_ref", "plc.reset", *PER_AXIS_ENABLES,
    "spreader.telescope", *DIRECTIONS,
}  # fmt: skip
OPTIONAL = {
    "plc.fault_code", "hoist.slack_rope", "sway.trolley", "sway.gantry",
    "gantry.storm_pins_up", "lane.clear", "lane.truck_lifted", *PER_AXIS_ENABLES,
    "plc.restart_inhibit", "spreader.telescope", *DIRECTIONS,
}  # fmt: skip


def test_catalogue_is_exactly_the_architecture_contract() -> None:
    assert {s.name for s in STATUS} == ARCHITECTURE_STATUS
    assert {s.name for s in COMMANDS} == ARCHITECTURE_COMMANDS
    assert {n for n, s in SIGNALS.items() if not s.required} == OPTIONAL


def test_every_ok_signal_states_its_fail_safe_meaning() -> None:
    for name, s in SIGNALS.items():
        if name.endswith("_ok"):
            assert s.kind is Kind.BOOL
            assert s.fail_safe is not None
            assert s.fail_safe.startswith("false = ")


def test_numeric_signals_have_a_unit_or_are_counters_and_a_range() -> None:
    for s in SIGNALS.values():
        if s.kind is Kind.FLOAT:
            assert s.unit in {"m", "m/s", "t"}
        if s.kind is not Kind.BOOL:
            assert s.allowed is not None or (s.minimum is not None and s.maximum is not None)


@pytest.mark.parametrize(
    ("name", "value", "plausible"),
    [
        ("hoist.position", 12.0, True),
        ("hoist.position", 500.0, False),
        ("hoist.position", math.nan, False),
        ("hoist.position", True, False),
        ("spreader.size", 40, True),
        ("spreader.size", 30, False),
        ("spreader.size", 40.5, False),
        ("plc.remote", True, True),
        ("plc.remote", 1, False),
        ("env.wind", -1.0, False),
    ],
)
def test_plausible_values(name: str, value: float, plausible: bool) -> None:
    assert spec(name).plausible(value) is plausible


def test_spec_names_the_closest_signal_for_a_typo() -> None:
    with pytest.raises(KeyError, match=r"did you mean 'hoist\.position'"):
        spec("hoist.postion")


def test_directions_split_the_catalogue() -> None:
    assert all(s.direction is Direction.STATUS for s in STATUS)
    assert all(s.is_command for s in COMMANDS)
    assert len(STATUS) + len(COMMANDS) == len(SIGNALS)
