"""The automatic move: a pick-and-drop step machine that proposes commands every scan. Pure.

A job moves one container from one slot to another. The machine walks these steps (DOMAIN.md,
"The automatic move"), each with what it commands, how it ends, how long it may take, and what
happens when it cannot finish::

    collect:  raise -> travel -> lower -> lock -> trial lift
    deliver:  raise -> travel -> lower -> unlock -> raise clear -> done

Raise, travel and lower are one leg (:mod:`crane_ctrl.sequencer.leg`): travel starts as soon as
the load stays ``safe_clearance_m`` over everything within its stopping distance while the hoist
still rises, lowering starts before travel ends wherever the rest of the path is clear, and
:attr:`Sequencer.travel_clear_below_m` tells the travel interlock, a scan ahead, the height the
plan needs (travel is commanded only once the interlock has been told). The empty spreader
telescopes while it travels to the box; it does not go down into the creep zone before it is
the box's size. The landing puts the load, not just the crane, on its goal and damps the swing
(:mod:`crane_ctrl.sequencer.sway`); the last ``LAND_CHECK_M`` of the creep waits until the
load is calm and over its goal, so the check overlaps the creep instead of delaying it.

Never leave a load unsafe. Twistlocks not confirmed locked: unlock, raise empty, fail the job.
Overweight or a lifted truck at the trial lift: set the load back down, unlock, raise empty, fail.
Landing not confirmed in time (misaligned, obstructed): stop, raise, fail. A comms fault or any
trip while moving: everything stops (the interlocks see to that) and the machine holds; it goes
on only when an operator resumes it, with the swing damped first and the leg planned again
from where the crane stopped. The sequencer proposes; the interlocks dispose.

SEMIAUTOMATIC (``start(..., operator_lands=ModeRules.operator_lands)``): where the operator
lands, the leg stops at an approach height over the landing and hands over
(:mod:`crane_ctrl.sequencer.operator`). Wind stop with the box hanging: hold, or with
``SequencerSettings.on_wind_stop="set_down"`` set it straight down onto a legal place below it
(:mod:`crane_ctrl.sequencer.wind`). The parts: :mod:`crane_ctrl.sequencer.base` (steps,
settings, holds and bookkeeping) and the step mixins; here, the start, the scan and the
spreader's steps (lock, trial lift, set back, unlock, raise clear).
"""

from __future__ import annotations

from collections.abc import Callable

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.sequencer.base import (
    HANGS,
    OVERSHOOT_M,
    STILL_MPS,
    Outcome,
    Run,
    SequencerSettings,
    Step,
    all_clean,
)
from crane_ctrl.sequencer.leg import LegSteps
from crane_ctrl.sequencer.operator import OperatorSteps
from crane_ctrl.sequencer.safety import refused_motion, unexpected_contact
from crane_ctrl.sequencer.transfer import Transfer, all_corners, any_corner
from crane_ctrl.sequencer.wind import WindSteps
from crane_ctrl.site import Slot
from crane_ctrl.snapshot import Snapshot

__all__ = ["TRIAL_CREEP_ON_M", "Outcome", "Sequencer", "SequencerSettings", "Step", "Transfer"]

TRIAL_CREEP_ON_M = 0.05
"""The trial lift creeps on this far past its height while the weight settles, m: the rise
that follows then starts from a hoist already moving up instead of stopping and starting
again. An overweight box is still caught: the weight counts from lift-off, and the overload
interlock blocks hoisting up."""


