"""Wind stop with a load hanging: set it down below, or raise it clear of its neighbours. Pure.

At the wind stop limit the WIND_STOP interlock (:mod:`crane_ctrl.interlocks.catalogue`) blocks
travel, locking and telescoping; WIND_NO_LIFT blocks lifting anything off its support. A load
already hanging may still go straight down, or straight up. No load is ever held where its
swing in that wind can reach another box or vehicle (:func:`~crane_ctrl.motion.wind_swing.
swing_envelope_m`: twice the lean in the wind and a gust, plus the swing already there). With
the load (or the empty spreader) hanging free, the crane's ``wind_stop_reaction`` (unless
``SequencerSettings.on_wind_stop`` overrides it):

- ``"secure"`` (default): if the box hangs within :data:`SET_DOWN_REACH_M` over a place where it
  may legally stand (its pick place just after lift-off, its destination as it lands, or any
  legal place, :func:`~crane_ctrl.sequencer.places.set_down_place`; where the sway sensor says
  the load is, lean included, within half the stacking tolerance), lower it there at once (full
  speed, creep only over the last :data:`SET_DOWN_CREEP_M`: in wind every second counts),
  unlock, and fail the job naming the wind and the place. Otherwise, and if the load swings off
  the place on the way down, raise it until its swing envelope clears everything around it by
  the safe clearance (a shorter rope swings less) and hold there for the operator;
- ``"raise_clear"``: always the latter.

On its support (locking, unlocking, the trial lift): hold; WIND_NO_LIFT keeps it there. Just off
it at the trial lift, it goes back on its place if it hangs over it, and is raised clear if the
wind leaned it off (set back, it would land off the castings: bench case 1632).

**The securing move is motion like any other** (issue 14's rules): STOP ramps the hoist to zero
and HOLD holds it; bad data, the link or any other trip zeroes every reference in that scan and
holds it; after any of these it waits for the operator (UNHOLD, or START from STOPPED), and the
resume plans the securing again from where the load hangs.

Before the rise, settling the swing a stop left in a wind whose next gust may reach the
pre-alarm waits where the wind could not swing the load into its neighbours
(:func:`rise_margin_m`): from low beside them, a wind stop would have to outrun a rising wind.

What each step does at a wind stop is its ``wind`` reaction in the step table: :func:`secures`
(the load hangs free), :func:`sets_back_on_pick` (the trial lift), :func:`goes_on` (raising clear
already), :func:`goes_on_setting_down` (the set-down under way, its unlock and raise clear), or
hold (:func:`~crane_ctrl.sequencer.machine.holds_in_wind`).
"""

from __future__ import annotations

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.errors import CommandRefused
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.motion.planner import HOIST_TOLERANCE_M, MotionLimits, hoist_reference
from crane_ctrl.motion.wind_swing import GUST_MARGIN_MPS, swing_envelope_m
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.machine import StepMachine, with_blocks
from crane_ctrl.sequencer.model import OVERSHOOT_M, OVERTRAVEL_M, Step
from crane_ctrl.sequencer.places import SetDownPlace, set_down_place
from crane_ctrl.sequencer.readings import carried, not_landed_why, position_of, seated
from crane_ctrl.sequencer.run import WIND_STOP, Run
from crane_ctrl.sequencer.safety import STOPS, WIND_TRIPS
from crane_ctrl.sequencer.sway import sway_of
from crane_ctrl.sequencer.transfer import all_corners
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "SET_DOWN_CREEP_M",
    "SET_DOWN_REACH_M",
    "SetDownPlace",
    "exposure",
    "goes_on",
    "goes_on_setting_down",
    "plan_set_down",
    "rise_margin_m",
    "secures",
    "set_down_place",
    "sets_back_on_pick",
    "sets_down_or_secures",
    "wind_goes_on",
    "wind_raise",
    "wind_set_down",
]

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


def wind_goes_on(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> bool:
    """A wind stop or storm (and nothing else) stops the move: whether it goes on securing the load
    (set down below, or raise clear), or starts to, as the step's ``wind`` reaction says.
    Otherwise: hold."""
    stops = _stops(permits)
    if not (snapshot.comms_ok and stops and stops <= WIND_TRIPS):
        return False
    if any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES):
        return False
    return m.table[run.step].wind(m, run, snapshot, permits, now)


def _stops(permits: Permits) -> set[str]:
    return {t.id for t in permits.active if t.id in STOPS and not t.bypassed}


# --- the steps' wind reactions (StepHandler.wind)


def goes_on(m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float) -> bool:
    """Raising clear already: on up to where the swing clears every neighbour."""
    return True


