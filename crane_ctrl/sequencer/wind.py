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

**The securing is the crane's own reaction to the wind trip, never a resumption of the job**
(issue 14's two rules reconciled: never hold a hanging load where its swing can reach a
neighbour; no automatic motion resumes after a trip without an operator). It moves the hoist
only, straight down onto the place below or straight up clear: no travel, never further along
the job; it ends in a hold, and the job then waits for the operator. So it runs while the move
runs and also while the job is HELD, by the operator's HOLD or a hold of the move's own
(:func:`secures_while_held`: the hold's own reaction, PackML's holding activity, journaled as
"wind stop while held"); a HOLD given during it lets it go on to its end
(:func:`secures_on_hold`). What stops it:

- **STOP**: the hoist ramps to zero and the load stays where it is, the job interrupted; in
  STOPPED (drives off) and in IDLE after it nothing moves by itself, this reaction included,
  until the operator's START plans the securing again from where the load hangs. Decided so,
  though a load stopped low in a rising wind may then be swung into its neighbour: STOP is the
  operator's "nothing moves" (the issue's STOP: every axis ramps to zero, the load stays where it
  is), given for reasons the crane cannot see (someone on the crane, a hoist fault); it is the
  one controlled stop of a securing short of dropping the drives under a hanging load (ABORT);
  and the drives come back on out of STOPPED only by the operator's command (no unexpected
  start-up). Told of the danger before the stop limit (LOAD_EXPOSED_TO_WIND, :func:`exposure`),
  the operator makes the load safe with START. The safety bench counts such a collision as
  beyond the crane's control, as it does one after ABORT.
