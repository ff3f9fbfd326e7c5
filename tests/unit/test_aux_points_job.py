"""The shipped ``generic-modbus-sway-angle`` profile, with its auxiliary points and its own alarm,
runs a whole job in lock-step: its points read what the simulator serves (the PLC's status word
as 0, the rope length from the plant), its alarm never raises, and the journal holds each bool
and code point once (its first value), never the rope length (a number without a deadband)."""

from __future__ import annotations

from crane_ctrl.operation.jobs import JobState
from crane_ctrl.site import Slot
from crane_ctrl.snapshot import Quality
from crane_ctrl.testing import StationRig
from tests.profile_texts import PROFILES
from tests.unit.test_supervisor_lockstep import EventList

SWAY_ANGLE = PROFILES / "generic-modbus-sway-angle.toml"


async def test_a_full_job_with_the_aux_points_profile_raises_no_profile_alarm() -> None:
    sink = EventList()
    async with StationRig(SWAY_ANGLE, journal=sink) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
        await rig.start_automatic()
        view = await rig.until(
            lambda v: bool(v.finished) and v.finished[-1].state is JobState.DONE,
            within_s=400, what="the job done",
        )  # fmt: skip
    points = view.supervisor.snapshot.points
    assert {n: r.quality for n, r in points.items()} == dict.fromkeys(points, Quality.GOOD)
    assert points["refusal_reason"].value == 0
    assert not points["plc_wind_trip"].value
    assert sink.of("alarm", "PLC_WIND_TRIP") == []
    journaled = [(s, v["value"]) for k, s, v in sink.events if k == "point"]
    assert journaled == [
        ("plc_wind_warning", False), ("plc_wind_trip", False), ("restart_inhibit", False),
        ("refusal_reason", 0),
    ]  # fmt: skip
