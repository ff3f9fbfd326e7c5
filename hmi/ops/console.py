"""What an operations-centre screen may ask of the app it runs in: the fleet's view, the crane
drilled into, the landing taken, who is logged in, the commands, the message line. Screens are
written against this, not against the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual.screen import Screen

from crane_ctrl.fleet.fleet_view import CraneKey, FleetView

if TYPE_CHECKING:
    from hmi.ops.commander import Commander
    from hmi.ops.orders import CraneOrders

__all__ = ["OpsConsole"]


class OpsConsole(Protocol):
    """The operations-centre app as its screens see it."""

    view: FleetView
    """The fleet as taken at the last refresh."""
    crane: CraneKey | None
    """The crane the crane screens (4..7) show: the last one drilled into."""
    landing: CraneKey | None
    """The crane whose landing this centre took (``t`` on the queue): the Landing screen's."""
    message: tuple[Text, bool]
    """The last outcome, and whether it was refused."""
    commands: Commander
    """Gives commands to the cranes and says what came of each."""
    orders: CraneOrders
    """The orders of the keys and the palette (forms, questions, then :attr:`commands`)."""

    @property
    def operator(self) -> str | None:
        """``kim (operator)``: who gave their login for this ops session; ``None``: nobody."""

    def say(self, text: str, *, refused: bool = False) -> None:
        """Put an outcome on every screen's message line."""

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> Any:
        """Show a modal; ``callback`` gets what it returns."""

    def open_crane(self, key: CraneKey, screen: str = "crane") -> None:
        """Drill into ``key``: its Overview (4), or another of its screens."""
