"""When an automatic move must stop and hold, and when it may go on again. Pure.

The interlocks block motion scan by scan; this is what the move does about it. Any of these,
seen in a step that moves the crane, makes the move hold in that same scan (every reference 0)
with the reason, and it stays held until an operator resumes it, whatever clears meanwhile:

* a stop trip (:data:`STOPS`): comms, bad data (SIGNAL_QUALITY), e-stop, wind, the lane ...;
  whether it showed an unsafe value or only could not be trusted;
* a drive fault;
* **unexpected contact** (:func:`unexpected_contact`): slack ropes, a landing pin pressed, or
  (carrying) the load gone from the load cell, or gone light (under :data:`LIGHT_FRACTION` of
  what the box weighed at its trial lift), anywhere but at the landing the move is making: the
  load or the spreader rests on something the yard model does not know;
* a **refused motion** (:func:`refused_motion`): the interlocks refused a speed the move asked
  for; the plan and the crane no longer agree, so the move does not wait for them to agree
  again by themselves.

A resume (:func:`resume_refusals`) first checks the crane as measured against the hold: nothing
still tripped, the crane where it stopped (within :data:`RESUME_JUMP_M`), the twistlocks as they
were, the load still there; the move is then planned again from where the crane is. One cause may
still be there: the wind (:data:`WIND_TRIPS`), while the load hangs free and has not been made
safe from it yet (the move held for another reason, or was stopped, before the wind came). The
operator resumes it so that the move sets it down or raises it clear of its neighbours, and holds
again; left low, the wind would swing it into them. Held (not stopped), the hold's own wind
reaction does that by itself (:func:`~crane_ctrl.sequencer.wind.secures_while_held`): the wind
trip's reaction, not the move resumed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.interlocks.evaluate import Motion, Permits, Trip
from crane_ctrl.motion.planner import XYZ
from crane_ctrl.sequencer.model import STILL_MPS
from crane_ctrl.sequencer.readings import LOST_LOAD_T, on_support
from crane_ctrl.sequencer.transfer import all_corners, any_corner
from crane_ctrl.signals import CORNERS
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "LANDING_ZONE_M",
    "LIGHT_FRACTION",
    "LOST_LOAD_T",
    "RESUME_JUMP_M",
    "STOPS",
    "WIND_TRIPS",
    "HeldState",
    "hold_reason",
    "light_below_t",
    "refused_motion",
    "resume_refusals",
    "securing_trips",
    "unexpected_contact",
    "waits_for_reset",
]

STOPS = frozenset(
    {
        "COMMS_FAULT", "SIGNAL_QUALITY", "ESTOP", "NOT_REMOTE", "WATCHDOG_TRIP", "WIND_STORM",
        "WIND_STOP", "LANE_NOT_CLEAR", "STORM_PINS_DOWN",
    }
)  # fmt: skip
"""Trips that hold a move until an operator has looked and resumed it."""

WIND_TRIPS = frozenset({"WIND_STOP", "WIND_STORM"})
"""The trips that stop a move for the wind alone: the hanging load is made safe, then held."""

LANDING_ZONE_M = 0.25
"""Contact this far above the planned landing height (or lower) is the landing, m: the landing
height tolerance (0.15 m) and the hoist's own tolerance."""
LIGHT_FRACTION = 0.5
"""A carried box reading under this fraction of what it weighed at its trial lift rests (one end,
at least) on something, or the load cell lies: either way the move must not drag it on. A box
with one end on a stack's edge or a trailer's chassis puts about half its weight there; hoisting
(0.6 m/s^2: 6 %) and swinging change the reading far less."""
RESUME_JUMP_M = 0.5
"""The crane further than this from where it held has been moved (by hand, or the data lies):
the move does not resume by itself from there, m."""

_AXIS_MOTIONS = (
    ("gantry", Motion.GANTRY_FWD, Motion.GANTRY_REV),
    ("trolley", Motion.TROLLEY_FWD, Motion.TROLLEY_REV),
    ("hoist", Motion.HOIST_UP, Motion.HOIST_DOWN),
)
_LANDING_TRIPS = frozenset({"SLACK_ROPE", "LIMIT_HOIST_DOWN"})
"""What may stop lowering at a landing without anything being wrong: the load is down."""


