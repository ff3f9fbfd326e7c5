"""Job progress as text lines, for the headless demo and CI: one line per job step.

:meth:`Progress.update` takes each new :class:`~crane_ctrl.runtime.station.StationView` and returns
the lines to print: the machine state when it changes, the job, its TIC state and step when they
change, a ``LIFTED`` line once a container hangs locked on the spreader and has been hoisted
clear, and each job's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crane_ctrl.operation.jobs import JobState
from crane_ctrl.runtime.station import StationView
from crane_ctrl.snapshot import Snapshot

__all__ = ["LIFT_CLEAR_M", "Progress", "all_locked"]

LIFT_CLEAR_M = 1.0
"""A container counts as lifted once hoisted this far above where it was locked."""


def all_locked(snapshot: Snapshot) -> bool:
    """All four twistlocks confirmed locked (good quality)."""
    return all(snapshot.flag(f"spreader.locked_{c}", unsafe=False) for c in (1, 2, 3, 4))


@dataclass(slots=True)
class Progress:
    """Remembers what was said, so that each change is said once."""

    _machine: str = ""
    _step: tuple[str, str, str] | None = None
    _picked_at: dict[str, float] = field(default_factory=dict)
    _lifted: set[str] = field(default_factory=set)
    _finished: set[str] = field(default_factory=set)

    def update(self, view: StationView) -> list[str]:
        lines = self._machine_line(view)
        job = view.job
        if job is not None:
            step = (job.id, str(job.state), view.step or "")
            if step != self._step:
                self._step = step
                pct = "" if view.progress is None else f" ({view.progress:.0%})"
                lines.append(f"{job.id} {job.from_slot} -> {job.to_slot}: {job.state}, "
                             f"step {view.step or '-'}{pct}")  # fmt: skip
            lines += self._lift_line(view)
        for done in view.finished:
            if done.id not in self._finished:
                self._finished.add(done.id)
                why = f" ({done.reason})" if done.reason else ""
                lines.append(f"{done.id} {str(done.state).upper()}{why}")
        return lines

    def _machine_line(self, view: StationView) -> list[str]:
        state = f"{view.mode.name} {view.machine.name}"
        if state == self._machine:
            return []
        self._machine = state
        reason = f" ({view.machine_reason})" if view.machine_reason else ""
        return [f"machine {state}{reason}"]

    def _lift_line(self, view: StationView) -> list[str]:
        job, snapshot = view.job, view.supervisor.snapshot
        hoist = snapshot.number("hoist.position")
        if job is None or hoist is None or job.id in self._lifted:
            return []
        if job.state is JobState.READY_TO_COLLECT and view.step == "lock":
            self._picked_at[job.id] = hoist
        picked = self._picked_at.get(job.id)
        delivering = job.state is JobState.MOVING_TO_DELIVER
        if picked is None or not delivering or not all_locked(snapshot):
            return []
        if hoist < picked + LIFT_CLEAR_M:
            return []
        self._lifted.add(job.id)
        return [f"LIFTED {job.id}: container locked and hoisted {picked:.1f} -> {hoist:.1f} m"]
