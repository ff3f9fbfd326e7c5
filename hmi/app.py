"""The operator and maintenance HMI: nine screens over one station, refreshed at 10 Hz.

The app reads the station's immutable view ten times a second and shows it on the screen in
front (the others wait); every action goes through the :class:`~crane_ctrl.runtime.bridge.Bridge`
and its outcome, or the station's refusal with every reason, appears on the message line of every
screen. Screens are Textual modes, reached by the keys 1..9 (footer) and from the command
palette (ctrl+p), which also holds the machine commands and the log-in.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from crane_ctrl.errors import CraneCtrlError, SessionRefused
from crane_ctrl.operation.machine import PackCommand, Role
from crane_ctrl.runtime.bridge import Bridge
from crane_ctrl.runtime.gc_pacing import GcPacer
from crane_ctrl.runtime.station import StationView, User
from hmi.console import Console
from hmi.screens.base import (
    SCREEN_TITLES,
    HmiScreen,
    letter_actions,
    own_bindings,
    typed_in_form,
)
from hmi.screens.registry import screen_classes

__all__ = ["REFRESH_HZ", "CraneHmi"]

log = logging.getLogger(__name__)

REFRESH_HZ = 10.0
"""How often the screen in front is brought up to date with the station's view."""
_SCREENS = Binding.Group("screens", compact=True)


def _screen_bindings() -> list[BindingType]:
    return [
        Binding(str(n), f"show('{name}')", title, group=_SCREENS)
        for n, (name, title) in enumerate(SCREEN_TITLES, start=1)
    ]