- **ABORT**: the drives off at once; nothing moves until CLEAR, RESET, START.
- **bad data, the link, a drive fault, any other stop trip**: every reference 0 in that scan
  (fail safe). Held, the reaction starts again once nothing but the wind stops the crane
  (it is the wind trip's reaction, owed while that trip lasts); but a trip that waits for an
  operator's reset (the e-stop, a person in the lane) ends it until the operator resumes the
  move: a reset starts nothing.
- **the hoist's own interlocks** (a limit, overload, slack ropes): the refused motion holds it;
  so do contact and a set-down not confirmed in time. Held short of its end for such a reason
  of its own, it does not start again by itself.
- **the wind trip reset** (the operator's INTERLOCK_RESET, taken once the 3-s gust reads under
  the stop limit, as in a gust's trough): the securing begun under the trip finishes while the
  storm lasts (:func:`storm_lasts`: the wind and its next gust at the pre-alarm or above);
  decided so (hostile14 finding 8, bench case 1003634): stopped in
  the trough, the load would be left lower and the hoist stepping, raised again at each gust's
  trip. Once the wind and its next gust are under the pre-alarm (the storm over) with no wind
  trip, it holds where it is (:func:`_storm_over`): nothing to make safe from any more, and no
  motion without the operator goes on for no reason. A later wind trip starts the hold's reaction
  again. Everything above still stops it, reset or not.

Resumed (UNHOLD, or START), the move plans the securing again from where the load hangs: a
resume in wind is for that.

Before the rise, settling the swing a stop left in a wind whose next gust may reach the
pre-alarm waits where the wind could not swing the load into its neighbours
(:func:`rise_margin_m`): from low beside them, a wind stop would have to outrun a rising wind.

What each step does at a wind stop is its ``wind`` reaction in the step table: :func:`secures`
(the load hangs free), :func:`sets_back_on_pick` (the trial lift), :func:`goes_on` (raising clear
already), :func:`goes_on_setting_down` (the set-down under way, its unlock and raise clear), or
hold (:func:`~crane_ctrl.sequencer.machine.holds_in_wind`). Held, the reaction of the step it
held in; a box it sets down on a place other than its pick then stays there locked, held, until
the operator resumes the move (unlocked there, the job fails naming the place).
"""

from __future__ import annotations

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.errors import CommandRefused
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.interlocks.wind_outlook import WindOutlook
from crane_ctrl.motion.clearance import HoistMove
from crane_ctrl.motion.planner import HOIST_TOLERANCE_M, XYZ, MotionLimits, hoist_reference
from crane_ctrl.motion.wind_swing import GUST_MARGIN_MPS, swing_envelope_m
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.machine import StepMachine, with_blocks
from crane_ctrl.sequencer.model import OVERSHOOT_M, OVERTRAVEL_M, STILL_MPS, Step
from crane_ctrl.sequencer.places import SetDownPlace, set_down_place
from crane_ctrl.sequencer.readings import (
    carried,
    not_landed_why,
    on_support,
    position_of,
    seated,
)
from crane_ctrl.sequencer.run import BY_THE_OPERATOR, WIND_STOP, Run
from crane_ctrl.sequencer.safety import STOPS, WIND_TRIPS, waits_for_reset
from crane_ctrl.sequencer.sway import sway_of
from crane_ctrl.sequencer.transfer import all_corners
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "SECURING",
    "SET_DOWN_COMMIT_M",
    "SET_DOWN_CREEP_M",
    "SET_DOWN_REACH_M",
    "SetDownPlace",
    "down_onto",
    "exposure",
    "goes_on",
    "goes_on_setting_down",
    "lift_clear_s",
    "off_place",
    "plan_set_down",
    "raise_clear_s",
    "rise_margin_m",
    "secures",
    "secures_on_hold",
    "secures_while_held",
    "set_down_place",
    "set_down_there",
    "set_down_tolerance_m",
    "sets_back_on_pick",
    "sets_down_or_secures",
    "storm_lasts",
    "wind_ahead_mps",
    "wind_goes_on",
    "wind_raise",
    "wind_set_down",
]

SECURING = frozenset({Step.WIND_SET_DOWN, Step.WIND_RAISE})
"""The steps that make a hanging load safe from the wind: set it down below, or raise it clear."""
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
    if not _only_the_wind(snapshot, permits):
        return False
    return m.table[run.step].wind(m, run, snapshot, permits, now)


def secures_while_held(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> bool:
    """The hold's own wind reaction: a wind stop or storm while the job is HELD (the operator's
    HOLD, or a hold of the move's own), its load hanging where the wind could swing it into a
    neighbour (:func:`exposure`), runs the wind reaction of the step the move held in (set it
    down on a place within reach below, else raise it clear) as part of holding, and holds again;
    whether it started. Not in the scan the move held (the machine holds first); not while the
    job is interrupted (STOP, ABORT: nothing moves until START); not while anything but the wind
    stops the crane or a resume could not be taken (the crane moved since it held, the
    twistlocks or the load changed, contact: :meth:`~.machine.StepMachine.resume_refusals`); not
    once it was held short of its end for a reason of its own, or a trip that waits for a reset
    came (:attr:`~.run.Run.hold_reaction_off`), until the operator resumes the move. It starts
    at the wind trip, or before it when nothing stops the crane and the wind ahead reaches the
    stop limit (:func:`_wind_coming`): the securing's raise must outrun the wind."""
    _note_reset_trips(run, permits)
    step = run.resume_step
    if step is None or run.interrupted or run.hold_reaction_off or run.since >= now:
        return False
    if not exposure(m.crane, run, snapshot):  # first: in calm air a read and a compare
        return False
    if not (_only_the_wind(snapshot, permits) or _wind_coming(m, run, snapshot, permits)):
        return False
    if m.resume_refusals():
        return False
    run.secures_in_hold = True
    m.table[step].wind(m, run, snapshot, permits, now)
    if run.step in SECURING:
        return True
    run.secures_in_hold = False  # the step's reaction is to hold: it stays held
    return False


def secures_on_hold(m: StepMachine, now: float, reason: str) -> bool:
    """The operator's HOLD (``reason``) while a wind stop secures a load the wind could swing into
    a neighbour (:func:`exposure`): the securing goes on as the hold's own reaction and holds once
    the load is safe (journaled); whether it does."""
    run, snapshot = m.run, m.last
    if run is None or run.interrupted or run.step not in SECURING or snapshot is None:
        return False
    if not (run.secures_in_hold or exposure(m.crane, run, snapshot)):
        return False
    if not run.secures_in_hold:
        run.secures_in_hold = True
        why = _reason(run, f"{reason}: the securing under way goes on")
        run.events.append(m.job.step_event(run, str(run.step), now, why))
    return True


def _only_the_wind(snapshot: Snapshot, permits: Permits) -> bool:
    """A wind stop or storm, and nothing else, stops the crane (the link up, no drive fault)."""
    stops = {t.id for t in permits.active if t.id in STOPS and not t.bypassed}
    if not (snapshot.comms_ok and stops and stops <= WIND_TRIPS):
        return False
    return not any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES)


def _wind_coming(m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits) -> bool:
    """Nothing stops the crane (no stop trip, the link up, no drive fault), and the wind ahead
    (:func:`wind_ahead_mps`: where its trend goes over the time a raise from here needs) is at
    the stop limit: the wind stop is coming, and a securing begun at its trip would come too
    late to raise the load clear (bench case 1101076: held for a bad load reading as a storm
    built up, the hold's reaction began at the wind trip 1.9 s after the reading came back,
    and the box met the next truck's 2.5 s later). The hold's own reaction starts now. Not on a
    wind reading just back from bad (the outlook catching up): with no trend to go by, a raise
    would be a guess, and the wind trip still starts the reaction when the wind is there."""
    if any(t.id in STOPS and not t.bypassed for t in permits.active) or not snapshot.comms_ok:
        return False
    if any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES):
        return False
    outlook = m.wind
    if outlook is None or outlook.catching_up_s > 0.0:
        return False  # no trend to go by (a reading just back from bad): the trip decides
    ahead = wind_ahead_mps(m.crane, run, snapshot, outlook)
    return ahead is not None and ahead >= m.crane.params.wind_stop_mps


