"""Crane (4): the crane drilled into as its own Overview shows it, from its Sparkplug metrics:
axes, load and wind with their trends, spreader, PLC, and the step (or why no automatic start,
or the landing waiting for an operator). Not drawn: the elevation (the site and the crane's
geometry are not published)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal

from crane_ctrl.fleet.fleet_view import CraneKey, CraneView, FleetView
from hmi.format import ABNORMAL, WARNING, arrow, reading_text
from hmi.ops.format import point_reading
from hmi.ops.screens.crane_base import CraneScreen
from hmi.widgets.text_line import TextLine
from hmi.widgets.trend import Trend

__all__ = ["CraneOverviewScreen", "axis_line", "plc_line", "spreader_line", "step_line"]

AXES = ("gantry", "trolley", "hoist")


def axis_line(axis: str, crane: CraneView) -> Text:
    """``Gantry    12.31 m  → +0.50 m/s`` (``?`` and why, for a value not trusted or not live)."""
    title = axis.capitalize()
    position = point_reading(crane.metrics.get(f"{title}/Position"), crane)
    speed = crane.number(f"{title}/Speed")
    out = Text(f"{title:<8}")
    out.append_text(reading_text(position, "7.2f", "m"))
    out.append(f"  {arrow(axis, speed)} " + ("?" if speed is None else f"{speed:+5.2f}") + " m/s")
    return out


def _flag(crane: CraneView, name: str) -> bool | None:
    value = crane.value(name)
    return value if isinstance(value, bool) else None


def spreader_line(crane: CraneView) -> Text:
    """``Spreader 40 ft  LOCKED  landed``; ``[!] MIXED`` when neither all locked nor unlocked."""
    size = crane.number("Spreader/Size")
    size_text = "? ft" if size is None else "telescoping" if size == 0 else f"{size:.0f} ft"
    locked, unlocked = _flag(crane, "Spreader/Locked"), _flag(crane, "Spreader/Unlocked")
    out = Text(f"Spreader {size_text:<11} ")
    if locked:
        out.append("LOCKED   ")
    elif unlocked:
        out.append("UNLOCKED ")
    elif locked is None or unlocked is None:
        out.append("[!] UNKNOWN", ABNORMAL)
    else:
        out.append("[!] MIXED", ABNORMAL)
    landed = _flag(crane, "Spreader/Landed")
    out.append(" landed" if landed else " ? landing unknown" if landed is None else " not landed",
               "dim")  # fmt: skip
    return out


def plc_line(crane: CraneView) -> tuple[Text, bool]:
    """``PLC remote · e-stop chain closed``; the abnormal with ``[!]``."""
    remote, estop = _flag(crane, "PLC/Remote"), _flag(crane, "PLC/E-stop ok")
    out = Text("PLC ")
    abnormal = remote is not True or estop is not True
    out.append("remote" if remote else "[!] LOCAL (not remote)" if remote is False else "? remote",
               "" if remote else ABNORMAL)  # fmt: skip
    out.append(" · ")
    out.append("e-stop chain closed" if estop else "▲ E-STOP" if estop is False else "? e-stop",
               "" if estop else ABNORMAL)  # fmt: skip
    bypass = crane.text("Operation/Bypass")
    if bypass:
        out.append(f" · [!] BYPASSED {bypass}", WARNING)
    return out, abnormal or bool(bypass)


def step_line(crane: CraneView) -> tuple[Text, bool]:
    """What the crane waits for, as its own Overview says it."""
    why_not = crane.text("Why not/Start")
    if why_not:
        return Text(f"[!] no automatic start: {why_not}", ABNORMAL), True
    awaiting = crane.text("Operation/Awaiting confirm")
    if awaiting:
        return Text(f"[!] jog the landing and confirm: {awaiting}", WARNING), True
    detail = crane.text("Job/Detail") or crane.text("Operation/State reason")
    return Text(detail or "no step", "" if detail else "dim"), False


class CraneOverviewScreen(CraneScreen):
    NAME = "crane"

    def __init__(self) -> None:
        super().__init__()
        self._trended: CraneKey | None = None

    def compose_body(self) -> ComposeResult:
        for axis in AXES:
            yield TextLine(id=f"axis-{axis}", classes="axis")
        with Horizontal(id="trends"):
            yield Trend(id="load")
            yield Trend(id="wind")
        yield TextLine(id="spreader")
        yield TextLine(id="plc")
        yield TextLine(id="step")

    def show_crane(self, crane: CraneView, view: FleetView) -> None:
        for axis in AXES:
            self.query_one(f"#axis-{axis}", TextLine).show(axis_line(axis, crane))
        self._trends(crane)
        self.query_one("#spreader", TextLine).show(spreader_line(crane))
        plc, abnormal = plc_line(crane)
        self.query_one("#plc", TextLine).show(plc, abnormal=abnormal)
        step, waiting = step_line(crane)
        self.query_one("#step", TextLine).show(step, abnormal=waiting)

    def _trends(self, crane: CraneView) -> None:
        load, wind = self.query_one("#load", Trend), self.query_one("#wind", Trend)
        if crane.key != self._trended:  # another crane: its own trend, not the last one's
            load.samples.clear()
            wind.samples.clear()
            self._trended = crane.key
        for trend, name, title, unit in ((load, "Hoist/Load", "Load", "t"),
                                         (wind, "Environment/Wind", "Wind", "m/s")):  # fmt: skip
            reading = point_reading(crane.metrics.get(name), crane)
            text = Text(f"{title} ").append_text(reading_text(reading, "5.1f", unit))
            trend.push(crane.number(name) if crane.online else None, text)