class CraneHmi(App[None]):
    """One crane's HMI; ``user`` None starts view-only with the log-in open. The station checks
    every PIN and every action's session itself (:meth:`Bridge.login`); the HMI holds no roles
    file. ``notes``: lines from the station for its operators (the seam's ``notes`` fact)."""

    CSS_PATH = "hmi.tcss"
    TITLE = "crane-ctrl"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = dict(screen_classes())
    BINDINGS: ClassVar[list[BindingType]] = [
        *_screen_bindings(),
        Binding("A", "acknowledge_all", "ack all"),
        Binding("L", "login", "log in"),
        Binding("question_mark", "keys", "keys"),
    ]

    def __init__(
        self,
        bridge: Bridge,
        *,
        user: User | None = None,
        journal_path: Path | None = None,
        notes: Sequence[str] = (),
        refresh_hz: float | None = REFRESH_HZ,
    ) -> None:
        super().__init__()
        self.bridge = bridge
        self.user = user
        self.journal_path = journal_path
        self.refresh_hz = refresh_hz
        self.view: StationView = bridge.view
        self.notes = tuple(notes)
        """The station's notes for its operators (the demo: where its fault channel and journal
        are): on the message line until the first outcome, and on the Comms screen."""
        self.message: tuple[Text, bool] = (Text(" · ".join(self.notes) or "ready", "dim"), False)
        """The last action's outcome, and whether it was refused."""
        self.lost: str | None = bridge.lost
        """Why the station cannot be reached (the view shown is then its last), or ``None``."""

    @property
    def user_text(self) -> str:
        return "view only: L logs in" if self.user is None else str(self.user)

    def on_mount(self) -> None:
        GcPacer.freeze()  # what the app built to start is not garbage: keep it out of every pass
        self.switch_mode("overview")
        if self.refresh_hz:
            self.set_interval(1 / self.refresh_hz, self.refresh_view)
        if self.user is None:
            self.action_login()

    def refresh_view(self) -> None:
        """Take the station's latest view and show it on the screen in front."""
        if not self.is_running:  # shutting down: the screens are being taken apart
            return
        self.view = self.bridge.view
        self.lost = self.bridge.lost
        if isinstance(self.screen, HmiScreen):
            self.screen.show(self.view)

    # --- acting through the station

    def say(self, text: str, *, refused: bool = False) -> None:
        """Put an outcome on every screen's message line."""
        shown = Text(f"✗ REFUSED: {text}" if refused else f"✓ {text}")
        if refused:
            shown.stylize("bold red")
        self.message = (shown, refused)
        self.refresh_view()

    async def act(
        self,
        done: str,
        fn: Callable[..., Any],
        *args: Any,
        timeout_s: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """``fn(user, *args)`` on the station; says ``done`` or why it was refused. What ``fn``
        returned, or ``None`` when refused. Logged out, the station is asked all the same, with
        no session: it refuses and journals the attempt."""
        try:
            result = await self.bridge.call(fn, self._caller, *args, timeout_s=timeout_s,
                                            **kwargs)  # fmt: skip
        except SessionRefused as exc:
            self.user = None  # the station no longer knows this login: view only until L
            self.say(f"{exc} (L logs in)", refused=True)
            return None
        except (CraneCtrlError, TimeoutError, ValueError, KeyError) as exc:
            text = str(exc)  # a KeyError's is its key's repr: unquote it; keep anyone else's quotes
            self.say(text.strip("'\"") if isinstance(exc, KeyError) else text, refused=True)
            return None
        except OSError as exc:
            self.say(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), refused=True)
            return None
        except Exception as exc:  # a defect, not the operator's: the HMI and the station live on
            log.exception("%s failed", getattr(fn, "__name__", "an action"))
            self.say(f"{done.split(':')[0]} failed: internal error {type(exc).__name__}: {exc} "
                     "(in the HMI log; please report it)", refused=True)  # fmt: skip
            return None
        self.say(done)
        return result

    async def pack(self, command: PackCommand) -> None:
        station = self.bridge.station
        await self.act(f"{command.name} sent", station.pack, command)

    async def refuse(self, action: str, why: str) -> None:
        """Say why ``action`` is refused here, before the station is asked, and have the
        station journal it (logged out: it journals the missing session)."""
        self.say(why, refused=True)
        try:
            await self.bridge.call(self.bridge.station.note_refusal, self._caller, action, why)
        except SessionRefused:
            pass  # journaled by the station as such
        except (CraneCtrlError, TimeoutError, OSError) as exc:
            log.warning("the HMI's refusal of %s is not in the journal: %s", action, exc)

    async def ask(self, action: str, dialog: Screen[Any], then: Callable[[Any], Any]) -> None:
        """Open ``dialog`` for ``action``, its answer to ``then``; refused at once while nobody
        is logged in (no question is put to nobody)."""
        if self.user is None:
            await self.refuse(action, f"{action}: nobody is logged in: L logs in")
            return
        self.push_screen(dialog, then)

    async def require(self, role: Role, what: str) -> bool:
        """Whether the user has ``role``; says so on the message line (journaled) when not."""
        if self.user is not None and self.user.role is role:
            return True
        await self.refuse(what, f"{what} needs the {role} role; log in with L")
        return False

    @property
    def _caller(self) -> User:
        """Who the station is asked for: the user, or nobody (no session: refused)."""
        return self.user or _NOBODY

    # --- actions and palette

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No single-character key of the HMI's own fires while a form field has the focus."""
        if typed_in_form(_LETTERS, action, parameters, self.focused):
            return False
        return super().check_action(action, parameters)

    def action_show(self, name: str) -> None:
        self.switch_mode(name)

    def action_keys(self) -> None:
        """Every key of the screen in front and of the HMI (``?``)."""
        from hmi.screens.keys import KeysModal, key_lines

        screen = self.screen
        own = own_bindings(screen)
        hmi = [b for b in self.BINDINGS if isinstance(b, Binding)]
        title = screen.NAME.title() if isinstance(screen, HmiScreen) else type(screen).__name__
        self.push_screen(KeysModal(title, key_lines(own), key_lines(hmi)))

    async def action_acknowledge_all(self) -> None:
        await self.act("all alarms acknowledged", self.bridge.station.acknowledge, None)

    def action_login(self) -> None:
        from hmi.screens.login import LoginModal

        def logged_in(user: User | None) -> None:
            if user is not None:
                before, self.user = self.user, user
                self.say(f"logged in as {user}")
                if before is not None and before.session and before.session != user.session:
                    self.run_worker(self._log_out(before), group="logout")

        self.push_screen(LoginModal(self.bridge.login), logged_in)

    async def _log_out(self, user: User) -> None:
        """End the session a new login replaces, so no session is left open unused at the
        station (one it already ended is no matter)."""
        with contextlib.suppress(CraneCtrlError, TimeoutError):
            await self.bridge.logout(user)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for number, (name, title) in enumerate(SCREEN_TITLES, start=1):
            yield SystemCommand(f"Show {title}", f"screen {number}", self._shower(name))
        yield SystemCommand("Log in", "operator or maintenance, with PIN", self.action_login)
        yield SystemCommand("Acknowledge all alarms", "A", self.action_acknowledge_all)
        from hmi.screens.faults import fault_channel, open_fault_panel

        if fault_channel(self) is not None:  # the demo, a test rig: a simulated PLC
            yield SystemCommand("Simulator faults", "inject and clear them (maintenance; f on "
                                "Comms)", lambda: open_fault_panel(self))  # fmt: skip
        for command in PackCommand:
            yield SystemCommand(
                f"Machine {command.name}", "PackML command", self._packer(command), discover=False
            )

    def _shower(self, name: str) -> Callable[[], None]:
        def show() -> None:
            self.switch_mode(name)

        return show

    def _packer(self, command: PackCommand) -> Callable[[], Awaitable[None]]:
        return lambda: self.pack(command)


_NOBODY = User("nobody", session="", source="hmi")
"""Who acts while nobody is logged in: the station refuses a call without a session."""
_LETTERS = letter_actions(CraneHmi.BINDINGS)
"""The HMI's own actions on single-character keys (screens 1..9, ack all, log in, keys)."""

if TYPE_CHECKING:

    def _console(app: CraneHmi) -> Console:
        return app  # mypy checks here that the app is what its screens take it for
