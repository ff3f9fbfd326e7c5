"""One safety case in lock-step: the automation, the supervisor and the simulated crane, checked
at every scan.

The crane runs as the station runs it: the :class:`~crane_ctrl.runtime.automation.Automation`
(PackML machine, job queue, modes) as the supervisor's sequencer hook, on a
:class:`~crane_ctrl.testing.LockStep` rig (in-memory link through the profile's codec, manual
clock, 20 Hz scans, 10 ms plant steps). The job is queued, the machine RESET and STARTed; the
case's events fire at their steps (:mod:`.cases`), the reasonable :class:`~.desk.Operator` acts
between scans, and every command goes through the :class:`~.desk.Desk`.

At EVERY scan (:class:`Violation` kinds in brackets):

- the invariants of :func:`~crane_ctrl.interlocks.invariants.broken_invariants` on what was
  written against the snapshot it was written on [invariant], and the PLC's commands change only
  to what was written [plc_mismatch];
- the simulator records no model fault: collision, damaged or dropped load, truck lifted, end stop
  impact [its kind];
- no unlock is written while a box hangs from the spreader [unlock_suspended];
- no automatic motion after a trip without the operator: once the move is held (the sequencer
  HELD, or the machine anywhere in :data:`PARKED`), every speed reference written stays 0 until
  the operator's next accepted UNHOLD or START [motion_without_operator]. One motion is the
  crane's own and allowed: the hold's wind reaction (:func:`~crane_ctrl.sequencer.wind.
  secures_while_held`), the hoist only, with the job held (HOLDING, HELD: never after STOP or
  ABORT), a wind trip active or the wind as it blows (gusts included) at the pre-alarm or
  rising (the crane's outlook may see the stop limit coming before the trip), the
  sequencer setting the load down onto its place or raising it toward its secured height, and
  the load exposed (:func:`~crane_ctrl.sequencer.wind.exposure`:
  the wind could swing it into a neighbour) when that motion began; begun so, it may finish
  after the operator resets the wind trip (in a gust's trough) while the storm lasts (the wind
  in its spell, or the load still exposed: hostile14 finding 8). And the hold's trial-lift
  reaction (:func:`~crane_ctrl.sequencer.trial_lift.sets_back_while_held`): with the job held in
  its trial lift, the box not yet weighed and over its pick place no higher than the trial lift
  lifts it, the hoist only, down at creep speed at most;
- nothing in the crane's code raises [exception].

Wedge checks [wedge]: at random steps (events) and at the end of every run the harness issues
STOP then RESET (or ABORT, CLEAR, RESET) and the machine must reach IDLE within
:func:`wedge_bound_s` of crane time. After one at a random step the operator resumes the job with
START (so STOP, RESET and START are exercised mid-job; cancelling is a random command of its own).

A collision the crane had no say in is kept apart [beyond_control], not a violation. The crane
is in charge of its hanging load in the wind (:meth:`_CaseRun._in_charge`) while it runs the
move (EXECUTE: it anticipates the wind from the pre-alarm on), and while the job is held
(HOLDING, HELD) with a wind trip active (the hold's own reaction makes the load safe), in
both cases with its drives on and free to act: the link up, the e-stop chain closed, no drive
faulted, nothing but the wind stopping it (no bad data, no other stop trip), the hoist free to
rise, and no trip that waits for a reset (the e-stop, a person in the lane) since the
operator's last UNHOLD or START (a reset starts nothing). It is not in charge with the drives
off or the job interrupted by the operator: ABORT, and STOP (STOPPING, STOPPED, and RESET,
IDLE after it: STOP's "the load stays where it is" lasts until START, a decision of
:mod:`crane_ctrl.sequencer.wind`). A collision is beyond control when the wind as it blows
(gusts included) reached the pre-alarm while the crane was not in charge, it has not been in
charge for :data:`SECURE_WITHIN_S` at a stretch since, and at the collision it is still not in
charge (ABORT or STOP during the securing included) or has been for less than that while making
the load safe (raising it clear, setting it down). The lean that carries a box into its
neighbour builds from the pre-alarm on (cases 1632, 3280: a box held a few centimetres off its
truck while the wind rose from calm to 20 m/s, leaning 0.5-0.9 m toward the next truck's box
0.6 m away when the operator resumed; neither setting it back, off the castings, nor a 0.5 m/s
raise could be in time). A held load left swinging into a neighbour with the drives on and only
the wind tripped, or a collision in any other step (travelling, lowering onto its place), stays
a violation. Such a collision ends the run and is reported in its own count.

The run ends when the job has ended (plus :data:`TAIL_S`), or the crane has stood held or stopped
for :data:`PATIENCE_S` with nothing left to happen, or :data:`CAP_S` after the last event. Then
[end_state]: every box the crane moved stands where the yard model has it, within the stacking
tolerance (the job's box still locked to the spreader of a job that has not ended is in the
crane's hands, judged with its job); no trailer hangs on a box, unless the move is held and a
fault that never clears keeps the hoist from setting it back down
(:meth:`_CaseRun._kept_from_lowering`); a job DONE has its box at its
destination, a job FAILED or CANCELLED has a reason and its box standing, unless the operator
took it over (cancelled or MANUAL: then it hangs on four locked twistlocks). A job that has not
ended [stuck] is allowed only while a fault persists (never cleared, or an overweight box that
cannot get lighter while it hangs), the move held (or settling the swing after the operator
resumed it: a gusty wind that never calms holds it again and again, and the run may end between
a resume and the next wind stop; or, in such a wind, waiting over its landing for the swing to
settle; or, in a wind that lasts, its lift waiting on its support because the wind would swing
the box into a neighbour, :mod:`crane_ctrl.sequencer.lift_swing`) and the load safe: standing,
or hanging on four locked twistlocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import time
import traceback
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from crane_ctrl.bench.safety.cases import (
    BadValue,
    Case,
    Command,
    Event,
    FaultPlan,
    WedgeCheck,
)
from crane_ctrl.bench.safety.desk import JOB_ID, Desk, Operator
from crane_ctrl.commands import AXES
from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import FaultError, SafetyViolationError
from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.interlocks.invariants import WRITTEN, broken_invariants, plc_mismatch
from crane_ctrl.operation.jobs import JobQueue, JobState
from crane_ctrl.operation.machine import ACTING, PackCommand, PackState
from crane_ctrl.profile.model import Profile
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.runtime.supervisor import SupervisorSettings, SupervisorView
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.sequencer.model import OVERSHOOT_M, OVERTRAVEL_M, TRIAL_CREEP_ON_M
from crane_ctrl.sequencer.readings import position_of
from crane_ctrl.sequencer.safety import STOPS, WIND_TRIPS, waits_for_reset
from crane_ctrl.sequencer.trial_lift import SETS_BACK_IN_HOLD
from crane_ctrl.sequencer.wind import SECURING, exposure, storm_lasts
from crane_ctrl.signals import Value
from crane_ctrl.testing import LockStep
from simulators.site_file import SiteFile, load_site, yard_model_of

__all__ = [
    "CAP_S",
    "PARKED",
    "PATIENCE_S",
    "TAIL_S",
    "CaseResult",
    "Violation",
    "run_case",
    "wedge_bound_s",
]

TAIL_S = 2.0
"""Scans run on after the job ends, and after the last wedge check (nothing may move then)."""
PATIENCE_S = 20.0
"""A crane held or stopped this long after anything last happened (an event, a command that was
accepted) stays so: the run ends. The operator's next try comes sooner (reaction plus retry)."""
CAP_S = 240.0
"""Crane time after the last event (and the start) by which the job must have ended or parked."""
WIND_RAMP_S = 10.0
"""The mean wind of a ``wind`` fault builds up and dies down over this long."""
WEDGE_MARGIN_S = 2.0
"""A wedge check allows the longest ramp to zero plus this, s."""
PARKED = frozenset(
    {PackState.HOLDING, PackState.HELD, PackState.STOPPING, PackState.STOPPED,
     PackState.ABORTING, PackState.ABORTED, PackState.CLEARING, PackState.RESETTING,
     PackState.IDLE, PackState.COMPLETING, PackState.COMPLETE}
)  # fmt: skip
"""Machine states in which the crane waits for the operator: nothing moves until an UNHOLD or
START."""
COMMS_WITHIN_S = 2.0
"""The link must be up this soon after the start (in-memory: at the first scan)."""
SPELL_GAP_S = 15.0
"""The wind below the pre-alarm this long ends its spell: a gusting wind dips below it in each
gust's trough (the cases' gusts last up to 12 s), and the spell goes on through them, s."""
SECURE_WITHIN_S = 15.0
"""Crane time a crane in charge of its load again needs to make it safe from the wind (set it
down, or raise it clear): a collision sooner, in wind that came while it was not in charge, is
beyond its control, s."""
HELD_STATES = frozenset({PackState.HOLDING, PackState.HELD})
"""Machine states of a held job: the hold's own wind reaction may move the hoist."""
TRAIL = 14
"""Trace lines a violation's message ends with."""


