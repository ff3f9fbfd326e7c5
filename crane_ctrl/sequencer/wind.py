"""Wind stop with a load hanging: set it down below, or raise it clear of its neighbours. Pure.

At the wind stop limit the WIND_STOP interlock (:mod:`crane_ctrl.interlocks.catalogue`) blocks
travel, locking and telescoping; WIND_NO_LIFT blocks lifting anything off its support. A load
already hanging may still go straight down, or straight up. No load is ever held where its
swing in that wind can reach another box or vehicle (:func:`~crane_ctrl.motion.wind_swing.
swing_envelope_m`: twice the lean in the wind and a gust, plus the swing already there). With
the load (or the empty spreader) hanging free, ``SequencerSettings.on_wind_stop``:

- ``"secure"`` (default): if the box hangs within :data:`SET_DOWN_REACH_M` over a place where it
  may legally stand (its pick place just after lift-off, its destination as it lands, or any
  legal place; where the sway sensor says the load is, lean included, within half the stacking
  tolerance), lower it there at once (full speed, creep only over the last
  :data:`SET_DOWN_CREEP_M`: in wind every second counts), unlock, and fail the job naming the
  wind and the place. Otherwise, and if the load swings off the place on the way down, raise it
  until its swing envelope clears everything around it by the safe clearance (a shorter rope
  swings less) and hold there for the operator;
- ``"raise_clear"``: always the latter.

On its support (locking, unlocking, the trial lift): hold; WIND_NO_LIFT keeps it there.

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
from crane_ctrl.motion.planner import HOIST_TOLERANCE_M, hoist_reference
from crane_ctrl.motion.wind_swing import swing_envelope_m
from crane_ctrl.operation.yard_model import Box, Obstacle, YardModel
from crane_ctrl.sequencer.base import (
    HANGS,
    OVERSHOOT_M,
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
from crane_ctrl.sequencer.transfer import all_corners
from crane_ctrl.site import CONTAINER_WIDTH_M, Slot, container_length_m
from crane_ctrl.snapshot import Snapshot

__all__ = ["SET_DOWN_CREEP_M", "SET_DOWN_REACH_M", "SetDownPlace", "WindSteps", "set_down_place"]

SET_DOWN_REACH_M = 1.0
"""A wind stop sets a box down below it only this close above the place, m: further up, the
swing builds before it lands (raise it clear instead)."""
SET_DOWN_CREEP_M = 0.05
"""In a wind stop the set-down creeps only over this last distance, m."""
SET_DOWN_COMMIT_M = 0.5
"""Closer than this above its place, a wind set-down goes on down even if the load swings off
the place: it lands sooner than any raise could lift it clear of the boxes beside it, m."""
LIFT_MARGIN_M = 0.2
"""A wind stop raises no higher than this below the hoist's upper limit, m."""

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
        """A wind stop (and nothing else) with the load hanging free: go on securing it (set
        down below, or raise clear), or start to. Otherwise: hold."""
        if not (snapshot.comms_ok and self._stops(permits) == {"WIND_STOP"}):
            return False
        if any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES):
            return False
        if run.step is Step.WIND_RAISE or (run.wind_place is not None and run.step in WIND_STEPS):
            return True
        if run.step is Step.TRIAL_LIFT and run.failure is None:
            return self._set_back_on_pick(run, snapshot, now)
        if run.failure is not None or run.step not in HANGS or not run.airborne:
            return False  # on its support, or making it safe already: hold there
        pos = position_of(snapshot)
        if pos is None:
            return False
        place = self._place_below(run, snapshot, pos[2])
        if place is not None and permits.allowed(Motion.HOIST_DOWN):
            run.wind_place = place
            self._enter(
                Step.WIND_SET_DOWN, now, reason=f"wind stop: setting it down on {place.slot}"
            )
            return True
        return self._start_raise(run, snapshot, now)

    def _set_back_on_pick(self, run: Run, snapshot: Snapshot, now: float) -> bool:
        """The trial lift: the box just off its support goes straight back onto it (still
        resting on it: hold there)."""
        if all_corners(snapshot, "landed") or not all_corners(snapshot, "locked"):
            return False
        box = run.transfer.box
        run.wind_place = SetDownPlace(box.slot, self.yard.centre(box), self.yard.pick_height_m(box))
        self._enter(Step.WIND_SET_DOWN, now, reason=f"wind stop: setting it back on {box.slot}")
        return True

    def _place_below(self, run: Run, snapshot: Snapshot, z: float) -> SetDownPlace | None:
        """Where the box may go straight down in this wind stop (``secure``), if anywhere."""
        if self.settings.on_wind_stop != "secure" or not run.delivering:
            return None
        if not all_corners(snapshot, "locked"):
            return None
        pos, sway = position_of(snapshot), sway_of(snapshot) or (0.0, 0.0)
        if pos is None:
            return None
        load = (pos[0] + sway[0], pos[1] + sway[1])
        place = set_down_place(self.yard, run.transfer.box, load, self._wind_tolerance_m)
        if place is None or z - place.landing_m > SET_DOWN_REACH_M:
            return None
        return place

    def _start_raise(self, run: Run, snapshot: Snapshot, now: float) -> bool:
        run.wind_place = None
        run.wind_target_m = self._wind_clear_height(run, snapshot)
        why = f"wind stop: raising it clear of its neighbours to {run.wind_target_m:.2f} m"
        self._enter(Step.WIND_RAISE, now, reason=why)
        return True

    def _wind_clear_height(self, run: Run, snapshot: Snapshot) -> float:
        """The twistlock-plane height at which the load's swing envelope in this wind clears
        everything around where it hangs by the safe clearance (no higher than the hoist may
        go), m. The envelope is taken at the present (longer) rope: conservative."""
        pos = position_of(snapshot)
        assert pos is not None
        wind = snapshot.number("env.wind")
        box = run.transfer.box
        sway = sway_of(snapshot)
        swing = run.sway.peak_m() if run.sway.log else 0.0
        if sway is not None:
            swing = max(swing, abs(sway[0]), abs(sway[1]))
        envelope = swing_envelope_m(
            self.params, pos[2], self.params.wind_storm_mps if wind is None else wind,
            size_ft=box.size_ft if run.delivering else None, height_m=box.height_m,
            mass_t=run.mass_t, swing_now_m=swing,
        )  # fmt: skip
        here = (pos[0], pos[1])
        clear = run.transfer.clear_height_m(
            self.yard, self.params, (here, here), delivering=run.delivering, margin_m=envelope
        )
        run.wind_envelope_m = envelope
        return min(max(clear, pos[2]), self.params.lift_height_m - LIFT_MARGIN_M)

    def _wind_raise(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        """Hoist straight up to where the swing envelope clears every neighbour, then hold."""
        pos = position_of(snapshot)
        if pos is None:
            self.hold(now, "wind stop: the hoist position is not known: held where it hangs")
            return Commands(drives_enable=True)
        run.wind_target_m = max(run.wind_target_m, self._wind_clear_height(run, snapshot))
        if pos[2] >= run.wind_target_m - HOIST_TOLERANCE_M:
            self.hold(now, f"wind stop: held at {pos[2]:.2f} m, its swing (up to "
                           f"{run.wind_envelope_m:.2f} m) clear of every neighbour")  # fmt: skip
            return Commands(drives_enable=True)
        return self._hoist_to(pos[2], run.wind_target_m + OVERSHOOT_M, snapshot)

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
        wind = run.set_down_cause == "wind stop"
        committed = pos[2] - place.landing_m <= SET_DOWN_COMMIT_M
        if off > self._wind_tolerance_m and wind and not committed:  # would land off: lift clear
            self._start_raise(run, snapshot, now)
            return Commands(drives_enable=True)
        if off > self._wind_tolerance_m and not wind:
            self.hold(now, f"the load swung {off:.2f} m off {place.slot}: held")
            return Commands(drives_enable=True)
        creep_m = SET_DOWN_CREEP_M if wind else self.params.creep_distance_m
        if pos[2] <= place.landing_m + creep_m and run.creep_since is None:
            run.creep_since = now
        late = creep_m / self.params.creep_speed_mps + self.settings.landed_timeout_s
        if run.creep_since is not None and now - run.creep_since > late:
            self.hold(now, f"{run.set_down_cause}: not landed on {place.slot}: held")
            return Commands(drives_enable=True)
        limits = self._limits(snapshot).hoist
        ref = hoist_reference(
            pos[2], place.landing_m - OVERTRAVEL_M, limits,
            creep_from_m=creep_m + OVERTRAVEL_M, creep_mps=self.params.creep_speed_mps,
        )  # fmt: skip
        return Commands(drives_enable=True, hoist_speed_ref=min(ref, 0.0))

    def _set_down_in_wind(
        self, run: Run, place: SetDownPlace, snapshot: Snapshot, now: float
    ) -> Commands:
        why = not_landed_why(snapshot, place.landing_m, self.settings)
        if why:
            self.hold(now, f"{run.set_down_cause}: {why}")
            return Commands(drives_enable=True)
        if place.slot == run.transfer.box.slot and run.set_down_cause == "wind stop":
            return self._back_on_its_pick(run, place, now)
        self.yard.move(run.transfer.box.id, place.slot)  # it stands there now
        mine = " (its destination)" if place.slot == run.transfer.to else ""
        box = run.transfer.box.id
        run.failure = f"{run.set_down_cause}: container {box} set down on {place.slot}{mine}"
        self._enter(Step.UNLOCK, now, reason=run.failure)
        return Commands(drives_enable=True)

    def _back_on_its_pick(self, run: Run, place: SetDownPlace, now: float) -> Commands:
        """Set back down where it was lifted from: nothing failed, the job waits for the wind.
        Held with the twistlocks still locked; resumed, it lifts again from the lock step."""
        run.delivering, run.wind_place, run.mass_t = False, None, None
        self.hold(now, f"wind stop: container {run.transfer.box.id} set back down on "
                       f"{place.slot}, locked; unhold when the wind has dropped")  # fmt: skip
        run.resume_step = Step.LOCK
        return Commands(drives_enable=True)