def hold_reason(
    snapshot: Snapshot, permits: Permits, *, besides: frozenset[str] = frozenset()
) -> str:
    """Why a moving automatic move must hold now ("" if it need not): comms, a stop trip
    (observed or not trusted, but those in ``besides``), a drive fault."""
    if not snapshot.comms_ok:
        return f"comms fault: {snapshot.comms_reason}"
    faulted = [axis for axis in AXES if snapshot.flag(f"{axis}.fault", unsafe=True)]
    if faulted:
        return f"drive fault: {', '.join(faulted)}"
    stops = [str(t) for t in permits.active if t.id in STOPS - besides and not t.bypassed]
    return "; ".join(stops)


def waits_for_reset(trip: Trip) -> bool:
    """``trip`` is a stop trip besides the wind's that latches until an operator's reset (the
    e-stop, a person in the lane): whatever it interrupted waits for the operator to resume it,
    a reset starts nothing."""
    return trip.id in STOPS - WIND_TRIPS and trip.interlock.latches and not trip.bypassed


def light_below_t(weighed_t: float | None) -> float:
    """The load-cell reading under which a carried box has come to rest on something, t:
    :data:`LIGHT_FRACTION` of ``weighed_t`` (its weight at the trial lift), at least
    :data:`LOST_LOAD_T` (not weighed yet: that alone)."""
    if weighed_t is None or not math.isfinite(weighed_t):
        return LOST_LOAD_T
    return max(LOST_LOAD_T, LIGHT_FRACTION * weighed_t)


def unexpected_contact(
    snapshot: Snapshot,
    *,
    carrying: bool,
    landing_m: float | None,
    weighed_t: float | None = None,
) -> str:
    """Why the load (``carrying``) or the empty spreader is resting on something ("" if it is
    not): slack ropes, a landing pin pressed, or a carried load gone light (under
    :func:`light_below_t` of ``weighed_t``, what it weighed at the trial lift). ``landing_m``:
    the twistlock-plane height of the landing the move is making now (``None``: none), where
    contact is the point."""
    z = snapshot.number("hoist.position")
    if landing_m is not None and (z is None or z <= landing_m + LANDING_ZONE_M):
        return ""
    where = "" if z is None else f" at {z:.2f} m"
    what = "the load" if carrying else "the empty spreader"
    signs = list(_contact_signs(snapshot, carrying, light_below_t(weighed_t)))
    if not signs:
        return ""
    planned = "" if landing_m is None else f", {landing_m:.2f} m planned"
    return f"unexpected contact: {what} rests on something{where}{planned} ({'; '.join(signs)})"


def _contact_signs(snapshot: Snapshot, carrying: bool, light_t: float) -> Iterable[str]:
    """Slack ropes; a carried box gone light (under ``light_t``); the EMPTY spreader's landing
    pins (a box locked on may keep them pressed as it hangs: on most spreaders its roof does)."""
    if snapshot.flag("hoist.slack_rope", unsafe=False):
        yield "ropes slack"
    pressed = [c for c in CORNERS if snapshot.flag(f"spreader.landed_{c}", unsafe=False)]
    if pressed and not carrying:
        yield f"landing pin {', '.join(map(str, pressed))} pressed"
    load = snapshot.number("hoist.load")
    if carrying and load is not None and load < light_t:
        yield f"load {load:.2f} t < {light_t:.2f} t"


def refused_motion(commands: Commands, permits: Permits, *, landing: bool) -> str:
    """The first speed asked for that the interlocks refuse, in words ("" if none).
    ``landing``: lowering into the landing, where slack ropes or the lower limit stopping the
    hoist is the landing itself."""
    for axis, forward, reverse in _AXIS_MOTIONS:
        ref = commands.speed(axis)
        if ref == 0.0:
            continue
        motion = forward if ref > 0.0 else reverse  # (NaN counts as forward)
        if math.isnan(ref):
            motion = forward if forward in permits.blocked else reverse
        trips = permits.why_not(motion)
        if not trips:
            continue
        if landing and motion is Motion.HOIST_DOWN and {t.id for t in trips} <= _LANDING_TRIPS:
            continue
        why = "; ".join(str(t) for t in trips)
        return f"{motion} {ref:+.2f} m/s refused: {why}"
    return ""


