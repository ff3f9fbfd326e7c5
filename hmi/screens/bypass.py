"""Bypass one interlock for maintenance: which, for how long, why (maintenance role only)."""

from __future__ import annotations

import math
from difflib import get_close_matches
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label

from crane_ctrl.interlocks.evaluate import INTERLOCKS
from crane_ctrl.operation.machine import Role
from hmi.console import Console
from hmi.format import quoted

__all__ = [
    "EXAMPLE_INTERLOCK",
    "BypassKeys",
    "BypassModal",
    "BypassRequest",
    "interlock_problem",
    "positive_minutes",
]

EXAMPLE_INTERLOCK = "LANE_NOT_CLEAR"
"""The interlock the field's placeholder names (a real one: the tests check it)."""

BypassRequest = tuple[str, float, str]
"""Interlock id, duration in seconds, reason."""


class BypassModal(ModalScreen[BypassRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Bypass an interlock (MAINTENANCE mode; logged; reduced speed)")
            yield Input(placeholder=f"interlock id, e.g. {EXAMPLE_INTERLOCK}", id="interlock",
                        suggester=SuggestFromList(INTERLOCKS, case_sensitive=False))  # fmt: skip
            yield Input(placeholder="minutes", value="10", id="minutes")
            yield Input(placeholder="reason (for the journal)", id="reason")
            yield Label("", id="why")
            yield Button("Bypass", id="ok", variant="warning")

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def submit(self) -> None:
        interlock = self.query_one("#interlock", Input).value.strip()
        reason = self.query_one("#reason", Input).value.strip()
        typed = self.query_one("#minutes", Input).value.strip()
        minutes = positive_minutes(typed)
        problem = interlock_problem(interlock) or ("" if reason else "[!] give a reason")
        if minutes is None and not problem:
            problem = f"[!] minutes: {quoted(typed)} is not a positive number (e.g. 10)"
        if problem or minutes is None:
            self.query_one("#why", Label).update(Text(problem))  # typed text: no markup
            return
        self.dismiss((interlock.upper(), minutes * 60.0, reason))


def positive_minutes(text: str) -> float | None:
    """``text`` as a positive, finite number of minutes that stays finite in seconds;
    ``None`` when it is not one."""
    try:
        minutes = float(text)
    except ValueError:
        return None
    return minutes if math.isfinite(minutes * 60.0) and minutes > 0.0 else None


_CLOSE = 0.5
"""How alike (difflib ratio) a typed id must be to an interlock's to be offered instead: a
wrong second word ("LANE_INTRUSION" for LANE_NOT_CLEAR) still finds it."""


def interlock_problem(text: str) -> str:
    """Why ``text`` names no interlock of the catalogue ("" when it does), with a suggestion."""
    if not text:
        return "[!] give the interlock and a reason"
    if text.upper() in INTERLOCKS:
        return ""
    close = get_close_matches(text.upper(), INTERLOCKS, n=1, cutoff=_CLOSE)
    hint = f"did you mean {close[0]}?" if close else "the Interlocks screen (2) names them"
    return f"[!] no interlock {quoted(text)}: {hint}"


class BypassKeys:
    """Mixin: ``b`` bypass, ``n`` end the bypass (the station checks mode and role too)."""

    hmi: Console

    async def action_bypass(self) -> None:
        hmi = self.hmi
        if not await hmi.require(Role.MAINTENANCE, "a bypass"):
            return

        async def chosen(request: BypassRequest | None) -> None:
            if request is not None:
                interlock, seconds, reason = request
                await hmi.act(f"{interlock} bypassed for {seconds / 60:g} min",
                              hmi.bridge.station.bypass, interlock, seconds, reason)  # fmt: skip

        hmi.push_screen(BypassModal(), chosen)

    async def action_end_bypass(self) -> None:
        await self.hmi.act("bypass ended", self.hmi.bridge.station.end_bypass)
