"""Alarms and the journal through the supervisor, in lock-step with the simulated crane.

Operator alarm actions (acknowledge, shelve, unshelve, out of service) are taken on the
supervisor and recorded as ``operator`` and ``alarm`` events; each scan's transitions (link,
comms, trips, refusals, alarms) go to the journal once, with stable keys; a comms loss that clears
the proposal is a ``system`` event. The drive fault alarm is raised by a drive's fault bit only,
not by the drives' "not ready" (which the interlock still blocks on). A list stands in for the
journal.
"""

from __future__ import annotations

import pytest

from crane_ctrl.alarms.engine import AlarmError
from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.testing import LockStep
from simulators.simulator import CraneSimulator
from tests.unit.test_supervisor_lockstep import (
    TRAVEL_HEIGHT_M,
    TROLLEY_MPS,
    EventList,
    annunciated,
    fault_after_scan,
    make_rig,
    moving_trolley,
    ready,
    refused,
    shipped,
    trips,
    until_link_down,
    written,
)

ALARM_KEYS = {
    "time", "event", "from_state", "to_state", "priority", "user", "message", "first_out",
    "shelved_until",
}  # fmt: skip
"""The values of every ``alarm`` event (its id is the subject)."""
LINK_KEYS = {"state", "error", "reconnects"}
WRITE_KEYS = {"state", "error"}
COMMS_KEYS = {"ok", "reason"}
REFUSAL_KEYS = {"value", "interlocks", "reasons"}
REASONS = {
    "ESTOP": "emergency-stop chain open",
    "DRIVE_FAULT": "gantry drive not ready; trolley drive not ready; hoist drive not ready",
}
"""Why each interlock refuses motion after an e-stop (the PLC takes the drives' ready)."""
GRACE_S = 5.0
"""The default startup grace."""


def state(view: SupervisorView, alarm_id: str) -> str:
    return str(next(a.state for a in view.alarms if a.id == alarm_id))


def rig_with(sink: EventList, sim: CraneSimulator | None = None) -> LockStep:
    """A generic Modbus rig that records to ``sink``."""
    return make_rig(shipped("generic-modbus"), sim, journal=sink)


async def tripped_by_estop(rig: LockStep) -> SupervisorView:
    """A moving crane, then the e-stop: ESTOP and PLC_FAULT_CODE annunciated, unacknowledged."""
    await moving_trolley(rig)
    view = await fault_after_scan(rig, "estop")
    assert state(view, "ESTOP") == "unack"
    assert state(view, "PLC_FAULT_CODE") == "unack"
    return view


# --- startup and the link ----------------------------------------------------------------------


async def test_no_alarms_while_still_connecting_at_start_then_link_down_after_the_grace() -> None:
    sink = EventList()
    sim = CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)
    sim.faults.inject("link_freeze")  # the PLC never answers
    async with rig_with(sink, sim=sim) as rig:
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        view = await rig.until(
            lambda v: v.snapshot.time_s >= GRACE_S - 2 * rig.period_s, within_s=GRACE_S
        )
        assert view.annunciated == ()
        assert all(a.state == "normal" for a in view.alarms)
        assert sink.of("alarm") == []
        assert "COMMS_FAULT" in trips(view)  # blocked all the same
        assert view.commands.trolley_speed_ref == 0.0
        view = await rig.until(lambda v: bool(v.annunciated), within_s=1.0)
        assert GRACE_S - 1e-6 <= view.snapshot.time_s <= GRACE_S + rig.period_s + 1e-6
        assert annunciated(view) == ["LINK_DOWN"]
        assert view.first_out == "LINK_DOWN"
        assert state(view, "COMMS_FAULT") == "suppressed"


async def test_plc_heartbeat_that_never_changes_raises_comms_fault_after_the_grace() -> None:
    sim = CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)
    sim.faults.inject("stuck", signal="plc.heartbeat")
    async with make_rig(shipped("generic-opcua"), sim) as rig:
        view = await rig.run_for(GRACE_S - 0.5)
        assert view.annunciated == ()
        view = await rig.run_for(1.0)
        assert view.snapshot.comms_reason == "waiting for the PLC heartbeat to change"
        assert annunciated(view) == ["COMMS_FAULT"]  # every other interlock alarm suppressed
        assert view.first_out == "COMMS_FAULT"


