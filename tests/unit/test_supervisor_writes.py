"""Writes that fail while the link is up: the ``WRITE_FAILED`` alarm and the journal, lock-step.

A write can fail without the link going down: a command that does not fit its PLC place (here a
Modicon-style profile whose int16 gantry reference is scaled so finely that 2.0 m/s, within the
rated speed, does not fit) or a PLC that refuses the write (a Modbus exception reply while reads
are answered). An unencodable command is written as its safe value, and everything else of the
scan still reaches the PLC (the zero references above all); a refused write reaches nothing, and
the PLC's watchdog will stop the crane. The supervisor alarms it after an on-delay and journals
when it starts and when it ends. References above the rated speed never reach the codec: they
are limited first, and the limit is journaled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from crane_ctrl.commands import Commands
from crane_ctrl.link_report import LinkState
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.profile.opcua_map import NodeRef, NodeWrite
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.testing import LockStep
from simulators.memory import ExceptionReply, MemoryPlc
from tests.profile_texts import PROFILES, with_signal
from tests.unit.test_supervisor_lockstep import (
    TROLLEY_MPS,
    EventList,
    annunciated,
    make_rig,
    moving_trolley,
    ready,
    shipped,
    written,
)

UNENCODABLE_MPS = 2.0
"""Within the rated 2.2 m/s, but raw 40000 > 32767 at 0.00005 m/s a unit in FINE_MODICON."""


def fine_modicon() -> Profile:
    """The Modicon profile with a gantry reference too finely scaled for its int16 place."""
    text = (PROFILES / "modicon-m580-modbus.toml").read_text(encoding="utf-8")
    text = with_signal(
        text,
        "gantry.speed_ref",
        '{ table = "holding", address = 102, type = "int16", scale = 0.00005 }',
    )
    return parse_profile(text, "fine-modicon.toml")


def profile_of(cause: Cause) -> Profile:
    return fine_modicon() if cause.profile == "fine-modicon" else shipped(cause.profile)


ON_DELAY_S = 0.2
"""``WRITE_FAILED`` waits this long: one failed write is not an alarm."""
WRITE_KEYS = {"state", "error"}


class RefusingWrites:
    """The rig's PLC, answering every write with Modbus exception 4 while ``refusing``."""

    def __init__(self, plc: MemoryPlc) -> None:
        self.plc = plc
        self.refusing = False

    def read(self, table: str, start: int, count: int) -> list[int]:
        return self.plc.read(table, start, count)

    def write(self, table: str, start: int, values: Sequence[int]) -> None:
        if self.refusing:
            raise ExceptionReply(4)
        self.plc.write(table, start, values)

    def read_nodes(self, refs: Sequence[NodeRef]) -> list[object]:
        return self.plc.read_nodes(refs)

    def write_nodes(self, writes: Sequence[NodeWrite]) -> None:
        self.plc.write_nodes(writes)


@dataclass(frozen=True)
class Cause:
    """One way to make the writes fail with the link up, and to end it."""

    profile: str
    error: str

    def start(self, rig: LockStep) -> None:
        if self.profile == "fine-modicon":
            rig.supervisor.propose(Commands(drives_enable=True, gantry_speed_ref=UNENCODABLE_MPS))
        else:
            refusing = RefusingWrites(rig.plc)
            refusing.refusing = True
            rig.link.plc = refusing

    def stop(self, rig: LockStep) -> None:
        if self.profile == "fine-modicon":
            rig.supervisor.propose(Commands(drives_enable=True))
        else:
            rig.link.plc = rig.plc


UNENCODABLE = Cause(
    "fine-modicon",
    "gantry.speed_ref: gantry.speed_ref = 2.0 is raw 40000, outside -32768..32767 of holding 102; "
    "wrote 0.0 instead",
)
REFUSED = Cause("generic-modbus", "link generic-modbus (memory): Modbus exception 4")
causes = pytest.mark.parametrize("cause", [UNENCODABLE, REFUSED], ids=["unencodable", "refused"])


def state(view: SupervisorView, alarm_id: str) -> str:
    return str(next(a.state for a in view.alarms if a.id == alarm_id))


async def test_unencodable_command_is_written_safe_and_the_rest_of_the_scan_goes_through() -> None:
    async with make_rig(fine_modicon()) as rig:
        await ready(rig)
        beat = written(rig, "sup.heartbeat")
        UNENCODABLE.start(rig)
        view = await rig.scan()
        assert view.commands.gantry_speed_ref == UNENCODABLE_MPS
        assert view.write is not None
        assert not view.write.ok
        assert view.write.error == UNENCODABLE.error
        assert written(rig, "sup.heartbeat") != beat  # the rest of the scan reached the PLC
        assert written(rig, "gantry.speed_ref") == 0.0  # the safe value, not the bad one
        assert written(rig, "drives.enable") is True
        assert view.link.state is LinkState.UP  # an encode error is not a link failure
        assert view.snapshot.comms_ok


