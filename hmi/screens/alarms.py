"""Alarms (ISA-18.2): the list by priority, acknowledge, shelve, out of service, filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from crane_ctrl.alarms.states import AlarmState, AlarmView, Priority
from crane_ctrl.runtime.station import StationView
from hmi.format import ABNORMAL, WARNING, time_of_day
from hmi.screens.base import HmiScreen
from hmi.screens.choice import ChoiceModal
from hmi.widgets.alarm_banner import list_order
from hmi.widgets.text_line import TextLine

__all__ = ["FILTERS", "SHELVE_CHOICES", "AlarmsScreen", "alarm_mark", "alarm_row"]

_SHOWN = frozenset({AlarmState.UNACK, AlarmState.ACKED, AlarmState.RTN_UNACK})
_HIDDEN = frozenset({AlarmState.SHELVED, AlarmState.SUPPRESSED, AlarmState.OUT_OF_SERVICE})
FILTERS: tuple[tuple[str, Callable[[AlarmView], bool]], ...] = (
    ("shown", lambda a: a.state in _SHOWN),
    ("unacknowledged", lambda a: a.state in (AlarmState.UNACK, AlarmState.RTN_UNACK)),
    ("active", lambda a: a.active),
    ("hidden", lambda a: a.state in _HIDDEN),
    ("all", lambda a: True),
)
"""The state filters, in the order ``f`` steps through them."""
PRIORITIES: tuple[Priority | None, ...] = (None, Priority.HIGH, Priority.MEDIUM, Priority.LOW)
SHELVE_CHOICES: tuple[tuple[str, float], ...] = (
    ("5 minutes", 300.0), ("15 minutes", 900.0), ("1 hour", 3600.0), ("8 hours (a shift)", 28800.0)
)  # fmt: skip
_MARK = {
    AlarmState.UNACK: ("▲ UNACK", ABNORMAL),
    AlarmState.RTN_UNACK: ("△ RTN UNACK", WARNING),
    AlarmState.ACKED: ("■ ACKED", ""),
    AlarmState.SHELVED: ("⏸ SHELVED", "dim"),
    AlarmState.SUPPRESSED: ("∅ SUPPRESSED", "dim"),
    AlarmState.OUT_OF_SERVICE: ("✕ OUT OF SERV", "dim"),
    AlarmState.NORMAL: ("normal", "dim"),
}


def alarm_mark(state: AlarmState, suffix: str = "") -> Text:
    """``▲ UNACK``, ``■ ACKED`` ...: an alarm's state as its list shows it (text and style)."""
    mark, style = _MARK[state]
    return Text(mark + suffix, style)


def alarm_row(alarm: AlarmView, offset_s: float) -> tuple[Text | str, ...]:
    """The alarm's cells; its times (on the station's clock) as wall time with ``offset_s``."""
    first = " ◆" if alarm.first_out else ""
    who = alarm.acknowledged_by or ""
    if alarm.shelved_until is not None:
        who = f"until {time_of_day(alarm.shelved_until, offset_s)}"
    return (alarm_mark(alarm.state, first), alarm.priority.name, alarm.id,
            time_of_day(alarm.activated_at, offset_s), who, alarm.message)  # fmt: skip


class AlarmsScreen(HmiScreen):
    NAME = "alarms"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "acknowledge", "ack"),
        Binding("s", "shelve", "shelve"),
        Binding("u", "unshelve", "unshelve"),
        Binding("o", "out_of_service", "out of service"),
        Binding("f", "filter", "filter"),
        Binding("p", "priority", "priority"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self.priority_index = 0
        self._rows: tuple[tuple[str, tuple[Text | str, ...]], ...] | None = None

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="filters")
        table: DataTable[Text | str] = DataTable(
            id="alarms", cursor_type="row", zebra_stripes=False
        )
        table.add_columns("state", "prio", "alarm", "since", "by / until", "message")
        yield table

    def show_body(self, view: StationView) -> None:
        name, keep = FILTERS[self.filter_index]
        priority = PRIORITIES[self.priority_index]
        prio = "any" if priority is None else priority.name
        offset = self.hmi.bridge.station.wall_offset_s
        alarms = sorted((a for a in view.supervisor.alarms if keep(a)
                         and (priority is None or a.priority is priority)),
                        key=list_order)  # fmt: skip
        self.query_one("#filters", TextLine).show(
            f"filter f: {name} · priority p: {prio} · {len(alarms)} alarm(s)"
        )
        rows = tuple((a.id, alarm_row(a, offset)) for a in alarms)
        if rows != self._rows:
            self._rows = rows
            self._fill(rows)

    def _fill(self, rows: tuple[tuple[str, tuple[Text | str, ...]], ...]) -> None:
        table = self.query_one("#alarms", DataTable)
        selected = self.selected()
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        keys = [key for key, _ in rows]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))

    def selected(self) -> str | None:
        """The alarm id under the cursor, if any."""
        table = self.query_one("#alarms", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return None if key.value is None else str(key.value)

    async def chosen(self, what: str) -> str | None:
        """The alarm under the cursor; with none (the list is empty), ``what`` is refused."""
        alarm = self.selected()
        if alarm is None:
            shown, _ = FILTERS[self.filter_index]
            await self.hmi.refuse(what, f"{what}: no alarm chosen: the list (filter f: {shown}, "
                                  "priority p) shows none")  # fmt: skip
        return alarm

    async def action_acknowledge(self) -> None:
        alarm = await self.chosen("acknowledge")
        if alarm is not None:
            await self.hmi.act(f"{alarm} acknowledged", self.hmi.bridge.station.acknowledge, alarm)

    async def action_shelve(self) -> None:
        alarm, hmi = await self.chosen("shelve"), self.hmi
        if alarm is None:
            return

        async def chosen(seconds: float | None) -> None:
            if seconds is not None:
                await hmi.act(f"{alarm} shelved for {seconds / 60:g} min",
                              hmi.bridge.station.shelve, alarm, seconds)  # fmt: skip

        await hmi.ask("shelve", ChoiceModal(f"Shelve {alarm} for", SHELVE_CHOICES), chosen)

    async def action_unshelve(self) -> None:
        alarm = await self.chosen("unshelve")
        if alarm is not None:
            await self.hmi.act(f"{alarm} unshelved", self.hmi.bridge.station.unshelve, alarm)

    async def action_out_of_service(self) -> None:
        alarm = await self.chosen("out of service")
        if alarm is None:
            return
        oos = any(a.id == alarm and a.out_of_service for a in self.hmi.view.supervisor.alarms)
        what = "back in service" if oos else "out of service"
        await self.hmi.act(f"{alarm} {what}", self.hmi.bridge.station.set_out_of_service,
                           alarm, not oos)  # fmt: skip

    def action_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.show(self.hmi.view)

    def action_priority(self) -> None:
        self.priority_index = (self.priority_index + 1) % len(PRIORITIES)
        self.show(self.hmi.view)