async def test_link_failure_after_comms_were_good_alarms_as_soon_as_the_link_drops_in_the_grace() -> (
    None
):
    async with make_rig(shipped("modicon-m580-modbus")) as rig:
        view = await ready(rig)
        assert view.snapshot.time_s < GRACE_S / 2
        rig.sim.faults.inject("link_freeze")
        view, _ = await until_link_down(rig)
        assert view.snapshot.time_s < GRACE_S / 2
        assert annunciated(view) == ["LINK_DOWN"]
        view = await rig.run_for(0.5)
        assert "COMMS_FAULT" in trips(view)
        assert state(view, "COMMS_FAULT") == "suppressed"
        rig.sim.faults.clear("link_freeze")
        view = await rig.until(lambda v: v.snapshot.comms_ok, within_s=1.0)
        assert state(view, "LINK_DOWN") == "rtn_unack"
        assert state(view, "COMMS_FAULT") == "normal"


# --- operator alarm actions ---------------------------------------------------------------------


async def test_acknowledge_one_alarm_records_the_operator_and_the_alarm_event() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await tripped_by_estop(rig)
        events = rig.supervisor.acknowledge("ESTOP", "alice")
        assert [(e.alarm_id, str(e.kind), e.user) for e in events] == [
            ("ESTOP", "acknowledged", "alice")
        ]
        assert sink.of("operator", "acknowledge ESTOP") == [{"user": "alice"}]
        (acked,) = [v for v in sink.of("alarm", "ESTOP") if v["event"] == "acknowledged"]
        assert acked["user"] == "alice"
        assert (acked["from_state"], acked["to_state"]) == ("unack", "acked")
        view = await rig.scan()
        assert state(view, "ESTOP") == "acked"
        assert "ESTOP" in annunciated(view)  # still active: shown until it clears
        assert state(view, "PLC_FAULT_CODE") == "unack"


async def test_acknowledge_all_acknowledges_every_unacknowledged_alarm() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await tripped_by_estop(rig)
        events = rig.supervisor.acknowledge(None, "bob")
        assert {e.alarm_id for e in events} == {"ESTOP", "PLC_FAULT_CODE"}
        assert sink.of("operator", "acknowledge all") == [{"user": "bob"}]
        view = await rig.scan()
        assert {str(a.state) for a in view.annunciated} == {"acked"}


async def test_acknowledging_a_normal_alarm_is_refused_and_records_nothing() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await ready(rig)
        with pytest.raises(
            AlarmError, match="alarm WIND_STOP cannot be acknowledged: it is normal"
        ):
            rig.supervisor.acknowledge("WIND_STOP", "alice")
        assert sink.of("operator") == []


async def test_shelved_alarm_is_hidden_until_its_shelf_expires_in_crane_time() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await tripped_by_estop(rig)
        now = rig.clock.now()
        (shelved,) = rig.supervisor.shelve("PLC_FAULT_CODE", 10.0, "alice")
        assert shelved.shelved_until == pytest.approx(now + 10.0)
        assert sink.of("operator", "shelve PLC_FAULT_CODE for 10 s") == [{"user": "alice"}]
        view = await rig.run_for(9.5)
        assert state(view, "PLC_FAULT_CODE") == "shelved"
        assert "PLC_FAULT_CODE" not in annunciated(view)
        view = await rig.run_for(1.0)
        assert state(view, "PLC_FAULT_CODE") == "unack"  # still active: shown again
        (unshelved,) = [v for v in sink.of("alarm", "PLC_FAULT_CODE") if v["event"] == "unshelved"]
        assert unshelved["user"] is None  # the clock did it
        assert float(str(unshelved["time"])) >= now + 10.0 - 1e-6


async def test_unshelve_shows_the_alarm_again_at_once() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await tripped_by_estop(rig)
        rig.supervisor.shelve("PLC_FAULT_CODE", 600.0, "alice")
        await rig.scan()
        events = rig.supervisor.unshelve("PLC_FAULT_CODE", "alice")
        assert [str(e.kind) for e in events] == ["unshelved"]
        assert sink.of("operator", "unshelve PLC_FAULT_CODE") == [{"user": "alice"}]
        view = await rig.scan()
        assert "PLC_FAULT_CODE" in annunciated(view)


