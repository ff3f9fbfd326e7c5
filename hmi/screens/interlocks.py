"""Interlocks: why not. Every motion blocked now, by which interlock, in its own words.

A fault interlock that trips is abnormal (``▲ TRIP``, coloured); a permissive that is simply not
met during normal work (not landed, below travel height) reads ``■ NOT MET`` in the calm style.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from crane_ctrl.alarms.conditions import PERMISSIVE
from crane_ctrl.interlocks.evaluate import Motion, Permits, Trip
from crane_ctrl.runtime.station import StationView
from hmi.format import ABNORMAL, WARNING, time_of_day
from hmi.screens.base import HmiScreen
from hmi.screens.bypass import BypassKeys
from hmi.widgets.text_line import TextLine

__all__ = ["InterlocksScreen", "why_not_text"]


def _trip_text(trip: Trip, first_out: str | None, latched_at: str) -> Text:
    if trip.bypassed:
        out = Text(f"[!] BYPASSED {trip.id}", WARNING)
    elif trip.id in PERMISSIVE:
        out = Text(f"■ NOT MET {trip.id}")
    else:
        out = Text(f"▲ TRIP {trip.id}", ABNORMAL)
    if trip.id == first_out:
        out.append(" ◆ FIRST OUT", "bold")
    out.append(f"  {trip.interlock.sentence}\n")
    out.append(f"    why: {trip.reason}\n", "dim")
    blocks = " ".join(sorted(str(m) for m in trip.blocks))
    out.append(f"    blocks: {blocks}", "dim")
    since = f" at {latched_at}" if latched_at else ""
    if trip.cause_gone:
        out.append(f"   latched{since}, cause gone: r resets it", "bold")
    elif trip.latched:
        out.append(f"   latched{since}: reset once the cause is gone", "dim")
    if trip.fail_safe:
        out.append("   (data cannot be trusted: fail-safe)", "dim")
    out.append("\n")
    return out


def _motions_text(permits: Permits) -> Text:
    out = Text("Motions\n", "bold")
    for motion in Motion:
        trips = permits.why_not(motion)
        if trips:
            fault = any(t.id not in PERMISSIVE for t in trips)
            out.append(f"  {motion!s:<10}", ABNORMAL if fault else "")
            out.append(f"[!] BLOCKED by {', '.join(t.id for t in trips)}\n")
        else:
            out.append(f"  {motion!s:<10}allowed\n", "dim")
    return out


def why_not_text(view: StationView, offset_s: float) -> Text:
    """Every active trip (first-out marked, a latch with its wall time: the station's clock
    plus ``offset_s``), what each motion may do, what is not checked."""
    sup = view.supervisor
    permits = sup.permits
    if permits is None:
        return Text("? no scan yet: nothing is known, nothing moves", ABNORMAL)
    out = Text()
    if not permits.active:
        out.append("No interlock is active: every motion is allowed.\n\n", "dim")
    latches = permits.latched.latches
    for trip in permits.active:
        latch = latches.get(trip.id) if trip.latched else None
        when = "" if latch is None else time_of_day(latch.since_s, offset_s)
        out.append_text(_trip_text(trip, sup.first_out, when))
    out.append("\n")
    out.append_text(_motions_text(permits))
    if view.why_not_start:
        out.append("\nNo automatic start: " + "; ".join(view.why_not_start) + "\n", WARNING)
    for unchecked in permits.unchecked:
        out.append(f"\nnot checked: {unchecked.interlock} ({unchecked.signal} not in the "
                   f"profile): {unchecked.sentence}", "dim")  # fmt: skip
    for refusal in sup.refusals:
        out.append(f"\nrefused this scan: {refusal}", ABNORMAL)
    return out


class InterlocksScreen(BypassKeys, HmiScreen):
    NAME = "interlocks"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reset", "reset interlocks"),
        Binding("b", "bypass", "bypass (maint.)"),
        Binding("n", "end_bypass", "end bypass"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield TextLine(id="whynot")

    def show_body(self, view: StationView) -> None:
        offset = self.hmi.bridge.station.wall_offset_s
        self.query_one("#whynot", TextLine).show(why_not_text(view, offset))

    async def action_reset(self) -> None:
        await self.hmi.act("reset asked: latches whose cause is gone clear next scan",
                           self.hmi.bridge.station.reset)  # fmt: skip
