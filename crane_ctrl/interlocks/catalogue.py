"""The interlock catalogue: every rule that stops the crane, in words an operator understands.

An :class:`Interlock` names what it blocks (a set of :class:`Motion`), whether it latches, how it
resets, the signals it reads, and a condition that says why it is tripped now, in words with
values ("wind 21.3 m/s >= stop limit 20.0 m/s"). :data:`CATALOGUE` holds them all, most
fundamental first (the order the HMI lists them in). :mod:`crane_ctrl.interlocks.evaluate` evaluates
them.

Bad data is bad data: a signal read this scan but undecodable or implausible (quality BAD: NaN,
a bool register reading 2, a position off the crane's travel, wind below zero) trips
SIGNAL_QUALITY, which blocks every motion in that same scan and names each signal with its raw
value and plausible range (a status block the profile's ``[validity]`` does not prove alive makes
its signals BAD too: named once, with the proof that failed and its signals); the other rules
then leave that signal to it, so a wind of -5 m/s is never reported as a storm nor a load of
-50 t as an overload. A signal that is stale or missing
(the link, not the value) counts as its unsafe value under COMMS_FAULT, and the reason says so
("env.wind is stale"). Such a :class:`Cause` is marked not ``observed``: it holds while the
quality stays bad but does not latch, so a link blip does not demand an operator reset.

Optional signals a profile leaves out (quality MISSING) never silently permit what their rule
exists to block: the interlock acts conservatively (SLACK_ROPE stops lowering whenever a landing
pin is pressed) or is reported as unchecked (LANE_NOT_CLEAR, TRUCK_LIFTED, STORM_PINS_DOWN).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from crane_ctrl.commands import AXES
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.wind_outlook import WindOutlook
from crane_ctrl.signals import CORNERS
from crane_ctrl.site import CONTAINER_HEIGHT_HC_M, SiteLayout
from crane_ctrl.snapshot import Quality, Reading, Snapshot
from crane_ctrl.wording import apart

__all__ = [
    "ALL_MOTIONS",
    "CATALOGUE",
    "GANTRY",
    "HOIST",
    "OPERATOR_RESET",
    "SELF_CLEARING",
    "TRAVEL",
    "TROLLEY",
    "TWISTLOCKS",
    "Cause",
    "Condition",
    "Context",
    "Interlock",
    "InterlockSettings",
    "Motion",
]


class Motion(StrEnum):
    """What an interlock can block: one axis in one direction, or a spreader action."""

    GANTRY_FWD = "gantry+"
    GANTRY_REV = "gantry-"
    TROLLEY_FWD = "trolley+"
    TROLLEY_REV = "trolley-"
    HOIST_UP = "hoist+"
    HOIST_DOWN = "hoist-"
    LOCK = "lock"
    UNLOCK = "unlock"
    TELESCOPE = "telescope"


ALL_MOTIONS: frozenset[Motion] = frozenset(Motion)
GANTRY = frozenset({Motion.GANTRY_FWD, Motion.GANTRY_REV})
TROLLEY = frozenset({Motion.TROLLEY_FWD, Motion.TROLLEY_REV})
TRAVEL: frozenset[Motion] = GANTRY | TROLLEY
HOIST = frozenset({Motion.HOIST_UP, Motion.HOIST_DOWN})
TWISTLOCKS = frozenset({Motion.LOCK, Motion.UNLOCK})


@dataclass(frozen=True, slots=True)
class InterlockSettings:
    """The thresholds the interlocks compare against; build with :meth:`from_params`."""

    overload_trip_t: float
    """A load above this blocks hoisting up and latches OVERLOAD, t (110 % of SWL)."""
    wind_stop_mps: float
    """A 3-s gust at or above this trips WIND_STOP, m/s."""
    wind_storm_mps: float
    """A 3-s gust at or above this trips WIND_STORM: the storm alarm; it blocks what WIND_STOP
    blocks (a storm can come in one gust: the hanging load must still be made safe), m/s."""
    safe_travel_height_m: float
    """Lowest twistlock-plane height at which gantry and trolley may travel without a path-clear
    height from the planner, m: a high-cube container under the spreader then clears the highest
    obstacle anywhere under the crane by the safe clearance."""
    wind_stop_allows_lowering: bool = True
    """At the wind stop limit, still allow lowering (to put the load down) and unlocking; False
    stops all motion there."""
    twistlock_load_t: float = 1.0
    """A load at or above this means the twistlocks carry weight: unlocking is refused, t (A).
    Above load-cell noise with the empty spreader, below the lightest container (empty 20 ft,
    about 2.2 t)."""
    lift_clear_s: float = 8.0
    """How long a lift off its support needs to clear its neighbours when no sequencer says
    (a jog, no job), s: the horizon WIND_NO_LIFT extrapolates a rising wind over
    (:attr:`Context.lift_clear_s`). :meth:`from_params`: a loaded box hoisted from rest by a
    high cube's height and the safe clearance (clear of a loaded truck beside it)."""

    def __post_init__(self) -> None:
        for name in ("overload_trip_t", "wind_stop_mps", "wind_storm_mps", "twistlock_load_t",
                     "lift_clear_s"):  # fmt: skip
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"`{name}` must be positive and finite, not {value!r}")
        if not math.isfinite(self.safe_travel_height_m):
            raise ValueError(
                f"`safe_travel_height_m` must be finite, not {self.safe_travel_height_m!r}"
            )
        if self.wind_storm_mps <= self.wind_stop_mps:
            raise ValueError(
                f"`wind_storm_mps` ({self.wind_storm_mps} m/s) must be above "
                f"`wind_stop_mps` ({self.wind_stop_mps} m/s)"
            )
        if self.twistlock_load_t >= self.overload_trip_t:
            raise ValueError(
                f"`twistlock_load_t` ({self.twistlock_load_t} t) must be below "
                f"`overload_trip_t` ({self.overload_trip_t} t)"
            )

    @classmethod
    def from_params(cls, params: CraneParams, site: SiteLayout | None = None) -> InterlockSettings:
        """Thresholds for the crane ``params`` over ``site`` (default: the border-gate site).

        Change the rest with :func:`dataclasses.replace`.
        """
        return cls(
            overload_trip_t=params.overload_trip_t,
            wind_stop_mps=params.wind_stop_mps,
            wind_storm_mps=params.wind_storm_mps,
            safe_travel_height_m=safe_travel_height_m(params, site or SiteLayout()),
            lift_clear_s=lift_clear_s(params),
        )


