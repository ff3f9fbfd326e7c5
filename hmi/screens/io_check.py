"""I/O check: every signal of the loaded profile, its address, raw and engineering value, quality;
then the profile's points (``[points]``: raw vendor points that are no canonical signal) with
their value, unit and what they mean.

Status signals come from the scan's snapshot; command signals are what the scan wrote; points
come from the snapshot too, shown apart from the signals under their own caption (no interlock
reads them). The tables repaint at most every :data:`IO_REFRESH_EVERY` refreshes (a table repaint
is the HMI's dearest work) and only the cells whose text changed.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable

from crane_ctrl.profile.derived import point_spec
from crane_ctrl.profile.model import Profile, SignalMapping
from crane_ctrl.runtime.station import StationView
from crane_ctrl.signals import SIGNALS, Value
from crane_ctrl.snapshot import Reading
from hmi.raw_values import raw_text, value_text
from hmi.screens.base import HmiScreen
from hmi.widgets.text_line import TextLine

__all__ = ["IO_REFRESH_EVERY", "IoCheckScreen", "io_rows", "point_rows"]

IO_REFRESH_EVERY = 5
"""Repaint the tables every 5th refresh: 2 Hz at the HMI's 10 Hz."""
_COLUMNS = ("signal", "dir", "address", "raw", "value", "quality")
_POINT_COLUMNS = ("point", "address", "raw", "value", "quality", "text")
Rows = dict[str, tuple[str, ...]]


def io_rows(profile: Profile, view: StationView) -> Rows:
    """Signal name -> the row's cells, status signals first, then commands."""
    sup = view.supervisor
    snapshot = sup.snapshot
    size = snapshot.number("spreader.size")
    written = sup.commands.signals(sup.heartbeat, int(size or 40))
    write = "no write yet" if sup.write is None else "written" if sup.write.ok else "write failed"
    rows: Rows = {}
    names = sorted(profile.signals, key=lambda name: SIGNALS[name].is_command)
    for name in names:
        mapping: SignalMapping = profile.signals[name]
        spec = SIGNALS[name]
        value: Value | None
        if spec.is_command:
            value, quality = written.get(name), write
        else:
            reading = snapshot.reading(name)
            value, quality = reading.value, _quality(reading)
        direction = "out" if spec.is_command else "in"
        rows[name] = (name, direction, mapping.place(), raw_text(name, mapping, value),
                      value_text(value, spec.unit), quality)  # fmt: skip
    return rows


def point_rows(profile: Profile, view: StationView) -> Rows:
    """Point name -> the row's cells: address, raw, value (with unit, or the code's text),
    quality and what the point means."""
    snapshot = view.supervisor.snapshot
    rows: Rows = {}
    for name, m in profile.points.items():
        reading = snapshot.point(name)
        raw = raw_text(name, m, reading.value, point_spec(name, m))
        rows[name] = (name, m.place(), raw, m.value_text(reading.value), _quality(reading), m.text)
    return rows


def _quality(reading: Reading) -> str:
    return str(reading.quality) + (f": {reading.reason}" if reading.reason else "")


class IoCheckScreen(HmiScreen):
    NAME = "io"

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, Rows] = {"io": {}, "io-points": {}}
        self._profile: Profile | None = None
        self._tick = 0

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="io-title")
        yield _table("io", _COLUMNS)
        yield TextLine(id="io-points-title", classes="caption")
        yield _table("io-points", _POINT_COLUMNS)

    def show_body(self, view: StationView) -> None:
        profile = self.hmi.bridge.station.profile
        self._tick += 1
        if profile is self._profile and self._tick % IO_REFRESH_EVERY:
            return
        self.query_one("#io-title", TextLine).show(
            f"{profile.name} ({profile.protocol}) · {len(profile.signals)} signals · raw is "
            "rebuilt from each value by the profile's codec"
        )
        self.query_one("#io-points-title", TextLine).show(
            f"{len(profile.points)} points of the PLC: no canonical signals, read by no "
            "interlock; the profile's alarms may read them"
        )
        has_points = bool(profile.points)
        self.query_one("#io-points-title", TextLine).display = has_points
        self.query_one("#io-points", DataTable).display = has_points
        swapped = profile is not self._profile
        self._profile = profile
        self._fill("io", _COLUMNS, io_rows(profile, view), rebuild=swapped)
        self._fill("io-points", _POINT_COLUMNS, point_rows(profile, view), rebuild=swapped)

    def _fill(self, table_id: str, columns: tuple[str, ...], rows: Rows, *, rebuild: bool) -> None:
        """Show ``rows`` in the table: all of them after a profile swap (or when the rows are
        others), else only the cells whose text changed."""
        table = self.query_one(f"#{table_id}", DataTable)
        old = self._rows[table_id]
        if rebuild or rows.keys() != old.keys():
            table.clear()
            for name, cells in rows.items():
                table.add_row(*cells, key=name)
        else:
            for name, cells in rows.items():
                for column, new, before in zip(columns, cells, old[name], strict=True):
                    if new != before:
                        table.update_cell(name, column, new)
        self._rows[table_id] = rows


def _table(table_id: str, columns: tuple[str, ...]) -> DataTable[str]:
    table: DataTable[str] = DataTable(id=table_id, cursor_type="row")
    for column in columns:
        table.add_column(column, key=column)
    return table
