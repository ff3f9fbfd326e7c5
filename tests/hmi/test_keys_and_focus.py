"""Keys in an operator's hands (issue 18, findings 1 and 2): typing never fires a command, Tab
reaches the form, Escape leaves it, STOP is one key and never asks, cancel and abort ask, ``?``
lists every key, and no action's failure takes the HMI (or the station) down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Select

from crane_ctrl.operation.machine import PackState
from crane_ctrl.testing import StationRig
from hmi.screens.confirm import ConfirmModal
from hmi.screens.keys import KeysModal
from tests.hmi.conftest import GENERIC, Hmi, hmi_on


def _operator_subjects(rig: StationRig) -> list[str]:
    journal: Any = rig.station.supervisor.journal
    return [s for k, s, _ in getattr(journal, "events", []) if k == "operator"]


class Journal:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, object]]] = []

    def record(self, kind: str, subject: str, **values: object) -> None:
        self.events.append((kind, subject, values))


async def _jobs(hmi: Hmi) -> None:
    await hmi.press("4")
    assert hmi.screen.NAME == "jobs"


async def test_one_tab_reaches_the_form_and_typing_there_fires_nothing() -> None:
    async with StationRig(GENERIC, journal=Journal()) as rig, hmi_on(rig, rig.operator) as hmi:
        await rig.start_automatic()
        await _jobs(hmi)
        assert isinstance(hmi.app.focused, DataTable)
        await hmi.press("tab")
        assert hmi.app.focused is hmi.screen.query_one("#from", Input)
        before = len(_operator_subjects(rig))
        await hmi.press(*"stack:7:3:1")
        await hmi.step(5)
        assert hmi.screen.query_one("#from", Input).value == "stack:7:3:1"
        assert hmi.screen.NAME == "jobs"  # the digits did not switch screens
        assert rig.view.machine not in (PackState.STOPPING, PackState.STOPPED)
        assert _operator_subjects(rig)[before:] == []


async def test_no_letter_fires_a_command_from_a_drop_down_or_a_button_either() -> None:
    async with StationRig(GENERIC, journal=Journal()) as rig, hmi_on(rig, rig.operator) as hmi:
        await rig.start_automatic()
        await _jobs(hmi)
        before = len(_operator_subjects(rig))
        for selector in ("#size", "#add"):
            hmi.screen.query_one(selector).focus()
            await hmi.press("t", "h", "c", "x", "1", "A")
            await hmi.step(5)
            assert hmi.screen.NAME == "jobs"
            assert rig.view.machine not in (PackState.STOPPING, PackState.STOPPED, PackState.HELD)
        assert _operator_subjects(rig)[before:] == []
        assert not isinstance(hmi.app.screen, ConfirmModal)


async def test_escape_leaves_the_field_and_stop_is_one_key_that_never_asks() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await rig.start_automatic()
        await _jobs(hmi)
        await hmi.press("tab", "tab")
        assert hmi.app.focused is hmi.screen.query_one("#to", Input)
        await hmi.press("escape")
        assert hmi.app.focused is hmi.screen.query_one("#queue", DataTable)
        await hmi.press("t")
        assert not isinstance(hmi.app.screen, ConfirmModal)
        await hmi.until(lambda v: v.machine is PackState.STOPPED, within_s=5, what="STOPPED")


async def test_abort_and_cancel_ask_first_and_no_keeps_everything() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await _jobs(hmi)
        await hmi.press("a")
        assert hmi.app.focused is hmi.screen.query_one("#from", Input)
        await hmi.press("escape")
        form = hmi.screen
        form.query_one("#from", Input).value = "truck:T1"
        form.query_one("#to", Input).value = "stack:7:3:1"
        await form.add_job()  # type: ignore[attr-defined]
        await hmi.step()
        assert len(rig.view.queued) == 1
        await hmi.press("x")
        assert isinstance(hmi.app.screen, ConfirmModal)
        await hmi.press("n")
        assert len(rig.view.queued) == 1
        assert "kept" in hmi.message
        await hmi.press("x")
        await hmi.press("y")
        await hmi.step()
        assert not rig.view.queued
        await rig.start_automatic()
        await hmi.press("ctrl+x")
        assert isinstance(hmi.app.screen, ConfirmModal)
        await hmi.press("escape")
        await hmi.step(3)
        assert rig.view.machine is not PackState.ABORTED
        await hmi.press("ctrl+x", "y")
        await hmi.until(lambda v: v.machine is PackState.ABORTED, within_s=2, what="ABORTED")


async def test_question_mark_lists_every_key_of_the_screen_and_the_hmi() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator, size=(80, 24)) as hmi:
        for number, must in (("4", ("cancel job", "abort", "add a job", "leave the field")),
                             ("5", ("lock", "unlock", "telescope")), ("3", ("shelve",))):  # fmt: skip
            await hmi.press(number, "question_mark")
            modal = hmi.app.screen
            assert isinstance(modal, KeysModal)
            listed = "\n".join(modal.screen_keys)
            for what in must:
                assert what in listed, (number, what, listed)
            assert any("ack all" in line for line in modal.hmi_keys)
            await hmi.press("escape")
            assert not isinstance(hmi.app.screen, KeysModal)


async def test_the_profile_screen_takes_a_typed_path_and_a_missing_file_crashes_nothing(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no-such-profile.toml"
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.maintenance) as hmi:
        await hmi.press("9")
        field = hmi.screen.query_one("#path", Input)
        assert hmi.app.focused is field
        await hmi.press(*str(missing))
        assert field.value == str(missing)
        await hmi.press("enter")
        assert "REJECTED" in hmi.text("#verdict")
        await hmi.press("escape")
        assert hmi.app.focused is None or not isinstance(hmi.app.focused, Input | Select)
        await hmi.press("w")  # swap a missing file, machine STOPPED, as maintenance
        await hmi.step()
        assert hmi.app.is_running
        assert "REFUSED" in hmi.message
        assert rig.view.supervisor.snapshot.comms_ok  # the station scans on, on its profile
        assert rig.view.profile_name == "generic-modbus"
