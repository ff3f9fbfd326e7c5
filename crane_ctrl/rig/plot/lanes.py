"""The lanes of a rig plot: text states as labelled bands (the job and its phase, the sequencer's
step, the PackML state, ...) and yes/no signals as rows the way a logic analyser shows them (the
spreader, the PLC and its drives, the trips and alarms that stop the crane). Pure.

Only what changed is worth a lane or a row; a band lane that held one value is named, with the
value, for the plot's note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from crane_ctrl.interlocks.catalogue import ALL_MOTIONS, CATALOGUE
from crane_ctrl.operation.jobs import ACTIVE
from crane_ctrl.operation.machine import PackState
from crane_ctrl.rig.plot.stretches import AXES, Stretches, changed
from crane_ctrl.rig.timeline import Sample, shown
from crane_ctrl.signals import CORNERS

__all__ = [
    "START_UP",
    "STOPPING_TRIPS",
    "Band",
    "BandLane",
    "Row",
    "RowLane",
    "Tone",
    "band_lanes",
    "row_lanes",
]

Span = tuple[float, float]
"""From, to: crane seconds."""
Tone = Literal["good", "bad", "neutral"]
"""What a row's true means: healthy (a chain closed, a drive ready), trouble (a trip, a fault),
or neither (a twistlock locked)."""

START_UP = frozenset({
    "comms.ok", "drives.enable", "gantry.ready", "trolley.ready", "hoist.ready",
    "trip.DRIVE_FAULT", "alarm.DRIVE_NOT_READY",
})  # fmt: skip
"""Rows that change in every run as the rig starts the crane (the PLC trusted, RESET, START, the
drives coming ready): their changes before the crane has settled
(:func:`~crane_ctrl.rig.plot.stretches.settled`) do not make them worth a row."""

_ACTING = frozenset({
    PackState.RESETTING, PackState.STARTING, PackState.COMPLETING, PackState.HOLDING,
    PackState.UNHOLDING, PackState.SUSPENDING, PackState.UNSUSPENDING, PackState.STOPPING,
    PackState.ABORTING, PackState.CLEARING,
})  # fmt: skip
"""PackML's acting states: passed through in a scan or two, labelled only where they have room."""


@dataclass(frozen=True, slots=True)
class Band:
    start_s: float
    end_s: float
    value: str


@dataclass(frozen=True, slots=True)
class BandLane:
    """A text state over time: one band per stretch of one value; gaps where it is unknown."""

    name: str
    bands: tuple[Band, ...]
    unknown: tuple[Span, ...]
    quiet: frozenset[str] = frozenset()
    """Values labelled only inside their band, where the label fits (passing states)."""


@dataclass(frozen=True, slots=True)
class Row:
    """A yes/no signal over time."""

    label: str
    tone: Tone
    true: tuple[Span, ...]
    unknown: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class RowLane:
    name: str
    rows: tuple[Row, ...]


# --- band lanes ---------------------------------------------------------------------------------

BandValue = Callable[[Sample], str | None]
"""A sample's value in a band lane: ``None`` unknown, ``""`` known but nothing to draw."""


def _job(jobs: Sequence[str]) -> BandValue:
    """The job under way and its phase (``J1 collect``; ``J1 interrupted``); ``""`` for none."""

    def value(s: Sample) -> str | None:
        active = [job for job in jobs if s.values.get(f"job.{job}") in ACTIVE]
        if not active:
            return ""
        phase = s.values.get("phase")
        what = phase if phase in ("collect", "deliver") else s.values[f"job.{active[0]}"]
        return f"{', '.join(active)} {what}"

    return value


def _text(name: str) -> BandValue:
    def value(s: Sample) -> str | None:
        v = s.values.get(name)
        return None if v is None else str(v)

    return value


def _size(s: Sample) -> str | None:
    v = s.values.get("spreader.size")
    return None if v is None else f"{v} ft" if v else "telescoping"


def _fault_code(s: Sample) -> str | None:
    v = s.values.get("plc.fault_code")
    return None if v is None else f"code {v}" if v else ""


_BANDS: tuple[tuple[str, BandValue, frozenset[str]], ...] = (
    ("step", _text("step"), frozenset()),
    ("PackML state", _text("machine"), frozenset(str(s) for s in _ACTING)),
    ("mode", _text("mode"), frozenset()),
    ("spreader size", _size, frozenset()),
    ("PLC fault code", _fault_code, frozenset()),
)


def band_lanes(run: Stretches, jobs: Sequence[str]) -> tuple[tuple[BandLane, ...], list[str]]:
    """The band lanes that changed, and the others as ``name value`` for the note."""
    lanes, quiet = [], []
    for name, value_of, quiet_values in (("job", _job(jobs), frozenset()), *_BANDS):
        values = [value_of(s) for s in run.samples]
        if not changed(values):
            held = next((v for v in values if v is not None), None)
            quiet.append(f"{name} {'none' if held == '' else shown(held)}")
            continue
        stretches = run.runs(values)
        bands = tuple(Band(a, b, str(v)) for a, b, v in stretches if v)
        unknown = tuple((a, b) for a, b, v in stretches if v is None)
        lanes.append(BandLane(name, bands, unknown, quiet_values))
    return tuple(lanes), quiet


# --- row lanes ----------------------------------------------------------------------------------


def _row(run: Stretches, label: str, tone: Tone, values: Sequence[bool | None]) -> Row:
    stretches = run.runs(values)
    true = tuple((a, b) for a, b, v in stretches if v is True)
    unknown = tuple((a, b) for a, b, v in stretches if v is None)
    return Row(label, tone, true, unknown)


