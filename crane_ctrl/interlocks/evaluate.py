"""Interlock evaluation and the final filter: the sequencer proposes, the interlocks dispose.

Every scan the supervisor calls :func:`evaluate` with the snapshot, the settings and the latch
state returned by the previous scan. The :class:`Permits` it returns hold every active
:class:`Trip` with its reason, what each :class:`Motion` may do, the optional signals left
unchecked, and the latch state for the next scan. :func:`filter_commands` then forces every
blocked part of the proposed :class:`Commands` to its safe value and records each
:class:`Refusal`. The rules themselves are in :mod:`crane_ctrl.interlocks.catalogue`.

Latching: a latching interlock latches when its cause is observed (a good signal showing the
unsafe value), stays active after the cause is gone, and clears only on a scan evaluated with
``reset=True`` while its cause is gone and every signal it needs can be seen (none BAD). A
trip that comes only from a signal's quality (stale, bad, missing) blocks as long as the quality
stays bad but does not latch: a link blip must not demand an operator reset (the PLC's
hardwired safety latches what happened while we could not see). Nor does a cause that is what
is about to happen rather than what is (WIND_NO_LIFT's wind rising to the stop limit:
``Cause.latches``): it blocks while it lasts.

Pure: no I/O, no clock (a latch's time is the snapshot's), and a healthy scan allocates little
beyond its result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.catalogue import (
    ALL_MOTIONS,
    CATALOGUE,
    TRAVEL,
    Cause,
    Context,
    Interlock,
    InterlockSettings,
    Motion,
)
from crane_ctrl.interlocks.wind_outlook import WindOutlook
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Quality, Snapshot

__all__ = [
    "ALL_MOTIONS",
    "CATALOGUE",
    "INTERLOCKS",
    "NO_LATCHES",
    "TRAVEL",
    "Cause",
    "Context",
    "Interlock",
    "InterlockSettings",
    "Latch",
    "LatchState",
    "Motion",
    "Permits",
    "Refusal",
    "Trip",
    "Unchecked",
    "evaluate",
    "filter_commands",
]

INTERLOCKS: Mapping[str, Interlock] = MappingProxyType({i.id: i for i in CATALOGUE})
"""Every interlock by id."""


@dataclass(frozen=True, slots=True)
class Latch:
    """One latched interlock: since when, and the cause that latched it."""

    since_s: float
    """Scan time (the snapshot's clock) when it latched, s."""
    reason: str


@dataclass(frozen=True, slots=True)
class LatchState:
    """The latched interlocks, carried from one scan's :class:`Permits` to the next evaluation."""

    latches: Mapping[str, Latch] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.latches)

    def __contains__(self, interlock_id: object) -> bool:
        return interlock_id in self.latches

    def since(self, interlock_id: str) -> float | None:
        """When ``interlock_id`` latched (scan time, s), or ``None`` if it is not latched."""
        latch = self.latches.get(interlock_id)
        return None if latch is None else latch.since_s


NO_LATCHES = LatchState()
"""Nothing latched: the state to start a supervisor with."""


@dataclass(frozen=True, slots=True)
class Trip:
    """One active interlock at this scan, and why."""

    interlock: Interlock
    reason: str
    """Why, in words with values ("wind 21.3 m/s >= stop limit 20.0 m/s")."""
    blocks: frozenset[Motion]
    """What it blocks under the settings it was evaluated with."""
    latched: bool = False
    """Latched: it stays active after the cause is gone, until an operator reset."""
    cause_gone: bool = False
    """Only the latch holds it: the cause is gone and an operator reset will clear it."""
    fail_safe: bool = False
    """Tripped because a signal cannot be trusted, not because it showed the unsafe value."""
    bypassed: bool = False
    """A maintenance bypass is in force: shown, alarmed, but it blocks nothing."""

    @property
    def id(self) -> str:
        return self.interlock.id

    def __str__(self) -> str:
        return f"{self.interlock.id}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Unchecked:
    """An interlock that cannot check its rule: the profile does not map an optional signal."""

    interlock: str
    """The interlock's id."""
    signal: str
    sentence: str
    """What that means, for the operator."""


