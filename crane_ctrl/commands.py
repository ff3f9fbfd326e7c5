"""What the supervisor asks of the PLC in one scan: speed references and discrete commands.

Immutable. The sequencer (or the operator) proposes a :class:`Commands`; the interlock filter
returns a copy with every blocked part forced to its safe value; the scan loop adds the heartbeat
and writes it. ``Commands()`` is the safe state: nothing moves, twistlocks untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from crane_ctrl.signals import DIRECTION_COMMANDS, Value

__all__ = ["AXES", "Commands"]

AXES = ("gantry", "trolley", "hoist")


@dataclass(frozen=True, slots=True)
class Commands:
    drives_enable: bool = False
    gantry_speed_ref: float = 0.0
    """m/s, positive = increasing x."""
    trolley_speed_ref: float = 0.0
    """m/s, positive = increasing y."""
    hoist_speed_ref: float = 0.0
    """m/s, positive = up."""
    lock: bool = False
    unlock: bool = False
    size_ref: int | None = None
    """Telescope target (20, 40, 45 ft); ``None`` keeps the present target."""
    reset: bool = False

    def speed(self, axis: str) -> float:
        value: float = getattr(self, f"{axis}_speed_ref")
        return value

    def with_speed(self, axis: str, value: float) -> Commands:
        if axis == "gantry":
            return replace(self, gantry_speed_ref=value)
        if axis == "trolley":
            return replace(self, trolley_speed_ref=value)
        if axis == "hoist":
            return replace(self, hoist_speed_ref=value)
        raise ValueError(f"`axis` must be gantry, trolley or hoist, not {axis!r}")

    @property
    def moving(self) -> bool:
        return any(self.speed(a) != 0.0 for a in AXES)

    def directions(self) -> dict[str, bool]:
        """The direction commands (``gantry.forward`` ...): each true while its axis's
        reference has that sign; both false at zero."""
        out: dict[str, bool] = {}
        for axis, (positive, negative) in DIRECTION_COMMANDS.items():
            ref = self.speed(axis)
            out[positive], out[negative] = ref > 0.0, ref < 0.0
        return out

    def signals(self, heartbeat: int, size_now: int) -> dict[str, Value]:
        """The command signals to write, with the scan's heartbeat."""
        return {
            "sup.heartbeat": heartbeat,
            "drives.enable": self.drives_enable,
            "gantry.enable": self.drives_enable,
            "trolley.enable": self.drives_enable,
            "hoist.enable": self.drives_enable,
            "gantry.speed_ref": self.gantry_speed_ref,
            "trolley.speed_ref": self.trolley_speed_ref,
            "hoist.speed_ref": self.hoist_speed_ref,
            **self.directions(),
            "spreader.lock": self.lock,
            "spreader.unlock": self.unlock,
            "spreader.size_ref": self.size_ref if self.size_ref is not None else size_now,
            "spreader.telescope": self.size_ref is not None,
            "plc.reset": self.reset,
        }