async def test_out_of_service_alarm_is_hidden_until_put_back_in_service() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await tripped_by_estop(rig)
        rig.supervisor.set_out_of_service("PLC_FAULT_CODE", True, "maint")
        view = await rig.run_for(1.0)
        assert state(view, "PLC_FAULT_CODE") == "out_of_service"
        assert "PLC_FAULT_CODE" not in annunciated(view)
        rig.supervisor.set_out_of_service("PLC_FAULT_CODE", False, "maint")
        view = await rig.scan()
        assert state(view, "PLC_FAULT_CODE") == "unack"
        assert [k for k, s, _ in sink.events if k == "operator"] == ["operator", "operator"]
        assert [s for k, s, _ in sink.events if k == "operator"] == [
            "PLC_FAULT_CODE out of service",
            "PLC_FAULT_CODE back in service",
        ]
        kinds = [v["event"] for v in sink.of("alarm", "PLC_FAULT_CODE")]
        assert kinds[-2:] == ["out_of_service", "in_service"]


async def test_latched_trip_alarm_clears_with_the_interlock_reset() -> None:
    async with make_rig(shipped("generic-opcua")) as rig:
        await tripped_by_estop(rig)
        rig.sim.faults.clear("estop")
        view = await rig.run_for(1.0)
        assert state(view, "ESTOP") == "unack"  # the interlock latches, so does its alarm
        rig.supervisor.request_reset()
        view = await rig.run_for(0.5)
        assert "ESTOP" not in trips(view)
        assert state(view, "ESTOP") == "rtn_unack"
        rig.supervisor.acknowledge(None, "alice")
        view = await rig.scan()
        assert view.annunciated == ()
        assert view.first_out is None


# --- the journal ---------------------------------------------------------------------------------


async def test_journal_records_a_trip_once_when_it_trips_and_once_when_it_clears() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await tripped_by_estop(rig)
        await rig.run_for(1.0)
        rig.sim.faults.clear("estop")
        await rig.run_for(0.5)
        rig.supervisor.request_reset()
        await rig.run_for(0.5)
        assert sink.of("trip", "ESTOP") == [
            {"state": "tripped", "reason": "emergency-stop chain open"},
            {"state": "cleared"},
        ]
        assert sink.of("operator", "reset") == [{"user": "operator"}]


async def test_journal_records_a_refusal_once_while_it_is_held_and_again_when_it_recurs() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        view = await tripped_by_estop(rig)
        await rig.run_for(1.0)
        (refusal,) = sink.of("refusal", "trolley+")
        assert set(refusal) == REFUSAL_KEYS
        assert refusal["value"] == TROLLEY_MPS
        ids = list(next(r.ids for r in view.refusals))
        assert refusal["interlocks"] == ids
        assert ids[0] == "ESTOP"
        assert refusal["reasons"] == [REASONS[i] for i in ids]
        rig.sim.faults.clear("estop")
        rig.supervisor.request_reset()
        await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.1, within_s=3.0)
        await fault_after_scan(rig, "estop")
        assert [r["interlocks"] for r in sink.of("refusal", "trolley+")] == [
            ["ESTOP", "DRIVE_FAULT"],  # (reset: the references are held until the PLC's
            ["ESTOP", "DRIVE_FAULT"],  # drives report ready again, so nothing is refused)
        ]


async def test_journal_records_link_and_comms_transitions_only() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        name = rig.link.name
        await moving_trolley(rig)
        rig.sim.faults.inject("link_freeze")
        await rig.run_for(1.0)
        rig.sim.faults.clear("link_freeze")
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=1.0)
        await rig.run_for(1.0)
    link = [(s, v) for k, s, v in sink.events if k == "link" and s != "write"]
    assert all(set(v) == (COMMS_KEYS if s == "comms" else LINK_KEYS) for s, v in link)
    assert [(s, v.get("state", v.get("ok"))) for s, v in link] == [
        (name, "up"),
        ("comms", False),
        ("comms", True),
        (name, "down"),
        ("comms", False),
        (name, "up"),
        ("comms", True),
    ]
    down = link[3][1]
    assert down["error"] == f"link {name}: the simulated PLC does not answer"
    assert link[5][1] == {"state": "up", "error": "", "reconnects": 1}
    assert link[4][1] == {"ok": False, "reason": f"link down: {down['error']}"}
    assert link[1][1]["reason"] == "waiting for the PLC heartbeat to change"
    writes = [v for k, s, v in sink.events if k == "link" and s == "write"]
    assert all(set(v) == WRITE_KEYS for v in writes)
    assert [v["state"] for v in writes] == ["failing", "recovered"] * (len(writes) // 2)


@pytest.mark.parametrize(
    ("fault", "params", "reason"),
    [
        ("link_freeze", {}, "link down: link generic-modbus (memory): the simulated PLC does not"),
        ("stuck", {"signal": "plc.heartbeat"}, "PLC heartbeat frozen at"),
    ],
    ids=["link-freeze", "plc-heartbeat-frozen"],
)
async def test_journal_records_once_that_the_system_cleared_the_proposal_on_a_comms_loss(
    fault: str, params: dict[str, object], reason: str
) -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject(fault, **params)
        view = await rig.run_for(2.0)
        assert view.commands == Commands()
        (cleared,) = sink.of("system", "proposal cleared")
        assert set(cleared) == {"reason"}
        assert str(cleared["reason"]).startswith(reason)
        assert sink.of("operator") == []  # no operator did it


async def test_proposal_made_while_still_connecting_is_kept_and_carried_out_once_trusted() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        view = await rig.scan()
        assert not view.snapshot.comms_ok
        assert written(rig, "trolley.speed_ref") == 0.0
        await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.1, within_s=3.0)
        assert sink.of("system", "proposal cleared") == []


