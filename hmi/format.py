"""Text for the screens, from the station's view. Pure: no Textual, only Rich ``Text``.

Times shown to a person are wall-clock time of day (:func:`time_of_day`), never the scan clock's
seconds: a time on the station's clock (monotonic, only differences mean anything) becomes wall
time with the offset the station gives (``station.wall_offset_s``), in this one place.

ISA-101: normal reads in the calm default style; the abnormal gets :data:`ABNORMAL` (colour) and,
always, a text cue as well (``▲ TRIP``, ``[!]``, ``?``) so that nothing is told by colour alone.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from crane_ctrl.commands import Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.link_report import LinkHealth, LinkState
from crane_ctrl.operation.jobs import Job
from crane_ctrl.runtime.supervisor import ScanStats
from crane_ctrl.snapshot import Reading, Snapshot
from hmi.section import ABNORMAL

__all__ = [
    "ABNORMAL",
    "STILL_MPS",
    "WARNING",
    "arrow",
    "axis_range",
    "axis_text",
    "bar",
    "job_text",
    "link_text",
    "progress_bar",
    "quoted",
    "reading_text",
    "spreader_state",
    "spreader_text",
    "time_of_day",
]

WARNING = "bold yellow"
"""Style of a pre-alarm (wind pre-alarm, a stale value): with a text cue too."""
_LIMITS = {
    "gantry": ("gantry.limit_rev_ok", "gantry.limit_fwd_ok"),
    "trolley": ("trolley.limit_rev_ok", "trolley.limit_fwd_ok"),
    "hoist": ("hoist.limit_down_ok", "hoist.limit_up_ok"),
}


QUOTED_CHARS = 40
"""The most of an operator's own text a message repeats (a field may hold anything)."""


def quoted(text: str) -> str:
    """``text`` as a message repeats it: quoted (control characters escaped), and cut to
    :data:`QUOTED_CHARS`."""
    shown = repr(text)
    return shown if len(shown) <= QUOTED_CHARS else shown[: QUOTED_CHARS - 1] + "…"


def time_of_day(t_s: float | None, offset_s: float = 0.0) -> str:
    """``14:03:27``: ``t_s`` (epoch s, or on the station's clock with its ``wall_offset_s``)
    as local wall-clock time; ``""`` for ``None``."""
    if t_s is None:
        return ""
    return datetime.fromtimestamp(t_s + offset_s).strftime("%H:%M:%S")


def axis_range(axis: str, params: CraneParams) -> tuple[float, float]:
    """The travel of ``axis``, m: what its position bar spans."""
    if axis == "gantry":
        return 0.0, params.gantry_travel_m
    if axis == "trolley":
        return 0.0, params.cantilever_m + params.span_m
    return params.hoist_lowest_m, params.hoist_highest_m


