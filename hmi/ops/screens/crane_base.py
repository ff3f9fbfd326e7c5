"""What the crane screens (4..7) share: the crane drilled into, whether what they show is live,
its mode, state, job and PLC link; the keys of its own HMI's machine commands (Overview, Jobs):
``r`` reset, ``s`` start, ``h`` hold, ``u`` unhold, ``t`` stop, ``c`` clear, ``ctrl+x`` abort
(once confirmed), ``m`` mode; and its job orders: ``j`` adds one (a form), ``x`` cancels one.
A screen whose own key takes one of these letters says so in its footer, as on the local HMI
(5 Interlocks: ``r`` resets the interlocks; 6 Its alarms: ``s`` shelves, ``u`` unshelves).
Escape back to the fleet."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer

from crane_ctrl.fleet.fleet_view import CraneView, FleetView
from crane_ctrl.operation.machine import PackCommand
from hmi.format import ABNORMAL, progress_bar
from hmi.ops.format import presence_text
from hmi.ops.screens.base import OpsScreen
from hmi.screens.machine_keys import PACKML_BINDINGS
from hmi.widgets.text_line import TextLine

__all__ = ["CRANE_BINDINGS", "CraneScreen", "crane_status_text", "crane_text"]

CRANE_BINDINGS: list[BindingType] = [
    Binding("escape,backspace", "back", "back to the fleet"),
    *PACKML_BINDINGS,
    Binding("m", "mode", "mode"),
    Binding("j", "add_job", "job order"),
    Binding("x", "cancel_job", "cancel job"),
    Binding("d", "set_down", "set down"),
]
"""The keys of every crane screen (the letters of the local HMI's :data:`MACHINE_BINDINGS
<hmi.screens.machine_keys.MACHINE_BINDINGS>`; ``j`` for the job form, whose local ``a`` is the
acknowledge here)."""


def crane_text(crane: CraneView, now_ms: int) -> tuple[Text, bool]:
    """``block-A/ASC-07 · online since 14:03:27 · bdSeq 3 · heard 0.3 s ago``, or why not online
    (the values shown then are its last known); whether that is abnormal."""
    out = Text(f"{crane.key} ", "bold")
    out.append_text(presence_text(crane.presence, crane.since_ms))
    if not crane.online:
        out.append(f": {crane.why} · the values shown are the last known", ABNORMAL)
    out.append(f" · bdSeq {crane.bd_seq} · {crane.births} birth(s)", "dim")
    if crane.heard_ms is not None:
        out.append(f" · heard {(now_ms - crane.heard_ms) / 1000:.1f} s ago", "dim")
    if crane.seq_gaps or crane.rebirths_asked:
        out.append(f" · {crane.seq_gaps} seq gap(s), {crane.rebirths_asked} rebirth(s) asked",
                   "dim")  # fmt: skip
    return out, not crane.online


def crane_status_text(crane: CraneView) -> Text:
    """``FULLAUTOMATIC · EXECUTE · J1 lower ███░░ 30 % · link up · rtt 2.1 ms · scan p99 3 ms``."""
    mode, state = crane.text("Operation/Mode"), crane.text("Operation/State")
    out = Text(f"{(mode or '?').upper()} · {(state or '?').upper()}", "bold")
    job, step = crane.text("Job/Id"), crane.text("Job/Step")
    progress = crane.number("Job/Progress")
    if job is None:
        out.append(" · no job running", "dim")
    else:
        out.append(f" · {job} {step or '-'}")
        if progress is not None:
            out.append(f" {progress_bar(progress, 8)} {progress:4.0%}")
    queued = crane.value("Job/Queued")
    out.append(f" · {queued} queued" if queued else "")
    link, rtt = crane.text("Link/State"), crane.number("Link/Round trip")
    p99 = crane.number("Scan/P99")
    if link == "up":
        out.append(" · link up" + ("" if rtt is None else f" · rtt {rtt:.1f} ms"))
    else:
        out.append(f" · [!] link {(link or '?').upper()}", ABNORMAL)
    out.append("" if p99 is None else f" · scan p99 {p99:.1f} ms", "dim")
    return out


class CraneScreen(OpsScreen):
    """A screen of the crane drilled into: :meth:`show_crane` fills it."""

    BINDINGS: ClassVar[list[BindingType]] = CRANE_BINDINGS

    def compose(self) -> ComposeResult:
        yield TextLine(id="screens")
        yield TextLine(id="banner")
        yield TextLine(id="status")
        yield TextLine(id="crane")
        yield TextLine(id="crane-status")
        yield from self.compose_body()
        yield TextLine(id="message")
        yield Footer()

    def show_body(self, view: FleetView) -> None:
        key = self.ops.crane
        crane = None if key is None else view.crane(key)
        if crane is None:
            self.query_one("#crane", TextLine).show(
                Text("no crane chosen: Enter on a crane of 1 Fleet", "dim"))  # fmt: skip
            self.query_one("#crane-status", TextLine).show("")
            return
        text, abnormal = crane_text(crane, view.time_ms)
        self.query_one("#crane", TextLine).show(text, abnormal=abnormal)
        self.query_one("#crane-status", TextLine).show(crane_status_text(crane))
        self.show_crane(crane, view)

    def show_crane(self, crane: CraneView, view: FleetView) -> None:
        del crane, view

    def action_back(self) -> None:
        self.app.switch_mode("fleet")

    def action_machine(self, command: str) -> None:
        self.ops.orders.machine(self.ops.crane, PackCommand(command))

    def action_mode(self) -> None:
        self.ops.orders.mode(self.ops.crane)

    def action_add_job(self) -> None:
        self.ops.orders.add_job(self.ops.crane)

    def action_cancel_job(self) -> None:
        self.ops.orders.cancel_job(self.ops.crane)

    def action_set_down(self) -> None:
        self.ops.orders.set_down(self.ops.crane)
