"""What the sequencer reads off a scan's snapshot: where the crane is, whether its drives are
ready or still, and what the spreader's corners report. Pure."""

from __future__ import annotations

from crane_ctrl.commands import AXES
from crane_ctrl.motion.planner import XYZ
from crane_ctrl.sequencer.model import STILL_MPS, SequencerSettings
from crane_ctrl.sequencer.transfer import all_corners, any_corner
from crane_ctrl.signals import CORNERS
from crane_ctrl.snapshot import Snapshot

__all__ = ["all_clean", "at_rest", "drives_ready", "not_landed_why", "position_of"]


def position_of(snapshot: Snapshot) -> XYZ | None:
    """(gantry, trolley, hoist) positions, if all three are good."""
    x, y, z = (snapshot.number(f"{a}.position") for a in AXES)
    return None if x is None or y is None or z is None else (x, y, z)


def drives_ready(snapshot: Snapshot) -> bool:
    return all(snapshot.flag(f"{axis}.ready", unsafe=False) for axis in AXES)


def at_rest(snapshot: Snapshot) -> bool:
    """Every axis slower than :data:`~crane_ctrl.sequencer.model.STILL_MPS`."""
    return all(abs(snapshot.number(f"{axis}.speed") or 0.0) < STILL_MPS for axis in AXES)


def all_clean(snapshot: Snapshot, state: str, opposite: str) -> bool:
    """Every corner reports ``state`` and none ``opposite`` (a corner reporting both, a stuck
    sensor, is neither: the step waits for a clean report and times out into its fault
    reaction instead of going on on a lock state nobody can trust)."""
    return all_corners(snapshot, state) and not any_corner(snapshot, opposite)


def not_landed_why(snapshot: Snapshot | None, landing_m: float, s: SequencerSettings) -> str:
    """Why the spreader is not Landed where it should be ("" when it is)."""
    if snapshot is None:
        return "no reading yet"
    free = [c for c in CORNERS if not snapshot.flag(f"spreader.landed_{c}", unsafe=False)]
    if free:
        return f"landing pin {', '.join(map(str, free))} not pressed"
    z = snapshot.number("hoist.position")
    if z is None:
        return "hoist position unknown"
    if abs(z - landing_m) > s.landing_height_tolerance_m:
        return f"landed at {z:.2f} m, expected {landing_m:.2f} m: check the slot"
    return ""