def lift_clear_s(params: CraneParams) -> float:
    """How long the hoist takes from rest to lift a loaded box by a high cube's height and the
    safe clearance (at its loaded speed, speeding up at its rated acceleration), s: a box lifted
    off a truck clear of the loaded truck beside it."""
    rise = CONTAINER_HEIGHT_HC_M + params.safe_clearance_m
    speed, accel = params.hoist_speed_loaded_mps, params.hoist_accel_mps2
    return rise / speed + speed / (2.0 * accel)


def safe_travel_height_m(params: CraneParams, site: SiteLayout) -> float:
    """The twistlock-plane height at which a high-cube container under the spreader clears the
    highest obstacle under the crane (a full stack, or a high cube on a vehicle) by
    ``params.safe_clearance_m``; ``ValueError`` if the crane cannot lift that high."""
    stack = site.stack
    highest = stack.ground_height_m + stack.max_tiers * CONTAINER_HEIGHT_HC_M
    for _, lane in site.lanes():
        highest = max(highest, lane.deck_height_m + CONTAINER_HEIGHT_HC_M)
    height = highest + CONTAINER_HEIGHT_HC_M + params.safe_clearance_m
    if height > params.hoist_highest_m:
        top = f"the lift height {params.hoist_highest_m:.2f} m"
        if params.hoist_highest_m < params.lift_height_m:
            top += f" (the shortest rope, {params.min_rope_length_m} m, stops the hoist there)"
        raise ValueError(
            f"site {site.name!r}: travel over its highest obstacle ({highest:.2f} m) needs the "
            f"spreader at {height:.2f} m, above {top}"
        )
    return height


@dataclass(frozen=True, slots=True)
class Context:
    """What the caller knows at this scan that the snapshot does not."""

    travel_clear_below_m: float | None = None
    """The motion planner's path-clear height, m: it checked the stack profile along its path,
    so travel is allowed with the spreader at or above this even below the safe travel height."""
    wind: WindOutlook | None = None
    """Where the wind is going (:class:`~crane_ctrl.interlocks.wind_outlook.WindTrend`); ``None``:
    not known, WIND_NO_LIFT judges the reading alone."""
    lift_clear_s: float | None = None
    """How long a lift from where the spreader rests needs to clear its neighbours, by the
    sequencer's reckoning (the trial lift, then the rise to where a wind stop's swing clears
    them), s; ``None``: :attr:`InterlockSettings.lift_clear_s`."""


