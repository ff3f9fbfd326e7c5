"""What every job controller shares, ours and the benchmark's naive baseline. Pure.

A job controller (a Supervisor sequencer hook) works with one crane (:class:`CraneContext`: its
parameters, the yard model, the settings, the rope as the sway sensor has shown it, where its
events go, where its slow work is done) and runs one job at a time (:class:`JobSlot`: the run,
how the last job ended, the path-clear height the travel interlock reads). Both are parts a
controller is built of, not a base class it extends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from crane_ctrl.commands import Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.rope_calibration import RopeCalibration
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer.model import Outcome, SequencerSettings
from crane_ctrl.sequencer.planning import Background, InlinePlanner, Planner
from crane_ctrl.sequencer.sway_step import SensorStep
from crane_ctrl.sequencer.transfer import Transfer

__all__ = ["CraneContext", "EventSink", "JobSlot"]

EventSink = Callable[[dict[str, object]], None]
"""Where a controller's events go (the journal, a test's list)."""


@dataclass(frozen=True, slots=True)
class CraneContext:
    """The crane a controller works with: the same for every job it runs."""

    params: CraneParams
    yard: YardModel
    settings: SequencerSettings
    on_event: EventSink | None = None
    rope: RopeCalibration = field(default_factory=RopeCalibration)
    """What the sway sensor has shown of the real rope length (kept across jobs)."""
    sway_step: SensorStep = field(default_factory=SensorStep)
    """What the sway sensor's readings have shown of its step (kept across jobs)."""
    planner: Planner = field(default_factory=InlinePlanner)
    """Where leg plans and rope fits are worked out, away from the scan
    (:mod:`crane_ctrl.sequencer.planning`); inline (at once) unless the runtime gives a pool."""
    background: Background = field(default_factory=Background)
    """Work whose result is taken in when it comes (rope fits), polled every scan."""

    def emit(self, event: dict[str, object]) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def rope_params(self, loaded: bool) -> CraneParams:
        """The crane's parameters with the rope as the sway sensor has shown it."""
        return self.rope.params(self.params, loaded)


class _JobRun(Protocol):
    transfer: Transfer
    delivering: bool


R = TypeVar("R", bound=_JobRun)


class JobSlot(Generic[R]):
    """The one job a controller runs (``run``, ``None`` between jobs), how the last one ended
    (``outcome``), and the path-clear height the travel interlock reads (``clear_below_m``);
    the step and outcome events."""

    def __init__(self, crane: CraneContext) -> None:
        self.crane = crane
        self.run: R | None = None
        self.outcome: tuple[str, Outcome, str] | None = None
        """(job id, outcome, reason) of the last finished job."""
        self.clear_below_m: float | None = None
        """Read by the supervisor for the travel-height interlock."""

    def step_event(self, run: R, step: str, now: float, reason: str) -> dict[str, object]:
        """Announce that ``run`` entered ``step``; the event, for the caller to keep."""
        event: dict[str, object] = {"time": now, "job": run.transfer.job_id, "step": step,
                 "reason": reason, "phase": "deliver" if run.delivering else "collect"}  # fmt: skip
        self.crane.emit(event)
        return event

    def finish(self, outcome: Outcome, reason: str, now: float) -> Commands:
        """End the job with ``outcome``: the outcome event, and the slot free for the next."""
        run = self.run
        assert run is not None
        self.outcome = (run.transfer.job_id, outcome, reason)
        self.crane.emit({"time": now, "job": run.transfer.job_id, "outcome": str(outcome),
                         "reason": reason})  # fmt: skip
        self.drop()
        return Commands(drives_enable=True)

    def drop(self) -> None:
        """Forget the job (no event): the slot free, nothing for the travel interlock."""
        self.run = None
        self.clear_below_m = None
