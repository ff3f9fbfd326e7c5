"""What every screen has: the screen bar, the unacknowledged-alarm banner, the crane's status
line, the last action's outcome, and the footer with its keys.

Keys and typing: while a form field has the focus (a text field, a drop-down, a form's button),
no key that is a single character fires a command: it is typed, or does nothing. Escape leaves
the field (the focus goes back to the screen's list); Tab and Shift+Tab go from field to field.
``?`` lists every key of the screen (:mod:`hmi.screens.keys`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, ClassVar, cast

from rich.text import Text
from textual.actions import parse
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Select, TextArea

from crane_ctrl.runtime.station import StationView
from hmi.console import Console
from hmi.format import job_text, link_text
from hmi.widgets.alarm_banner import AlarmBanner
from hmi.widgets.text_line import TextLine

__all__ = [
    "SCREEN_TITLES", "HmiScreen", "in_form", "leave_field", "letter_actions", "own_bindings",
]  # fmt: skip

SCREEN_TITLES: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("interlocks", "Interlocks"),
    ("alarms", "Alarms"),
    ("jobs", "Jobs"),
    ("manual", "Manual"),
    ("io", "I/O"),
    ("comms", "Comms"),
    ("events", "Events"),
    ("profile", "Profile"),
)
"""Every screen's mode name and title, in the order of their keys 1..9."""


_FORM_WIDGETS = (Input, TextArea, Select, Button)


def typed_in_form(
    letters: Collection[tuple[str, tuple[object, ...]]],
    action: str,
    parameters: tuple[object, ...],
    focused: Widget | None,
) -> bool:
    """Whether ``action`` is one of ``letters`` (a single-character key's action) while a form's
    field has the focus: the key is typed into the field and must not fire."""
    return (action, parameters) in letters and in_form(focused)


def in_form(focused: Widget | None) -> bool:
    """Whether ``focused`` is a form's field (or inside a drop-down's list)."""
    node: object = focused
    while isinstance(node, Widget):
        if isinstance(node, _FORM_WIDGETS):
            return True
        node = node.parent
    return False


def letter_actions(bindings: Iterable[BindingType]) -> frozenset[tuple[str, tuple[object, ...]]]:
    """The actions (name, parameters) of the bindings whose keys are single characters: those
    a form field's typing could fire."""
    found = set()
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        if all(len(key.strip()) == 1 for key in binding.key.split(",")):
            _, name, params = parse(binding.action)
            found.add((name, params))
    return frozenset(found)


def leave_field(screen: Screen[Any]) -> None:
    """Out of the form field: to the screen's list (its ``AUTO_FOCUS``), or nowhere."""
    if not in_form(screen.focused):
        return
    target = screen.query(screen.AUTO_FOCUS).first() if screen.AUTO_FOCUS else None
    if target is not None and target.focusable and not in_form(target):
        target.focus()
    else:
        screen.set_focus(None)


def own_bindings(screen: Screen[Any]) -> list[Binding]:
    """The bindings the screen's classes declare (for the ``?`` overlay)."""
    found: list[Binding] = []
    for cls in type(screen).__mro__:
        found += [b for b in vars(cls).get("BINDINGS", []) if isinstance(b, Binding)]
    return found


class HmiScreen(Screen[None]):
    """A screen of the HMI: chrome around :meth:`compose_body`, refreshed by :meth:`show`."""

    NAME = ""
    """The mode name (a key of :data:`SCREEN_TITLES`)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_field", "leave the field"),  # in the footer while in a field
        Binding("question_mark", "app.keys", "keys"),  # first in the footer: seen at 80x24
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ready = False
        """Composed and mounted: :meth:`show` has widgets to fill."""
        self._letters = letter_actions(self._bindings_of_class())

    def _bindings_of_class(self) -> list[BindingType]:
        found: list[BindingType] = []
        for cls in type(self).__mro__:
            found += list(vars(cls).get("BINDINGS", []))
        return found

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No single-character key fires a command while a form field has the focus; Escape
        leaves the field only while in one (and the footer says so only then)."""
        if typed_in_form(self._letters, action, parameters, self.focused):
            return False
        if action == "leave_field" and not in_form(self.focused):
            return False
        return super().check_action(action, parameters)

    def action_leave_field(self) -> None:
        leave_field(self)

    @property
    def hmi(self) -> Console:
        return cast(Console, self.app)

    def compose(self) -> ComposeResult:
        yield TextLine(id="screens")
        yield AlarmBanner(id="banner")
        yield TextLine(id="status")
        yield from self.compose_body()
        yield TextLine(id="message")
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.ready = True
        self.show(self.hmi.view)

    def on_screen_resume(self) -> None:
        self.show(self.hmi.view)

    def show(self, view: StationView) -> None:
        """Bring the screen up to date with ``view`` (the app calls this at 10 Hz)."""
        if not self.ready:
            return
        self.query_one("#screens", TextLine).show(self._screens_text())
        self.query_one(AlarmBanner).show_alarms(view.supervisor)
        lost = self.hmi.lost
        status = Text(f"STATION LOST: {lost}", "bold red") if lost else _status_text(view)
        self.query_one("#status", TextLine).show(status, abnormal=bool(lost))
        message, refused = self.hmi.message
        self.query_one("#message", TextLine).show(message, abnormal=refused)
        self.show_body(view)

    def show_body(self, view: StationView) -> None:
        del view

    def _screens_text(self) -> Text:
        out = Text()
        for number, (name, title) in enumerate(SCREEN_TITLES, start=1):
            style = "reverse" if name == self.NAME else "dim"
            out.append(f"{number} {title}", style)
            out.append(" ")
        out.append(f"· {self.hmi.user_text}", "bold")
        return out


def _status_text(view: StationView) -> Text:
    out = Text(f"{view.mode.name} · {view.machine.name}", "bold")
    out.append(" · ")
    out.append_text(job_text(view.job, view.step, view.progress, width=8))
    out.append(" · ")
    out.append_text(link_text(view.supervisor.link, view.supervisor.stats))
    return out
