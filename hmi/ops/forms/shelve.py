"""Shelve an alarm from the operations centre (``s`` on 2 Alarms and 6 Its alarms, as on the
local HMI's Alarms screen): for how many minutes, at most the station's longest shelve (one
shift), and why (ISA-18.2: a shelve is journaled with its reason). The form gives
``alarm.shelve``'s ``minutes`` and ``reason``; the crane checks the rest (the alarm, the role)."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.widgets import Input

from crane_ctrl.alarms.engine import DEFAULT_MAX_SHELVE_S
from hmi.ops.forms.order_form import OrderForm

__all__ = ["MAX_SHELVE_MIN", "REASON_MAX", "Shelve", "ShelveModal", "parse_shelve"]

MAX_SHELVE_MIN = DEFAULT_MAX_SHELVE_S / 60.0
"""The longest shelve the form takes, minutes: the stations' (their alarm system's default; a
station that allows less refuses the rest in its own words)."""
REASON_MAX = 200
"""The longest reason the form takes, characters (one line of the journal)."""
Shelve = tuple[float, str]
"""Minutes, reason."""


def parse_shelve(minutes: str, reason: str) -> Shelve:
    """The form's fields; ``ValueError`` naming the field that is wrong and how to put it right."""
    minutes, reason = minutes.strip(), reason.strip()
    limit = f"{MAX_SHELVE_MIN:g}"
    try:
        value = float(minutes)
    except ValueError:
        raise ValueError(f"minutes: {minutes[:40]!r} is not a number: give the minutes to "
                         f"shelve it for, 1 to {limit}") from None  # fmt: skip
    if not (math.isfinite(value) and 0.0 < value <= MAX_SHELVE_MIN):
        raise ValueError(f"minutes: {minutes[:40]}: give more than 0 and at most {limit} (the "
                         "station's longest shelve, one shift)")  # fmt: skip
    if not reason:
        raise ValueError("reason: empty: say why the alarm is shelved (it is journaled)")
    if len(reason) > REASON_MAX or not reason.isprintable():
        raise ValueError(f"reason: one line of at most {REASON_MAX} characters, please")
    return value, reason


class ShelveModal(OrderForm[Shelve]):
    """Minutes and a reason: dismisses with both."""

    BUTTON = "Shelve"

    def compose_fields(self) -> ComposeResult:
        yield Input("15", placeholder=f"minutes (at most {MAX_SHELVE_MIN:g})", id="minutes",
                    max_length=20)  # fmt: skip
        yield Input(placeholder="reason (journaled)", id="reason", max_length=REASON_MAX + 40)

    def read(self) -> Shelve:
        return parse_shelve(self.field("minutes"), self.field("reason"))
