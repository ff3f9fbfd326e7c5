"""Jobs: move one container from one slot to another; the queue; and why a job cannot start.

Job states follow TIC 4.0's job stepping; the sequencer moves a job on, nothing here moves the
crane::

    QUEUED -> MOVING_TO_COLLECT -> READY_TO_COLLECT -> MOVING_TO_DELIVER -> READY_TO_DELIVER -> DONE
    QUEUED -> CANCELLED;   every active state -> FAILED or CANCELLED, always with a reason

* MOVING_TO_COLLECT: the empty spreader goes to the source and lowers until Landed on the box.
* READY_TO_COLLECT: landed on it: lock and confirm Locked.
* MOVING_TO_DELIVER: from the first slow lift (load checks) on: hoist, travel, lower, land.
* READY_TO_DELIVER: landed at the destination: unlock, confirm Unlocked, hoist the spreader clear.
* DONE: the container is handed over.

:func:`check_start` is the "why no automatic start" word: each blocker a sentence the operator
understands, naming the interlock where one blocks. The sequencer passes what it knows each scan
(see its docstring), with its :class:`~crane_ctrl.operation.yard_model.YardModel` for what stands
where.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple, TypedDict

from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import JobRefused
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.operation.machine import (
    AUTOMATIC_MODES,
    Mode,
    ModeRules,
    ModeSettings,
    PackState,
    way_on,
)
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.site import CONTAINER_SIZES, SiteLayout, Slot
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "ACTIVE",
    "FINAL",
    "JOB_TRANSITIONS",
    "START_BLOCKING",
    "START_STATES",
    "Job",
    "JobEvent",
    "JobQueue",
    "JobRefused",
    "JobState",
    "JobStep",
    "StartCheck",
    "check_start",
    "start_blockers",
]


class JobState(StrEnum):
    QUEUED = "queued"
    MOVING_TO_COLLECT = "moving_to_collect"
    READY_TO_COLLECT = "ready_to_collect"
    MOVING_TO_DELIVER = "moving_to_deliver"
    READY_TO_DELIVER = "ready_to_deliver"
    INTERRUPTED = "interrupted"
    """Stopped or aborted by the operator mid-job: resumed by START (planned again from where
    the crane is), set down below, or taken over by hand (then failed)."""
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


_J = JobState
_ENDS = frozenset({_J.FAILED, _J.CANCELLED, _J.INTERRUPTED})
JOB_TRANSITIONS: Mapping[JobState, frozenset[JobState]] = MappingProxyType({
    _J.QUEUED: frozenset({_J.MOVING_TO_COLLECT, _J.CANCELLED}),
    _J.MOVING_TO_COLLECT: frozenset({_J.READY_TO_COLLECT}) | _ENDS,
    _J.READY_TO_COLLECT: frozenset({_J.MOVING_TO_DELIVER}) | _ENDS,
    _J.MOVING_TO_DELIVER: frozenset({_J.READY_TO_DELIVER}) | _ENDS,
    _J.READY_TO_DELIVER: frozenset({_J.DONE}) | _ENDS,
    _J.INTERRUPTED: frozenset({_J.MOVING_TO_COLLECT, _J.READY_TO_COLLECT, _J.MOVING_TO_DELIVER,
                               _J.READY_TO_DELIVER, _J.FAILED, _J.CANCELLED}),
    _J.DONE: frozenset(), _J.FAILED: frozenset(), _J.CANCELLED: frozenset(),
})  # fmt: skip
"""Where each job state may go next."""
ACTIVE = frozenset({_J.MOVING_TO_COLLECT, _J.READY_TO_COLLECT, _J.MOVING_TO_DELIVER,
                    _J.READY_TO_DELIVER, _J.INTERRUPTED})  # fmt: skip
FINAL = frozenset({_J.DONE, _J.FAILED, _J.CANCELLED})


class JobStep(NamedTuple):
    """One entry of a job's history."""

    time: float
    state: JobState
    reason: str


JobEvent = TypedDict(
    "JobEvent",
    {"time": float, "job": str, "from": JobState | None, "to": JobState, "reason": str},
)
"""A job queued (``from`` None) or moved on, as the journal stores it."""


