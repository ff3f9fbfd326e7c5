"""The scan loop: the one task that owns the supervisor's state and the only writer to the PLC.

Every scan, on a fixed period measured from deadlines (no drift)::

    read -> snapshot (qualities) -> interlocks -> sequencer (proposes) -> interlock filter
         -> + heartbeat -> write -> alarms, journal, view

The sequencer proposes, the interlocks dispose: nothing reaches the link around the filter.
``scan_once()`` is the whole of one scan and is what lock-step tests call with a manual clock;
``run()`` calls it on deadlines in real time. The HMI reads :attr:`Supervisor.view`, an immutable
object replaced once per scan, and sends commands through :meth:`propose` / :meth:`request_reset`.

The profile's points are read in the same scan and carried in the snapshot apart from the
signals (:attr:`~crane_ctrl.snapshot.Snapshot.points`): the interlocks never see them; the
profile's own alarms (:mod:`crane_ctrl.runtime.profile_alarms`) and the journal
(:mod:`crane_ctrl.runtime.point_log`) do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from crane_ctrl.alarms.conditions import conditions, details, supervisor_alarms
from crane_ctrl.alarms.engine import AlarmDefinition, AlarmSystem
from crane_ctrl.alarms.states import AlarmEvent, AlarmView
from crane_ctrl.clock import Clock
from crane_ctrl.commands import Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.evaluate import (
    InterlockSettings,
    LatchState,
    Permits,
    Refusal,
    evaluate,
    filter_commands,
)
from crane_ctrl.interlocks.guard import encodable, limit_speeds, rated_speeds, single_encoder
from crane_ctrl.interlocks.wind_outlook import WindTrend
from crane_ctrl.link_report import LinkHealth, LinkState, WriteResult
from crane_ctrl.links.base import Link
from crane_ctrl.operation.machine import NEVER_BYPASSED, CommandRefused, ModeSettings
from crane_ctrl.profile.command_writes import CommandWriter, RequestEvent
from crane_ctrl.profile.model import Profile
from crane_ctrl.profile.rawtypes import field_range
from crane_ctrl.profile.validity import status_blocks
from crane_ctrl.quality import QualitySettings, SnapshotBuilder, crane_ranges
from crane_ctrl.realtime import sleep_unless
from crane_ctrl.runtime.plc_reset import ResetEffect, ResetPulse, RestartHold, WatchdogRecovery
from crane_ctrl.runtime.point_log import PointLog
from crane_ctrl.runtime.profile_alarms import profile_alarms, profile_conditions
from crane_ctrl.runtime.recorder import EventSink, Recorder, record_alarm
from crane_ctrl.runtime.rolling import RollingWindow
from crane_ctrl.signals import Value
from crane_ctrl.site import SiteLayout
from crane_ctrl.snapshot import Snapshot

__all__ = ["ScanStats", "Sequencer", "Supervisor", "SupervisorSettings", "SupervisorView"]

log = logging.getLogger(__name__)

Sequencer = Callable[[Snapshot, Permits, float], Commands]
"""Proposes the scan's commands from what the crane is doing. If it has an attribute
``travel_clear_below_m`` (the lowest hoist height at which its planned path is clear of the stack
profile), the travel-height interlock uses it; ``lift_clear_s`` (how long a lift from where the
spreader rests needs to clear its neighbours), WIND_NO_LIFT's rising wind does."""


@dataclass(frozen=True, slots=True)
class SupervisorSettings:
    scan_period_s: float = 0.05
    """20 Hz."""
    quality: QualitySettings = field(default_factory=QualitySettings)
    crane: CraneParams = field(default_factory=CraneParams)
    """The crane supervised: its rated speeds, travel, lift height and thresholds."""
    site: SiteLayout = field(default_factory=SiteLayout)
    """The site under it: the safe travel height clears its highest obstacle. Give the site in
    use with its crane (both default to the border-gate ARMG)."""
    stats_window: int = 1200
    """Scans kept for the p50/p99 figures (one minute at 20 Hz)."""
    startup_grace_s: float = 5.0
    """After start, alarms wait this long for the first trusted comms (connecting is not a
    fault yet); motion is blocked all the same."""
    reset_pulse_s: float = 0.0
    """How long ``plc.reset`` stays high for one reset at least, s (at least one scan; the
    profile's ``[plc] reset_pulse_s``, the PLC manual's minimum, if longer:
    :mod:`crane_ctrl.runtime.plc_reset`)."""
    watchdog_auto_reset: bool = True
    """Reset a PLC watchdog that latched while no supervisor was there, once, after a start or
    a reconnect, when it is the PLC's only fault (journaled); off here or in the profile's
    ``[plc]``: off."""