SELF_CLEARING = "clears by itself when the cause is gone"
OPERATOR_RESET = "operator reset after the cause is gone"


@dataclass(frozen=True, slots=True)
class Cause:
    """Why an interlock is tripped, in words with values."""

    text: str
    observed: bool = True
    """False when tripped only because a signal cannot be trusted (fail safe): never latches."""
    latches: bool = True
    """False for a cause that is what is about to happen, not what is (the wind rising to the
    stop limit): the rule holds while it lasts and clears by itself, whatever the rule's
    latching."""


Condition = Callable[[Snapshot, InterlockSettings, Context], Cause | None]
"""An interlock's test: the cause if it is tripped now, else ``None``."""


@dataclass(frozen=True, slots=True)
class Interlock:
    """One rule: what it blocks, when, and how it resets."""

    id: str
    """UPPER_SNAKE name; alarms, journal and HMI refer to it."""
    sentence: str
    """The rule in one sentence an operator understands."""
    blocks: frozenset[Motion]
    """What it blocks while active (with default settings, see :meth:`blocks_for`)."""
    latches: bool
    """Whether it stays active after its cause is gone, until an operator reset."""
    reset: str
    """How it resets, in words."""
    needs: tuple[str, ...]
    """The signals it reads."""
    condition: Condition = field(repr=False, compare=False)
    optional: str | None = None
    """An optional signal the rule needs; when the profile leaves it out, ``if_missing`` says
    what that means (reported in ``Permits.unchecked``; no ``if_missing``: not reported, as a
    PLC without the signal leaves no gap)."""
    if_missing: str = ""
    settings_blocks: Callable[[InterlockSettings], frozenset[Motion]] | None = field(
        default=None, repr=False, compare=False
    )
    """When what it blocks depends on the settings (WIND_STOP): that set for given settings."""
    blind_blocks: frozenset[Motion] | None = None
    """What it blocks when tripped only because a signal it reads cannot be trusted (``None``:
    what it blocks anyway). The storm: a wind nobody can read may be any storm, all stops."""

    def blocks_for(self, settings: InterlockSettings) -> frozenset[Motion]:
        """What it blocks under ``settings``."""
        return self.blocks if self.settings_blocks is None else self.settings_blocks(settings)

    def blocks_when(self, settings: InterlockSettings, cause: Cause) -> frozenset[Motion]:
        """What it blocks for ``cause`` under ``settings``."""
        if not cause.observed and self.blind_blocks is not None:
            return self.blind_blocks
        return self.blocks_for(settings)

    def check(
        self, snapshot: Snapshot, settings: InterlockSettings, context: Context | None = None
    ) -> Cause | None:
        """The cause if tripped now (ignoring any latch), else ``None``."""
        return self.condition(snapshot, settings, context or _NO_CONTEXT)


_NO_CONTEXT = Context()


# --- condition building blocks ------------------------------------------------------------------


def _untrusted(name: str, reading: Reading) -> Cause:
    why = f" ({reading.reason})" if reading.reason else ""
    return Cause(f"{name} is {reading.quality}{why}", observed=False)


def _measured(snapshot: Snapshot, name: str) -> float | Cause | None:
    """A numeric signal's value, or the cause that makes it unusable (counts as unsafe);
    ``None`` when it is BAD (SIGNAL_QUALITY blocks everything for it)."""
    r = snapshot.reading(name)
    if r.quality is Quality.BAD:
        return None
    if r.quality is not Quality.GOOD:
        return _untrusted(name, r)
    v = r.value
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return Cause(f"{name} has no usable value ({v!r})", observed=False)
    return float(v)


def _joined(causes: list[Cause]) -> Cause:
    if len(causes) == 1:
        return causes[0]
    text = "; ".join(_grouped([c.text for c in causes]))
    return Cause(text, observed=any(c.observed for c in causes))


_PER_CORNER = re.compile(r"corner (\d+) (.+)")
_PER_SIGNAL = re.compile(r"(\S+) is (.+)")


