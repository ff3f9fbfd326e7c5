"""Landing: the SEMIAUTOMATIC landing this operations centre took (``t`` on the queue), jogged
down by hand and confirmed from here.

Each key press of a jog key sends one jog, which the crane holds for its dead-man time (0.6 s);
the terminal's key repeat keeps it going while the key is held (a repeat at most every 0.2 s:
the command path paces them). Let go, and the repeats stop: the crane stops the jog by itself,
in its scan; space stops it at once. The same happens when the path to the crane is lost or
late: the crane stops, whatever this screen last sent. So the screen shows what the crane says
it does (its speeds and positions from its metrics, and how old they are), never what was sent.
``c`` confirms the landing (refused by the crane until all four landing pins are pressed), and
the queue comes back for the next; ``r`` or Escape gives the landing back.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from crane_ctrl.fleet.command_path import Answer
from crane_ctrl.fleet.fleet_view import CraneKey, CraneView, FleetView
from hmi.format import ABNORMAL, WARNING
from hmi.ops.screens.base import OpsScreen
from hmi.ops.screens.crane_base import crane_text
from hmi.ops.screens.crane_overview import AXES, axis_line, spreader_line
from hmi.screens.manual import JOG_KEYS
from hmi.widgets.text_line import TextLine

__all__ = ["LandingScreen", "holder_text", "motion_text"]

_JOG = Binding.Group("jog")
MOVING_MS = 0.01
"""An axis faster than this (m/s) is shown moving."""


def holder_text(crane: CraneView, operator: str | None) -> tuple[Text, bool]:
    """Who holds the landing (``Operator/Landing``), abnormal when it is not ``operator``
    (``kim (operator)``)."""
    holder = crane.text("Operator/Landing")
    if holder is None:
        return Text("[!] nobody holds the landing: t on the queue takes it", WARNING), True
    ours = operator is not None and holder.startswith(f"{operator} ")
    if ours:
        return Text(f"landing taken by {holder}"), False
    taken = Text(f"[!] the landing is held by {holder}: t on the queue takes it over", ABNORMAL)
    return taken, True


def motion_text(crane: CraneView, now_ms: int) -> tuple[Text, bool]:
    """What the crane says it does: ``the crane: hoist ↓ -0.10 m/s · as of 0.2 s ago``."""
    if not crane.online:
        return Text(f"[!] {crane.presence.upper()}: {crane.why}; the crane stops any jog by "
                    "itself (dead-man)", ABNORMAL), True  # fmt: skip
    moving = []
    for axis in AXES:
        speed = crane.number(f"{axis.capitalize()}/Speed")
        if speed is None:
            moving.append(f"{axis} ? m/s")
        elif abs(speed) > MOVING_MS:
            moving.append(f"{axis} {speed:+.2f} m/s")
    out = Text("the crane: " + (", ".join(moving) if moving else "at rest"), "bold")
    if crane.heard_ms is not None:
        out.append(f" · as of {max(0, now_ms - crane.heard_ms) / 1000:.1f} s ago", "dim")
    return out, False


def landing_line(crane: CraneView) -> tuple[Text, bool]:
    waiting = crane.text("Operation/Awaiting confirm")
    if waiting is None:
        return Text("no landing waits for an operator now (confirmed, or the hand-over "
                    "ended): r or Escape back to the queue", "dim"), False  # fmt: skip
    return Text(f"[!] jog the landing and confirm: {waiting}", WARNING), True


class LandingScreen(OpsScreen):
    NAME = "landing"
    AUTO_FOCUS = None  # the arrow keys jog: nothing focused may take them for scrolling
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"jog('{axis}', {d})", label, group=_JOG)
          for key, axis, d, label in JOG_KEYS),
        Binding("space", "stop_jog", "stop jog"),
        Binding("c", "confirm", "confirm landing"),
        Binding("r,escape", "release", "release, back to the queue"),
    ]  # fmt: skip

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="crane")
        yield TextLine(id="holder")
        yield TextLine(id="waiting")
        yield TextLine(id="motion")
        for axis in AXES:
            yield TextLine(id=f"axis-{axis}", classes="axis")
        yield TextLine(id="spreader")
        yield TextLine(id="landing-keys")

    def target(self) -> CraneKey | None:
        return self.ops.landing

    def show_body(self, view: FleetView) -> None:
        key = self.ops.landing
        crane = None if key is None else view.crane(key)
        if crane is None:
            self.query_one("#crane", TextLine).show(Text("no landing taken: t on 3 Queue", "dim"))
            return
        for name, (text, abnormal) in (
            ("crane", crane_text(crane, view.time_ms)),
            ("holder", holder_text(crane, self.ops.operator)),
            ("waiting", landing_line(crane)),
            ("motion", motion_text(crane, view.time_ms)),
        ):
            self.query_one(f"#{name}", TextLine).show(text, abnormal=abnormal)
        for axis in AXES:
            self.query_one(f"#axis-{axis}", TextLine).show(axis_line(axis, crane))
        self.query_one("#spreader", TextLine).show(spreader_line(crane))
        self.query_one("#landing-keys", TextLine).show(Text(
            "hold ↑/↓ hoist, ←/→ trolley, PgUp/PgDn gantry (let go: stops) · space stop · "
            "c confirm · r/Esc release · S STOP the crane", "dim"))  # fmt: skip

    def action_jog(self, axis: str, direction: int) -> None:
        self.ops.commands.jog(self.ops.landing, axis, direction)

    def action_stop_jog(self) -> None:
        self.ops.commands.send(self.ops.landing, "landing.stop", "stop the jog")

    def action_confirm(self) -> None:
        self.ops.commands.send(self.ops.landing, "landing.confirm", "confirm the landing",
                               then=self._confirmed)  # fmt: skip

    def _confirmed(self, answer: Answer) -> None:
        if answer.done and self.app.current_mode == self.NAME:
            self.ops.landing = None
            self.app.switch_mode("queue")

    def action_release(self) -> None:
        """Give the landing back and go back to the queue (the answer comes there)."""
        crane, self.ops.landing = self.ops.landing, None
        seen = None if crane is None else self.ops.view.crane(crane)
        if crane is not None and (seen is None or seen.value("Operator/Landing") is not None):
            self.ops.commands.send(crane, "landing.release", "release the landing")
        self.app.switch_mode("queue")
