"""The station checks who acts itself, whoever calls (issue 17, deliverables 2 and 3).

An in-process caller is held to the same rule as a client of the seam: the station acts only for
the user its own sessions issued the caller's session to. Every action, done or refused, is in
the journal with the IEC 62443 CR 2.8 fields (user, role, session tag, source, action,
parameters, result), and never with the session token itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crane_ctrl.errors import CommandRefused, SessionRefused
from crane_ctrl.operation.machine import Mode, PackCommand, PackState, Role
from crane_ctrl.runtime.sessions import SESSION_IDLE_S, User
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig

PROFILES = Path(__file__).resolve().parents[2] / "plc_profiles"
MODBUS = PROFILES / "generic-modbus.toml"


class Journal:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, object]]] = []

    def record(self, kind: str, subject: str, **values: object) -> None:
        self.events.append((kind, subject, values))

    def operator(self, subject: str) -> list[dict[str, object]]:
        return [v for k, s, v in self.events if k == "operator" and s == subject]


async def test_a_self_declared_maintenance_user_is_refused_and_journaled() -> None:
    journal = Journal()
    async with StationRig(MODBUS, journal=journal, mode=Mode.MAINTENANCE) as rig:
        mallory = User("mallory", Role.MAINTENANCE)
        with pytest.raises(SessionRefused, match="needs a session: log in first"):
            rig.station.bypass(mallory, "WIND_STOP", 60.0, "testing")
        assert rig.station.automation.bypasses.active(rig.station.now) is None
        forged = User("mallory", Role.MAINTENANCE, session="made-up")
        with pytest.raises(SessionRefused, match="no such session"):
            rig.station.set_mode(forged, Mode.MANUAL)
    refused = journal.operator("session refused")
    assert [(v["action"], v["reason"]) for v in refused] == [
        ("bypass WIND_STOP", "no session"),
        ("mode MANUAL", "unknown"),
    ]
    assert not any("made-up" in json.dumps(v) for _, _, v in journal.events)


async def test_a_session_acts_only_for_the_user_it_was_issued_to() -> None:
    journal = Journal()
    async with StationRig(MODBUS, journal=journal) as rig:
        claimed = User("operator", Role.MAINTENANCE, session=rig.operator.session)
        with pytest.raises(SessionRefused, match="the session is operator \\(operator\\)'s"):
            rig.station.set_out_of_service(claimed, "WIND_STOP", True)
        other = User("maintenance", Role.MAINTENANCE, session=rig.operator.session)
        with pytest.raises(SessionRefused):
            rig.station.end_bypass(other)
    [first, second] = journal.operator("session refused")
    assert first["claimed"] == "operator (maintenance)"
    assert first["user"] == "operator"
    assert second["action"] == "end bypass"


async def test_every_action_done_or_refused_is_journaled_with_its_audit_fields() -> None:
    journal = Journal()
    async with StationRig(MODBUS, journal=journal) as rig:
        job = rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        with pytest.raises(CommandRefused):
            rig.station.pack(rig.operator, PackCommand.SUSPEND, "why not")
        with pytest.raises(CommandRefused):
            rig.station.set_out_of_service(rig.operator, "WIND_STOP", True)
    [added] = journal.operator(f"add job {job.id}")
    tag = added["session"]
    assert isinstance(tag, str)
    assert len(tag) == 12
    assert rig.operator.session not in json.dumps(journal.events, default=str)
    assert added["user"] == "operator"
    assert added["role"] == "operator"
    assert added["source"] == "test rig"
    assert added["result"] == "done"
    assert (added["from"], added["to"], added["size_ft"]) == ("truck lane T1", str(job.to_slot), 40)
    [suspend] = journal.operator("suspend")
    assert suspend["result"] == "refused"
    assert suspend["reason"] == "why not"
    assert "the crane's own" in str(suspend["why"])
    [oos] = journal.operator("out of service")
    assert oos["result"] == "refused"
    assert "maintenance role" in str(oos["why"])
    assert (oos["alarm"], oos["on"], oos["session"]) == ("WIND_STOP", True, tag)


async def test_a_session_idle_for_a_shift_expires() -> None:
    journal = Journal()
    async with StationRig(MODBUS, journal=journal) as rig:
        rig.station.acknowledge(rig.operator, None)
        rig.lockstep.clock.advance(SESSION_IDLE_S + 1.0)
        with pytest.raises(SessionRefused, match="expired"):
            rig.station.acknowledge(rig.operator, None)
    [expired] = journal.operator("session refused")
    assert expired["reason"] == "expired"
    assert expired["user"] == "operator"


async def test_stopping_a_jog_is_never_refused() -> None:
    """Letting go of a jog key is a stop, and a stop is never delayed, not even by a session
    that has just expired."""
    async with StationRig(MODBUS, mode=Mode.MANUAL) as rig:
        rig.station.pack(rig.operator, PackCommand.RESET)
        await rig.until(lambda v: v.machine is PackState.IDLE, within_s=2, what="IDLE")
        rig.station.jog(rig.operator, "hoist", 1)
        assert rig.station.automation.manual.jogging is not None
        rig.lockstep.clock.advance(SESSION_IDLE_S + 1.0)
        rig.station.stop_jog(User("anyone", Role.OPERATOR))
        assert rig.station.automation.manual.jogging is None


async def test_a_refusal_the_client_made_itself_is_journaled_under_its_session_user() -> None:
    """Issue 18: the HMI's own refusals (a form's field, nothing chosen, the wrong role for a
    dialog) reach the journal as the station's do; with no session, as a session refused."""
    journal = Journal()
    async with StationRig(MODBUS, journal=journal) as rig:
        rig.station.note_refusal(rig.operator, "add job", "from: slot 'x' is not truck:LANE")
        rig.station.note_refusal(rig.operator, "cancel job", "x" * 10_000)
        with pytest.raises(SessionRefused, match="shelve needs a session"):
            rig.station.note_refusal(User("nobody"), "shelve", "no alarm chosen")
    [added] = journal.operator("add job")
    assert (added["result"], added["user"], added["by"]) == ("refused", "operator", "client")
    assert added["why"] == "from: slot 'x' is not truck:LANE"
    [cancel] = journal.operator("cancel job")
    assert len(str(cancel["why"])) <= 300  # a client's text is clipped
    assert journal.operator("session refused")[-1]["action"] == "shelve"


async def test_ending_a_bypass_when_none_is_in_force_is_refused_not_said_done() -> None:
    journal = Journal()
    async with StationRig(MODBUS, journal=journal) as rig:
        with pytest.raises(CommandRefused, match="no interlock is bypassed"):
            rig.station.end_bypass(rig.maintenance)
    assert journal.operator("end bypass")[-1]["result"] == "refused"
