"""Jobs: the queue, a validated add-job form, cancel, and the history with each outcome."""

from __future__ import annotations

from collections.abc import Sequence
from textwrap import fill
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Label, Select

from crane_ctrl.operation.jobs import Job, JobState
from crane_ctrl.runtime.station import BoxPlace, StationView
from crane_ctrl.site import SiteLayout, Slot, parse_slot, slot_text
from hmi.format import ABNORMAL, job_text
from hmi.screens.base import HmiScreen
from hmi.screens.confirm import ConfirmModal
from hmi.screens.machine_keys import MACHINE_BINDINGS, MachineKeys
from hmi.widgets.text_line import TextLine

__all__ = ["BOX_SIZE", "COLUMNS", "JobRequest", "JobsScreen", "job_rows", "parse_job"]

JobRequest = tuple[Slot, Slot, int, float | None]
"""From, to, size in feet, declared mass in tonnes (or ``None``)."""
BOX_SIZE = 0
"""The size field's default: the size of the box the crane knows at the source."""


def parse_job(
    site: SiteLayout,
    boxes: Sequence[BoxPlace],
    source: str,
    target: str,
    size: int,
    mass: str,
) -> JobRequest:
    """The form's fields as a job; ``ValueError`` saying which field is wrong and how.

    ``boxes``: where the crane believes each container stands: the source must hold one, of
    the size chosen (:data:`BOX_SIZE`, the default: whatever size it is).
    """
    try:
        origin = parse_slot(source.strip())
    except (ValueError, KeyError) as exc:
        raise ValueError(f"from: {str(exc).strip(chr(34))}") from None
    held = [box for box in boxes if box.slot == origin]
    if size == BOX_SIZE:
        size = held[0].size_ft if held else 40
    slots = []
    for name, text in (("from", source), ("to", target)):
        try:
            slot = parse_slot(text.strip())
            site.check_slot(slot, size)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{name}: {str(exc).strip(chr(34))}") from None
        slots.append(slot)
    if not held:
        raise ValueError(f"from: the crane knows of no container at {origin}")
    if held[0].size_ft != size:
        raise ValueError(f"size: the container at {origin} is {held[0].size_ft} ft, not {size}")
    declared = None
    if mass.strip():
        try:
            declared = float(mass)
        except ValueError:
            raise ValueError(f"mass: {mass!r} is not a number of tonnes") from None
    return slots[0], slots[1], size, declared


def slot_examples(site: SiteLayout) -> tuple[str, str]:
    """A source and a target this site really has, for the form's hints: its first truck (or
    AGV) lane, and a ground slot of its bay grid, or its first named slot."""
    lanes = site.lanes()
    source = f"{lanes[0][0]}:{lanes[0][1].id}" if lanes else "truck:T1"
    stack = site.stack
    named = list(stack.named_slots())
    target = "stack:1:1:1" if stack.has_grid or not named else f"stack:{named[0]}:1"
    return source, target


COLUMNS = ("job", "from", "to", "size", "state", "why")
_WHY_MIN = 16
"""The narrowest the why column is wrapped to (at 80 columns it gets about 24 characters)."""
_TABLE_CHROME = 4
"""Columns of a table that hold no cell: its border and its vertical scrollbar."""
Cell = str | Text


def job_rows(jobs: Sequence[Job], width: int) -> list[tuple[Cell, ...]]:
    """Each job's cells for a table ``width`` columns wide, none clipped: the slots as the
    form takes them (``truck:T1``, ``stack:7:3:1``), the why wrapped to what is left."""
    cells = [_cells(job) for job in jobs]
    used = sum(max([len(name), *(_width(row[i]) for row in cells)]) + 2
               for i, name in enumerate(COLUMNS[:-1]))  # fmt: skip
    why_width = max(_WHY_MIN, width - used - 2 - _TABLE_CHROME)
    return [(*row, fill(job.reason, why_width)) for job, row in zip(jobs, cells, strict=True)]


def _cells(job: Job) -> tuple[Cell, ...]:
    outcome: Cell = str(job.state)
    if job.state is JobState.FAILED:
        outcome = Text(f"[!] {job.state}", ABNORMAL)
    return job.id, slot_text(job.from_slot), slot_text(job.to_slot), f"{job.size_ft} ft", outcome


