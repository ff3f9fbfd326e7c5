"""One run of a scenario, whatever drives the scans: the automation, the journal, the script of
faults and operator actions, and the record of every scan.

The runner builds the supervisor around :attr:`Session.automation` and :attr:`Session.journal`,
then calls :meth:`before_scan` (faults and actions fall due; ``False`` while the rig's
``supervisor_freeze`` holds the supervisor still) and :meth:`after_scan` around each scan, until
:meth:`done`. Conditions are judged on the last scan's sample. Time is crane time since the start,
from the clock the supervisor uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from crane_ctrl.automation import Automation
from crane_ctrl.clock import Clock
from crane_ctrl.interlock_catalogue import InterlockSettings
from crane_ctrl.invariants import WRITTEN, broken_invariants, plc_mismatch
from crane_ctrl.jobs import JobQueue
from crane_ctrl.machine import CommandRefused, PackCommand
from crane_ctrl.rig.conditions import Condition, Scalar
from crane_ctrl.rig.expectations import SPEED_REFS, slot_text
from crane_ctrl.rig.injection import Injector
from crane_ctrl.rig.loading import Scenario
from crane_ctrl.rig.scenario import RIG_FAULTS, ActionEntry, FaultEntry
from crane_ctrl.rig.timeline import EventLog, Firing, Observed, Sample
from crane_ctrl.rig.vocabulary import derived, signal_values
from crane_ctrl.supervisor import Supervisor, SupervisorView
from crane_ctrl.testing import yard_model_of
from simulators.faults import FaultError
from simulators.simulator import CraneSimulator
from simulators.site_file import parse_slot

__all__ = ["Session"]

_EPS = 1e-9


@dataclass
class _Scripted:
    """A fault or an action of the script and how far it got."""

    index: int
    fired_s: float | None = None
    key: str | None = None
    cleared_s: float | None = None
    note: str = ""
    """Why it did not fire (or its clearing failed)."""
    pending_s: float | None = None
    """Since when an action's condition has held."""


