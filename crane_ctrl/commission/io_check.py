"""Stage 2, I/O check: every canonical status signal read for a while, each judged on its own.

For each status signal of :mod:`crane_ctrl.signals` over the scans sampled:

* not mapped by the profile: ``skip`` "not mapped (optional)", or ``fail`` if it is required;
* bad in any scan (undecodable or implausible, as the snapshot's quality says, with its reason:
  a bool register reading 2, NaN, a position off this crane's travel): ``fail``;
* stale or never read in any scan: ``fail``, with the snapshot's reason;
* a life counter (``plc.heartbeat``) that never changed: ``fail`` (frozen);
* otherwise ``pass``, with the last value and, for numbers, the range seen.

Then, for every analog signal (a float in m, m/s or t) whose node declares its engineering units
(OPC UA ``EngineeringUnits``, read by the link at connect), one check ``<signal> units`` that the
unit the PLC declares is the one the profile's scale implies:

* the declared unit times the scale is the signal's unit (mm with scale 0.001 for m): ``pass``;
* a unit of the same quantity but another scale (mm with scale 1): ``fail``, with the fix
  (``set scale = 0.001``): every value would be read a thousand times too large;
* a unit of another quantity (m/s for a position): ``fail``, is the node the right one?
* a unit crane-ctrl does not know: ``skip``, check the scale by hand.

A node without the property is no finding; when the PLC declares units on none of its analog
nodes, one line says so (the scaling is then not cross-checked). :func:`judge_units` is pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise

from crane_ctrl.commission.context import StageContext, StageLog
from crane_ctrl.commission.outcome import Check, Measured, Status
from crane_ctrl.profile.model import SignalMapping
from crane_ctrl.signals import SIGNALS, STATUS, Kind, SignalSpec
from crane_ctrl.snapshot import Quality, Reading, Snapshot
from crane_ctrl.units import CANONICAL_UNITS, DeclaredUnits, node_unit, same_scale, scale_for

__all__ = ["COUNTERS", "check_io", "judge", "judge_signal", "judge_unit", "judge_units"]

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
    declared = ctx.session.link.declared_units
    if declared is not None and not declared:
        ctx.progress(
            "  engineering units: the PLC declares none on its analog nodes (or they could not "
            "be read); the profile's scaling is not cross-checked"
        )
    for check in judge_units(declared or {}, ctx.profile.signals):
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


def judge_units(
    declared: Mapping[str, DeclaredUnits], mappings: Mapping[str, SignalMapping]
) -> list[Check]:
    """One check per analog signal (status or command) whose node declares a unit, in
    catalogue order; ``mappings`` are the profile's."""
    return [
        judge_unit(SIGNALS[name], mappings[name], declared[name])
        for name in SIGNALS
        if name in declared and declared[name].has_unit and name in mappings
    ]


def judge_unit(spec: SignalSpec, m: SignalMapping, declared: DeclaredUnits) -> Check:
    """Whether the unit ``declared`` for ``spec``'s node is what the mapping's scale reads in
    the signal's own unit."""
    check_id, place = f"{spec.name} units", m.place()
    measured: dict[str, Measured] = {
        "place": place,
        "value": declared.describe(),
        "quality": None,
        "unit_id": declared.unit_id,
        "scale": m.scale,
    }
    if declared.low is not None and declared.high is not None:
        low, high = sorted((declared.low * m.scale + m.offset, declared.high * m.scale + m.offset))
        measured["eu_low"], measured["eu_high"] = low, high
    unit = declared.unit
    said = f"the PLC declares {declared.describe()} at {place}"
    if unit is None:
        why = f"{said}, a unit crane-ctrl does not know: check scale {m.scale:g} by hand"
        return Check(check_id, Status.SKIP, f"{why} ({spec.name} is in {spec.unit})", measured)
    needed = scale_for(unit, spec.unit)
    if needed is None:
        quantity = CANONICAL_UNITS[spec.unit].quantity
        return Check(
            check_id,
            Status.FAIL,
            f"{said}, a {unit.quantity}, but {spec.name} is a {quantity} in {spec.unit}: "
            "is the node the right one?",
            measured,
        )
    if same_scale(abs(m.scale), needed):
        return Check(
            check_id,
            Status.PASS,
            f"{said}; scale {m.scale:g} reads it in {spec.unit}",
            measured,
        )
    fix = math.copysign(needed, m.scale)
    measured["fix"] = f"scale = {fix:.10g}"
    implied = node_unit(spec.unit, m.scale)
    reads = f"{implied}" if implied is not None else f"{m.scale:g} {spec.unit}"
    return Check(
        check_id,
        Status.FAIL,
        f"{said}, but the profile's scale {m.scale:g} reads the node as {reads}: "
        f"set scale = {fix:.10g}",
        measured,
    )