def _grouped(texts: list[str]) -> list[str]:
    """Reasons said once for all they apply to: ``twistlock locked on corners 1-4`` for four
    corners' ``corner N twistlock locked``, ``spreader.locked_1, spreader.locked_2 are stale``
    for signals that cannot be trusted for one reason. Order kept (by first occurrence)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for text in texts:
        corner, signal = _PER_CORNER.fullmatch(text), _PER_SIGNAL.fullmatch(text)
        if corner is not None:
            groups.setdefault(("corner", corner[2]), []).append(corner[1])
        elif signal is not None:
            groups.setdefault(("signal", signal[2]), []).append(signal[1])
        else:
            groups.setdefault(("", text), [])
    return [_group_text(kind, says, who) for (kind, says), who in groups.items()]


def _group_text(kind: str, says: str, who: list[str]) -> str:
    if kind == "corner":
        return f"corner {who[0]} {says}" if len(who) == 1 else (
            f"{says} on corners {_ranges([int(c) for c in who])}")  # fmt: skip
    if kind == "signal":
        return f"{who[0]} is {says}" if len(who) == 1 else f"{', '.join(who)} are {says}"
    return says


def _ranges(numbers: list[int]) -> str:
    """``1-4``, ``1, 3``, ``1-2, 4``: sorted, consecutive runs of three or more as a range."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    return ", ".join(parts)


FlagCheck = tuple[str, bool, Cause]
"""(signal, its safe value, the cause when it shows the other value)."""


def _check_flags(snapshot: Snapshot, checks: tuple[FlagCheck, ...]) -> Cause | None:
    """Every flag that is not at its safe value (or cannot be trusted), as one cause."""
    causes: list[Cause] | None = None
    for name, safe, cause in checks:
        r = snapshot.reading(name)
        if r.quality is Quality.BAD or (r.quality is Quality.GOOD and bool(r.value) is safe):
            continue  # (a BAD flag is SIGNAL_QUALITY's)
        causes = causes or []
        causes.append(cause if r.quality is Quality.GOOD else _untrusted(name, r))
    return None if causes is None else _joined(causes)


def _flag(name: str, *, safe: bool, tripped: str, optional: bool = False) -> Condition:
    """A condition on one bool signal: tripped unless it is good and ``safe``.

    ``optional``: a MISSING signal (not mapped by the profile) leaves the rule unchecked.
    """
    checks: tuple[FlagCheck, ...] = ((name, safe, Cause(tripped)),)

    def condition(
        snapshot: Snapshot, settings: InterlockSettings, context: Context
    ) -> Cause | None:
        if optional and snapshot.reading(name).quality is Quality.MISSING:
            return None
        return _check_flags(snapshot, checks)

    return condition


def _per_corner(what: str, safe: bool, says: str) -> tuple[FlagCheck, ...]:
    return tuple((f"spreader.{what}_{c}", safe, Cause(f"corner {c} {says}")) for c in CORNERS)


# --- the conditions -----------------------------------------------------------------------------


def _comms(snapshot: Snapshot, settings: InterlockSettings, context: Context) -> Cause | None:
    return None if snapshot.comms_ok else Cause(f"comms fault: {snapshot.comms_reason}")


def _signal_quality(
    snapshot: Snapshot, settings: InterlockSettings, context: Context
) -> Cause | None:
    shared: dict[str, list[str]] = {}
    for name, r in snapshot.readings.items():
        if r.bad:
            shared.setdefault(r.reason or f"{name} is bad", []).append(name)
    if not shared:
        return None
    return Cause("; ".join(_naming(why, names) for why, names in shared.items()))


_NAMED_AT_MOST = 4
"""Signals a shared reason (a status block not proven alive) names before it counts the rest."""


def _naming(why: str, names: list[str]) -> str:
    """A reason that does not name its signal, with the signals it is given for: a dead status
    block's reason once, not once for each of its signals."""
    if len(names) == 1 and names[0] in why:
        return why
    shown = ", ".join(names[:_NAMED_AT_MOST])
    more = len(names) - _NAMED_AT_MOST
    return f"{why} ({shown}{f' and {more} more' if more > 0 else ''})"


_DRIVES: tuple[FlagCheck, ...] = tuple(
    check
    for axis in AXES
    for check in (
        (f"{axis}.fault", False, Cause(f"{axis} drive fault")),
        (f"{axis}.ready", True, Cause(f"{axis} drive not ready")),
    )
)


def _drives(snapshot: Snapshot, settings: InterlockSettings, context: Context) -> Cause | None:
    return _check_flags(snapshot, _DRIVES)


