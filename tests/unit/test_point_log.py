"""The profile's points in the journal: one ``point`` event per change worth recording.

Bools and codes (points with ``texts``) on every change; numbers only past their deadband, and
not at all without one (a noisy analog point never floods the journal); ``journal = false``
never. A point that turns bad is recorded once with the reason; stale points are not recorded
(the comms events say so). The pure log first, then through the supervisor in lock-step with the
simulator serving the shipped ``generic-modbus-sway-angle`` profile.
"""

from __future__ import annotations

from types import MappingProxyType

from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.runtime.point_log import PointLog
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Quality, Reading
from crane_ctrl.testing import LockStep
from tests.profile_texts import GENERIC_MODBUS, PROFILES
from tests.unit.test_supervisor_lockstep import EventList

POINTS = """
[points]
brake_open     = { table = "input", address = 24, type = "uint16", bit = 0 }
refusal_reason = { table = "input", address = 24, type = "uint16", bit = 8, width = 4, texts = { 0 = "none", 3 = "wind too high" } }
rope_length_m  = { table = "input", address = 25, type = "uint16", scale = 0.001, unit = "m", deadband = 0.5 }
heartbeat_age  = { table = "input", address = 26, type = "uint16", unit = "ms" }
control_on     = { table = "input", address = 24, type = "uint16", bit = 1, journal = false }
"""


def log() -> PointLog:
    return PointLog(parse_profile(GENERIC_MODBUS + POINTS, "crane.toml"))


def good(**values: Value) -> MappingProxyType[str, Reading]:
    return MappingProxyType({n: Reading(v, Quality.GOOD, 0.0) for n, v in values.items()})


def journaled(points: PointLog, **values: Value) -> list[tuple[str, object, object]]:
    """(name, value, previous) of what ``points`` journals for good ``values``."""
    return [
        (c.name, c.values["value"], c.values["previous"]) for c in points.changes(good(**values))
    ]


START = {"brake_open": False, "refusal_reason": 0, "rope_length_m": 10.0,
         "heartbeat_age": 12, "control_on": True}  # fmt: skip


def test_only_bools_codes_and_numbers_with_a_deadband_are_watched() -> None:
    assert log().watched == {"brake_open", "refusal_reason", "rope_length_m"}


def test_the_first_value_of_each_watched_point_is_journaled_once() -> None:
    points = log()
    assert journaled(points, **START) == [
        ("brake_open", False, None), ("refusal_reason", 0, None), ("rope_length_m", 10.0, None),
    ]  # fmt: skip
    assert journaled(points, **START) == []


def test_a_bool_is_journaled_on_every_change() -> None:
    points = log()
    points.changes(good(**START))
    for flag in (True, False, True):
        assert journaled(points, **{**START, "brake_open": flag}) == [
            ("brake_open", flag, not flag)
        ]
    assert journaled(points, **{**START, "brake_open": True, "control_on": False}) == []


def test_a_code_is_journaled_with_its_text() -> None:
    points = log()
    points.changes(good(**START))
    (change,) = points.changes(good(**{**START, "refusal_reason": 3}))
    assert change.name == "refusal_reason"
    assert change.values == {
        "value": 3, "previous": 0, "text": "3 (wind too high)", "quality": "good", "reason": "",
    }  # fmt: skip


def test_a_number_is_journaled_only_past_its_deadband_from_the_value_journaled_last() -> None:
    points = log()
    points.changes(good(**START))
    assert journaled(points, **{**START, "rope_length_m": 10.4}) == []
    assert journaled(points, **{**START, "rope_length_m": 10.6}) == [("rope_length_m", 10.6, 10.0)]
    assert journaled(points, **{**START, "rope_length_m": 10.2}) == []  # 0.4 from 10.6
    assert journaled(points, **{**START, "rope_length_m": 9.9}) == [("rope_length_m", 9.9, 10.6)]
    for age in range(0, 5000, 7):  # a noisy number without a deadband: never journaled
        assert journaled(points, **{**START, "rope_length_m": 9.9, "heartbeat_age": age}) == []


def test_a_bad_point_is_journaled_once_with_the_reason_then_its_next_good_value() -> None:
    points = log()
    points.changes(good(**START))
    why = "brake_open unreadable: read input 24..26: exception 2 (illegal data address)"
    bad = MappingProxyType({**good(**START), "brake_open": Reading(False, Quality.BAD, 0.0, why)})
    (change,) = points.changes(bad)
    assert change.values == {
        "value": None, "previous": False, "text": "", "quality": "bad", "reason": why,
    }  # fmt: skip
    assert points.changes(bad) == []
    assert journaled(points, **START) == [("brake_open", False, False)]


def test_stale_points_are_not_journaled() -> None:
    points = log()
    points.changes(good(**START))
    stale = MappingProxyType(
        {n: Reading(v, Quality.STALE, 0.0, "not read: link down") for n, v in START.items()}
    )
    assert points.changes(stale) == []
    assert journaled(points, **START) == []


async def test_the_supervisor_journals_a_point_that_changes_in_the_simulator() -> None:
    sink = EventList()
    profile = load_profile(PROFILES / "generic-modbus-sway-angle.toml")
    async with LockStep(profile, journal=sink) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        await rig.scan(20)
        assert [v["value"] for v in sink.of("point", "restart_inhibit")] == [False]
        assert sink.of("point", "rope_length_m") == []  # a number without a deadband
        rig.sim.faults.inject("force_raw", signal="restart_inhibit", raw=1)
        view = await rig.scan(3)
        assert view.snapshot.point("restart_inhibit").value is True
        # a point is no signal: what the interlocks ask of the snapshot never finds it
        assert "restart_inhibit" not in view.snapshot.readings
        assert view.snapshot.reading("restart_inhibit").quality is Quality.MISSING
        rig.sim.faults.clear("force_raw:restart_inhibit")
        await rig.scan(3)
    assert [(v["value"], v["previous"]) for v in sink.of("point", "restart_inhibit")] == [
        (False, None), (True, False), (False, True),
    ]  # fmt: skip
