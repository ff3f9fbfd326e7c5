"""A hand on the wire for the simulator's PLC tests: what the smallest supervisor scan would do.

:class:`CommandDriver` talks to a :class:`~simulators.simulator.CraneSimulator` only through raw
reads and writes of a :class:`~simulators.memory.MemoryPlc` with a shipped profile's codec, never
through the plant. Every 50 ms scan it adds one to ``sup.heartbeat`` (unless told to stop),
writes every command (whole, as a real scan does), lets the simulator run the scan in lock-step
(5 steps of 10 ms), reads the status back and records each change of the discrete spreader and
rope signals in :attr:`CommandDriver.timeline`. Every wait is bounded in simulated time.

Motion, as a careful PLC program would move the crane by speed references:

- travel (gantry and trolley together): a trapezoid of speed references whose ramps last one
  pendulum period, so the load is left without sway, with a cruise speed chosen so the ramps end
  on the target; a second, slow trapezoid trims what the codec's resolution left over;
- hoist: position control with a slow-down (speed ~ sqrt(2 a d) near the target);
- landing: lower fast, slow down to creep speed at ``creep_distance_m`` above the surface, creep
  until all four landing pins press (or the rope goes slack), stop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import NamedTuple, Protocol

from crane_ctrl.crane import CraneParams
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.modbus_map import ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile, Profile
from crane_ctrl.profile.opcua_map import OpcUaCodec
from crane_ctrl.signals import CORNERS, Direction, Value
from crane_ctrl.site import CONTAINER_HEIGHT_M
from simulators.memory import MemoryPlc
from simulators.simulator import CraneSimulator
from tests.profile_texts import PROFILES

DT = 0.01
"""Lock-step time step, s."""
STEPS_PER_SCAN = 5
SCAN_S = DT * STEPS_PER_SCAN
"""The driver's scan period, s: it beats, writes, lets the PLC run and reads once per scan."""
HEARTBEAT_MODULUS = 65536
"""``sup.heartbeat`` wraps here (a 16-bit word)."""

WATCHED: tuple[str, ...] = (
    *(f"spreader.landed_{k}" for k in CORNERS),
    *(f"spreader.locked_{k}" for k in CORNERS),
    *(f"spreader.unlocked_{k}" for k in CORNERS),
    "hoist.slack_rope",
    "spreader.size",
)
"""The discrete status signals whose every change the driver records."""

TRAVEL_TOLERANCE_M = 0.005
"""Travel stops within this of its target, m."""
HOIST_TOLERANCE_M = 0.01
"""Hoist positioning stops within this of its target, m."""
SLOWDOWN_FRACTION = 0.8
"""Share of the hoist's deceleration limit the slow-down plans with (margin for the scan)."""
FINE_SPEED_MPS = 0.02
"""Slowest hoist reference while positioning, m/s."""
STANDSTILL_MPS = 1e-3
"""An axis slower than this stands still, m/s."""

Status = Mapping[str, Value]

COMMAND_DEFAULTS: Mapping[str, Value] = {
    "sup.heartbeat": 0,
    "drives.enable": False,
    "gantry.speed_ref": 0.0,
    "trolley.speed_ref": 0.0,
    "hoist.speed_ref": 0.0,
    "spreader.lock": False,
    "spreader.unlock": False,
    "spreader.size_ref": 40,
    "plc.reset": False,
}


class Wire(Protocol):
    """Raw access to one PLC through one profile: decoded status in, encoded commands out."""

    plc: MemoryPlc

    def read_status(self) -> dict[str, Value]: ...

    def write_commands(self, values: Mapping[str, Value]) -> None: ...


class ModbusWire:
    """Read the planned blocks, decode; encode commands, write the contiguous blocks."""

    def __init__(self, plc: MemoryPlc, profile: ModbusProfile) -> None:
        self.plc = plc
        self.codec = ModbusCodec(profile)
        self._plan = self.codec.read_plan()

    def read_status(self) -> dict[str, Value]:
        image = RegisterImage()
        for block in self._plan:
            image.put(
                block.table, block.start, self.plc.read(block.table, block.start, block.count)
            )
        decoded = self.codec.decode(image)
        return _checked(decoded.values, decoded.problems)

    def write_commands(self, values: Mapping[str, Value]) -> None:
        for block in self.codec.write_blocks(self.codec.encode(values)):
            self.plc.write(block.table, block.start, block.values)


