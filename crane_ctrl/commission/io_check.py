"""Stage 2, I/O check: every canonical status signal read for a while, each judged on its own.

For each status signal of :mod:`crane_ctrl.signals` over the scans sampled:

* not mapped by the profile: ``skip`` "not mapped (optional)", or ``fail`` if it is required;
* bad in any scan (undecodable or implausible, as the snapshot's quality says, with its reason:
  a bool register reading 2, NaN, a position off this crane's travel): ``fail``;
* stale or never read in any scan: ``fail``, with the snapshot's reason;
* a life counter (``plc.heartbeat``) that never changed: ``fail`` (frozen);
* otherwise ``pass``, with the last value and, for numbers, the range seen.

:func:`judge` is pure (tests feed it snapshots); :func:`check_io` samples the live supervisor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from crane_ctrl.commission.context import StageContext, StageLog
from crane_ctrl.commission.outcome import Check, Measured, Status
from crane_ctrl.signals import STATUS, Kind, SignalSpec
from crane_ctrl.snapshot import Quality, Reading, Snapshot

__all__ = ["COUNTERS", "check_io", "judge", "judge_signal"]

COUNTERS = frozenset({"plc.heartbeat"})
"""Status signals that must keep changing: a frozen one means a stopped PLC program."""

_ORDER = (Quality.BAD, Quality.STALE, Quality.MISSING)
"""Qualities that fail a signal, worst first."""


async def check_io(ctx: StageContext) -> list[Check]:
    seconds = ctx.settings.io_sample_s
    ctx.progress(f"  reading every status signal for {seconds:g} s ...")
    views = await ctx.session.collect(seconds)
    log = StageLog(ctx.progress, quiet=True)  # the runner prints the table
    if not views:
        return [log.add(Check("scan", Status.FAIL, f"no scan in {seconds:g} s"))]
    for check in judge([v.snapshot for v in views], ctx.places):
        log.add(check)
    return log.checks


def judge(snapshots: Sequence[Snapshot], places: Mapping[str, str]) -> list[Check]:
    """One check per canonical status signal over ``snapshots``; ``places`` maps each signal
    the profile maps to where it is mapped."""
    seconds = snapshots[-1].time_s - snapshots[0].time_s if snapshots else 0.0
    checks = []
    for spec in STATUS:
        readings = [s.reading(spec.name) for s in snapshots]
        checks.append(judge_signal(spec, places.get(spec.name), readings, seconds))
    return checks


def judge_signal(
    spec: SignalSpec, place: str | None, readings: Sequence[Reading], seconds: float
) -> Check:
    """One signal's check over its ``readings`` (one per scan, ``seconds`` apart end to end)."""
    if place is None:
        if spec.required:
            return Check(spec.name, Status.FAIL, "not mapped (required)", {"place": None})
        return Check(spec.name, Status.SKIP, "not mapped (optional)", {"place": None})
    measured, changes = _measured(spec, place, readings)
    for quality in _ORDER:
        worst = [r for r in readings if r.quality is quality]
        if worst:
            measured["quality"] = str(quality)
            what = "never read" if quality is Quality.MISSING else str(quality)
            return Check(
                spec.name,
                Status.FAIL,
                f"{what} in {len(worst)} of {len(readings)} scans: {worst[0].reason}",
                measured,
            )
    if spec.name in COUNTERS and changes == 0:
        return Check(
            spec.name,
            Status.FAIL,
            f"frozen at {measured['value']} for {seconds:.1f} s (a life counter must keep "
            "changing: is the PLC program running?)",
            measured,
        )
    if spec.name in COUNTERS:
        rate = changes / seconds if seconds > 0 else 0.0
        return Check(
            spec.name,
            Status.PASS,
            f"advancing: {changes} changes in {seconds:.1f} s ({rate:.1f}/s)",
            measured,
        )
    return Check(spec.name, Status.PASS, f"good in all {len(readings)} scans", measured)


def _measured(
    spec: SignalSpec, place: str, readings: Sequence[Reading]
) -> tuple[dict[str, Measured], int]:
    """What the readings showed, and how often the good value changed."""
    values = [r.value for r in readings if r.good and r.value is not None]
    changes = sum(1 for a, b in pairwise(values) if a != b)
    measured: dict[str, Measured] = {
        "place": place,
        "value": values[-1] if values else None,
        "quality": str(Quality.GOOD),
        "scans": len(readings),
        "changes": changes,
    }
    if spec.kind is not Kind.BOOL and values:
        numbers = [float(v) for v in values]
        low, high = min(numbers), max(numbers)
        if spec.kind is Kind.INT:
            measured["min"], measured["max"] = int(low), int(high)
        else:
            measured["min"], measured["max"] = low, high
    return measured, changes
