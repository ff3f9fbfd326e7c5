"""Faults a test rig injects into the simulator at run time, by name, with checked parameters.

The same catalogue serves Python (``sim.faults.inject("wind", speed_mps=22)``), scenario files
and the loopback control channel (which sends names and text parameters). Each fault says what
it does, takes typed parameters, and most can be cleared; the active ones are listed by key
(``drive_fault:hoist``). Faults act where a real one would: on the weather, on the PLC (e-stop,
local mode, drive faults, forced signals, a warm restart of the PLC program), on the physical yard
and spreader, or on the link.

``force`` sets a status signal's engineering value; one its profile cannot encode (NaN, inf, out
of range) is still served, as :mod:`simulators.served_status` says. ``force_raw`` sets the raw
content of the signal's place past the codec (:mod:`simulators.raw_places` says what each kind of
place can hold), so the supervisor reads exactly that: a NaN REAL, a bool register holding 2, a
code outside a value map; it also takes a point of the profile (``[points]``) by its name, so a
test can make the PLC's own status bits or codes change. It is checked against every server
serving the simulator when injected (a point needs one: only a server knows its profile).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from crane_ctrl.config.messages import close_matches
from crane_ctrl.errors import FaultError
from crane_ctrl.profile.derived import POINT_NAME
from crane_ctrl.signals import SIGNALS, Kind, Value
from simulators.plant import Plant
from simulators.plc_logic import CranePlc
from simulators.raw_places import RawForce, raw_value
from simulators.served import LinkFaults

__all__ = ["FAULTS", "Fault", "FaultError", "FaultInjector", "FaultTarget", "Param", "check_fault"]


class FaultTarget(Protocol):
    """What faults act on: a :class:`~simulators.simulator.CraneSimulator`'s parts."""

    @property
    def plant(self) -> Plant: ...

    @property
    def plc(self) -> CranePlc: ...

    @property
    def link_faults(self) -> LinkFaults: ...

    def drop_connections(self) -> None: ...

    def restart_plc(self, down_s: float) -> None: ...

    def check_raw(self, force: RawForce) -> None: ...


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: type
    default: Any = None
    help: str = ""
    low: float = -math.inf
    high: float = math.inf
    """A number's range (inclusive); a number must also be finite."""

    def convert(self, fault: str, raw: object) -> Any:
        """The parameter's value from Python or from text (control channel, scenario files)."""
        if isinstance(raw, str) and self.kind is not str:
            raw = _from_text(raw)
        if self.kind is float and isinstance(raw, int) and not isinstance(raw, bool):
            raw = float(raw)
        if self.kind is object:
            return raw
        if not isinstance(raw, self.kind) or (self.kind is int and isinstance(raw, bool)):
            kind = self.kind.__name__
            raise FaultError(f"fault {fault}: {self.name} must be a {kind}, not {raw!r}")
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            self._in_range(fault, raw)
        return raw

    def _in_range(self, fault: str, value: float) -> None:
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise FaultError(f"fault {fault}: {self.name} must be a finite number from "
                             f"{self.low:g} to {self.high:g}, not {value!r}")  # fmt: skip


def _from_text(text: str) -> object:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


