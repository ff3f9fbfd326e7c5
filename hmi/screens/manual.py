"""Manual: jog hoist, trolley and gantry; lock, unlock, telescope; all through the interlocks.

A jog lasts the station's dead-man time (about 0.6 s) after the last key press; the terminal's
key repeat keeps it going while the key is held. The jog may be accepted and still refused by an
interlock at the next scan: the screen shows each direction's permit and every refusal with the
interlock's sentence.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from crane_ctrl.interlocks.evaluate import Motion, Trip
from crane_ctrl.operation.machine import ModeRules
from crane_ctrl.runtime.station import StationView
from hmi.format import ABNORMAL, axis_text, spreader_text
from hmi.screens.base import HmiScreen
from hmi.screens.bypass import BypassKeys
from hmi.screens.choice import ChoiceModal
from hmi.screens.machine_keys import MachineKeys
from hmi.widgets.text_line import TextLine

__all__ = ["JOG_KEYS", "ManualScreen", "permits_text"]

JOG_KEYS: tuple[tuple[str, str, int, str], ...] = (
    ("up", "hoist", 1, "hoist ↑"),
    ("down", "hoist", -1, "hoist ↓"),
    ("right", "trolley", 1, "trolley →"),
    ("left", "trolley", -1, "trolley ←"),
    ("pageup", "gantry", 1, "gantry +"),
    ("pagedown", "gantry", -1, "gantry -"),
)
"""Key, axis, direction, footer label."""
_JOG = Binding.Group("jog")
"""The six jog keys take one place in the footer (``?`` lists each)."""
_MOTIONS = (
    Motion.HOIST_UP, Motion.HOIST_DOWN, Motion.TROLLEY_FWD, Motion.TROLLEY_REV,
    Motion.GANTRY_FWD, Motion.GANTRY_REV, Motion.LOCK, Motion.UNLOCK, Motion.TELESCOPE,
)  # fmt: skip


def permits_text(view: StationView) -> Text:
    """Each hand motion on one line (all nine fit at 80x24): allowed, or blocked by which
    interlocks; then each blocking interlock once, in its own words and why; this scan's
    refusals."""
    rules = ModeRules.of(view.mode)
    jog = "—" if view.jog is None else f"{view.jog[0]} {view.jog[1]:+d}"
    head = f"{view.mode.name} · speed {rules.speed_factor:.0%} of rated · jogging {jog}"
    out = Text(head + "\n", "bold")
    if not rules.jog:
        out.append("[!] jogging needs MANUAL or MAINTENANCE mode (m), machine IDLE\n", ABNORMAL)
    permits = view.supervisor.permits
    blocking: dict[str, Trip] = {}
    for motion in _MOTIONS:
        trips = [] if permits is None else permits.why_not(motion)
        if not trips:
            out.append(f"  {motion!s:<10} allowed\n", "dim")
            continue
        out.append(f"  {motion!s:<10} [!] BLOCKED by {', '.join(t.id for t in trips)}\n", ABNORMAL)
        for trip in trips:
            blocking.setdefault(trip.id, trip)
    for trip in blocking.values():
        out.append(f"{trip.id}: {trip.interlock.sentence} ({trip.reason})\n")
    for refusal in view.supervisor.refusals:
        out.append(f"✗ refused: {refusal}\n", ABNORMAL)
    return out


class ManualScreen(MachineKeys, BypassKeys, HmiScreen):
    NAME = "manual"
    AUTO_FOCUS = None  # arrow keys jog; nothing focused may take them for scrolling
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, f"jog('{axis}', {d})", label, group=_JOG)
            for key, axis, d, label in JOG_KEYS
        ),
        Binding("space", "stop_jog", "stop"),
        Binding("l", "lock", "lock"),
        Binding("o", "unlock", "unlock"),
        Binding("e", "telescope", "telescope"),
        Binding("f", "confirm", "confirm landing"),
        Binding("m", "mode", "mode"),
        Binding("t", "machine('stop')", "stop"),
        Binding("r", "machine('reset')", "reset"),
        Binding("b", "bypass", "bypass (maint.)"),
        Binding("n", "end_bypass", "end bypass", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        for axis in ("gantry", "trolley", "hoist"):
            yield TextLine(id=f"axis-{axis}", classes="axis")
        yield TextLine(id="spreader")
        with VerticalScroll(id="body", can_focus=False):
            yield TextLine(id="permits")

    def show_body(self, view: StationView) -> None:
        s, params = view.supervisor.snapshot, self.hmi.bridge.station.params
        for axis in ("gantry", "trolley", "hoist"):
            line = axis_text(axis, s, view.supervisor.commands, params)
            self.query_one(f"#axis-{axis}", TextLine).show(line)
        self.query_one("#spreader", TextLine).show(spreader_text(s))
        self.query_one("#permits", TextLine).show(permits_text(view))

    async def action_jog(self, axis: str, direction: int) -> None:
        await self.hmi.act(f"jog {axis} {direction:+d}", self.hmi.bridge.station.jog, axis,
                           direction)  # fmt: skip

    async def action_stop_jog(self) -> None:
        await self.hmi.act("stopped", self.hmi.bridge.station.stop_jog)

    async def action_lock(self) -> None:
        await self.hmi.act("lock asked", self.hmi.bridge.station.lock)

    async def action_unlock(self) -> None:
        await self.hmi.act("unlock asked", self.hmi.bridge.station.unlock)

    async def action_confirm(self) -> None:
        await self.hmi.act("landing confirmed", self.hmi.bridge.station.confirm_landing)

    async def action_telescope(self) -> None:
        hmi = self.hmi

        async def chosen(size: int | None) -> None:
            if size is not None:
                await hmi.act(f"telescope to {size} ft", hmi.bridge.station.telescope, size)

        options = [(f"{size} ft", size) for size in (20, 40, 45)]
        await hmi.ask("telescope", ChoiceModal("Telescope the spreader to", options), chosen)
