"""The random cases of the safety bench: a job, and what happens to the crane while it runs.

A :class:`Case` is one job of :data:`JOBS` (the default site's) with a schedule of
:class:`Event`: faults from :data:`FAULT_NAMES`, transient bad values (:class:`BadValue`),
operator commands (:class:`Command`) and wedge checks (:class:`WedgeCheck`). An event fires
``after_s`` into a step of the job (:class:`When`), or as the job leaves that step if it ends
sooner, so events land inside the move however fast the sequencer gets; an event whose step never
comes never fires. ``misaligned`` is how the box stands when the job starts.

Cases are drawn through :class:`Draw`, so a seeded ``random.Random`` (the bench,
:class:`RandomDraw`) and Hypothesis (the property test) draw them with the same code.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from crane_ctrl.commands import AXES
from crane_ctrl.errors import FaultError
from crane_ctrl.operation.machine import Mode, Role
from crane_ctrl.profile.model import Profile
from crane_ctrl.signals import CORNERS, SIGNALS, Kind, Value
from crane_ctrl.site import Slot
from simulators.faults import FAULTS
from simulators.memory import MemoryPlc
from simulators.raw_places import RawForce
from simulators.simulator import CraneSimulator

__all__ = [
    "ANCHORS",
    "COMMAND_KINDS",
    "FAULT_NAMES",
    "IMPLAUSIBLE",
    "JOBS",
    "BadValue",
    "Case",
    "Command",
    "Draw",
    "Event",
    "FaultPlan",
    "Job",
    "RandomDraw",
    "WedgeCheck",
    "When",
    "bad_value_menu",
    "draw_case",
]

T = TypeVar("T")
Phase = Literal["collect", "deliver"]


# --- jobs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """One job of the default site (``simulators/sites/border-gate.toml``)."""

    name: str
    box: str
    to: Slot
    truck_lane: str | None = None
    """The truck lane the box comes from, if it comes from a truck."""

    def __repr__(self) -> str:
        return self.name


JOBS = (
    Job("truck T1 -> stack 7:3 ground", "MSKU1234565", Slot.stack(7, 3, 1), "T1"),
    Job("truck T1 -> stack 3:2 tier 3", "MSKU1234565", Slot.stack(3, 2, 3), "T1"),
    Job("20-ft truck T2 -> stack 9:1 tier 2", "TGHU7654321", Slot.stack(9, 1, 2), "T2"),
    Job("stack 3:2:2 -> AGV A1", "OOLU1548092", Slot.agv("A1")),
    Job("high cube stack 5:4:1 -> AGV A1", "HLXU8046623", Slot.agv("A1")),
    Job("restack 3:2:2 -> 5:4:2 onto a high cube", "OOLU1548092", Slot.stack(5, 4, 2)),
    Job("20-ft restack 9:1:1 -> 11:2:1", "TCNU9081726", Slot.stack(11, 2, 1)),
)
"""Truck -> stack, stack -> AGV and restacks, 20 and 40 ft, ground and upper tiers."""


# --- when events fire ---------------------------------------------------------------------------

ANCHORS: tuple[tuple[Phase, str], ...] = (
    *(("collect", s) for s in ("raise", "travel", "lower", "lock", "trial lift", "held")),
    *(("deliver", s) for s in ("raise", "travel", "lower", "unlock", "raise clear", "held")),
    ("collect", "settle sway"),
    ("deliver", "settle sway"),
)
"""(phase, step value) an event may be tied to: every step of a job, a hold, and the settling
after a resume."""
AFTER_S = 10.0
"""An event fires up to this long into its step (as the step ends, if it ends sooner), s."""


@dataclass(frozen=True, slots=True)
class When:
    """``after_s`` into ``step`` of ``phase`` (or as the job leaves that step, if sooner)."""

    phase: Phase
    step: str
    after_s: float

    def __str__(self) -> str:
        return f"{self.after_s:.2f} s into {self.phase} {self.step!r}"


# --- what happens -------------------------------------------------------------------------------

Params = tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """A fault of the simulator's catalogue, cleared ``lasts_s`` after it was injected (never:
    None; one-shot faults have nothing to clear)."""

    name: str
    params: Params = ()
    lasts_s: float | None = None

    @property
    def one_shot(self) -> bool:
        return FAULTS[self.name].clear is None

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params)
        if self.one_shot:
            lasts = ""
        elif self.lasts_s is None:
            lasts = ", never cleared"
        else:
            lasts = f" for {self.lasts_s:.2f} s"
        return f"{self.name}({args}){lasts}"


@dataclass(frozen=True, slots=True)
class BadValue:
    """A status signal reading a value no sensor can show, for ``lasts_s``: ``force`` sets its
    engineering value, ``force_raw`` the raw content of its place (past the profile's codec)."""

    kind: Literal["force", "force_raw"]
    signal: str
    value: Value
    lasts_s: float = 1.0

    def inject_args(self) -> dict[str, object]:
        if self.kind == "force":
            return {"signal": self.signal, "value": self.value}
        return {"signal": self.signal, "raw": self.value}

    def __str__(self) -> str:
        return f"{self.kind} {self.signal}={self.value!r} for {self.lasts_s:.2f} s"


COMMAND_KINDS = ("hold", "unhold", "stop", "abort", "clear", "reset", "start", "mode", "cancel",
                 "set_down", "interlock_reset")  # fmt: skip
"""The operator's commands: the PackML ones (HOLD ... START), a mode change, cancelling the job,
setting an interrupted load down, resetting the interlocks."""


@dataclass(frozen=True, slots=True)
class Command:
    """An operator command at a random time (refused ones count; nothing else happens)."""

    kind: str
    mode: Mode | None = None
    role: Role = Role.OPERATOR

    def __str__(self) -> str:
        if self.kind == "mode":
            assert self.mode is not None
            return f"mode {self.mode.name} as {self.role}"
        return self.kind


@dataclass(frozen=True, slots=True)
class WedgeCheck:
    """STOP then RESET (``via`` "stop"), or ABORT, CLEAR, RESET (``via`` "abort"): the machine
    must reach IDLE within the bound; the operator then resumes the job with START."""

    via: Literal["stop", "abort"]

    def __str__(self) -> str:
        return f"wedge check via {self.via.upper()}"


Action = FaultPlan | BadValue | Command | WedgeCheck


@dataclass(frozen=True, slots=True)
class Event:
    when: When | None
    """None: before the job starts (``misaligned``)."""
    action: Action

    def __str__(self) -> str:
        return f"{self.action} {'before the start' if self.when is None else f'at {self.when}'}"


@dataclass(frozen=True, slots=True)
class Case:
    """One job and its events, with how long the operator takes to react."""

    job: Job
    events: tuple[Event, ...] = ()
    reaction_s: float = 3.0
    seed: int | None = field(default=None, compare=False)
    """The bench's seed for it (``crane-ctrl bench safety --case SEED`` replays it)."""

    def __str__(self) -> str:
        seed = "" if self.seed is None else f"case {self.seed}: "
        events = "".join(f"\n  - {e}" for e in self.events) or " (no events)"
        return f"{seed}{self.job!r}, operator reacts in {self.reaction_s:g} s{events}"


# --- drawing ------------------------------------------------------------------------------------


class Draw(Protocol):
    """Where a case's random choices come from (``random.Random`` or Hypothesis)."""

    def integer(self, low: int, high: int) -> int:
        """An integer in ``low .. high``, both included."""
        ...

    def real(self, low: float, high: float) -> float:
        """A float in ``[low, high]``."""
        ...

    def pick(self, options: Sequence[T]) -> T: ...


class RandomDraw:
    """:class:`Draw` from a seeded ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)

    def real(self, low: float, high: float) -> float:
        return self._rng.uniform(low, high)

    def pick(self, options: Sequence[T]) -> T:
        return options[self._rng.randrange(len(options))]


SAFE_SUBSET = ("wind", "estop", "local", "drive_fault", "person_in_lane", "link_freeze",
               "link_drop", "overweight", "twistlock_jammed", "landed_pin_stuck",
               "misaligned")  # fmt: skip
"""Faults drawn (plus ``truck_lifted`` when the box comes from a truck). Not drawn: forced or stuck
signals (bad values are drawn separately, as transients), link latency or exception replies,
storm pins (they defeat the sensors the safety rests on, or are covered by the link and
interlock tests)."""
FAULT_NAMES = (*SAFE_SUBSET, "truck_lifted")


def _fault_names(job: Job) -> tuple[str, ...]:
    return FAULT_NAMES if job.truck_lane else SAFE_SUBSET


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits)


def _fault_params(d: Draw, name: str, job: Job) -> Params:
    if name == "wind":
        speed = _r(d.real(16.0, 26.0), 1)
        gust, period = d.pick([0.0, 2.0, 4.0, 6.0]), d.pick([4.0, 8.0, 12.0])
        return (("speed_mps", speed), ("gust_mps", gust), ("gust_period_s", period))
    if name == "drive_fault":
        return (("axis", d.pick(AXES)),)
    if name == "overweight":
        return (("container", job.box), ("mass_t", d.pick([42.0, 45.0, 52.0, 60.0])))
    if name == "twistlock_jammed":
        return (("corner", d.pick(CORNERS)),)
    if name == "landed_pin_stuck":
        return (("corner", d.pick(CORNERS)), ("value", d.pick([True, False])))
    if name == "truck_lifted":
        return (("lane", job.truck_lane),)
    if name == "misaligned":
        return (("container", job.box), ("dx_m", d.pick([0.0, 0.03, -0.04, 0.08, -0.2])),
                ("dy_m", d.pick([0.0, 0.02, -0.03, 0.06, 0.15])))  # fmt: skip
    return ()


def _lasts_s(d: Draw) -> float | None:
    """A blip (up to 2 s), up to a minute (twice as likely), or never cleared."""
    kind = d.integer(0, 3)
    if kind == 0:
        return _r(d.real(0.05, 2.0))
    return None if kind == 3 else _r(d.real(2.0, 60.0))


def _when(d: Draw) -> When:
    phase, step = d.pick(ANCHORS)
    return When(phase, step, _r(d.real(0.0, AFTER_S)))


def _command(d: Draw) -> Command:
    kind = d.pick(COMMAND_KINDS)
    if kind != "mode":
        return Command(kind)
    mode = d.pick(tuple(Mode))
    usual = Role.MAINTENANCE if mode is Mode.MAINTENANCE else Role.OPERATOR
    return Command(kind, mode, usual if d.integer(0, 4) else d.pick(tuple(Role)))


def draw_case(d: Draw, menu: Sequence[BadValue], seed: int | None = None) -> Case:
    """A job with 0-3 faults, 0-3 bad values (from ``menu``: :func:`bad_value_menu`), 0-5
    operator commands and 0-2 wedge checks, each at a random step."""
    job = d.pick(JOBS)
    events: list[Event] = []
    names = list(_fault_names(job))
    for _ in range(d.integer(0, 3)):
        name = names.pop(d.integer(0, len(names) - 1))
        lasts = None if FAULTS[name].clear is None else _lasts_s(d)
        plan = FaultPlan(name, _fault_params(d, name, job), lasts)
        events.append(Event(None if name == "misaligned" else _when(d), plan))
    signals: set[tuple[str, str]] = set()
    for _ in range(d.integer(0, 3) if menu else 0):
        bad = d.pick(menu)
        if (bad.kind, bad.signal) not in signals:  # one force per signal at a time
            signals.add((bad.kind, bad.signal))
            lasts = _r(d.real(0.1, 10.0))
            events.append(Event(_when(d), BadValue(bad.kind, bad.signal, bad.value, lasts)))
    for _ in range(d.integer(0, 5)):
        events.append(Event(_when(d), _command(d)))
    for _ in range(d.integer(0, 2)):
        events.append(Event(_when(d), WedgeCheck(d.pick(("stop", "abort")))))
    return Case(job, tuple(events), d.pick([1.0, 3.0, 8.0]), seed)


# --- bad values -------------------------------------------------------------------------------

IMPLAUSIBLE: tuple[tuple[str, Value], ...] = (
    ("gantry.position", 1e9),
    ("trolley.position", 1e9),
    ("hoist.position", -40.0),
    ("env.wind", -5.0),
    ("hoist.load", -50.0),
    ("sway.trolley", 100.0),
    ("sway.gantry", 100.0),
    ("spreader.size", 33),
)
"""Engineering values no sensor on this crane can show (``force``); and NaN on every float."""
_RAW = {Kind.FLOAT: (math.nan, math.inf, -math.inf), Kind.BOOL: (2,), Kind.INT: (33, 65535)}
"""Raw contents tried per kind of signal (``force_raw``): kept where the profile's place can
hold them and the signal cannot read them as a real value."""


def bad_value_menu(profile: Profile) -> tuple[BadValue, ...]:
    """Every bad value ``profile`` can carry: :data:`IMPLAUSIBLE` and NaN on its float status
    signals (``force``), and the raw contents of :data:`_RAW` its places can hold (``force_raw``:
    a bool held in a register reading 2, a NaN REAL, a size code outside the map)."""
    mapped = [s for s in profile.signals if s in SIGNALS and not SIGNALS[s].is_command]
    menu = [BadValue("force", s, v) for s, v in IMPLAUSIBLE if s in mapped]
    menu += [BadValue("force", s, math.nan) for s in mapped if SIGNALS[s].kind is Kind.FLOAT]
    plc = MemoryPlc(CraneSimulator(), profile)
    for name in mapped:
        spec = SIGNALS[name]
        if spec.kind is Kind.INT and spec.allowed is None:
            continue  # counters and fault codes: every value is real
        for raw in _RAW[spec.kind]:
            try:
                plc.check_raw(RawForce(name, raw))
            except FaultError:
                continue  # this place cannot hold it
            menu.append(BadValue("force_raw", name, raw))
    return tuple(menu)
