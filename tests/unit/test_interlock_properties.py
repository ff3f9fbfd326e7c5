"""What the interlock filter never lets through, over random snapshots and commands (hypothesis).

Each snapshot starts from a healthy crane and then draws: the spreader's lock and landing state,
wind, load and hoist height around their thresholds, a few flipped flags, a few signals gone
stale, bad or missing, the odd good reading with no usable number, comms, latches, a reset and
a planner's path-clear height. The oracles below read the raw readings themselves: they share
no code with the interlocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from random import Random
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.evaluate import (
    CATALOGUE,
    InterlockSettings,
    Latch,
    LatchState,
    Motion,
    Permits,
    Refusal,
    evaluate,
    filter_commands,
)
from crane_ctrl.interlocks.invariants import all_landed, is_false, is_true, lock_state_clean, number
from crane_ctrl.signals import CORNERS, Value
from crane_ctrl.snapshot import Quality, Reading, Snapshot
from tests.unit.test_interlocks import HEALTHY

SETTINGS = InterlockSettings.from_params(CraneParams())
LIMITS = (
    ("gantry", "gantry.limit_fwd_ok", "gantry.limit_rev_ok"),
    ("trolley", "trolley.limit_fwd_ok", "trolley.limit_rev_ok"),
    ("hoist", "hoist.limit_up_ok", "hoist.limit_down_ok"),
)
BOOLS = sorted(n for n, v in HEALTHY.items() if isinstance(v, bool))
LATCHING = sorted(i.id for i in CATALOGUE if i.latches)
EXAMPLES = settings(max_examples=100, deadline=None)


@dataclass(frozen=True)
class Case:
    snapshot: Snapshot
    settings: InterlockSettings
    latched: LatchState
    reset: bool
    travel_clear_below_m: float | None
    commands: Commands

    def permits(self) -> Permits:
        return evaluate(
            self.snapshot,
            self.settings,
            self.latched,
            reset=self.reset,
            travel_clear_below_m=self.travel_clear_below_m,
        )

    def filtered(self) -> tuple[Commands, list[Refusal]]:
        return filter_commands(self.commands, self.permits())


# --- strategies ----------------------------------------------------------------------------------


def _around(*edges: float, low: float, high: float) -> st.SearchStrategy[float]:
    near = [
        x for e in edges for x in (e, math.nextafter(e, -math.inf), math.nextafter(e, math.inf))
    ]
    return st.one_of(st.floats(low, high), st.sampled_from(near))


def _corners(what: str, mask: int) -> dict[str, bool]:
    return {f"spreader.{what}_{c}": bool(mask >> (c - 1) & 1) for c in CORNERS}


_ALL_OR_NONE = st.sampled_from([0b1111, 0])
_LANDED = _ALL_OR_NONE | st.integers(0, 0b1111)
_LOCKS = st.sampled_from([(0b1111, 0), (0, 0b1111)]) | st.tuples(
    st.integers(0, 0b1111), st.integers(0, 0b1111)
)
_NOT_GOOD = st.sampled_from([Quality.STALE, Quality.BAD, Quality.MISSING])
_WIND = st.floats(0, SETTINGS.wind_stop_mps, exclude_max=True) | _around(
    SETTINGS.wind_stop_mps, SETTINGS.wind_storm_mps, low=0, high=40
)
_LOAD = _around(SETTINGS.overload_trip_t, SETTINGS.twistlock_load_t, low=-12, high=70)
_HEIGHT = st.one_of(
    _around(SETTINGS.safe_travel_height_m, low=-1, high=19),
    st.floats(SETTINGS.safe_travel_height_m, 18.0),
)
_FLIPS: st.SearchStrategy[list[str]] = st.just([]) | st.lists(st.sampled_from(BOOLS), max_size=4)
_SPOILED: st.SearchStrategy[list[tuple[str, Quality]]] = st.just([]) | st.lists(
    st.tuples(st.sampled_from(sorted(HEALTHY)), _NOT_GOOD), max_size=4
)
_UNUSABLE = st.none() | st.tuples(
    st.sampled_from(["env.wind", "hoist.load", "hoist.position"]),
    st.sampled_from([math.nan, math.inf, -math.inf, None]),
)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    values: dict[str, Value | None] = dict(HEALTHY)
    locked, unlocked = draw(_LOCKS)
    values.update(_corners("locked", locked) | _corners("unlocked", unlocked))
    values.update(_corners("landed", draw(_LANDED)))
    values["env.wind"] = draw(_WIND)
    values["hoist.load"] = draw(_LOAD)
    values["hoist.position"] = draw(_HEIGHT)
    for name in draw(_FLIPS):
        values[name] = not values[name]
    qualities = dict.fromkeys(values, Quality.GOOD)
    for name, quality in draw(_SPOILED):
        qualities[name] = quality
    unusable = draw(_UNUSABLE)
    if unusable is not None:
        values[unusable[0]] = unusable[1]
    readings = {
        name: Reading(None if q is Quality.MISSING else values[name], q, 0.0)
        for name, q in qualities.items()
    }
    comms_ok = draw(st.sampled_from([True, True, True, False]))
    return Snapshot(draw(st.floats(0, 1e6)), MappingProxyType(readings), comms_ok, "", scan=1)


_SPEED = st.just(0.0) | st.floats(-3.0, 3.0)
commands = st.builds(
    Commands,
    drives_enable=st.booleans(),
    gantry_speed_ref=_SPEED,
    trolley_speed_ref=_SPEED,
    hoist_speed_ref=_SPEED,
    lock=st.booleans(),
    unlock=st.booleans(),
    size_ref=st.none() | st.sampled_from([20, 40, 45]),
    reset=st.booleans(),
)
latch_states = (st.just(frozenset()) | st.frozensets(st.sampled_from(LATCHING))).map(
    lambda ids: LatchState(MappingProxyType({i: Latch(0.0, "earlier trip") for i in ids}))
)
cases = st.builds(
    Case,
    snapshot=snapshots(),
    settings=st.booleans().map(lambda b: replace(SETTINGS, wind_stop_allows_lowering=b)),
    latched=latch_states,
    reset=st.booleans(),
    travel_clear_below_m=st.none() | st.floats(-1, 20),
    commands=commands,
)


# --- oracles: straight from the rules, on the raw readings (is_true, all_landed and the like
# from crane_ctrl.interlocks.invariants, which shares no code with the interlocks) ----------------------------


def any_motion(c: Commands) -> bool:
    return any(c.speed(a) != 0.0 for a in AXES) or c.lock or c.unlock or c.size_ref is not None


# --- the properties ----------------------------------------------------------------------------------


@EXAMPLES
@given(cases)
def test_lock_or_unlock_never_passes_unless_all_four_corners_landed(case: Case) -> None:
    out, _ = case.filtered()
    if not all_landed(case.snapshot):
        assert not out.lock
        assert not out.unlock


@EXAMPLES
@given(cases)
def test_hoist_up_never_passes_with_a_mixed_or_unknown_lock_state(case: Case) -> None:
    out, _ = case.filtered()
    if not lock_state_clean(case.snapshot):
        assert out.hoist_speed_ref <= 0.0


@EXAMPLES
@given(cases)
def test_hoist_up_never_passes_over_the_overload_trip_or_with_the_load_unknown(case: Case) -> None:
    out, _ = case.filtered()
    load = number(case.snapshot, "hoist.load")
    if load is None or load > SETTINGS.overload_trip_t:
        assert out.hoist_speed_ref <= 0.0


@EXAMPLES
@given(cases)
def test_nothing_moves_with_estop_open_comms_fault_not_remote_or_unknown_wind(case: Case) -> None:
    """(The storm limit blocks what the wind stop blocks: see the wind-stop property.)"""
    out, _ = case.filtered()
    s = case.snapshot
    wind = number(s, "env.wind")
    stopped = (
        not s.comms_ok
        or not is_true(s, "plc.estop_ok")
        or not is_true(s, "plc.remote")
        or not is_false(s, "plc.watchdog_trip")
        or wind is None
    )
    if stopped:
        assert not any_motion(out)


@EXAMPLES
@given(cases)
def test_nothing_moves_with_a_drive_fault_or_a_drive_not_ready(case: Case) -> None:
    out, _ = case.filtered()
    s = case.snapshot
    if not all(is_false(s, f"{a}.fault") and is_true(s, f"{a}.ready") for a in AXES):
        assert not any_motion(out)


@EXAMPLES
@given(cases)
def test_unlock_never_passes_while_the_load_may_hang_on_the_twistlocks(case: Case) -> None:
    out, _ = case.filtered()
    load = number(case.snapshot, "hoist.load")
    if load is None or load >= SETTINGS.twistlock_load_t:
        assert not out.unlock


@EXAMPLES
@given(cases)
def test_at_the_wind_stop_limit_only_lowering_and_unlocking_may_pass(case: Case) -> None:
    """... and raising a load that hangs on the ropes straight up, clear of its neighbours."""
    out, _ = case.filtered()
    s = case.snapshot
    wind = number(s, "env.wind")
    if wind is None or wind >= SETTINGS.wind_stop_mps:
        assert out.gantry_speed_ref == 0.0
        assert out.trolley_speed_ref == 0.0
        if out.hoist_speed_ref > 0.0:  # straight up clear: only a load the ropes carry
            assert all(is_false(s, f"spreader.landed_{c}") for c in CORNERS) or (
                (number(s, "hoist.load") or 0.0) >= SETTINGS.twistlock_load_t
                and is_false(s, "hoist.slack_rope")
            )
        assert not out.lock
        assert out.size_ref is None
        if not case.settings.wind_stop_allows_lowering:
            assert not any_motion(out)


@EXAMPLES
@given(cases)
def test_no_motion_toward_an_operated_or_unknown_limit(case: Case) -> None:
    out, _ = case.filtered()
    for axis, forward_ok, reverse_ok in LIMITS:
        if not is_true(case.snapshot, forward_ok):
            assert out.speed(axis) <= 0.0
        if not is_true(case.snapshot, reverse_ok):
            assert out.speed(axis) >= 0.0


@EXAMPLES
@given(cases)
def test_filtering_is_idempotent(case: Case) -> None:
    permits = case.permits()
    once, _ = filter_commands(case.commands, permits)
    assert filter_commands(once, permits) == (once, [])


@EXAMPLES
@given(cases)
def test_filtering_only_takes_away(case: Case) -> None:
    out, refusals = case.filtered()
    before = case.commands
    for axis in AXES:
        assert out.speed(axis) in (before.speed(axis), 0.0)
        assert abs(out.speed(axis)) <= abs(before.speed(axis))
    assert out.lock in (before.lock, False)
    assert out.unlock in (before.unlock, False)
    assert out.size_ref in (before.size_ref, None)
    assert (out.drives_enable, out.reset) == (before.drives_enable, before.reset)
    assert len(refusals) == sum(
        [*(out.speed(a) != before.speed(a) for a in AXES), out.lock != before.lock,
         out.unlock != before.unlock, out.size_ref != before.size_ref]
    )  # fmt: skip


@EXAMPLES
@given(cases)
def test_every_refusal_names_the_active_trips_that_block_it(case: Case) -> None:
    permits = case.permits()
    _, refusals = filter_commands(case.commands, permits)
    for refusal in refusals:
        assert refusal.trips
        assert all(refusal.motion in t.blocks and t in permits.active for t in refusal.trips)


@EXAMPLES
@given(cases)
def test_latches_hold_until_a_reset(case: Case) -> None:
    permits = case.permits()
    if not case.reset:
        assert permits.latched.ids >= case.latched.ids
        assert case.latched.ids <= {t.interlock.id for t in permits.active}


@st.composite
def healthy_snapshots(draw: st.DrawFn) -> Snapshot:
    values = dict(HEALTHY)
    values["env.wind"] = draw(st.floats(0.0, SETTINGS.wind_stop_mps, exclude_max=True))
    values["hoist.load"] = draw(st.floats(-2.0, SETTINGS.twistlock_load_t, exclude_max=True))
    values["hoist.position"] = draw(st.floats(SETTINGS.safe_travel_height_m, 18.0))
    values["gantry.position"] = draw(st.floats(0.0, 300.0))
    values["trolley.position"] = draw(st.floats(0.0, 38.0))
    readings = {n: Reading(v, Quality.GOOD, 1.0) for n, v in values.items()}
    return Snapshot(1.0, MappingProxyType(readings), True, "", scan=1)


@EXAMPLES
@given(healthy_snapshots(), commands.map(lambda c: replace(c, lock=False, unlock=False)))
def test_healthy_crane_passes_every_command_but_turning_twistlocks_in_the_air(
    snapshot: Snapshot, proposed: Commands
) -> None:
    permits = evaluate(snapshot, SETTINGS, LatchState())
    assert [t.interlock.id for t in permits.active] == ["NOT_LANDED"]
    assert filter_commands(proposed, permits) == (proposed, [])


def _passes(motion: Motion, case: Case) -> bool:
    out, _ = case.filtered()
    if motion is Motion.LOCK:
        return out.lock
    if motion is Motion.UNLOCK:
        return out.unlock
    if motion is Motion.TELESCOPE:
        return out.size_ref is not None
    axis = motion.value[:-1]
    return out.speed(axis) > 0.0 if motion.value.endswith("+") else out.speed(axis) < 0.0


@pytest.mark.parametrize(
    "motion", [Motion.HOIST_UP, Motion.LOCK, Motion.UNLOCK, Motion.TELESCOPE, Motion.TROLLEY_REV]
)
def test_random_cases_reach_states_where_guarded_motions_pass(motion: Motion) -> None:
    """The properties above are not vacuous: the generator does reach permissive states."""
    # find() stops at the first hit; the budget only matters when the generator drifts
    quick = settings(
        max_examples=30_000,
        deadline=None,
        phases=[Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    find(cases, lambda c: _passes(motion, c), settings=quick, random=Random(4))
