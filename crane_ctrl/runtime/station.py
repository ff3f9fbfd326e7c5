"""The crane station: the one interface the HMI (and any later remote client) uses.

A :class:`CraneStation` sits on a :class:`~crane_ctrl.runtime.supervisor.Supervisor`: it installs
the :class:`~crane_ctrl.runtime.automation.Automation` (jobs, PackML state, modes, jogs, bypass) as
the supervisor's sequencer hook and, after every scan, publishes a :class:`StationView`: one
immutable object with everything a screen shows, replaced once per scan. Readers never see a
half-updated view and never hold a lock.

Every operator action is a method that takes the :class:`User` first. The station acts only for
the user its own :class:`~crane_ctrl.runtime.sessions.Sessions` issued that user's session to,
whoever calls (the HMI in process, the seam, a later operations centre): no session, a forged,
expired or logged-out one, or a caller claiming another name or role is refused with
:class:`~crane_ctrl.errors.SessionRefused`. Then each action is checked (role, mode, machine
state) and raises :class:`~crane_ctrl.operation.machine.CommandRefused` with every reason when
it is refused. Every action, done or refused, is journaled as an ``operator`` event with the IEC
62443 CR 2.8 fields: user, role, session (a tag, never the token), source, action, parameters and
result. Nothing
here writes to the PLC: actions change what the next scan proposes, and the interlock filter still
decides. Call the methods from the thread that runs the scan loop (the HMI's bridge marshals
them there); lock-step tests call them between scans.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crane_ctrl.errors import CraneCtrlError, SessionRefused
from crane_ctrl.interlocks.evaluate import INTERLOCKS
from crane_ctrl.link_report import LinkState, ReadResult
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
from crane_ctrl.runtime.profile_trial import (
    SWAP_TRIAL_SCANS,
    ProbeReport,
    probe_report,
    trial_verdict,
)
from crane_ctrl.runtime.sessions import Sessions, User, session_tag
from crane_ctrl.runtime.sim_faults import FaultChannel, SimFaults
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorView
from crane_ctrl.sequencer.planning import Planner
from crane_ctrl.site import SiteLayout, Slot

__all__ = [
    "SWAP_TRIAL_WAIT_S",
    "BoxPlace",
    "CraneStation",
    "Probe",
    "ProbeReport",
    "Release",
    "Relink",
    "StationView",
    "User",
]

Relink = Callable[[Profile, Path], Awaitable[Link]]
"""Opens the link for a swapped-in profile, up. The old link stays open: the station releases
whichever of the two it no longer uses once the new profile's trial is over."""
Release = Callable[[Link], Awaitable[None]]
"""Closes a link the station no longer uses (the old one after a kept swap, the new one after a
rollback)."""
Probe = Callable[[Profile, Path], Awaitable[ReadResult]]
"""Opens a second link with a profile beside the running one, reads every signal once (bounded),
closes it; :class:`CommandRefused` when it cannot reach the PLC."""

SWAP_TRIAL_WAIT_S = 5.0
"""The trial's :data:`~crane_ctrl.runtime.profile_trial.SWAP_TRIAL_SCANS` must be scanned within
this long (s); a scan loop that does not scan them rolls the swap back."""

_SWAP_STATES = frozenset({PackState.STOPPED})
_COLLECT_STEPS = ("telescope", "raise", "travel", "settle sway", "lower", "lock", "trial lift")
_DELIVER_STEPS = ("raise", "travel", "settle sway", "lower", "unlock", "raise clear")
_SAME_PLACE = {"operator landing": "lower", "wind set down": "lower", "set back down": "lock"}
"""Steps that stand where another does in the job's progress."""


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
    hanging: BoxPlace | None = None
    """The container a cancelled or taken-over job left hanging on the spreader: out of
    :attr:`boxes` (the yard no longer books it to a slot) until it is set down by hand; drawn
    under the spreader. Its slot is the one it was lifted from."""
    found_at_start: str = ""
    """What the station found on the crane when it started, against what the last run left in
    hand (a box hanging after a kill mid-job), and what to do; "" when nothing."""


@dataclass(slots=True)
class _Trial:
    """A swapped-in profile on trial: the signals good before, the scans it has yet to pass."""

    good_before: frozenset[str]
    scans_left: int
    verdict: asyncio.Future[str]
    """Why to roll back (empty: keep the new profile), once the scans are done."""


