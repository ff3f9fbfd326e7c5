"""Last checks on the commands of a scan before they go to the link. Pure.

Two things the interlock filter does not do, because they are not about permission:

* speed references are limited to the crane's rated speeds (a reference the drives cannot follow
  is a mistake upstream, and may not even fit the PLC's place);
* a command signal whose value cannot be encoded for its PLC place is replaced by its safe value
  (zero speed, nothing turning, drives off), so that one bad value never stops every other
  command, the zero references above all, from reaching the PLC.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.crane import rated_speeds
from crane_ctrl.errors import EncodeError
from crane_ctrl.profile.modbus_map import ModbusCodec
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.profile.opcua_map import OpcUaCodec
from crane_ctrl.signals import Value

__all__ = ["SAFE_VALUES", "encodable", "limit_speeds", "rated_speeds", "single_encoder"]

SAFE_VALUES: Mapping[str, Value] = {
    "drives.enable": False,
    "gantry.speed_ref": 0.0,
    "trolley.speed_ref": 0.0,
    "hoist.speed_ref": 0.0,
    "spreader.lock": False,
    "spreader.unlock": False,
    "plc.reset": False,
}
"""What each command falls back to when its value cannot be written."""


def limit_speeds(commands: Commands, rated: Mapping[str, float]) -> tuple[Commands, list[str]]:
    """References limited to +/- rated speed; the list says which were cut, and from what."""
    cut = []
    for axis in AXES:
        ref = commands.speed(axis)
        limit = rated[axis]
        if not -limit <= ref <= limit:  # also catches NaN
            safe = 0.0 if ref != ref else max(-limit, min(limit, ref))
            cut.append(f"{axis}.speed_ref {ref:g} m/s limited to {safe:g} m/s (rated {limit:g})")
            commands = commands.with_speed(axis, safe)
    return commands, cut


Encoder = Callable[[Mapping[str, Value]], None]


def single_encoder(profile: Profile) -> Encoder:
    """A function that raises :class:`EncodeError` when a value it is given cannot be encoded
    (given one, it names that one)."""
    codec = ModbusCodec(profile) if isinstance(profile, ModbusProfile) else OpcUaCodec(profile)

    def check(values: Mapping[str, Value]) -> None:
        codec.encode(values)

    return check


def encodable(values: Mapping[str, Value], check: Encoder) -> tuple[dict[str, Value], list[str]]:
    """``values`` with every unencodable one replaced by its safe value, and why. All are
    tried at once first (every scan: they encode); only then one by one, to name them."""
    safe = dict(values)
    problems: list[str] = []
    try:
        check(values)
    except EncodeError:
        pass
    else:
        return safe, problems
    for name, value in values.items():
        try:
            check({name: value})
        except EncodeError as exc:
            fallback = SAFE_VALUES.get(name)
            problems.append(f"{name}: {exc}; wrote {fallback!r} instead")
            if fallback is None:
                del safe[name]
            else:
                safe[name] = fallback
    return safe, problems
