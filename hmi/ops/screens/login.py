"""Log in at the operations centre: a user, a role and the PIN (masked). Nothing is sent here:
the cranes check the PIN at the first action on each (SRP: the PIN itself never leaves the
operations centre), and the login is kept in memory for this ops session only."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import USER_NAME

__all__ = ["OpsLogin", "OpsLoginModal", "login_problem"]

OpsLogin = tuple[str, Role, str]
"""User, role, PIN."""
_USER = re.compile(USER_NAME)


def login_problem(user: str, pin: str) -> str:
    """What is wrong with the form (``""``: nothing)."""
    if not user:
        return "a user name, please"
    if not _USER.match(user):
        return ("a user name as in the roles file: a lower-case letter, then up to 31 letters, "
                "digits, '.', '_' or '-'")  # fmt: skip
    if not pin:
        return "the PIN, please"
    return ""


class OpsLoginModal(ModalScreen[OpsLogin | None]):
    """Dismisses with (user, role, PIN) once the form is well filled; Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Log in for this operations session")
            yield Input(placeholder="user", id="user", max_length=32)
            yield Select([(r.name.lower(), r) for r in Role], value=Role.OPERATOR,
                         allow_blank=False, id="role")  # fmt: skip
            yield Input(placeholder="PIN", password=True, id="pin", max_length=64)
            yield Label("", id="why")
            yield Button("Log in", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#user", Input).focus()

    @on(Input.Changed)
    @on(Select.Changed)
    def changed(self) -> None:
        self.query_one("#why", Label).update("")

    @on(Input.Submitted, "#user")
    def next_field(self) -> None:
        self.focus_next()

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#ok")
    def check(self) -> None:
        user = self.query_one("#user", Input).value.strip()
        role = self.query_one("#role", Select).value
        pin = self.query_one("#pin", Input).value
        problem = login_problem(user, pin)
        if not problem and not isinstance(role, Role):
            problem = "a role, please"
        if problem or not isinstance(role, Role):
            self.query_one("#why", Label).update(Text(f"[!] {problem}"))  # no markup
            return
        self.dismiss((user, role, pin))
