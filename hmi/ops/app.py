"""The operations-centre HMI: every crane of the fleet, from its Sparkplug metrics.

The app takes the fleet's immutable view from its source (the primary host's
:meth:`~crane_ctrl.fleet.primary_host.PrimaryHost.view`, or a fixed view in tests) at most ten
times a second and shows it on the screen in front; every screen repaints only what changed.
Screens are Textual modes reached by the keys 1..7 (and the command palette): 1 Fleet (one row
per crane, by urgency), 2 Alarms (the fleet's), 3 Queue (cranes waiting for a remote operator),
and 4..7 the crane drilled into (Enter on a row): its Overview, Interlocks, alarms and metrics.

Given a command path (:class:`~crane_ctrl.fleet.command_path.CommandPath`), an operator logs in
(``L``: user, role, PIN; kept in memory for this session, checked by each crane at the first
action there) and acts: ``S`` STOPs the crane under the cursor or drilled into, from any screen;
``t`` on the queue takes a landing (the Landing screen: jog, confirm, release); on the alarm
screens ``a`` acknowledges an alarm, ``A`` all, ``s`` shelves it, ``u`` unshelves one, ``o`` takes
one out of service, ``i`` returns one; on the crane screens
(4..7) the keys of the local HMI's machine commands, ``r`` ``s`` ``h`` ``u`` ``t`` ``c``,
``ctrl+x`` (ABORT, once confirmed) and ``m`` (mode), ``j`` a job order, ``x`` cancel a job, ``d``
the interrupted job's set-down, and on 5 Interlocks ``r`` the interlock reset, ``n`` the end of a
bypass; ``O`` logs out. The command palette holds them all.
The orders that need more than a key open a form or a question (:class:`~hmi.ops.orders.
CraneOrders`); each command runs in a worker (:class:`~hmi.ops.commander.Commander`); its answer
is said on the message line. Without a path the app only shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from crane_ctrl.fleet.command_path import CommandPath
from crane_ctrl.fleet.fleet_view import CraneKey, FleetView
from crane_ctrl.operation.machine import PackCommand
from hmi.ops.commander import Commander
from hmi.ops.orders import CraneOrders
from hmi.ops.screens.base import OPS_SCREENS, OpsScreen, screen_keys
from hmi.screens.base import letter_actions, typed_in_form

__all__ = ["REFRESH_HZ", "OpsHmi"]

REFRESH_HZ = 10.0
"""At most this often the screen in front is brought up to date with the fleet's view."""
_SCREENS = Binding.Group("screens", compact=True)
_MACHINE_KEYS = {
    PackCommand.RESET: "r",
    PackCommand.START: "s",
    PackCommand.HOLD: "h",
    PackCommand.UNHOLD: "u",
    PackCommand.CLEAR: "c",
    PackCommand.ABORT: "ctrl+x",
}
"""The PackML commands of the palette, with their keys on the crane screens (STOP: ``S``)."""


def _screen_classes() -> dict[str, Callable[[], Screen[Any]]]:
    from hmi.ops.screens.alarms import FleetAlarmsScreen
    from hmi.ops.screens.crane_alarms import CraneAlarmsScreen
    from hmi.ops.screens.crane_interlocks import CraneInterlocksScreen
    from hmi.ops.screens.crane_metrics import CraneMetricsScreen
    from hmi.ops.screens.crane_overview import CraneOverviewScreen
    from hmi.ops.screens.fleet import FleetScreen
    from hmi.ops.screens.landing import LandingScreen
    from hmi.ops.screens.queue import QueueScreen

    screens: tuple[type[OpsScreen], ...] = (
        FleetScreen, FleetAlarmsScreen, QueueScreen, CraneOverviewScreen, CraneInterlocksScreen,
        CraneAlarmsScreen, CraneMetricsScreen, LandingScreen,
    )  # fmt: skip
    return {screen.NAME: screen for screen in screens}