@dataclass(frozen=True, slots=True)
class Violation:
    kind: str
    message: str
    time_s: float
    """Crane time since the job started, s."""
    scan: int


@dataclass(slots=True)
class CaseResult:
    """What one case did, and what it broke (picklable: it crosses process boundaries)."""

    seed: int | None
    case: str
    job: str
    outcome: str = ""
    violations: list[Violation] = field(default_factory=list)
    faults: int = 0
    bad_values: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    """Every command by ``who:kind`` (who: random, operator, wedge)."""
    refused: Counter[str] = field(default_factory=Counter)
    wedge_checks: int = 0
    wedges: int = 0
    collisions: int = 0
    scans: int = 0
    crane_s: float = 0.0
    wall_s: float = 0.0
    trace: list[str] = field(default_factory=list)
    """Every trace line (only when asked for: ``run_case(..., trace=True)``)."""
    beyond_control: Violation | None = None
    """A collision in wind that came while the crane was not in charge of its load (see the
    module docstring): reported, not a violation."""

    @property
    def ok(self) -> bool:
        return not self.violations


@functools.cache
def default_site() -> SiteFile:
    return load_site()


def wedge_bound_s(params: CraneParams) -> float:
    """The longest ramp from rated speed to zero at the drives' deceleration plus
    :data:`WEDGE_MARGIN_S`: STOP then RESET must reach IDLE within it."""
    ramp = max(
        max(params.gantry_speed_empty_mps, params.gantry_speed_loaded_mps)
        / params.gantry_decel_mps2,
        params.trolley_speed_mps / params.trolley_decel_mps2,
        max(params.hoist_speed_empty_mps, params.hoist_speed_loaded_mps) / params.hoist_decel_mps2,
    )
    return ramp + WEDGE_MARGIN_S


