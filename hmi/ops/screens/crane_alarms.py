"""Its alarms (6): the crane's alarms as its own Alarms screen lists them by default (shown:
unacknowledged, acknowledged, returned unacknowledged), the most urgent first, and how many are
hidden (shelved, suppressed, out of service). ``a`` acknowledges the alarm under the cursor,
``s`` shelves it (a form: minutes and reason), ``u`` unshelves one of its shelved alarms (chosen
from them): the letters of the local HMI's Alarms screen, which take the place of START and
UNHOLD here. ``A`` acknowledges all of the crane's; ``o`` takes the alarm under the cursor out of
service (once confirmed; the maintenance role), ``i`` returns one to service (chosen)."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from crane_ctrl.alarms.states import HIDDEN, AlarmState
from crane_ctrl.fleet.fleet_view import ALARMS, CraneView, FleetView, crane_alarms
from hmi.ops.format import fleet_alarm_cells
from hmi.ops.screens.crane_base import CraneScreen
from hmi.widgets.line_table import Cells, LineTable
from hmi.widgets.text_line import TextLine

__all__ = ["CraneAlarmsScreen", "hidden_count"]

COLUMNS = ("state", "prio", "alarm", "since", "message")


def hidden_count(crane: CraneView) -> str:
    """``1 shelved · 2 suppressed``: the crane's hidden alarms by why, or ``""``."""
    counts: Counter[str] = Counter()
    for name, point in crane.metrics.items():
        if name.startswith(ALARMS) and point.value in {str(s) for s in HIDDEN}:
            counts[AlarmState(str(point.value)).name.lower().replace("_", " ")] += 1
    return " · ".join(f"{n} {why}" for why, n in sorted(counts.items()))


def _without_crane(cells: Cells) -> Cells:
    return cells[:2] + cells[3:]


class CraneAlarmsScreen(CraneScreen):
    NAME = "crane-alarms"
    AUTO_FOCUS = "#crane-alarm-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "acknowledge", "acknowledge the alarm"),
        Binding("s", "shelve", "shelve the alarm"),
        Binding("u", "unshelve", "unshelve one"),
        Binding("A", "acknowledge_all", "acknowledge all"),
        Binding("o", "out_of_service", "out of service"),
        Binding("i", "return_to_service", "return one to service"),
    ]

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="crane-alarm-count")
        yield LineTable(COLUMNS, id="crane-alarm-list")

    def show_crane(self, crane: CraneView, view: FleetView) -> None:
        alarms = crane_alarms(crane)
        hidden = hidden_count(crane)
        self.query_one("#crane-alarm-count", TextLine).show(
            f"{len(alarms)} alarm(s) shown" + (f" · hidden: {hidden}" if hidden else "")
        )
        rows = [(a.id, _without_crane(fleet_alarm_cells(a))) for a in alarms]
        self.query_one("#crane-alarm-list", LineTable).show(rows)

    def action_acknowledge(self) -> None:
        alarm = self._selected()
        if alarm is None:
            self.ops.say("acknowledge: no alarm under the cursor", refused=True)
            return
        self.ops.commands.send(self.ops.crane, "alarm.acknowledge", f"acknowledge {alarm}",
                               {"alarm": alarm})  # fmt: skip

    def action_shelve(self) -> None:
        self.ops.orders.shelve(self.ops.crane, self._selected())

    def action_unshelve(self) -> None:
        self.ops.orders.unshelve(self.ops.crane)

    def action_acknowledge_all(self) -> None:
        self.ops.orders.acknowledge_all(self.ops.crane)

    def action_out_of_service(self) -> None:
        self.ops.orders.out_of_service(self.ops.crane, self._selected())

    def action_return_to_service(self) -> None:
        self.ops.orders.return_to_service(self.ops.crane)

    def _selected(self) -> str | None:
        return self.query_one("#crane-alarm-list", LineTable).selected()