def _wind_over(limit: Callable[[InterlockSettings], float], label: str) -> Condition:
    def condition(
        snapshot: Snapshot, settings: InterlockSettings, context: Context
    ) -> Cause | None:
        wind = _measured(snapshot, "env.wind")
        if wind is None or isinstance(wind, Cause):
            return wind
        if wind < limit(settings):
            return None
        shown, bound = apart(wind, limit(settings), 1)
        return Cause(f"wind {shown} m/s >= {label} limit {bound} m/s")

    return condition


def _wind_stop_blocks(settings: InterlockSettings) -> frozenset[Motion]:
    if settings.wind_stop_allows_lowering:
        return _WIND_STOP_BLOCKS
    return ALL_MOTIONS


_WIND_STOP_BLOCKS = TRAVEL | {Motion.LOCK, Motion.TELESCOPE}


def _wind_lift(snapshot: Snapshot, settings: InterlockSettings, context: Context) -> Cause | None:
    """Something on its support under the spreader, and the wind at the stop limit; or (never
    latching) rising to it before a lift from there could clear its neighbours, or its reading
    just back from bad (:mod:`crane_ctrl.interlocks.wind_outlook`)."""
    wind = _wind_over(lambda s: s.wind_stop_mps, "stop")(snapshot, settings, context)
    if wind is None:
        wind = _wind_ahead(settings, context)
    if wind is None:
        return None
    support = _on_support(snapshot, settings)
    if support is None:
        return None
    return Cause(
        f"{wind.text}; {support.text}",
        observed=wind.observed and support.observed,
        latches=wind.latches,
    )


def _wind_ahead(settings: InterlockSettings, context: Context) -> Cause | None:
    """The wind reading catching up after bad, or rising to the stop limit within the time a
    lift needs to clear its neighbours: a cause that does not latch."""
    outlook = context.wind
    if outlook is None or outlook.level_mps is None:
        return None
    if outlook.catching_up_s > 0.0:
        return Cause(
            f"env.wind back from bad {outlook.back_for_s:.1f} s ago: its gust average catches "
            f"up with the wind, then its trend shows ({outlook.catching_up_s:.1f} s more)",
            observed=False,
        )
    horizon = settings.lift_clear_s if context.lift_clear_s is None else context.lift_clear_s
    rising = outlook.rising_to(settings.wind_stop_mps, horizon)
    return Cause(rising, latches=False) if rising else None


def _on_support(snapshot: Snapshot, settings: InterlockSettings) -> Cause | None:
    """The spreader (or its box) rests on something: a landing pin pressed while the twistlocks
    carry no box. A box locked on may keep the pins pressed as it hangs (its roof presses them
    on most spreaders): then the load cell says it hangs. A load cell that cannot be read
    counts as resting."""
    pins = _check_flags(snapshot, _ANY_PIN_PRESSED)
    if pins is None:
        return None
    load = _measured(snapshot, "hoist.load")
    slack = snapshot.flag("hoist.slack_rope", unsafe=False)
    if isinstance(load, float) and load >= settings.twistlock_load_t and not slack:
        return None  # the ropes carry the box: it hangs, whatever the pins say
    if isinstance(load, Cause):
        return Cause(f"{pins.text}; {load.text}", observed=False)
    if load is None:
        return None  # bad data: SIGNAL_QUALITY blocks everything meanwhile
    return Cause(f"{pins.text}, load {load:.2f} t", observed=pins.observed)


def _overload(snapshot: Snapshot, settings: InterlockSettings, context: Context) -> Cause | None:
    load = _measured(snapshot, "hoist.load")
    if load is None or isinstance(load, Cause):
        return load
    if load <= settings.overload_trip_t:
        return None
    shown, trip = apart(load, settings.overload_trip_t, 2)
    return Cause(f"load {shown} t > overload trip {trip} t")


def _load_on_twistlocks(
    snapshot: Snapshot, settings: InterlockSettings, context: Context
) -> Cause | None:
    load = _measured(snapshot, "hoist.load")
    if load is None or isinstance(load, Cause):
        return load
    if load < settings.twistlock_load_t:
        return None
    shown, limit = apart(load, settings.twistlock_load_t, 2)
    return Cause(f"load {shown} t >= {limit} t: the twistlocks carry it")


_ANY_PIN_PRESSED = _per_corner("landed", False, "landing pin pressed")