@dataclass(slots=True)
class _Active:
    """An injected fault or bad value: its injector key, and since when (job time)."""

    key: str
    since: float
    lasts_s: float | None


@dataclass(slots=True)
class _WindSpell:
    """The wind (gusts included) at or above the pre-alarm: since when, whether the crane was in
    charge of its load then, since when it has been in charge at this stretch, whether a stretch
    lasted :data:`SECURE_WITHIN_S`, and since when the wind has blown below the pre-alarm again
    (a gust's trough, or the spell's end)."""

    since: float
    in_charge_at_start: bool
    in_charge_since: float | None
    had_time: bool = False
    below_since: float | None = None

    def note(self, in_charge: bool, now: float) -> None:
        if not in_charge:
            self.in_charge_since = None
            return
        if self.in_charge_since is None:
            self.in_charge_since = now
        self.had_time |= now - self.in_charge_since >= SECURE_WITHIN_S


@dataclass(slots=True)
class _Wedge:
    via: str
    started: float
    first_sent: bool = False


def run_case(case: Case, profile: Profile, *, trace: bool = False) -> CaseResult:
    """Run ``case`` to its end on ``profile`` (see the module docstring)."""
    started = time.perf_counter()
    run = _CaseRun(case, profile, trace)
    enabled = gc.isenabled()
    gc.disable()  # a case allocates much and keeps little: collect once, after it
    try:
        asyncio.run(run.run())
    finally:
        if enabled:
            gc.enable()
    result = run.result
    result.wall_s = time.perf_counter() - started
    return result