@dataclass(frozen=True, slots=True)
class Permits:
    """What the interlocks allow at one scan, and why not where they do not."""

    active: tuple[Trip, ...]
    """Every active trip, in catalogue order (most fundamental first)."""
    latched: LatchState
    """The latch state to pass to the next :func:`evaluate`."""
    unchecked: tuple[Unchecked, ...] = ()
    """Rules not checked because an optional signal is not mapped."""
    wind: WindOutlook | None = None
    """Where the wind was going at this scan (the outlook WIND_NO_LIFT judged by): a load that
    waits low beside its neighbours looks ahead with it too; ``None``: not known."""
    blocked: frozenset[Motion] = field(init=False)
    """Every motion some active trip that is not bypassed blocks."""

    def __post_init__(self) -> None:
        blocking = [t.blocks for t in self.active if not t.bypassed]
        blocked = frozenset().union(*blocking) if blocking else _NONE
        object.__setattr__(self, "blocked", blocked)

    def allowed(self, motion: Motion) -> bool:
        return motion not in self.blocked

    def why_not(self, motion: Motion) -> list[Trip]:
        """The active trips that block ``motion`` (empty when it is allowed)."""
        if motion not in self.blocked:
            return []
        return [t for t in self.active if motion in t.blocks and not t.bypassed]


_NONE: frozenset[Motion] = frozenset()
_NO_CONTEXT = Context()
_UNCHECKABLE = tuple(
    (i.optional, Unchecked(i.id, i.optional, i.if_missing))
    for i in CATALOGUE
    if i.optional is not None and i.if_missing
)


def evaluate(
    snapshot: Snapshot,
    settings: InterlockSettings,
    latched: LatchState,
    *,
    reset: bool = False,
    travel_clear_below_m: float | None = None,
    bypassed: frozenset[str] = frozenset(),
    wind: WindOutlook | None = None,
    lift_clear_s: float | None = None,
) -> Permits:
    """Every interlock against ``snapshot``, with the latches of the previous scan.

    ``reset``: the operator's reset at this scan; it clears every latch whose cause is gone.
    ``travel_clear_below_m``: the motion planner's path-clear height; ``wind``: where the wind
    is going; ``lift_clear_s``: how long a lift from where the spreader rests needs to clear
    its neighbours (see :class:`Context`).
    ``bypassed``: interlocks under a maintenance bypass
    (:class:`~crane_ctrl.operation.machine.BypassBook` decides who may, which and for how long):
    still evaluated, latched and shown, never blocking.
    """
    if travel_clear_below_m is None and wind is None and lift_clear_s is None:
        context = _NO_CONTEXT
    else:
        context = Context(travel_clear_below_m, wind, lift_clear_s)
    held = latched.latches
    latches: dict[str, Latch] | None = None  # copied on the first change
    trips: list[Trip] = []
    for interlock in CATALOGUE:
        cause = interlock.condition(snapshot, settings, context)
        latch = held.get(interlock.id)
        if cause is not None:
            if latch is None and interlock.latches and cause.observed and cause.latches:
                latches = dict(held) if latches is None else latches
                latch = latches[interlock.id] = Latch(snapshot.time_s, cause.text)
            trip = _tripped(interlock, settings, cause, latched=latch is not None)
            trips.append(_bypass(trip) if interlock.id in bypassed else trip)
        elif latch is not None and reset and not _blind(interlock, snapshot):
            latches = dict(held) if latches is None else latches
            del latches[interlock.id]
        elif latch is not None:
            trip = _held_by_latch(interlock, settings, latch, _blind(interlock, snapshot))
            trips.append(_bypass(trip) if interlock.id in bypassed else trip)
    unchecked = tuple(
        u for name, u in _UNCHECKABLE if snapshot.reading(name).quality is Quality.MISSING
    )
    state = latched if latches is None else LatchState(MappingProxyType(latches))
    return Permits(tuple(trips), state, unchecked, wind)