class Session:
    """The scenario's script and record around one supervisor."""

    def __init__(
        self, scenario: Scenario, injector: Injector, sim: CraneSimulator | None = None
    ) -> None:
        self.scenario = scenario
        self.spec = scenario.spec
        self.injector = injector
        self.sim = sim
        self.clock: Clock | None = None
        """The supervisor's (from :meth:`attach`)."""
        self._t0 = 0.0
        self.journal = EventLog(self.now)
        site = scenario.site
        self.queue = JobQueue(site.site, site.crane)
        for job in self.spec.jobs:
            self.queue.add(
                parse_slot(job.from_slot),
                parse_slot(job.to),
                scenario.job_sizes[job.id],
                0.0,
                job_id=job.id,
                declared_mass_t=job.mass_t,
            )
        self.automation = Automation(
            site.crane, yard_model_of(site), self.queue, mode=scenario.mode, on_event=self._event
        )
        self.supervisor: Supervisor | None = None
        self.observed = Observed(model_faults=None if sim is None else [])
        self._faults = [_Scripted(i) for i in range(len(self.spec.faults))]
        self._actions = [_Scripted(i) for i in range(len(self.spec.actions))]
        self._started = 0
        self._frozen_until = -1.0
        self._ending_at: float | None = None
        self._plc_before: dict[str, object] = {}
        self._limits: InterlockSettings | None = None
        self._resolution: dict[str, float] = {}
        self._trusted = False
        """The supervisor has trusted its data once: from then on trips count."""
        """One count of each scaled speed reference: how far the PLC's value may be off."""

    def now(self) -> float:
        """Crane time since the start (the supervisor was attached), s."""
        return 0.0 if self.clock is None else self.clock.now() - self._t0

    def attach(self, supervisor: Supervisor) -> None:
        """Run the script around ``supervisor`` (built with :attr:`automation` and
        :attr:`journal`); the scenario's time starts now."""
        self.supervisor = supervisor
        self.clock = supervisor.clock
        self._t0 = supervisor.clock.now()
        self._limits = supervisor.interlock_settings
        signals = supervisor.profile.signals
        self._resolution = {n: abs(signals[n].scale) for n in SPEED_REFS if signals[n].scaled}

    # --- around each scan

    async def before_scan(self) -> bool:
        """Fire what has fallen due; ``False``: the supervisor is frozen, skip this scan."""
        last = self.observed.samples[-1] if self.observed.samples else None
        for item, fault in zip(self._faults, self.spec.faults, strict=True):
            await self._fault(item, fault, last)
        for item, action in zip(self._actions, self.spec.actions, strict=True):
            self._action(item, action, last)
        if self.sim is not None:
            self._plc_before = {k: self.sim.plc.commands[k] for k in WRITTEN}
        return self.now() >= self._frozen_until

    def after_scan(self, view: SupervisorView) -> None:
        self._start_automatic(view)
        sample = self._sample(view)
        self.observed.samples.append(sample)
        self._model_faults()
        if self._ending_at is None and self._ending(sample):
            self._ending_at = sample.time_s

    def done(self) -> bool:
        now = self.now()
        if now >= self.spec.duration_s:
            self.observed.ended_by = f"duration {self.spec.duration_s:g} s"
            return True
        if self._ending_at is not None and now - self._ending_at >= self.spec.tail_s:
            what = "stop_when held" if self.spec.stop_when else "every job ended"
            self.observed.ended_by = what
            return True
        return False

    def finish(self) -> Observed:
        """The record, with how things stand at the end."""
        o = self.observed
        o.end_s = self.now()
        o.journal = list(self.journal.entries)
        o.jobs = {j.id: (j.state.value, j.reason) for j in self.queue.jobs()}
        faults = list(zip(self.spec.faults, self._faults, strict=True))
        o.faults = [_firing(f"fault {s.index + 1} ({f.fault})", s, "injected") for f, s in faults]
        o.clears = [
            Firing(
                f"clearing of fault {s.index + 1} ({f.fault})",
                s.cleared_s,
                s.note if s.cleared_s is not None else "its time or condition never came",
            )
            for f, s in faults
            if f.clear_at_s or f.clear_after_s or f.clear_when
        ]
        actions = zip(self.spec.actions, self._actions, strict=True)
        o.actions = [_firing(f"action {s.index + 1} ({a.action})", s, "acted") for a, s in actions]
        if self.sim is not None:
            o.containers = {
                cid: _where(c.location) for cid, c in self.sim.plant.yard.containers.items()
            }
        return o

    # --- the script

    async def _fault(self, item: _Scripted, fault: FaultEntry, last: Sample | None) -> None:
        now = self.now()
        if item.fired_s is None:
            if _due(fault.at_s, self._when(("faults", item.index, "when")), now, last):
                await self._inject(item, fault, now)
            return
        if item.cleared_s is not None or item.key is None:
            return
        clear_at = fault.clear_at_s
        if fault.clear_after_s is not None:
            clear_at = item.fired_s + fault.clear_after_s
        if _due(clear_at, self._when(("faults", item.index, "clear_when")), now, last):
            item.cleared_s = now
            try:
                await self.injector.clear(item.key)
            except FaultError as exc:
                item.note = f"clearing failed: {exc}"

    async def _inject(self, item: _Scripted, fault: FaultEntry, now: float) -> None:
        item.fired_s = now
        if fault.fault in RIG_FAULTS:
            self._frozen_until = now + float(fault.params["seconds"])
            item.key = None
            return
        if self.injector.skipped:
            item.fired_s, item.note = None, self.injector.skipped
            return
        try:
            item.key = await self.injector.inject(fault.fault, fault.params)
        except FaultError as exc:
            item.fired_s, item.note = None, f"failed: {exc}"
        else:
            self.journal.record("rig", "fault", fault=fault.fault, params=dict(fault.params))

    def _action(self, item: _Scripted, action: ActionEntry, last: Sample | None) -> None:
        now = self.now()
        if item.fired_s is not None and action.repeat_s is None:
            return
        if action.at_s is not None:
            due = now >= action.at_s - _EPS
        else:
            again = item.fired_s is None or now - item.fired_s >= (action.repeat_s or 0.0) - _EPS
            due = self._held_for(item, action.delay_s, now, last) and again
        if not due:
            return
        item.fired_s, item.pending_s = now, None
        refused = self._act(action.action, now)
        self.journal.record("operator", action.action, user="rig", refused=refused)

    def _held_for(self, item: _Scripted, delay_s: float, now: float, last: Sample | None) -> bool:
        """Whether the action's condition has held (on the last sample) for ``delay_s``."""
        when = self._when(("actions", item.index, "when"))
        if when is None or last is None or not when.holds(last.value):
            item.pending_s = None
            return False
        item.pending_s = now if item.pending_s is None else item.pending_s
        return now - item.pending_s >= delay_s - _EPS

    def _act(self, action: str, now: float) -> str:
        assert self.supervisor is not None, "attach() the supervisor first"
        try:
            if action == "reset":
                self.supervisor.request_reset("rig")
            elif action == "acknowledge":
                self.supervisor.acknowledge(None, "rig")
            else:
                self.automation.command(PackCommand(action), now + self._t0, "rig operator")
        except CommandRefused as exc:
            return str(exc)
        return ""

    def _when(self, key: tuple[str | int, ...]) -> Condition | None:
        return self.scenario.conditions.get(tuple(str(k) for k in key))

    # --- recording

    def _start_automatic(self, view: SupervisorView) -> None:
        """RESET at the first trusted scan, START at the next: the crane takes the jobs."""
        if self._started >= 2 or not view.snapshot.comms_ok:
            return
        command = PackCommand.RESET if self._started == 0 else PackCommand.START
        try:
            self.automation.command(command, view.snapshot.time_s)
        except CommandRefused as exc:
            self.journal.record("rig", "start", refused=str(exc))
        self._started += 1

    def _sample(self, view: SupervisorView) -> Sample:
        values: dict[str, Scalar | None] = dict(
            signal_values(view.snapshot, view.commands, view.heartbeat)
        )
        values.update(derived(view.snapshot, view.commands))
        values.update(self._automation_values(round(view.snapshot.time_s - self._t0, 6)))
        broken = []
        if self._limits is not None:
            broken = broken_invariants(view.snapshot, view.commands, self._limits)
        plc_refs = None
        if self.sim is not None:
            plc = self.sim.plc.commands
            plc_refs = (
                float(plc[SPEED_REFS[0]]),
                float(plc[SPEED_REFS[1]]),
                float(plc[SPEED_REFS[2]]),
            )
            changed = any(plc[k] != v for k, v in self._plc_before.items())
            mismatch = plc_mismatch(plc, view.commands, self._resolution) if changed else None
            broken += [mismatch] if mismatch else []
        self._trusted |= view.snapshot.comms_ok
        trips: frozenset[str] = frozenset()
        if self._trusted and view.permits is not None:
            trips = frozenset(t.id for t in view.permits.active if not t.fail_safe)
        alarms = frozenset(a.id for a in view.alarms if a.active)
        time_s = values["time"]
        assert isinstance(time_s, float)
        return Sample(time_s, values, trips, alarms, tuple(broken), plc_refs)

    def _automation_values(self, time_s: float) -> dict[str, Scalar]:
        run = self.automation.sequencer.run
        values: dict[str, Scalar] = {
            "time": time_s,
            "step": "idle" if run is None else run.step.value,
            "phase": "none" if run is None else "deliver" if run.delivering else "collect",
            "machine": self.automation.machine.state.value,
        }
        values.update({f"job.{j.id}": j.state.value for j in self.queue.jobs()})
        return values

    def _model_faults(self) -> None:
        faults = self.observed.model_faults
        if self.sim is None or faults is None:
            return
        for fault in self.sim.model_faults[len(faults) :]:
            faults.append((self.now(), f"{fault.kind}: {fault.reason}"))

    def _ending(self, sample: Sample) -> bool:
        if self.spec.stop_when is not None:
            return self.scenario.condition("stop_when").holds(sample.value)
        jobs = self.queue.jobs()
        return bool(jobs) and all(j.final for j in jobs)

    def _event(self, event: dict[str, object]) -> None:
        values = dict(event)
        kind = str(values.pop("kind", "automation"))
        subject = str(values.get("job", values.get("to", "")))
        self.journal.record(kind, subject, **values)


def _firing(what: str, item: _Scripted, verb: str) -> Firing:
    note = item.note
    if item.fired_s is None and not note:
        note = f"never {verb}: its time or condition never came"
    return Firing(what, item.fired_s, note)


def _due(at_s: float | None, when: Condition | None, now: float, last: Sample | None) -> bool:
    if at_s is not None:
        return now >= at_s - _EPS
    return when is not None and last is not None and when.holds(last.value)


def _where(location: object) -> str:
    if location is None:
        return "nowhere (set down badly)"
    if isinstance(location, str):
        return location
    return slot_text(location)  # type: ignore[arg-type]
