"""The interlocks one by one: a healthy crane, one thing broken, what trips and what it blocks."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pytest

from crane_ctrl.commands import Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.catalogue import OPERATOR_RESET, SELF_CLEARING
from crane_ctrl.interlocks.evaluate import (
    ALL_MOTIONS,
    CATALOGUE,
    INTERLOCKS,
    NO_LATCHES,
    TRAVEL,
    InterlockSettings,
    LatchState,
    Motion,
    Permits,
    evaluate,
    filter_commands,
)
from crane_ctrl.signals import CORNERS, SIGNALS, Value
from crane_ctrl.site import SiteLayout, StackBlock
from crane_ctrl.snapshot import Quality, Reading, Snapshot

PARAMS = CraneParams()
SETTINGS = InterlockSettings.from_params(PARAMS)
M = Motion

HEALTHY: dict[str, Value] = {
    "plc.heartbeat": 7, "plc.remote": True, "plc.estop_ok": True, "plc.watchdog_trip": False,
    "plc.fault_code": 0,
    "gantry.position": 100.0, "trolley.position": 20.0, "hoist.position": 17.95,
    "gantry.speed": 0.0, "trolley.speed": 0.0, "hoist.speed": 0.0,
    **{f"{a}.ready": True for a in ("gantry", "trolley", "hoist")},
    **{f"{a}.fault": False for a in ("gantry", "trolley", "hoist")},
    "gantry.limit_fwd_ok": True, "gantry.limit_rev_ok": True,
    "trolley.limit_fwd_ok": True, "trolley.limit_rev_ok": True,
    "hoist.limit_up_ok": True, "hoist.limit_down_ok": True,
    "hoist.load": 0.0, "hoist.slack_rope": False, "sway.trolley": 0.0, "sway.gantry": 0.0,
    "spreader.size": 40,
    **{f"spreader.landed_{c}": False for c in CORNERS},
    **{f"spreader.locked_{c}": False for c in CORNERS},
    **{f"spreader.unlocked_{c}": True for c in CORNERS},
    "gantry.storm_pins_up": True, "env.wind": 3.0, "lane.clear": True, "lane.truck_lifted": False,
    "plc.restart_inhibit": False,
}  # fmt: skip
"""A healthy crane: remote, chain closed, drives ready, empty spreader unlocked and hanging at
travel height, calm weather, lane clear. Every status signal, all good."""

LANDED = {f"spreader.landed_{c}": True for c in CORNERS}
LOCKED = {
    **{f"spreader.locked_{c}": True for c in CORNERS},
    **{f"spreader.unlocked_{c}": False for c in CORNERS},
}


def snap(
    changes: Mapping[str, Value | Quality] | None = None,
    *,
    comms_ok: bool = True,
    time_s: float = 100.0,
) -> Snapshot:
    """The healthy crane with ``changes``: a value (good) or a quality (the healthy value kept)."""
    readings = {name: Reading(value, Quality.GOOD, time_s) for name, value in HEALTHY.items()}
    for name, change in (changes or {}).items():
        if isinstance(change, Quality):
            kept = None if change is Quality.MISSING else HEALTHY[name]
            readings[name] = Reading(kept, change, time_s - 5.0 if kept is not None else None)
        else:
            readings[name] = Reading(change, Quality.GOOD, time_s)
    return Snapshot(
        time_s, MappingProxyType(readings), comms_ok, "" if comms_ok else "link down", scan=1
    )


def ids(permits: Permits) -> list[str]:
    return [t.interlock.id for t in permits.active]


def test_healthy_crane_hanging_free_blocks_only_the_twistlocks() -> None:
    permits = evaluate(snap(), SETTINGS, NO_LATCHES)
    assert ids(permits) == ["NOT_LANDED"]
    assert permits.blocked == {M.LOCK, M.UNLOCK}
    assert permits.unchecked == ()
    assert permits.latched is NO_LATCHES


def test_healthy_crane_landed_unlocked_may_lock_and_unlock_but_not_lower_or_telescope() -> None:
    permits = evaluate(snap({**LANDED, "hoist.slack_rope": True}), SETTINGS, NO_LATCHES)
    assert ids(permits) == ["SLACK_ROPE", "TELESCOPE_NOT_FREE"]
    assert permits.allowed(M.LOCK)
    assert permits.allowed(M.UNLOCK)
    assert permits.blocked == {M.HOIST_DOWN, M.TELESCOPE}


SETUP: dict[str, Mapping[str, Value | Quality]] = {
    "OVERLOAD": {**LOCKED, "hoist.load": 30.0},
    "MIXED_LOCK": LOCKED,
    "NOT_LANDED": {**LANDED, "hoist.slack_rope": True},
    "LOAD_ON_TWISTLOCKS": {**LOCKED, **LANDED, "hoist.slack_rope": True},
    "WIND_NO_LIFT": {**LANDED, "hoist.slack_rope": True},
}
"""Where the healthy hanging crane does not clear an interlock (or hides what it blocks): a
healthy state that does."""

# One row per interlock: what breaks, the reason it gives, the sentence it shows, what it blocks.
CASES = [
    ("COMMS_FAULT", None, "comms fault: link down",
     "All motion stops while the data from the PLC cannot be trusted (link down, data stale or PLC heartbeat frozen).",
     ALL_MOTIONS),
    ("SIGNAL_QUALITY", {"env.wind": Quality.BAD}, "env.wind is bad",
     "All motion stops at once while any signal from the PLC is bad: undecodable, a value no sensor on this crane can show (NaN, a bool reading 2, a position off the travel), or in a status block not proven alive (its life counter frozen, its word all zero).",
     ALL_MOTIONS),
    ("ESTOP", {"plc.estop_ok": False}, "emergency-stop chain open",
     "All motion stops while the emergency-stop chain is open.", ALL_MOTIONS),
    ("NOT_REMOTE", {"plc.remote": False}, "PLC not in remote mode",
     "All motion stops while the PLC is not in remote mode.", ALL_MOTIONS),
    ("WATCHDOG_TRIP", {"plc.watchdog_trip": True}, "PLC watchdog tripped",
     "All motion stops while the PLC's watchdog has tripped on a frozen supervisor heartbeat.",
     ALL_MOTIONS),
    ("RESTART_INHIBIT", {"plc.restart_inhibit": True}, "PLC restart inhibit",
     "All motion stops while the PLC inhibits a restart (after a trip, until it is reset and "
     "ready again).", ALL_MOTIONS),
    ("DRIVE_FAULT", {"trolley.fault": True}, "trolley drive fault",
     "All motion stops while a drive reports a fault or is not ready.", ALL_MOTIONS),
    ("WIND_STOP", {"env.wind": 21.3}, "wind 21.3 m/s >= stop limit 20.0 m/s",
     "At the wind stop limit the crane starts nothing new: travel, locking and telescoping stop; a hanging load may only go straight down onto a place below it, or straight up clear of its neighbours, and unlocking stays allowed, if the settings permit it.",
     TRAVEL | {M.LOCK, M.TELESCOPE}),
    ("LANE_NOT_CLEAR", {"lane.clear": False}, "person in the lane or light curtain broken",
     "Hoisting and travel stop while a person is in the lane or a light curtain is broken.",
     TRAVEL | {M.HOIST_UP, M.HOIST_DOWN}),
    ("TRUCK_LIFTED", {"lane.truck_lifted": True}, "truck lifted with the container",
     "Hoisting up stops when the truck is being lifted with the container.", {M.HOIST_UP}),
    ("OVERLOAD", {"hoist.load": 45.5},
     "load 45.50 t > overload trip 44.00 t",
     "Hoisting up is blocked after the load exceeded the overload limit; lowering stays allowed.",
     {M.HOIST_UP}),
    ("SLACK_ROPE", {"hoist.slack_rope": True}, "ropes slack",
     "Lowering stops when the ropes go slack: the load is resting on something.", {M.HOIST_DOWN}),
    ("NOT_LANDED", {"spreader.landed_3": False},
     "corner 3 landing pin not pressed",
     "Twistlocks may turn only when all four landing pins are pressed.", {M.LOCK, M.UNLOCK}),
    ("LOAD_ON_TWISTLOCKS", {"hoist.load": 12.0}, "load 12.00 t >= 1.00 t: the twistlocks carry it",
     "Twistlocks never unlock while they carry a load, even if the landing pins are pressed.",
     {M.UNLOCK}),
    ("MIXED_LOCK", {"spreader.locked_3": False, "spreader.unlocked_3": True},
     "twistlocks neither all locked nor all unlocked: corner 1 locked, 2 locked, 3 unlocked, 4 locked",
     "Hoisting up needs all four twistlocks locked or all four unlocked; a mixed state blocks it.",
     {M.HOIST_UP}),
    ("TELESCOPE_NOT_FREE", {"spreader.landed_2": True}, "corner 2 landing pin pressed",
     "The spreader may telescope only when all four twistlocks are unlocked and no landing pin is pressed.",
     {M.TELESCOPE}),
    ("LIMIT_GANTRY_FWD", {"gantry.limit_fwd_ok": False}, "gantry forward end limit operated",
     "The gantry may not go further forward while its forward end limit is operated.",
     {M.GANTRY_FWD}),
    ("LIMIT_GANTRY_REV", {"gantry.limit_rev_ok": False}, "gantry reverse end limit operated",
     "The gantry may not go further back while its reverse end limit is operated.",
     {M.GANTRY_REV}),
    ("LIMIT_TROLLEY_FWD", {"trolley.limit_fwd_ok": False}, "trolley forward end limit operated",
     "The trolley may not go further forward while its forward end limit is operated.",
     {M.TROLLEY_FWD}),
    ("LIMIT_TROLLEY_REV", {"trolley.limit_rev_ok": False}, "trolley reverse end limit operated",
     "The trolley may not go further back while its reverse end limit is operated.",
     {M.TROLLEY_REV}),
    ("LIMIT_HOIST_UP", {"hoist.limit_up_ok": False}, "hoist upper limit operated",
     "The hoist may not go further up while its upper limit is operated.", {M.HOIST_UP}),
    ("LIMIT_HOIST_DOWN", {"hoist.limit_down_ok": False}, "hoist lower limit operated",
     "The hoist may not go further down while its lower limit is operated.", {M.HOIST_DOWN}),
    ("STORM_PINS_DOWN", {"gantry.storm_pins_up": False}, "storm pins down",
     "The gantry may travel only when the storm pins are lifted.", {M.GANTRY_FWD, M.GANTRY_REV}),
    ("BELOW_TRAVEL_HEIGHT", {"hoist.position": 9.5}, "hoist at 9.50 m < safe travel height 17.88 m",
     "Gantry and trolley travel only with the spreader at or above the safe travel height, or above a path the planner has checked clear.",
     TRAVEL),
]  # fmt: skip
"""WIND_STORM is the exception: wind over the storm limit is over the stop limit too (below)."""


@pytest.mark.parametrize(
    ("interlock_id", "changes", "reason", "sentence", "blocks"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_one_broken_thing_trips_its_interlock_with_its_sentence_and_blocks_exactly_its_motions(
    interlock_id: str,
    changes: dict[str, Value | Quality] | None,
    reason: str,
    sentence: str,
    blocks: frozenset[Motion],
) -> None:
    setup = SETUP.get(interlock_id, {})
    baseline = evaluate(snap(setup), SETTINGS, NO_LATCHES)
    assert interlock_id not in ids(baseline)
    broken = snap({**setup, **(changes or {})}, comms_ok=interlock_id != "COMMS_FAULT")
    permits = evaluate(broken, SETTINGS, NO_LATCHES)
    assert set(ids(permits)) - set(ids(baseline)) == {interlock_id}
    (trip,) = (t for t in permits.active if t.interlock.id == interlock_id)
    assert trip.reason == reason
    assert trip.interlock.sentence == sentence
    assert trip.blocks == blocks
    assert not trip.fail_safe
    for motion in ALL_MOTIONS - baseline.blocked:
        assert permits.allowed(motion) is (motion not in blocks), motion


def test_one_broken_thing_table_covers_every_interlock() -> None:
    assert {c[0] for c in CASES} | {"WIND_STORM", "WIND_NO_LIFT"} == set(INTERLOCKS)


def test_wind_stop_with_a_load_on_its_support_blocks_lifting_it_off() -> None:
    """WIND_NO_LIFT: at the wind stop limit, hoisting up is blocked while any landing pin is
    pressed (nothing is lifted off its support); a hanging load may be raised clear."""
    hanging = evaluate(snap({"env.wind": 21.0}), SETTINGS, NO_LATCHES)
    assert "WIND_NO_LIFT" not in ids(hanging)
    assert hanging.allowed(M.HOIST_UP)
    seated = evaluate(snap({**LANDED, "env.wind": 21.0}), SETTINGS, NO_LATCHES)
    (trip,) = (t for t in seated.active if t.id == "WIND_NO_LIFT")
    assert trip.reason.startswith(
        "wind 21.0 m/s >= stop limit 20.0 m/s; landing pin pressed on corners 1-4"
    )
    assert trip.blocks == {M.HOIST_UP}
    assert not seated.allowed(M.HOIST_UP)
    assert seated.allowed(M.HOIST_DOWN)
    calm = evaluate(snap({**LANDED}), SETTINGS, NO_LATCHES)
    assert "WIND_NO_LIFT" not in ids(calm)
    roof = evaluate(snap({**LANDED, "env.wind": 21.0, "hoist.load": 24.0}), SETTINGS, NO_LATCHES)
    assert "WIND_NO_LIFT" not in ids(roof), "a hanging box may keep the pins pressed (its roof)"
    assert roof.allowed(M.HOIST_UP)
    slack = {**LANDED, "env.wind": 21.0, "hoist.load": 24.0, "hoist.slack_rope": True}
    assert "WIND_NO_LIFT" in ids(evaluate(snap(slack), SETTINGS, NO_LATCHES))


def test_wind_at_storm_limit_stops_travel_but_lets_a_hanging_load_be_made_safe() -> None:
    """A storm can come in one gust: a load still hanging must go straight down onto a place or
    straight up clear of its neighbours (bench case 960), so the storm blocks what the wind stop
    blocks; with ``wind_stop_allows_lowering`` off, everything."""
    permits = evaluate(snap({"env.wind": 25.0}), SETTINGS, NO_LATCHES)
    assert ids(permits) == ["WIND_STORM", "WIND_STOP", "NOT_LANDED"]
    storm = permits.active[0]
    assert storm.reason == "wind 25.0 m/s >= storm limit 25.0 m/s"
    assert storm.interlock.sentence.startswith("At the storm limit nothing travels")
    assert storm.blocks == TRAVEL | {M.LOCK, M.TELESCOPE}
    assert permits.allowed(M.HOIST_UP)
    assert permits.allowed(M.HOIST_DOWN)
    strict = replace(SETTINGS, wind_stop_allows_lowering=False)
    assert evaluate(snap({"env.wind": 25.0}), strict, NO_LATCHES).blocked == ALL_MOTIONS


def test_wind_just_below_stop_limit_blocks_nothing() -> None:
    permits = evaluate(snap({"env.wind": math.nextafter(20.0, 0.0)}), SETTINGS, NO_LATCHES)
    assert ids(permits) == ["NOT_LANDED"]


def test_wind_stop_allows_lowering_and_unlocking_by_default() -> None:
    permits = evaluate(snap({"env.wind": 20.0, **LANDED}), SETTINGS, NO_LATCHES)
    assert permits.allowed(M.HOIST_DOWN)
    assert permits.allowed(M.UNLOCK)
    assert not permits.allowed(M.LOCK)
    assert not permits.allowed(M.HOIST_UP)


def test_wind_stop_blocks_all_motion_when_lowering_is_not_allowed() -> None:
    strict = replace(SETTINGS, wind_stop_allows_lowering=False)
    permits = evaluate(snap({"env.wind": 20.0}), strict, NO_LATCHES)
    assert permits.why_not(M.HOIST_DOWN)[0].interlock.id == "WIND_STOP"
    assert permits.blocked == ALL_MOTIONS
    assert INTERLOCKS["WIND_STOP"].blocks_for(strict) == ALL_MOTIONS


def test_overload_allows_lowering() -> None:
    permits = evaluate(snap({**LOCKED, "hoist.load": 50.0}), SETTINGS, NO_LATCHES)
    assert not permits.allowed(M.HOIST_UP)
    assert permits.allowed(M.HOIST_DOWN)


def test_load_exactly_at_overload_trip_still_hoists() -> None:
    permits = evaluate(snap({**LOCKED, "hoist.load": 44.0}), SETTINGS, NO_LATCHES)
    assert permits.allowed(M.HOIST_UP)


def test_unlock_refused_while_load_suspended_even_if_pins_claim_landed() -> None:
    permits = evaluate(snap({**LOCKED, **LANDED, "hoist.load": 30.0}), SETTINGS, NO_LATCHES)
    assert not permits.allowed(M.UNLOCK)
    assert permits.allowed(M.LOCK)
    assert [t.interlock.id for t in permits.why_not(M.UNLOCK)] == ["LOAD_ON_TWISTLOCKS"]


@pytest.mark.parametrize(
    ("locked", "unlocked", "hoists"),
    [
        ((1, 2, 3, 4), (), True),
        ((), (1, 2, 3, 4), True),
        ((1, 2, 3), (4,), False),
        ((1, 2, 3, 4), (4,), False),
        ((1, 2, 3), (), False),
        ((), (), False),
        ((1, 2, 3, 4), (1, 2, 3, 4), False),
    ],
    ids=["all-locked", "all-unlocked", "three-and-one", "corner-both", "corner-neither",
         "all-neither", "all-both"],
)  # fmt: skip
def test_hoist_up_only_when_all_locked_or_all_unlocked(
    locked: tuple[int, ...], unlocked: tuple[int, ...], hoists: bool
) -> None:
    changes: dict[str, Value | Quality] = {
        **{f"spreader.locked_{c}": c in locked for c in CORNERS},
        **{f"spreader.unlocked_{c}": c in unlocked for c in CORNERS},
    }
    permits = evaluate(snap(changes), SETTINGS, NO_LATCHES)
    assert permits.allowed(M.HOIST_UP) is hoists
    assert ("MIXED_LOCK" in ids(permits)) is not hoists


def test_mixed_lock_reason_names_each_corner_state() -> None:
    changes = {**LOCKED, "spreader.unlocked_1": True, "spreader.locked_4": False}
    permits = evaluate(snap(changes), SETTINGS, NO_LATCHES)
    assert permits.why_not(M.HOIST_UP)[0].reason == (
        "twistlocks neither all locked nor all unlocked: corner 1 both locked and unlocked, "
        "2 locked, 3 locked, 4 neither locked nor unlocked"
    )


def test_telescope_refused_while_a_landing_pin_is_pressed() -> None:
    permits = evaluate(snap({"spreader.landed_2": True}), SETTINGS, NO_LATCHES)
    assert permits.why_not(M.TELESCOPE)[0].reason == "corner 2 landing pin pressed"


def test_telescope_refused_while_a_corner_reports_locked_even_if_unlocked_too() -> None:
    permits = evaluate(snap({"spreader.locked_1": True}), SETTINGS, NO_LATCHES)
    assert permits.why_not(M.TELESCOPE)[0].reason == "corner 1 twistlock locked"


def test_drive_fault_lists_every_drive_at_fault_or_not_ready() -> None:
    changes = {"hoist.fault": True, "hoist.ready": False, "gantry.ready": False}
    permits = evaluate(snap(changes), SETTINGS, NO_LATCHES)
    assert permits.active[0].reason == (
        "gantry drive not ready; hoist drive fault; hoist drive not ready"
    )


def test_slack_rope_unmapped_stops_lowering_once_a_landing_pin_is_pressed() -> None:
    unmapped = {"hoist.slack_rope": Quality.MISSING}
    assert evaluate(snap(unmapped), SETTINGS, NO_LATCHES).allowed(M.HOIST_DOWN)
    permits = evaluate(snap({**unmapped, "spreader.landed_3": True}), SETTINGS, NO_LATCHES)
    assert [t.reason for t in permits.why_not(M.HOIST_DOWN)] == [
        "hoist.slack_rope not mapped and corner 3 landing pin pressed, load 0.00 t"
    ]
    hanging = {**unmapped, "spreader.landed_3": True, "hoist.load": 24.0}
    assert evaluate(snap(hanging), SETTINGS, NO_LATCHES).allowed(M.HOIST_DOWN), (
        "a box hanging on the ropes may keep the pins pressed (its roof): no slack is read off them"
    )
    assert [u.interlock for u in permits.unchecked] == ["SLACK_ROPE"]


def test_unmapped_optional_signals_are_reported_unchecked_and_do_not_block() -> None:
    optional = ("lane.clear", "lane.truck_lifted", "gantry.storm_pins_up", "hoist.slack_rope")
    permits = evaluate(snap(dict.fromkeys(optional, Quality.MISSING)), SETTINGS, NO_LATCHES)
    assert ids(permits) == ["NOT_LANDED"]
    assert [(u.interlock, u.signal, u.sentence) for u in permits.unchecked] == [
        ("LANE_NOT_CLEAR", "lane.clear",
         "lane.clear is not mapped: nothing checks the lane for people or a broken light curtain."),
        ("TRUCK_LIFTED", "lane.truck_lifted",
         "lane.truck_lifted is not mapped: a truck lifted with its container is not detected."),
        ("SLACK_ROPE", "hoist.slack_rope",
         "hoist.slack_rope is not mapped: lowering stops whenever a landing pin is pressed and the "
         "twistlocks carry no box instead."),
        ("STORM_PINS_DOWN", "gantry.storm_pins_up",
         "gantry.storm_pins_up is not mapped: gantry travel is not checked against the storm pins."),
    ]  # fmt: skip


def _needed() -> list[tuple[str, str, Quality]]:
    cases = []
    for interlock in CATALOGUE:
        for signal in interlock.needs:
            for quality in (Quality.STALE, Quality.BAD, Quality.MISSING):
                if quality is Quality.MISSING and signal == interlock.optional:
                    continue  # not mapped: unchecked or conservative, tested above
                cases.append((interlock.id, signal, quality))
    return cases


@pytest.mark.parametrize(("interlock_id", "signal", "quality"), _needed(), ids=str)
def test_needed_signal_not_good_counts_as_unsafe_and_says_so(
    interlock_id: str, signal: str, quality: Quality
) -> None:
    if interlock_id == "WIND_NO_LIFT" and signal != "env.wind":
        return  # the pins count only in a wind at the stop limit (its own test, above)
    changes: dict[str, Value | Quality] = {**SETUP.get(interlock_id, {}), signal: quality}
    if interlock_id == "SLACK_ROPE" and signal != "hoist.slack_rope":
        changes["hoist.slack_rope"] = Quality.MISSING  # the pins count only when it is unmapped
    if interlock_id == "SLACK_ROPE" and signal == "hoist.load":
        changes["spreader.landed_1"] = True  # the load counts only with a pin pressed
    permits = evaluate(snap(changes), SETTINGS, NO_LATCHES)
    if quality is Quality.BAD:  # bad data is SIGNAL_QUALITY's, never a wind storm or overload
        assert f"{signal} is bad" not in " ".join(
            t.reason for t in permits.active if t.id != "SIGNAL_QUALITY"
        )
        trip = next(t for t in permits.active if t.interlock.id == "SIGNAL_QUALITY")
        assert f"{signal} is bad" in trip.reason
        assert permits.blocked == ALL_MOTIONS
        assert not trip.latched
        return
    trip = next(t for t in permits.active if t.interlock.id == interlock_id)
    assert f"{signal} is {quality}" in trip.reason
    assert trip.fail_safe
    assert not trip.latched
    assert permits.blocked >= trip.blocks


@pytest.mark.parametrize("value", [math.nan, math.inf, None, True])
def test_good_wind_reading_without_a_usable_number_counts_as_storm(value: Value | None) -> None:
    readings = dict(snap().readings)
    readings["env.wind"] = Reading(value, Quality.GOOD, 100.0)
    permits = evaluate(replace(snap(), readings=readings), SETTINGS, NO_LATCHES)
    assert permits.blocked == ALL_MOTIONS
    assert permits.active[1].reason.startswith("env.wind has no usable value")


def test_stale_reading_reason_includes_why() -> None:
    readings = dict(snap().readings)
    readings["env.wind"] = Reading(3.0, Quality.STALE, 90.0, "no fresh value for 10.0 s")
    permits = evaluate(replace(snap(), readings=readings), SETTINGS, NO_LATCHES)
    assert permits.active[0].reason == "env.wind is stale (no fresh value for 10.0 s)"


# --- latching ------------------------------------------------------------------------------------


def test_overload_latches_until_load_set_down_and_operator_reset() -> None:
    lifted = {**LOCKED, "hoist.load": 46.0}
    tripped = evaluate(snap(lifted, time_s=10.0), SETTINGS, NO_LATCHES)
    assert tripped.latched.since("OVERLOAD") == 10.0
    # a reset while still overloaded changes nothing
    still = evaluate(snap(lifted, time_s=11.0), SETTINGS, tripped.latched, reset=True)
    assert not still.allowed(M.HOIST_UP)
    # the load set down: still latched, says why and since when
    down = {**LOCKED, **LANDED, "hoist.load": 0.0}
    held = evaluate(snap(down, time_s=20.0), SETTINGS, still.latched)
    (trip,) = held.why_not(M.HOIST_UP)
    assert trip.latched
    assert trip.cause_gone
    assert trip.reason == (
        "load 46.00 t > overload trip 44.00 t (latched; cause gone, reset to clear)"
    )
    assert held.latched.latches["OVERLOAD"].since_s == 10.0  # when: the HMI shows it as wall time
    cleared = evaluate(snap(down, time_s=21.0), SETTINGS, held.latched, reset=True)
    assert cleared.allowed(M.HOIST_UP)
    assert "OVERLOAD" not in cleared.latched


def test_wind_stop_latches_until_wind_below_stop_and_reset() -> None:
    gust = evaluate(snap({"env.wind": 20.5}), SETTINGS, NO_LATCHES)
    calm = evaluate(snap({"env.wind": 8.0}), SETTINGS, gust.latched)
    assert not calm.allowed(M.GANTRY_FWD)
    assert calm.allowed(M.HOIST_DOWN)
    assert evaluate(snap({"env.wind": 8.0}), SETTINGS, calm.latched, reset=True).allowed(
        M.GANTRY_FWD
    )


def test_estop_latches_after_the_chain_closes_again() -> None:
    opened = evaluate(snap({"plc.estop_ok": False}), SETTINGS, NO_LATCHES)
    closed = evaluate(snap(), SETTINGS, opened.latched)
    assert closed.blocked == ALL_MOTIONS
    assert closed.active[0].cause_gone
    assert evaluate(snap(), SETTINGS, closed.latched, reset=True).blocked == {M.LOCK, M.UNLOCK}


def test_reset_clears_only_the_latches_whose_cause_is_gone() -> None:
    both = evaluate(snap({"env.wind": 21.0, "lane.clear": False}), SETTINGS, NO_LATCHES)
    assert both.latched.ids == {"WIND_STOP", "LANE_NOT_CLEAR"}
    after = evaluate(snap({"env.wind": 21.0}), SETTINGS, both.latched, reset=True)
    assert after.latched.ids == {"WIND_STOP"}


def test_trip_from_a_bad_reading_holds_while_bad_but_does_not_latch() -> None:
    blind = evaluate(snap({"hoist.load": Quality.STALE}), SETTINGS, NO_LATCHES)
    assert not blind.allowed(M.HOIST_UP)
    assert blind.latched is NO_LATCHES
    assert evaluate(snap(), SETTINGS, blind.latched).allowed(M.HOIST_UP)


def test_latched_interlock_whose_signal_goes_bad_is_not_reset() -> None:
    gust = evaluate(snap({"env.wind": 21.0}), SETTINGS, NO_LATCHES)
    blind = evaluate(snap({"env.wind": Quality.BAD}), SETTINGS, gust.latched, reset=True)
    assert "WIND_STOP" in blind.latched
    (trip,) = (t for t in blind.active if t.interlock.id == "WIND_STOP")
    assert trip.latched
    assert trip.fail_safe
    assert not trip.cause_gone
    assert "env.wind bad: cause unseen" in trip.reason
    assert blind.blocked == ALL_MOTIONS  # SIGNAL_QUALITY meanwhile


def test_non_latching_interlock_clears_by_itself() -> None:
    tripped = evaluate(snap({"hoist.limit_up_ok": False}), SETTINGS, NO_LATCHES)
    assert tripped.latched is NO_LATCHES
    assert evaluate(snap(), SETTINGS, tripped.latched).allowed(M.HOIST_UP)


def test_unchanged_latches_keep_the_same_state_object() -> None:
    gust = evaluate(snap({"env.wind": 21.0}), SETTINGS, NO_LATCHES)
    again = evaluate(snap({"env.wind": 22.0}), SETTINGS, gust.latched)
    assert again.latched is gust.latched


# --- travel height and the planner's path-clear height ----------------------------------------------


def test_travel_allowed_above_the_path_clear_height_given_by_the_planner() -> None:
    low = snap({"hoist.position": 9.5})
    assert evaluate(low, SETTINGS, NO_LATCHES, travel_clear_below_m=9.0).allowed(M.TROLLEY_FWD)
    refused = evaluate(low, SETTINGS, NO_LATCHES, travel_clear_below_m=10.0)
    assert refused.why_not(M.TROLLEY_FWD)[0].reason == (
        "hoist at 9.50 m < path-clear height 10.00 m (safe travel 17.88 m)"
    )


def test_travel_at_exactly_safe_travel_height_is_allowed() -> None:
    at = snap({"hoist.position": SETTINGS.safe_travel_height_m})
    assert evaluate(at, SETTINGS, NO_LATCHES).allowed(M.GANTRY_REV)


def test_nan_path_clear_height_allows_nothing_below_safe_travel_height() -> None:
    low = snap({"hoist.position": 9.5})
    assert not evaluate(low, SETTINGS, NO_LATCHES, travel_clear_below_m=math.nan).allowed(
        M.GANTRY_FWD
    )


# --- settings ----------------------------------------------------------------------------------------


def test_settings_from_default_crane_and_site() -> None:
    assert SETTINGS.overload_trip_t == pytest.approx(44.0)
    assert (SETTINGS.wind_stop_mps, SETTINGS.wind_storm_mps) == (20.0, 25.0)
    # five high cubes, a high cube under the spreader, 0.5 m clearance
    assert SETTINGS.safe_travel_height_m == pytest.approx(6 * 2.896 + 0.5)
    assert SETTINGS.wind_stop_allows_lowering


def test_settings_from_a_lower_stack_allow_lower_travel() -> None:
    site = SiteLayout(stack=StackBlock(max_tiers=3))
    assert InterlockSettings.from_params(PARAMS, site).safe_travel_height_m == pytest.approx(
        4 * 2.896 + 0.5
    )


def test_settings_refuse_a_site_the_crane_cannot_travel_over() -> None:
    with pytest.raises(ValueError, match=r"needs the spreader at 20\.77 m, above the lift height"):
        InterlockSettings.from_params(PARAMS, SiteLayout(stack=StackBlock(max_tiers=6)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"wind_storm_mps": 20.0}, "`wind_storm_mps` (20.0 m/s) must be above `wind_stop_mps`"),
        ({"overload_trip_t": math.nan}, "`overload_trip_t` must be positive and finite, not nan"),
        ({"twistlock_load_t": 0.0}, "`twistlock_load_t` must be positive and finite, not 0.0"),
        ({"twistlock_load_t": 50.0}, "`twistlock_load_t` (50.0 t) must be below"),
        ({"safe_travel_height_m": math.inf}, "`safe_travel_height_m` must be finite, not inf"),
    ],
)
def test_settings_name_the_wrong_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        replace(SETTINGS, **changes)


# --- the catalogue -----------------------------------------------------------------------------------


def test_catalogue_ids_are_unique_upper_snake() -> None:
    all_ids = [i.id for i in CATALOGUE]
    assert len(set(all_ids)) == len(all_ids)
    assert all(re.fullmatch(r"[A-Z]+(_[A-Z]+)*", i) for i in all_ids)


def test_catalogue_sentences_are_single_sentences() -> None:
    for interlock in CATALOGUE:
        assert interlock.sentence[0].isupper(), interlock.id
        assert interlock.sentence.endswith("."), interlock.id
        assert ". " not in interlock.sentence, interlock.id


def test_latching_interlocks_say_they_need_an_operator_reset() -> None:
    for interlock in CATALOGUE:
        expected = OPERATOR_RESET if interlock.latches else SELF_CLEARING
        assert interlock.reset.startswith(expected), interlock.id
    assert {i.id for i in CATALOGUE if i.latches} == {
        "ESTOP", "WIND_STORM", "WIND_STOP", "WIND_NO_LIFT", "LANE_NOT_CLEAR", "TRUCK_LIFTED",
        "OVERLOAD",
    }  # fmt: skip


def test_catalogue_reads_only_canonical_status_signals_and_optional_ones_say_so() -> None:
    for interlock in CATALOGUE:
        for name in interlock.needs:
            assert not SIGNALS[name].is_command
        if interlock.optional is not None:
            assert interlock.optional in interlock.needs
            assert not SIGNALS[interlock.optional].required
            if interlock.if_missing:  # else a PLC without it leaves no gap to report
                assert interlock.if_missing.startswith(f"{interlock.optional} is not mapped: ")


def test_check_ignores_latches() -> None:
    cause = INTERLOCKS["WIND_STOP"].check(snap({"env.wind": 20.0}), SETTINGS)
    assert cause is not None
    assert cause.observed
    assert INTERLOCKS["WIND_STOP"].check(snap(), SETTINGS) is None


# --- the filter ----------------------------------------------------------------------------------------


def test_filter_zeroes_only_the_blocked_direction() -> None:
    permits = evaluate(snap({"hoist.limit_up_ok": False}), SETTINGS, NO_LATCHES)
    up, refusals = filter_commands(Commands(hoist_speed_ref=0.4), permits)
    assert up.hoist_speed_ref == 0.0
    (refusal,) = refusals
    assert (refusal.motion, refusal.value, refusal.ids) == (M.HOIST_UP, 0.4, ("LIMIT_HOIST_UP",))
    assert str(refusal) == "hoist+ 0.4 refused by LIMIT_HOIST_UP (hoist upper limit operated)"
    down = Commands(hoist_speed_ref=-0.4)
    assert filter_commands(down, permits) == (down, [])


def test_filter_forces_lock_unlock_and_telescope_to_their_safe_values() -> None:
    permits = evaluate(snap({**LOCKED, "hoist.load": 20.0}), SETTINGS, NO_LATCHES)
    proposed = Commands(drives_enable=True, lock=True, unlock=True, size_ref=20, reset=True)
    filtered, refusals = filter_commands(proposed, permits)
    assert filtered == Commands(drives_enable=True, reset=True)
    assert [(r.motion, r.value, r.ids) for r in refusals] == [
        (M.LOCK, True, ("NOT_LANDED",)),
        (M.UNLOCK, True, ("NOT_LANDED", "LOAD_ON_TWISTLOCKS")),
        (M.TELESCOPE, 20, ("TELESCOPE_NOT_FREE",)),
    ]


def test_filter_never_refuses_a_zero_reference() -> None:
    permits = evaluate(snap(comms_ok=False), SETTINGS, NO_LATCHES)
    proposed = Commands(drives_enable=True, gantry_speed_ref=-0.0, reset=True)
    assert filter_commands(proposed, permits) == (proposed, [])


def test_filter_refuses_a_nan_reference_when_either_direction_is_blocked() -> None:
    permits = evaluate(snap({"trolley.limit_rev_ok": False}), SETTINGS, NO_LATCHES)
    filtered, refusals = filter_commands(Commands(trolley_speed_ref=math.nan), permits)
    assert filtered.trolley_speed_ref == 0.0
    assert refusals[0].motion is M.TROLLEY_REV


def test_filter_passes_healthy_commands_unchanged_as_the_same_object() -> None:
    proposed = Commands(drives_enable=True, gantry_speed_ref=2.0, hoist_speed_ref=-1.0)
    permits = evaluate(snap(), SETTINGS, NO_LATCHES)
    filtered, refusals = filter_commands(proposed, permits)
    assert filtered is proposed
    assert refusals == []


def test_why_not_is_empty_for_an_allowed_motion() -> None:
    permits = evaluate(snap(), SETTINGS, NO_LATCHES)
    assert permits.why_not(M.HOIST_UP) == []
    assert [t.interlock.id for t in permits.why_not(M.LOCK)] == ["NOT_LANDED"]


def test_latch_state_reports_ids_and_times() -> None:
    state = evaluate(snap({"lane.truck_lifted": True}, time_s=3.5), SETTINGS, NO_LATCHES).latched
    assert state.ids == {"TRUCK_LIFTED"}
    assert state.since("TRUCK_LIFTED") == 3.5
    assert state.since("ESTOP") is None
    assert isinstance(state, LatchState)