@dataclass(frozen=True, slots=True)
class Job:
    """Move one container of ``size_ft`` from ``from_slot`` to ``to_slot``. Immutable: moving
    on returns a new :class:`Job` (:meth:`moved`)."""

    id: str
    from_slot: Slot
    to_slot: Slot
    size_ft: int
    declared_mass_t: float | None
    """Gross mass the TOS declares, t; ``None`` when unknown (the load cell decides)."""
    container_id: str | None
    created: float
    state: JobState = _J.QUEUED
    history: tuple[JobStep, ...] = ()
    """Every state with when and why, oldest first (the first is QUEUED)."""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def final(self) -> bool:
        return self.state in FINAL

    @property
    def reason(self) -> str:
        """Why it is in its present state (for FAILED, what failed)."""
        return self.history[-1].reason if self.history else ""

    def moved(self, state: JobState, now: float, reason: str = "") -> Job:
        """This job in ``state``; ``JobRefused`` unless :data:`JOB_TRANSITIONS` allows it."""
        if state not in JOB_TRANSITIONS[self.state]:
            nexts = ", ".join(s.name for s in _J if s in JOB_TRANSITIONS[self.state]) or "none"
            raise JobRefused(
                f"job {self.id} cannot go from {self.state.name} to {state.name} (next: {nexts})"
            )
        if state in _ENDS and not reason.strip():
            raise JobRefused(f"job {self.id}: {state.name} needs a reason")
        return replace(self, state=state, history=(*self.history, JobStep(now, state, reason)))

    def __str__(self) -> str:
        return f"job {self.id}: {self.size_ft}-ft from {self.from_slot} to {self.to_slot}"


# --- the queue ----------------------------------------------------------------------------------


class JobQueue:
    """Jobs in the order they came, at most one active; finished ones kept for the HMI.

    The operator (or TOS) adds and cancels queued jobs; the sequencer takes :meth:`next`, moves
    it on with :meth:`advance`, and is the only one that fails or cancels an active job (it must
    make the load safe first).
    """

    def __init__(
        self,
        site: SiteLayout | None = None,
        params: CraneParams | None = None,
        *,
        keep_finished: int = 200,
    ) -> None:
        self.site = site or SiteLayout()
        self.swl_t = (params or CraneParams()).swl_t
        self.keep_finished = keep_finished
        """Finished jobs kept in memory (the journal keeps them all)."""
        self._jobs: dict[str, Job] = {}
        self._finished: list[str] = []
        self._events: list[JobEvent] = []
        self._serial = 0

    def get(self, job_id: str) -> Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise JobRefused(f"no job {job_id!r}") from None

    def jobs(self) -> tuple[Job, ...]:
        """Every job kept, in the order added."""
        return tuple(self._jobs.values())

    def queued(self) -> tuple[Job, ...]:
        return tuple(j for j in self._jobs.values() if j.state is _J.QUEUED)

    def active(self) -> Job | None:
        return next((j for j in self._jobs.values() if j.active), None)

    def next(self) -> Job | None:
        """The first queued job (it stays QUEUED until the sequencer starts it)."""
        return next((j for j in self._jobs.values() if j.state is _J.QUEUED), None)

    def finished(self) -> tuple[Job, ...]:
        """Done, failed and cancelled jobs kept, in the order they finished."""
        return tuple(self._jobs[i] for i in self._finished)

    def refusals(
        self, from_slot: Slot, to_slot: Slot, size_ft: int, *, job_id: str | None = None,
        declared_mass_t: float | None = None,
    ) -> list[str]:  # fmt: skip
        """Why :meth:`add` would refuse this job (empty: it would add it)."""
        out = []
        if job_id is not None and (not job_id.strip() or job_id in self._jobs):
            out.append(f"job id {job_id!r} is " + ("in use" if job_id.strip() else "empty"))
        if size_ft not in CONTAINER_SIZES:
            out.append(f"container size must be 20, 40 or 45 ft, not {size_ft!r}")
        checked = size_ft if size_ft in CONTAINER_SIZES else CONTAINER_SIZES[0]
        for end, slot in (("from", from_slot), ("to", to_slot)):
            try:
                self.site.check_slot(slot, checked)
            except (KeyError, ValueError) as exc:
                out.append(f"{end}: {exc.args[0]}")
        if from_slot == to_slot:
            out.append(f"from and to are the same slot ({from_slot})")
        taken = self._destination_taken(to_slot, checked)
        if taken is not None:
            out.append(f"destination {to_slot} is already taken by {taken}")
        if declared_mass_t is not None:
            out.extend(_mass_refusals(declared_mass_t, self.swl_t))
        return out

    def add(
        self, from_slot: Slot, to_slot: Slot, size_ft: int, now: float, *,
        job_id: str | None = None, declared_mass_t: float | None = None,
        container_id: str | None = None,
    ) -> Job:  # fmt: skip
        """Queue a job; ``JobRefused`` with every reason it cannot be. ``job_id`` defaults to
        the next free ``J<n>``."""
        why = self.refusals(from_slot, to_slot, size_ft, job_id=job_id,
                            declared_mass_t=declared_mass_t)  # fmt: skip
        if why:
            raise JobRefused(*why)
        job_id = job_id if job_id is not None else self._new_id()
        job = Job(job_id, from_slot, to_slot, size_ft, declared_mass_t, container_id, now,
                  history=(JobStep(now, _J.QUEUED, "queued"),))  # fmt: skip
        self._jobs[job_id] = job
        self._events.append({"time": now, "job": job_id, "from": None, "to": _J.QUEUED,
                             "reason": "queued"})  # fmt: skip
        return job

    def cancel(self, job_id: str, now: float, reason: str) -> Job:
        """Cancel a queued job. An active one is the sequencer's to cancel (:meth:`advance`)."""
        job = self.get(job_id)
        if job.active:
            raise JobRefused(
                f"job {job_id} is {job.state.name}: an active job is cancelled through the "
                f"sequencer, which makes the load safe first"
            )
        return self._move(job, _J.CANCELLED, now, reason)

    def advance(self, job_id: str, state: JobState, now: float, reason: str = "") -> Job:
        """Move a job on (the sequencer); FAILED and CANCELLED need a reason. One job at a
        time may be active."""
        job = self.get(job_id)
        other = self.active()
        if state is _J.MOVING_TO_COLLECT and other is not None and other.id != job_id:
            raise JobRefused(f"cannot start job {job_id}: job {other.id} is {other.state.name}")
        return self._move(job, state, now, reason)

    def take_events(self) -> list[JobEvent]:
        """The events since the last call, oldest first (for the journal)."""
        events, self._events = self._events, []
        return events

    def _move(self, job: Job, state: JobState, now: float, reason: str) -> Job:
        moved = job.moved(state, now, reason)
        self._jobs[job.id] = moved
        self._events.append({"time": now, "job": job.id, "from": job.state, "to": state,
                             "reason": reason})  # fmt: skip
        if moved.final:
            self._finished.append(job.id)
            while len(self._finished) > self.keep_finished:
                del self._jobs[self._finished.pop(0)]
        return moved

    def _destination_taken(self, to_slot: Slot, size_ft: int) -> str | None:
        """Another unfinished job bound for the same place (a footprint overlapping at the same
        tier, or the same vehicle)."""
        for other in self._jobs.values():
            if other.final:
                continue
            try:
                same = self.site.shares_place(to_slot, size_ft, other.to_slot, other.size_ft)
            except (KeyError, ValueError):  # a slot the site does not know: refused already
                return None
            if same:
                return f"job {other.id} (to {other.to_slot})"
        return None

    def _new_id(self) -> str:
        while True:
            self._serial += 1
            if f"J{self._serial}" not in self._jobs:
                return f"J{self._serial}"


