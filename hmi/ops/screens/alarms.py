"""Alarms: every crane's alarms an operator sees, in one list, the most urgent first (priority,
unacknowledged first, newest first). Enter opens that crane's own alarms; ``a`` acknowledges the
alarm under the cursor at its crane (``alarm.acknowledge``), ``s`` shelves it (a form: minutes
and reason), ``u`` unshelves one of the fleet's shelved alarms (chosen from them); ``A``
acknowledges every crane's (one order per crane with one), ``o`` takes the alarm under the cursor
out of service at its crane (once confirmed), ``i`` returns one of the fleet's to service."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

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
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "acknowledge", "acknowledge the alarm"),
        Binding("s", "shelve", "shelve the alarm"),
        Binding("u", "unshelve", "unshelve one"),
        Binding("A", "acknowledge_all", "acknowledge all"),
        Binding("o", "out_of_service", "out of service"),
        Binding("i", "return_to_service", "return one to service"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._cranes: dict[str, CraneKey] = {}
        self._alarms: dict[str, str] = {}

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
        self._alarms = {f"{a.crane}|{a.id}": a.id for a in view.alarms}
        self.query_one("#fleet-alarms", LineTable).show(rows)

    def on_line_table_selected(self, event: LineTable.Selected) -> None:
        crane = self._cranes.get(event.key)
        if crane is not None:
            self.ops.open_crane(crane, screen="crane-alarms")

    def _selected(self) -> str:
        return self.query_one("#fleet-alarms", LineTable).selected() or ""

    def target(self) -> CraneKey | None:
        return self._cranes.get(self._selected(), self.ops.crane)

    def action_acknowledge(self) -> None:
        key = self._selected()
        alarm = self._alarms.get(key)
        if alarm is None:
            self.ops.say("acknowledge: no alarm under the cursor", refused=True)
            return
        self.ops.commands.send(self._cranes[key], "alarm.acknowledge", f"acknowledge {alarm}",
                               {"alarm": alarm})  # fmt: skip

    def action_shelve(self) -> None:
        key = self._selected()
        self.ops.orders.shelve(self._cranes.get(key), self._alarms.get(key))

    def action_unshelve(self) -> None:
        self.ops.orders.unshelve(None, fleet=True)

    def action_acknowledge_all(self) -> None:
        self.ops.orders.acknowledge_all(None, fleet=True)

    def action_out_of_service(self) -> None:
        key = self._selected()
        self.ops.orders.out_of_service(self._cranes.get(key), self._alarms.get(key))

    def action_return_to_service(self) -> None:
        self.ops.orders.return_to_service(None, fleet=True)
