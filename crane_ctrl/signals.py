"""The canonical crane signals: the public contract between PLC profiles and crane-ctrl.

Every PLC profile maps these names to one PLC's registers or nodes; every other module speaks only
these names. Units are SI after decoding (m, m/s, t, m/s, ft for spreader sizes). Bools named
``*_ok`` are fail-safe: ``False`` is the unsafe state (limit operated, chain open), so a broken
wire or a dead input module reads as unsafe.

Optional signals may be left out of a profile; the interlocks that need them then act
conservatively and the HMI says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "COMMANDS",
    "CORNERS",
    "DIRECTION_COMMANDS",
    "SIGNALS",
    "STATUS",
    "Direction",
    "Kind",
    "SignalSpec",
    "Value",
    "spec",
]

Value = bool | int | float
"""An engineering value of a canonical signal."""

CORNERS = (1, 2, 3, 4)
"""Spreader corners, numbered as the per-corner signals are (``spreader.landed_1`` ...)."""

_COUNTER_MIN = -(2**31)
"""Life counters may live in signed PLC words (an S7 INT wraps to -32768): any value counts."""
_COUNTER_MAX = 2**32 - 1


class Direction(StrEnum):
    """Which way a signal flows."""

    STATUS = "status"
    """PLC -> supervisor: read every scan."""
    COMMAND = "command"
    """Supervisor -> PLC: written by the scan loop only."""


class Kind(StrEnum):
    """The engineering type of a signal after decoding."""

    BOOL = "bool"
    INT = "int"
    FLOAT = "float"


@dataclass(frozen=True, slots=True)
class SignalSpec:
    """One canonical signal: what it means and which values are plausible."""

    name: str
    direction: Direction
    kind: Kind
    unit: str
    required: bool
    meaning: str
    minimum: float | None = None
    """Lowest plausible value; a decoded value below it is out of range (bad quality)."""
    maximum: float | None = None
    """Highest plausible value."""
    allowed: frozenset[int] | None = None
    """For coded integers (spreader sizes): the only values that exist."""
    fail_safe: str | None = None
    """For ``*_ok`` signals: what ``False`` (and any bad or stale reading) means."""

    @property
    def is_command(self) -> bool:
        return self.direction is Direction.COMMAND

    def plausible(self, value: Value) -> bool:
        """Whether a decoded value could be real: right type, finite, within range or allowed."""
        if self.kind is Kind.BOOL:
            return isinstance(value, bool)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if self.kind is Kind.INT and isinstance(value, float) and not value.is_integer():
            return False  # (an int of any size is whole and finite: float() would overflow)
        if self.allowed is not None:
            return int(value) in self.allowed
        if self.minimum is not None and value < self.minimum:
            return False
        return not (self.maximum is not None and value > self.maximum)

    def describe_range(self) -> str:
        """The plausible values in words, for messages and the HMI."""
        if self.kind is Kind.BOOL:
            return "true or false"
        if self.allowed is not None:
            return "one of " + ", ".join(str(v) for v in sorted(self.allowed))
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.minimum:g} to {self.maximum:g}{unit}"


def _status(name: str, kind: Kind, unit: str, meaning: str, **kw: object) -> SignalSpec:
    return SignalSpec(name, Direction.STATUS, kind, unit, kw.pop("required", True), meaning, **kw)  # type: ignore[arg-type]


def _command(name: str, kind: Kind, unit: str, meaning: str, **kw: object) -> SignalSpec:
    required = kw.pop("required", True)
    return SignalSpec(name, Direction.COMMAND, kind, unit, required, meaning, **kw)  # type: ignore[arg-type]


def _ok(name: str, meaning: str, unsafe: str, *, required: bool = True) -> SignalSpec:
    return _status(name, Kind.BOOL, "", meaning, fail_safe=f"false = {unsafe}", required=required)


_AXIS_SPAN = {"gantry": (-50.0, 2000.0), "trolley": (-20.0, 100.0), "hoist": (-2.0, 60.0)}
_AXIS_SPEED = {"gantry": 8.0, "trolley": 8.0, "hoist": 5.0}
_AXIS_POSITION_MEANING = {
    "gantry": "gantry position along the rails",
    "trolley": "trolley position across the span",
    "hoist": "height of the spreader's underside (twistlock plane) above ground",
}


def _axis_signals(axis: str) -> Iterator[SignalSpec]:
    low, high = _AXIS_SPAN[axis]
    vmax = _AXIS_SPEED[axis]
    yield _status(
        f"{axis}.position", Kind.FLOAT, "m", _AXIS_POSITION_MEANING[axis], minimum=low, maximum=high
    )
    yield _status(
        f"{axis}.speed", Kind.FLOAT, "m/s", f"actual {axis} speed", minimum=-vmax, maximum=vmax
    )
    yield _status(f"{axis}.ready", Kind.BOOL, "", f"{axis} drive ready (enabled, no fault)")
    yield _status(f"{axis}.fault", Kind.BOOL, "", f"{axis} drive fault")


def _limit_signals() -> Iterator[SignalSpec]:
    for axis, ends in (("gantry", ("fwd", "rev")), ("trolley", ("fwd", "rev"))):
        for end in ends:
            way = "forward" if end == "fwd" else "reverse"
            yield _ok(
                f"{axis}.limit_{end}_ok",
                f"{axis} {way} end-of-travel limit not operated",
                f"{way} limit operated: {axis} motion {way} blocked",
            )
    yield _ok("hoist.limit_up_ok", "hoist upper limit not operated", "upper limit operated")
    yield _ok("hoist.limit_down_ok", "hoist lower limit not operated", "lower limit operated")


def _spreader_signals() -> Iterator[SignalSpec]:
    yield _status(
        "spreader.size",
        Kind.INT,
        "ft",
        "spreader length: 20, 40 or 45 ft; 0 while telescoping",
        allowed=frozenset({0, 20, 40, 45}),
    )
    for what, meaning in (
        ("landed", "landing pin pressed"),
        ("locked", "twistlock fully locked"),
        ("unlocked", "twistlock fully unlocked"),
    ):
        for corner in CORNERS:
            yield _status(f"spreader.{what}_{corner}", Kind.BOOL, "", f"corner {corner}: {meaning}")


def _status_signals() -> Iterator[SignalSpec]:
    yield _status(
        "plc.heartbeat",
        Kind.INT,
        "",
        "PLC life counter; must keep changing",
        minimum=_COUNTER_MIN,
        maximum=_COUNTER_MAX,
    )
    yield _status("plc.remote", Kind.BOOL, "", "PLC accepts supervisor commands (remote/auto key)")
    yield _ok("plc.estop_ok", "emergency-stop chain closed", "chain open: all motion stops")
    yield _status(
        "plc.watchdog_trip", Kind.BOOL, "", "PLC stopped motion because our heartbeat froze"
    )
    yield _status(
        "plc.restart_inhibit",
        Kind.BOOL,
        "",
        "PLC inhibits a restart (after a trip, until reset and ready): references held at zero",
        required=False,
    )
    yield _status(
        "plc.fault_code",
        Kind.INT,
        "",
        "PLC fault code, 0 = no fault",
        required=False,
        minimum=0,
        maximum=_COUNTER_MAX,
    )
    for axis in ("gantry", "trolley", "hoist"):
        yield from _axis_signals(axis)
    yield from _limit_signals()
    yield _status(
        "hoist.load",
        Kind.FLOAT,
        "t",
        "mass under the spreader (spreader tared out)",
        minimum=-20.0,
        maximum=150.0,
    )
    yield _status("hoist.slack_rope", Kind.BOOL, "", "hoist ropes slack", required=False)
    for direction in ("trolley", "gantry"):
        yield _status(
            f"sway.{direction}",
            Kind.FLOAT,
            "m",
            f"load offset from plumb in the {direction} direction (sway sensor)",
            required=False,
            minimum=-10.0,
            maximum=10.0,
        )
    yield from _spreader_signals()
    yield _status(
        "gantry.storm_pins_up",
        Kind.BOOL,
        "",
        "storm pins lifted, gantry travel possible",
        required=False,
    )
    yield _status("env.wind", Kind.FLOAT, "m/s", "3-s gust wind speed", minimum=0.0, maximum=100.0)
    yield _ok(
        "lane.clear",
        "working lane free of people, light curtains intact",
        "person in the lane or curtain broken: hoist and travel over the lane stop",
        required=False,
    )
    yield _status(
        "lane.truck_lifted", Kind.BOOL, "", "truck-lift prevention tripped", required=False
    )


DIRECTION_COMMANDS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "gantry": ("gantry.forward", "gantry.reverse"),
    "trolley": ("trolley.forward", "trolley.reverse"),
    "hoist": ("hoist.up", "hoist.down"),
})  # fmt: skip
"""Per axis, its optional direction commands: (positive reference, negative reference)."""


def _command_signals() -> Iterator[SignalSpec]:
    yield _command(
        "sup.heartbeat",
        Kind.INT,
        "",
        "supervisor life counter, +1 every scan; the PLC watchdog trips after 1 s unchanged",
        minimum=0,
        maximum=_COUNTER_MAX,
    )
    yield _command("drives.enable", Kind.BOOL, "", "enable drives / release brakes")
    for axis in ("gantry", "trolley", "hoist"):
        yield _command(
            f"{axis}.enable",
            Kind.BOOL,
            "",
            f"enable the {axis} drive, for PLCs with one enable per axis (optional: written with "
            "drives.enable)",
            required=False,
        )
    for axis, (positive, negative) in DIRECTION_COMMANDS.items():
        for name, sign in ((positive, "positive"), (negative, "negative")):
            yield _command(
                name,
                Kind.BOOL,
                "",
                f"{axis} direction, for PLCs that take a speed magnitude and direction bits "
                f"(optional: true while {axis}.speed_ref is {sign}; map the reference with "
                "magnitude = true)",
                required=False,
            )
    for axis in ("gantry", "trolley", "hoist"):
        vmax = _AXIS_SPEED[axis]
        yield _command(
            f"{axis}.speed_ref",
            Kind.FLOAT,
            "m/s",
            f"{axis} speed reference",
            minimum=-vmax,
            maximum=vmax,
        )
    yield _command("spreader.lock", Kind.BOOL, "", "turn the twistlocks to locked (held)")
    yield _command("spreader.unlock", Kind.BOOL, "", "turn the twistlocks to unlocked (held)")
    yield _command(
        "spreader.size_ref",
        Kind.INT,
        "ft",
        "telescope target: 20, 40 or 45 ft",
        allowed=frozenset({20, 40, 45}),
    )
    yield _command(
        "spreader.telescope",
        Kind.BOOL,
        "",
        "start telescoping to spreader.size_ref, for PLCs that take a target and a start "
        "(optional: high while the spreader is not at the target)",
        required=False,
    )
    yield _command("plc.reset", Kind.BOOL, "", "fault reset (pulse)")


def _catalogue() -> Mapping[str, SignalSpec]:
    specs = [*_status_signals(), *_command_signals()]
    table = {s.name: s for s in specs}
    assert len(table) == len(specs), "duplicate canonical signal name"
    return MappingProxyType(table)


SIGNALS: Mapping[str, SignalSpec] = _catalogue()
"""Every canonical signal by name, status signals first, in catalogue order."""

STATUS: tuple[SignalSpec, ...] = tuple(s for s in SIGNALS.values() if not s.is_command)
COMMANDS: tuple[SignalSpec, ...] = tuple(s for s in SIGNALS.values() if s.is_command)


def spec(name: str) -> SignalSpec:
    """The catalogue entry of ``name``; ``KeyError`` names the closest known signals."""
    try:
        return SIGNALS[name]
    except KeyError:
        from difflib import get_close_matches

        close = get_close_matches(name, SIGNALS, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"unknown signal {name!r}{hint}") from None
