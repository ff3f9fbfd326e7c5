"""The names a scenario's conditions may use, and their values at one scan.

Canonical signals (:data:`crane_ctrl.signals.SIGNALS`) by their names: a status signal is its
decoded value when its quality is good (else unknown), a command signal is what the supervisor
wrote this scan. Besides them, the rig derives these (:data:`DERIVED`):

=================  =======  ============================================================
name               kind     meaning
=================  =======  ============================================================
time               number   crane seconds since the scenario started
comms.ok           yes/no   the supervisor trusts the data from the PLC
load.locked        yes/no   all four twistlocks read locked and none unlocked
load.unlocked      yes/no   all four read unlocked and none locked
load.mixed         yes/no   neither of those: some corner locked, unlocked, both or unknown
load.landed        yes/no   seated: all four landing pins pressed and the twistlocks carry
                            less than a box (the load cell under 1 t, or the ropes slack)
load.pins          yes/no   all four landing pins pressed (a box may keep them pressed as it
                            hangs: on most spreaders its roof does)
refs.zero          yes/no   every speed reference written this scan is 0
sway.total         number   load offset from plumb, m: hypot(sway.trolley, sway.gantry)
step               text     the sequencer's step ("lower", "held", ...; "idle" between jobs)
phase              text     "collect", "deliver", or "none" between jobs
machine            text     the PackML state ("execute", "held", ...)
mode               text     the operating mode ("fullautomatic", "manual", ...)
job.ID             text     that job's TIC 4.0 state ("queued", "moving_to_deliver", ...)
trip.ID            yes/no   that interlock tripped on observed values (``trip.WIND_STOP``)
alarm.ID           yes/no   that alarm is active (``alarm.PLC_HEARTBEAT_FROZEN``)
=================  =======  ============================================================
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from crane_ctrl.alarms.conditions import supervisor_alarms
from crane_ctrl.commands import AXES, Commands
from crane_ctrl.interlocks.evaluate import INTERLOCKS
from crane_ctrl.interlocks.invariants import all_landed, is_false, is_true, number
from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import Mode, PackState
from crane_ctrl.rig.conditions import Kind, NameSpec, Scalar, Vocabulary
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.signals import CORNERS, SIGNALS
from crane_ctrl.signals import Kind as SignalKind
from crane_ctrl.snapshot import Snapshot

__all__ = ["DERIVED", "JOB_STATES", "STEPS", "derived", "signal_values", "vocabulary"]

STEPS = frozenset(s.value for s in Step)
JOB_STATES = frozenset(s.value for s in JobState)
_PHASES = frozenset({"collect", "deliver", "none"})

DERIVED: Mapping[str, NameSpec] = MappingProxyType(
    {
        "time": NameSpec(Kind.NUMBER),
        "comms.ok": NameSpec(Kind.YESNO),
        "load.locked": NameSpec(Kind.YESNO),
        "load.unlocked": NameSpec(Kind.YESNO),
        "load.mixed": NameSpec(Kind.YESNO),
        "load.landed": NameSpec(Kind.YESNO),
        "load.pins": NameSpec(Kind.YESNO),
        "refs.zero": NameSpec(Kind.YESNO),
        "sway.total": NameSpec(Kind.NUMBER),
        "step": NameSpec(Kind.TEXT, STEPS),
        "phase": NameSpec(Kind.TEXT, _PHASES),
        "machine": NameSpec(Kind.TEXT, frozenset(s.value for s in PackState)),
        "mode": NameSpec(Kind.TEXT, frozenset(m.value for m in Mode)),
    }
)
"""The names the rig derives (besides ``job.ID``, ``trip.ID`` and ``alarm.ID``)."""

_KINDS = {SignalKind.BOOL: Kind.YESNO, SignalKind.INT: Kind.NUMBER, SignalKind.FLOAT: Kind.NUMBER}


def vocabulary(job_ids: Iterable[str]) -> Vocabulary:
    """Every name a scenario with these jobs may use in a condition."""
    names = {name: NameSpec(_KINDS[s.kind]) for name, s in SIGNALS.items()}
    names.update(DERIVED)
    yes_no = NameSpec(Kind.YESNO)
    prefixes = {
        "job.": (NameSpec(Kind.TEXT, JOB_STATES), frozenset(job_ids)),
        "trip.": (yes_no, frozenset(INTERLOCKS)),
        "alarm.": (yes_no, frozenset(a.id for a in supervisor_alarms())),
    }
    return Vocabulary(names, prefixes)


def signal_values(snapshot: Snapshot, written: Commands, heartbeat: int) -> dict[str, Scalar]:
    """Every good status reading and every command written this scan, by canonical name."""
    values: dict[str, Scalar] = {
        name: r.value for name, r in snapshot.readings.items() if r.good and r.value is not None
    }
    size = snapshot.number("spreader.size")
    values.update(written.signals(heartbeat, int(size) if size else 0))
    return values


SEATED_LOAD_T = 1.0
"""Under this on the load cell the twistlocks carry no box (the lightest weighs 2.2 t), t."""


def _seated(snapshot: Snapshot) -> bool:
    """All four pins pressed and no box on the ropes: written here from the rule, not taken from
    the sequencer, so a scenario holds the sequencer to account."""
    load = number(snapshot, "hoist.load")
    off_ropes = (load is not None and load < SEATED_LOAD_T) or is_true(snapshot, "hoist.slack_rope")
    return all_landed(snapshot) and off_ropes


def derived(snapshot: Snapshot, written: Commands) -> dict[str, Scalar | None]:
    """The derived names that come from one scan's snapshot and commands."""
    locked = all(is_true(snapshot, f"spreader.locked_{c}") for c in CORNERS)
    unlocked = all(is_true(snapshot, f"spreader.unlocked_{c}") for c in CORNERS)
    none_locked = all(is_false(snapshot, f"spreader.locked_{c}") for c in CORNERS)
    none_unlocked = all(is_false(snapshot, f"spreader.unlocked_{c}") for c in CORNERS)
    sway = [number(snapshot, f"sway.{axis}") for axis in ("trolley", "gantry")]
    return {
        "comms.ok": snapshot.comms_ok,
        "load.locked": locked and none_unlocked,
        "load.unlocked": unlocked and none_locked,
        "load.mixed": not (locked and none_unlocked) and not (unlocked and none_locked),
        "load.landed": _seated(snapshot),
        "load.pins": all_landed(snapshot),
        "refs.zero": all(written.speed(axis) == 0.0 for axis in AXES),
        "sway.total": None if None in sway else math.hypot(*(s or 0.0 for s in sway)),
    }
