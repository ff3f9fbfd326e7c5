"""What every operations-centre screen has: the screen bar, the fleet banner (unacknowledged
alarms, cranes not online, cranes waiting for an operator), the centre's own link, the message
line and the footer. Keys as in the local HMI: 1..7 screens, ``?`` every key; while a text field
has the focus no single-character key fires (:func:`hmi.screens.base.in_form`), Escape leaves it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer

from crane_ctrl.fleet.fleet_view import CraneKey, FleetView
from hmi.ops.console import OpsConsole
from hmi.ops.format import banner_text, host_text
from hmi.screens.base import leave_field, letter_actions, typed_in_form
from hmi.widgets.text_line import TextLine

__all__ = ["OPS_SCREENS", "OpsScreen", "screen_keys"]

OPS_SCREENS: tuple[tuple[str, str], ...] = (
    ("fleet", "Fleet"),
    ("alarms", "Alarms"),
    ("queue", "Queue"),
    ("crane", "Crane"),
    ("interlocks", "Interlocks"),
    ("crane-alarms", "Its alarms"),
    ("metrics", "Metrics"),
)
"""Every screen's mode name and title, in the order of their keys 1..7; 4..7 show the crane
drilled into (Enter on a row)."""


def screen_keys(screen: Screen[object]) -> list[Binding]:
    """The bindings in force on ``screen``, each with the keys it still holds: a screen's own
    binding takes its key from the one of the class it builds on (``r`` on 5 Interlocks resets
    the interlocks, not the machine), as Textual merges them."""
    holder: dict[str, Binding] = {}
    for cls in reversed(type(screen).__mro__):
        for binding in vars(cls).get("BINDINGS", []):
            if isinstance(binding, Binding):
                holder.update((key.strip(), binding) for key in binding.key.split(","))
    found: dict[int, Binding] = {}
    for binding in holder.values():
        keys = [k for k, held in holder.items() if held is binding]
        found.setdefault(id(binding), replace(binding, key=",".join(keys)))
    return list(found.values())


class OpsScreen(Screen[None]):
    """A screen of the operations centre: chrome around :meth:`compose_body`, refreshed by
    :meth:`show`."""

    NAME = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_field", "leave the field", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ready = False
        found: list[BindingType] = []
        for cls in type(self).__mro__:
            found += list(vars(cls).get("BINDINGS", []))
        self._letters = letter_actions(found)

    @property
    def ops(self) -> OpsConsole:
        return cast(OpsConsole, self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No single-character key fires a command while a form field has the focus."""
        if typed_in_form(self._letters, action, parameters, self.focused):
            return False
        return super().check_action(action, parameters)

    def action_leave_field(self) -> None:
        leave_field(self)

    def compose(self) -> ComposeResult:
        yield TextLine(id="screens")
        yield TextLine(id="banner")
        yield TextLine(id="status")
        yield from self.compose_body()
        yield TextLine(id="message")
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.ready = True
        self.show(self.ops.view)

    def on_screen_resume(self) -> None:
        self.show(self.ops.view)

    def show(self, view: FleetView) -> None:
        """Bring the screen up to date with ``view`` (the app calls this at most at 10 Hz)."""
        if not self.ready:
            return
        self.query_one("#screens", TextLine).show(self._screens_text())
        banner, alarm = banner_text(view)
        self.query_one("#banner", TextLine).show(banner, abnormal=alarm)
        status, lost = host_text(view.host, view)
        self.query_one("#status", TextLine).show(status, abnormal=lost)
        message, refused = self.ops.message
        self.query_one("#message", TextLine).show(message, abnormal=refused)
        self.show_body(view)

    def show_body(self, view: FleetView) -> None:
        del view

    def target(self) -> CraneKey | None:
        """The crane a command from this screen goes to (STOP: ``S`` on any screen): the one
        under the cursor of a list, else the one drilled into."""
        return self.ops.crane

    def _screens_text(self) -> Text:
        out = Text()
        for number, (name, title) in enumerate(OPS_SCREENS, start=1):
            out.append(f"{number} {title}", "reverse" if name == self.NAME else "dim")
            out.append(" ")
        crane = self.ops.crane
        out.append(f"· crane {crane}" if crane else "· Enter on a crane drills into it", "bold")
        out.append(f" · {self.ops.commands.operator_text}", "bold")
        return out
