"""The crane station: the one interface the HMI (and any later remote client) uses.

A :class:`CraneStation` sits on a :class:`~crane_ctrl.runtime.supervisor.Supervisor`: it installs
the :class:`~crane_ctrl.runtime.automation.Automation` (jobs, PackML state, modes, jogs, bypass) as
the supervisor's sequencer hook and, after every scan, publishes a :class:`StationView`: one
immutable object with everything a screen shows, replaced once per scan. Readers never see a
half-updated view and never hold a lock.

Every operator action is a method that takes the :class:`User` first. Each one is checked
(role, mode, machine state), journaled as an ``operator`` event with user and role, and raises
:class:`~crane_ctrl.operation.machine.CommandRefused` with every reason when it is refused. Nothing
here writes to the PLC: actions change what the next scan proposes, and the interlock filter still
decides. Call the methods from the thread that runs the scan loop (the HMI's bridge marshals
them there); lock-step tests call them between scans.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crane_ctrl.interlocks.evaluate import INTERLOCKS
from crane_ctrl.links.base import Link
from crane_ctrl.operation.jobs import Job, JobQueue
from crane_ctrl.operation.machine import (
    Bypass,
    CommandRefused,
    Mode,
    ModeSettings,
    PackCommand,
    PackState,
    Role,
)
from crane_ctrl.operation.yard_model import Box, YardModel
from crane_ctrl.profile.model import Profile
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorView
from crane_ctrl.sequencer.planning import Planner
from crane_ctrl.site import SiteLayout, Slot

__all__ = ["BoxPlace", "CraneStation", "Relink", "StationView", "User"]

Relink = Callable[[Profile, Path], Awaitable[Link]]
"""Opens the link for a swapped-in profile (the old link stays until the new one is open)."""

_SWAP_STATES = frozenset({PackState.STOPPED, PackState.IDLE, PackState.ABORTED})
_COLLECT_STEPS = ("telescope", "raise", "travel", "settle sway", "lower", "lock", "trial lift")
_DELIVER_STEPS = ("raise", "travel", "settle sway", "lower", "unlock", "raise clear")
_SAME_PLACE = {"operator landing": "lower", "wind set down": "lower", "set back down": "lock"}
"""Steps that stand where another does in the job's progress."""


@dataclass(frozen=True, slots=True)
class User:
    """Who acts: a name for the journal and the role the station authenticated."""

    name: str
    role: Role = Role.OPERATOR
    session: str = field(default="", repr=False, compare=False)
    """The station's session token for this login (:mod:`crane_ctrl.runtime.sessions`); empty
    for a user the station's own process made (the demo's, a lock-step test's)."""

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


@dataclass(frozen=True, slots=True)
class BoxPlace:
    """A container where the supervisor believes it stands, for drawing the yard."""

    id: str
    size_ft: int
    slot: Slot
    x_m: float
    y_m: float
    bottom_m: float
    height_m: float


@dataclass(frozen=True, slots=True)
class StationView:
    """Everything the HMI shows, immutable, replaced once per scan."""

    supervisor: SupervisorView
    machine: PackState
    machine_reason: str
    allowed: tuple[PackCommand, ...]
    mode: Mode
    job: Job | None
    queued: tuple[Job, ...]
    finished: tuple[Job, ...]
    step: str | None
    step_detail: str
    progress: float | None
    """Share of the current job done, 0..1 (by step), or ``None`` with no job."""
    why_not_start: tuple[str, ...]
    bypass: Bypass | None
    awaiting_confirm: str | None
    """SEMIAUTOMATIC: the landing the operator must jog and confirm, if one waits."""
    jog: tuple[str, int] | None
    boxes: tuple[BoxPlace, ...]
    profile_name: str
    profile_path: Path | None


