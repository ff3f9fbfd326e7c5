"""``?``: every key of the screen in front and of the whole HMI, with what it does.

The footer shows what fits on one line (at 80 columns, not all); this overlay lists everything,
including keys the footer leaves out, and the command palette (:data:`PALETTE_LINE`: it also
opens the simulator's fault panel in the demo). Escape, ``?`` or ``q`` close it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

__all__ = ["PALETTE_LINE", "KeysModal", "key_lines"]

_KEY_NAMES = {
    "question_mark": "?", "escape": "Esc", "space": "Space", "enter": "Enter", "tab": "Tab",
    "pageup": "PgUp", "pagedown": "PgDn", "up": "↑", "down": "↓", "left": "←", "right": "→",
}  # fmt: skip


PALETTE_LINE = (f"{'ctrl+p':<14} command palette: screens, machine commands, log in; simulator "
                "faults (demo; maintenance; also f on 7 Comms)")  # fmt: skip
"""The command palette's line under "Everywhere": what it holds beyond the keys listed, the
simulator's fault panel among them (demo only)."""


def key_lines(bindings: Iterable[Binding]) -> list[str]:
    """One line per key that has a description: ``key  what it does`` (keys merged when
    several share one action)."""
    lines: dict[str, list[str]] = {}
    for binding in bindings:
        if not binding.description:
            continue
        for key in binding.key.split(","):
            name = _KEY_NAMES.get(key.strip(), key.strip())
            lines.setdefault(binding.description, [])
            if name not in lines[binding.description]:
                lines[binding.description].append(name)
    return [f"{'/'.join(keys):<14} {what}" for what, keys in lines.items()]


class KeysModal(ModalScreen[None]):
    """The keys of one screen and the HMI's own."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss(None)", "close"),
    ]

    def __init__(self, title: str, screen_keys: list[str], hmi_keys: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.screen_keys = screen_keys
        self.hmi_keys = hmi_keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog keys"):
            yield Label(f"Keys: {self.title_text}", classes="caption")
            yield Static("\n".join(self.screen_keys) or "(none of its own)", id="screen-keys")
            yield Label("Everywhere", classes="caption")
            yield Static("\n".join([*self.hmi_keys, PALETTE_LINE]), id="hmi-keys")
            yield Label("Esc, ? or q closes this", classes="caption")