@dataclass(frozen=True, slots=True)
class HeldState:
    """What the crane measured when the move held: a resume compares against it."""

    position: XYZ | None
    locked: bool
    """All four twistlocks locked and none unlocked."""
    carrying: bool
    """A box hung on the spreader."""
    at_rest: bool = False
    """The crane had come to rest after the hold: the position is where it stopped. Until then
    it follows the crane as it ramps (or brakes) to a stop. Rest is judged only on a measured
    position: after a link loss (a PLC restart, the crane braking blind meanwhile) the first
    trusted scans may still lack one, and the position from before the loss is not where the
    crane stopped."""

    def follow(self, snapshot: Snapshot) -> HeldState:
        """Where the crane comes to rest after the hold: followed until every axis is still,
        then kept (a later move is the crane being moved while held)."""
        if self.at_rest:
            return self
        now = HeldState.of(snapshot, carrying=self.carrying)
        still = (
            snapshot.comms_ok
            and now.position is not None  # come to rest where? (a position not trusted yet)
            and all(
                (v := snapshot.number(f"{a}.speed")) is not None and abs(v) < STILL_MPS
                for a in AXES
            )
        )
        position = now.position if now.position is not None else self.position
        return HeldState(position, self.locked, self.carrying, at_rest=still)

    @classmethod
    def of(cls, snapshot: Snapshot, *, carrying: bool) -> HeldState:
        """The crane as measured now; ``carrying``: the step says a box is on the spreader,
        which counts only if the twistlocks are locked and the load cell weighs it (a box
        already set down and unlocked is no box to lose)."""
        x, y, z = (snapshot.number(f"{a}.position") for a in AXES)
        position = None if x is None or y is None or z is None else (x, y, z)
        locked = all_corners(snapshot, "locked") and not any_corner(snapshot, "unlocked")
        load = snapshot.number("hoist.load")
        weighed = load is not None and load >= LOST_LOAD_T
        return cls(position, locked, carrying and locked and weighed)


def securing_trips(snapshot: Snapshot, may_be_secured: bool) -> frozenset[str]:
    """The trips that do not refuse a resume: the wind's, while the load hangs free and has not
    been made safe from it yet (``may_be_secured``): resumed, the move makes it safe."""
    if may_be_secured and not on_support(snapshot):
        return WIND_TRIPS
    return frozenset()


def resume_refusals(
    snapshot: Snapshot,
    permits: Permits,
    held: HeldState | None,
    *,
    check_jump: bool = True,
    to_secure: bool = False,
) -> list[str]:
    """Why the move may not resume now (empty: it may): the cause of a stop still there, bad
    data, the crane moved since it held (``check_jump``), the twistlocks or the load changed.
    ``to_secure``: the load hangs free, not yet made safe from the wind: the wind is no cause
    (resumed, the move makes it safe)."""
    why = []
    cause = hold_reason(snapshot, permits, besides=securing_trips(snapshot, to_secure))
    if cause:
        why.append(f"still: {cause}")
    if held is None:
        return why
    now = HeldState.of(snapshot, carrying=held.carrying)
    if check_jump and held.position is not None:
        if now.position is None:
            why.append("the crane's position is not known")
        else:
            jump = max(abs(a - b) for a, b in zip(now.position, held.position, strict=True))
            if jump > RESUME_JUMP_M:
                why.append(
                    f"the crane is {jump:.2f} m from where it held (more than "
                    f"{RESUME_JUMP_M:g} m): it was moved, or its data is wrong; check it, then "
                    "stop and take it over in MANUAL or set the load down"
                )
    load = snapshot.number("hoist.load")
    hanging = not on_support(snapshot)
    if held.locked and not now.locked and hanging:  # (landed, a turn stopped part-way is safe)
        why.append("the twistlocks were locked at the hold and are not all locked now")
    if held.carrying and hanging and (load is None or load < LOST_LOAD_T):
        why.append(f"the box is no longer on the load cell (load {load!r} t)")
    return why
