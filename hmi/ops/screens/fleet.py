"""Fleet: one row per crane, the most urgent first (offline or stale, then an alarm to
acknowledge, then a landing waiting for an operator, then anything else out of the ordinary).
Enter drills into the crane; ``s`` sorts by name instead; ``f`` filters by name."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input

from crane_ctrl.fleet.fleet_view import CraneKey, CraneRow, FleetView, crane_row
from hmi.ops.format import ROW_COLUMNS, crane_row_cells
from hmi.ops.screens.base import OpsScreen
from hmi.widgets.line_table import LineTable
from hmi.widgets.text_line import TextLine

__all__ = ["FleetScreen", "fleet_rows"]

SORTS = ("urgency", "name")


def fleet_rows(view: FleetView, *, sort: str = "urgency", name: str = "") -> list[CraneRow]:
    """The rows of the cranes whose name holds ``name``, sorted by urgency or by name."""
    rows = [crane_row(c, view.time_ms) for c in view.cranes if name.lower() in str(c.key).lower()]
    if sort == "urgency":
        rows.sort(key=CraneRow.sort_key)
    return rows


class FleetScreen(OpsScreen):
    NAME = "fleet"
    AUTO_FOCUS = "#cranes"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort", "sort"),
        Binding("f", "filter", "filter by name"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort_index = 0
        self._keys: dict[str, CraneKey] = {}

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="f: filter by crane name", id="name-filter")
        yield TextLine(id="sorted")
        yield LineTable(ROW_COLUMNS, id="cranes")

    def show_body(self, view: FleetView) -> None:
        sort = SORTS[self.sort_index]
        name = self.query_one("#name-filter", Input).value.strip()
        rows = fleet_rows(view, sort=sort, name=name)
        shown = f"{len(rows)} of {len(view.cranes)} cranes" if name else f"{len(rows)} cranes"
        self.query_one("#sorted", TextLine).show(f"sorted by {sort} (s) · {shown} · Enter "
                                                 "drills into the crane")  # fmt: skip
        self._keys = {str(r.key): r.key for r in rows}
        self.query_one("#cranes", LineTable).show([(str(r.key), crane_row_cells(r)) for r in rows])

    def on_input_changed(self, event: Input.Changed) -> None:
        del event
        self.show(self.ops.view)

    def on_line_table_selected(self, event: LineTable.Selected) -> None:
        key = self._keys.get(event.key)
        if key is not None:
            self.ops.open_crane(key)

    def target(self) -> CraneKey | None:
        return self._keys.get(self.query_one("#cranes", LineTable).selected() or "")

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.show(self.ops.view)

    def action_filter(self) -> None:
        self.query_one("#name-filter", Input).focus()
