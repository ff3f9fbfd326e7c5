"""The crane PLC's own program, as a real one behaves towards a supervisor.

It sits between the supervisor's commands and the plant: it counts its life counter, watches the
supervisor's heartbeat, keeps the e-stop chain and drive faults, and only passes speed references
and spreader commands to the drives while it is in remote, the chain is closed, the drive is
healthy and the watchdog has not tripped. Its status signals are the plant's sensors plus its own
state, after any forced or stuck signal faults.

Watchdog: the PLC obeys no supervisor command until it has seen the supervisor's heartbeat
change (no heartbeat, no motion); from then on a heartbeat unchanged for ``watchdog_s`` ramps
every axis to zero (drives stay enabled so they decelerate under control) and latches
``plc.watchdog_trip`` until a ``plc.reset`` rising edge while the heartbeat runs.
E-stop: the chain opens, every drive is disabled at once (brakes set), twistlocks and telescope
hold, ``plc.estop_ok`` false; closing the chain again does not restart anything: the drives stay
off (not ready, fault code set) until a ``plc.reset`` rising edge with the chain closed.
A tripped drive loses torque: its brake sets while the other axes may go on.

Warm restart (:meth:`CranePlc.restart`, the fault ``plc_restart``), as an S7-1500 goes through
STOP -> RUN after a power dip or a program download, or a TwinCAT runtime restart: while down
the PLC runs no cycle and answers nobody, its outputs are off (drives disabled, brakes set, no
reference, twistlock and telescope valves closed); the crane itself does not change (a box
locked on the spreader still hangs, the encoders are absolute, the wind blows on). Coming up,
the start-up block initialises every non-retentive datum: the command places the supervisor
writes read their initial values (the servers serve them: :meth:`CranePlc.written_back`), the
life counter starts again from 0, the watchdog is not armed until the supervisor's heartbeat
runs, a spreader run or answer in progress is gone. Retentive, and what the PLC reads from the
field again at once, is kept: the key switch, the e-stop chain (a chain still open latches
again), drive faults still present (latched again; those gone are cleared). No automatic
restart after a power return (IEC 60204-1, 7.5): the PLC comes up with its watchdog trip
latched (``plc.watchdog_trip``, fault code watchdog: it has lost its supervisor), so nothing
moves until a ``plc.reset`` while the heartbeat runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from crane_ctrl.signals import DIRECTION_COMMANDS, SIGNALS, Kind, Value
from simulators.personality import LEVEL, PlcPersonality
from simulators.plant import Plant
from simulators.plc_params import PlcParams
from simulators.plc_requests import SpreaderSection

__all__ = [
    "AXES",
    "METHOD_HOLD_DEFAULT_S",
    "METHOD_HOLD_S",
    "CranePlc",
    "MethodPresses",
    "PlcFaults",
    "PlcParams",
]

AXES = ("gantry", "trolley", "hoist")

_TIME_SLACK_S = 1e-6
"""Summed cycle times that fall short of a duration by less than this reach it."""

DEFAULT_COMMANDS: Mapping[str, Value] = {
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
"""What the PLC acts on before the supervisor has written anything."""


METHOD_HOLD_S: Mapping[str, float] = {"spreader.lock": 2.0, "spreader.unlock": 2.0}
"""How long the simulated PLC holds a command true after a call of the OPC UA method that carries
it, s. The twistlocks turn only while lock or unlock is held (1.5 s on the default crane), so one
call turns them fully; any other command (``plc.reset``, which acts on its rising edge) is held
for :data:`METHOD_HOLD_DEFAULT_S`."""
METHOD_HOLD_DEFAULT_S = 0.1
"""Hold of a method-called command not in :data:`METHOD_HOLD_S`: longer than any PLC cycle the
simulator steps, so the PLC sees one rising edge per call."""


class MethodPresses:
    """What a PLC's methods do to the commands they carry: a call makes the command true, and it
    falls again once held for its :data:`METHOD_HOLD_S` (checked by :meth:`release`, which the
    server calls between PLC cycles). A call while the command is held extends the hold."""

    def __init__(self, command: Callable[[Mapping[str, Value]], None]) -> None:
        self._command = command
        self._until: dict[str, float] = {}

    def call(self, name: str, now_s: float) -> None:
        self._command({name: True})
        self._until[name] = now_s + METHOD_HOLD_S.get(name, METHOD_HOLD_DEFAULT_S)

    def release(self, now_s: float) -> None:
        """Let every command held long enough fall."""
        due = [name for name, until in self._until.items() if now_s >= until]
        for name in due:
            del self._until[name]
        if due:
            self._command(dict.fromkeys(due, False))


@dataclass
class PlcFaults:
    """Faults the PLC program sees or makes: set them, step, clear them."""

    local: bool = False
    """Key switch in local: the PLC ignores the supervisor."""
    estop: bool = False
    """An e-stop pressed somewhere: the chain is open."""
    drive_faults: set[str] = field(default_factory=set)
    """Axes whose drive reports a fault."""
    person_in_lane: bool = False
    """A person or a broken light curtain in the working lane."""
    storm_pins_down: bool = False
    """Storm pins set: gantry travel impossible."""
    wind_mps: float = 0.0
    gust_mps: float = 0.0
    """Gust amplitude on top of ``wind_mps``: rises and falls over ``gust_period_s``."""
    gust_period_s: float = 8.0
    forced: dict[str, Value] = field(default_factory=dict)
    """Status signals forced to a value (a stuck sensor is forced to the value it had)."""


class CranePlc:
    """The PLC: ``command()`` takes what the supervisor wrote, ``step(dt)`` runs one PLC cycle."""

    def __init__(
        self,
        plant: Plant,
        params: PlcParams | None = None,
        *,
        personality: PlcPersonality | None = None,
    ) -> None:
        """``params``: the PLC's timing, default the personality's (default: :data:`LEVEL`)."""
        self.personality = personality or LEVEL
        self.plant = plant
        self.params = params or self.personality.params
        self.spreader_section = SpreaderSection(self.personality)
        self.faults = PlcFaults()
        self.commands: dict[str, Value] = dict(DEFAULT_COMMANDS)
        self.heartbeat = 0
        self.watchdog_trip = False
        self.estop_latched = False
        """The chain was opened since the last reset: drives stay off until a reset."""
        self.latched_drive_faults: set[str] = set()
        self._since_count = 0.0
        self._last_sup_heartbeat: Value = self.commands["sup.heartbeat"]
        self._heartbeat_age = 0.0
        self._published: list[int] = []
        """The PLC's own life counter over the last watchdog time (an echo must be one)."""
        self._echo_window = 1 + math.ceil(self.params.watchdog_s / self.params.heartbeat_period_s)
        self._watchdog_armed = False
        self._reset_high_s = 0.0
        """How long ``plc.reset`` has been high (0 while low)."""
        self._reset_taken = False
        """This press of ``plc.reset`` has been acted on (or refused): it must fall first."""
        self._since_reset = math.inf
        self._down_s = 0.0
        """Left of a restart, s (0: running)."""
        self.restarts = 0
        """Warm restarts so far."""
        self._write_backs_before = 0
        """Write-backs of the spreader sections before the last restart."""
        self._initial_places: dict[str, Value] = {}
        """Command places the restart set to their initial value and nobody has written since."""

    # --- the PlcProcess interface the protocol servers use --------------------------------------

    def command(self, values: Mapping[str, Value]) -> None:
        if self.down:
            return  # a PLC in STOP takes nothing (its servers do not answer either)
        self.commands.update(values)
        for name in values:
            self._initial_places.pop(name, None)

    def status(self) -> dict[str, Value]:
        values: dict[str, Value] = dict(self.plant.sensors())
        values.update(self._own_status())
        values.update(self.spreader_section.status())
        life = self.personality.life_bit
        if life is not None:
            values[life] = int(self.plant.time_s / self.personality.life_bit_period_s) % 2 == 1
        values.update(self.faults.forced)
        return values

    def written_back(self) -> tuple[int, Mapping[str, Value]]:
        """How many times the PLC wrote commands back into their places, and each one's latest
        value (requests it cleared): the servers serve them in the command places."""
        section = self.spreader_section
        count = self._write_backs_before + section.write_backs
        return count, {**self._initial_places, **section.cleared}

    # --- a warm restart ---------------------------------------------------------------------------

    @property
    def down(self) -> bool:
        """The PLC is restarting: no cycle runs, outputs off, nobody answered."""
        return self._down_s > 0

    def restart(self, down_s: float) -> None:
        """Go down for ``down_s`` seconds of plant time, then come up initialised (module
        docstring). A restart while down starts the time again."""
        if down_s <= 0:
            raise ValueError(f"`down_s` must be positive, not {down_s!r}")
        self._down_s = down_s
        self.commands = {name: _initial(name) for name in (*DEFAULT_COMMANDS, *self.commands)}

    def _come_up(self) -> None:
        """The start-up block (S7 OB100): non-retentive data to their initial values."""
        self.restarts += 1
        initial = {name: _initial(name) for name in (*DEFAULT_COMMANDS, *self.commands)}
        self.commands = dict(initial)
        self._initial_places = dict(initial)
        self._write_backs_before += self.spreader_section.write_backs + 1
        self.spreader_section = SpreaderSection(self.personality)
        self.heartbeat, self._since_count, self._published = 0, 0.0, []
        self._last_sup_heartbeat, self._heartbeat_age = initial["sup.heartbeat"], 0.0
        self._watchdog_armed = False
        self.watchdog_trip = True  # no automatic restart after a power return: reset first
        self.estop_latched = not self.estop_ok
        self.latched_drive_faults = set(self.faults.drive_faults)
        self._reset_high_s, self._reset_taken, self._since_reset = 0.0, False, math.inf

    def _step_down(self, dt: float) -> None:
        """One plant step of a PLC in STOP: outputs off, the crane on its brakes."""
        inputs = self.plant.inputs
        inputs.drives_enabled = False
        for axis in AXES:
            setattr(inputs, f"{axis}_speed_ref_mps", 0.0)
        inputs.lock = inputs.unlock = False
        inputs.size_ref_ft = 0
        inputs.wind_mps, inputs.gust_mps = self.faults.wind_mps, self._gust()
        self.plant.step(dt)
        self._down_s -= dt
        if self._down_s <= _TIME_SLACK_S:
            self._down_s = 0.0
            self._come_up()

    # --- one PLC cycle ----------------------------------------------------------------------------

    def step(self, dt: float) -> None:
        """Run the PLC program for ``dt`` seconds of plant time."""
        if self.down:
            self._step_down(dt)
            return
        self._count(dt)
        self._since_reset += dt
        self._watch(dt)
        self.estop_latched |= not self.estop_ok
        self._reset_edge(dt)
        self.latched_drive_faults |= self.faults.drive_faults
        self._drive_plant(dt)
        self.plant.step(dt)

    def _count(self, dt: float) -> None:
        self._since_count += dt
        while self._since_count >= self.params.heartbeat_period_s:
            self._since_count -= self.params.heartbeat_period_s
            self.heartbeat = (self.heartbeat + 1) % self.params.heartbeat_modulus

    def _watch(self, dt: float) -> None:
        beat = self.commands["sup.heartbeat"]
        if not self._published or self._published[-1] != self.heartbeat:
            self._published.append(self.heartbeat)
            del self._published[: -self._echo_window]
        echoed = not self.personality.heartbeat_echo or beat in self._published
        if beat != self._last_sup_heartbeat and echoed:
            self._last_sup_heartbeat = beat
            self._heartbeat_age = 0.0
            self._watchdog_armed = True
            return
        self._heartbeat_age += dt
        if self._watchdog_armed and self._heartbeat_age >= self.params.watchdog_s:
            self.watchdog_trip = True

    def _reset_edge(self, dt: float) -> None:
        """A press of ``plc.reset`` acts once, when it has been high the personality's minimum
        (at once, on its rising edge, by default); a shorter one is ignored."""
        pressed = bool(self.commands["plc.reset"])
        if not pressed:
            self._reset_high_s, self._reset_taken = 0.0, False
            return
        self._reset_high_s += dt
        long_enough = self._reset_high_s >= self.personality.min_reset_pulse_s - _TIME_SLACK_S
        if self._reset_taken or not long_enough:
            return
        self._reset_taken = True
        if self.estop_ok:
            self._since_reset = 0.0
            if self._heartbeat_age < self.params.watchdog_s:
                self.watchdog_trip = False
            self.estop_latched = False
            self.latched_drive_faults = set(self.faults.drive_faults)

    @property
    def restart_inhibit(self) -> bool:
        """The watchdog or the e-stop has tripped, or the restart sequence after a reset is
        still running (a drive fault stops its own axis only)."""
        return (
            self.watchdog_trip
            or self.estop_latched
            or self._since_reset < self.params.restart_delay_s
        )

    @property
    def estop_ok(self) -> bool:
        return not self.faults.estop

    @property
    def remote(self) -> bool:
        return not self.faults.local

    def ready(self, axis: str) -> bool:
        """Drive enabled and healthy."""
        return (
            self.remote
            and not self.estop_latched
            and bool(self.commands["drives.enable"])
            and bool(self.commands.get(f"{axis}.enable", True))  # one enable per axis, if any
            and axis not in self.latched_drive_faults
        )

    def reference(self, axis: str) -> float:
        """The axis's speed reference as this PLC program reads it: as written, or with
        :attr:`~simulators.personality.PlcPersonality.direction_bits` its magnitude signed by
        the direction commands (neither or both: standstill)."""
        ref = float(self.commands[f"{axis}.speed_ref"])
        if not self.personality.direction_bits:
            return ref
        positive, negative = DIRECTION_COMMANDS[axis]
        up, down = bool(self.commands.get(positive)), bool(self.commands.get(negative))
        return abs(ref) * ((1.0 if up else 0.0) - (1.0 if down else 0.0))

    def _drive_plant(self, dt: float) -> None:
        inputs = self.plant.inputs
        c = self.commands
        healthy = self.remote and not self.estop_latched
        restarting = self._since_reset < self.params.restart_delay_s
        obeying = healthy and self._watchdog_armed and not self.watchdog_trip and not restarting
        inputs.drives_enabled = healthy and bool(c["drives.enable"])
        inputs.braked_axes = frozenset(self.latched_drive_faults)
        for axis in AXES:
            ref = self.reference(axis) if obeying and self.ready(axis) else 0.0
            setattr(inputs, f"{axis}_speed_ref_mps", ref)
        if self.faults.storm_pins_down:
            inputs.gantry_speed_ref_mps = 0.0
        drive = self.spreader_section.step(
            c, self.plant.spreader, self.plant.load_t, obeying=obeying, dt=dt
        )
        inputs.lock, inputs.unlock = drive.lock, drive.unlock
        inputs.size_ref_ft = drive.size_ref_ft  # 0: hold where it is
        inputs.wind_mps = self.faults.wind_mps
        inputs.gust_mps = self._gust()

    def _gust(self) -> float:
        f = self.faults
        if f.gust_mps <= 0:
            return 0.0
        phase = 2 * math.pi * self.plant.time_s / f.gust_period_s
        return f.gust_mps * 0.5 * (1 - math.cos(phase))

    def _own_status(self) -> dict[str, Value]:
        values: dict[str, Value] = {
            "plc.heartbeat": self.heartbeat,
            "plc.remote": self.remote,
            "plc.estop_ok": self.estop_ok,
            "plc.watchdog_trip": self.watchdog_trip,
            "plc.restart_inhibit": self.restart_inhibit,
            "plc.fault_code": self._fault_code(),
            "gantry.storm_pins_up": not self.faults.storm_pins_down,
            "lane.clear": not self.faults.person_in_lane,
        }
        for axis in AXES:
            values[f"{axis}.ready"] = self.ready(axis)
            values[f"{axis}.fault"] = axis in self.latched_drive_faults
        return values

    def _fault_code(self) -> int:
        if self.estop_latched:
            return self.params.fault_code_estop
        for axis in AXES:
            if axis in self.latched_drive_faults:
                return self.params.drive_fault_code(axis)
        if self.watchdog_trip:
            return self.params.fault_code_watchdog
        return 0


def _initial(name: str) -> Value:
    """A command place's initial value after a restart: the PLC's default, else zero or false."""
    if name in DEFAULT_COMMANDS:
        return DEFAULT_COMMANDS[name]
    kind = SIGNALS[name].kind if name in SIGNALS else Kind.BOOL
    return {Kind.BOOL: False, Kind.INT: 0}.get(kind, 0.0)
