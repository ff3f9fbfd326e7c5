"""What every screen has: the screen bar, the unacknowledged-alarm banner, the crane's status
line, the last action's outcome, and the footer with its keys."""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from crane_ctrl.runtime.station import StationView
from hmi.console import Console
from hmi.format import job_text, link_text
from hmi.widgets.alarm_banner import AlarmBanner
from hmi.widgets.text_line import TextLine

__all__ = ["SCREEN_TITLES", "HmiScreen"]

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


class HmiScreen(Screen[None]):
    """A screen of the HMI: chrome around :meth:`compose_body`, refreshed by :meth:`show`."""

    NAME = ""
    """The mode name (a key of :data:`SCREEN_TITLES`)."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = False
        """Composed and mounted: :meth:`show` has widgets to fill."""

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
