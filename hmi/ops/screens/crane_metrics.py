"""Metrics (7): every metric the crane declared in its birth, with its value, unit and the time
the crane read it, in the order of the birth; then the historical values received last."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from crane_ctrl.fleet.fleet_view import CraneView, FleetView, MetricPoint
from hmi.ops.format import at
from hmi.ops.screens.crane_base import CraneScreen
from hmi.widgets.line_table import Cells, LineTable
from hmi.widgets.text_line import TextLine

__all__ = ["CraneMetricsScreen", "metric_cells"]

COLUMNS = ("metric", "value", "unit", "read at")


def metric_cells(name: str, point: MetricPoint, live: bool) -> Cells:
    if point.value is None:
        value = Text("null (none, or not trusted at the crane)", "dim")
    else:
        value = Text(f"{point.value:.3f}" if isinstance(point.value, float) else str(point.value),
                     "" if live else "dim")  # fmt: skip
    return name, value, point.unit, at(point.timestamp_ms)


class CraneMetricsScreen(CraneScreen):
    NAME = "metrics"
    AUTO_FOCUS = "#metric-list"

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="metric-count")
        yield LineTable(COLUMNS, id="metric-list")

    def show_crane(self, crane: CraneView, view: FleetView) -> None:
        count = f"{len(crane.metrics)} metrics"
        if crane.history:
            last = crane.history[-1]
            count += (f" · {len(crane.history)} historical value(s), last {last.name} = "
                      f"{last.value} at {at(last.timestamp_ms)}")  # fmt: skip
        self.query_one("#metric-count", TextLine).show(count)
        rows = [(n, metric_cells(n, p, crane.online)) for n, p in crane.metrics.items()]
        self.query_one("#metric-list", LineTable).show(rows)