def _note_reset_trips(run: Run, permits: Permits) -> None:
    """A stop trip besides the wind's that waits for an operator's reset (the e-stop, a person in
    the lane), seen while the job is held: the hold's wind reaction waits for the operator's
    resume (a reset starts nothing)."""
    if run.hold_reaction_off:
        return
    for trip in permits.active:
        if waits_for_reset(trip):
            run.hold_reaction_off = f"{trip} (a reset starts nothing: resume the move)"
            return


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
    if load is not None and off_place(place, load) <= set_down_tolerance_m(m.crane):
        run.wind_place, run.set_down_cause = place, WIND_STOP
        m.enter(Step.WIND_SET_DOWN, now, reason=_reason(run, f"setting it back on {box.slot}"))
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
        run.wind_place, run.set_down_cause = place, WIND_STOP
        m.enter(Step.WIND_SET_DOWN, now, reason=_reason(run, f"setting it down on {place.slot}"))
        return True
    return _start_raise(m, run, snapshot, now)


def sets_down_or_secures(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> bool:
    """The set-down under way goes on; held (the operator's set-down, not under way), or without
    a place, as any hanging load (:func:`secures`)."""
    under_way = run.step is Step.WIND_SET_DOWN and run.wind_place is not None
    return under_way or secures(m, run, snapshot, permits, now)


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
    place = set_down_place(crane.yard, run.transfer.box, load, set_down_tolerance_m(crane))
    if place is None or z - place.landing_m > SET_DOWN_REACH_M:
        return None
    return place


def _load_xy(snapshot: Snapshot) -> tuple[float, float] | None:
    """Where the load hangs: the crane's position and the sway sensor's offset (lean
    included; no sensor: under the crane), if the position is known."""
    pos, sway = position_of(snapshot), sway_of(snapshot) or (0.0, 0.0)
    return None if pos is None else (pos[0] + sway[0], pos[1] + sway[1])


def off_place(place: SetDownPlace, load: tuple[float, float]) -> float:
    """How far the load hangs off ``place``'s centre (the larger of the two directions), m."""
    return max(abs(load[0] - place.centre[0]), abs(load[1] - place.centre[1]))


def _start_raise(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> bool:
    run.wind_place = None
    run.wind_target_m = _clear_height(m.crane, run, snapshot)
    why = f"raising it clear of its neighbours to {run.wind_target_m:.2f} m"
    m.enter(Step.WIND_RAISE, now, reason=_reason(run, why))
    return True


def _cause(run: Run) -> str:
    """What a securing's journal lines begin with: the wind stop, or the wind stop while the
    job is held (the hold's own reaction)."""
    return "wind stop while held" if run.secures_in_hold else "wind stop"


def _reason(run: Run, what: str) -> str:
    """Why the securing starts, ``what`` it does: held, it says that it moves the hoist only
    and holds again."""
    if not run.secures_in_hold:
        return f"wind stop: {what}"
    return (f"wind stop while held: {what}, the hold's own reaction (the hoist only, no "
            "travel; held again once it is safe, then waits for the operator)")  # fmt: skip


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
    waits for the operator (the LOAD_EXPOSED_TO_WIND alarm): stopped low in a rising wind, only
    the operator's START can make it safe before the wind does (held, UNHOLD; at the stop limit
    the hold's own reaction does, if not too late). It also gates the hold's own reaction
    (:func:`secures_while_held`). Unknown readings say nothing here (they have their own alarm
    and trip)."""
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
        f"{clear:.1f} m; {'START' if run.interrupted else 'UNHOLD'} to set it down or raise "
        "it clear"
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


def rise_margin_m(
    crane: CraneContext,
    run: Run,
    snapshot: Snapshot,
    z: float,
    outlook: WindOutlook | None,
    *,
    rises_next: bool,
) -> float:
    """How far the wind may swing a load that waits where it hangs (settling the swing a stop
    left), m: its swing envelope in the wind ahead, once that wind's next gust (plus
    :data:`~crane_ctrl.motion.wind_swing.GUST_MARGIN_MPS`) may reach the pre-alarm when the
    load ``rises_next`` (it rises then anyway: waiting higher costs nothing), or the stop limit
    before anything else (a landing, a set-down: a wind stop may then come while it waits), else
    0. The wind ahead (:func:`wind_ahead_mps`) is where the wind is going over the time a raise
    from here needs, not only what it reads: waiting low beside its neighbours in a rising wind,
    a wind stop would have to outrun the wind to raise it clear, and the hoist cannot (bench
    cases 2318, 1042079, 1044519)."""
    wind = wind_ahead_mps(crane, run, snapshot, outlook)
    p = crane.params
    limit = p.wind_prealarm_mps if rises_next else p.wind_stop_mps
    if wind is None or wind + GUST_MARGIN_MPS < limit:
        return 0.0
    return _envelope(crane, run, snapshot, z, wind)


def wind_ahead_mps(
    crane: CraneContext, run: Run, snapshot: Snapshot, outlook: WindOutlook | None
) -> float | None:
    """The wind a load hanging here must be ready for, m/s: the reading, or where its trend
    takes it within the time a raise from here to where a wind stop would hold the load needs
    (:func:`raise_clear_s`), whichever is more; up to the stop limit (the wind stop's own rule
    takes over there). A reading just back from bad, not yet to be taken at its word, counts
    as the stop limit. ``None`` without a good reading."""
    wind = snapshot.number("env.wind")
    if wind is None:
        return None
    stop = crane.params.wind_stop_mps
    if outlook is None:
        return wind
    if outlook.catching_up_s > 0.0:
        return max(wind, stop)
    horizon = raise_clear_s(crane, run, snapshot)
    ahead = outlook.at(horizon) if horizon is not None else None
    return wind if ahead is None else max(wind, min(ahead, stop))


def raise_clear_s(crane: CraneContext, run: Run, snapshot: Snapshot) -> float | None:
    """How long the hoist needs from rest to raise what hangs on it now (the box, when the
    twistlocks hold it, else the empty spreader) to where a wind stop's raise would hold it (its
    swing envelope at the stop limit clearing everything around it), s; ``None`` while the
    crane's position is not known."""
    pos = position_of(snapshot)
    if pos is None:
        return None
    return _rise_s(crane, run, pos, boxed=all_corners(snapshot, "locked"))


