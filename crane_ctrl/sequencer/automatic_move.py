"""The automatic move: a pick-and-drop step machine that proposes commands every scan. Pure.

A job moves one container from one slot to another. The machine walks these steps (DOMAIN.md,
"The automatic move"), each with what it commands, how it ends, how long it may take, and what
happens when it cannot finish (one row each in the step table, :mod:`crane_ctrl.sequencer.steps`)::

    collect:  raise -> travel -> lower -> lock -> trial lift
    deliver:  raise -> travel -> lower -> unlock -> raise clear -> done

Raise, travel and lower are one leg (:mod:`crane_ctrl.sequencer.leg`): travel starts as soon as
the load stays ``safe_clearance_m`` over everything within its stopping distance while the hoist
still rises, lowering starts before travel ends wherever the rest of the path is clear, and
:attr:`Sequencer.travel_clear_below_m` tells the travel interlock, a scan ahead, the height the
plan needs (travel is commanded only once the interlock has been told). The empty spreader
telescopes while it travels to the box; it does not go down into the creep zone before it is
the box's size. The landing (:mod:`crane_ctrl.sequencer.landing`) puts the load, not just the
crane, on its goal and damps the swing (:mod:`crane_ctrl.sequencer.sway`); the last
``LAND_CHECK_M`` of the creep waits until the load is calm and over its goal, so the check
overlaps the creep instead of delaying it.

Never leave a load unsafe. Twistlocks not confirmed locked: unlock, raise empty, fail the job.
Overweight or a lifted truck at the trial lift: set the load back down, unlock, raise empty, fail.
Landing not confirmed in time (misaligned, obstructed): stop, raise, fail. A comms fault or any
trip while moving: everything stops (the interlocks see to that) and the machine holds; it goes
on only when an operator resumes it, with the swing damped first and the leg planned again
from where the crane stopped. The sequencer proposes; the interlocks dispose.

SEMIAUTOMATIC (``start(..., operator_lands=ModeRules.operator_lands)``): where the operator
lands, the leg stops at an approach height over the landing and hands over
(:mod:`crane_ctrl.sequencer.operator`). Wind stop with the load hanging: set it down below, or
raise it clear of its neighbours, then hold (:mod:`crane_ctrl.sequencer.wind`).

Here, :class:`Sequencer`: the façade the supervisor, the station and the tests use. It holds the
crane context and the step machine (:mod:`crane_ctrl.sequencer.machine`), starts a job, and runs
one scan: the checks every step shares (a trip, unexpected contact, the telescope's deadline,
which names the interlocks that kept the telescope from the PLC), the step's handler from the
table, then a refused motion holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from crane_ctrl.commands import Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.motion.rope_calibration import RopeCalibration
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer import operator, settle, trial_lift, wind
from crane_ctrl.sequencer.controller import CraneContext, EventSink
from crane_ctrl.sequencer.machine import Refusal, StepMachine, with_blocks
from crane_ctrl.sequencer.model import Outcome, SequencerSettings, Step
from crane_ctrl.sequencer.planning import InlinePlanner, Planner
from crane_ctrl.sequencer.readings import at_rest, stopping_s
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.safety import refused_motion, unexpected_contact
from crane_ctrl.sequencer.spreader import TRIAL_CREEP_ON_M
from crane_ctrl.sequencer.steps import STEPS
from crane_ctrl.sequencer.sway import SwayWatch
from crane_ctrl.sequencer.transfer import Transfer
from crane_ctrl.site import Slot
from crane_ctrl.snapshot import Snapshot

__all__ = ["TRIAL_CREEP_ON_M", "Outcome", "Sequencer", "SequencerSettings", "Step", "Transfer"]


class Sequencer:
    """Proposes one scan's commands for the job at hand (a Supervisor sequencer hook)."""

    def __init__(
        self,
        params: CraneParams,
        yard: YardModel,
        settings: SequencerSettings | None = None,
        *,
        on_event: EventSink | None = None,
        planner: Planner | None = None,
    ) -> None:
        """``planner``: where leg plans and rope fits are worked out (a process pool at run
        time); ``None``: at once, in the scan that asks (lock-step)."""
        self.crane = CraneContext(params, yard, settings or SequencerSettings(), on_event,
                                  planner=planner or InlinePlanner())  # fmt: skip
        """The crane this sequencer moves containers with (kept across jobs)."""
        self._machine = StepMachine(self.crane, STEPS)
        self._now = 0.0
        """The time of the last scan."""
        self._lift_clear_s: float | None = None

    # --- what it works with, and what it shows

    @property
    def params(self) -> CraneParams:
        return self.crane.params

    @property
    def yard(self) -> YardModel:
        return self.crane.yard

    @property
    def settings(self) -> SequencerSettings:
        return self.crane.settings

    @property
    def rope(self) -> RopeCalibration:
        """What the sway sensor has shown of the real rope length (kept across jobs)."""
        return self.crane.rope

    @property
    def run(self) -> Run | None:
        """The job being executed (``None`` between jobs)."""
        return self._machine.run

    @property
    def outcome(self) -> tuple[str, Outcome, str] | None:
        """(job id, outcome, reason) of the last finished job."""
        return self._machine.job.outcome

    @property
    def travel_clear_below_m(self) -> float | None:
        """Read by the supervisor for the travel-height interlock."""
        return self._machine.job.clear_below_m

    @property
    def lift_clear_s(self) -> float | None:
        """Read by the supervisor for WIND_NO_LIFT: how long a lift from where the spreader
        rests needs to clear its neighbours (:func:`~crane_ctrl.sequencer.wind.lift_clear_s`),
        s; ``None`` between jobs or while nothing rests on a support."""
        return self._lift_clear_s

    @property
    def planning_late(self) -> str:
        """What a leg waits for when its plan is later than
        :data:`~crane_ctrl.sequencer.planning.PLAN_LATE_S` ("" when none is)."""
        run = self.run
        if run is None or run.planning is None or not run.planning.late(self._now):
            return ""
        asked = self._now - run.planning.asked_s
        goal = run.planning.request.goal_xyz
        return f"the plan to {goal[0]:.1f}, {goal[1]:.1f} asked for {asked:.1f} s ago"

    def wind_exposure(self, snapshot: Snapshot) -> str:
        """While the job is held for the operator (a hold, a stop, an abort): why its hanging box
        could be swung into a neighbour if the wind rises to the stop limit ("" when it could
        not, :func:`~crane_ctrl.sequencer.wind.exposure`)."""
        run = self.run
        if run is None or run.step is not Step.HELD:
            return ""
        return wind.exposure(self.crane, run, snapshot)

    @property
    def awaiting_operator(self) -> str | None:
        """What the remote operator must do now ("land J1 on truck lane T1 and confirm"), or
        ``None`` while nothing waits for them."""
        return operator.awaiting_operator(self.run)

    # --- the job

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
        job = self._machine.job
        job.run = Run(transfer, started=now, since=now, operator_lands=operator_lands,
                      sway=SwayWatch(sensor=self.crane.sway_step))  # fmt: skip
        job.outcome = None
        self._machine.enter(Step.RAISE, now)  # telescoping, if needed, goes on during the leg

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        m, self._now = self._machine, now
        self.crane.background.poll(now)
        run = m.run
        if run is None:
            m.job.clear_below_m = self._lift_clear_s = None
            return Commands(drives_enable=False)
        m.last, m.permits = snapshot, permits
        self._lift_clear_s = wind.lift_clear_s(m.crane, run, snapshot)
        settle.observe(m.crane, run, snapshot, now)
        stop = m.must_hold(snapshot, permits) if m.table[run.step].watches_trips else ""
        if stop and not wind.wind_goes_on(m, run, snapshot, permits, now):
            m.hold(now, stop)
        contact = self._contact(run, snapshot)
        if contact:
            m.hold(now, contact)  # every axis stops in this scan
            return Commands(drives_enable=True)
        late = self._telescope_late(run, snapshot, now)
        if late:
            if not at_rest(snapshot):
                return Commands(drives_enable=True)  # stop first (the drives ramp down)
            return m.finish(Outcome.FAILED, late, now)
        return self._unless_refused(m.scan(run, snapshot, now), permits, now)

    def _contact(self, run: Run, snapshot: Snapshot) -> str:
        """Unexpected contact in a step where the load or the empty spreader hangs ("" if
        none): see :func:`~crane_ctrl.sequencer.safety.unexpected_contact`."""
        if not self._machine.table[run.step].hangs:
            return ""
        if not run.airborne:  # contact until the leg first hangs free is its start
            run.airborne = not unexpected_contact(snapshot, carrying=run.delivering, landing_m=None)
            return ""
        landing = self._machine.landing_in(run, run.step)
        return unexpected_contact(
            snapshot, carrying=run.delivering, landing_m=landing, weighed_t=run.mass_t
        )

    def _unless_refused(self, commands: Commands, permits: Permits, now: float) -> Commands:
        """``commands``, or a hold if the interlocks refuse a speed they ask for: the plan and
        the crane no longer agree (see :func:`~crane_ctrl.sequencer.safety.refused_motion`)."""
        run = self.run
        if run is None:
            return commands
        refusal = self._machine.table[run.step].refusal
        if refusal is Refusal.IGNORED:
            return commands
        commands = self._lift_waits(run, commands, permits, now)
        refused = refused_motion(commands, permits, landing=refusal is Refusal.LANDING)
        if not refused:
            return commands
        self._machine.hold(now, refused)
        return Commands(drives_enable=True)

    def _lift_waits(self, run: Run, commands: Commands, permits: Permits, now: float) -> Commands:
        """``commands``, but a lift off the support that WIND_NO_LIFT refuses for the wind to
        come (rising to the stop limit before the load could clear its neighbours, or a reading
        just back from bad; not latched) waits instead of holding: the hoist stays, the step's
        clock starts again when it may lift, and the operator sees the trip and why. Said once
        in the step's events as it begins to wait (again after it lifted, or in a step entered
        since). The wind at the stop limit itself (latched) still holds the move."""
        if commands.hoist_speed_ref <= 0.0:
            return commands
        trips = permits.why_not(Motion.HOIST_UP)
        if not trips or any(t.id != "WIND_NO_LIFT" or t.latched for t in trips):
            run.lift_waits = ""
            return commands
        self._machine.lift_waits(run, now, "; ".join(str(t) for t in trips))
        return replace(commands, hoist_speed_ref=0.0)

    def _telescope_late(self, run: Run, snapshot: Snapshot, now: float) -> str:
        """Why the job gives the telescope up ("" while it need not): the empty spreader still
        not the box's size ``telescope_timeout_s`` into the job; or, while the interlocks keep
        the telescope from being asked for, too near that for the crane to stop by then (it
        stops, and fails once at rest: about then). Either way it names the interlocks that
        block it."""
        if run.delivering or not self._machine.table[run.step].telescope_deadline:
            return ""
        if run.telescope_given_up:
            return run.telescope_given_up
        size = run.transfer.box.size_ft
        if snapshot.number("spreader.size") == size:
            return ""
        deadline = run.started + self.crane.telescope_timeout_s
        blocked = self._machine.blocked_by(Motion.TELESCOPE)
        why = with_blocks(f"spreader did not telescope to {size} ft", blocked)
        if now > deadline:
            return why
        if blocked and now + stopping_s(snapshot, self.params) >= deadline:
            run.telescope_given_up = why  # it is stopping for good: decided once
            return why
        return ""

    # --- the operator's commands

    def hold(self, now: float, reason: str) -> None:
        """Stop where it is (the move goes on from here after :meth:`resume`). A wind stop's
        securing under way goes on as the hold's own reaction, and holds once the load is safe
        (:func:`~crane_ctrl.sequencer.wind.secures_on_hold`)."""
        if not wind.secures_on_hold(self._machine, now, reason):
            self._machine.hold(now, reason)

    def interrupt(self, now: float, reason: str) -> None:
        """STOP or ABORT: hold where it is, to be resumed by START (planned again from where the
        crane then is), set down, or taken over by hand."""
        self._machine.interrupt(now, reason)

    def resume(self, now: float, *, check_jump: bool = True) -> list[str]:
        """Go on after a hold (the operator has seen why it held), planned again from where
        the crane is; what keeps it held instead (empty: it goes on)."""
        return self._machine.resume(now, check_jump=check_jump)

    def resume_refusals(self, *, check_jump: bool = True) -> list[str]:
        """Why a held move may not go on now (empty: it may, or nothing is held): see
        :func:`crane_ctrl.sequencer.safety.resume_refusals`."""
        return self._machine.resume_refusals(check_jump=check_jump)

    def observe(self, snapshot: Snapshot, permits: Permits) -> None:
        """See this scan even when not asked for commands (the machine stopped, say), so that
        a resume judges the crane as it is now."""
        self._machine.observe(snapshot, permits)
        run = self.run
        self._lift_clear_s = None if run is None else wind.lift_clear_s(self.crane, run, snapshot)

    def abandon(self, now: float, reason: str) -> None:
        """Forget the interrupted move without an outcome event (the caller ends the job):
        cancelled, or taken over by hand. The load stays where it is."""
        self._machine.abandon(now, reason)

    def plan_set_down(self, now: float) -> None:
        """The operator sends the held (interrupted) box straight down to a legal place below
        it; it goes there when the move resumes. ``CommandRefused`` if no such place is there.
        Lifted at its trial lift and not yet weighed: back down on its pick place
        (:func:`~crane_ctrl.sequencer.trial_lift.plan_set_back`)."""
        if not trial_lift.plan_set_back(self._machine, now):
            wind.plan_set_down(self._machine, now)

    def may_not_end(self, action: str) -> str:
        """Why the job may not be ended now by ``action`` ("cancelled", "taken over"), naming
        what to do instead ("" while it may): its box hangs off its pick place, lifted at the
        trial lift and not yet weighed (:func:`~crane_ctrl.sequencer.trial_lift.refusal`)."""
        return trial_lift.refusal(self._machine, action)

    def operator_jog(self, axis: str, direction: int, now: float) -> None:
        """The operator jogs ``axis`` (``gantry``, ``trolley``, ``hoist``) in ``direction`` (+1,
        -1, 0 to stop) during a hand-over; repeat within ``jog_hold_s`` to keep it moving.
        :class:`~crane_ctrl.operation.machine.CommandRefused` outside a hand-over, or a travel jog
        with the load too low to travel."""
        operator.operator_jog(self._machine, axis, direction, now)

    def confirm_landing(self, now: float) -> None:
        """The operator confirms the landing: go on (lock or unlock) if Landed, all four pins
        at the expected height; else :class:`~crane_ctrl.operation.machine.CommandRefused` says
        why."""
        operator.confirm_landing(self._machine, now)