Action = Callable[[FaultTarget, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class Fault:
    """One kind of fault: name, what it does, its parameters, how to inject and clear it."""

    name: str
    help: str
    params: tuple[Param, ...]
    inject: Action
    clear: Action | None = None
    key_param: str | None = None
    """The parameter that tells instances apart (``axis`` of ``drive_fault``)."""

    def key(self, values: Mapping[str, Any]) -> str:
        return self.name if self.key_param is None else f"{self.name}:{values[self.key_param]}"


def _axis(v: dict[str, Any]) -> str:
    if v["axis"] not in ("gantry", "trolley", "hoist"):
        raise FaultError(
            f"fault drive_fault: axis must be gantry, trolley or hoist, not {v['axis']!r}"
        )
    return str(v["axis"])


def _signal(v: dict[str, Any]) -> str:
    name = str(v["signal"])
    spec = SIGNALS.get(name)
    if spec is None or spec.is_command:
        close = close_matches(name, [s for s in SIGNALS if not SIGNALS[s].is_command], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise FaultError(f"{name!r} is not a status signal{hint}")
    return name


def _force(sim: FaultTarget, v: dict[str, Any]) -> None:
    name = _signal(v)
    value: Value = v["value"]
    if not isinstance(value, bool | int | float):
        raise FaultError(f"fault force: value must be a number, true or false, not {value!r}")
    if SIGNALS[name].kind is Kind.FLOAT and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    sim.plc.faults.forced[name] = value


def _stuck(sim: FaultTarget, v: dict[str, Any]) -> None:
    name = _signal(v)
    sim.plc.faults.forced[name] = sim.plc.status()[name]


def _unforce(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plc.faults.forced.pop(str(v["signal"]), None)


def _force_raw(sim: FaultTarget, v: dict[str, Any]) -> None:
    name = str(v["signal"])
    status = [s for s in SIGNALS if not SIGNALS[s].is_command]
    if (
        name in SIGNALS
        or not POINT_NAME.match(name)
        or ("." in name and close_matches(name, status, n=1, cutoff=0.85))
    ):
        name = _signal(v)  # a point is checked by the servers (sim.check_raw), below
    force = RawForce(name, raw_value(name, v["raw"]), word=bool(v["word"]))
    sim.check_raw(force)
    sim.link_faults.raw[name] = force


def _unforce_raw(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.link_faults.raw.pop(str(v["signal"]), None)


def _wind(sim: FaultTarget, v: dict[str, Any]) -> None:
    f = sim.plc.faults
    f.wind_mps, f.gust_mps, f.gust_period_s = v["speed_mps"], v["gust_mps"], v["gust_period_s"]


def _calm(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plc.faults.wind_mps = sim.plc.faults.gust_mps = 0.0


def _flags(name: str) -> tuple[Action, Action]:
    """Set and clear a flag of the PLC's faults."""

    def on(sim: FaultTarget, v: dict[str, Any]) -> None:
        setattr(sim.plc.faults, name, True)

    def off(sim: FaultTarget, v: dict[str, Any]) -> None:
        setattr(sim.plc.faults, name, False)

    return on, off


def _drive_fault(on: bool) -> Action:
    def act(sim: FaultTarget, v: dict[str, Any]) -> None:
        axis = _axis(v)
        (sim.plc.faults.drive_faults.add if on else sim.plc.faults.drive_faults.discard)(axis)

    return act


def _container(sim: FaultTarget, v: dict[str, Any]) -> str:
    cid = str(v["container"])
    if cid not in sim.plant.yard.containers:
        known = ", ".join(sorted(sim.plant.yard.containers)) or "none"
        raise FaultError(f"no container {cid!r} in the yard (there are: {known})")
    return cid


def _corner(v: dict[str, Any]) -> int:
    corner = int(v["corner"])
    if corner not in (1, 2, 3, 4):
        raise FaultError(f"corner must be 1, 2, 3 or 4, not {corner}")
    return corner


def _lane(sim: FaultTarget, v: dict[str, Any]) -> str:
    lane = str(v["lane"])
    if lane not in sim.plant.yard.vehicles:
        known = ", ".join(sorted(sim.plant.yard.vehicles)) or "none"
        raise FaultError(f"no vehicle in lane {lane!r} (lanes with one: {known})")
    return lane


def _overweight(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plant.yard.override_mass(_container(sim, v), v["mass_t"])


def _true_weight(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plant.yard.override_mass(_container(sim, v), None)


def _misalign(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plant.yard.misalign(_container(sim, v), v["dx_m"], v["dy_m"])


def _jam(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plant.spreader.jammed.add(_corner(v))


def _unjam(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plant.spreader.jammed.discard(_corner(v))


def _stick_pin(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plant.spreader.stuck_pins[_corner(v)] = bool(v["value"])


def _free_pin(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.plant.spreader.stuck_pins.pop(_corner(v), None)


def _chassis(locked: bool) -> Action:
    def act(sim: FaultTarget, v: dict[str, Any]) -> None:
        sim.plant.yard.lock_chassis(_lane(sim, v), locked)

    return act


def _drop(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.drop_connections()


def _restart(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.restart_plc(v["seconds"])


def _freeze(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.link_faults.freeze()


def _thaw(sim: FaultTarget, v: dict[str, Any]) -> None:
    sim.link_faults.thaw()


def _link_setting(name: str, key: str | None, off: object) -> tuple[Action, Action]:
    def on(sim: FaultTarget, v: dict[str, Any]) -> None:
        setattr(sim.link_faults, name, v[key] if key else True)

    def clear(sim: FaultTarget, v: dict[str, Any]) -> None:
        setattr(sim.link_faults, name, off)

    return on, clear


_WIND = (
    Param("speed_mps", float, None, "steady wind, m/s", 0.0, 80.0),
    Param("gust_mps", float, 0.0, "gust amplitude, m/s", 0.0, 40.0),
    Param("gust_period_s", float, 8.0, "gust period, s", 0.5, 600.0),
)
_CONTAINER = Param("container", str, None, "container id")
_CORNER = Param("corner", int, None, "spreader corner 1..4")
_SIGNAL = Param("signal", str, None, "status signal name")

FAULTS: Mapping[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "wind", "steady wind with optional gusts (anemometer, load drag)", _WIND, _wind, _calm
        ),
        Fault("estop", "an e-stop pressed: chain open, drives off", (), *_flags("estop")),
        Fault("local", "PLC key switch in local: supervisor ignored", (), *_flags("local")),
        Fault(
            "drive_fault",
            "a drive trips (latched in the PLC until reset)",
            (Param("axis", str, None, "gantry, trolley or hoist"),),
            _drive_fault(True),
            _drive_fault(False),
            key_param="axis",
        ),
        Fault(
            "force",
            "a status signal forced to a value (wire fault, bad card)",
            (_SIGNAL, Param("value", object, None, "the value it reads")),
            _force,
            _unforce,
            key_param="signal",
        ),
        Fault(
            "force_raw",
            "a status signal's register, bit or node set to raw content, past the profile's "
            "scaling and value map (a NaN REAL, a bool register holding 2, an unknown code); "
            "or a point of the profile's",
            (
                Param("signal", str, None, "status signal name, or a point of the profile"),
                Param("raw", object, None, "raw content: a number, true, false, nan, inf or -inf"),
                Param("word", bool, False, "a bit or bit field: set its whole register or node"),
            ),
            _force_raw,
            _unforce_raw,
            key_param="signal",
        ),
        Fault(
            "stuck",
            "a status signal stuck at its present value",
            (_SIGNAL,),
            _stuck,
            _unforce,
            key_param="signal",
        ),
        Fault(
            "person_in_lane", "a person in the lane / curtain broken", (), *_flags("person_in_lane")
        ),
        Fault(
            "storm_pins", "storm pins set: the gantry cannot travel", (), *_flags("storm_pins_down")
        ),
        Fault(
            "overweight",
            "a container heavier than declared",
            (_CONTAINER, Param("mass_t", float, None, "its real mass, t", 0.0, 200.0)),
            _overweight,
            _true_weight,
            key_param="container",
        ),
        Fault(
            "misaligned",
            "a standing container shifted off its slot (one-shot)",
            (
                _CONTAINER,
                Param("dx_m", float, 0.0, "", -20.0, 20.0),
                Param("dy_m", float, 0.0, "", -20.0, 20.0),
            ),
            _misalign,
            key_param="container",
        ),
        Fault(
            "twistlock_jammed",
            "a twistlock that fails to turn",
            (_CORNER,),
            _jam,
            _unjam,
            key_param="corner",
        ),
        Fault(
            "landed_pin_stuck",
            "a landing pin that reads a fixed value",
            (_CORNER, Param("value", bool, True)),
            _stick_pin,
            _free_pin,
            key_param="corner",
        ),
        Fault(
            "truck_lifted",
            "a trailer whose chassis twistlocks were left locked",
            (Param("lane", str, None, "truck lane id"),),
            _chassis(True),
            _chassis(False),
            key_param="lane",
        ),
        Fault("link_drop", "close every client connection now (one-shot)", (), _drop),
        Fault(
            "plc_restart",
            "the PLC restarts (power dip, program download, CPU STOP->RUN; one-shot): every "
            "connection closed, nothing answered for `seconds`, then it runs again initialised: "
            "drives off, command places at their initial values, life counter from 0, watchdog "
            "trip latched until a reset; the crane (a box hanging, positions) unchanged",
            (Param("seconds", float, 3.0, "how long it is down, s", 0.05, 600.0),),
            _restart,
        ),
        Fault("link_freeze", "the PLC stops answering; connections stay open", (), _freeze, _thaw),
        Fault(
            "link_latency",
            "every answer delayed",
            (Param("seconds", float, None, "delay, s", 0.0, 60.0),),
            *_link_setting("latency_s", "seconds", 0.0),
        ),
        Fault(
            "modbus_exception",
            "every Modbus request answered with an exception",
            (Param("code", int, 4, "exception code", 1, 255),),
            *_link_setting("exception_code", "code", None),
        ),
    )
}
"""Every fault the simulator can inject, by name."""


class FaultInjector:
    """Injects and clears faults on one simulator, and remembers which are active."""

    def __init__(self, sim: FaultTarget) -> None:
        self._sim = sim
        self.active: dict[str, dict[str, Any]] = {}
        """Active faults by key (``drive_fault:hoist``) with their parameters."""

    def inject(self, name: str, **raw: object) -> str:
        """Inject fault ``name``; returns its key. :class:`FaultError` names what is wrong."""
        fault = _lookup(name)
        values = _bind(fault, raw)
        fault.inject(self._sim, values)
        key = fault.key(values)
        if fault.clear is not None:
            self.active[key] = values
        return key

    def clear(self, key: str | None = None) -> None:
        """Clear the fault with ``key`` (or name, when only one is active), or all of them."""
        keys = list(self.active) if key is None else [self._match(key)]
        for k in keys:
            values = self.active.pop(k)
            fault = FAULTS[k.split(":", 1)[0]]
            assert fault.clear is not None
            fault.clear(self._sim, values)

    def _match(self, key: str) -> str:
        if key in self.active:
            return key
        matches = [k for k in self.active if k.split(":", 1)[0] == key]
        if len(matches) == 1:
            return matches[0]
        active = ", ".join(self.active) or "none"
        raise FaultError(f"no single active fault {key!r} to clear (active: {active})")


def check_fault(name: str, params: Mapping[str, object]) -> None:
    """Raise :class:`FaultError` unless fault ``name`` exists and takes ``params``."""
    _bind(_lookup(name), params)


def _lookup(name: str) -> Fault:
    try:
        return FAULTS[name]
    except KeyError:
        close = close_matches(name, FAULTS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise FaultError(f"unknown fault {name!r}; {hint}faults: {', '.join(FAULTS)}") from None


def _bind(fault: Fault, raw: Mapping[str, object]) -> dict[str, Any]:
    known = {p.name: p for p in fault.params}
    unknown = set(raw) - set(known)
    if unknown:
        names = ", ".join(known) or "none"
        raise FaultError(
            f"fault {fault.name}: unknown parameter {sorted(unknown)[0]!r} (takes: {names})"
        )
    values: dict[str, Any] = {}
    for p in fault.params:
        if p.name in raw:
            values[p.name] = p.convert(fault.name, raw[p.name])
        elif p.default is not None:
            values[p.name] = p.default
        else:
            raise FaultError(
                f"fault {fault.name}: missing parameter {p.name!r} ({p.help or p.kind.__name__})"
            )
    return values
