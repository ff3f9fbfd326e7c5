"""The fail-safe inputs whose sense commissioning checks, and the engineer who operates them.

A fail-safe input reads true only when it is safe; operated (pressed, tripped, switched to local,
a person in the lane) it must read **false**, and so must a broken wire or a dead card. A profile
with a wrong ``invert`` reads the other way round, and nothing but operating the device on the
crane shows it. Each :class:`SafetyInput` says what the engineer does to operate it and to put it
back. The drives' ``*.ready`` signals are checked by the fail-safe stage itself, by switching
``drives.enable`` (:mod:`crane_ctrl.commission.failsafe`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["SAFETY_INPUTS", "Engineer", "SafetyInput"]


@dataclass(frozen=True, slots=True)
class SafetyInput:
    """One fail-safe input: true = safe, and how to operate it on the crane."""

    signal: str
    """The canonical status signal (``plc.estop_ok``)."""
    operate: str
    """What the engineer does to make it read false."""
    restore: str
    """What the engineer does to make it read true again."""
    false_means: str
    """What a false reading means on the crane."""


def _limits() -> tuple[SafetyInput, ...]:
    ends = (
        ("gantry", "fwd", "forward end"),
        ("gantry", "rev", "reverse end"),
        ("trolley", "fwd", "forward end"),
        ("trolley", "rev", "reverse end"),
        ("hoist", "up", "upper"),
        ("hoist", "down", "lower"),
    )
    return tuple(
        SafetyInput(
            f"{axis}.limit_{end}_ok",
            f"operate the {axis} {place} limit switch by hand",
            "let the limit switch go",
            f"{axis} {place} limit operated",
        )
        for axis, end, place in ends
    )


SAFETY_INPUTS: tuple[SafetyInput, ...] = (
    SafetyInput(
        "plc.estop_ok",
        "press an emergency stop",
        "release it (the chain closed)",
        "e-stop chain open",
    ),
    SafetyInput(
        "plc.remote",
        "turn the PLC's key switch to local",
        "turn it back to remote",
        "PLC in local: it ignores the supervisor",
    ),
    *_limits(),
    SafetyInput(
        "lane.clear",
        "break the lane's light curtain",
        "clear the light curtain",
        "person in the lane or light curtain broken",
    ),
    SafetyInput(
        "gantry.storm_pins_up",
        "lower the storm pins",
        "lift the storm pins",
        "storm pins down",
    ),
)
"""Every fail-safe input, in the order they are checked: each signal of
:mod:`crane_ctrl.signals` with a ``fail_safe`` meaning, the remote key and the storm pins."""


class Engineer(Protocol):
    """The person at the crane during the fail-safe checks (a script in tests)."""

    async def operate(self, device: SafetyInput) -> bool:
        """Ask for ``device`` to be operated; true when the engineer is about to, false to skip
        it."""
        ...

    async def restore(self, device: SafetyInput) -> None:
        """Say that ``device`` read false as it must, and ask for it to be put back."""
        ...
