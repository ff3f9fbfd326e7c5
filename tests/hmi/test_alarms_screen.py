"""Alarms: acknowledge, shelve and unshelve from the list; out of service is maintenance only;
the journal shows the operator's actions on the Events screen."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from crane_ctrl.alarms.states import AlarmState
from crane_ctrl.clock import ManualClock
from crane_ctrl.runtime.journal import Journal
from crane_ctrl.runtime.station import StationView
from crane_ctrl.testing import StationRig
from hmi.screens.alarms import AlarmsScreen
from hmi.widgets.alarm_banner import AlarmBanner
from tests.hmi.conftest import GENERIC, hmi_on


def _state(view: StationView, alarm_id: str) -> AlarmState:
    return next(a.state for a in view.supervisor.alarms if a.id == alarm_id)


async def test_acknowledge_then_shelve_an_alarm() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        rig.sim.faults.inject("estop")
        await hmi.until(lambda v: _state(v, "ESTOP") is AlarmState.UNACK, within_s=2)
        await hmi.press("3")
        screen = hmi.screen
        assert isinstance(screen, AlarmsScreen)
        assert screen.selected() == "ESTOP"  # high priority first
        await hmi.press("k")
        view = await hmi.step()
        assert _state(view, "ESTOP") is AlarmState.ACKED
        assert "ESTOP acknowledged" in hmi.message
        assert "ESTOP" not in screen.query_one(AlarmBanner).plain
        await hmi.press("s")  # shelve: a choice of durations
        await hmi.press("enter")  # the first: 5 minutes
        view = await hmi.step()
        assert _state(view, "ESTOP") is AlarmState.SHELVED
        assert "shelved for 5 min" in hmi.message
        await hmi.press("f", "f", "f")  # shown -> unacknowledged -> active -> hidden
        await hmi.step()
        table = screen.query_one("#alarms", DataTable)
        assert "SHELVED" in str(table.get_row_at(0)[0])
        await hmi.press("u")
        assert _state(await hmi.step(), "ESTOP") is not AlarmState.SHELVED


async def test_operator_is_refused_out_of_service() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        rig.sim.faults.inject("estop")
        await hmi.until(lambda v: _state(v, "ESTOP") is AlarmState.UNACK, within_s=2)
        await hmi.press("3", "o")
        assert hmi.message.startswith("✗ REFUSED")
        assert "needs the maintenance role" in hmi.message
        assert _state(await hmi.step(), "ESTOP") is AlarmState.UNACK


async def test_acknowledge_all_shows_in_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path, clock=ManualClock(), crane="test") as journal:
        async with (
            StationRig(GENERIC, journal=journal) as rig,
            hmi_on(rig, rig.operator, journal_path=path) as hmi,
        ):
            rig.sim.faults.inject("estop")
            await hmi.until(lambda v: _state(v, "ESTOP") is AlarmState.UNACK, within_s=2)
            await hmi.press("A")
            assert _state(await hmi.step(), "ESTOP") is AlarmState.ACKED
            journal.flush()
            await hmi.press("8", "r")
            table = hmi.screen.query_one("#events", DataTable)
            rows = [table.get_row_at(i) for i in range(table.row_count)]
            assert any(r[1] == "operator" and r[2] == "acknowledge all" for r in rows)
