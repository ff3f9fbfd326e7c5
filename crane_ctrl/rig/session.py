"""One run of a scenario, whatever drives the scans: the automation, the journal, the script of
faults and operator actions (:mod:`~crane_ctrl.rig.script`), and the record of every scan.

The runner builds the supervisor around :attr:`Session.automation` and :attr:`Session.journal`,
attaches it (:meth:`~Session.attach`), then calls :meth:`~Session.before_scan` (the script plays;
``False`` while the rig's ``supervisor_freeze`` holds the supervisor still) and
:meth:`~Session.after_scan` around each scan until :meth:`~Session.done`. The rig's operator
sends RESET at the first trusted scan and START at the next, then only what the script says.
Time is crane time since :meth:`~Session.attach`, from the clock the supervisor uses.
"""

from __future__ import annotations

from typing import Literal

from crane_ctrl.clock import Clock
from crane_ctrl.interlocks.catalogue import InterlockSettings
from crane_ctrl.interlocks.invariants import WRITTEN, broken_invariants, plc_mismatch
from crane_ctrl.operation.jobs import JobQueue
from crane_ctrl.operation.machine import CommandRefused, PackCommand
from crane_ctrl.rig.conditions import Scalar
from crane_ctrl.rig.expectations import SPEED_REFS, slot_text
from crane_ctrl.rig.injection import Injector
from crane_ctrl.rig.loading import Scenario
from crane_ctrl.rig.operator import operate
from crane_ctrl.rig.scenario import ActionEntry
from crane_ctrl.rig.script import Script
from crane_ctrl.rig.timeline import EventLog, Observed, Sample
from crane_ctrl.rig.vocabulary import derived, signal_values
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorView
from crane_ctrl.signals import Value
from crane_ctrl.site import Slot, parse_slot
from simulators.simulator import CraneSimulator
from simulators.site_file import yard_model_of

__all__ = ["Session"]


UNTRUSTED_LIMIT_S = 20.0
"""A run whose supervisor never trusts the PLC's data this long ends, saying why (a wrong URL or
profile), instead of waiting out the scenario's duration."""