def _mass_refusals(mass_t: float, swl_t: float) -> list[str]:
    if not (math.isfinite(mass_t) and mass_t > 0):
        return [f"declared mass must be a positive number of tonnes, not {mass_t!r}"]
    if mass_t > swl_t:
        return [f"declared mass {mass_t:g} t is above the safe working load {swl_t:g} t"]
    return []


# --- why no automatic start ---------------------------------------------------------------------

START_STATES = frozenset({PackState.IDLE, PackState.EXECUTE, PackState.SUSPENDED})
"""Machine states a job may start from: IDLE (the sequencer then STARTs), EXECUTE (between
jobs), SUSPENDED (waiting for a job; the sequencer UNSUSPENDs)."""

START_BLOCKING = frozenset({
    "COMMS_FAULT", "SIGNAL_QUALITY", "ESTOP", "NOT_REMOTE", "WATCHDOG_TRIP", "DRIVE_FAULT",
    "RESTART_INHIBIT", "WIND_STORM", "WIND_STOP", "WIND_NO_LIFT", "LANE_NOT_CLEAR",
    "TRUCK_LIFTED", "OVERLOAD", "MIXED_LOCK", "STORM_PINS_DOWN",
})  # fmt: skip
"""Interlocks that stop a new move. The others are part of any move's progress (NOT_LANDED,
SLACK_ROPE, BELOW_TRAVEL_HEIGHT, LOAD_ON_TWISTLOCKS), block one direction the planner moves
away from (the limits), or are judged with the spreader size (TELESCOPE_NOT_FREE)."""


@dataclass(frozen=True, slots=True)
class StartCheck:
    """Why a job cannot start now (``blockers``), and what the operator should know (``notes``)."""

    blockers: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.blockers