def _slack_rope(snapshot: Snapshot, settings: InterlockSettings, context: Context) -> Cause | None:
    r = snapshot.reading("hoist.slack_rope")
    if r.quality is Quality.GOOD:
        return _SLACK if r.value else None
    if r.quality is Quality.BAD:
        return None
    if r.quality is not Quality.MISSING:
        return _untrusted("hoist.slack_rope", r)
    support = _on_support(snapshot, settings)
    if support is None:
        return None
    return Cause(f"hoist.slack_rope not mapped and {support.text}", observed=support.observed)


_SLACK = Cause("ropes slack")
_ALL_LANDED = _per_corner("landed", True, "landing pin not pressed")
_TELESCOPE_FREE = (
    _per_corner("unlocked", True, "twistlock not unlocked")
    + _per_corner("locked", False, "twistlock locked")
    + _ANY_PIN_PRESSED
)


def _not_landed(snapshot: Snapshot, settings: InterlockSettings, context: Context) -> Cause | None:
    return _check_flags(snapshot, _ALL_LANDED)


def _telescope(snapshot: Snapshot, settings: InterlockSettings, context: Context) -> Cause | None:
    return _check_flags(snapshot, _TELESCOPE_FREE)


_LOCK_STATE = {
    (True, False): "locked",
    (False, True): "unlocked",
    (True, True): "both locked and unlocked",
    (False, False): "neither locked nor unlocked",
}
_CORNER_SENSORS = tuple((f"spreader.locked_{c}", f"spreader.unlocked_{c}") for c in CORNERS)


def _mixed_lock(snapshot: Snapshot, settings: InterlockSettings, context: Context) -> Cause | None:
    states: list[tuple[bool, bool]] = []
    untrusted: list[Cause] = []
    for names in _CORNER_SENSORS:
        locked, unlocked = (snapshot.reading(n) for n in names)
        for name, r in zip(names, (locked, unlocked), strict=True):
            if r.quality is Quality.BAD:
                return None  # SIGNAL_QUALITY's
            if r.quality is not Quality.GOOD:
                untrusted.append(_untrusted(name, r))
        states.append((bool(locked.value), bool(unlocked.value)))
    if untrusted:
        return _joined(untrusted)
    if states[0] in ((True, False), (False, True)) and states.count(states[0]) == len(states):
        return None
    corners = ", ".join(f"{c} {_LOCK_STATE[s]}" for c, s in zip(CORNERS, states, strict=True))
    return Cause(f"twistlocks neither all locked nor all unlocked: corner {corners}")


def _below_travel_height(
    snapshot: Snapshot, settings: InterlockSettings, context: Context
) -> Cause | None:
    z = _measured(snapshot, "hoist.position")
    if z is None or isinstance(z, Cause):
        return z
    safe = settings.safe_travel_height_m
    if z >= safe:
        return None
    clear = context.travel_clear_below_m
    if clear is None:
        shown, bound = apart(z, safe, 2)
        return Cause(f"hoist at {shown} m < safe travel height {bound} m")
    if z >= clear:
        return None
    shown, bound = apart(z, clear, 2)
    return Cause(f"hoist at {shown} m < path-clear height {bound} m (safe travel {safe:.2f} m)")


# --- the catalogue ------------------------------------------------------------------------------


def _limit(axis: str, end: str, motion: Motion, way: str, place: str) -> Interlock:
    name = f"{axis}.limit_{end}_ok"
    return Interlock(
        id=f"LIMIT_{axis.upper()}_{end.upper()}",
        sentence=f"The {axis} may not go further {way} while its {place} limit is operated.",
        blocks=frozenset({motion}),
        latches=False,
        reset=f"{SELF_CLEARING}; moving away from the limit is allowed",
        needs=(name,),
        condition=_flag(name, safe=True, tripped=f"{axis} {place} limit operated"),
    )


def _names(checks: Iterable[FlagCheck]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for name, _, _ in checks))


_LOCK_SIGNALS = tuple(name for pair in _CORNER_SENSORS for name in pair)

