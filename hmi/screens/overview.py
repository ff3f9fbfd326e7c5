"""Overview: the crane in its yard, its axes, load and wind trends, spreader, job and step."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal

from crane_ctrl.runtime.station import StationView
from hmi.format import ABNORMAL, WARNING, axis_text, reading_text, spreader_text
from hmi.screens.base import HmiScreen
from hmi.screens.machine_keys import MACHINE_BINDINGS, MachineKeys
from hmi.widgets.elevation import Elevation
from hmi.widgets.text_line import TextLine
from hmi.widgets.trend import Trend

__all__ = ["OverviewScreen"]

AXES = ("gantry", "trolley", "hoist")


class OverviewScreen(MachineKeys, HmiScreen):
    NAME = "overview"
    BINDINGS: ClassVar[list[BindingType]] = MACHINE_BINDINGS

    def compose_body(self) -> ComposeResult:
        station = self.hmi.bridge.station
        yield Elevation(station.site, station.params, id="elevation")
        for axis in AXES:
            yield TextLine(id=f"axis-{axis}", classes="axis")
        with Horizontal(id="trends"):
            yield Trend(id="load")
            yield Trend(id="wind")
        yield TextLine(id="spreader")
        yield TextLine(id="step")

    def show_body(self, view: StationView) -> None:
        s, params = view.supervisor.snapshot, self.hmi.bridge.station.params
        self.query_one(Elevation).show(view)
        for axis in AXES:
            line = axis_text(axis, s, view.supervisor.commands, params)
            self.query_one(f"#axis-{axis}", TextLine).show(line)
        load = s.number("hoist.load")
        overload = load is not None and load > params.swl_t
        load_text = Text("Load ").append_text(reading_text(s.reading("hoist.load"), "5.1f", "t"))
        if overload:
            load_text.append(" ▲ OVERLOAD", ABNORMAL)
        self.query_one("#load", Trend).push(load, load_text, abnormal=overload)
        self._show_wind(view)
        self.query_one("#spreader", TextLine).show(spreader_text(s))
        step, abnormal = _step_text(view)
        self.query_one("#step", TextLine).show(step, abnormal=abnormal)

    def _show_wind(self, view: StationView) -> None:
        s, params = view.supervisor.snapshot, self.hmi.bridge.station.params
        wind = s.number("env.wind")
        text = Text("Wind ").append_text(reading_text(s.reading("env.wind"), "5.1f", "m/s"))
        abnormal = wind is not None and wind >= params.wind_prealarm_mps
        if wind is not None and wind >= params.wind_stop_mps:
            text.append(" ▲ STOP", ABNORMAL)
        elif abnormal:
            text.append(" [!] PRE-ALARM", WARNING)
        self.query_one("#wind", Trend).push(wind, text, abnormal=abnormal)


def _step_text(view: StationView) -> tuple[Text, bool]:
    if view.found_at_start:  # a box left hanging by a station killed mid-job, say
        return Text(f"[!] {view.found_at_start}", ABNORMAL), True
    if view.why_not_start:
        out = Text("[!] no automatic start: ", ABNORMAL)
        out.append("; ".join(view.why_not_start))
        return out, True
    if view.awaiting_confirm:
        return Text(f"[!] jog the landing and confirm: {view.awaiting_confirm}", WARNING), True
    detail = view.step_detail or (view.machine_reason and f"machine: {view.machine_reason}")
    queued = f" · {len(view.queued)} queued" if view.queued else ""
    return Text(f"{detail or 'no step'}{queued}", "dim" if not detail else ""), False
