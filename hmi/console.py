"""What a screen may ask of the app it runs in: the station's view, the user, and acting.

Screens and their key mixins are written against this protocol, not against
:class:`~hmi.app.CraneHmi`, so the app imports its screens and no screen imports the app.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from rich.text import Text
from textual.screen import Screen

from crane_ctrl.operation.machine import PackCommand, Role
from crane_ctrl.runtime.bridge import Bridge
from crane_ctrl.runtime.station import StationView

__all__ = ["Console"]


class Console(Protocol):
    """The HMI app as its screens see it."""

    bridge: Bridge
    view: StationView
    """The station's view the screens show, taken at the last refresh."""
    message: tuple[Text, bool]
    """The last action's outcome, and whether it was refused."""
    journal_path: Path | None
    notes: tuple[str, ...]
    """The station's notes for its operators (the demo: its fault channel and journal)."""
    lost: str | None
    """Why the station cannot be reached now, or ``None``."""

    @property
    def user_text(self) -> str: ...

    def say(self, text: str, *, refused: bool = False) -> None:
        """Put an outcome on every screen's message line."""

    async def act(
        self,
        done: str,
        fn: Callable[..., Any],
        *args: Any,
        timeout_s: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """``fn(user, *args)`` on the station; says ``done`` or why it was refused."""

    async def pack(self, command: PackCommand) -> None:
        """Send a PackML command as the logged-in user."""

    async def refuse(self, action: str, why: str) -> None:
        """Say why ``action`` is refused before the station is asked; the station journals it."""

    async def ask(self, action: str, dialog: Screen[Any], then: Callable[[Any], Any]) -> None:
        """Open ``dialog`` for ``action`` (its answer to ``then``); refused with nobody in."""

    async def require(self, role: Role, what: str) -> bool:
        """Whether the user has ``role``; says so on the message line (journaled) when not."""

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> Any:
        """Show a modal; ``callback`` gets what it returns."""
