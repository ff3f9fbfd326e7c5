"""Comms: the link to the PLC, round-trip time, scan time p50/p99, lateness, reconnects, and the
station's notes (the demo: where the simulator's fault channel and the journal are, and that
``f`` here opens the simulator's fault panel, :mod:`hmi.screens.faults`, for a maintenance user).
The key is left out of the footer (a real PLC has no fault channel: there it only says so); the
``?`` overlay and the command palette name it."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from crane_ctrl.link_report import LinkState
from crane_ctrl.runtime.station import StationView
from hmi.format import ABNORMAL
from hmi.screens.base import HmiScreen
from hmi.screens.faults import open_fault_panel
from hmi.widgets.text_line import TextLine
from hmi.widgets.trend import Trend

__all__ = ["CommsScreen", "comms_text", "notes_text"]


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


def comms_text(view: StationView) -> Text:
    sup = view.supervisor
    link, stats, s = sup.link, sup.stats, sup.snapshot
    out = Text(f"link       {link.name}\n")
    state = f"state      {str(link.state).upper()}"
    if link.state is LinkState.UP:
        out.append(state + "\n")
    else:
        out.append(f"[!] {state}\n", ABNORMAL)
    out.append(f"reconnects {link.reconnects} · requests {link.requests} · "
               f"failures {link.failures}\n")  # fmt: skip
    if link.last_error:
        out.append(f"last error {link.last_error}\n", "dim")
    if s.comms_ok:
        out.append("data       trusted (fresh, heartbeat alive)\n")
    else:
        out.append(f"[!] data   NOT TRUSTED: {s.comms_reason}\n", ABNORMAL)
    out.append(f"scans      {stats.scans} · last {_ms(stats.last_scan_s)} · p50 "
               f"{_ms(stats.p50_scan_s)} · p99 {_ms(stats.p99_scan_s)}\n")  # fmt: skip
    out.append(f"lateness   p99 {_ms(stats.p99_lateness_s)} · overruns {stats.overruns}\n")
    write = "none yet" if sup.write is None else "ok" if sup.write.ok else sup.write.error
    out.append(f"last write {write} · heartbeat {sup.heartbeat}\n", "dim")
    since = datetime.now().timestamp() - (s.time_s - link.since)
    out.append(f"state since {datetime.fromtimestamp(since):%H:%M:%S}", "dim")
    return out


def notes_text(notes: tuple[str, ...]) -> Text:
    """The station's notes, a line each (none: nothing)."""
    return Text("\n".join(f"note       {note}" for note in notes), "dim")


class CommsScreen(HmiScreen):
    NAME = "comms"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "faults", "simulator faults (demo; maint.)", show=False),
    ]

    async def action_faults(self) -> None:
        """The simulator's fault panel (demo and test rigs, maintenance; else why not)."""
        await open_fault_panel(self.hmi)

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="comms")
        yield TextLine(id="notes")
        yield Trend(id="rtt")
        yield Trend(id="scan")

    def show_body(self, view: StationView) -> None:
        sup = view.supervisor
        self.query_one("#comms", TextLine).show(comms_text(view))
        self.query_one("#notes", TextLine).show(notes_text(self.hmi.notes))
        rtt = sup.link.round_trip_s
        self.query_one("#rtt", Trend).push(
            None if rtt is None else rtt * 1000, Text(f"round trip {_ms(rtt)}")
        )
        last = sup.stats.last_scan_s
        self.query_one("#scan", Trend).push(last * 1000, Text(f"scan time {_ms(last)}"))
