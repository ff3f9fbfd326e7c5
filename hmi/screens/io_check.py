"""I/O check: every signal of the loaded profile, its address, raw and engineering value, quality.

Status signals come from the scan's snapshot; command signals are what the scan wrote. The table
repaints at most :data:`IO_REFRESH_EVERY` refreshes (a table repaint is the HMI's dearest work)
and only the cells whose text changed.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable

from crane_ctrl.profile.model import Profile, SignalMapping
from crane_ctrl.runtime.station import StationView
from crane_ctrl.signals import SIGNALS, Value
from hmi.raw_values import raw_text, value_text
from hmi.screens.base import HmiScreen
from hmi.widgets.text_line import TextLine

__all__ = ["IO_REFRESH_EVERY", "IoCheckScreen", "io_rows"]

IO_REFRESH_EVERY = 5
"""Repaint the table every 5th refresh: 2 Hz at the HMI's 10 Hz."""
_COLUMNS = ("signal", "dir", "address", "raw", "value", "quality")


def io_rows(profile: Profile, view: StationView) -> dict[str, tuple[str, ...]]:
    """Signal name -> the row's cells, status signals first, then commands."""
    sup = view.supervisor
    snapshot = sup.snapshot
    size = snapshot.number("spreader.size")
    written = sup.commands.signals(sup.heartbeat, int(size or 40))
    write = "no write yet" if sup.write is None else "written" if sup.write.ok else "write failed"
    rows: dict[str, tuple[str, ...]] = {}
    names = sorted(profile.signals, key=lambda name: SIGNALS[name].is_command)
    for name in names:
        mapping: SignalMapping = profile.signals[name]
        spec = SIGNALS[name]
        value: Value | None
        if spec.is_command:
            value, quality = written.get(name), write
        else:
            reading = snapshot.reading(name)
            value = reading.value
            quality = str(reading.quality) + (f": {reading.reason}" if reading.reason else "")
        direction = "out" if spec.is_command else "in"
        rows[name] = (name, direction, mapping.place(), raw_text(name, mapping, value),
                      value_text(value, spec.unit), quality)  # fmt: skip
    return rows


class IoCheckScreen(HmiScreen):
    NAME = "io"

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, tuple[str, ...]] = {}
        self._profile: Profile | None = None
        self._tick = 0

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="io-title")
        table: DataTable[str] = DataTable(id="io", cursor_type="row")
        for column in _COLUMNS:
            table.add_column(column, key=column)
        yield table

    def show_body(self, view: StationView) -> None:
        profile = self.hmi.bridge.station.profile
        self._tick += 1
        if profile is self._profile and self._tick % IO_REFRESH_EVERY:
            return
        self.query_one("#io-title", TextLine).show(
            f"{profile.name} ({profile.protocol}) · {len(profile.signals)} signals · raw is "
            "rebuilt from each value by the profile's codec"
        )
        rows = io_rows(profile, view)
        table = self.query_one("#io", DataTable)
        if profile is not self._profile or rows.keys() != self._rows.keys():
            self._profile = profile
            table.clear()
            for name, cells in rows.items():
                table.add_row(*cells, key=name)
        else:
            for name, cells in rows.items():
                for column, new, old in zip(_COLUMNS, cells, self._rows[name], strict=True):
                    if new != old:
                        table.update_cell(name, column, new)
        self._rows = rows