def _tripped(
    interlock: Interlock, settings: InterlockSettings, cause: Cause, *, latched: bool
) -> Trip:
    return Trip(
        interlock,
        cause.text,
        interlock.blocks_when(settings, cause),
        latched=latched,
        fail_safe=not cause.observed,
    )


def _bypass(trip: Trip) -> Trip:
    return replace(trip, reason=f"{trip.reason} (BYPASSED for maintenance)", bypassed=True)


def _blind(interlock: Interlock, snapshot: Snapshot) -> str:
    """The needed signals that are bad this scan ("" if none): the cause cannot be seen, so a
    latch may not be reset on it (SIGNAL_QUALITY blocks meanwhile)."""
    return ", ".join(n for n in interlock.needs if snapshot.reading(n).bad)


def _held_by_latch(
    interlock: Interlock, settings: InterlockSettings, latch: Latch, blind: str
) -> Trip:
    blocks = interlock.blocks_for(settings)
    if blind:
        reason = f"{latch.reason} (latched; {blind} bad: cause unseen)"
        return Trip(interlock, reason, blocks, latched=True, fail_safe=True)
    reason = f"{latch.reason} (latched; cause gone, reset to clear)"
    return Trip(interlock, reason, blocks, latched=True, cause_gone=True)


# --- the final filter ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    """One part of the proposed commands the interlocks refused, and which ones refused it."""

    motion: Motion
    value: Value
    """The refused value: a speed reference (m/s), True for lock/unlock, a size for telescope."""
    trips: tuple[Trip, ...]
    """The active trips that block ``motion``."""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.interlock.id for t in self.trips)

    def __str__(self) -> str:
        why = "; ".join(f"{t.interlock.id} ({t.reason})" for t in self.trips)
        return f"{self.motion} {self.value!r} refused by {why}"


_AXES = (
    ("gantry", Motion.GANTRY_FWD, Motion.GANTRY_REV),
    ("trolley", Motion.TROLLEY_FWD, Motion.TROLLEY_REV),
    ("hoist", Motion.HOIST_UP, Motion.HOIST_DOWN),
)


def filter_commands(commands: Commands, permits: Permits) -> tuple[Commands, list[Refusal]]:
    """``commands`` with every blocked part at its safe value, and what was refused.

    A speed reference whose direction is blocked goes to 0.0 (a NaN reference counts as both
    directions); a blocked lock or unlock to False; a blocked telescope target to ``None`` (keep
    the present size). Zero references, ``reset`` and ``drives_enable`` pass untouched.
    """
    blocked = permits.blocked
    if not blocked:
        return commands, []
    changes: dict[str, Any] = {}
    refusals: list[Refusal] = []

    def refuse(motion: Motion, value: Value, attribute: str, safe: float | bool | None) -> None:
        changes[attribute] = safe
        refusals.append(Refusal(motion, value, tuple(permits.why_not(motion))))

    for axis, forward, reverse in _AXES:
        ref = commands.speed(axis)
        motion = _direction(ref, forward, reverse, blocked)
        if motion is not None:
            refuse(motion, ref, f"{axis}_speed_ref", 0.0)
    if commands.lock and Motion.LOCK in blocked:
        refuse(Motion.LOCK, True, "lock", False)
    if commands.unlock and Motion.UNLOCK in blocked:
        refuse(Motion.UNLOCK, True, "unlock", False)
    if commands.size_ref is not None and Motion.TELESCOPE in blocked:
        refuse(Motion.TELESCOPE, commands.size_ref, "size_ref", None)
    if not changes:
        return commands, refusals
    return replace(commands, **changes), refusals


def _direction(
    ref: float, forward: Motion, reverse: Motion, blocked: frozenset[Motion]
) -> Motion | None:
    """The blocked motion a speed reference asks for, if any."""
    if ref > 0.0:
        return forward if forward in blocked else None
    if ref < 0.0:
        return reverse if reverse in blocked else None
    if math.isnan(ref):
        return forward if forward in blocked else reverse if reverse in blocked else None
    return None
