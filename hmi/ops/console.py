"""What an operations-centre screen may ask of the app it runs in: the fleet's view, the crane
drilled into, the landing taken, who is logged in, the commands, the message line. Screens are
written against this, not against the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from rich.text import Text

from crane_ctrl.fleet.fleet_view import CraneKey, FleetView

if TYPE_CHECKING:
    from hmi.ops.commander import Commander

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

    @property
    def operator(self) -> str | None:
        """``kim (operator)``: who gave their login for this ops session; ``None``: nobody."""

    def say(self, text: str, *, refused: bool = False) -> None:
        """Put an outcome on every screen's message line."""

    def open_crane(self, key: CraneKey, screen: str = "crane") -> None:
        """Drill into ``key``: its Overview (4), or another of its screens."""
