"""What a rig plot shows, worked out from a run's record. Pure: no Matplotlib.

From top to bottom:

* events: faults injected and cleared, the operator's actions and the model's faults, numbered
  in time order (:class:`Event`);
* band lanes and row lanes (:mod:`~crane_ctrl.rig.plot.lanes`): the job, the step, the PackML
  state as labelled bands; the spreader, the PLC and the trips and alarms as yes/no rows;
* panels: numbers as lines: positions, speed references written, sway, load, wind
  (:class:`Panel`).

Only what changed during the run is drawn: a panel whose every line is constant or unknown, a
band lane that held one value, a row that never changed are left out, and
:attr:`Story.left_out` names the panels and band lanes left out with the value they held.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from crane_ctrl.rig.conditions import Scalar
from crane_ctrl.rig.expectations import SPEED_REFS
from crane_ctrl.rig.plot.lanes import BandLane, RowLane, band_lanes, row_lanes
from crane_ctrl.rig.plot.stretches import Stretches, changed, holding_until, settled
from crane_ctrl.rig.timeline import Firing, Observed, shown

__all__ = ["Event", "Line", "Panel", "Story", "story"]

EventKind = Literal["fault", "clear", "action", "model"]


@dataclass(frozen=True, slots=True)
class Event:
    """A numbered marker: something the script or the model did."""

    number: int
    time_s: float
    text: str
    """``fault 1 (wind)``, with how the PLC took it (``action 2 (reset): refused: ...``)."""
    kind: EventKind


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    values: tuple[float, ...]
    """At each of :attr:`Story.times`; NaN where unknown or not seen."""


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    """``position, m``: the y label."""
    lines: tuple[Line, ...]
    steps: bool
    """Drawn as steps (references, wind) rather than joined points (positions, sway)."""


@dataclass(frozen=True, slots=True)
class Story:
    times: tuple[float, ...]
    """Of each point of the panels' lines, crane seconds."""
    span: tuple[float, float]
    """The run, from and to: the time axis."""
    outcome: str
    """How the run ended and how each job stands."""
    events: tuple[Event, ...]
    unfired: tuple[str, ...]
    """Faults, clearings and actions that never happened, with why."""
    bands: tuple[BandLane, ...]
    lanes: tuple[RowLane, ...]
    panels: tuple[Panel, ...]
    left_out: tuple[str, ...]
    """The panels and band lanes left out because nothing in them changed, with their values."""


_PANELS = (
    ("position, m", ("gantry.position", "trolley.position", "hoist.position"), False),
    ("speed ref written, m/s", SPEED_REFS, True),
    ("sway, m", ("sway.trolley", "sway.gantry"), False),
    ("load, t", ("hoist.load",), False),
    ("wind, m/s", ("env.wind",), True),
)


def story(observed: Observed) -> Story:
    """What the plot of ``observed`` shows."""
    samples = observed.samples
    times = tuple(s.time_s for s in samples)
    until = holding_until(times, observed.end_s)
    start = min(times[0], 0.0) if times else 0.0
    run = Stretches(samples, times, until, settled(samples))
    bands, quiet_bands = band_lanes(run, _job_ids(observed))
    panels, quiet_panels = _panels(run)
    events, unfired = _events(observed)
    return Story(
        times=run.point_times(),
        span=(start, max(until[-1] if until else 0.0, observed.end_s, start + 1.0)),
        outcome=_outcome(observed),
        events=events,
        unfired=unfired,
        bands=bands,
        lanes=row_lanes(run),
        panels=panels,
        left_out=(*quiet_bands, *quiet_panels),
    )


def _job_ids(observed: Observed) -> list[str]:
    """Every job: those the run ended with and those the samples name."""
    named = {k[4:] for s in observed.samples[:1] + observed.samples[-1:] for k in s.values
             if k.startswith("job.")}  # fmt: skip
    return sorted(named | set(observed.jobs))


# --- panels -------------------------------------------------------------------------------------


def _number(v: Scalar | None) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return math.nan
    return float(v)


def _panels(run: Stretches) -> tuple[tuple[Panel, ...], list[str]]:
    panels, quiet = [], []
    for title, names, steps in _PANELS:
        lines = tuple(
            Line(name, run.points([_number(s.values.get(name)) for s in run.samples]))
            for name in names
        )
        if any(changed(None if math.isnan(v) else v for v in line.values) for line in lines):
            panels.append(Panel(title, lines, steps))
            continue
        held = ", ".join(f"{line.name} {shown(_held(line.values))}" for line in lines)
        quiet.append(f"{title.split(',')[0]} ({held})")
    return tuple(panels), quiet


def _held(values: Sequence[float]) -> float | None:
    """The value a line that never changed held; ``None`` if it was never known."""
    return next((v for v in values if not math.isnan(v)), None)


# --- events -------------------------------------------------------------------------------------


def _events(observed: Observed) -> tuple[tuple[Event, ...], tuple[str, ...]]:
    fired: list[tuple[float, int, str, EventKind]] = []
    unfired = []
    kinds: tuple[tuple[EventKind, Sequence[Firing]], ...] = (
        ("fault", observed.faults),
        ("clear", observed.clears),
        ("action", observed.actions),
    )
    for kind, firings in kinds:
        for f in firings:
            text = f"{f.what}: {f.note}" if f.note else f.what
            if f.time_s is None:
                unfired.append(text)
            else:
                fired.append((f.time_s, len(fired), text, kind))
    for time_s, what in observed.model_faults or ():
        fired.append((time_s, len(fired), f"model fault: {what}", "model"))
    fired.sort(key=lambda f: (f[0], f[1]))
    events = tuple(Event(i, t, text, kind) for i, (t, _, text, kind) in enumerate(fired, 1))
    return events, tuple(unfired)


def _outcome(observed: Observed) -> str:
    jobs = "; ".join(
        f"{job} {state}" + (f" ({reason})" if reason else "")
        for job, (state, reason) in sorted(observed.jobs.items())
    )
    ended = f"crane {observed.end_s:.1f} s, ended: {observed.ended_by or 'not run'}"
    return f"{ended}; {jobs}" if jobs else ended