class OpcUaWire:
    """Read every status node at once, decode; write the encoded command nodes."""

    def __init__(self, plc: MemoryPlc, profile: OpcUaProfile) -> None:
        self.plc = plc
        self.codec = OpcUaCodec(profile)
        self._nodes = self.codec.nodes(Direction.STATUS)

    def read_status(self) -> dict[str, Value]:
        values = dict(zip(self._nodes, self.plc.read_nodes(self._nodes), strict=True))
        decoded = self.codec.decode(values)
        return _checked(decoded.values, decoded.problems)

    def write_commands(self, values: Mapping[str, Value]) -> None:
        self.plc.write_nodes(self.codec.encode(values))


def _checked(values: dict[str, Value], problems: Mapping[str, str]) -> dict[str, Value]:
    if problems:
        raise AssertionError(f"status did not decode: {dict(problems)}")
    return values


def shipped_profile(name: str) -> Profile:
    return load_profile(PROFILES / f"{name}.toml")


def wire_for(sim: CraneSimulator, profile_name: str) -> ModbusWire | OpcUaWire:
    """A memory PLC of ``sim`` seen through the shipped profile ``profile_name``."""
    profile = shipped_profile(profile_name)
    plc = MemoryPlc(sim, profile)
    if isinstance(profile, ModbusProfile):
        return ModbusWire(plc, profile)
    assert isinstance(profile, OpcUaProfile)
    return OpcUaWire(plc, profile)


class Transition(NamedTuple):
    """One change of a watched status signal, as the driver read it."""

    time_s: float
    signal: str
    value: Value


