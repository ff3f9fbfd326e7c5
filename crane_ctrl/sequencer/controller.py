"""What every job controller shares, ours and the benchmark's naive baseline. Pure.

A job controller (a Supervisor sequencer hook) works with one crane (:class:`CraneContext`: its
parameters, the yard model, the settings, the rope as the sway sensor has shown it, where its
events go, where its slow work is done; the crane's own time limits and wind stop reaction, as
the settings leave them to the crane) and runs one job at a time (:class:`JobSlot`: the run,
how the last job ended, the path-clear height the travel interlock reads). Both are parts a
controller is built of, not a base class it extends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

from crane_ctrl.commands import Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.rope_calibration import RopeCalibration
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer.model import Outcome, SequencerSettings
from crane_ctrl.sequencer.planning import Background, InlinePlanner, Planner
from crane_ctrl.sequencer.transfer import Transfer
from crane_ctrl.sway_step import SensorStep

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

    @property
    def lock_timeout_s(self) -> float:
        """Twistlocks confirm locked (or unlocked) within this of the request, s: the crane's
        ``twistlock_confirm_timeout_s`` unless the settings override it."""
        given = self.settings.lock_timeout_s
        return self.params.twistlock_confirm_timeout_s if given is None else given

    @property
    def landed_timeout_s(self) -> float:
        """Landed confirms within this after creep starts (plus the creep itself), s: the
        crane's ``landed_confirm_timeout_s`` unless the settings override it."""
        given = self.settings.landed_timeout_s
        return self.params.landed_confirm_timeout_s if given is None else given

    @property
    def telescope_timeout_s(self) -> float:
        """The empty spreader is the box's size within this of the job's start, s: the crane's
        ``telescope_timeout_s`` unless the settings override it."""
        given = self.settings.telescope_timeout_s
        return self.params.telescope_timeout_s if given is None else given

    @property
    def trial_lift_m(self) -> float:
        """Drum travel of the trial lift, m: the settings' ``trial_lift_m``, or the crane's rope
        stretch plus its truck-lift trip height if that is more (a truck lifted with its box
        must rise past the trip before the trial lift ends)."""
        needed = self.params.rope_stretch_m + self.params.truck_lift_threshold_m
        return max(self.settings.trial_lift_m, needed)

    @property
    def on_wind_stop(self) -> Literal["secure", "raise_clear"]:
        """What a wind stop does with a hanging load: the crane's ``wind_stop_reaction``
        unless the settings override it (see :mod:`crane_ctrl.sequencer.wind`)."""
        given = self.settings.on_wind_stop
        return self.params.wind_stop_reaction if given is None else given

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