def bar(value: float | None, low: float, high: float, width: int) -> str:
    """``├───●────┤``: where ``value`` lies between ``low`` and ``high`` (``?`` if unknown)."""
    inner = max(width - 2, 1)
    cells = ["─"] * inner
    if value is None:
        cells[inner // 2] = "?"
    else:
        fraction = min(1.0, max(0.0, (value - low) / (high - low)))
        cells[round(fraction * (inner - 1))] = "●"
    return "├" + "".join(cells) + "┤"


def progress_bar(fraction: float, width: int) -> str:
    """``█████░░░░░`` for ``fraction`` of 1."""
    done = round(min(1.0, max(0.0, fraction)) * width)
    return "█" * done + "░" * (width - done)


def reading_text(reading: Reading, fmt: str, unit: str) -> Text:
    """A value with its unit; ``?`` and the quality when it cannot be trusted."""
    if reading.good and isinstance(reading.value, int | float):
        return Text(f"{reading.value:{fmt}} {unit}")
    shown = "—" if reading.value is None else f"{reading.value:{fmt}}"
    return Text(f"? {shown} {unit} ({reading.quality})", ABNORMAL)


def axis_text(
    axis: str, snapshot: Snapshot, commands: Commands, params: CraneParams, width: int = 16
) -> Text:
    """``Hoist   ├──●──┤ 12.31 m  ↑ +0.50 m/s  ref +0.50`` with limits and quality cues."""
    low, high = axis_range(axis, params)
    position = snapshot.reading(f"{axis}.position")
    speed = snapshot.number(f"{axis}.speed")
    out = Text(f"{axis.capitalize():<8}")
    out.append(bar(snapshot.number(f"{axis}.position"), low, high, width), "dim")
    out.append(" ")
    out.append_text(reading_text(position, "7.2f", "m"))
    out.append(f"  {arrow(axis, speed)} {speed or 0.0:+5.2f} m/s")
    out.append(f"  ref {commands.speed(axis):+5.2f}", "dim")
    for end, name in zip(("-", "+"), _LIMITS[axis], strict=True):
        if not snapshot.flag(name, unsafe=False):
            out.append(f"  [!] LIMIT {end}", ABNORMAL)
    return out


STILL_MPS = 0.005
"""Below this an axis counts as still (shown ``·``, not an arrow for creep noise)."""


def arrow(axis: str, speed: float | None) -> str:
    """``↑`` ``↓`` for the hoist, ``→`` ``←`` for gantry and trolley, ``·`` when still."""
    if speed is None or abs(speed) < STILL_MPS:
        return "·"
    if axis == "hoist":
        return "↑" if speed > 0 else "↓"
    return "→" if speed > 0 else "←"


def spreader_state(snapshot: Snapshot) -> str:
    """``locked``, ``unlocked``, ``MIXED`` (neither: hoisting blocked) or ``unknown``."""
    locked = [snapshot.reading(f"spreader.locked_{c}") for c in (1, 2, 3, 4)]
    unlocked = [snapshot.reading(f"spreader.unlocked_{c}") for c in (1, 2, 3, 4)]
    if not all(r.good for r in locked + unlocked):
        return "unknown"
    if all(r.value for r in locked):
        return "locked"
    if all(r.value for r in unlocked):
        return "unlocked"
    return "MIXED"


def spreader_text(snapshot: Snapshot) -> Text:
    """``Spreader 40 ft  LOCKED  1:LK 2:LK 3:LK 4:LK`` (L landed, K locked, U unlocked)."""
    size = snapshot.number("spreader.size")
    size_text = "telescoping" if size == 0 else "? ft" if size is None else f"{size:.0f} ft"
    state = spreader_state(snapshot)
    out = Text(f"Spreader {size_text:<11} ")
    if state in ("locked", "unlocked"):
        out.append(f"{state.upper():<9}")
    else:
        out.append(f"[!] {state.upper():<5}", ABNORMAL)
    for corner in (1, 2, 3, 4):
        marks = "".join(
            letter if snapshot.flag(f"spreader.{name}_{corner}", unsafe=False) else "·"
            for letter, name in (("L", "landed"), ("K", "locked"), ("U", "unlocked"))
        )
        out.append(f" {corner}:{marks}", "dim" if marks == "···" else "")
    return out


def job_text(job: Job | None, step: str | None, progress: float | None, width: int = 10) -> Text:
    """``J1 truck lane T1 → stack bay 7 row 3 tier 1 · moving_to_collect · lower ███░░ 30 %``."""
    if job is None:
        return Text("no job running", "dim")
    out = Text(f"{job.id} {job.from_slot} → {job.to_slot} · {job.state} · {step or '-'}")
    if progress is not None:
        out.append(f" {progress_bar(progress, width)} {progress:4.0%}")
    return out


def link_text(link: LinkHealth, stats: ScanStats) -> Text:
    """``link up · rtt 2.1 ms · scan p99 3.4 ms``; abnormal when the link is not up."""
    rtt = "—" if link.round_trip_s is None else f"{link.round_trip_s * 1000:.1f} ms"
    if link.state is LinkState.UP:
        out = Text(f"link up · rtt {rtt}")
    else:
        out = Text(f"[!] link {str(link.state).upper()}", ABNORMAL)
    out.append(f" · scan p99 {stats.p99_scan_s * 1000:.1f} ms", "dim")
    return out