class Session:
    """The scenario's script and record around one supervisor."""

    def __init__(
        self, scenario: Scenario, injector: Injector, sim: CraneSimulator | None = None
    ) -> None:
        self.scenario = scenario
        self.spec = scenario.spec
        self.sim = sim
        """The bundled simulator, when the rig can look inside it."""
        self.clock: Clock | None = None
        """The supervisor's (from :meth:`attach`)."""
        self.supervisor: Supervisor | None = None
        self.journal = EventLog(self.now)
        self.queue = _queue(scenario)
        site = scenario.site
        self.automation = Automation(
            site.crane, yard_model_of(site), self.queue, mode=scenario.mode, on_event=self._event
        )
        self.script = Script(scenario, injector, self.journal, self._act)
        self.observed = Observed(model_faults=None if sim is None else [])
        self._t0 = 0.0
        self._started = 0
        self._ending_at: float | None = None
        self._plc_before: dict[str, Value] = {}
        self._sent: dict[str, Value] = {}
        """What the supervisor last really sent per command (its write semantics)."""
        self._limits: InterlockSettings | None = None
        self._resolution: dict[str, float] = {}
        """One count of each scaled speed reference: how far the PLC's value may be off."""
        self._trusted = False
        """The supervisor has trusted its data once: from then on trips count."""
        self._untrusted_why = ""

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
        """Play the script; ``False``: the supervisor is frozen, skip this scan."""
        last = self.observed.samples[-1] if self.observed.samples else None
        await self.script.play(self.now(), last)
        if self.sim is not None:
            self._plc_before = {k: self.sim.plc.commands[k] for k in WRITTEN}
        return self.now() >= self.script.frozen_until

    def after_scan(self, view: SupervisorView) -> None:
        self._start_automatic(view)
        sample = self._sample(view)
        self.observed.samples.append(sample)
        self._model_faults()
        if self._ending_at is None and self._ending(sample):
            self._ending_at = sample.time_s

    def done(self) -> bool:
        now = self.now()
        if not self._trusted and now >= UNTRUSTED_LIMIT_S:
            self.observed.ended_by = (
                f"no trusted data from the PLC within {UNTRUSTED_LIMIT_S:g} s "
                f"({self._untrusted_why or 'no scan'}): check the URL, the profile and the PLC"
            )
            return True
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
        o.faults, o.clears, o.actions = self.script.firings()
        if self.sim is not None:
            yard = self.sim.plant.yard
            o.containers = {cid: _where(c.location) for cid, c in yard.containers.items()}
        return o

    # --- the rig's operator

    def _act(self, action: ActionEntry, now: float) -> str:
        """An action of the script (:func:`~.operator.operate`); why it was refused ("" if it
        was not)."""
        assert self.supervisor is not None, "attach() the supervisor first"
        try:
            operate(action, self.supervisor, self.automation, now + self._t0)
        except CommandRefused as exc:
            return str(exc)
        return ""

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

    # --- recording

    def _sample(self, view: SupervisorView) -> Sample:
        time_s = round(view.snapshot.time_s - self._t0, 6)
        values: dict[str, Scalar | None] = dict(
            signal_values(view.snapshot, view.commands, view.heartbeat)
        )
        values.update(derived(view.snapshot, view.commands))
        values.update(self._automation_values(time_s))
        broken = []
        if self._limits is not None:
            broken = broken_invariants(view.snapshot, view.commands, self._limits)
        plc_refs, mismatch = self._plc_check(view)
        broken += [mismatch] if mismatch else []
        self._trusted |= view.snapshot.comms_ok
        if not self._trusted:
            link = view.link
            self._untrusted_why = link.last_error or view.snapshot.comms_reason or str(link.state)
        trips: frozenset[str] = frozenset()
        if self._trusted and view.permits is not None:
            trips = frozenset(t.id for t in view.permits.active if not t.fail_safe)
        alarms = frozenset(a.id for a in view.alarms if a.active)
        return Sample(time_s, values, trips, alarms, tuple(broken), plc_refs)

    def _plc_check(
        self, view: SupervisorView
    ) -> tuple[tuple[float, float, float] | None, str | None]:
        """The references the PLC holds, and how they differ from what was just written if the
        PLC's commands changed this scan (they may change only to what was written)."""
        if self.sim is None:
            return None, None
        plc = self.sim.plc.commands
        gantry, trolley, hoist = (float(plc[name]) for name in SPEED_REFS)
        self._sent.update(view.written)
        changed = any(plc[k] != v for k, v in self._plc_before.items())
        _, back = self.sim.written_back()
        mismatch = None
        if changed:
            mismatch = plc_mismatch(
                plc, view.commands, self._resolution, sent=self._sent, written_back=back
            )
        return (gantry, trolley, hoist), mismatch

    def _automation_values(self, time_s: float) -> dict[str, Scalar]:
        run = self.automation.sequencer.run
        values: dict[str, Scalar] = {
            "time": time_s,
            "step": "idle" if run is None else run.step.value,
            "phase": "none" if run is None else "deliver" if run.delivering else "collect",
            "machine": self.automation.machine.state.value,
            "mode": self.automation.mode.value,
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
        """The automation's events into the journal (kind ``sequence``, ``job``, ``machine``)."""
        values = dict(event)
        kind = str(values.pop("kind", "automation"))
        subject = str(values.get("job", values.get("to", "")))
        self.journal.record(kind, subject, **values)


def _queue(scenario: Scenario) -> JobQueue:
    site = scenario.site
    queue = JobQueue(site.site, site.crane)
    for job in scenario.spec.jobs:
        source, to = parse_slot(job.from_slot), parse_slot(job.to)
        size = scenario.job_sizes[job.id]
        queue.add(source, to, size, 0.0, job_id=job.id, declared_mass_t=job.mass_t)
    return queue


def _where(location: Slot | Literal["spreader"] | None) -> str:
    if location is None:
        return "nowhere (set down badly)"
    return location if isinstance(location, str) else slot_text(location)
