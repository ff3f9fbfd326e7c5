"""What the sequencer reads off a scan's snapshot: where the crane is, whether its drives are
ready or still, what the spreader's corners report, and whether the load hangs. Pure.

Landing pins say "the spreader is seated" only while nothing hangs from it. On most spreaders the
pins stay pressed while a container is locked on, lifted or not (its roof presses them); on
others they release as it lifts. So whether a load hangs or rests is read off the ropes: the
load cell (what the twistlocks carry) and the slack-rope switch, never off the pins alone.

- :func:`carried`: the ropes carry a box: it weighs at least :data:`LOST_LOAD_T` on the load cell
  and the ropes are not slack;
- :func:`seated`: all four pins pressed and nothing carried (the load cell known): landed, for
  either kind of spreader;
- :func:`on_support`: some pin pressed and nothing carried (or the load unknown): the spreader or
  its box rests on something; the fail-safe answer when in doubt.
"""

from __future__ import annotations

from crane_ctrl.commands import AXES
from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import XYZ
from crane_ctrl.sequencer.model import STILL_MPS, SequencerSettings
from crane_ctrl.sequencer.transfer import all_corners, any_corner
from crane_ctrl.signals import CORNERS
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "LOST_LOAD_T",
    "all_clean",
    "at_rest",
    "carried",
    "drives_ready",
    "not_landed_why",
    "not_seated_why",
    "on_support",
    "position_of",
    "seated",
    "stopping_s",
]

LOST_LOAD_T = 1.0
"""A carried box weighing less than this has come to rest on something (or is gone), t: the
lightest container (an empty 20 ft, about 2.2 t) weighs more; the load cell's noise far less."""


def carried(snapshot: Snapshot) -> bool:
    """The ropes carry a box: at least :data:`LOST_LOAD_T` on the load cell, ropes not slack
    (unknown: not carried)."""
    load = snapshot.number("hoist.load")
    slack = snapshot.flag("hoist.slack_rope", unsafe=False)
    return load is not None and load >= LOST_LOAD_T and not slack


def seated(snapshot: Snapshot) -> bool:
    """Landed: all four pins pressed and the load cell (known) says the twistlocks carry no
    box. With a box locked on, the pins alone say nothing: they may stay pressed as it hangs."""
    load = snapshot.number("hoist.load")
    if load is None or not all_corners(snapshot, "landed"):
        return False
    return load < LOST_LOAD_T or snapshot.flag("hoist.slack_rope", unsafe=False)


def on_support(snapshot: Snapshot) -> bool:
    """The spreader or its box rests on something: a pin pressed (or unknown) and no box
    carried by the ropes. When in doubt, it rests (nothing is lifted off on a guess)."""
    pressed = any(snapshot.flag(f"spreader.landed_{c}", unsafe=True) for c in CORNERS)
    return pressed and not carried(snapshot)


def position_of(snapshot: Snapshot) -> XYZ | None:
    """(gantry, trolley, hoist) positions, if all three are good."""
    x, y, z = (snapshot.number(f"{a}.position") for a in AXES)
    return None if x is None or y is None or z is None else (x, y, z)


def drives_ready(snapshot: Snapshot) -> bool:
    return all(snapshot.flag(f"{axis}.ready", unsafe=False) for axis in AXES)


def at_rest(snapshot: Snapshot) -> bool:
    """Every axis slower than :data:`~crane_ctrl.sequencer.model.STILL_MPS`."""
    return all(abs(snapshot.number(f"{axis}.speed") or 0.0) < STILL_MPS for axis in AXES)


def stopping_s(snapshot: Snapshot, params: CraneParams) -> float:
    """How long the crane takes to come to rest from the speeds it reads, at the drives' normal
    deceleration, s (a speed not read counts as none)."""
    decel = {"gantry": params.gantry_decel_mps2, "trolley": params.trolley_decel_mps2,
             "hoist": params.hoist_decel_mps2}  # fmt: skip
    return max(abs(snapshot.number(f"{axis}.speed") or 0.0) / decel[axis] for axis in AXES)


def all_clean(snapshot: Snapshot, state: str, opposite: str) -> bool:
    """Every corner reports ``state`` and none ``opposite`` (a corner reporting both, a stuck
    sensor, is neither: the step waits for a clean report and times out into its fault
    reaction instead of going on on a lock state nobody can trust)."""
    return all_corners(snapshot, state) and not any_corner(snapshot, opposite)


def not_seated_why(snapshot: Snapshot) -> str:
    """Why the spreader is not seated ("" when it is): a pin not pressed, or a box still on the
    ropes (or the load cell unread)."""
    free = [c for c in CORNERS if not snapshot.flag(f"spreader.landed_{c}", unsafe=False)]
    if free:
        return f"landing pin {', '.join(map(str, free))} not pressed"
    load = snapshot.number("hoist.load")
    if load is None:
        return "the load cell cannot be read: whether the box still hangs is not known"
    if not seated(snapshot):
        return f"the twistlocks still carry {load:.1f} t: not set down"
    return ""


def not_landed_why(snapshot: Snapshot | None, landing_m: float, s: SequencerSettings) -> str:
    """Why the spreader is not Landed where it should be ("" when it is)."""
    if snapshot is None:
        return "no reading yet"
    why = not_seated_why(snapshot)
    if why:
        return why
    z = snapshot.number("hoist.position")
    if z is None:
        return "hoist position unknown"
    if abs(z - landing_m) > s.landing_height_tolerance_m:
        if z < landing_m and snapshot.flag("hoist.slack_rope", unsafe=False):
            return (f"the ropes are slack, the hoist at {z:.2f} m below the landing at "
                    f"{landing_m:.2f} m: take the slack up, then confirm")  # fmt: skip
        return f"landed at {z:.2f} m, expected {landing_m:.2f} m: check the slot"
    return ""