def check_start(
    job: Job,
    *,
    mode: Mode,
    machine_state: PackState,
    snapshot: Snapshot,
    permits: Permits,
    spreader_size_ft: int | None,
    carrying: bool,
    yard: YardModel,
    mode_settings: ModeSettings | None = None,
) -> StartCheck:
    """Every reason ``job`` cannot start now, in the order an operator fixes them.

    The sequencer passes, each time it asks: its ``mode`` and ``machine_state``; this scan's
    ``snapshot`` and ``permits``; ``spreader_size_ft`` from ``spreader.size`` (``None`` if not
    good, 0 while telescoping); ``carrying``, whether a container hangs on the spreader (its own
    step memory or the load cell); and ``yard``, the inventory as it knows it.
    """
    blockers = [*_machine_blockers(job, mode, machine_state), *_trip_blockers(snapshot, permits)]
    notes: list[str] = []
    if carrying:
        blockers.append("a container hangs on the spreader: a move starts with it empty")
    blockers.extend(_size_blockers(job, spreader_size_ft, carrying, permits, notes))
    blockers.extend(_yard_blockers(job, yard))
    rules = ModeRules.of(mode, mode_settings)
    for slot in dict.fromkeys((job.from_slot, job.to_slot)):
        if rules.automatic and rules.operator_lands(slot):
            notes.append(f"the remote operator jogs and confirms the landing at {slot}")
    return StartCheck(tuple(dict.fromkeys(blockers)), tuple(notes))


def start_blockers(
    job: Job,
    *,
    mode: Mode,
    machine_state: PackState,
    snapshot: Snapshot,
    permits: Permits,
    spreader_size_ft: int | None,
    carrying: bool,
    yard: YardModel,
    mode_settings: ModeSettings | None = None,
) -> list[str]:
    """The blockers of :func:`check_start`: empty when ``job`` may start now."""
    return list(
        check_start(
            job, mode=mode, machine_state=machine_state, snapshot=snapshot, permits=permits,
            spreader_size_ft=spreader_size_ft, carrying=carrying, yard=yard,
            mode_settings=mode_settings,
        ).blockers
    )  # fmt: skip


def _machine_blockers(job: Job, mode: Mode, state: PackState) -> list[str]:
    out = []
    if job.state is not _J.QUEUED:
        out.append(f"job {job.id} is {job.state.name}: only a queued job can start")
    if mode not in AUTOMATIC_MODES:
        out.append(f"mode is {mode.name}: automatic moves need SEMIAUTOMATIC or FULLAUTOMATIC")
    if state not in START_STATES:
        out.append(
            f"machine is {state.name}: a move starts in IDLE, EXECUTE or SUSPENDED; {way_on(state)}"
        )
    return out


def _trip_blockers(snapshot: Snapshot, permits: Permits) -> list[str]:
    out = []
    if not snapshot.comms_ok and not any(t.id == "COMMS_FAULT" for t in permits.active):
        out.append(f"COMMS_FAULT: comms fault: {snapshot.comms_reason}")
    for trip in permits.active:
        # With comms down every signal is untrusted: the comms fault says it once.
        trusted = not trip.fail_safe and trip.id != "SIGNAL_QUALITY"
        if trip.id in START_BLOCKING and (snapshot.comms_ok or trusted):
            out.append(str(trip))
    return out


def _size_blockers(
    job: Job, size_ft: int | None, carrying: bool, permits: Permits, notes: list[str]
) -> list[str]:
    if size_ft is None:
        return ["spreader size unknown: spreader.size is not good"]
    if size_ft == 0:
        return ["spreader is telescoping: wait until it reports its size"]
    if size_ft == job.size_ft:
        return []
    change = f"spreader is {size_ft} ft, job needs {job.size_ft} ft"
    why_not = [str(t) for t in permits.why_not(Motion.TELESCOPE)]
    if carrying:
        why_not.insert(0, "a container hangs on it")
    if why_not:
        return [f"{change} and it cannot telescope: {'; '.join(why_not)}"]
    notes.append(f"{change}: telescoping first")
    return []


def _yard_blockers(job: Job, yard: YardModel) -> list[str]:
    out = []
    src, dst, size = job.from_slot, job.to_slot, job.size_ft
    for slot in dict.fromkeys((src, dst)):
        if slot.area != "stack" and Slot(slot.area, lane=slot.lane) not in yard.vehicles:
            out.append(f"no vehicle ready in {slot}")
    box = yard.at(src)
    if box is None:
        out.append(f"source {src} is empty: no container to collect")
    elif box.size_ft != size:
        out.append(f"source {src} holds a {box.size_ft}-ft container, the job says {size} ft")
    elif job.container_id is not None and box.id != job.container_id:
        out.append(f"source {src} holds container {box.id}, the job says {job.container_id}")
    if src.area == "stack":
        above = yard.occupant(src._replace(tier=src.tier + 1), size)
        if above is not None:
            out.append(f"container {above.id} at {above.slot} sits on the source: move it first")
    moving = None if box is None else box.id
    blocker = yard.occupant(dst, size, moving=moving)
    if blocker is not None:
        where = "" if blocker.slot == dst else f" by {blocker.slot}"
        out.append(f"destination {dst} is occupied{where} (container {blocker.id})")
    problem = yard.support_problem(dst, size, moving=moving)
    if problem is not None:
        out.append(f"destination {dst}: {problem}")
    return out