@dataclass(frozen=True, slots=True)
class ScanStats:
    scans: int = 0
    last_scan_s: float = 0.0
    p50_scan_s: float = 0.0
    p99_scan_s: float = 0.0
    p99_lateness_s: float = 0.0
    overruns: int = 0
    """Scans that took longer than the period."""


@dataclass(frozen=True, slots=True)
class SupervisorView:
    """Everything the HMI shows, immutable, replaced once per scan."""

    snapshot: Snapshot
    permits: Permits | None
    commands: Commands
    """What was written this scan (after the interlock filter)."""
    refusals: tuple[Refusal, ...]
    link: LinkHealth
    write: WriteResult | None
    heartbeat: int
    stats: ScanStats
    alarms: tuple[AlarmView, ...] = ()
    """Every alarm; ``annunciated`` are those an operator must see."""
    annunciated: tuple[AlarmView, ...] = ()
    first_out: str | None = None
    flood: bool = False
    written: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))
    """The values sent to the PLC this scan, by command name, as the profile's write semantics
    shaped ``commands`` (a request dropped once taken over, a pulse's low; a command written
    only on change is absent from scans it was not written in)."""


class Supervisor:
    """Supervises one crane PLC over one link."""

    def __init__(
        self,
        profile: Profile,
        link: Link,
        clock: Clock,
        settings: SupervisorSettings | None = None,
        *,
        sequencer: Sequencer | None = None,
        journal: EventSink | None = None,
    ) -> None:
        self.profile = profile
        self.link = link
        self.clock = clock
        self.settings = settings or SupervisorSettings()
        self.sequencer = sequencer
        self.interlock_settings = InterlockSettings.from_params(
            self.settings.crane, self.settings.site
        )
        self._builtin_alarms = supervisor_alarms()
        self._profile_alarms = profile_alarms(profile, (d.id for d in self._builtin_alarms))
        self.alarms = AlarmSystem(self._alarm_catalogue())
        self.journal = journal
        self._recorder = Recorder(journal, PointLog(profile)) if journal is not None else None
        self._builder = self.snapshot_builder(profile)
        self._wind = WindTrend(self.settings.crane.wind_gust_window_s)
        self._latched = LatchState()
        self._proposed = Commands()
        self._reset_requested = False
        self._sent: Mapping[str, Value] = MappingProxyType({})
        self._adopt_plc(profile)
        self._watchdog_near = False
        self._heartbeat = 0
        self._heartbeat_modulus = _counter_modulus(profile)
        self._size_ref = 40
        self._read_points: Mapping[str, Value] = {}
        self._durations = RollingWindow(self.settings.stats_window)
        self._lateness = RollingWindow(self.settings.stats_window)
        self._overruns = 0
        self._scans = 0
        self._started = clock.now()
        self._comms_seen = False
        self._write_failed = False
        self._rated = rated_speeds(self.settings.crane)
        slow = ModeSettings().maintenance_speed_factor
        self._bypass_rated = {axis: speed * slow for axis, speed in self._rated.items()}
        self._check_encoding = single_encoder(profile)
        self._guarded: set[str] = set()
        self._drives_enabled = False
        self._bypass: tuple[str, float] | None = None
        self.on_view: Callable[[SupervisorView], None] | None = None
        """Called with each scan's view at the end of the scan (the station builds its own)."""
        self.view = SupervisorView(
            Snapshot(clock.now()), None, Commands(), (), link.health, None, 0, ScanStats()
        )

    # --- the operator's (and later the HMI's) way in

    def propose(self, commands: Commands) -> None:
        """What the operator or a test asks for; the filter still decides every scan."""
        self._proposed = commands

    def use(self, profile: Profile, link: Link) -> Link:
        """Go on with another profile over another link from the next scan; the old link.

        Latches, alarms, the journal and the heartbeat count carry over; the signal qualities
        start afresh (nothing is trusted until the new link has read it). The profile's own
        alarms are the new profile's from now on (an old one that was not normal is journaled
        as cleared), and so are the points journaled.
        """
        old = self.link
        self.profile, self.link = profile, link
        self._builder = self.snapshot_builder(profile)
        self._profile_alarms = profile_alarms(profile, (d.id for d in self._builtin_alarms))
        removed = self.alarms.redefine(self._alarm_catalogue(), self.clock.now())
        if self._recorder is not None:
            self._recorder.points = PointLog(profile)
        if self.journal is not None:
            for event in removed:
                record_alarm(self.journal, event)
        self._heartbeat_modulus = _counter_modulus(profile)
        self._heartbeat %= self._heartbeat_modulus
        self._check_encoding = single_encoder(profile)
        self._guarded = set()
        self._adopt_plc(profile)
        return old

    def _adopt_plc(self, profile: Profile) -> None:
        """What the profile says of its PLC: its reset pulse and watchdog, its fault texts
        (:class:`~crane_ctrl.profile.model.PlcBehaviour`)."""
        plc = profile.plc
        pulse_s = max(self.settings.reset_pulse_s, plc.reset_pulse_s)
        self._reset_pulse = ResetPulse.of(pulse_s, self.settings.scan_period_s)
        self._reset_effect = ResetEffect(self._reset_pulse.scans * self.settings.scan_period_s)
        auto = self.settings.watchdog_auto_reset and plc.watchdog_auto_reset
        self._watchdog = WatchdogRecovery(auto)
        self.plc_watchdog_s = plc.watchdog_s
        self._fault_texts = plc.fault_texts
        self._writes = CommandWriter(profile, self.settings.scan_period_s)
        self._restart = RestartHold()

    def snapshot_builder(self, profile: Profile) -> SnapshotBuilder:
        """A fresh snapshot builder for ``profile`` with this supervisor's quality settings and
        crane ranges (the scan's own; a profile probe's for its one read)."""
        quality = self.settings.quality
        ranges = crane_ranges(self.settings.crane, quality)
        return SnapshotBuilder(
            profile.signals, quality, ranges=ranges, blocks=status_blocks(profile),
            points=profile.points, crane=self.settings.crane,
        )  # fmt: skip

    def _alarm_catalogue(self) -> list[AlarmDefinition]:
        """The built-in alarms, then the profile's own."""
        return [*self._builtin_alarms, *(a.definition for a in self._profile_alarms)]

    def set_bypass(self, interlock_id: str | None, until_s: float = 0.0) -> None:
        """Bypass one interlock until ``until_s`` (clock time), or none (``None``).

        Who may, which and for how long is :class:`~crane_ctrl.operation.machine.BypassBook`'s to
        decide; this only enforces what no caller may get wrong: never a safety function
        (:data:`~crane_ctrl.operation.machine.NEVER_BYPASSED`), never past ``until_s``, and every
        speed at the maintenance fraction of rated while it is in force.
        """
        if interlock_id is not None and interlock_id in NEVER_BYPASSED:
            raise CommandRefused(NEVER_BYPASSED[interlock_id])
        self._bypass = None if interlock_id is None else (interlock_id, until_s)

    def bypassed(self, now: float) -> frozenset[str]:
        """The interlocks bypassed at ``now``."""
        if self._bypass is None or now >= self._bypass[1]:
            return frozenset()
        return frozenset((self._bypass[0],))

    def request_reset(self, user: str = "operator") -> None:
        """Reset latched interlocks whose cause is gone, and pulse ``plc.reset``, next scan."""
        self._reset_requested = True
        self._operator("reset", user)

    def acknowledge(self, alarm_id: str | None, user: str) -> list[AlarmEvent]:
        """Acknowledge one alarm, or every unacknowledged one (``None``)."""
        now = self.clock.now()
        if alarm_id is None:
            return self._alarm_action(
                self.alarms.acknowledge_all(now, user), "acknowledge all", user
            )
        events = self.alarms.acknowledge(alarm_id, now, user)
        return self._alarm_action(events, f"acknowledge {alarm_id}", user)

    def shelve(self, alarm_id: str, duration_s: float, user: str) -> list[AlarmEvent]:
        events = self.alarms.shelve(alarm_id, self.clock.now(), duration_s, user)
        return self._alarm_action(events, f"shelve {alarm_id} for {duration_s:g} s", user)

    def unshelve(self, alarm_id: str, user: str) -> list[AlarmEvent]:
        events = self.alarms.unshelve(alarm_id, self.clock.now(), user)
        return self._alarm_action(events, f"unshelve {alarm_id}", user)

    def set_out_of_service(self, alarm_id: str, on: bool, user: str) -> list[AlarmEvent]:
        """Maintenance only (the HMI checks the role before calling)."""
        events = self.alarms.set_out_of_service(alarm_id, on, self.clock.now(), user)
        what = "out of service" if on else "back in service"
        return self._alarm_action(events, f"{alarm_id} {what}", user)

    def _alarm_action(self, events: list[AlarmEvent], action: str, user: str) -> list[AlarmEvent]:
        self._operator(action, user)
        if self.journal is not None:
            for event in events:
                record_alarm(self.journal, event)
        return events

    def _operator(self, action: str, user: str) -> None:
        if self.journal is not None:
            self.journal.record("operator", action, user=user)

    # --- one scan

    async def scan_once(self, lateness_s: float = 0.0) -> SupervisorView:
        started = self.clock.now()
        result = await self.link.read()
        link_up = self.link.health.state is LinkState.UP
        snapshot = self._builder.update(result, self.clock.now(), link_up=link_up)
        if self._writes.refusals:
            snapshot = replace(snapshot, refused=MappingProxyType(dict(self._writes.refusals)))
        self._read_points = result.points
        self._drop_proposals_on_comms_loss(snapshot)
        reset, self._reset_requested = self._reset_requested, False
        clear = getattr(self.sequencer, "travel_clear_below_m", None)
        lift_s = getattr(self.sequencer, "lift_clear_s", None)
        bypassed = self.bypassed(self.clock.now())
        permits = evaluate(
            snapshot, self.interlock_settings, self._latched, reset=reset,
            travel_clear_below_m=clear, bypassed=bypassed, wind=self._wind.observe(snapshot),
            lift_clear_s=lift_s,
        )  # fmt: skip
        self._latched = permits.latched
        proposed = self._proposed
        if self.sequencer is not None:
            proposed = self.sequencer(snapshot, permits, snapshot.time_s)
        proposed = replace(proposed, reset=self._reset_pulse.step(
            reset or proposed.reset or self._auto_reset(snapshot)
        ))  # fmt: skip
        self._judge_reset(proposed.reset, snapshot)
        if self._restart.holding(proposed.reset, snapshot):
            proposed = replace(proposed, gantry_speed_ref=0.0, trolley_speed_ref=0.0,
                               hoist_speed_ref=0.0)  # fmt: skip
        proposed, limited = limit_speeds(proposed, self._bypass_rated if bypassed else self._rated)
        self._drives_enabled = proposed.drives_enable
        commands, refusals = filter_commands(proposed, permits)
        write = await self._write(commands, snapshot, limited)
        duration = self.clock.now() - started
        self._account(duration, lateness_s)
        events = self._alarms(snapshot, permits, refusals, duration)
        stats = self._stats()
        self._watch_watchdog_margin(stats)
        self.view = SupervisorView(
            snapshot, permits, commands, tuple(refusals), self.link.health, write,
            self._heartbeat, stats, tuple(self.alarms.alarms()),
            tuple(self.alarms.annunciated()), self.alarms.first_out, self.alarms.flood,
            self._sent,
        )  # fmt: skip
        if self._recorder is not None:
            self._recorder.scan(snapshot, permits, refusals, self.link.health, events)
        if self.on_view is not None:
            self.on_view(self.view)
        return self.view

    def _judge_reset(self, reset_written: bool, snapshot: Snapshot) -> None:
        said = self._reset_effect.observe(reset_written, snapshot)
        if said:
            log.warning("%s", said)
            if self.journal is not None:
                self.journal.record("plc", "reset", reason=said)

    def _auto_reset(self, snapshot: Snapshot) -> bool:
        why = self._watchdog.due(snapshot)
        if why and self.journal is not None:
            self.journal.record("plc", "automatic PLC reset", reason=why)
        return bool(why)

    def _alarms(
        self, snapshot: Snapshot, permits: Permits, refusals: list[Refusal], duration: float
    ) -> list[AlarmEvent]:
        self._comms_seen |= snapshot.comms_ok
        starting = snapshot.time_s - self._started < self.settings.startup_grace_s
        if starting and not self._comms_seen:
            return []  # still connecting: not an alarm yet
        late: str = getattr(self.sequencer, "planning_late", "")
        exposed: str = getattr(self.sequencer, "wind_exposure", "")
        now = conditions(
            snapshot, permits, refusals, self.link.health,
            scan_overrun=duration > self.settings.scan_period_s,
            wind_prealarm_mps=self.settings.crane.wind_prealarm_mps,
            write_failed=self._write_failed,
            drives_enabled=self._drives_enabled,
            reset_ignored=bool(self._reset_effect.ignored), planning_late=bool(late),
            load_exposed=bool(exposed),
        )  # fmt: skip
        said = {**details(permits, snapshot, self._fault_texts),
                "PLC_RESET_IGNORED": self._reset_effect.ignored, "PLANNING_LATE": late,
                "LOAD_EXPOSED_TO_WIND": exposed}  # fmt: skip
        profile_now, profile_said = profile_conditions(self._profile_alarms, snapshot)
        return self.alarms.update(snapshot.time_s, {**now, **profile_now}, {**said, **profile_said})

    def _drop_proposals_on_comms_loss(self, snapshot: Snapshot) -> None:
        """A lost link forgets what was asked: nothing moves again until it is asked again."""
        if self._comms_seen and not snapshot.comms_ok and self._proposed != Commands():
            self._proposed = Commands()
            if self.journal is not None:
                self.journal.record("system", "proposal cleared", reason=snapshot.comms_reason)

    async def _write(
        self, commands: Commands, snapshot: Snapshot, limited: list[str]
    ) -> WriteResult:
        self._heartbeat = self._next_heartbeat(snapshot)
        size = snapshot.number("spreader.size")
        if commands.size_ref is not None:
            self._size_ref = commands.size_ref
        elif size:
            self._size_ref = int(size)
        values, unencodable = encodable(
            self._writes.unsigned(commands.signals(self._heartbeat, self._size_ref)),
            self._check_encoding,
        )  # (the codec skips optional commands this PLC has not: per-axis enables, ...)
        self._journal_guards(limited + unencodable)
        if not snapshot.comms_ok:
            self._writes.refresh()  # whatever the PLC held may be gone when it is back
        plan = self._writes.step(values, self._handshake_inputs(snapshot), snapshot.time_s)
        self._journal_handshakes(plan.events)
        self._sent = MappingProxyType(plan.values)
        result = await self.link.write(plan.values)
        self._writes.written(result.ok)
        if unencodable and result.ok:
            result = WriteResult(False, "; ".join(unencodable), result.duration_s)
        if self.link.health.state is LinkState.UP:  # a link that is down says so itself
            failed = not result.ok
            if failed != self._write_failed and self.journal is not None:
                state = "failing" if failed else "recovered"
                self.journal.record("link", "write", state=state, error=result.error)
            self._write_failed = failed
        return result

    def _next_heartbeat(self, snapshot: Snapshot) -> int:
        """This scan's ``sup.heartbeat``: the count on, or with the profile's ``echo`` the PLC's
        life sign as last read good (frozen while it is not: the PLC's watchdog then trips, as
        it must with a supervisor that cannot read it)."""
        echo = self._writes.heartbeat_echo
        if echo is None:
            return (self._heartbeat + 1) % self._heartbeat_modulus
        reading = snapshot.point(echo) if echo in snapshot.points else snapshot.reading(echo)
        if not reading.good or reading.value is None:
            return self._heartbeat
        return int(reading.value) % self._heartbeat_modulus

    def _handshake_inputs(self, snapshot: Snapshot) -> dict[str, Value]:
        """What the handshakes' acks, refusals and reasons read, good values only (points and
        status signals from the snapshot), and the read-back of requests the PLC clears; only
        the names they read (none for a profile written every scan)."""
        inputs: dict[str, Value] = {}
        for name in self._writes.reads:
            if name in self._writes.echoes:
                if name in self._read_points:
                    inputs[name] = self._read_points[name]
                continue
            reading = snapshot.point(name) if name in snapshot.points else snapshot.reading(name)
            if reading.good and reading.value is not None:
                inputs[name] = reading.value
        return inputs

    def _journal_handshakes(self, events: tuple[RequestEvent, ...]) -> None:
        if self.journal is None:
            return
        for event in events:
            self.journal.record("plc", event.command, event=event.what, detail=event.detail)

    def _journal_guards(self, problems: list[str]) -> None:
        """Limited or unencodable commands: recorded once when they start."""
        now = set(problems)
        if self.journal is not None:
            for problem in sorted(now - self._guarded):
                self.journal.record("refusal", problem.split(" ", 1)[0].rstrip(":"), reason=problem)
        self._guarded = now

    def _account(self, duration: float, lateness: float) -> None:
        self._scans += 1
        self._durations.add(duration)
        self._lateness.add(lateness)
        if duration > self.settings.scan_period_s:
            self._overruns += 1

    def _watch_watchdog_margin(self, stats: ScanStats) -> None:
        """Warn (log and journal, once each time it happens) when the scan's p99 time plus its
        p99 lateness reaches half the PLC's watchdog time: a little more and the PLC stops the
        crane for a heartbeat it thinks frozen."""
        late = stats.p99_scan_s + stats.p99_lateness_s
        near = stats.scans >= 20 and late >= self.plc_watchdog_s / 2
        if near and not self._watchdog_near:
            why = (f"scan p99 {stats.p99_scan_s * 1000:.0f} ms + lateness p99 "
                   f"{stats.p99_lateness_s * 1000:.0f} ms reach half the PLC's watchdog "
                   f"({self.plc_watchdog_s:g} s)")  # fmt: skip
            log.warning("%s", why)
            if self.journal is not None:
                self.journal.record("system", "scan near the PLC watchdog", reason=why)
        self._watchdog_near = near

    def _stats(self) -> ScanStats:
        d, late = self._durations, self._lateness
        return ScanStats(
            self._scans, d.last, d.percentile(0.50), d.percentile(0.99), late.percentile(0.99),
            self._overruns,
        )  # fmt: skip

    # --- real time

    async def run(self, stop: asyncio.Event, *, phase_s: float = 0.0) -> None:
        """Scan on deadlines until ``stop`` is set; then leave the crane safe.

        ``phase_s`` offsets this crane's deadlines: a process supervising many cranes spreads
        their scans over the period instead of waking them all at the same instant.
        """
        loop = asyncio.get_running_loop()
        period = self.settings.scan_period_s
        deadline = loop.time() + phase_s % period
        await sleep_unless(stop, deadline - loop.time())
        try:
            while not stop.is_set():
                lateness = max(0.0, loop.time() - deadline)
                await self.scan_once(lateness)
                deadline += period
                behind = loop.time() - deadline
                if behind > period:  # skip the scans we cannot make up; never burst
                    deadline += period * int(behind / period)
                await sleep_unless(stop, deadline - loop.time())
        finally:
            await self.shutdown()

    async def shutdown(self) -> None:
        """Write zero references and disable the drives (brakes on), best effort."""
        self._proposed = Commands()
        if self.link.health.state is LinkState.UP:
            self._heartbeat = (self._heartbeat + 1) % self._heartbeat_modulus
            result = await self.link.write(Commands().signals(self._heartbeat, self._size_ref))
            if not result.ok:
                log.warning("could not leave the crane safe on shutdown: %s", result.error)


def _counter_modulus(profile: Profile) -> int:
    """How far ``sup.heartbeat`` can count in its PLC place before it must wrap."""
    m = profile.signals["sup.heartbeat"]
    low, high = field_range(m.raw_type, m.bit_width)
    del low
    return min(high, 2**31 - 1) + 1