CATALOGUE: tuple[Interlock, ...] = (
    Interlock(
        "COMMS_FAULT",
        "All motion stops while the data from the PLC cannot be trusted "
        "(link down, data stale or PLC heartbeat frozen).",
        ALL_MOTIONS,
        False,
        SELF_CLEARING,
        (),
        _comms,
    ),
    Interlock(
        "SIGNAL_QUALITY",
        "All motion stops at once while any signal from the PLC is bad: undecodable, a value "
        "no sensor on this crane can show (NaN, a bool reading 2, a position off the travel), "
        "or in a status block not proven alive (its life counter frozen, its word all zero).",
        ALL_MOTIONS,
        False,
        f"{SELF_CLEARING}; an automatic move stays held until the operator resumes it",
        (),
        _signal_quality,
    ),
    Interlock(
        "ESTOP",
        "All motion stops while the emergency-stop chain is open.",
        ALL_MOTIONS,
        True,
        f"{OPERATOR_RESET} (the chain closed again)",
        ("plc.estop_ok",),
        _flag("plc.estop_ok", safe=True, tripped="emergency-stop chain open"),
    ),
    Interlock(
        "NOT_REMOTE",
        "All motion stops while the PLC is not in remote mode.",
        ALL_MOTIONS,
        False,
        f"{SELF_CLEARING} (the key switch back in remote)",
        ("plc.remote",),
        _flag("plc.remote", safe=True, tripped="PLC not in remote mode"),
    ),
    Interlock(
        "WATCHDOG_TRIP",
        "All motion stops while the PLC's watchdog has tripped on a frozen supervisor heartbeat.",
        ALL_MOTIONS,
        False,
        f"{SELF_CLEARING} (the PLC clears the trip on a fault reset while our heartbeat runs)",
        ("plc.watchdog_trip",),
        _flag("plc.watchdog_trip", safe=False, tripped="PLC watchdog tripped"),
    ),
    Interlock(
        "RESTART_INHIBIT",
        "All motion stops while the PLC inhibits a restart (after a trip, until it is reset and "
        "ready again).",
        ALL_MOTIONS,
        False,
        f"{SELF_CLEARING} (the PLC lifts the inhibit once reset and ready)",
        ("plc.restart_inhibit",),
        _flag("plc.restart_inhibit", safe=False, tripped="PLC restart inhibit", optional=True),
        optional="plc.restart_inhibit",  # not mapped: no gap (the restart hold waits for ready)
    ),
    Interlock(
        "DRIVE_FAULT",
        "All motion stops while a drive reports a fault or is not ready.",
        ALL_MOTIONS,
        False,
        f"{SELF_CLEARING} (the drives report ready, after a fault reset if needed)",
        _names(_DRIVES),
        _drives,
    ),
    Interlock(
        "WIND_STORM",
        "At the storm limit nothing travels, locks or telescopes; as at the wind stop, a "
        "hanging load may only go straight down onto a place below it, or straight up clear "
        "of its neighbours, if the settings permit it: held low in a storm it would swing "
        "into them.",
        _WIND_STOP_BLOCKS,
        True,
        f"{OPERATOR_RESET} (the wind below the storm limit)",
        ("env.wind",),
        _wind_over(lambda s: s.wind_storm_mps, "storm"),
        settings_blocks=_wind_stop_blocks,
        blind_blocks=ALL_MOTIONS,
    ),
    Interlock(
        "WIND_STOP",
        "At the wind stop limit the crane starts nothing new: travel, locking and telescoping "
        "stop; a hanging load may only go straight down onto a place below it, or straight up "
        "clear of its neighbours, and unlocking stays allowed, if the settings permit it.",
        _WIND_STOP_BLOCKS,
        True,
        f"{OPERATOR_RESET} (the wind below the stop limit)",
        ("env.wind",),
        _wind_over(lambda s: s.wind_stop_mps, "stop"),
        settings_blocks=_wind_stop_blocks,
    ),
    Interlock(
        "WIND_NO_LIFT",
        "Nothing is lifted off its support (hoisting up stops while a landing pin is pressed "
        "and the twistlocks carry no box) at the wind stop limit, nor while the wind rises fast "
        "enough to reach it before the lift could clear its neighbours, nor while the wind "
        "reading, just back from bad, still catches up with the wind.",
        frozenset({Motion.HOIST_UP}),
        True,
        f"{OPERATOR_RESET} (the wind below the stop limit); the rising wind and the reading "
        "back from bad clear by themselves",
        ("env.wind", "hoist.load", *_names(_ANY_PIN_PRESSED)),
        _wind_lift,
    ),
    Interlock(
        "LANE_NOT_CLEAR",
        "Hoisting and travel stop while a person is in the lane or a light curtain is broken.",
        TRAVEL | HOIST,
        True,
        f"{OPERATOR_RESET} (the lane clear again)",
        ("lane.clear",),
        _flag(
            "lane.clear",
            safe=True,
            tripped="person in the lane or light curtain broken",
            optional=True,
        ),
        optional="lane.clear",
        if_missing="lane.clear is not mapped: nothing checks the lane for people or a broken "
        "light curtain.",
    ),
    Interlock(
        "TRUCK_LIFTED",
        "Hoisting up stops when the truck is being lifted with the container.",
        frozenset({Motion.HOIST_UP}),
        True,
        f"{OPERATOR_RESET} (the trailer back down and the trip cleared)",
        ("lane.truck_lifted",),
        _flag(
            "lane.truck_lifted",
            safe=False,
            tripped="truck lifted with the container",
            optional=True,
        ),
        optional="lane.truck_lifted",
        if_missing="lane.truck_lifted is not mapped: a truck lifted with its container is not "
        "detected.",
    ),
    Interlock(
        "OVERLOAD",
        "Hoisting up is blocked after the load exceeded the overload limit; lowering stays "
        "allowed.",
        frozenset({Motion.HOIST_UP}),
        True,
        f"{OPERATOR_RESET} (the load set down, below the overload limit)",
        ("hoist.load",),
        _overload,
    ),
    Interlock(
        "SLACK_ROPE",
        "Lowering stops when the ropes go slack: the load is resting on something.",
        frozenset({Motion.HOIST_DOWN}),
        False,
        f"{SELF_CLEARING}; hoisting up is allowed",
        ("hoist.slack_rope", "hoist.load", *_names(_ANY_PIN_PRESSED)),
        _slack_rope,
        optional="hoist.slack_rope",
        if_missing="hoist.slack_rope is not mapped: lowering stops whenever a landing pin is "
        "pressed and the twistlocks carry no box instead.",
    ),
    Interlock(
        "NOT_LANDED",
        "Twistlocks may turn only when all four landing pins are pressed.",
        TWISTLOCKS,
        False,
        SELF_CLEARING,
        _names(_ALL_LANDED),
        _not_landed,
    ),
    Interlock(
        "LOAD_ON_TWISTLOCKS",
        "Twistlocks never unlock while they carry a load, even if the landing pins are pressed.",
        frozenset({Motion.UNLOCK}),
        False,
        f"{SELF_CLEARING} (the load resting on the ground or stack)",
        ("hoist.load",),
        _load_on_twistlocks,
    ),
    Interlock(
        "MIXED_LOCK",
        "Hoisting up needs all four twistlocks locked or all four unlocked; "
        "a mixed state blocks it.",
        frozenset({Motion.HOIST_UP}),
        False,
        SELF_CLEARING,
        _LOCK_SIGNALS,
        _mixed_lock,
    ),
    Interlock(
        "TELESCOPE_NOT_FREE",
        "The spreader may telescope only when all four twistlocks are unlocked "
        "and no landing pin is pressed.",
        frozenset({Motion.TELESCOPE}),
        False,
        SELF_CLEARING,
        _names(_TELESCOPE_FREE),
        _telescope,
    ),
    _limit("gantry", "fwd", Motion.GANTRY_FWD, "forward", "forward end"),
    _limit("gantry", "rev", Motion.GANTRY_REV, "back", "reverse end"),
    _limit("trolley", "fwd", Motion.TROLLEY_FWD, "forward", "forward end"),
    _limit("trolley", "rev", Motion.TROLLEY_REV, "back", "reverse end"),
    _limit("hoist", "up", Motion.HOIST_UP, "up", "upper"),
    _limit("hoist", "down", Motion.HOIST_DOWN, "down", "lower"),
    Interlock(
        "STORM_PINS_DOWN",
        "The gantry may travel only when the storm pins are lifted.",
        GANTRY,
        False,
        SELF_CLEARING,
        ("gantry.storm_pins_up",),
        _flag("gantry.storm_pins_up", safe=True, tripped="storm pins down", optional=True),
        optional="gantry.storm_pins_up",
        if_missing="gantry.storm_pins_up is not mapped: gantry travel is not checked against "
        "the storm pins.",
    ),
    Interlock(
        "BELOW_TRAVEL_HEIGHT",
        "Gantry and trolley travel only with the spreader at or above the safe travel height, "
        "or above a path the planner has checked clear.",
        TRAVEL,
        False,
        f"{SELF_CLEARING} (the spreader hoisted high enough)",
        ("hoist.position",),
        _below_travel_height,
    ),
)
