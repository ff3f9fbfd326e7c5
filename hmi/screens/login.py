"""Log in: a role and its PIN, checked by the station against its roles file's hash."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.operation.machine import Role
from crane_ctrl.runtime.station import User

__all__ = ["LoginModal"]


class LoginModal(ModalScreen[User | None]):
    """Dismisses with the :class:`User` (holding the station's session) on a right PIN; Escape
    cancels. ``login`` is the bridge's: the PIN goes to the station.

    The focus starts on the role (the user sees whom they log in as before typing a PIN); Tab
    goes to the PIN. Choosing another role, or typing a PIN anew, clears the last refusal: it
    was about the other role, or another person's try."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "cancel")]

    def __init__(self, login: Callable[[Role, str], Awaitable[User]]) -> None:
        super().__init__()
        self.login = login

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Log in")
            yield Select([(r.name.lower(), r) for r in Role], value=Role.OPERATOR,
                         allow_blank=False, id="role")  # fmt: skip
            yield Input(placeholder="PIN", password=True, id="pin")
            yield Label("", id="why")
            yield Button("Log in", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#role", Select).focus()

    @on(Select.Changed, "#role")
    def role_changed(self) -> None:
        self.query_one("#why", Label).update("")

    @on(Input.Changed, "#pin")
    def pin_typed(self, event: Input.Changed) -> None:
        """A PIN typed anew (the next person's, perhaps): the last refusal is not theirs."""
        if event.value:
            self.query_one("#why", Label).update("")

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#ok")
    async def check(self) -> None:
        role = self.query_one("#role", Select).value
        pin = self.query_one("#pin", Input).value
        if not isinstance(role, Role):
            return
        try:
            user = await self.login(role, pin)
        except (CraneCtrlError, TimeoutError) as exc:
            self.query_one("#why", Label).update(Text(f"[!] {exc}"))  # no markup
            self.query_one("#pin", Input).value = ""
            return
        self.dismiss(user)
