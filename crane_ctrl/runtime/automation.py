"""The crane's operation: job queue, PackML machine state and operating mode around the sequencer.

A supervisor sequencer hook. In the automatic modes (FULLAUTOMATIC, SEMIAUTOMATIC), in EXECUTE it
takes the next queued job when nothing runs, asks
:func:`~crane_ctrl.operation.jobs.start_blockers` why it may not start (kept in
:attr:`why_not_start` for the HMI, like Siemens' "no automatic start" word), starts the
pick-and-drop step machine and moves the job through its TIC 4.0 states from the sequencer's steps.
HOLD/UNHOLD from the operator hold and resume the move; a hold the sequencer takes by itself (comms,
a stop trip) shows as HELD and waits for the operator's UNHOLD. Held, the one motion is the hold's
own wind reaction (the hoist only: a wind stop's set-down or raise clear of the neighbours, then
held again); STOPPING, STOPPED and after: none (:mod:`crane_ctrl.sequencer.wind`).

In MANUAL and MAINTENANCE no job runs: in IDLE or EXECUTE the operator jogs the axes and works
the spreader through :class:`~crane_ctrl.operation.manual.ManualControl`, at the mode's fraction of
rated speed; MAINTENANCE also lets the maintenance role bypass one interlock for a limited time
(:class:`~crane_ctrl.operation.machine.BypassBook`; the supervisor applies it). Comms lost forgets
every jog. Pure: time comes in as an argument.

Started after a kill of the station, with the crane as the last run left it: at the first trusted
reading of the load, the box the kept yard says the crane had in hand is judged against it
(:func:`~crane_ctrl.operation.found_at_start.found_at_start`): a box hanging is taken out of its
slot and held as :attr:`Automation.carried` (no job starts until it is set down by hand), and
:attr:`Automation.found_at_start` tells the operator what was found and what to do. The job in
hand is tracked in the yard (:meth:`~crane_ctrl.operation.yard_model.YardModel.take_in_hand`)
from its start until it ends, for that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.crane import CraneParams, rated_speeds
from crane_ctrl.interlocks.evaluate import Permits
from crane_ctrl.operation.found_at_start import found_at_start
from crane_ctrl.operation.jobs import Job, JobQueue, JobState, start_blockers
from crane_ctrl.operation.machine import (
    BypassBook,
    CommandRefused,
    MachineState,
    Mode,
    ModeRules,
    ModeSettings,
    PackCommand,
    PackState,
    Role,
    change_mode,
)
from crane_ctrl.operation.manual import ManualControl
from crane_ctrl.operation.yard_model import Box, YardModel
from crane_ctrl.sequencer.automatic_move import (
    Outcome,
    Sequencer,
    Step,
    Transfer,
)
from crane_ctrl.sequencer.model import STILL_MPS
from crane_ctrl.sequencer.planning import Planner
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.safety import LOST_LOAD_T
from crane_ctrl.sequencer.transfer import all_corners, any_corner
from crane_ctrl.signals import CORNERS
from crane_ctrl.snapshot import Snapshot

__all__ = ["Automation"]

_ACTING_TO_DONE = {
    PackState.RESETTING,
    PackState.STARTING,
    PackState.UNHOLDING,
    PackState.CLEARING,
    PackState.SUSPENDING,
    PackState.UNSUSPENDING,
    PackState.COMPLETING,
}
_JOG_STATES = frozenset({PackState.IDLE, PackState.EXECUTE})
"""Machine states in which a jog mode moves the crane (reset, and start if you like, first)."""
_DRIVES_OFF = frozenset({PackState.ABORTING, PackState.ABORTED, PackState.STOPPED,
                        PackState.CLEARING})  # fmt: skip
"""States in which the drives are off (brakes on): nothing moves, a load hangs on the brakes."""
_JOB_STEPS = {
    ("collect", "lock"): JobState.READY_TO_COLLECT,
    ("deliver", "raise"): JobState.MOVING_TO_DELIVER,
    ("deliver", "unlock"): JobState.READY_TO_DELIVER,
}


class Automation:
    """Runs queued jobs one after the other while the machine is in EXECUTE."""

    def __init__(
        self,
        params: CraneParams,
        yard: YardModel,
        queue: JobQueue,
        *,
        mode: Mode = Mode.FULLAUTOMATIC,
        mode_settings: ModeSettings | None = None,
        on_event: Callable[[dict[str, object]], None] | None = None,
        scan_s: float = 0.05,
        planner: Planner | None = None,
    ) -> None:
        """``scan_s``: the scan period; STOP reaches STOPPED at the latest the longest ramp to
        zero plus one scan after it was given. ``planner``: where the sequencer's leg plans are
        worked out (see :class:`~crane_ctrl.sequencer.automatic_move.Sequencer`)."""
        self.params = params
        self.yard = yard
        self.queue = queue
        self.mode = mode
        self.mode_settings = mode_settings or ModeSettings()
        self.machine = MachineState()
        self.manual = ManualControl(params)
        self.bypasses = BypassBook(self.mode_settings)
        self.on_event = on_event
        # its time limits and wind stop reaction: the crane's (``params``, the site file's)
        self.sequencer = Sequencer(params, yard, on_event=self._on_step, planner=planner)
        self.why_not_start: tuple[str, ...] = ()
        self._last: Snapshot | None = None
        self._now = 0.0
        self._carried: Box | None = None
        self._resume_state: JobState | None = None
        self._stop_s = _stop_time_s(params) + scan_s
        self._plc_reset_due = False
        self.found_at_start = ""
        """What the station found on the crane at its start, for the operator ("": nothing)."""
        self._start_judged = False

    @property
    def travel_clear_below_m(self) -> float | None:
        """The path-clear height the travel-height interlock may use: the sequencer's plan, or
        in a jog mode the jog's path ahead (:meth:`ManualControl.clear_below_m`)."""
        rules = self.rules
        if rules.jog:
            last = self._last
            if last is None or not last.comms_ok:
                return None
            return self.manual.clear_below_m(last, self.yard, rules.speed_factor)
        return self.sequencer.travel_clear_below_m

    @property
    def lift_clear_s(self) -> float | None:
        """How long a lift from where the spreader rests needs to clear its neighbours, for
        WIND_NO_LIFT: the sequencer's reckoning in automatic; ``None`` (the crane's default) in
        a jog mode."""
        return None if self.rules.jog else self.sequencer.lift_clear_s

    @property
    def planning_late(self) -> str:
        """The PLANNING_LATE alarm's text ("" while no plan is late)."""
        return self.sequencer.planning_late

    @property
    def wind_exposure(self) -> str:
        """The LOAD_EXPOSED_TO_WIND alarm's text ("" while nothing hangs exposed)."""
        return "" if self._last is None else self.sequencer.wind_exposure(self._last)

    @property
    def rules(self) -> ModeRules:
        return ModeRules.of(self.mode, self.mode_settings)

    # --- the operator's way in

    def command(self, cmd: PackCommand, now: float, reason: str = "") -> None:
        """A PackML command; :class:`~crane_ctrl.operation.machine.CommandRefused` says why not.

        UNHOLD resumes a held move only if the crane as measured lets it (nothing still tripped,
        the crane where it held, the load as it was); START goes on with an interrupted job the
        same way, planned again from where the crane now stands. STOP and ABORT interrupt the
        move where it is (STOP ramps every axis to zero, ABORT drops the drives at once)."""
        resuming = cmd is PackCommand.START and self._interrupted_job() is not None
        if cmd is PackCommand.UNHOLD or resuming:
            why = self.sequencer.resume_refusals(check_jump=not resuming)
            if why and self.machine.can(cmd):
                raise CommandRefused(*why)
        for event in self.machine.command(cmd, now, reason):
            self._emit({"kind": "machine", **event})
        if cmd is PackCommand.UNHOLD or resuming:
            self.sequencer.resume(now, check_jump=not resuming)
            self._resume_job(now)
        if cmd in (PackCommand.STOP, PackCommand.ABORT):
            self._interrupt(now, reason or f"{cmd.name} by the operator")
        if cmd in (PackCommand.STOP, PackCommand.ABORT, PackCommand.HOLD):
            self.manual.stop()
        if cmd is PackCommand.RESET and self._plc_faulted():
            self._plc_reset_due = True  # the machine's RESET resets the PLC too

    def _plc_faulted(self) -> bool:
        """The PLC reports a fault a reset may clear: its watchdog, a fault code, a drive fault,
        or an e-stop chain closed again that it latched."""
        last = self._last
        if last is None or not last.comms_ok:
            return False
        code = last.number("plc.fault_code")
        return (
            last.flag("plc.watchdog_trip", unsafe=False)
            or (code is not None and code != 0)
            or any(last.flag(f"{axis}.fault", unsafe=False) for axis in AXES)
        )

    def cancel(self, job_id: str, now: float, reason: str) -> None:
        """Cancel a job: a queued one at once; the running one only when it is interrupted
        (STOP first), and then the load stays where it is, the spreader's now (a box still
        hanging is no longer where the yard model had it: see :attr:`carried`). Not while its
        box hangs lifted at the trial lift and not yet weighed (what else hangs on it is not
        known: SET DOWN, or START, first; :mod:`crane_ctrl.sequencer.trial_lift`)."""
        job = self.queue.get(job_id)
        run = self.sequencer.run
        if job.active and (run is None or not run.interrupted):
            raise CommandRefused(
                f"job {job_id} is running: STOP the crane first; it then stays interrupted "
                "until resumed (START), set down, or cancelled"
            )
        why = self.sequencer.may_not_end("cancelled") if job.active else ""
        if why:
            raise CommandRefused(why)
        if job.active:
            self._drop_run(now, JobState.CANCELLED, reason)
            return
        self.queue.cancel(job_id, now, reason)
        self._emit_queue()

    def set_down(self, now: float) -> None:
        """Send the interrupted job's load straight down to a legal place below it (its pick
        place, its destination, any free place the box may stand); START then carries it out
        and the job ends FAILED, naming where the box stands. ``CommandRefused`` says why not."""
        run = self.sequencer.run
        if run is None or not run.interrupted:
            raise CommandRefused("set down needs an interrupted job: STOP the crane first")
        self.sequencer.plan_set_down(now)

    @property
    def carried(self) -> str | None:
        """The box a cancelled or taken-over job left hanging on the spreader, if any: the yard
        model no longer has it in a slot, and no job starts until it is set down by hand."""
        return None if self._carried is None else self._carried.id

    @property
    def carried_box(self) -> Box | None:
        """The box of :attr:`carried` (as the yard had it, where it was lifted from)."""
        return self._carried

    def set_mode(self, mode: Mode, role: Role, now: float, user: str = "") -> None:
        """Switch mode (only while STOPPED, IDLE or ABORTED); ``CommandRefused`` says why not.
        To a jog mode with an interrupted job: the operator takes the load over by hand and the
        job fails, naming that (not while its box hangs lifted at the trial lift and not yet
        weighed, as for :meth:`cancel`)."""
        before = self.mode
        after = change_mode(mode, role, self.machine.state, bypass=self.bypasses.active(now))
        by_hand = not ModeRules.of(after, self.mode_settings).automatic
        why = self.sequencer.may_not_end("taken over") if by_hand else ""
        if why:
            raise CommandRefused(why)
        self.mode = after
        self.manual.stop()
        if not self.rules.automatic and self.sequencer.run is not None:
            self._drop_run(now, JobState.FAILED, f"taken over in {mode.name} by {user or role}")
        if mode is not before:
            self._emit({"kind": "mode", "time": now, "from": str(before), "to": str(mode),
                        "user": user, "role": str(role)})  # fmt: skip

    def jog_refusals(self) -> list[str]:
        """Why the operator may not jog or work the spreader by hand now (empty: may)."""
        out = []
        if not self.rules.jog:
            out.append(f"jogging needs MANUAL or MAINTENANCE mode, not {self.mode.name}")
        if self.machine.state not in _JOG_STATES:
            out.append(f"jogging needs the machine IDLE or EXECUTE, not {self.machine.state.name}"
                       " (reset first)")  # fmt: skip
        return out

    def check_jog(self) -> None:
        why = self.jog_refusals()
        if why:
            raise CommandRefused(*why)

    # --- one scan

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        commands = self._scan(snapshot, permits, now)
        if self._plc_reset_due:  # the supervisor makes it a pulse as long as the PLC needs
            self._plc_reset_due = False
            commands = replace(commands, reset=True)
        return commands

    def _scan(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        self._now = now
        self._last = snapshot
        if not self._start_judged:
            self._judge_start(snapshot, now)
        self.sequencer.observe(snapshot, permits)
        self._advance_machine(now, snapshot)
        self.bypasses.expire(now)
        if any(t.id == "OVERLOAD" for t in permits.active):
            self.bypasses.revoke(now, "overload trip: no bypass may help lift this load")
        for event in self.bypasses.take_events():
            self._emit({"kind": "bypass", **event})
        state = self.machine.state
        if not self.rules.automatic:
            self._explain_no_start(snapshot, permits)
            return self._by_hand(snapshot, now)
        if state is PackState.EXECUTE:
            return self._execute(snapshot, permits, now)
        if state is PackState.SUSPENDED:
            return self._suspended(snapshot, permits, now)
        if state in (PackState.HOLDING, PackState.HELD, PackState.STOPPING):
            return self._hold(snapshot, permits, now)
        if state in _DRIVES_OFF:
            return Commands()
        return Commands(drives_enable=self.sequencer.run is not None)

    def _advance_machine(self, now: float, snapshot: Snapshot) -> None:
        state = self.machine.state
        held = state is PackState.HOLDING and self._held_safe()
        stopped = state is PackState.STOPPING and self._stopped(now, snapshot)
        if state in _ACTING_TO_DONE or held or stopped or state is PackState.ABORTING:
            self._machine_events(self.machine.state_complete(now))

    def _stopped(self, now: float, snapshot: Snapshot) -> bool:
        """STOPPING is done: the move held and every axis at rest, or the longest ramp to zero
        and a scan gone by (the drives ramp whatever we see of them)."""
        if now - self.machine.since >= self._stop_s:
            return True
        return self._held_safe() and snapshot.comms_ok and _at_rest(snapshot)

    def _by_hand(self, snapshot: Snapshot, now: float) -> Commands:
        if not snapshot.comms_ok or self.machine.state not in _JOG_STATES:
            self.manual.stop()
            return Commands()
        return self.manual.commands(snapshot, now, self.rules.speed_factor)

    def _held_safe(self) -> bool:
        run = self.sequencer.run
        return run is None or run.step is Step.HELD

    def _hold(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        """HOLDING, HELD, STOPPING: the move holds where it is; nothing moves but the hold's
        own wind reaction (HOLDING, HELD: the hoist only, setting a hanging load down or
        raising it clear of its neighbours at a wind stop, :func:`~crane_ctrl.sequencer.wind.
        secures_while_held`). STOP interrupts the job: nothing moves, that reaction included."""
        run = self.sequencer.run
        if run is not None and run.step is not Step.HELD and not run.secures_in_hold:
            stopping = self.machine.state is PackState.STOPPING
            self.sequencer.hold(now, "operator stop" if stopping else "operator hold")
        hoist = self.sequencer(snapshot, permits, now).hoist_speed_ref
        if run is None or self.machine.state is PackState.STOPPING:
            hoist = 0.0
        return Commands(drives_enable=run is not None, hoist_speed_ref=hoist)

    def _execute(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        if self.sequencer.run is None:
            self._start_next(snapshot, permits, now)
        if self.sequencer.run is None:
            self.sequencer(snapshot, permits, now)
            waiting = self.why_not_start[0] if self.why_not_start else "waiting for a job"
            self._machine_events(self.machine.command(PackCommand.SUSPEND, now, waiting))
            return Commands(drives_enable=True)  # the drives stay ready for work
        commands = self.sequencer(snapshot, permits, now)
        run = self.sequencer.run
        if run is not None and run.step is Step.HELD:
            self._machine_events(self.machine.command(PackCommand.HOLD, now, run.hold_reason))
        return commands

    def _suspended(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        """Starved (no job) or blocked (the next job cannot start): go back to EXECUTE as soon
        as the next job could start."""
        job = self._explain_no_start(snapshot, permits)
        if job is not None and not self.why_not_start and self.yard.at(job.from_slot) is not None:
            self._machine_events(self.machine.command(PackCommand.UNSUSPEND, now, f"job {job.id}"))
        self.sequencer(snapshot, permits, now)
        return Commands(drives_enable=True)

    def _start_next(self, snapshot: Snapshot, permits: Permits, now: float) -> None:
        job = self._explain_no_start(snapshot, permits)
        box = None if job is None else self.yard.at(job.from_slot)
        if job is None or self.why_not_start or box is None:
            return
        self.queue.advance(job.id, JobState.MOVING_TO_COLLECT, now)
        self.yard.take_in_hand(box.id, job.id, job.to_slot)
        self.found_at_start = ""
        rules = self.rules
        lands = rules.operator_lands if rules.operator_lands_at else None
        self.sequencer.start(Transfer(job.id, box, job.to_slot), now, operator_lands=lands)
        self._emit_queue()

    def _explain_no_start(self, snapshot: Snapshot, permits: Permits) -> Job | None:
        """The next queued job, with :attr:`why_not_start` saying what keeps it from starting."""
        job = self.queue.next()
        if job is None:
            self.why_not_start = ()
            return None
        size = snapshot.number("spreader.size")
        self.why_not_start = tuple(start_blockers(
            job, mode=self.mode, machine_state=self.machine.state, snapshot=snapshot,
            permits=permits, spreader_size_ft=None if size is None else int(size),
            carrying=self._carrying(snapshot), yard=self.yard,
        ))  # fmt: skip
        return job

    def _carrying(self, snapshot: Snapshot) -> bool:
        """A box hangs on the spreader: one a job left there, or the load cell says so."""
        load = snapshot.number("hoist.load")
        if self._carried is not None and all_corners(snapshot, "unlocked"):
            self._emit(
                {
                    "kind": "yard",
                    "time": self._now,
                    "container": self._carried.id,
                    "event": "set down by hand: out of the yard model until placed",
                }
            )
            self._carried = None
            self.found_at_start = ""
            self.yard.out_of_hand()
        return self._carried is not None or (load is not None and load >= LOST_LOAD_T)

    def _judge_start(self, snapshot: Snapshot, now: float) -> None:
        """At the first trusted load reading: what the last run left in hand, against the
        crane as it is (module docstring)."""
        load = snapshot.number("hoist.load") if snapshot.comms_ok else None
        if load is None:
            return  # judged on a load we can trust (nothing starts before comms anyway)
        self._start_judged = True
        hand = self.yard.in_hand
        found = found_at_start(hand, load, hangs=load >= LOST_LOAD_T)
        if hand is not None and found.hanging:
            box = hand.box
            self._carried = self.yard.lift(box.id) if box.id in self.yard.boxes else box
        elif hand is not None:
            self.yard.out_of_hand()
        self.found_at_start = found.note
        if found.note:
            container = "" if hand is None else hand.box.id
            self._emit({"kind": "yard", "time": now, "container": container,
                        "event": "found at start", "note": found.note})  # fmt: skip

    # --- interrupted jobs

    def _interrupted_job(self) -> Job | None:
        job = self.queue.active()
        return job if job is not None and job.state is JobState.INTERRUPTED else None

    def _interrupt(self, now: float, reason: str) -> None:
        """STOP or ABORT with a job running: the move holds where it is, the job INTERRUPTED."""
        run = self.sequencer.run
        job = self.queue.active()
        if run is None or job is None:
            return
        self.sequencer.interrupt(now, reason)
        if job.state is not JobState.INTERRUPTED:
            self._resume_state = job.state
            self.queue.advance(job.id, JobState.INTERRUPTED, now, reason)
            self._emit_queue()

    def _resume_job(self, now: float) -> None:
        job = self._interrupted_job()
        run = self.sequencer.run
        if job is None or run is None or run.interrupted:
            return
        state = self._resume_state or JobState.MOVING_TO_COLLECT
        self.queue.advance(job.id, state, now, "resumed by the operator")
        self._emit_queue()

    def _drop_run(self, now: float, state: JobState, reason: str) -> None:
        """End the interrupted job without the sequencer: the load stays where it is."""
        run = self.sequencer.run
        job = self.queue.active()
        if run is None:
            return
        set_down = _set_down_at_its_goal(run)
        if self._box_hangs(run.transfer.box.id, delivering=run.delivering and set_down is None):
            self._carried = self.yard.lift(run.transfer.box.id)
            reason += f"; container {run.transfer.box.id} hangs on the spreader"
        elif set_down is not None or self._rests_at_its_goal(
            run.delivering, run.delivery_height_m(self.yard)
        ):
            # where it went down: its destination, or the place below a wind stop or the
            # operator chose (case 1100517); (a landing pin unseen)
            self.yard.move(run.transfer.box.id, run.delivers_to)
            reason += f"; container {run.transfer.box.id} stands on {run.delivers_to}"
            if set_down is Step.UNLOCK:
                reason += " (the spreader may still be locked to it: unlock before it rises)"
        else:
            self.yard.out_of_hand()
        self.sequencer.abandon(now, reason)
        if job is not None:
            self.queue.advance(job.id, state, now, reason)
        self._emit_queue()

    def _rests_at_its_goal(self, delivering: bool, landing_m: float) -> bool:
        """The box the move carried rests, set down at the height of where it delivers it (its
        destination, or the place below), though the landing was never confirmed (a pin that
        does not say so, case 1001193): it stands there, as for a landing that timed out
        (:func:`~crane_ctrl.sequencer.landing.lower`)."""
        last = self._last
        z = None if last is None else last.number("hoist.position")
        if not delivering or z is None:
            return False
        return abs(z - landing_m) <= self.sequencer.settings.landing_height_tolerance_m

    def _box_hangs(self, box_id: str, *, delivering: bool) -> bool:
        """The job's box hangs on the spreader, as measured: twistlocks locked and the ropes
        carrying it (the load cell weighing it, no slack); landing pins say nothing, a box may
        keep them pressed as it hangs (a box already set down stays where the yard model has
        it). Twistlock readings not to be trusted (a frozen link) while ``delivering`` count as
        locked: the box the move lifted is taken to hang still (fail safe)."""
        last = self._last
        if last is None or box_id not in self.yard.boxes:
            return False
        load = last.number("hoist.load")
        weighed = load is None or load >= LOST_LOAD_T  # unknown: assume it hangs (fail safe)
        slack = last.flag("hoist.slack_rope", unsafe=False)
        unknown = not all(last.good(f"spreader.locked_{c}") for c in CORNERS)
        locked = any_corner(last, "locked") or (delivering and unknown)
        return weighed and locked and not slack

    # --- from the sequencer

    def _on_step(self, event: dict[str, object]) -> None:
        job_id = str(event["job"])
        if "outcome" in event:
            done = event["outcome"] == str(Outcome.DONE)
            state = JobState.DONE if done else JobState.FAILED
            self.queue.advance(job_id, state, float(str(event["time"])), str(event["reason"]))
            hand = self.yard.in_hand
            if hand is not None and hand.job == job_id:
                self.yard.out_of_hand()
        elif "step" in event:
            state_now = _JOB_STEPS.get((str(event["phase"]), str(event["step"])))
            if state_now is not None and self.queue.get(job_id).state is not state_now:
                self.queue.advance(job_id, state_now, float(str(event["time"])))
        self._emit({"kind": "sequence", **event})
        self._emit_queue()

    def _emit_queue(self) -> None:
        for event in self.queue.take_events():
            self._emit({"kind": "job", **event})

    def _machine_events(self, events: Sequence[Mapping[str, object]]) -> None:
        for event in events:
            self._emit({"kind": "machine", **event})

    def _emit(self, event: dict[str, object]) -> None:
        if self.on_event is not None:
            self.on_event(event)


def _stop_time_s(params: CraneParams) -> float:
    """The longest ramp from rated speed to zero at the drives' normal deceleration, s."""
    rated = rated_speeds(params)
    decel = {
        "gantry": params.gantry_decel_mps2,
        "trolley": params.trolley_decel_mps2,
        "hoist": params.hoist_decel_mps2,
    }
    return max(rated[axis] / decel[axis] for axis in rated)


def _at_rest(snapshot: Snapshot) -> bool:
    """Every axis measured (good) and slower than STILL_MPS: an unknown speed is no rest."""
    return all(
        (speed := snapshot.number(f"{axis}.speed")) is not None and abs(speed) < STILL_MPS
        for axis in AXES
    )


def _set_down_at_its_goal(run: Run) -> Step | None:
    """The step, if the move had set its box down where it delivers it (unlocking it, or raising
    the empty spreader clear; or held in either): the box stands on :attr:`Run.delivers_to` (its
    destination, or the place below a wind stop or the operator chose) whatever a frozen link
    leaves unknown. Neither step is entered before the landing is confirmed, and
    unlocking moves no axis (cases 1003383 and 1010461: a job ended during a link freeze there,
    the box was taken to hang on the spreader, and the yard model lost it)."""
    step = run.resume_step if run.step is Step.HELD else run.step
    return step if run.delivering and step in (Step.UNLOCK, Step.RAISE_CLEAR) else None