async def test_every_alarm_event_in_the_journal_has_the_same_keys() -> None:
    sink = EventList()
    async with rig_with(sink) as rig:
        await tripped_by_estop(rig)
        rig.supervisor.acknowledge("ESTOP", "alice")
        rig.supervisor.shelve("PLC_FAULT_CODE", 1.0, "alice")
        await rig.run_for(1.5)
        rig.sim.faults.inject("link_freeze")
        await rig.run_for(0.5)
    alarms = sink.of("alarm")
    assert {str(v["event"]) for v in alarms} >= {
        "activated", "acknowledged", "shelved", "unshelved", "suppressed",
    }  # fmt: skip
    assert all(set(v) == ALARM_KEYS for v in alarms)
    (estop,) = [v for v in sink.of("alarm", "ESTOP") if v["event"] == "activated"]
    assert estop == {
        "time": estop["time"],
        "event": "activated",
        "from_state": "normal",
        "to_state": "unack",
        "priority": "high",
        "user": None,
        "message": "All motion stops while the emergency-stop chain is open (emergency-stop chain open)",
        "first_out": True,
        "shelved_until": None,
    }
    assert sink.of("operator")
    assert all(set(v) == {"user"} for v in sink.of("operator"))


async def test_wind_prealarm_waits_its_on_delay_and_is_suppressed_by_the_wind_stop() -> None:
    async with make_rig(shipped("generic-modbus")) as rig:
        await ready(rig)
        rig.sim.faults.inject("wind", speed_mps=16.0)
        view = await rig.run_for(2.5)
        assert "WIND_PREALARM" not in annunciated(view)
        view = await rig.run_for(1.0)
        assert annunciated(view) == ["WIND_PREALARM"]
        rig.sim.faults.inject("wind", speed_mps=22.0)
        view = await rig.run_for(0.2)
        assert "WIND_STOP" in annunciated(view)
        assert state(view, "WIND_PREALARM") == "suppressed"


# --- the drive fault alarm -----------------------------------------------------------------------


async def test_start_enabling_the_drives_and_moving_in_one_proposal_raises_no_drive_fault_alarm() -> (
    None
):
    async with make_rig(shipped("generic-modbus")) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=1.0)
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        view = await rig.scan()
        assert "DRIVE_FAULT" in refused(view)[Motion.TROLLEY_FWD]  # not ready yet: blocked
        assert state(view, "DRIVE_FAULT") == "normal"  # but no drive reports a fault
        view = await rig.run_for(2.0)
        assert rig.sim.plant.trolley.speed_mps > 0.1
        assert view.annunciated == ()
        assert all(a.state == "normal" for a in view.alarms)


async def test_first_out_after_a_normal_start_is_the_estop() -> None:
    async with make_rig(shipped("generic-modbus")) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=1.0)
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        await rig.run_for(2.0)
        view = await fault_after_scan(rig, "estop")
        assert view.first_out == "ESTOP"
        assert "DRIVE_FAULT" not in annunciated(view)


async def test_plc_in_local_alarms_not_remote_and_its_drives_not_ready_alarm_no_drive_fault() -> (
    None
):
    async with make_rig(shipped("generic-modbus")) as rig:
        await moving_trolley(rig)
        await fault_after_scan(rig, "local")
        view = await rig.run_for(1.0)
        assert not rig.sim.plc.ready("trolley")  # the PLC in local takes the drives' ready
        assert "DRIVE_FAULT" in trips(view)  # which still blocks motion
        assert not any(
            view.snapshot.flag(f"{a}.fault", unsafe=True) for a in ("gantry", "trolley", "hoist")
        )
        assert annunciated(view) == ["NOT_REMOTE"]
        assert state(view, "DRIVE_FAULT") == "normal"