def _rise_s(crane: CraneContext, run: Run, pos: XYZ, *, boxed: bool) -> float:
    """The hoist's time from rest at ``pos`` up to where its load's swing envelope at the stop
    limit clears everything around it (at most the top of the hoist's travel less
    :data:`LIFT_MARGIN_M`), s."""
    params, box = crane.params, run.transfer.box
    envelope = swing_envelope_m(
        params, pos[2], params.wind_stop_mps, size_ft=box.size_ft if boxed else None,
        height_m=box.height_m, mass_t=run.mass_t if boxed else None,
    )  # fmt: skip
    here = (pos[0], pos[1])
    clear = run.transfer.clear_height_m(
        crane.yard, params, (here, here), delivering=boxed, margin_m=envelope
    )
    clear = min(clear, params.hoist_highest_m - LIFT_MARGIN_M)
    limits = MotionLimits.from_params(params, loaded=boxed).hoist
    return HoistMove.rise(pos[2], clear, limits).duration_s if clear > pos[2] else 0.0


def lift_clear_s(crane: CraneContext, run: Run, snapshot: Snapshot) -> float | None:
    """How long a lift from where the spreader rests needs until its load (the box locked on,
    else the empty spreader) is clear of its neighbours, s: the trial lift (a box not weighed
    yet), then the hoist from rest up to where a wind stop's raise would hold it (:func:`_rise_s`).
    The horizon over which WIND_NO_LIFT extrapolates a rising wind: a wind that reaches the stop
    limit sooner finds the load low beside its neighbours (bench case 1002675). ``None`` while
    nothing rests on a support, or the crane's position is not known."""
    pos = position_of(snapshot)
    if pos is None or not on_support(snapshot):
        return None
    boxed = all_corners(snapshot, "locked")
    s = crane.settings
    trial_s = crane.trial_lift_m / s.trial_lift_mps + s.settle_s if boxed else 0.0
    return trial_s + _rise_s(crane, run, pos, boxed=boxed)


