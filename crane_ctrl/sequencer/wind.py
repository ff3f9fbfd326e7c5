"""Wind stop with the box hanging: where it may be set down without travelling. Pure.

At the wind stop limit the WIND_STOP interlock (:mod:`crane_ctrl.interlocks.catalogue`) blocks
travel, hoisting up, locking and telescoping; lowering and unlocking stay allowed (unless
``InterlockSettings.wind_stop_allows_lowering`` is off, and then nothing moves). So a suspended
box can only go straight down where it hangs, and in that wind no motion may swing it over a
better place. ``SequencerSettings.on_wind_stop`` chooses:

- ``"hold"`` (default): hold the box where it hangs, on four locked twistlocks, for the
  operator (DOMAIN.md: "at 20 m/s finish nothing new, put the load down, stop");
- ``"set_down"``: if the box hangs (where the sway sensor says the load is, lean included)
  within half the stacking tolerance over a place where it may legally stand, lower it there,
  unlock, and fail the job naming the wind and the place; anywhere else, hold.

A legal place (:func:`set_down_place`): a stack slot inside the block whose column is empty
(ground) or topped by a box of the same size centred on the slot, below the top tier, with
nothing else under the box's footprint; or the deck of a vehicle in a lane with no box on it
(the one the box was lifted from counts as free). Straight down there breaks no clearance: the
box is over that place's support and nothing else is under its footprint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.errors import CommandRefused
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.motion.planner import hoist_reference
from crane_ctrl.operation.yard_model import Box, Obstacle, YardModel
from crane_ctrl.sequencer.base import (
    OVERTRAVEL_M,
    WIND_STEPS,
    Run,
    SequencerBase,
    Step,
    not_landed_why,
    position_of,
)
from crane_ctrl.sequencer.safety import STOPS
from crane_ctrl.sequencer.sway import sway_of
from crane_ctrl.sequencer.transfer import all_corners, any_corner
from crane_ctrl.site import CONTAINER_WIDTH_M, Slot, container_length_m
from crane_ctrl.snapshot import Snapshot

__all__ = ["SetDownPlace", "WindSteps", "set_down_place"]

XY = tuple[float, float]
_TOUCH_M = 1e-6
"""Footprints that only touch do not overlap (numerical zero, not a physical margin)."""


@dataclass(frozen=True, slots=True)
class SetDownPlace:
    """Where the box goes down: the slot, its centre and the twistlock-plane landing height."""

    slot: Slot
    centre: XY
    landing_m: float


def set_down_place(
    yard: YardModel, box: Box, load_xy: XY, tolerance_m: float
) -> SetDownPlace | None:
    """The nearest legal place for ``box`` whose centre is within ``tolerance_m`` (each
    direction) of where the load hangs, or ``None``."""
    found = [p for p in _candidates(yard, box, load_xy) if _within(p.centre, load_xy, tolerance_m)]
    return min(found, key=lambda p: _distance(p.centre, load_xy), default=None)


def _candidates(yard: YardModel, box: Box, load_xy: XY) -> Iterator[SetDownPlace]:
    stack = yard.site.stack
    bay, row = stack.nearest(load_xy[0], load_xy[1], box.size_ft)
    if stack.holds(bay, row, box.size_ft):
        place = _stack_place(yard, box, bay, row)
        if place is not None:
            yield place
    for area, lane in yard.site.lanes():
        slot = Slot(area, lane=lane.id)
        standing = yard.at(slot)
        if slot in yard.vehicles and (standing is None or standing.id == box.id):
            yield SetDownPlace(slot, yard.centre(box, slot), yard.drop_height_m(slot, box))


def _stack_place(yard: YardModel, box: Box, bay: int, row: int) -> SetDownPlace | None:
    """The slot on top of column (bay, row) if ``box`` may stand there."""
    column = [b for b in yard.below(Slot.stack(bay, row, yard.site.stack.max_tiers + 1))
              if b.id != box.id]  # fmt: skip
    tier = len(column) + 1
    if tier > yard.site.stack.max_tiers or [b.slot.tier for b in column] != list(range(1, tier)):
        return None
    slot = Slot.stack(bay, row, tier)
    centre = yard.centre(box, slot)
    under = [ob for ob in yard.obstacles(exclude=box.id) if _overlaps(ob, box, centre)]
    if column:
        top = column[-1]
        if top.size_ft != box.size_ft or len(under) != 1 or under[0].top_m > _top(yard, top):
            return None
    elif under:
        return None
    return SetDownPlace(slot, centre, yard.drop_height_m(slot, box))


def _top(yard: YardModel, box: Box) -> float:
    return yard.pick_height_m(box) + _TOUCH_M


def _overlaps(ob: Obstacle, box: Box, centre: XY) -> bool:
    half_l, half_w = container_length_m(box.size_ft) / 2, CONTAINER_WIDTH_M / 2
    return (
        ob.x_min < centre[0] + half_l - _TOUCH_M
        and ob.x_max > centre[0] - half_l + _TOUCH_M
        and ob.y_min < centre[1] + half_w - _TOUCH_M
        and ob.y_max > centre[1] - half_w + _TOUCH_M
    )


def _within(a: XY, b: XY, tolerance_m: float) -> bool:
    return abs(a[0] - b[0]) <= tolerance_m and abs(a[1] - b[1]) <= tolerance_m


def _distance(a: XY, b: XY) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


class WindSteps(SequencerBase):
    """Going on at a wind stop: setting the hanging box down below it, or not (hold)."""

    def _wind_goes_on(self, run: Run, snapshot: Snapshot, permits: Permits, now: float) -> bool:
        """A wind stop (and nothing else) with ``on_wind_stop="set_down"``: go on setting the
        box down below it, or start to if it hangs over a legal place. Otherwise: hold."""
        if not (snapshot.comms_ok and self._stops(permits) == {"WIND_STOP"}):
            return False
        if any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES):
            return False
        if run.wind_place is not None and run.step in WIND_STEPS:
            return True
        if self.settings.on_wind_stop != "set_down" or run.failure is not None:
            return False
        hanging = all_corners(snapshot, "locked") and not any_corner(snapshot, "landed")
        pos, sway = position_of(snapshot), sway_of(snapshot)
        if not hanging or pos is None or sway is None or not permits.allowed(Motion.HOIST_DOWN):
            return False
        load = (pos[0] + sway[0], pos[1] + sway[1])
        place = set_down_place(self.yard, run.transfer.box, load, self._wind_tolerance_m)
        if place is None:
            return False
        run.wind_place = place
        self._enter(Step.WIND_SET_DOWN, now, reason=f"wind stop: setting it down on {place.slot}")
        return True

    def plan_set_down(self, now: float) -> None:
        """The operator sends the held (interrupted) box straight down to a legal place below
        it; it goes there when the move resumes. ``CommandRefused`` if no such place is there."""
        run, snapshot = self.run, self._last
        if run is None or run.step is not Step.HELD or snapshot is None:
            raise CommandRefused("set down needs a held or interrupted job")
        if not (run.delivering and all_corners(snapshot, "locked")):
            raise CommandRefused("no box hangs on the spreader to set down")
        pos, sway = position_of(snapshot), sway_of(snapshot) or (0.0, 0.0)
        if pos is None:
            raise CommandRefused("the crane's position is not known: take it over in MANUAL")
        load = (pos[0] + sway[0], pos[1] + sway[1])
        place = set_down_place(self.yard, run.transfer.box, load, self._wind_tolerance_m)
        if place is None:
            raise CommandRefused(
                f"no place where the box may stand straight below it ({load[0]:.2f}, "
                f"{load[1]:.2f}): resume the job, or take it over in MANUAL"
            )
        run.wind_place, run.set_down_cause = place, "set down by the operator"
        run.resume_step = Step.WIND_SET_DOWN
        self._emit({"time": now, "job": run.transfer.job_id, "set_down": str(place.slot)})

    @property
    def _wind_tolerance_m(self) -> float:
        """How far off a place the hanging box may be to go down onto it: half the stacking
        tolerance, the other half for the swing on the way down, m."""
        return self.params.stacking_tolerance_m / 2

    def _stops(self, permits: Permits) -> set[str]:
        return {t.id for t in permits.active if t.id in STOPS and not t.bypassed}

    def _wind_set_down(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        """Lower straight down onto the place below (creep over the last of it); landed there,
        record it and unlock; the load swung off the place, or no landing: hold."""
        place, pos, sway = run.wind_place, position_of(snapshot), sway_of(snapshot)
        if sway is None and run.set_down_cause != "wind stop":
            sway = (0.0, 0.0)  # no sway sensor: the crane's position is the best there is
        if place is None or pos is None or sway is None:
            self.hold(now, "wind stop: the load cannot be watched: held where it hangs")
            return Commands(drives_enable=True)
        if all_corners(snapshot, "landed"):
            return self._set_down_in_wind(run, place, snapshot, now)
        load = (pos[0] + sway[0], pos[1] + sway[1])
        off = max(abs(load[0] - place.centre[0]), abs(load[1] - place.centre[1]))
        if off > self._wind_tolerance_m:
            self.hold(now, f"wind stop: the load swung {off:.2f} m off {place.slot}: held")
            return Commands(drives_enable=True)
        if pos[2] <= place.landing_m + self.params.creep_distance_m and run.creep_since is None:
            run.creep_since = now
        late = self.params.creep_distance_m / self.params.creep_speed_mps
        late += self.settings.landed_timeout_s
        if run.creep_since is not None and now - run.creep_since > late:
            self.hold(now, f"wind stop: not landed on {place.slot}: held")
            return Commands(drives_enable=True)
        limits = self._limits(snapshot).hoist
        ref = hoist_reference(
            pos[2], place.landing_m - OVERTRAVEL_M, limits,
            creep_from_m=self.params.creep_distance_m + OVERTRAVEL_M,
            creep_mps=self.params.creep_speed_mps,
        )  # fmt: skip
        return Commands(drives_enable=True, hoist_speed_ref=min(ref, 0.0))

    def _set_down_in_wind(
        self, run: Run, place: SetDownPlace, snapshot: Snapshot, now: float
    ) -> Commands:
        why = not_landed_why(snapshot, place.landing_m, self.settings)
        if why:
            self.hold(now, f"wind stop: {why}")
            return Commands(drives_enable=True)
        self.yard.move(run.transfer.box.id, place.slot)  # it stands there now
        mine = " (its destination)" if place.slot == run.transfer.to else ""
        box = run.transfer.box.id
        run.failure = f"{run.set_down_cause}: container {box} set down on {place.slot}{mine}"
        self._enter(Step.UNLOCK, now, reason=run.failure)
        return Commands(drives_enable=True)