async def test_a_zero_reference_reaches_the_plc_although_another_command_cannot_be_encoded() -> (
    None
):
    """The hazard this guards: one bad value must not hold back a stop on another axis."""
    async with make_rig(fine_modicon()) as rig:
        await moving_trolley(rig)
        both = Commands(
            drives_enable=True, trolley_speed_ref=TROLLEY_MPS, gantry_speed_ref=UNENCODABLE_MPS
        )
        rig.supervisor.propose(both)
        await rig.scan()
        rig.sim.faults.inject("force", signal="trolley.limit_fwd_ok", value=False)
        view = await rig.scan(2)
        assert view.commands.trolley_speed_ref == 0.0
        assert written(rig, "trolley.speed_ref") == 0.0
        assert not rig.sim.plc.watchdog_trip


async def test_reference_above_rated_speed_is_limited_and_journaled_once() -> None:
    sink = EventList()
    async with make_rig(shipped("modicon-m580-modbus"), journal=sink) as rig:
        await ready(rig)
        rig.supervisor.propose(Commands(drives_enable=True, gantry_speed_ref=7.5))
        view = await rig.scan(3)
        assert view.commands.gantry_speed_ref == pytest.approx(2.2)
        assert view.write is not None
        assert view.write.ok
        assert written(rig, "gantry.speed_ref") == pytest.approx(2.2, abs=0.001)
        assert sink.of("refusal", "gantry.speed_ref") == [
            {"reason": "gantry.speed_ref 7.5 m/s limited to 2.2 m/s (rated 2.2)"}
        ]


@causes
async def test_writes_failing_with_the_link_up_alarm_after_the_on_delay_and_are_journalled_once(
    cause: Cause,
) -> None:
    sink = EventList()
    async with make_rig(profile_of(cause), journal=sink) as rig:
        await ready(rig)
        cause.start(rig)
        view = await rig.scan()
        started = view.snapshot.time_s
        assert view.write is not None
        assert view.write.error == cause.error
        assert sink.of("link", "write") == [{"state": "failing", "error": cause.error}]
        assert "WRITE_FAILED" not in annunciated(view)
        view = await rig.until(
            lambda v: "WRITE_FAILED" in annunciated(v), within_s=ON_DELAY_S + 2 * rig.period_s
        )
        assert view.snapshot.time_s - started >= ON_DELAY_S - 1e-9
        assert annunciated(view) == ["WRITE_FAILED"]
        assert view.link.state is LinkState.UP  # reads are answered: the link stays up
        assert view.snapshot.comms_ok
        assert sink.of("link", "write") == [{"state": "failing", "error": cause.error}]
        (activated,) = [v for v in sink.of("alarm", "WRITE_FAILED") if v["event"] == "activated"]
        assert activated["priority"] == "high"
        cause.stop(rig)
        view = await rig.scan()
        assert view.write is not None
        assert view.write.ok
        assert state(view, "WRITE_FAILED") == "rtn_unack"
        assert sink.of("link", "write") == [
            {"state": "failing", "error": cause.error},
            {"state": "recovered", "error": ""},
        ]


async def test_one_failed_write_journals_start_and_end_but_raises_no_alarm() -> None:
    sink = EventList()
    async with make_rig(fine_modicon(), journal=sink) as rig:
        await ready(rig)
        UNENCODABLE.start(rig)
        await rig.scan()
        UNENCODABLE.stop(rig)
        view = await rig.run_for(1.0)
        assert state(view, "WRITE_FAILED") == "normal"
        assert sink.of("alarm", "WRITE_FAILED") == []
        assert [v["state"] for v in sink.of("link", "write")] == ["failing", "recovered"]
        assert all(set(v) == WRITE_KEYS for v in sink.of("link", "write"))


async def test_refused_writes_leave_the_plc_watchdog_to_stop_the_crane() -> None:
    async with make_rig(shipped("generic-modbus")) as rig:
        await moving_trolley(rig)
        REFUSED.start(rig)
        watchdog_s = rig.sim.plc.params.watchdog_s
        view = await rig.run_for(watchdog_s + 1.5)
        assert view.link.state is LinkState.UP
        assert rig.sim.plc.watchdog_trip
        assert rig.sim.plant.trolley.speed_mps == 0.0
        assert {"WRITE_FAILED", "WATCHDOG_TRIP"} <= set(annunciated(view))
        assert view.first_out == "WATCHDOG_TRIP"
        REFUSED.stop(rig)
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        rig.supervisor.request_reset()
        await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.1, within_s=3.0)
