"""Alarms: every crane's alarms an operator sees, in one list, the most urgent first (priority,
unacknowledged first, newest first). Enter opens that crane's own alarms. Acknowledging from
here comes with the command path (issue 19): the crane's HMI acknowledges meanwhile."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType

from crane_ctrl.fleet.fleet_view import CraneKey, FleetView
from hmi.ops.format import fleet_alarm_cells
from hmi.ops.screens.base import OpsScreen
from hmi.widgets.line_table import LineTable
from hmi.widgets.text_line import TextLine

__all__ = ["FleetAlarmsScreen"]

COLUMNS = ("state", "prio", "crane", "alarm", "since", "message")


class FleetAlarmsScreen(OpsScreen):
    NAME = "alarms"
    AUTO_FOCUS = "#fleet-alarms"
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self) -> None:
        super().__init__()
        self._cranes: dict[str, CraneKey] = {}

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="alarm-count")
        yield LineTable(COLUMNS, id="fleet-alarms")

    def show_body(self, view: FleetView) -> None:
        unack = sum(a.unacknowledged for a in view.alarms)
        cranes = len({a.crane for a in view.alarms})
        self.query_one("#alarm-count", TextLine).show(
            f"{len(view.alarms)} alarm(s) on {cranes} crane(s), {unack} unacknowledged · Enter "
            "opens the crane's alarms"
        )
        rows = [(f"{a.crane}|{a.id}", fleet_alarm_cells(a)) for a in view.alarms]
        self._cranes = {f"{a.crane}|{a.id}": a.crane for a in view.alarms}
        self.query_one("#fleet-alarms", LineTable).show(rows)

    def on_line_table_selected(self, event: LineTable.Selected) -> None:
        crane = self._cranes.get(event.key)
        if crane is not None:
            self.ops.open_crane(crane, screen="crane-alarms")
