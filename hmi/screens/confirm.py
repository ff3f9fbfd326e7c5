"""Ask before an action that cannot be taken back (cancel a job, abort the machine).

``y`` or Enter on "yes" confirms; ``n``, Escape or Enter on "no" (the default) do not. STOP never
asks: a stop is never delayed.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

__all__ = ["ConfirmModal"]


class ConfirmModal(ModalScreen[bool]):
    """Dismisses with ``True`` only when the operator confirms."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "dismiss(True)", "yes"),
        Binding("n", "dismiss(False)", "no"),
        Binding("escape", "dismiss(False)", "no"),
    ]
    AUTO_FOCUS = "#no"

    def __init__(self, question: str, consequence: str) -> None:
        super().__init__()
        self.question = question
        self.consequence = consequence

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question), classes="caption")  # ids in it: no markup
            yield Label(Text(self.consequence))
            with Horizontal(classes="buttons"):
                yield Button("y: yes", id="yes", variant="error")
                yield Button("n: no", id="no")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
