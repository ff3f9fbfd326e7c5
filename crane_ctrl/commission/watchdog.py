"""Stage 5, watchdog: with our heartbeat frozen the PLC trips; a reset with it running clears it.

The supervisor writes ``sup.heartbeat`` every scan and nothing can make it stop short of
stopping it. So this stage pauses the supervisor (its shutdown writes zero references and
drives off) and drives the link itself: every scan period it writes the safe commands (zero
references, drives off, no lock, no reset) with the heartbeat **frozen** at one value, and reads
``plc.watchdog_trip``, until the PLC trips or the PLC's watchdog time plus a margin has passed
(its time: the profile's ``[plc] watchdog_s``, or ``--plc-watchdog``; the check says which).
Writing on with a frozen value (rather than stopping writes) shows the PLC watches the value,
not the traffic. Then the supervisor scans again, its heartbeat running, and a reset pulse
(through it) must clear the trip.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from crane_ctrl.commands import Commands
from crane_ctrl.commission.context import StageContext, StageLog
from crane_ctrl.commission.outcome import Check, Measured, Status
from crane_ctrl.commission.preconditions import blockers, flag_text
from crane_ctrl.commission.session import ScanSession
from crane_ctrl.commission.settings import CommissionSettings
from crane_ctrl.profile.model import PlcBehaviour
from crane_ctrl.signals import SIGNALS

__all__ = ["check_watchdog", "frozen_heartbeat", "reset_trip", "watchdog_time"]

_SIZES = SIGNALS["spreader.size_ref"].allowed or frozenset()


def watchdog_time(settings: CommissionSettings, plc: PlcBehaviour) -> tuple[float, str]:
    """The PLC's watchdog time the trip is checked against, s, and where it comes from: the
    one given (``--plc-watchdog``), else the profile's ``[plc] watchdog_s`` (its default if
    the profile gives none)."""
    profile_s = plc.watchdog_s
    if settings.plc_watchdog_s is not None:
        given = settings.plc_watchdog_s
        if given == profile_s:
            return given, "--plc-watchdog"
        return given, f"--plc-watchdog; the profile's [plc] watchdog_s is {profile_s:g} s"
    if "watchdog_s" in plc.model_fields_set:
        return profile_s, "the profile's [plc] watchdog_s"
    return profile_s, "the default [plc] watchdog_s: the profile gives none"


async def reset_trip(session: ScanSession, *, within_s: float) -> float | None:
    """Pulse ``plc.reset`` through the supervisor and wait for ``plc.watchdog_trip`` to read
    false: the time that took, or ``None`` if it did not within ``within_s``."""
    started = session.clock.now()
    session.request_reset()
    cleared = await session.until(
        lambda v: (r := v.snapshot.reading("plc.watchdog_trip")).good and r.value is False,
        within_s=within_s,
    )
    return None if cleared is None else cleared.snapshot.time_s - started


async def check_watchdog(ctx: StageContext) -> list[Check]:
    log = StageLog(ctx.progress)
    snapshot = ctx.session.view.snapshot
    latched = snapshot.reading("plc.watchdog_trip")
    if snapshot.comms_ok and latched.good and latched.value is True:
        # latched before this stage (a previous session, or the commands stage not run)
        took = await reset_trip(ctx.session, within_s=ctx.settings.reset_timeout_s)
        done = "cleared it" if took is not None else "did not clear it"
        ctx.progress(f"  a watchdog trip was present before the test: a reset {done}")
        snapshot = ctx.session.view.snapshot
    held = blockers(snapshot, standstill_mps=ctx.settings.standstill_mps)
    size = snapshot.number("spreader.size")
    if not held and (size is None or int(size) not in _SIZES):
        held = [
            f"spreader size unknown ({flag_text(snapshot, 'spreader.size')}): the frozen "
            "writes must repeat the size reference, or the spreader could telescope"
        ]
    if held:
        why = "; ".join(held)
        log.add(Check("trip", Status.SKIP, why))
        log.add(Check("reset", Status.SKIP, why))
        return log.checks
    assert size is not None
    trip = log.add(await _trip(ctx, int(size)))
    log.add(await _reset(ctx, tripped=trip.status is Status.PASS))
    return log.checks


@dataclass
class FrozenResult:
    """What the frozen-heartbeat writes saw."""

    tripped_after_s: float | None
    """Time from the first frozen write to the trip read true; ``None``: no trip."""
    writes: int
    error: str = ""
    """Why the test could not go on (a write or read that failed)."""


async def frozen_heartbeat(
    session: ScanSession, heartbeat: int, size_ft: int, *, within_s: float
) -> FrozenResult:
    """With the supervisor paused: write the safe commands with ``heartbeat`` frozen every scan
    period and read ``plc.watchdog_trip``, until it reads true or ``within_s`` has passed."""
    assert not session.scanning, "pause the supervisor first: it writes the heartbeat"
    link, clock, period = session.link, session.clock, session.period_s
    values = Commands().signals(heartbeat, size_ft)
    started = clock.now()
    writes = 0
    while clock.now() - started <= within_s:
        written = await link.write(values)
        if not written.ok:
            return FrozenResult(None, writes, f"write failed: {written.error}")
        writes += 1
        read = await link.read()
        if not read.ok:
            return FrozenResult(None, writes, f"read failed: {read.error}")
        if read.values.get("plc.watchdog_trip") is True:
            return FrozenResult(clock.now() - started, writes)
        await asyncio.sleep(period)  # pace the writes as the scan does
    return FrozenResult(None, writes)


async def _trip(ctx: StageContext, size_ft: int) -> Check:
    session, s = ctx.session, ctx.settings
    watchdog_s, source = watchdog_time(s, ctx.profile.plc)
    within = watchdog_s + s.watchdog_margin_s
    heartbeat = session.view.heartbeat
    ctx.progress(f"  heartbeat frozen at {heartbeat}; waiting up to {within:g} s for the trip ...")
    await session.pause()
    try:
        result = await frozen_heartbeat(session, heartbeat, size_ft, within_s=within)
    finally:
        session.resume()
    after = result.tripped_after_s
    measured: dict[str, Measured] = {
        "plc_watchdog_s": watchdog_s,
        "plc_watchdog_from": source,
        "tripped_after_s": None if after is None else round(after, 3),
        "frozen_writes": result.writes,
    }
    if result.error:
        return Check("trip", Status.FAIL, f"heartbeat frozen: {result.error}", measured)
    if result.tripped_after_s is None:
        why = (
            f"plc.watchdog_trip still false {within:g} s after the heartbeat froze (watchdog "
            f"{watchdog_s:g} s, {source}): the PLC does not watch sup.heartbeat"
        )
        return Check("trip", Status.FAIL, why, measured)
    return Check(
        "trip",
        Status.PASS,
        f"plc.watchdog_trip true {result.tripped_after_s:.2f} s after the heartbeat froze "
        f"(watchdog {watchdog_s:g} s, {source})",
        measured,
    )


async def _reset(ctx: StageContext, *, tripped: bool) -> Check:
    session, s = ctx.session, ctx.settings
    trusted = await session.until(lambda v: v.snapshot.comms_ok, within_s=s.heartbeat_timeout_s)
    if trusted is None:
        why = f"no trusted data after the supervisor resumed: {session.view.snapshot.comms_reason}"
        return Check("reset", Status.FAIL, why)
    if not tripped:
        return Check("reset", Status.SKIP, "no watchdog trip to reset")
    seen = trusted.snapshot.reading("plc.watchdog_trip")
    blocking = trusted.permits is not None and any(
        t.id == "WATCHDOG_TRIP" for t in trusted.permits.active
    )
    await session.next_scan()  # our heartbeat runs again before the reset
    took = await reset_trip(session, within_s=s.reset_timeout_s)
    measured: dict[str, Measured] = {
        "trip_seen_by_supervisor": seen.good and seen.value is True,
        "interlock_blocking": blocking,
    }
    if took is None:
        now = flag_text(session.view.snapshot, "plc.watchdog_trip")
        why = (
            f"still tripped {s.reset_timeout_s:g} s after a reset pulse with the heartbeat "
            f"running ({now})"
        )
        return Check("reset", Status.FAIL, why, measured)
    measured["cleared_after_s"] = round(took, 3)
    return Check(
        "reset",
        Status.PASS,
        f"cleared {took:.2f} s after a reset pulse with the heartbeat running"
        + ("; WATCHDOG_TRIP blocked all motion meanwhile" if blocking else ""),
        measured,
    )