@dataclass(slots=True)
class _Act:
    """One operator action's audit record, as the action's body fills it in."""

    user: User
    subject: str
    params: dict[str, Any]


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
        sessions: Sessions | None = None,
        release: Release | None = None,
        probe: Probe | None = None,
        fault_channel: FaultChannel | None = None,
    ) -> None:
        """``sessions``: who may act (default: no logins, only users the station's own
        process is issued sessions for with ``station.sessions.issue``). ``relink``,
        ``release`` and ``probe``: how the link owner opens a swapped-in profile's link, closes
        a link out of use and probes a profile (``None``: no swap, links left open, no probe).
        ``fault_channel``: where the simulated PLC's fault channel is (the demo, a test rig;
        ``None``: a real PLC, no fault actions)."""
        self.supervisor = supervisor
        self.sessions = sessions or Sessions(None, supervisor.clock, supervisor.journal)
        self.site = site
        self.params = supervisor.settings.crane
        self.yard = yard
        self.queue = JobQueue(site, self.params)
        self.automation = Automation(self.params, yard, self.queue, mode=mode,
                                     mode_settings=mode_settings, on_event=self._event,
                                     planner=planner)  # fmt: skip
        self.profile_path = profile_path
        self.relink = relink
        self.release = release
        self.probe = probe
        self.fault_channel = fault_channel
        """Where the simulator's fault channel is (:meth:`inject_fault`), or ``None``."""
        self._trial: _Trial | None = None
        self._boxes_of: tuple[Box, ...] | None = None
        self._placed: tuple[BoxPlace, ...] = ()
        self._landing_holder: User | None = None
        supervisor.sequencer = self.automation
        supervisor.on_view = self._publish
        self.on_view: Callable[[StationView], None] | None = None
        """Called with each scan's view, in the scan (the fleet's edge node puts it on its
        queue and returns; nothing here may wait)."""
        self.view = self._build(supervisor.view)

    @property
    def profile(self) -> Profile:
        return self.supervisor.profile

    @property
    def now(self) -> float:
        return self.supervisor.clock.now()

    @property
    def wall_offset_s(self) -> float:
        """What to add to a time on the station's clock (monotonic: only differences mean
        anything) to get wall time, epoch s: how the HMI shows the station's times of day."""
        clock = self.supervisor.clock
        return clock.wall() - clock.now()

    # --- who acts

    @contextmanager
    def _acting(self, user: User, action: str, **params: Any) -> Iterator[_Act]:
        """The action's audit record, whose ``user`` is the one ``user``'s session was issued
        to, for the action's body; a refusal (of the session, or by the action's own checks)
        journaled with its reason and raised again, a body that ran journaled as done (under
        the subject and with the values the body may have added)."""
        act = _Act(self._issued(user, action), action, params)
        try:
            yield act
        except (CraneCtrlError, ValueError, KeyError) as exc:
            self._operator(act.user, act.subject, result="refused", why=str(exc), **act.params)
            raise
        except Exception as exc:
            self._operator(act.user, act.subject, result="failed",
                           why=f"{type(exc).__name__}: {exc}", **act.params)  # fmt: skip
            raise
        self._operator(act.user, act.subject, result="done", **act.params)

    def _issued(self, user: User, action: str) -> User:
        """The user the station issued ``user.session`` to; :class:`SessionRefused` (from
        :meth:`Sessions.resolve`, journaled) when there is none or the caller claims another
        name or role."""
        issued = self.sessions.resolve(user.session, client=user.source or "caller",
                                       action=action)  # fmt: skip
        if (user.name, user.role) != (issued.name, issued.role):
            why = (f"the session is {issued}'s, not {user}'s: the station acts for the user it "
                   "issued the session to; log in as that user")  # fmt: skip
            self._journal("operator", "session refused", action=action, reason=why,
                          session=session_tag(user.session), source=issued.source,
                          claimed=str(user), user=issued.name)  # fmt: skip
            raise SessionRefused(why)
        return issued

    def note_refusal(self, user: User, action: str, why: str) -> None:
        """Journal an action the client refused before asking the station (a form's field
        wrong, nothing chosen, the wrong role for a dialog), like the station's own refusals:
        under the user ``user``'s session was issued to; with no session or an unknown one,
        :class:`SessionRefused` (journaled as such)."""
        action = _clipped(action)
        issued = self._issued(user, action)
        self._operator(issued, action, result="refused", why=_clipped(why), by="client")

    # --- jobs

    def add_job(
        self, user: User, from_slot: Slot, to_slot: Slot, size_ft: int, *,
        declared_mass_t: float | None = None, job_id: str | None = None,
        container_id: str | None = None,
    ) -> Job:  # fmt: skip
        """Queue a job; ``container_id``: the container the job expects at ``from_slot`` (a
        TOS order names it; the job does not start while another stands there)."""
        params = {"from": str(from_slot), "to": str(to_slot), "size_ft": size_ft,
                  "declared_mass_t": declared_mass_t, "container": container_id}  # fmt: skip
        with self._acting(user, "add job", **params) as act:
            job = self.queue.add(from_slot, to_slot, size_ft, self.now, job_id=job_id,
                                 declared_mass_t=declared_mass_t,
                                 container_id=container_id)  # fmt: skip
            act.subject, act.params["job"] = f"add job {job.id}", str(job)
        self._job_events()
        return job

    def cancel_job(self, user: User, job_id: str) -> Job:
        """Cancel a queued job, or the interrupted one (STOP first): its load stays where it
        is, and a box left hanging blocks every job until it is set down by hand."""
        with self._acting(user, f"cancel job {job_id}") as act:
            self.automation.cancel(job_id, self.now, f"cancelled by {act.user.name}")
        self._job_events()
        return self.queue.get(job_id)

    def set_down(self, user: User) -> None:
        """Send the interrupted job's box straight down to a legal place below it (START then
        carries it out; the job fails naming the place)."""
        with self._acting(user, "set down the interrupted load"):
            self.automation.set_down(self.now)

    # --- machine state and mode

    def pack(self, user: User, cmd: PackCommand, reason: str = "") -> None:
        """A PackML command (reset, start, hold, unhold, stop, abort, clear ...)."""
        with self._acting(user, str(cmd), reason=reason) as act:
            if cmd in (PackCommand.SUSPEND, PackCommand.UNSUSPEND):
                raise CommandRefused(
                    f"{cmd} is the crane's own: it suspends when it waits for a job (or a job "
                    "cannot start) and goes on when one can; hold or stop it instead"
                )
            self.automation.command(cmd, self.now, reason or f"{cmd} by {act.user.name}")

    def set_mode(self, user: User, mode: Mode) -> None:
        with self._acting(user, f"mode {mode.name}") as act:
            self.automation.set_mode(mode, act.user.role, self.now, act.user.name)

    def reset(self, user: User) -> None:
        """Reset latched interlocks whose cause is gone (and pulse the PLC's reset)."""
        with self._acting(user, "interlock reset") as act:
            self.supervisor.request_reset(act.user.name)

    # --- by hand

    def jog(self, user: User, axis: str, direction: int) -> None:
        """Jog ``axis`` (-1, 0, +1) for the dead-man time; repeat to keep it moving.

        In SEMIAUTOMATIC, while a landing waits for the operator, the jog goes to that landing
        (the sequencer's hand-over, at creep near the landing); otherwise it needs MANUAL or
        MAINTENANCE. A jog repeated in the same direction (the dead-man's repeat) is journaled
        once, when it starts.
        """
        user = self._issued(user, "jog")
        sequencer = self.automation.sequencer
        if sequencer.awaiting_operator is not None:
            self._may_land(user, "jog")
            sequencer.operator_jog(axis, direction, self.now)
            return
        before = self.automation.manual.jogging
        if before is not None and (before.axis, before.direction) == (axis, direction):
            self.automation.check_jog()
            self.automation.manual.jog(axis, direction, self.now)
            return
        with self._acting(user, f"jog {axis} {direction:+d}"):
            self.automation.check_jog()
            self.automation.manual.jog(axis, direction, self.now)

    def stop_jog(self, user: User) -> None:
        """Stop jogging: never refused (a stop is never delayed), journaled with who asked when
        their session is good."""
        del user
        self._stop_jogs()

    def _stop_jogs(self) -> None:
        self.automation.manual.stop()
        sequencer = self.automation.sequencer
        if sequencer.awaiting_operator is not None:
            for axis in ("gantry", "trolley", "hoist"):
                sequencer.operator_jog(axis, 0, self.now)

    def lock(self, user: User) -> None:
        with self._acting(user, "lock twistlocks"):
            self.automation.check_jog()
            self.automation.manual.lock(self.now)

    def unlock(self, user: User) -> None:
        with self._acting(user, "unlock twistlocks"):
            self.automation.check_jog()
            self.automation.manual.unlock(self.now)

    def telescope(self, user: User, size_ft: int) -> None:
        with self._acting(user, f"telescope {size_ft} ft"):
            self.automation.check_jog()
            self.automation.manual.telescope(size_ft, self.now)

    def confirm_landing(self, user: User) -> None:
        """SEMIAUTOMATIC: the operator has jogged the landing and confirms it."""
        with self._acting(user, "confirm landing") as act:
            self._may_land(act.user, "confirm")
            self.automation.sequencer.confirm_landing(self.now)

    @property
    def landing_holder(self) -> User | None:
        """Who took the landing that waits for an operator (:meth:`take_landing`), if anyone."""
        return self._landing_holder

    def take_landing(self, user: User) -> None:
        """SEMIAUTOMATIC: take the landing that waits for an operator (the operations
        centre's take-over). Until it is released, or the hand-over ends, only this session
        jogs and confirms it; anyone may take it over in turn (journaled), which stops the
        jogs of the one before."""
        with self._acting(user, "take landing") as act:
            task = self.automation.sequencer.awaiting_operator
            if task is None:
                raise CommandRefused("no landing waits for an operator (SEMIAUTOMATIC hands "
                                     "over truck landings once the load is over them)")  # fmt: skip
            before = self._landing_holder
            if before is not None and before.session != act.user.session:
                self.stop_jog(act.user)
                act.params["from"] = f"{before} {before.source}"
            self._landing_holder = act.user
            act.params["landing"] = task

    def release_landing(self, user: User) -> None:
        """Give back a landing taken with :meth:`take_landing` (its jogs stop)."""
        with self._acting(user, "release landing") as act:
            if self._landing_holder is None or self._landing_holder.session != act.user.session:
                raise CommandRefused("you do not hold the landing: nothing to release")
            self.stop_jog(act.user)
            self._landing_holder = None

    def _release_ended_landing(self) -> None:
        """A taken landing is released when its hand-over ends, or when its holder's session
        does (logged out, or the connection it was opened over closed): its jogs stop."""
        holder = self._landing_holder
        if holder is None:
            return
        if self.automation.sequencer.awaiting_operator is None:
            reason = "the hand-over ended"
        elif not self.sessions.is_open(holder.session):
            reason = "the holder's session ended"
            self._stop_jogs()
        else:
            return
        self._journal("operator", "landing released", user=holder.name, reason=reason)
        self._landing_holder = None

    def _may_land(self, user: User, what: str) -> None:
        holder = self._landing_holder
        if holder is not None and holder.session != user.session:
            raise CommandRefused(f"cannot {what}: {holder} took the landing from "
                                 f"{holder.source}; take it over first")  # fmt: skip

    # --- alarms

    def acknowledge(self, user: User, alarm_id: str | None) -> None:
        with self._acting(user, "acknowledge", alarm=alarm_id or "all") as act:
            self.supervisor.acknowledge(alarm_id, str(act.user))

    def shelve(self, user: User, alarm_id: str, duration_s: float, *, reason: str = "") -> None:
        """Shelve an alarm for ``duration_s``; ``reason`` goes in the audit record."""
        params = {"alarm": alarm_id, "duration_s": duration_s, "reason": reason or None}
        with self._acting(user, "shelve", **params) as act:
            self.supervisor.shelve(alarm_id, duration_s, str(act.user))

    def unshelve(self, user: User, alarm_id: str) -> None:
        with self._acting(user, "unshelve", alarm=alarm_id) as act:
            self.supervisor.unshelve(alarm_id, str(act.user))

    def set_out_of_service(self, user: User, alarm_id: str, on: bool) -> None:
        with self._acting(user, "out of service", alarm=alarm_id, on=on) as act:
            _maintenance_only(act.user, "taking an alarm out of service")
            self.supervisor.set_out_of_service(alarm_id, on, str(act.user))

    # --- maintenance

    def bypass(self, user: User, interlock_id: str, duration_s: float, reason: str) -> Bypass:
        """Bypass one interlock (maintenance role, MAINTENANCE mode, time-limited, journaled)."""
        if interlock_id not in INTERLOCKS and interlock_id.upper() in INTERLOCKS:
            interlock_id = interlock_id.upper()
        params = {"duration_s": duration_s, "reason": reason}
        with self._acting(user, f"bypass {interlock_id}", **params) as act:
            granted = self.automation.bypasses.grant(
                interlock_id, act.user.role, self.now, duration_s, reason,
                mode=self.automation.mode, user=act.user.name,
            )  # fmt: skip
            self.supervisor.set_bypass(granted.interlock_id, granted.until)
            act.params["until"] = granted.until
        return granted

    def end_bypass(self, user: User) -> None:
        with self._acting(user, "end bypass") as act:
            if self.automation.bypasses.active(self.now) is None:
                raise CommandRefused("no interlock is bypassed: there is no bypass to end")
            self.automation.bypasses.revoke(self.now, f"ended by {act.user.name}")
            self.supervisor.set_bypass(None)

    async def probe_profile(self, user: User, path: Path) -> ProbeReport:
        """Read every signal once over a second link with the profile at ``path``, beside the
        running one (maintenance role, machine stopped); the crane's own link is not touched.

        The report sets each canonical signal's value and quality under the running profile
        beside the probe's, marks those that differ and those the new profile reads bad. A
        probe that cannot reach the PLC, or reads nothing good, is refused with why.
        """
        with self._acting(user, "probe profile", file=str(path)) as act:
            self._may_change_profile(act.user, "probing a PLC profile")
            if self.probe is None:
                raise CommandRefused("this station cannot open a probe link (no probe configured)")
            profile = await self._load(act.user, path)
            result = await self.probe(profile, path)
            snapshot = self.supervisor.snapshot_builder(profile).update(result, self.now)
            report = probe_report(profile.name, path, self.supervisor.view.snapshot, snapshot,
                                  result.error)  # fmt: skip
            act.params.update(good=len(report.good), differ=", ".join(report.differing),
                              bad=", ".join(report.bad))  # fmt: skip
            if not report.good:
                why = result.error or report.summary()
                raise CommandRefused(f"the probe of {path.name} read nothing good: {why}")
            self._journal("profile", profile.name, event="probed", file=str(path),
                          summary=report.summary(), user=act.user.name)  # fmt: skip
            return report

    async def swap_profile(self, user: User, path: Path) -> Profile:
        """Load, validate and swap in another PLC profile (maintenance role, machine stopped).

        A bad file raises :class:`~crane_ctrl.errors.ProfileError` with its located message and
        the crane keeps the old profile and link; so does a link that cannot be opened. The new
        profile is then on trial for its first
        :data:`~crane_ctrl.runtime.profile_trial.SWAP_TRIAL_SCANS` scans, the old link still
        open: if a signal good under the old profile is not under the new one, or comms are not
        ok, the station goes back to the old profile and link, journals ``rolled back`` with
        why, and raises :class:`CommandRefused` with it. The call returns when the trial is over.
        """
        with self._acting(user, "swap profile", file=str(path)) as act:
            self._may_change_profile(act.user, "swapping the PLC profile")
            if self.relink is None:
                raise CommandRefused("this station cannot open a new link (no relink configured)")
            return await self._swap(act.user, path)

    def _may_change_profile(self, user: User, what: str) -> None:
        _maintenance_only(user, what)
        state = self.automation.machine.state
        if state not in _SWAP_STATES:
            raise CommandRefused(
                f"a profile is swapped only when the machine is STOPPED, not {state.name}: "
                "STOP first (from ABORTED: CLEAR)"
            )
        if self._trial is not None:
            raise CommandRefused("a swapped-in profile is still on trial: wait for its verdict")

    async def _load(self, user: User, path: Path) -> Profile:
        from crane_ctrl.profile.loader import load_profile

        try:
            return await asyncio.to_thread(load_profile, path)  # names a missing file
        except Exception as exc:
            self._journal("profile", str(path), event="rejected", error=str(exc), user=user.name)
            raise

    async def _swap(self, user: User, path: Path) -> Profile:
        from crane_ctrl.profile.loader import fingerprint

        profile = await self._load(user, path)
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except Exception as exc:
            self._journal("profile", str(path), event="rejected", error=str(exc), user=user.name)
            raise
        assert self.relink is not None
        link = await self.relink(profile, path)  # the old link stays open until the verdict
        snapshot = self.supervisor.view.snapshot
        good_before = frozenset(n for n, r in snapshot.readings.items() if r.good)
        old, old_path = self.supervisor.profile, self.profile_path
        old_link = self.supervisor.use(profile, link)
        self.profile_path = path
        try:
            why = await self._on_trial(good_before)
        except asyncio.CancelledError:  # the caller gave up: never leave an untried profile
            self.supervisor.use(old, old_link)
            self.profile_path = old_path
            self._journal("profile", profile.name, event="rolled back", file=str(path),
                          reason="the swap was cancelled during its trial", back_to=old.name,
                          user=user.name)  # fmt: skip
            raise
        if why:
            try:
                await self._roll_back(old, old_link, old_path, link)
            except CraneCtrlError as exc:  # the old PLC link is gone and cannot be opened again
                self._journal("profile", profile.name, event="rollback failed", file=str(path),
                              reason=why, error=str(exc), user=user.name)  # fmt: skip
                raise CommandRefused(f"{path.name} failed its trial ({why}) and the way back to "
                                     f"{old.name} failed too: {exc}") from exc  # fmt: skip
            self._journal("profile", profile.name, event="rolled back", file=str(path),
                          reason=why, back_to=old.name, user=user.name)  # fmt: skip
            raise CommandRefused(f"{path.name} rolled back to {old.name}: {why}")
        await self._release(old_link)
        self._journal("profile", profile.name, event="swapped", file=str(path),
                      fingerprint=fingerprint(text),
                      replaced=old.name, user=user.name)  # fmt: skip
        return profile

    @property
    def swap_on_trial(self) -> bool:
        """Whether a swapped-in profile is on trial (its verdict after its next scans)."""
        return self._trial is not None

    async def _on_trial(self, good_before: frozenset[str]) -> str:
        """The new profile's verdict after its trial scans (judged in :meth:`_publish`, after
        each scan; nothing here polls)."""
        verdict: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._trial = _Trial(good_before, SWAP_TRIAL_SCANS, verdict)
        try:
            async with asyncio.timeout(SWAP_TRIAL_WAIT_S):
                return await verdict
        except TimeoutError:
            return f"{SWAP_TRIAL_SCANS} scans were not scanned within {SWAP_TRIAL_WAIT_S:g} s"
        finally:
            self._trial = None

    async def _roll_back(
        self, old: Profile, old_link: Link, old_path: Path | None, new_link: Link
    ) -> None:
        """The old profile over the old link again (a new one if the old one went down: the
        demo re-serves its simulator per profile); the new link released."""
        link = old_link
        if old_link.health.state is not LinkState.UP:
            assert self.relink is not None
            link = await self.relink(old, old_path or Path(f"{old.name}.toml"))
        self.supervisor.use(old, link)
        self.profile_path = old_path
        await self._release(new_link)
        if link is not old_link:
            await self._release(old_link)

    async def _release(self, link: Link) -> None:
        if self.release is not None:
            await self.release(link)

    # --- the simulator's faults (demo and test rigs only)

    async def sim_faults(self, user: User) -> SimFaults:
        """The simulator's fault catalogue and its active faults (maintenance role). A read:
        not journaled; refused when the station has no fault channel or it cannot be reached."""
        channel = self._fault_channel(self._issued(user, "read the simulator's faults"))
        return SimFaults.from_answer(channel, await channel.ask({"op": "faults"}))

    async def inject_fault(self, user: User, fault: str, params: Mapping[str, str]) -> str:
        """Inject ``fault`` into the simulator with ``params`` as text (the simulator converts
        and checks them, and refuses in its own words); maintenance role; the fault's key
        (``drive_fault:hoist``). Journaled, done or refused, with who did it."""
        text = " ".join(f"{name}={value}" for name, value in params.items())
        with self._acting(user, f"inject fault {fault}", params=text) as act:
            channel = self._fault_channel(act.user)
            act.params["channel"] = str(channel)
            answer = await channel.ask({"op": "inject", "fault": fault, "params": dict(params)})
            key = str(answer.get("key", fault))
            act.subject = f"inject fault {key}"
        return key

    async def clear_fault(self, user: User, key: str | None) -> None:
        """Clear the simulator's fault ``key`` (or its name, when one of that name is active),
        or all of them (``None``; the journal names those that were active); maintenance role.
        Journaled, done or refused, with who did it."""
        with self._acting(user, "clear all faults" if key is None else f"clear fault {key}") as act:
            channel = self._fault_channel(act.user)
            act.params["channel"] = str(channel)
            if key is None:
                before = await channel.ask({"op": "faults"})
                act.params["cleared"] = ", ".join(before.get("active") or ()) or "none"
            await channel.ask({"op": "clear", "key": key})

    def _fault_channel(self, user: User) -> FaultChannel:
        _maintenance_only(user, "injecting and clearing the simulator's faults")
        if self.fault_channel is None:
            raise CommandRefused("this station has no simulator fault channel: faults are "
                                 "injected only in the demo and on test rigs")  # fmt: skip
        return self.fault_channel

    # --- after each scan

    def _publish(self, view: SupervisorView) -> None:
        self._judge_trial(view)
        self._job_events()
        self._release_ended_landing()
        if self.automation.bypasses.active(view.snapshot.time_s) is None:
            self.supervisor.set_bypass(None)  # expired, or revoked by an overload trip
        self.view = self._build(view)
        if self.on_view is not None:
            self.on_view(self.view)

    def _judge_trial(self, view: SupervisorView) -> None:
        """A swapped-in profile's trial: one scan less to go; its verdict after the last."""
        trial = self._trial
        if trial is None or trial.verdict.done():
            return
        trial.scans_left -= 1
        if trial.scans_left <= 0:
            trial.verdict.set_result(trial_verdict(trial.good_before, view.snapshot))

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
            hanging=self._hanging(), found_at_start=a.found_at_start,
        )  # fmt: skip

    def _hanging(self) -> BoxPlace | None:
        box = self.automation.carried_box
        if box is None:
            return None
        x, y = self.yard.centre(box)
        return BoxPlace(box.id, box.size_ft, box.slot, x, y, self.yard.site.base_height(box.slot),
                        box.height_m)  # fmt: skip

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
        self._journal("operator", action, user=user.name, role=str(user.role),
                      session=session_tag(user.session), source=user.source,
                      **values)  # fmt: skip

    def _journal(self, kind: str, subject: str, **values: Any) -> None:
        journal = self.supervisor.journal
        if journal is not None:
            journal.record(kind, subject, **{k: _plain(v) for k, v in values.items()})


_CLIENT_TEXT_CHARS = 300
"""The most of a client's own text (an action's name, why it refused it) the journal keeps."""


def _clipped(text: str) -> str:
    return text if len(text) <= _CLIENT_TEXT_CHARS else text[: _CLIENT_TEXT_CHARS - 1] + "…"


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
    where = run.delivers_to if run.delivering else box.slot
    detail = f"{phase} {box.id}: {run.step} ({where})"
    if run.hold_reason and str(run.step) == "held":
        detail += f"; held: {run.hold_reason}"
    elif str(run.step) == "raise" and run.planning is not None and not run.planning.future.done():
        detail += "; planning"  # (a leg planned ahead is not waited for in the step before)
    return detail


def _progress(run: Any) -> float | None:
    """Steps done over all steps of a job (holds and settling count where they happen)."""
    if run is None:
        return None
    steps, before = (_DELIVER_STEPS, len(_COLLECT_STEPS)) if run.delivering else (_COLLECT_STEPS, 0)
    step = _SAME_PLACE.get(str(run.step), str(run.step))
    done = before + (steps.index(step) if step in steps else 0)
    return done / (len(_COLLECT_STEPS) + len(_DELIVER_STEPS))