def _bools(run: Stretches, name: str) -> list[bool | None]:
    """A yes/no name (``trip.ID`` and ``alarm.ID`` too) at each sample; ``None`` unknown."""
    kind, _, id_ = name.partition(".")
    if kind == "trip":
        return [id_ in s.trips for s in run.samples]
    if kind == "alarm":
        return [id_ in s.alarms for s in run.samples]
    return [v if isinstance(v := s.values.get(name), bool) else None for s in run.samples]


def _worth_a_row(run: Stretches, name: str, values: Sequence[object]) -> bool:
    return changed(values[run.settled :] if name in START_UP else values)


def _signal_rows(run: Stretches, names: Iterable[tuple[str, Tone]]) -> list[Row]:
    rows = []
    for name, tone in names:
        values = _bools(run, name)
        if _worth_a_row(run, name, values):
            rows.append(_row(run, _label(name), tone, values))
    return rows


def _label(name: str) -> str:
    written = name in ("spreader.lock", "spreader.unlock", "drives.enable")
    return f"{name} (written)" if written else name


def _corner_rows(run: Stretches, kind: str, derived: Sequence[bool | None]) -> list[Row]:
    """A row per corner where the corners disagree; one row for all four where they agree but
    say other than the derived row (three corners locked and the fourth both locked and
    unlocked: ``load.locked`` stays false); none where they say what it says."""
    names = [f"spreader.{kind}_{c}" for c in CORNERS]
    corners = [_bools(run, name) for name in names]
    if any(len(set(at) - {None}) > 1 for at in zip(*corners, strict=True)):
        return [
            _row(run, name, "neutral", values) for name, values in zip(names, corners, strict=True)
        ]
    together = [None if None in at else at[0] for at in zip(*corners, strict=True)]
    other = any(v is not None and v != d for v, d in zip(together, derived, strict=True))
    if other and changed(together):
        return [_row(run, f"spreader.{kind}_1..4", "neutral", together)]
    return []


def _spreader_rows(run: Stretches) -> list[Row]:
    """Landing pins, then the twistlocks and the commands that turn them (see
    :func:`_corner_rows` for the corners)."""
    rows = []
    for command, derived, kind in (
        (None, "load.pins", "landed"),
        (None, "load.landed", None),
        ("spreader.lock", "load.locked", "locked"),
        ("spreader.unlock", "load.unlocked", "unlocked"),
    ):
        if command is not None:
            rows += _signal_rows(run, [(command, "neutral")])
        rows += _signal_rows(run, [(derived, "neutral")])
        if kind is not None:
            rows += _corner_rows(run, kind, _bools(run, derived))
    rows += _signal_rows(run, [("hoist.slack_rope", "neutral")])
    return rows


_PLC: tuple[tuple[str, Tone], ...] = (
    ("comms.ok", "good"),
    ("plc.remote", "good"),
    ("plc.estop_ok", "good"),
    ("lane.clear", "good"),
    ("lane.truck_lifted", "bad"),
    ("plc.watchdog_trip", "bad"),
    ("plc.restart_inhibit", "bad"),
    ("drives.enable", "neutral"),
    *((f"{axis}.ready", "good") for axis in AXES),
    *((f"{axis}.fault", "bad") for axis in AXES),
    *((f"{axis}.limit_{end}_ok", "good") for axis in AXES[:2] for end in ("fwd", "rev")),
    ("hoist.limit_up_ok", "good"),
    ("hoist.limit_down_ok", "good"),
    ("gantry.storm_pins_up", "neutral"),
)
"""The PLC's own state and its drives' (``plc.reset`` is left out: the operator's resets are
events already)."""


STOPPING_TRIPS = frozenset(i.id for i in CATALOGUE if i.latches or i.blocks == ALL_MOTIONS)
"""The interlocks that stop the crane (they latch, or block every motion) and so tell a run's
story; the permits every move passes through (NOT_LANDED, SLACK_ROPE, BELOW_TRAVEL_HEIGHT, ...)
would only repeat the step lane."""


def _trip_rows(run: Stretches) -> list[Row]:
    """The stopping trips and every alarm that was active, in the order they first came (cause
    before effect); a trip and its alarm of the same name in one row when they came and went
    together."""
    tripped = set().union(*(s.trips for s in run.samples)) & STOPPING_TRIPS
    alarmed = set().union(*(s.alarms for s in run.samples))
    found: list[tuple[float, str, list[bool | None]]] = []
    for prefix, ids in (("trip", tripped), ("alarm", alarmed)):
        for id_ in ids:
            name = f"{prefix}.{id_}"
            values = _bools(run, name)
            if _worth_a_row(run, name, values):
                start = run.settled if name in START_UP else 0
                first = next(run.times[i] for i in range(start, len(values)) if values[i])
                found.append((first, f"{prefix} {id_}", values))
    rows = []
    for _, label, values in sorted(found, key=lambda f: (f[0], f[1])):
        kind, id_ = label.split(" ")
        twin = f"alarm {id_}" if kind == "trip" else f"trip {id_}"
        same = [f for f in found if f[1] == twin and f[2] == values]
        if same and kind == "alarm":
            continue  # drawn as the trip's row
        rows.append(_row(run, f"{id_} (trip, alarm)" if same else label, "bad", values))
    return rows


def row_lanes(run: Stretches) -> tuple[RowLane, ...]:
    """The row lanes with a row worth drawing."""
    lanes = (
        RowLane("spreader", tuple(_spreader_rows(run))),
        RowLane("PLC and drives", tuple(_signal_rows(run, _PLC))),
        RowLane("trips and alarms", tuple(_trip_rows(run))),
    )
    return tuple(lane for lane in lanes if lane.rows)
