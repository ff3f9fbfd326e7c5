"""At 80x24 (issue 18, finding 6/7): the Manual screen shows all nine hand motions, the Jobs
tables clip no column, and the footer shows ``?`` (the overlay with every key) on every screen.

Read off what the terminal shows: the screen's rendered lines."""

from __future__ import annotations

from typing import Any

from textual.app import App

from crane_ctrl.operation.jobs import Job, JobState, JobStep
from crane_ctrl.operation.machine import Role
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from hmi.screens.jobs import COLUMNS, job_rows
from hmi.screens.manual import _MOTIONS
from tests.hmi.conftest import GENERIC, hmi_on

LONG_NAME = "relief-operator-of-the-night-shift"
"""Whose name the cancelled job's why carries: longer than an 80-column row leaves it."""


def screen_lines(app: App[Any]) -> list[str]:
    """What the terminal shows now, line by line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_manual_shows_every_motion_and_jobs_clip_no_column_at_80x24() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator, size=(80, 24)) as hmi:
        night = rig.station.sessions.issue(LONG_NAME, Role.OPERATOR, client="test")
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        rig.station.add_job(rig.operator, Slot.truck("T2"), Slot.stack(11, 1, 1), 20)
        rig.station.cancel_job(night, "J1")
        rig.sim.faults.inject("estop")  # every motion blocked, each with its interlocks
        await hmi.step(5)

        await hmi.press("5")
        shown = screen_lines(hmi.app)
        for motion in _MOTIONS:
            assert any(line.startswith(f"  {motion!s:<10} [!] BLOCKED by ESTOP") for line in shown)
        assert shown[-1].startswith(" ? keys")

        await hmi.press("4")
        text = "\n".join(screen_lines(hmi.app))
        for cell in ("J2", "truck:T2", "stack:11:1:1", "20 ft", "queued", "J1", "truck:T1",
                     "stack:7:3:1", "40 ft", "cancelled", *COLUMNS):  # fmt: skip
            assert cell in text, cell
        why = f"cancelled by {LONG_NAME}"
        assert why not in text  # wrapped onto a second line of its row, not cut off
        assert "".join(why.split()) in "".join(text.split())  # whole, on the row's lines


def test_the_why_wraps_to_what_is_left_of_the_row_and_the_other_cells_stay_whole() -> None:
    reason = "set down at stack:7:3:1 after the wind stop; the box stands there now " * 2
    job = Job("J12", Slot.truck("T1"), Slot.named("A40-2", 3), 40, None, None, 0.0,
              state=JobState.FAILED, history=(JobStep(0.0, JobState.FAILED, reason),))  # fmt: skip
    (row,) = job_rows([job], 80)
    assert row[:3] == ("J12", "truck:T1", "stack:A40-2:3")
    why = str(row[-1])
    assert why.replace("\n", " ") == reason.strip()
    used = sum(
        max(len(name), len(str(cell))) + 2
        for name, cell in zip(COLUMNS[:-1], row[:-1], strict=True)
    )
    assert max(map(len, why.splitlines())) <= 80 - used - 6
    assert job_rows([], 80) == []
