"""Must show: with no supervisor, commands written straight to the simulated PLC pick a container
from a truck lane and set it on the stack, and its sensors change exactly as a real PLC shows.

The move runs once per shipped profile (raw registers or nodes through the profile's codec on a
memory PLC); the tests below each check one part of the record it leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby

import pytest

from crane_ctrl.signals import CORNERS, Value
from crane_ctrl.site import CONTAINER_HEIGHT_M, SiteLayout, Slot
from simulators.simulator import CraneSimulator
from simulators.yard import ContainerSpec, YardContents
from tests.unit.simplc.driver import SCAN_S, CommandDriver, Transition, wire_for

SITE = SiteLayout()
TRUCK_X, TRUCK_Y = SITE.slot_centre(Slot.truck("T1"), 40)
TRUCK_TOP_M = SITE.lane("truck", "T1").deck_height_m + CONTAINER_HEIGHT_M
STACK_X, STACK_Y = SITE.slot_centre(Slot.stack(3, 2), 40)
STACK_TOP_M = 2 * CONTAINER_HEIGHT_M
"""The moved box lands on STACK1 (tier 1): its top is where the twistlock plane touches down."""
TRAVEL_Z_M = 8.0
"""Travel height: above STACK1 plus a hanging container plus 0.5 m clearance (5.68 m)."""
BOX_T = 25.0
ONE_SCAN = SCAN_S + 1e-6
"""The driver sees a change at the end of the scan it happened in: timings read one scan late."""

PROFILE_NAMES = ["generic-modbus", "modicon-m580-modbus", "generic-opcua", "siemens-s7-1500-opcua"]


@dataclass
class MoveRecord:
    """What one pick-and-place left behind."""

    sim: CraneSimulator
    driver: CommandDriver
    loads_t: dict[str, float] = field(default_factory=dict)
    """Load cell readings at the named moments."""
    sway_m: dict[str, tuple[float, float]] = field(default_factory=dict)
    """(gantry, trolley) sway on arrival at the named place."""
    creep_s: list[float] = field(default_factory=list)
    turn_s: list[float | None] = field(default_factory=list)
    """Lock, then unlock confirm times."""


def _pick_and_place(profile: str) -> MoveRecord:
    contents = YardContents(
        containers=(
            ContainerSpec("TRUCK1", 40, BOX_T, Slot.truck("T1")),
            ContainerSpec("STACK1", 40, 20.0, Slot.stack(3, 2, 1)),
        )
    )
    sim = CraneSimulator(contents=contents, gantry_m=TRUCK_X, trolley_m=10.0, hoist_m=5.0)
    d = CommandDriver(sim, wire_for(sim, profile), sim.plant.params)
    rec = MoveRecord(sim, d)
    d.enable()
    d.hoist_to(TRAVEL_Z_M)
    d.travel(TRUCK_X, TRUCK_Y)
    rec.sway_m["truck"] = _sway(d)
    rec.creep_s.append(d.land(TRUCK_TOP_M))
    rec.loads_t["landed on the truck box"] = float(d.status["hoist.load"])
    rec.turn_s.append(d.twistlocks(lock=True))
    d.lift_clear()
    rec.loads_t["lifted clear"] = float(d.status["hoist.load"])
    d.hoist_to(TRAVEL_Z_M)
    d.travel(STACK_X, STACK_Y)
    rec.loads_t["travelled"] = float(d.status["hoist.load"])
    rec.sway_m["stack"] = _sway(d)
    rec.creep_s.append(d.land(STACK_TOP_M))
    rec.loads_t["set down"] = float(d.status["hoist.load"])
    rec.turn_s.append(d.twistlocks(lock=False))
    d.lift_clear()
    d.hoist_to(TRAVEL_Z_M)
    rec.loads_t["hoisted clear"] = float(d.status["hoist.load"])
    return rec


def _sway(d: CommandDriver) -> tuple[float, float]:
    return float(d.status["sway.gantry"]), float(d.status["sway.trolley"])


@pytest.fixture(scope="module", params=PROFILE_NAMES)
def move(request: pytest.FixtureRequest) -> MoveRecord:
    return _pick_and_place(request.param)


def _scans(timeline: list[Transition]) -> Iterator[list[Transition]]:
    for _, changes in groupby(timeline, key=lambda t: t.time_s):
        yield list(changes)


def _token(changes: list[Transition]) -> list[str]:
    """One scan's changes in words; the four corners of one sensor kind that change together
    read as one token (``landed=True``)."""
    tokens: list[str] = []
    by_kind: dict[str, dict[int, Value]] = {}
    for t in changes:
        if t.signal.startswith("spreader.") and t.signal[-1].isdigit():
            kind, corner = t.signal.removeprefix("spreader.").rsplit("_", 1)
            by_kind.setdefault(kind, {})[int(corner)] = t.value
        else:
            tokens.append(f"{t.signal.split('.')[-1]}={t.value}")
    for kind, corners in by_kind.items():
        values = set(corners.values())
        if set(corners) == set(CORNERS) and len(values) == 1:
            tokens.insert(0, f"{kind}={values.pop()}")
        else:
            tokens[:0] = [f"{kind}_{k}={v}" for k, v in sorted(corners.items())]
    return tokens


def sensor_story(timeline: list[Transition]) -> list[str]:
    """The timeline in words, scan by scan: a corner that lags its three mates shows up as
    ``landed_2=True`` instead of ``landed=True``."""
    return [token for scan in _scans(timeline) for token in _token(scan)]


def test_sensors_change_in_the_order_a_real_plc_shows_them(move: MoveRecord) -> None:
    assert sensor_story(move.driver.timeline) == [
        # set down on the box on the truck: pins press, then the ropes pay out slack
        "landed=True",
        "slack_rope=True",
        # lock: every twistlock leaves unlocked at once, all four confirm locked a turn later
        "unlocked=False",
        "locked=True",
        # lift: the ropes take up; the box's roof keeps the pins pressed as it hangs (the
        # default spreader: landing_pins_carrying = "pressed")
        "slack_rope=False",
        # set down on the stack: the box rests, the ropes pay out slack
        "slack_rope=True",
        # unlock
        "locked=False",
        "unlocked=True",
        # hoist the empty spreader clear
        "slack_rope=False",
        "landed=False",
    ]


def test_twistlocks_turn_in_their_turn_time_and_confirm_within_the_timeout(
    move: MoveRecord,
) -> None:
    p = move.sim.plant.params
    for took in move.turn_s:
        assert took is not None
        assert took <= p.twistlock_confirm_timeout_s
        assert took == pytest.approx(p.twistlock_turn_time_s, abs=ONE_SCAN)
    left_unlocked, locked = (
        t.time_s
        for t in move.driver.timeline
        if (t.signal, t.value) in (("spreader.unlocked_1", False), ("spreader.locked_1", True))
    )
    assert locked - left_unlocked == pytest.approx(p.twistlock_turn_time_s, abs=ONE_SCAN)


def test_landing_takes_the_creep_over_the_last_half_metre(move: MoveRecord) -> None:
    p = move.sim.plant.params
    for took in move.creep_s:
        assert took == pytest.approx(p.creep_distance_m / p.creep_speed_mps, abs=ONE_SCAN)


def test_load_cell_reads_the_box_mass_while_it_hangs_and_zero_while_landed(
    move: MoveRecord,
) -> None:
    resolution = 0.1  # the Modicon profile carries the load in 0.1 t
    assert move.loads_t == pytest.approx(
        {
            "landed on the truck box": 0.0,
            "lifted clear": BOX_T,
            "travelled": BOX_T,
            "set down": 0.0,
            "hoisted clear": 0.0,
        },
        abs=resolution,
    )


def test_the_box_arrives_without_sway(move: MoveRecord) -> None:
    acceptance = move.sim.plant.params.sway_acceptance_m
    for place, (gantry, trolley) in move.sway_m.items():
        assert abs(gantry) < acceptance, place
        assert abs(trolley) < acceptance, place


def test_the_box_ends_on_the_stack_and_nothing_was_damaged(move: MoveRecord) -> None:
    yard = move.sim.plant.yard
    assert yard.containers["TRUCK1"].location == Slot.stack(3, 2, 2)
    assert yard.containers["TRUCK1"].support is yard.containers["STACK1"]
    assert yard.containers["STACK1"].location == Slot.stack(3, 2, 1)
    assert move.sim.model_faults == ()
    assert not move.driver.status["lane.truck_lifted"]
    assert move.driver.status["spreader.size"] == 40
    assert all(move.driver.corners("unlocked"))