def goes_on_setting_down(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> bool:
    """Going on while the box is being set down below the wind stop (landing, unlocking,
    raising clear); else hold."""
    return run.wind_place is not None


def sets_back_on_pick(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> bool:
    """The trial lift: the box just off its support goes straight back onto it (still
    resting on it, or making it safe already: hold there). Leaning or swinging off it (held
    over it while the wind rose, case 1632), it would land off the castings: it hangs, so it
    is raised clear of its neighbours like any hanging box."""
    if run.failure is not None:
        return False
    if seated(snapshot) or not all_corners(snapshot, "locked"):
        return False
    box, yard = run.transfer.box, m.crane.yard
    place = SetDownPlace(box.slot, yard.centre(box), yard.pick_height_m(box))
    load = _load_xy(snapshot)
    if load is not None and _off(place, load) <= _tolerance_m(m.crane):
        run.wind_place = place
        m.enter(Step.WIND_SET_DOWN, now, reason=f"wind stop: setting it back on {box.slot}")
        return True
    if position_of(snapshot) is None:
        return False
    run.delivering, run.airborne = True, True  # off its support on the ropes: it hangs
    run.mass_t = snapshot.number("hoist.load")
    return _start_raise(m, run, snapshot, now)


def secures(m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float) -> bool:
    """The load hangs free: set it down on a place below it (``secure``) if it may go down,
    else raise it clear. Making it safe already, or not yet hanging free: hold."""
    if run.failure is not None or not run.airborne:
        return False
    pos = position_of(snapshot)
    if pos is None:
        return False
    place = _place_below(m.crane, run, snapshot, pos[2])
    if place is not None and permits.allowed(Motion.HOIST_DOWN):
        run.wind_place = place
        m.enter(Step.WIND_SET_DOWN, now, reason=f"wind stop: setting it down on {place.slot}")
        return True
    return _start_raise(m, run, snapshot, now)


def sets_down_or_secures(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> bool:
    """The set-down under way goes on; without a place, as any hanging load (:func:`secures`)."""
    return run.wind_place is not None or secures(m, run, snapshot, permits, now)


def _place_below(
    crane: CraneContext, run: Run, snapshot: Snapshot, z: float
) -> SetDownPlace | None:
    """Where the box may go straight down in this wind stop (``secure``), if anywhere."""
    if crane.on_wind_stop != "secure" or not run.delivering:
        return None
    if not all_corners(snapshot, "locked"):
        return None
    load = _load_xy(snapshot)
    if load is None:
        return None
    place = set_down_place(crane.yard, run.transfer.box, load, _tolerance_m(crane))
    if place is None or z - place.landing_m > SET_DOWN_REACH_M:
        return None
    return place


def _load_xy(snapshot: Snapshot) -> tuple[float, float] | None:
    """Where the load hangs: the crane's position and the sway sensor's offset (lean
    included; no sensor: under the crane), if the position is known."""
    pos, sway = position_of(snapshot), sway_of(snapshot) or (0.0, 0.0)
    return None if pos is None else (pos[0] + sway[0], pos[1] + sway[1])


def _off(place: SetDownPlace, load: tuple[float, float]) -> float:
    """How far the load hangs off ``place``'s centre (the larger of the two directions), m."""
    return max(abs(load[0] - place.centre[0]), abs(load[1] - place.centre[1]))


def _start_raise(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> bool:
    run.wind_place = None
    run.wind_target_m = _clear_height(m.crane, run, snapshot)
    why = f"wind stop: raising it clear of its neighbours to {run.wind_target_m:.2f} m"
    m.enter(Step.WIND_RAISE, now, reason=why)
    return True


def _clear_height(crane: CraneContext, run: Run, snapshot: Snapshot) -> float:
    """The twistlock-plane height at which the load's swing envelope in this wind clears
    everything around where it hangs by the safe clearance (no higher than the hoist may
    go), m. The envelope is taken at the present (longer) rope: conservative. The wind
    unknown (a bad reading): the storm's."""
    clear, run.wind_envelope_m = _clear_of_neighbours(crane, run, snapshot)
    return clear


def _clear_of_neighbours(crane: CraneContext, run: Run, snapshot: Snapshot) -> tuple[float, float]:
    """(:func:`_clear_height`, the swing envelope it clears), with no side effect."""
    pos = position_of(snapshot)
    assert pos is not None
    wind = snapshot.number("env.wind")
    params = crane.params
    envelope = _envelope(crane, run, snapshot, pos[2], params.wind_storm_mps if wind is None
                         else max(wind, params.wind_stop_mps))  # fmt: skip
    here = (pos[0], pos[1])
    clear = run.transfer.clear_height_m(
        crane.yard, params, (here, here), delivering=run.delivering, margin_m=envelope
    )
    return min(max(clear, pos[2]), params.hoist_highest_m - LIFT_MARGIN_M), envelope


def exposure(crane: CraneContext, run: Run, snapshot: Snapshot) -> str:
    """Why the box hanging where it is could be swung into a neighbour by a wind stop, or "":
    the wind (with the next gust) at the pre-alarm or above, and below the height where its
    swing envelope at the stop limit would clear everything around it. Said while the crane
    waits for the operator (the LOAD_EXPOSED_TO_WIND alarm): held low in a rising wind, only
    the operator's START can make it safe before the wind does. Unknown readings say nothing
    here (they have their own alarm and trip)."""
    pos = position_of(snapshot)
    wind = snapshot.number("env.wind")
    if pos is None or wind is None or not carried(snapshot):
        return ""
    if wind + GUST_MARGIN_MPS < crane.params.wind_prealarm_mps:
        return ""
    clear, envelope = _clear_of_neighbours(crane, run, snapshot)
    if clear <= pos[2] + HOIST_TOLERANCE_M:
        return ""
    return (
        f"container {run.transfer.box.id} hangs at {pos[2]:.1f} m in {wind:.1f} m/s of wind: at "
        f"the stop limit it could swing {envelope:.1f} m, into its neighbours below "
        f"{clear:.1f} m; START to set it down or raise it clear"
    )


def _envelope(crane: CraneContext, run: Run, snapshot: Snapshot, z: float, wind: float) -> float:
    """How far the load hanging at ``z`` may swing in ``wind`` (the swing it has now included;
    :func:`~crane_ctrl.motion.wind_swing.swing_envelope_m`), m."""
    box = run.transfer.box
    sway = sway_of(snapshot)
    swing = run.sway.peak_m() if run.sway.log else 0.0
    if sway is not None:
        swing = max(swing, abs(sway[0]), abs(sway[1]))
    return swing_envelope_m(
        crane.params, z, wind, size_ft=box.size_ft if run.delivering else None,
        height_m=box.height_m, mass_t=run.mass_t, swing_now_m=swing,
    )  # fmt: skip


def rise_margin_m(crane: CraneContext, run: Run, snapshot: Snapshot, z: float) -> float:
    """How far the wind may swing a load that waits where it hangs before its rise (settling
    the swing a stop left), m: its swing envelope once the next gust (the 3-s reading plus
    :data:`~crane_ctrl.motion.wind_swing.GUST_MARGIN_MPS`) may reach the pre-alarm, else 0.
    Waiting low beside its neighbours in such a wind, a wind stop would have to outrun the
    rising wind to raise it clear, and the hoist cannot (bench case 2318)."""
    wind = snapshot.number("env.wind")
    if wind is None or wind + GUST_MARGIN_MPS < crane.params.wind_prealarm_mps:
        return 0.0
    return _envelope(crane, run, snapshot, z, wind)


def _tolerance_m(crane: CraneContext) -> float:
    """How far off a place the hanging box may be to go down onto it: half the stacking
    tolerance, the other half for the swing on the way down, m."""
    return crane.params.stacking_tolerance_m / 2


# --- the wind stop's steps


def wind_raise(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Hoist straight up to where the swing envelope clears every neighbour, then hold."""
    pos = position_of(snapshot)
    if pos is None:
        m.hold(now, "wind stop: the hoist position is not known: held where it hangs")
        return Commands(drives_enable=True)
    run.wind_target_m = max(run.wind_target_m, _clear_height(m.crane, run, snapshot))
    if pos[2] >= run.wind_target_m - HOIST_TOLERANCE_M:
        run.wind_secured = True
        m.hold(now, f"wind stop: held at {pos[2]:.2f} m, its swing (up to "
                    f"{run.wind_envelope_m:.2f} m) clear of every neighbour")  # fmt: skip
        return Commands(drives_enable=True)
    return m.hoist_to(run, pos[2], run.wind_target_m + OVERSHOOT_M)


def wind_set_down(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Lower straight down onto the place below (creep over the last of it); landed there,
    record it and unlock; the load swung off the place, or no landing: hold."""
    place, pos, sway = run.wind_place, position_of(snapshot), sway_of(snapshot)
    if sway is None and run.set_down_cause != WIND_STOP:
        sway = (0.0, 0.0)  # no sway sensor: the crane's position is the best there is
    if place is None or pos is None or sway is None:
        m.hold(now, "wind stop: the load cannot be watched: held where it hangs")
        return Commands(drives_enable=True)
    if seated(snapshot):
        return _set_down_in_wind(m, run, place, snapshot, now)
    off = _off(place, (pos[0] + sway[0], pos[1] + sway[1]))
    wind = run.set_down_cause == WIND_STOP
    # committed (close above its place), it goes on down through a swing that still lands it
    # on the place; off further, it would land off the castings: lift it clear
    committed = pos[2] - place.landing_m <= SET_DOWN_COMMIT_M
    tolerance = _tolerance_m(m.crane)
    lands_off = off > m.crane.params.stacking_tolerance_m
    if off > tolerance and wind and (lands_off or not committed):
        _start_raise(m, run, snapshot, now)
        return Commands(drives_enable=True)
    if off > tolerance and not wind:
        m.hold(now, f"the load swung {off:.2f} m off {place.slot}: held")
        return Commands(drives_enable=True)
    return _down_onto(m, run, place, pos[2], now, wind=wind)


def _down_onto(
    m: StepMachine, run: Run, place: SetDownPlace, z: float, now: float, *, wind: bool
) -> Commands:
    """Lower onto ``place``, creeping over the last of it (in wind, only the last
    :data:`SET_DOWN_CREEP_M`); not landed in time: hold."""
    p = m.crane.params
    creep_m = SET_DOWN_CREEP_M if wind else p.creep_distance_m
    if z <= place.landing_m + creep_m and run.creep_since is None:
        run.creep_since = now
    late = creep_m / p.creep_speed_mps + m.crane.landed_timeout_s
    if run.creep_since is not None and now - run.creep_since > late:
        why = with_blocks(f"not landed on {place.slot}", m.blocked_by(Motion.HOIST_DOWN))
        m.hold(now, f"{run.set_down_cause}: {why}: held")
        return Commands(drives_enable=True)
    limits = MotionLimits.from_params(p, loaded=run.delivering).hoist
    ref = hoist_reference(
        z, place.landing_m - OVERTRAVEL_M, limits,
        creep_from_m=creep_m + OVERTRAVEL_M, creep_mps=p.creep_speed_mps,
    )  # fmt: skip
    return Commands(drives_enable=True, hoist_speed_ref=min(ref, 0.0))


def _set_down_in_wind(
    m: StepMachine, run: Run, place: SetDownPlace, snapshot: Snapshot, now: float
) -> Commands:
    why = not_landed_why(snapshot, place.landing_m, m.crane.settings)
    if why:
        m.hold(now, f"{run.set_down_cause}: {why}")
        return Commands(drives_enable=True)
    if place.slot == run.transfer.box.slot and run.set_down_cause == WIND_STOP:
        return _back_on_its_pick(m, run, place, now)
    m.crane.yard.move(run.transfer.box.id, place.slot)  # it stands there now
    mine = " (its destination)" if place.slot == run.transfer.to else ""
    box = run.transfer.box.id
    run.failure = f"{run.set_down_cause}: container {box} set down on {place.slot}{mine}"
    m.enter(Step.UNLOCK, now, reason=run.failure)
    return Commands(drives_enable=True)


def _back_on_its_pick(m: StepMachine, run: Run, place: SetDownPlace, now: float) -> Commands:
    """Set back down where it was lifted from: nothing failed, the job waits for the wind.
    Held with the twistlocks still locked; resumed, it lifts again from the lock step."""
    run.delivering, run.wind_place, run.mass_t = False, None, None
    m.hold(now, f"wind stop: container {run.transfer.box.id} set back down on "
                f"{place.slot}, locked; unhold when the wind has dropped")  # fmt: skip
    run.resume_step = Step.LOCK
    return Commands(drives_enable=True)


# --- the operator's set-down


def plan_set_down(m: StepMachine, now: float) -> None:
    """The operator sends the held (interrupted) box straight down to a legal place below
    it; it goes there when the move resumes. ``CommandRefused`` if no such place is there."""
    run, snapshot = m.run, m.last
    if run is None or run.step is not Step.HELD or snapshot is None:
        raise CommandRefused("set down needs a held or interrupted job")
    if not (run.delivering and all_corners(snapshot, "locked")):
        raise CommandRefused("no box hangs on the spreader to set down")
    pos, sway = position_of(snapshot), sway_of(snapshot) or (0.0, 0.0)
    if pos is None:
        raise CommandRefused("the crane's position is not known: take it over in MANUAL")
    load = (pos[0] + sway[0], pos[1] + sway[1])
    place = set_down_place(m.crane.yard, run.transfer.box, load, _tolerance_m(m.crane))
    if place is None:
        raise CommandRefused(
            f"no place where the box may stand straight below it ({load[0]:.2f}, "
            f"{load[1]:.2f}): resume the job, or take it over in MANUAL"
        )
    run.wind_place, run.set_down_cause = place, "set down by the operator"
    run.resume_step = Step.WIND_SET_DOWN
    m.crane.emit({"time": now, "job": run.transfer.job_id, "set_down": str(place.slot)})