def _width(cell: Cell) -> int:
    return len(cell.plain if isinstance(cell, Text) else cell)


class JobsScreen(MachineKeys, HmiScreen):
    NAME = "jobs"
    AUTO_FOCUS = "#queue"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "cancel_job", "cancel job"),
        Binding("a", "to_form", "add a job"),
        *MACHINE_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[tuple[Job, ...], tuple[Job, ...]] | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="job-form"):
            source, target = slot_examples(self.hmi.bridge.station.site)
            yield Input(placeholder=f"from {source}", id="from")
            yield Input(placeholder=f"to {target}", id="to")
            yield Select([("box's size", BOX_SIZE), ("20 ft", 20), ("40 ft", 40), ("45 ft", 45)],
                         value=BOX_SIZE, allow_blank=False, id="size")  # fmt: skip
            yield Input(placeholder="mass t", id="mass")
            yield Button("Add", id="add")
        yield TextLine(id="active")
        yield Label("Queue (x cancels the selected job)", classes="caption")
        queue: DataTable[str | Text] = DataTable(id="queue", cursor_type="row")
        history: DataTable[str | Text] = DataTable(id="history", cursor_type="none")
        history.can_focus = False  # shown, not chosen from: Tab goes from the queue to the form
        for table in (queue, history):
            table.add_columns(*COLUMNS)
        yield queue
        yield Label("History", classes="caption")
        yield history

    def show_body(self, view: StationView) -> None:
        active = job_text(view.job, view.step, view.progress)
        if view.step_detail:
            active.append(f" · {view.step_detail}", "dim")
        self.query_one("#active", TextLine).show(active)
        shown = (view.queued, view.finished)
        if shown == self._shown:
            return
        self._shown = shown
        for table_id, jobs in (("#queue", view.queued), ("#history", view.finished[::-1])):
            table = self.query_one(table_id, DataTable)
            table.clear()
            for job, cells in zip(jobs, job_rows(jobs, self.size.width), strict=True):
                table.add_row(*cells, key=job.id, height=None)

    def on_resize(self) -> None:
        """Wrap the why column again to the new width."""
        self._shown = None
        self.show(self.hmi.view)

    @on(Button.Pressed, "#add")
    @on(Input.Submitted)
    async def add_job(self) -> None:
        size = self.query_one("#size", Select).value
        try:
            request = parse_job(
                self.hmi.bridge.station.site, self.hmi.view.boxes,
                self.query_one("#from", Input).value,
                self.query_one("#to", Input).value, size if isinstance(size, int) else BOX_SIZE,
                self.query_one("#mass", Input).value,
            )  # fmt: skip
        except ValueError as exc:
            await self.hmi.refuse("add job", str(exc))
            return
        source, target, size_ft, mass = request
        job = await self.hmi.act("job queued", self.hmi.bridge.station.add_job, source, target,
                                 size_ft, declared_mass_t=mass)  # fmt: skip
        if job is not None:
            self.hmi.say(f"job {job.id} queued: {job.from_slot} → {job.to_slot}")
            for field in ("#from", "#to", "#mass"):
                self.query_one(field, Input).value = ""

    async def action_cancel_job(self) -> None:
        """Cancel the job chosen in the queue, once the operator confirms it."""
        table = self.query_one("#queue", DataTable)
        job_id = None
        if table.row_count:
            job_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        hmi = self.hmi
        if job_id is None:
            await hmi.refuse("cancel job", "no queued job to cancel (the queue is empty)")
            return

        async def confirmed(yes: bool | None) -> None:
            if yes:
                await hmi.act(f"job {job_id} cancelled", hmi.bridge.station.cancel_job,
                              str(job_id))  # fmt: skip
            else:
                hmi.say(f"job {job_id} kept")

        await hmi.ask(f"cancel job {job_id}", ConfirmModal(f"Cancel job {job_id}?", "A box it "
                      "left hanging stays where it is until it is set down by hand."),
                      confirmed)  # fmt: skip

    def action_to_form(self) -> None:
        """Into the add-job form's first field."""
        self.query_one("#from", Input).focus()