class CommandDriver:
    """Drives one simulated crane PLC by writing commands and reading status, scan by scan."""

    def __init__(
        self,
        sim: CraneSimulator,
        wire: Wire,
        params: CraneParams | None = None,
        *,
        container_height_m: float = CONTAINER_HEIGHT_M,
    ) -> None:
        self.sim = sim
        self.wire = wire
        self.params = params or CraneParams()
        """The crane's configuration, as the PLC program knows it."""
        self.container_height_m = container_height_m
        """Height of the containers handled (for the loaded pendulum length), m."""
        self.commands: dict[str, Value] = dict(COMMAND_DEFAULTS)
        """Every command, written whole every scan."""
        self.beating = True
        """Whether each scan adds one to ``sup.heartbeat``."""
        self.timeline: list[Transition] = []
        self.status: dict[str, Value] = wire.read_status()
        """The status as read at the end of the last scan."""
        self._last = {name: self.status[name] for name in WATCHED}

    # --- the scan -------------------------------------------------------------------------------

    @property
    def time_s(self) -> float:
        return self.sim.time_s

    def scan(self) -> None:
        """Beat, write every command, let the PLC run one scan, read the status back."""
        if self.beating:
            beat = int(self.commands["sup.heartbeat"])
            self.commands["sup.heartbeat"] = (beat + 1) % HEARTBEAT_MODULUS
        self.wire.write_commands(self.commands)
        for _ in range(STEPS_PER_SCAN):
            self.sim.step(DT)
        self.status = self.wire.read_status()
        for name, last in self._last.items():
            value = self.status[name]
            if value != last:
                self._last[name] = value
                self.timeline.append(Transition(self.time_s, name, value))

    def run(self, seconds: float) -> None:
        for _ in range(round(seconds / SCAN_S)):
            self.scan()

    def wait_for(self, condition: Callable[[Status], bool], within_s: float) -> float | None:
        """Scan until ``condition(status)``; the time it took, or None after ``within_s``."""
        start = self.time_s
        for _ in range(math.ceil(within_s / SCAN_S - 1e-9)):
            self.scan()
            if condition(self.status):
                return self.time_s - start
        return None

    def wait_until(self, condition: Callable[[Status], bool], within_s: float, what: str) -> float:
        """Scan until ``condition(status)``; fail the test after ``within_s`` of simulated time."""
        took = self.wait_for(condition, within_s)
        if took is None:
            raise AssertionError(
                f"{what} did not happen within {within_s} s (t = {self.time_s:.2f} s)"
            )
        return took

    def command(self, values: Mapping[str, Value]) -> None:
        """Change commands; they go out with the next scan."""
        self.commands.update(values)

    # --- status helpers -------------------------------------------------------------------------

    def corners(self, what: str) -> tuple[bool, ...]:
        """The four ``spreader.<what>_<k>`` sensors (landed, locked, unlocked)."""
        return tuple(bool(self.status[f"spreader.{what}_{k}"]) for k in CORNERS)

    def standing(self, status: Status | None = None) -> bool:
        s = self.status if status is None else status
        return all(
            abs(float(s[f"{a}.speed"])) < STANDSTILL_MPS for a in ("gantry", "trolley", "hoist")
        )

    # --- PLC handling ---------------------------------------------------------------------------

    def enable(self) -> None:
        """Enable the drives and wait until all three report ready."""
        self.command({"drives.enable": True})
        self.wait_until(
            lambda s: all(s[f"{a}.ready"] for a in ("gantry", "trolley", "hoist")),
            1.0,
            "drives ready",
        )

    def reset(self) -> None:
        """Pulse ``plc.reset`` for one scan (the PLC acts on the rising edge)."""
        self.command({"plc.reset": True})
        self.scan()
        self.command({"plc.reset": False})
        self.scan()

    def stop(self) -> None:
        """Zero every speed reference and wait until the crane stands still."""
        self.command({f"{a}.speed_ref": 0.0 for a in ("gantry", "trolley", "hoist")})
        self.wait_until(self.standing, 15.0, "standstill")

    # --- spreader -------------------------------------------------------------------------------

    def twistlocks(self, *, lock: bool) -> float | None:
        """Hold lock (or unlock) until all four confirm; the time it took, or None after the
        twistlock confirm timeout. The command is dropped either way."""
        command, word = ("spreader.lock", "locked") if lock else ("spreader.unlock", "unlocked")
        self.command({command: True})
        took = self.wait_for(
            lambda s: all(s[f"spreader.{word}_{k}"] for k in CORNERS),
            self.params.twistlock_confirm_timeout_s,
        )
        self.command({command: False})
        return took

    def telescope(self, size_ft: int) -> float:
        """Telescope to ``size_ft``; the time until the spreader reports it."""
        self.command({"spreader.size_ref": size_ft})
        return self.wait_until(
            lambda s: s["spreader.size"] == size_ft,
            self.params.telescope_timeout_s,
            f"telescope to {size_ft} ft",
        )

    # --- hoist ----------------------------------------------------------------------------------

    def _hoist_vmax(self) -> float:
        p = self.params
        empty = all(self.corners("unlocked"))
        return p.hoist_speed_empty_mps if empty else p.hoist_speed_loaded_mps

    def hoist_to(self, z_m: float) -> None:
        """Hoist (up or down) to ``z_m`` with a slow-down near the target, then stop."""
        vmax, brake = self._hoist_vmax(), SLOWDOWN_FRACTION * self.params.hoist_decel_mps2
        distance = abs(z_m - float(self.status["hoist.position"]))
        deadline = self.time_s + distance / FINE_SPEED_MPS + 2.0
        while abs(error := z_m - float(self.status["hoist.position"])) > HOIST_TOLERANCE_M:
            if self.time_s > deadline:
                raise AssertionError(f"hoist did not reach {z_m} m (at {z_m - error:.3f} m)")
            speed = max(FINE_SPEED_MPS, min(vmax, math.sqrt(2 * brake * abs(error))))
            self.command({"hoist.speed_ref": math.copysign(speed, error)})
            self.scan()
        self.stop()

    def land(self, touch_z_m: float) -> float:
        """Lower to land where the twistlock plane meets ``touch_z_m``: fast, slow down, creep the
        last ``creep_distance_m``, stop once seated: all four landed and nothing on the ropes (a
        box's roof keeps the pins pressed while it hangs), or slack rope. Returns the creep time.
        """
        p = self.params
        creep_from = touch_z_m + p.creep_distance_m
        vmax, brake = self._hoist_vmax(), SLOWDOWN_FRACTION * p.hoist_decel_mps2
        while (above := float(self.status["hoist.position"]) - creep_from) > 0.0:
            speed = min(vmax, math.sqrt(p.creep_speed_mps**2 + 2 * brake * above))
            self.command({"hoist.speed_ref": -speed})
            self.scan()
        self.command({"hoist.speed_ref": -p.creep_speed_mps})
        took = self.wait_until(
            lambda s: (
                (all(s[f"spreader.landed_{k}"] for k in CORNERS) and float(s["hoist.load"]) < 1.0)
                or bool(s["hoist.slack_rope"])
            ),
            p.creep_distance_m / p.creep_speed_mps + p.landed_confirm_timeout_s,
            "landing",
        )
        self.stop()
        return took

    def lift_clear(self, height_m: float = 0.1) -> None:
        """Lift the first ``height_m`` at creep speed (weight, slack and truck-lift checks happen
        on the way), until it hangs: the ropes carry the box (a box locked on may keep the pins
        pressed as it hangs), or the empty spreader's pins are clear; then stop."""
        p = self.params
        start = float(self.status["hoist.position"])
        self.command({"hoist.speed_ref": p.creep_speed_mps})
        self.wait_until(
            lambda s: (
                not s["hoist.slack_rope"]
                and (
                    float(s["hoist.load"]) >= 1.0  # a box on the ropes (its roof on the pins)
                    or not any(s[f"spreader.landed_{k}"] for k in CORNERS)  # the empty spreader
                )
                and float(s["hoist.position"]) >= start + height_m
            ),
            2 * height_m / p.creep_speed_mps + 1.0,
            "lift clear",
        )
        self.stop()

    # --- travel ---------------------------------------------------------------------------------

    def pendulum_period_s(self) -> float:
        """Period of what hangs from the ropes now (spreader, plus the container it carries)."""
        p = self.params
        load_t = max(0.0, float(self.status["hoist.load"]))
        m_s = p.spreader_mass_t
        centre = (
            load_t * self.container_height_m / 2 - m_s * p.spreader_cog_above_twistlocks_m
        ) / (m_s + load_t)
        length = p.suspension_height_m - float(self.status["hoist.position"]) + centre
        return 2 * math.pi * math.sqrt(length / p.gravity_mps2)

    def _travel_limits(self) -> dict[str, tuple[float, float]]:
        p = self.params
        empty = all(self.corners("unlocked"))
        gantry_v = p.gantry_speed_empty_mps if empty else p.gantry_speed_loaded_mps
        return {
            "gantry": (gantry_v, min(p.gantry_accel_mps2, p.gantry_decel_mps2)),
            "trolley": (p.trolley_speed_mps, min(p.trolley_accel_mps2, p.trolley_decel_mps2)),
        }

    def travel(self, x_m: float, y_m: float) -> None:
        """Gantry to ``x_m`` and trolley to ``y_m`` together, leaving the load without sway."""
        targets = {"gantry": x_m, "trolley": y_m}
        for _ in range(3):
            errors = {a: t - float(self.status[f"{a}.position"]) for a, t in targets.items()}
            if all(abs(e) <= TRAVEL_TOLERANCE_M for e in errors.values()):
                return
            ramp = max(1, round(self.pendulum_period_s() / SCAN_S))
            limits = self._travel_limits()
            refs = {a: trapezoid(e, *limits[a], ramp) for a, e in errors.items()}
            for k in range(max(len(r) for r in refs.values())):
                self.command(
                    {f"{a}.speed_ref": r[k] if k < len(r) else 0.0 for a, r in refs.items()}
                )
                self.scan()
            self.stop()
        raise AssertionError(f"travel to ({x_m}, {y_m}) ended {errors} m off")


def trapezoid(distance_m: float, vmax_mps: float, accel_mps2: float, ramp: int) -> list[float]:
    """Speed references, one per scan, that cover ``distance_m`` with ramps of ``ramp`` scans.

    A drive that follows each step within one scan covers exactly scan x sum(refs): its lag on
    the way up is given back on the way down. Ramps of one pendulum period leave no sway.
    """
    if abs(distance_m) < 1e-9:
        return []
    cap = min(vmax_mps, accel_mps2 * ramp * SCAN_S)
    cruise = max(0, math.ceil(abs(distance_m) / (cap * SCAN_S) - ramp))
    v = distance_m / (SCAN_S * (ramp + cruise))
    up = [v * k / ramp for k in range(1, ramp + 1)]
    return [*up, *[v] * cruise, *up[-2::-1], 0.0]