class OpsHmi(App[None]):
    """The operations centre over the fleet that ``source`` gives (called at each refresh)."""

    CSS_PATH = ["../hmi.tcss", "ops.tcss"]  # noqa: RUF012 (Textual reads it from the class)
    TITLE = "crane-ctrl operations centre"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = dict(_screen_classes())
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"show('{name}')", title, group=_SCREENS)
          for n, (name, title) in enumerate(OPS_SCREENS, start=1)),
        Binding("question_mark", "keys", "keys"),
        Binding("S", "stop_crane", "STOP the crane"),
        Binding("L", "login", "log in"),
        Binding("O", "logout", "log out", show=False),
    ]  # fmt: skip

    def __init__(self, source: Callable[[], FleetView], *, commands: CommandPath | None = None,
                 refresh_hz: float | None = REFRESH_HZ) -> None:  # fmt: skip
        """``commands``: the path to the cranes (``None``: the app only shows)."""
        super().__init__()
        self.source = source
        self.refresh_hz = refresh_hz
        self.view: FleetView = source()
        self.crane: CraneKey | None = None
        self.landing: CraneKey | None = None
        self.commands = Commander(self, commands, self.say)
        self.orders = CraneOrders(self.commands, lambda: self.view)
        self.message: tuple[Text, bool] = (Text("ready: Enter on a crane drills into it", "dim"),
                                           False)  # fmt: skip

    @property
    def operator(self) -> str | None:
        path = self.commands.path
        who = None if path is None else path.operator
        return None if who is None else f"{who[0]} ({who[1]})"

    def on_mount(self) -> None:
        self.switch_mode("fleet")
        if self.refresh_hz:
            self.set_interval(1 / self.refresh_hz, self.refresh_view)

    def refresh_view(self) -> None:
        """Take the fleet's view and show it on the screen in front."""
        if not self.is_running:
            return
        self.view = self.source()
        if isinstance(self.screen, OpsScreen):
            self.screen.show(self.view)

    def say(self, text: str, *, refused: bool = False) -> None:
        shown = Text(f"✗ {text}" if refused else f"✓ {text}", "bold red" if refused else "")
        self.message = (shown, refused)
        self.refresh_view()

    def open_crane(self, key: CraneKey, screen: str = "crane") -> None:
        self.crane = key
        self.switch_mode(screen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No single-character key of the app's own fires while a text field has the focus."""
        if typed_in_form(_LETTERS, action, parameters, self.focused):
            return False
        return super().check_action(action, parameters)

    def action_show(self, name: str) -> None:
        self.switch_mode(name)

    def action_stop_crane(self) -> None:
        """STOP the crane under the cursor (or drilled into, or whose landing was taken)."""
        screen = self.screen
        crane = screen.target() if isinstance(screen, OpsScreen) else self.crane
        self.commands.send(crane, "stop", "STOP", {"reason": "STOP from the operations centre"})

    def action_login(self) -> None:
        from hmi.ops.screens.login import OpsLogin, OpsLoginModal

        def given(login: OpsLogin | None) -> None:
            if login is not None:
                self.commands.log_in(*login)

        self.push_screen(OpsLoginModal(), given)

    def action_logout(self) -> None:
        self.commands.log_out()

    def action_keys(self) -> None:
        """Every key of the screen in front and of the app (``?``)."""
        from hmi.screens.keys import KeysModal, key_lines

        screen = self.screen
        own = screen_keys(screen)
        mine = [b for b in self.BINDINGS if isinstance(b, Binding)]
        title = dict(OPS_SCREENS).get(getattr(screen, "NAME", ""), type(screen).__name__)
        self.push_screen(KeysModal(title, key_lines(own), key_lines(mine)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for number, (name, title) in enumerate(OPS_SCREENS, start=1):
            yield SystemCommand(f"Show {title}", f"screen {number}", self._shower(name))
        yield SystemCommand("Log in", "user, role and PIN for this ops session (L)",
                            self.action_login)  # fmt: skip
        yield SystemCommand("Log out", "at every crane (O)", self.action_logout)
        yield SystemCommand("STOP the crane", "the one under the cursor or drilled into (S)",
                            self.action_stop_crane)  # fmt: skip
        yield from self._order_commands()

    def _order_commands(self) -> Iterable[SystemCommand]:
        """The crane screens' orders, at the crane drilled into, and the alarm screens'."""
        orders, at = self.orders, "at the crane drilled into"
        for command, key in _MACHINE_KEYS.items():
            yield SystemCommand(f"Machine {command.name}", f"PackML command {at} ({key} on 4..7)",
                                self._machine(command))  # fmt: skip
        yield SystemCommand("Mode", f"the operating mode {at} (m)", lambda: orders.mode(self.crane))
        yield SystemCommand("Job order", f"add a job {at} (j)", lambda: orders.add_job(self.crane))
        yield SystemCommand("Cancel a job", f"{at} (x)", lambda: orders.cancel_job(self.crane))
        yield SystemCommand("Reset interlocks", f"latches whose cause is gone, {at} (r on 5)",
                            lambda: orders.reset_interlocks(self.crane))  # fmt: skip
        yield SystemCommand("Shelve the alarm", "under the cursor of 2 Alarms or 6 Its alarms (s)",
                            self._shelve)  # fmt: skip
        yield SystemCommand("Unshelve an alarm", "one of the fleet's shelved alarms (u on 2, 6)",
                            lambda: orders.unshelve(None, fleet=True))  # fmt: skip
        yield from self._more_order_commands()

    def _more_order_commands(self) -> Iterable[SystemCommand]:
        orders, at = self.orders, "at the crane drilled into"
        yield SystemCommand("Set down", f"the interrupted job's box, {at} (d on 4..7)",
                            lambda: orders.set_down(self.crane))  # fmt: skip
        yield SystemCommand("End the bypass", f"{at} (n on 5)",
                            lambda: orders.end_bypass(self.crane))  # fmt: skip
        yield SystemCommand("Acknowledge all", "every unacknowledged alarm of the fleet (A on 2)",
                            lambda: orders.acknowledge_all(None, fleet=True))  # fmt: skip
        yield SystemCommand("Return an alarm to service", "one of the fleet's (i on 2, 6)",
                            lambda: orders.return_to_service(None, fleet=True))  # fmt: skip

    def _machine(self, command: PackCommand) -> Callable[[], None]:
        return lambda: self.orders.machine(self.crane, command)

    def _shelve(self) -> None:
        from hmi.ops.screens.alarms import FleetAlarmsScreen
        from hmi.ops.screens.crane_alarms import CraneAlarmsScreen

        screen = self.screen
        if isinstance(screen, FleetAlarmsScreen | CraneAlarmsScreen):
            screen.action_shelve()
        else:
            self.say("shelve: choose the alarm on 2 Alarms or 6 Its alarms (s there)",
                     refused=True)  # fmt: skip

    def _shower(self, name: str) -> Callable[[], None]:
        def show() -> None:
            self.switch_mode(name)

        return show


_LETTERS = letter_actions(OpsHmi.BINDINGS)

if TYPE_CHECKING:
    from hmi.ops.console import OpsConsole

    def _console(app: OpsHmi) -> OpsConsole:
        return app  # mypy checks here that the app is what its screens take it for