class Sequencer(OperatorSteps, WindSteps, LegSteps):
    """Proposes one scan's commands for the job at hand (a Supervisor sequencer hook)."""

    def start(
        self,
        transfer: Transfer,
        now: float,
        *,
        operator_lands: Callable[[Slot], bool] | None = None,
    ) -> None:
        """Start ``transfer``. ``operator_lands(slot)``: whether the remote operator jogs and
        confirms the landing at ``slot`` (SEMIAUTOMATIC: ``ModeRules.operator_lands``), for
        the pick and the set-down alike; ``None``: the sequencer lands everywhere."""
        if self.run is not None:
            raise ValueError(f"job {self.run.transfer.job_id} is still running")
        self.run = Run(transfer, started=now, since=now, operator_lands=operator_lands)
        self.outcome = None
        self._enter(Step.RAISE, now)  # telescoping, if needed, goes on during the leg

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        run = self.run
        if run is None:
            self.travel_clear_below_m = None
            return Commands(drives_enable=False)
        self._permits = permits
        self._last = snapshot
        stop = "" if run.step is Step.HELD else self._must_hold(snapshot, permits)
        if stop and not self._wind_goes_on(run, snapshot, permits, now):
            self.hold(now, stop)
        contact = self._contact(run, snapshot)
        if contact:
            self.hold(now, contact)  # every axis stops in this scan
            return Commands(drives_enable=True)
        lifting = run.delivering and run.failure is None and run.step is Step.RAISE
        if lifting and snapshot.flag("lane.truck_lifted", unsafe=False):
            return self._fail_safe(run, "truck lifted with the container", now, snapshot)
        if run.delivering and run.failure is None and run.step in (Step.RAISE, Step.TRAVEL):
            load = snapshot.number("hoist.load")
            if load is not None and load > self.params.overload_trip_t:
                limit = self.params.overload_trip_t
                return self._fail_safe(
                    run, f"overweight: {load:.1f} t > {limit:.1f} t", now, snapshot
                )
        if self._telescope_late(run, snapshot, now):
            size = run.transfer.box.size_ft
            if not _at_rest(snapshot):
                return Commands(drives_enable=True)  # stop first (the drives ramp down)
            return self._finish(Outcome.FAILED, f"spreader did not telescope to {size} ft", now)
        step = getattr(self, f"_{run.step.name.lower()}")
        commands: Commands = step(run, snapshot, now)
        return self._unless_refused(commands, permits, now)

    def _contact(self, run: Run, snapshot: Snapshot) -> str:
        """Unexpected contact in a step where the load or the empty spreader hangs ("" if
        none): see :func:`~crane_ctrl.sequencer.safety.unexpected_contact`."""
        if run.step not in HANGS:
            return ""
        if not run.airborne:  # contact until the leg first hangs free is its start
            run.airborne = not unexpected_contact(snapshot, carrying=run.delivering, landing_m=None)
            return ""
        return unexpected_contact(
            snapshot, carrying=run.delivering, landing_m=self._landing_in(run, run.step)
        )

    def _unless_refused(self, commands: Commands, permits: Permits, now: float) -> Commands:
        """``commands``, or a hold if the interlocks refuse a speed they ask for: the plan and
        the crane no longer agree (see :func:`~crane_ctrl.sequencer.safety.refused_motion`)."""
        run = self.run
        if run is None or run.step in (Step.HELD, Step.OPERATOR_LANDING):
            return commands
        landing = run.step in (Step.LOWER, Step.SET_BACK, Step.WIND_SET_DOWN)
        refused = refused_motion(commands, permits, landing=landing)
        if not refused:
            return commands
        self.hold(now, refused)
        return Commands(drives_enable=True)

    def _telescope_late(self, run: Run, snapshot: Snapshot, now: float) -> bool:
        """The empty spreader still not the box's size ``telescope_timeout_s`` into the job."""
        if run.delivering or run.step in (Step.HELD, Step.LOCK, Step.UNLOCK, Step.RAISE_CLEAR):
            return False
        late = now - run.started > self.settings.telescope_timeout_s
        return late and snapshot.number("spreader.size") != run.transfer.box.size_ft

    def _lock(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        if all_clean(snapshot, "locked", "unlocked"):  # TIC 4.0 Locked: a mixed corner is not
            self._enter(Step.TRIAL_LIFT, now)
            run.target_z = (snapshot.number("hoist.position") or 0.0) + self.settings.trial_lift_m
            return Commands(drives_enable=True)
        if now - run.since > self.settings.lock_timeout_s:
            run.failure = f"twistlocks not locked within {self.settings.lock_timeout_s:g} s"
            self._enter(Step.UNLOCK, now, reason=run.failure)
            return Commands(drives_enable=True)
        return Commands(drives_enable=True, lock=True)

    def _trial_lift(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        load = snapshot.number("hoist.load")
        limit = self.params.overload_trip_t
        if load is not None and load > limit:
            return self._fail_safe(run, f"overweight: {load:.1f} t > {limit:.1f} t", now, snapshot)
        if snapshot.flag("lane.truck_lifted", unsafe=False):
            return self._fail_safe(run, "truck lifted with the container", now, snapshot)
        z = snapshot.number("hoist.position")
        clear = not any_corner(snapshot, "landed")
        if clear and run.creep_since is None:
            run.creep_since = now  # the box has left its support: let the load cell settle
        settled = run.creep_since is not None and now - run.creep_since >= self.settings.settle_s
        if z is not None and z >= run.target_z and settled:
            run.delivering = True
            run.mass_t = load  # weighed: the pendulum of the leg to come
            self._enter(Step.RAISE, now)
            return Commands(drives_enable=True)
        s = self.settings
        if now - run.since > s.trial_lift_m / s.trial_lift_mps + s.settle_s + s.lock_timeout_s:
            run.failure = (
                "the box did not come clear at the trial lift: a landing pin reads pressed"
            )
            self._enter(Step.SET_BACK, now, reason=run.failure)
            return Commands(drives_enable=True)
        if z is not None and z >= run.target_z + TRIAL_CREEP_ON_M:
            return Commands(drives_enable=True)  # hold still while the weight is measured
        return Commands(drives_enable=True, hoist_speed_ref=s.trial_lift_mps)

    def _set_back_down(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        """Lower the locked box at creep speed until all four pins press; stalled short of
        that (slack rope, a pin that will not press) for ``landed_timeout_s``: hold."""
        if all_corners(snapshot, "landed"):
            self._enter(Step.UNLOCK, now, reason=run.failure or "")
            return Commands(drives_enable=True)
        if abs(snapshot.number("hoist.speed") or 0.0) >= STILL_MPS:
            run.stalled_since = None
        elif run.stalled_since is None:
            run.stalled_since = now
        elif now - run.stalled_since > self.settings.landed_timeout_s:
            self.hold(now, f"{run.failure}; set back down but not all four pins pressed")
            return Commands(drives_enable=True)
        return Commands(drives_enable=True, hoist_speed_ref=-self.params.creep_speed_mps)

    _set_back = _set_back_down

    def _unlock(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        if all_clean(snapshot, "unlocked", "locked"):
            self._enter(Step.RAISE_CLEAR, now, reason=run.failure or "")
            return Commands(drives_enable=True)
        if now - run.since > self.settings.lock_timeout_s:
            return self._finish(Outcome.FAILED, "twistlocks not unlocked: load left landed, "
                                "spreader stays for the maintenance crew", now)  # fmt: skip
        return Commands(drives_enable=True, unlock=True)

    def _raise_clear(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        z = snapshot.number("hoist.position")
        if z is None:
            return Commands(drives_enable=True)
        latched = self._latched_against(Motion.HOIST_UP)
        if run.failure is not None and latched:
            # the load is safe (set down, unlocked); lifting waits for an operator reset
            why = f"{run.failure}; spreader left landed until {', '.join(latched)} is reset"
            return self._finish(Outcome.FAILED, why, now)
        goal = self._landing_height(run) + self.params.safe_clearance_m + 1.0
        if z >= goal:
            if run.failure is not None:
                return self._finish(Outcome.FAILED, run.failure, now)
            return self._finish(Outcome.DONE, "", now)
        return self._hoist_to(z, goal + OVERSHOOT_M, snapshot)


def _at_rest(snapshot: Snapshot) -> bool:
    return all(abs(snapshot.number(f"{axis}.speed") or 0.0) < STILL_MPS for axis in AXES)
