"""Log in: a role and its PIN (checked against the roles file's hash)."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import LoginRefused, Roles
from crane_ctrl.runtime.station import User

__all__ = ["LoginModal"]


class LoginModal(ModalScreen[User | None]):
    """Dismisses with the :class:`User` on a right PIN; Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "cancel")]

    def __init__(self, roles: Roles) -> None:
        super().__init__()
        self.roles = roles

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Log in")
            yield Select([(r.name.lower(), r) for r in Role], value=Role.OPERATOR,
                         allow_blank=False, id="role")  # fmt: skip
            yield Input(placeholder="PIN", password=True, id="pin")
            yield Label("", id="why")
            yield Button("Log in", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#ok")
    async def check(self) -> None:
        role = self.query_one("#role", Select).value
        pin = self.query_one("#pin", Input).value
        if not isinstance(role, Role):
            return
        try:
            name = await asyncio.to_thread(self.roles.login, role, pin)
        except LoginRefused as exc:
            self.query_one("#why", Label).update(f"[!] {exc}")
            self.query_one("#pin", Input).value = ""
            return
        self.dismiss(User(name, role))
