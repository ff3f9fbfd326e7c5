"""Interlocks (5): why not, for the crane drilled into: what each motion may do and, when one
is blocked, the blocking interlocks' own sentences (the ``Why not/...`` metrics), why no
automatic start, the bypass in force. ``r`` resets the latched interlocks whose cause is gone
(``interlocks.reset``), as on the local HMI's Interlocks screen (the machine's RESET: ``r`` on
the other crane screens)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from crane_ctrl.fleet.fleet_view import CraneView, FleetView
from hmi.format import ABNORMAL, WARNING
from hmi.ops.screens.crane_base import CraneScreen
from hmi.widgets.text_line import TextLine

__all__ = ["CraneInterlocksScreen", "why_not_text"]

WHY_NOT = "Why not/"
START = "Why not/Start"


def why_not_text(crane: CraneView) -> Text:
    """Blocked motions with their sentences, allowed ones dim, then start and bypass."""
    blocked = crane.text("Interlocks/Blocked")
    out = Text()
    if blocked:
        out.append(f"[!] blocked: {blocked}\n\n", ABNORMAL)
    else:
        out.append("No motion is blocked.\n\n", "dim")
    out.append("Motions\n", "bold")
    for name, point in crane.metrics.items():  # in the order of the crane's birth
        if not name.startswith(WHY_NOT) or name == START:
            continue
        motion = name.removeprefix(WHY_NOT)
        if point.value:
            out.append(f"  {motion:<16}", ABNORMAL)
            out.append(f"[!] BLOCKED: {point.value}\n")
        else:
            out.append(f"  {motion:<16}allowed\n", "dim")
    start = crane.text(START)
    if start:
        out.append(f"\nNo automatic start: {start}\n", WARNING)
    bypass = crane.text("Operation/Bypass")
    if bypass:
        out.append(f"\n[!] BYPASSED: {bypass}\n", WARNING)
    if not crane.online:
        out.append("\n? the crane is not online: this is what it last said", WARNING)
    return out


class CraneInterlocksScreen(CraneScreen):
    NAME = "interlocks"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reset_interlocks", "reset interlocks"),
        Binding("n", "end_bypass", "end bypass"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield TextLine(id="whynot")

    def show_crane(self, crane: CraneView, view: FleetView) -> None:
        self.query_one("#whynot", TextLine).show(why_not_text(crane))

    def action_reset_interlocks(self) -> None:
        self.ops.orders.reset_interlocks(self.ops.crane)

    def action_end_bypass(self) -> None:
        self.ops.orders.end_bypass(self.ops.crane)
