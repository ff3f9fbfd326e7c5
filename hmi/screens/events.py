"""Events: the journal (alarms, trips, refusals, operator actions, modes, links), filtered.

The journal is read here, on the HMI's thread, with a read-only connection beside the writer;
the station's loop never waits for it. The list reloads every :data:`RELOAD_EVERY_S` while the
screen is in front, or at once with ``r``.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select

from crane_ctrl.runtime.journal import Event, EventKind, JournalError, JournalReader
from crane_ctrl.runtime.since import parse_since
from crane_ctrl.runtime.station import StationView
from hmi.format import time_of_day
from hmi.screens.base import HmiScreen
from hmi.widgets.text_line import TextLine

__all__ = ["EVENT_LIMIT", "EventsScreen", "event_row"]

EVENT_LIMIT = 200
"""The most recent events shown."""
RELOAD_EVERY_S = 2.0


_TIMES = frozenset({"since", "until", "created", "deadline"})
"""Value keys (besides ``*_at`` and ``*_until``) that hold a time on the station's clock."""
_DECIMALS = 3
"""Decimals a number among an event's values keeps: millimetres, milliseconds, kilograms."""


def event_row(event: Event) -> tuple[str, str, str, str]:
    """Time of day, kind, subject, values. The values' own ``time`` (the station's scan clock,
    the same moment as the journal's wall time) is left out; other times in them are shown as
    wall time of day, placed by it; numbers are rounded."""
    anchor = event.values.get("time")
    offset = event.time - anchor if isinstance(anchor, int | float) else None
    values = " ".join(
        f"{k}={_value_text(k, v, offset)}" for k, v in event.values.items() if k != "time"
    )
    return time_of_day(event.time), str(event.kind), event.subject, values


def _value_text(key: str, value: object, offset: float | None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if offset is not None and (key in _TIMES or key.endswith(("_at", "_until"))):
        return time_of_day(value, offset)
    if isinstance(value, float):
        return f"{value:.{_DECIMALS}f}".rstrip("0").rstrip(".")
    return str(value)


class EventsScreen(HmiScreen):
    NAME = "events"
    AUTO_FOCUS = "#events"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "reload", "reload")]

    def __init__(self) -> None:
        super().__init__()
        self._reader: JournalReader | None = None
        self._loaded_at = 0.0
        self._last: tuple[int, ...] = ()

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="event-filters"):
            kinds = [("every kind", "")] + [(k.value, k.value) for k in EventKind]
            yield Select(kinds, value="", allow_blank=False, id="kind")
            yield Input(placeholder="subject (exact)", id="subject")
            yield Input(placeholder="since: 15m, 2h, 2026-11-23T07:00", id="since")
        yield TextLine(id="events-title")
        table: DataTable[str] = DataTable(id="events", cursor_type="row")
        table.add_columns("time", "kind", "subject", "values")
        yield table

    def show_body(self, view: StationView) -> None:
        del view
        if time.monotonic() - self._loaded_at >= RELOAD_EVERY_S:
            self.action_reload()

    @on(Select.Changed)
    @on(Input.Submitted)
    def action_reload(self) -> None:
        self._loaded_at = time.monotonic()
        title = self.query_one("#events-title", TextLine)
        try:
            events = self._query()
        except (JournalError, ValueError) as exc:
            title.show(f"[!] {exc}", abnormal=True)
            return
        path = self.hmi.journal_path
        title.show(f"{len(events)} most recent event(s) of {path} · r reloads")
        ids = tuple(e.id for e in events)
        if ids == self._last:
            return
        self._last = ids
        table = self.query_one("#events", DataTable)
        table.clear()
        for event in reversed(events):
            table.add_row(*event_row(event))

    def _query(self) -> list[Event]:
        if self.hmi.journal_path is None:
            raise JournalError("this HMI was started without a journal")
        if self._reader is None:
            self._reader = JournalReader(self.hmi.journal_path)
        kind = self.query_one("#kind", Select).value
        subject = self.query_one("#subject", Input).value.strip() or None
        since_text = self.query_one("#since", Input).value.strip()
        since = parse_since(since_text, time.time()) if since_text else None
        return self._reader.events(since=since, kind=kind if isinstance(kind, str) and kind
                                   else None, subject=subject, limit=EVENT_LIMIT)  # fmt: skip

    def on_unmount(self) -> None:
        if self._reader is not None:
            self._reader.close()
