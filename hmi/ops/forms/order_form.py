"""A form for an order that needs more than a key (a job order, a job to cancel, a shelve): a
modal over the screen, its fields, a line that says what is wrong, and a button.

Nothing is sent from here: the form dismisses with what it read, and the screen that opened it
sends that. Enter in any field, or the button, checks the form: a field that is wrong is named
on the form's line with how to put it right (``[!] from: ...``), the form stays open and nothing
is sent; Escape leaves the form, and nothing is sent either. While the form is open no key of
the app or of the screen under it fires (Textual stops the key chain at a modal): every
character typed goes into the field.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

__all__ = ["OrderForm"]

T = TypeVar("T")


class OrderForm(ModalScreen[T | None], Generic[T]):
    """Dismisses with :meth:`read`'s value once the form is well filled, ``None`` on Escape.
    A form is its :meth:`compose_fields` and :meth:`read`."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "cancel")]
    BUTTON = "Send"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog order-form"):
            yield Label(Text(self.title_text), classes="caption")  # ids in it: no markup
            yield from self.compose_fields()
            yield Label("", id="why")
            yield Button(self.BUTTON, id="ok", variant="primary")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def read(self) -> T:
        """What the form says; ``ValueError`` naming the field that is wrong and the fix."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Changed)
    @on(Select.Changed)
    def changed(self) -> None:
        self.query_one("#why", Label).update("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def check(self) -> None:
        try:
            value = self.read()
        except ValueError as exc:
            self.query_one("#why", Label).update(Text(f"[!] {exc}"))  # no markup
            return
        self.dismiss(value)

    def field(self, name: str) -> str:
        """The text in the field ``#name``, without the spaces around it."""
        return self.query_one(f"#{name}", Input).value.strip()