class _CaseRun:
    def __init__(self, case: Case, profile: Profile, tracing: bool) -> None:
        self.case = case
        site = default_site()
        self.sim = site.simulator()
        self.params = site.crane
        yard = yard_model_of(site)
        self.queue = JobQueue(site.site, site.crane)
        self.automation = Automation(site.crane, yard, self.queue, on_event=self._on_event)
        settings = SupervisorSettings(crane=site.crane, site=site.site)
        self.rig = LockStep(profile, self.sim, settings, sequencer=self.automation)
        box = yard.boxes[case.job.box]
        self.queue.add(box.slot, case.job.to, box.size_ft, 0.0, job_id=JOB_ID)
        self.desk = Desk(self.automation, self.rig.supervisor, self.rig.clock.now, self._trace)
        self.operator = Operator(case.reaction_s)
        self.limits = self.rig.supervisor.interlock_settings
        signals = profile.signals
        refs = (f"{axis}.speed_ref" for axis in AXES)
        self.resolution = {n: abs(signals[n].scale) for n in refs if signals[n].scaled}
        self.result = CaseResult(case.seed, str(case), case.job.name)
        self.tracing = tracing
        self.trail: deque[str] = deque(maxlen=TRAIL)
        self.t0 = 0.0
        self.scan = 0
        self.pending = list(range(len(case.events)))
        self.entered: dict[int, float] = {}
        self.active: dict[int, _Active] = {}
        self.wedge: _Wedge | None = None
        self.latched = True
        """The crane waits for the operator's UNHOLD or START: no speed reference may be
        written."""
        self.last_activity = 0.0
        self.parked_since: float | None = None
        self.ended_at: float | None = None
        self.start_xy: dict[str, tuple[float, float]] = {}
        self.wind_spell: _WindSpell | None = None
        self.wind_stopped_at: float | None = None
        """Job time of the last wind stop the sequencer made."""
        self.reset_pending = False
        """A trip that waits for an operator's reset (the e-stop, a person in the lane) has been
        seen since the operator's last accepted UNHOLD or START."""
        self.securing_began: float | None = None
        """Job time the hold's own wind reaction began moving the hoist (this securing)."""
        self.view: SupervisorView | None = None
        """The supervisor's view after the last scan."""

    # --- time and trace

    def now(self) -> float:
        """Crane time since the job started, s."""
        return self.rig.clock.now() - self.t0

    def _trace(self, text: str) -> None:
        line = f"{self.now():8.2f}  {text}"
        self.trail.append(line)
        if self.tracing:
            self.result.trace.append(line)

    def _on_event(self, event: Mapping[str, object]) -> None:
        kind = event.get("kind")
        if kind == "machine":
            why = f": {event['reason']}" if event.get("reason") else ""
            text = f"machine {event['from']} -> {event['to']} ({event['command']}{why})"
        elif kind == "sequence" and "step" in event:
            why = f" ({event['reason']})" if event.get("reason") else ""
            if str(event.get("reason", "")).startswith("wind stop"):
                self.wind_stopped_at = self.now()
            text = f"step {event['phase']} {event['step']!r}{why}"
        elif kind == "sequence" and "outcome" in event:
            text = f"outcome {event['outcome']}: {event.get('reason') or '-'}"
        elif kind == "job":
            text = f"job {event['from']} -> {event['to']}: {event.get('reason') or '-'}"
        else:
            text = " ".join(f"{k}={v}" for k, v in event.items() if k != "time")
        self._trace(text)

    def _where(self) -> str:
        a = self.automation
        run = a.sequencer.run
        step = "no job" if run is None else f"{'deliver' if run.delivering else 'collect'} " \
            f"{run.step.value!r}"  # fmt: skip
        view = self.rig.supervisor.view
        trips = ", ".join(t.id for t in view.permits.active) if view.permits else "-"
        return (
            f"{self.case}\nat scan {self.scan} ({self.now():.2f} s into the job): machine "
            f"{a.machine.state.name}, mode {a.mode.name}, sequencer {step}, job "
            f"{self.queue.get(JOB_ID).state.name}; trips: {trips or 'none'}\n"
            f"trace (job time, s):\n" + "\n".join(self.trail)
        )

    def _violate(self, kind: str, what: str) -> None:
        label = "NOT A VIOLATION, beyond control" if kind == "beyond_control" else "VIOLATION"
        self._trace(f"{label} [{kind}] {what}")
        broken = Violation(kind, f"{what}\n{self._where()}", self.now(), self.scan)
        raise SafetyViolationError(broken.message, broken)

    # --- the run

    async def run(self) -> None:
        rig, result = self.rig, self.result
        try:
            async with rig:
                while not (await self._checked_scan()).snapshot.comms_ok:
                    if self.scan * rig.period_s > COMMS_WITHIN_S:
                        raise TimeoutError(f"no comms within {COMMS_WITHIN_S} s")
                await self._start()
                while not self._over():
                    await self._scan()
                self._judge_end()
                self._outcome()
                await self._wedge_check("stop")
                for _ in range(round(TAIL_S / rig.period_s)):
                    await self._scan()
        except SafetyViolationError as v:
            broken = cast(Violation, v.violation)
            if broken.kind == "beyond_control":
                result.beyond_control = broken
            else:
                result.violations.append(broken)
        except Exception as exc:  # the crane's code (or the harness) raised: a finding
            where = "".join(traceback.format_exception(exc)[-6:])
            result.violations.append(Violation(
                "exception", f"{type(exc).__name__}: {exc}\n{where}\n{self._where()}",
                self.now(), self.scan))  # fmt: skip
        if not result.outcome:
            self._outcome()
        result.commands, result.refused = self.desk.asked, self.desk.refused
        result.scans, result.crane_s = self.scan, self.now()
        if result.beyond_control is None:
            result.collisions = sum(f.kind.value == "collision" for f in self.sim.model_faults)

    def _outcome(self) -> None:
        """The job as it ended (or stood when the run ended), before the last wedge check."""
        job = self.queue.get(JOB_ID)
        self.result.outcome = f"{job.state.value}: {job.reason}" if job.reason else job.state.value

    async def _start(self) -> None:
        self.t0 = self.rig.clock.now()
        for i, event in enumerate(self.case.events):
            if event.when is None:  # misaligned: how the box stands when the job starts
                self._fire(i, event)
        self.start_xy = {cid: (c.x_m, c.y_m) for cid, c in self.sim.plant.yard.containers.items()}
        self.desk.pack(PackCommand.RESET, "operator")
        await self._checked_scan()
        self.desk.pack(PackCommand.START, "operator")
        self.latched = not self.desk.released
        self.desk.released = False

    async def _scan(self) -> None:
        self._between_scans(await self._checked_scan())

    async def _checked_scan(self) -> SupervisorView:
        plc = self.sim.plc.commands
        before = {k: plc[k] for k in WRITTEN}
        hanging = self.sim.plant.carrying
        view = self.view = await self.rig.scan()
        self.scan += 1
        self._check(view, before, hanging)
        return view

    def _check(self, view: SupervisorView, before: Mapping[str, Value], hanging: bool) -> None:
        c = view.commands
        broken = broken_invariants(view.snapshot, c, self.limits)
        if broken:
            self._violate("invariant", f"{'; '.join(broken)}; written {c}")
        now = {k: self.sim.plc.commands[k] for k in WRITTEN}
        if now != before and (why := plc_mismatch(now, c, self.resolution)):
            self._violate("plc_mismatch", why)
        if self.sim.model_faults:
            fault = self.sim.model_faults[0]
            what = f"model fault: {fault.kind}: {fault.reason}"
            if fault.kind.value == "collision" and self._beyond_control():
                self._violate("beyond_control", f"{what} (in wind that came while the crane "
                              "was not in charge of its load: drives off, stopped or aborted "
                              "by the operator, or tripped; before it could make the load "
                              "safe)")  # fmt: skip
            self._violate(fault.kind.value, what)
        if c.unlock and hanging:
            self._violate("unlock_suspended", f"unlock written while a box hangs; written {c}")
        refs = (c.gantry_speed_ref, c.trolley_speed_ref, c.hoist_speed_ref)
        securing = self._securing_in_hold(view) or self._setting_back_in_hold(view)
        if self.latched and any(refs) and not securing:
            self._violate(
                "motion_without_operator",
                f"speed references {refs} written after a hold or stop without the operator's "
                f"UNHOLD or START",
            )

    def _securing_in_hold(self, view: SupervisorView) -> bool:
        """What was written this scan is the hold's own wind reaction (the module docstring):
        the hoist only, the job held, the sequencer setting the load down onto its place or
        raising it toward its secured height, and the load exposed to the wind when this motion
        began, with a wind trip active then or the wind as it blows (the simulator's, gusts
        included) at the pre-alarm or rising (:meth:`_storm_blows`: the crane may begin before
        its trip, when its outlook sees the stop limit coming); it may go on after that trip is
        reset while the storm lasts (:meth:`_storm_lasts`)."""
        c, automation = view.commands, self.automation
        run = automation.sequencer.run
        if run is None or run.step not in SECURING:
            self.securing_began = None
            return False
        if c.hoist_speed_ref == 0.0:  # (a scan at rest, the restart hold of a reset: no motion)
            return False
        if c.gantry_speed_ref or c.trolley_speed_ref:
            return False
        if automation.machine.state not in HELD_STATES:
            return False
        began = self.securing_began is not None
        if not (_wind_tripped(view) or self._storm_blows() or (began and self._storm_lasts(view))):
            return False
        z, ref = view.snapshot.number("hoist.position"), c.hoist_speed_ref
        if z is None:
            return False
        if run.step is Step.WIND_RAISE:
            toward = ref > 0.0 and z < run.wind_target_m + OVERSHOOT_M
        else:
            place = run.wind_place
            toward = ref < 0.0 and place is not None and z > place.landing_m - OVERTRAVEL_M
        if not toward:
            return False
        if self.securing_began is None:
            if not exposure(automation.sequencer.crane, run, view.snapshot):
                return False  # not exposed: nothing to make safe, the hold holds
            self.securing_began = self.now()
        return True

    def _setting_back_in_hold(self, view: SupervisorView) -> bool:
        """What was written this scan is the hold's own trial-lift reaction (the module
        docstring): the hoist only, down at creep speed at most, the job held (HOLDING, HELD:
        never after STOP or ABORT) in its trial lift (or setting the box back after it) with the
        box not yet weighed, hanging over its pick place no higher than the trial lift lifts it
        and not below where it stands."""
        c, automation = view.commands, self.automation
        run = automation.sequencer.run
        if run is None or run.step is not Step.HELD or run.resume_step not in SETS_BACK_IN_HOLD:
            return False
        if c.gantry_speed_ref or c.trolley_speed_ref or run.delivering:
            return False
        if automation.machine.state not in HELD_STATES:
            return False
        creep = self.params.creep_speed_mps
        if not -creep - 1e-9 <= c.hoist_speed_ref < 0.0:
            return False
        box = automation.yard.boxes.get(self.case.job.box)
        pos = position_of(view.snapshot)
        if box is None or pos is None:
            return False
        crane = automation.sequencer.crane
        place_m, (x, y) = automation.yard.pick_height_m(box), automation.yard.centre(box)
        over = max(abs(pos[0] - x), abs(pos[1] - y)) <= self.params.stacking_tolerance_m / 2
        lift_m = crane.trial_lift_m + TRIAL_CREEP_ON_M + crane.settings.landing_height_tolerance_m
        return over and place_m - OVERTRAVEL_M < pos[2] <= place_m + lift_m

    def _storm_lasts(self, view: SupervisorView) -> bool:
        """A securing begun under a wind trip may finish after the operator reset the trip (in
        a gust's trough) while the storm lasts: the wind as it blows in its spell (at or above
        the pre-alarm, gaps under :data:`SPELL_GAP_S`), or the wind read and its next gust at
        the pre-alarm (:func:`~crane_ctrl.sequencer.wind.storm_lasts`, the crane's own rule).
        Decided so (hostile14 finding 8, :mod:`crane_ctrl.sequencer.wind`): stopped in the
        trough, the load would be left lower, raised again at each gust's trip."""
        if self.wind_spell is not None:
            return True
        return storm_lasts(self.automation.sequencer.crane, view.snapshot)

    def _storm_blows(self) -> bool:
        """The wind as it blows (gusts included) at the pre-alarm, or rising
        (:meth:`_wind_rising`)."""
        return self.wind_spell is not None or self._wind_rising()

    def _wind_rising(self) -> bool:
        """A wind the case injected is still building up (not yet at its full strength): the
        truth of a rising wind, whose end the crane can only forecast; and for the
        anemometer's averaging window after it stopped rising (``env.wind`` is a gust average: it
        goes on rising that long after the wind's peak, case 1201829). A forecast from a wind
        that does not rise (a steady one, its gusts, a reading back from bad) is not this."""
        for i, active in self.active.items():
            plan = self.case.events[i].action
            if not isinstance(plan, FaultPlan) or plan.name != "wind":
                continue
            lasts = active.lasts_s
            top_s = WIND_RAMP_S if lasts is None else min(WIND_RAMP_S, (WIND_RAMP_S + lasts) / 2)
            if self.now() - active.since < top_s + self.params.wind_gust_window_s:
                return True
        return False

    def _beyond_control(self) -> bool:
        spell = self.wind_spell
        if spell is None or spell.in_charge_at_start or spell.had_time:
            return False
        if spell.in_charge_since is None:
            return True
        run = self.automation.sequencer.run
        securing = run is not None and run.step in SECURING
        return securing and self.now() - spell.in_charge_since < SECURE_WITHIN_S

    def _in_charge(self, view: SupervisorView) -> bool:
        """Whether the crane is in charge of its hanging load in the wind now (the module
        docstring): running the move, or the job held with a wind trip active; its drives on
        and free to act."""
        s, permits, automation = view.snapshot, view.permits, self.automation
        if permits is None or self.reset_pending or not s.comms_ok:
            return False
        if not s.flag("plc.estop_ok", unsafe=False):
            return False
        if any(s.flag(f"{axis}.fault", unsafe=True) for axis in AXES):
            return False
        stops = {t.id for t in permits.active if t.id in STOPS and not t.bypassed}
        if stops - WIND_TRIPS or not permits.allowed(Motion.HOIST_UP):
            return False
        run, state = automation.sequencer.run, automation.machine.state
        if state is PackState.EXECUTE and (run is None or run.step is not Step.HELD):
            return True
        return state in (*HELD_STATES, PackState.EXECUTE) and bool(stops & WIND_TRIPS)

    def _watch_wind(self, view: SupervisorView) -> None:
        """The wind as it blows (the simulator's truth), and whether the crane is in charge of
        its load in it (:meth:`_in_charge`)."""
        now, spell, blows = self.now(), self.wind_spell, self.sim.plant.inputs
        if blows.wind_mps + blows.gust_mps < self.params.wind_prealarm_mps:
            if spell is not None and spell.below_since is None:
                spell.below_since = now
            if spell is not None and now - (spell.below_since or now) >= SPELL_GAP_S:
                self.wind_spell = None
            return
        in_charge = self._in_charge(view)
        if spell is None:
            self.wind_spell = _WindSpell(now, in_charge, now if in_charge else None)
            return
        spell.below_since = None
        spell.note(in_charge, now)

    def _between_scans(self, view: SupervisorView) -> None:
        permits = view.permits
        if permits is not None and any(waits_for_reset(t) for t in permits.active):
            self.reset_pending = True
        self._watch_wind(view)
        run = self.automation.sequencer.run
        if (run is not None and run.step is Step.HELD) or self.automation.machine.state in PARKED:
            self.latched = True
        self._fire_due()
        self._expire()
        if self.wedge is not None:
            self._wedge_step()
        else:
            self.operator(self.desk, view)
        if self.desk.released:
            self.latched, self.desk.released, self.reset_pending = False, False, False

    # --- events

    def _here(self) -> tuple[str, str] | None:
        run = self.automation.sequencer.run
        if run is None:
            return None
        return ("deliver" if run.delivering else "collect", run.step.value)

    def _fire_due(self) -> None:
        here, now = self._here(), self.now()
        for i in list(self.pending):
            event = self.case.events[i]
            when = event.when
            if when is None:
                continue
            if here == (when.phase, when.step):
                due = now - self.entered.setdefault(i, now) >= when.after_s
            else:
                due = i in self.entered  # the step ended sooner: now
            if due and self._may_fire(event):
                self._fire(i, event)

    def _may_fire(self, event: Event) -> bool:
        action = event.action
        if isinstance(action, Command | WedgeCheck) and self.wedge is not None:
            return False  # after the wedge check under way
        return self._physical(action)

    def _physical(self, action: FaultPlan | BadValue | Command | WedgeCheck) -> bool:
        """A box's mass cannot change while it hangs: overweight waits until it stands."""
        if not isinstance(action, FaultPlan) or action.name != "overweight":
            return True
        return self.sim.plant.yard.containers[self.case.job.box].location != "spreader"

    def _fire(self, i: int, event: Event) -> None:
        if i in self.pending:
            self.pending.remove(i)
        action, now = event.action, self.now()
        self.last_activity = now
        if isinstance(action, FaultPlan):  # the wind builds up from calm: see _blow
            key = self.sim.faults.inject(action.name, **self._scaled(action, 0.0))
            if not action.one_shot:
                self.active[i] = _Active(key, now, action.lasts_s)
            self.result.faults += 1
            self._trace(f"fault {action} injected")
        elif isinstance(action, BadValue):
            key = self.sim.faults.inject(action.kind, **action.inject_args())
            self.active[i] = _Active(key, now, action.lasts_s)
            self.result.bad_values += 1
            self._trace(f"bad value {action} injected")
        elif isinstance(action, Command):
            self._command(action)
        else:
            self._start_wedge(action.via)

    def _command(self, command: Command) -> None:
        desk, who = self.desk, "random"
        if command.kind == "mode":
            assert command.mode is not None
            desk.set_mode(command.mode, command.role, who)
        elif command.kind == "cancel":
            desk.cancel(who)
        elif command.kind == "set_down":
            desk.set_down(who)
        elif command.kind == "interlock_reset":
            desk.reset_interlocks(who)
        else:
            desk.pack(PackCommand(command.kind), who)

    def _expire(self) -> None:
        for i, active in list(self.active.items()):
            action = self.case.events[i].action
            if isinstance(action, FaultPlan) and action.name == "wind":
                self._blow(i, action, active)
            elif self._over_for(active) and self._physical(action):
                self._clear(i, str(action))

    def _over_for(self, active: _Active) -> bool:
        return active.lasts_s is not None and self.now() - active.since >= active.lasts_s

    def _clear(self, i: int, what: str) -> None:
        active = self.active.pop(i)
        with contextlib.suppress(FaultError):  # already gone (a key the injector reuses)
            self.sim.faults.clear(active.key)
        self.last_activity = self.now()
        self._trace(f"{what} cleared")

    def _wind_level(self, active: _Active) -> float:
        """How much of the drawn wind blows now: it builds up and dies down over a ramp."""
        age = self.now() - active.since + self.rig.period_s
        level = min(1.0, age / WIND_RAMP_S)
        if active.lasts_s is not None:
            level = min(level, 1.0 - (age - active.lasts_s) / WIND_RAMP_S)
        return max(0.0, level)

    def _scaled(self, plan: FaultPlan, level: float) -> dict[str, object]:
        kwargs = dict(plan.params)
        if plan.name == "wind":
            for name in ("speed_mps", "gust_mps"):
                kwargs[name] = float(kwargs[name]) * level  # type: ignore[arg-type]
        return kwargs

    def _blow(self, i: int, plan: FaultPlan, active: _Active) -> None:
        level = self._wind_level(active)
        if level <= 0.0:
            self._clear(i, str(plan))
        elif level < 1.0 or self.now() - active.since <= WIND_RAMP_S:
            self.sim.faults.inject(plan.name, **self._scaled(plan, level))
            self.last_activity = self.now()

    def _persisting(self) -> list[str]:
        """Faults injected and never to be cleared, or whose clearing waits for what cannot
        happen while the box hangs (an overweight box is still overweight); one-shot ones are
        over once done."""
        return [str(a) for a, forever in self._active_faults() if forever or not self._physical(a)]

    def _active_faults(self) -> list[tuple[FaultPlan, bool]]:
        """The faults injected and active now, each with whether it is never to be cleared."""
        return [
            (a, active.lasts_s is None)
            for i, active in self.active.items()
            if isinstance(a := self.case.events[i].action, FaultPlan)
        ]

    # --- wedge checks

    def _start_wedge(self, via: str) -> None:
        self.wedge = _Wedge(via, self.now())
        self.result.wedge_checks += 1
        self._trace(f"wedge check via {via.upper()} starts")

    def _wedge_step(self) -> None:
        w = self.wedge
        assert w is not None
        state, now = self.automation.machine.state, self.now()
        if state is PackState.IDLE:
            self._trace(f"wedge check: IDLE {now - w.started:.2f} s after {w.via.upper()}")
            self.wedge, self.last_activity = None, now
            self.operator.seen.clear()
            return
        bound = wedge_bound_s(self.params)
        if now - w.started > bound:
            self.result.wedges += 1
            self._violate("wedge", f"the machine is {state.name} {now - w.started:.2f} s after "
                          f"{w.via.upper()}, not IDLE within {bound:.2f} s")  # fmt: skip
        if state in ACTING:
            return
        if state is PackState.ABORTED:
            self.desk.pack(PackCommand.CLEAR, "wedge")
        elif state in (PackState.STOPPED, PackState.COMPLETE):
            self.desk.pack(PackCommand.RESET, "wedge")
        elif not w.first_sent:
            w.first_sent = True
            self.desk.pack(PackCommand(w.via), "wedge")

    async def _wedge_check(self, via: str) -> None:
        """A wedge check run to its end (the last one of a run)."""
        self._start_wedge(via)
        self._wedge_step()
        while self.wedge is not None:
            await self._scan()

    # --- the end

    def _over(self) -> bool:
        now, a = self.now(), self.automation
        job = self.queue.get(JOB_ID)
        if job.final:
            self.ended_at = now if self.ended_at is None else self.ended_at
            return self.wedge is None and now - self.ended_at >= TAIL_S
        run = a.sequencer.run
        parked = (run is not None and run.step is Step.HELD) or a.machine.state in PARKED
        self.parked_since = (now if self.parked_since is None else self.parked_since) if parked \
            else None  # fmt: skip
        settling = any(v.lasts_s is not None for v in self.active.values())
        if self.parked_since is not None and not settling and self.wedge is None:
            quiet = now - max(self.parked_since, self.last_activity, self._accepted())
            if quiet >= PATIENCE_S:
                return True
        return now - self.last_activity >= CAP_S

    def _accepted(self) -> float:
        """Job time of the last command accepted."""
        return self.desk.last_accepted - self.t0

    def _judge_end(self) -> None:
        """The rules for the end of a run (see the module docstring)."""
        plant, model = self.sim.plant, self.automation.yard
        tol = self.params.stacking_tolerance_m
        in_hands = self._in_the_cranes_hands()
        for cid, c in plant.yard.containers.items():
            if (c.x_m, c.y_m) == self.start_xy[cid] or c.location == "spreader" or c is in_hands:
                continue  # not moved, or on the spreader or locked to it (judged below)
            box = model.boxes.get(cid)
            if box is None:
                self._violate("end_state", f"box {cid} stands at {c.location} but the yard "
                              "model has lost it")  # fmt: skip
                return
            if c.location != box.slot:
                self._violate("end_state", f"box {cid} stands at {c.location} but the yard "
                              f"model has it at {box.slot}")  # fmt: skip
            cx, cy = model.centre(box)
            if abs(c.x_m - cx) > tol or abs(c.y_m - cy) > tol:
                self._violate("end_state", f"box {cid} set down {c.x_m - cx:+.3f} m, "
                              f"{c.y_m - cy:+.3f} m off the centre of {box.slot} (tolerance "
                              f"{tol} m)")  # fmt: skip
        rise = plant.yard.trailer_rise_m()
        if rise > 0.0 and not self._kept_from_lowering():
            self._violate(
                "end_state", f"a trailer hangs {rise:.2f} m up on box {self.case.job.box}"
            )
        self._judge_job()

    def _kept_from_lowering(self) -> bool:
        """A trailer the trial lift raised with its box stays up at the end only while the
        crane cannot set it back down: the move held, and a fault that never clears (other than
        the trailer's own locks) keeps the hoist from lowering: the e-stop chain open, the hoist
        drive faulted, the link down, or a trip that blocks lowering (case 1040794: the e-stop
        opened, for good, 0.05 s into setting the box and its trailer back down)."""
        run, view = self.automation.sequencer.run, self.view
        if run is None or run.step is not Step.HELD or view is None:
            return False
        persisting = any(
            forever and a.name != "truck_lifted" for a, forever in self._active_faults()
        )
        s, permits = view.snapshot, view.permits
        blocked = (
            not s.comms_ok
            or permits is None
            or not s.flag("plc.estop_ok", unsafe=False)
            or s.flag("hoist.fault", unsafe=True)
            or not permits.allowed(Motion.HOIST_DOWN)
        )
        return persisting and blocked

    def _in_the_cranes_hands(self) -> object:
        """The job's box set down but still locked to the spreader while its job has not
        ended (held during the landing, case 1000427: the PLC went to local control as the box
        touched down): the yard model still has it where the job took it from until the job
        hands it over, so it is judged as the job's box (:meth:`_judge_job`), not as a box
        standing in the yard."""
        plant, job = self.sim.plant, self.queue.get(JOB_ID)
        engaged = plant.engaged
        if engaged is None or job.final or not any(plant.spreader.locked()):
            return None
        return engaged

    def _stopped_again_and_again(self) -> bool:
        """A gusty wind that never calms stops the move again and again, and the operator resumes
        it each time: the run may end between a resume and the next wind stop (case 1000238:
        18.1 m/s gusting to 20.1 m/s, a wind stop every 12 s for 240 s)."""
        last = self.wind_stopped_at
        return self._gusting() and last is not None and self.now() - last <= PATIENCE_S

    def _gusting(self) -> bool:
        """A gusty wind that never calms still blows: a landing waits over its goal for the
        swing to settle (case 1242: 17.6 m/s, 2 m/s gusts every 12 s, never cleared)."""
        return any(
            isinstance(a := self.case.events[i].action, FaultPlan) and a.name == "wind"
            for i in self.active
        )

    def _judge_job(self) -> None:
        job, box_id = self.queue.get(JOB_ID), self.case.job.box
        box = self.sim.plant.yard.containers[box_id]
        hanging = box.location == "spreader"
        locked = self.sim.plant.spreader.all_locked()
        if job.state is JobState.DONE:
            if box.location != self.case.job.to:
                self._violate("end_state", f"job DONE but box {box_id} is at {box.location}")
            return
        if job.final:
            if not job.reason:
                self._violate("end_state", f"job {job.state.name} without a reason")
            taken = self.automation.carried == box_id
            if hanging and not (taken and locked):
                how = "" if locked else " not locked"
                self._violate("end_state", f"job {job.state.name} ({job.reason}) with box "
                              f"{box_id} left hanging{how}")  # fmt: skip
            return
        run = self.automation.sequencer.run
        held = run is not None and run.step in (Step.HELD, Step.SETTLE)
        held |= run is not None and run.step is Step.LOWER and self._gusting()
        waits = run is not None and run.step is Step.TRIAL_LIFT and bool(run.lift_waits)
        held |= waits and self._gusting()
        held |= self._stopped_again_and_again()
        persisting = self._persisting()
        if not persisting or not held:
            step = "no run" if run is None else run.step.value
            active = "; ".join(str(self.case.events[i].action) for i in self.active) or "none"
            self._violate("stuck", f"the job never ended: {job.state.name}, sequencer in {step}; "
                          f"faults still active: {active}")  # fmt: skip
        if hanging and not locked:
            self._violate("end_state", "job held with the box hanging on fewer than four locked "
                          "twistlocks")  # fmt: skip


def _wind_tripped(view: SupervisorView) -> bool:
    """A wind stop or storm is active (and not bypassed)."""
    permits = view.permits
    return permits is not None and any(
        t.id in WIND_TRIPS and not t.bypassed for t in permits.active
    )