def _moving(snapshot: Snapshot) -> list[str]:
    """The axes not known to stand still (a speed not read counts as moving)."""
    speeds = {axis: snapshot.number(f"{axis}.speed") for axis in AXES}
    return [axis for axis, v in speeds.items() if v is None or abs(v) >= STILL_MPS]


def set_down_tolerance_m(crane: CraneContext) -> float:
    """How far off a place the hanging box may be to go down onto it: half the stacking
    tolerance, the other half for the swing on the way down, m."""
    return crane.params.stacking_tolerance_m / 2


# --- the wind stop's steps


def storm_lasts(crane: CraneContext, snapshot: Snapshot) -> bool:
    """The wind and its next gust (the 3-s reading plus
    :data:`~crane_ctrl.motion.wind_swing.GUST_MARGIN_MPS`) at the pre-alarm or above, or the
    wind not known: a securing the hold began under a wind trip goes on after the trip's reset
    (:func:`_storm_over`)."""
    wind = snapshot.number("env.wind")
    return wind is None or wind + GUST_MARGIN_MPS >= crane.params.wind_prealarm_mps


def _storm_over(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> bool:
    """The hold's own securing ends short of its end once the storm is over: no wind trip
    active any more (the operator reset it, in a gust's trough or after the storm) and the wind
    and its next gust under the pre-alarm (:func:`storm_lasts`). Held there (journaled), the
    securing done with, nothing else ended: a later wind trip starts the hold's reaction again.
    Whether it held. While the storm lasts it goes on, whatever the reset: stopping half-way
    would leave the load lower, to be raised again at the next gust (module docstring)."""
    permits, pos = m.permits, position_of(snapshot)
    if not run.secures_in_hold or permits is None or pos is None:
        return False
    if any(t.id in WIND_TRIPS and not t.bypassed for t in permits.active):
        return False
    if storm_lasts(m.crane, snapshot):
        return False
    run.secures_in_hold = False  # (ended by the wind, not for a reason of its own)
    wind = snapshot.number("env.wind")
    m.hold(now, f"wind stop while held: the storm is over (no wind trip, {wind:.1f} m/s, its "
                f"next gust under the pre-alarm): held at {pos[2]:.2f} m, waiting for the "
                "operator")  # fmt: skip
    return True


def wind_raise(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Hoist straight up to where the swing envelope clears every neighbour, then hold."""
    pos = position_of(snapshot)
    if pos is None:
        m.hold(now, f"{_cause(run)}: the hoist position is not known: held where it hangs")
        return Commands(drives_enable=True)
    run.wind_target_m = max(run.wind_target_m, _clear_height(m.crane, run, snapshot))
    if pos[2] >= run.wind_target_m - HOIST_TOLERANCE_M:
        run.wind_secured = True
        m.hold(now, f"{_cause(run)}: held at {pos[2]:.2f} m, its swing (up to "
                    f"{run.wind_envelope_m:.2f} m) clear of every neighbour")  # fmt: skip
        return Commands(drives_enable=True)
    if _storm_over(m, run, snapshot, now):
        return Commands(drives_enable=True)
    return m.hoist_to(run, pos[2], run.wind_target_m + OVERSHOOT_M)


def wind_set_down(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """The wind stop's set-down (the operator's: :mod:`.ordered_set_down`): lower straight down
    onto the place below (creep over the last of it); landed there,
    record it and unlock; the load swung off the place, or no landing: hold."""
    place, pos, sway = run.wind_place, position_of(snapshot), sway_of(snapshot)
    if place is None or pos is None or sway is None:
        m.hold(now, f"{_cause(run)}: the load cannot be watched: held where it hangs")
        return Commands(drives_enable=True)
    if seated(snapshot):
        return set_down_there(m, run, place, snapshot, now)
    if _storm_over(m, run, snapshot, now):
        return Commands(drives_enable=True)
    off = off_place(place, (pos[0] + sway[0], pos[1] + sway[1]))
    # committed (close above its place), it goes on down through a swing that still lands it
    # on the place; off further, it would land off the castings: lift it clear
    committed = pos[2] - place.landing_m <= SET_DOWN_COMMIT_M
    tolerance = set_down_tolerance_m(m.crane)
    lands_off = off > m.crane.params.stacking_tolerance_m
    if off > tolerance and (lands_off or not committed):
        _start_raise(m, run, snapshot, now)
        return Commands(drives_enable=True)
    return down_onto(m, run, place, pos[2], now, wind=True)


def down_onto(
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


def set_down_there(
    m: StepMachine, run: Run, place: SetDownPlace, snapshot: Snapshot, now: float
) -> Commands:
    why = not_landed_why(snapshot, place.landing_m, m.crane.settings)
    if why:
        m.hold(now, f"{run.set_down_cause}: {why}")
        return Commands(drives_enable=True)
    ordered = run.operator_place is not None  # the operator had sent it down: it stays down
    if place.slot == run.transfer.box.slot and run.set_down_cause == WIND_STOP and not ordered:
        return _back_on_its_pick(m, run, place, now)
    m.crane.yard.move(run.transfer.box.id, place.slot)  # it stands there now
    mine = " (its destination)" if place.slot == run.transfer.to else ""
    box = run.transfer.box.id
    run.failure = f"{run.set_down_cause}: container {box} set down on {place.slot}{mine}"
    if run.secures_in_hold:  # the job is held: it stays locked there for the operator
        m.hold(now, f"{_cause(run)}: container {box} set down on {place.slot}{mine}, locked; "
                    "resumed, it is unlocked there and the job fails")  # fmt: skip
        run.resume_step = Step.UNLOCK
        return Commands(drives_enable=True)
    m.enter(Step.UNLOCK, now, reason=run.failure)
    return Commands(drives_enable=True)


def _back_on_its_pick(m: StepMachine, run: Run, place: SetDownPlace, now: float) -> Commands:
    """Set back down where it was lifted from: nothing failed, the job waits for the wind.
    Held with the twistlocks still locked; resumed, it lifts again from the lock step."""
    run.delivering, run.wind_place, run.mass_t = False, None, None
    m.hold(now, f"{_cause(run)}: container {run.transfer.box.id} set back down on "
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
    pos = position_of(snapshot)
    if pos is None:
        raise CommandRefused("the crane's position is not known: take it over in MANUAL")
    if moving := _moving(snapshot):
        raise CommandRefused(f"the crane is still moving ({', '.join(moving)}): set down once "
                             "it has stopped")  # fmt: skip
    # the load settles under the crane before it goes down (the resume settles the sway first):
    # the place is judged from where the crane stands, not from where the load swings now
    # (case 1100517: a place chosen from a swinging load was 0.31 m off the settled one)
    place = set_down_place(m.crane.yard, run.transfer.box, pos[:2], set_down_tolerance_m(m.crane))
    if place is None:
        raise CommandRefused(
            f"no place where the box may stand straight below it ({pos[0]:.2f}, "
            f"{pos[1]:.2f}): resume the job, or take it over in MANUAL"
        )
    run.wind_place = run.operator_place = place
    run.set_down_cause = BY_THE_OPERATOR
    run.resume_step = Step.WIND_SET_DOWN
    m.crane.emit({"time": now, "job": run.transfer.job_id, "set_down": str(place.slot)})