class CraneStation:
    """Jobs, modes, jogs, alarms, bypass and profile swap around one supervisor."""

    def __init__(
        self,
        supervisor: Supervisor,
        site: SiteLayout,
        yard: YardModel,
        *,
        mode: Mode = Mode.FULLAUTOMATIC,
        mode_settings: ModeSettings | None = None,
        profile_path: Path | None = None,
        relink: Relink | None = None,
        planner: Planner | None = None,
    ) -> None:
        self.supervisor = supervisor
        self.site = site
        self.params = supervisor.settings.crane
        self.yard = yard
        self.queue = JobQueue(site, self.params)
        self.automation = Automation(self.params, yard, self.queue, mode=mode,
                                     mode_settings=mode_settings, on_event=self._event,
                                     planner=planner)  # fmt: skip
        self.profile_path = profile_path
        self.relink = relink
        self._boxes_of: tuple[Box, ...] | None = None
        self._placed: tuple[BoxPlace, ...] = ()
        supervisor.sequencer = self.automation
        supervisor.on_view = self._publish
        self.view = self._build(supervisor.view)

    @property
    def profile(self) -> Profile:
        return self.supervisor.profile

    @property
    def now(self) -> float:
        return self.supervisor.clock.now()

    # --- jobs

    def add_job(
        self, user: User, from_slot: Slot, to_slot: Slot, size_ft: int, *,
        declared_mass_t: float | None = None, job_id: str | None = None,
    ) -> Job:  # fmt: skip
        job = self.queue.add(from_slot, to_slot, size_ft, self.now, job_id=job_id,
                             declared_mass_t=declared_mass_t)  # fmt: skip
        self._operator(user, f"add job {job.id}", job=str(job))
        self._job_events()
        return job

    def cancel_job(self, user: User, job_id: str) -> Job:
        """Cancel a queued job, or the interrupted one (STOP first): its load stays where it
        is, and a box left hanging blocks every job until it is set down by hand."""
        self.automation.cancel(job_id, self.now, f"cancelled by {user.name}")
        self._operator(user, f"cancel job {job_id}")
        self._job_events()
        return self.queue.get(job_id)

    def set_down(self, user: User) -> None:
        """Send the interrupted job's box straight down to a legal place below it (START then
        carries it out; the job fails naming the place)."""
        self.automation.set_down(self.now)
        self._operator(user, "set down the interrupted load")

    # --- machine state and mode

    def pack(self, user: User, cmd: PackCommand, reason: str = "") -> None:
        """A PackML command (reset, start, hold, unhold, stop, abort, clear ...)."""
        if cmd in (PackCommand.SUSPEND, PackCommand.UNSUSPEND):
            raise CommandRefused(
                f"{cmd} is the crane's own: it suspends when it waits for a job (or a job cannot "
                "start) and goes on when one can; hold or stop it instead"
            )
        self.automation.command(cmd, self.now, reason or f"{cmd} by {user.name}")
        self._operator(user, str(cmd), reason=reason)

    def set_mode(self, user: User, mode: Mode) -> None:
        self.automation.set_mode(mode, user.role, self.now, user.name)
        self._operator(user, f"mode {mode.name}")

    def reset(self, user: User) -> None:
        """Reset latched interlocks whose cause is gone (and pulse the PLC's reset)."""
        self.supervisor.request_reset(user.name)

    # --- by hand

    def jog(self, user: User, axis: str, direction: int) -> None:
        """Jog ``axis`` (-1, 0, +1) for the dead-man time; repeat to keep it moving.

        In SEMIAUTOMATIC, while a landing waits for the operator, the jog goes to that landing
        (the sequencer's hand-over, at creep near the landing); otherwise it needs MANUAL or
        MAINTENANCE.
        """
        sequencer = self.automation.sequencer
        if sequencer.awaiting_operator is not None:
            sequencer.operator_jog(axis, direction, self.now)
            return
        self.automation.check_jog()
        before = self.automation.manual.jogging
        self.automation.manual.jog(axis, direction, self.now)
        if before is None or (before.axis, before.direction) != (axis, direction):
            self._operator(user, f"jog {axis} {direction:+d}")

    def stop_jog(self, user: User) -> None:
        del user
        self.automation.manual.stop()
        sequencer = self.automation.sequencer
        if sequencer.awaiting_operator is not None:
            for axis in ("gantry", "trolley", "hoist"):
                sequencer.operator_jog(axis, 0, self.now)

    def lock(self, user: User) -> None:
        self.automation.check_jog()
        self.automation.manual.lock(self.now)
        self._operator(user, "lock twistlocks")

    def unlock(self, user: User) -> None:
        self.automation.check_jog()
        self.automation.manual.unlock(self.now)
        self._operator(user, "unlock twistlocks")

    def telescope(self, user: User, size_ft: int) -> None:
        self.automation.check_jog()
        self.automation.manual.telescope(size_ft, self.now)
        self._operator(user, f"telescope {size_ft} ft")

    def confirm_landing(self, user: User) -> None:
        """SEMIAUTOMATIC: the operator has jogged the landing and confirms it."""
        self.automation.sequencer.confirm_landing(self.now)
        self._operator(user, "confirm landing")

    # --- alarms

    def acknowledge(self, user: User, alarm_id: str | None) -> None:
        self.supervisor.acknowledge(alarm_id, str(user))

    def shelve(self, user: User, alarm_id: str, duration_s: float) -> None:
        self.supervisor.shelve(alarm_id, duration_s, str(user))

    def unshelve(self, user: User, alarm_id: str) -> None:
        self.supervisor.unshelve(alarm_id, str(user))

    def set_out_of_service(self, user: User, alarm_id: str, on: bool) -> None:
        _maintenance_only(user, "taking an alarm out of service")
        self.supervisor.set_out_of_service(alarm_id, on, str(user))

    # --- maintenance

    def bypass(self, user: User, interlock_id: str, duration_s: float, reason: str) -> Bypass:
        """Bypass one interlock (maintenance role, MAINTENANCE mode, time-limited, journaled)."""
        if interlock_id not in INTERLOCKS and interlock_id.upper() in INTERLOCKS:
            interlock_id = interlock_id.upper()
        granted = self.automation.bypasses.grant(
            interlock_id, user.role, self.now, duration_s, reason,
            mode=self.automation.mode, user=user.name,
        )  # fmt: skip
        self.supervisor.set_bypass(granted.interlock_id, granted.until)
        self._operator(user, f"bypass {interlock_id}", until=granted.until, reason=reason)
        return granted

    def end_bypass(self, user: User) -> None:
        self.automation.bypasses.revoke(self.now, f"ended by {user.name}")
        self.supervisor.set_bypass(None)
        self._operator(user, "end bypass")

    async def swap_profile(self, user: User, path: Path) -> Profile:
        """Load, validate and swap in another PLC profile (maintenance role, machine stopped).

        A bad file raises :class:`~crane_ctrl.errors.ProfileError` with its located message and
        the crane keeps the old profile and link; so does a link that cannot be opened.
        """
        from crane_ctrl.profile.loader import fingerprint, load_profile

        _maintenance_only(user, "swapping the PLC profile")
        state = self.automation.machine.state
        if state not in _SWAP_STATES:
            raise CommandRefused(
                f"a profile is swapped only when the machine is STOPPED, IDLE or ABORTED, "
                f"not {state.name}"
            )
        if self.relink is None:
            raise CommandRefused("this station cannot open a new link (no relink configured)")
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
            profile = await asyncio.to_thread(load_profile, path)
        except Exception as exc:
            self._journal("profile", str(path), event="rejected", error=str(exc), user=user.name)
            raise
        link = await self.relink(profile, path)  # the relink owns links: it closes the old one
        old = self.supervisor.use(profile, link)
        self.profile_path = path
        self._journal("profile", profile.name, event="swapped", file=str(path),
                      fingerprint=fingerprint(text),
                      replaced=old.name, user=user.name)  # fmt: skip
        return profile

    # --- after each scan

    def _publish(self, view: SupervisorView) -> None:
        self._job_events()
        if self.automation.bypasses.active(view.snapshot.time_s) is None:
            self.supervisor.set_bypass(None)  # expired, or revoked by an overload trip
        self.view = self._build(view)

    def _build(self, view: SupervisorView) -> StationView:
        a = self.automation
        run = a.sequencer.run
        jog = a.manual.jogging
        step = None if run is None else str(run.step)
        return StationView(
            supervisor=view, machine=a.machine.state, machine_reason=a.machine.reason,
            allowed=a.machine.allowed(), mode=a.mode, job=self.queue.active(),
            queued=self.queue.queued(), finished=self.queue.finished(), step=step,
            step_detail=_step_detail(run), progress=_progress(run),
            why_not_start=a.why_not_start, bypass=a.bypasses.active(view.snapshot.time_s),
            awaiting_confirm=a.sequencer.awaiting_operator,
            jog=None if jog is None else (jog.axis, jog.direction), boxes=self._boxes(),
            profile_name=self.profile.name, profile_path=self.profile_path,
        )  # fmt: skip

    def _boxes(self) -> tuple[BoxPlace, ...]:
        """The yard for drawing; placed again only when the inventory changed (boxes are
        immutable and replaced when they move), not at every scan."""
        boxes = tuple(self.yard.boxes.values())
        if boxes != self._boxes_of:
            self._boxes_of, self._placed = boxes, tuple(self._place(b) for b in boxes)
        return self._placed

    def _place(self, box: Box) -> BoxPlace:
        x, y = self.yard.centre(box)
        bottom = self.yard.floor_m(box.slot, box.size_ft)
        return BoxPlace(box.id, box.size_ft, box.slot, x, y, bottom, box.height_m)

    # --- the journal

    def _event(self, event: dict[str, object]) -> None:
        """Automation events into the journal: machine and mode changes, steps, bypasses."""
        kind = str(event.pop("kind"))
        if kind in ("machine", "mode"):
            subject = str(event.get("to", event.get("state", kind)))
            self._journal("mode", subject, what=kind, **event)
        elif kind == "bypass":
            self._journal("operator", f"bypass {event.get('event')}", **event)
        elif kind == "sequence" and "rope" in event:  # the sway sensor corrected the rope model
            self._journal("system", f"rope model {event['rope']}", **event)
        elif kind == "sequence":
            subject = str(event.get("step", event.get("outcome", "")))
            self._journal("system", f"sequence {subject}", **event)
        elif kind == "yard":
            self._journal("system", f"container {event.get('container')}", **event)
        elif kind == "job":
            self._journal("operator", f"job {event.get('job', event.get('id', ''))}", **event)

    def _job_events(self) -> None:
        for event in self.queue.take_events():
            self._event({"kind": "job", **event})

    def _operator(self, user: User, action: str, **values: Any) -> None:
        self._journal("operator", action, user=user.name, role=str(user.role), **values)

    def _journal(self, kind: str, subject: str, **values: Any) -> None:
        journal = self.supervisor.journal
        if journal is not None:
            journal.record(kind, subject, **{k: _plain(v) for k, v in values.items()})


def _maintenance_only(user: User, what: str) -> None:
    if user.role is not Role.MAINTENANCE:
        raise CommandRefused(f"{what} needs the maintenance role; {user.name} is {user.role}")


def _plain(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _step_detail(run: Any) -> str:
    if run is None:
        return ""
    phase = "deliver" if run.delivering else "collect"
    box = run.transfer.box
    where = run.transfer.to if run.delivering else box.slot
    detail = f"{phase} {box.id}: {run.step} ({where})"
    if run.hold_reason and str(run.step) == "held":
        detail += f"; held: {run.hold_reason}"
    elif run.planning is not None:
        detail += "; planning"
    return detail


def _progress(run: Any) -> float | None:
    """Steps done over all steps of a job (holds and settling count where they happen)."""
    if run is None:
        return None
    steps, before = (_DELIVER_STEPS, len(_COLLECT_STEPS)) if run.delivering else (_COLLECT_STEPS, 0)
    step = _SAME_PLACE.get(str(run.step), str(run.step))
    done = before + (steps.index(step) if step in steps else 0)
    return done / (len(_COLLECT_STEPS) + len(_DELIVER_STEPS))
