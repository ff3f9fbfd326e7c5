"""The commissioning report: what was tested on which PLC, what passed, what failed and why.

One :class:`CommissionReport` becomes two files in the report folder: ``commission.json``
(stable keys, for tools and archives) and ``commission.md`` (for people: the context, the
verdict, a table per stage with every check, its result, what was measured and the reason).
The I/O check's table (:func:`io_rows`) is the same on the terminal and in the Markdown.
Rendering is pure; :meth:`CommissionReport.write` is the only I/O. Wall time enters as the
two timestamps given, and is formatted here, in UTC.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crane_ctrl.commission.outcome import (
    Check,
    Measured,
    StageId,
    StageResult,
    Status,
    measured_text,
    tally,
    verdict,
)

__all__ = [
    "JSON_NAME",
    "MARKDOWN_NAME",
    "CommissionReport",
    "io_rows",
    "io_table",
    "stage_line",
    "text_table",
]

JSON_NAME = "commission.json"
MARKDOWN_NAME = "commission.md"
REPORT_FORMAT = 1
"""Bumped when a key of the JSON report changes meaning or goes away."""

_IO_HEADER: tuple[str, ...] = ("signal", "place", "value", "quality", "result", "reason")


@dataclass(frozen=True, slots=True)
class CommissionReport:
    profile_path: str
    profile_name: str
    profile_version: str
    protocol: str
    plc: str
    """Where the PLC was reached: the ``--plc`` URL."""
    link: str
    """The link's own name (profile, protocol, address)."""
    site: str
    started: float
    """Wall time (s since the epoch) when commissioning started."""
    finished: float
    assume_yes: bool
    selected: tuple[StageId, ...]
    stages: tuple[StageResult, ...]

    @property
    def verdict(self) -> Status:
        return verdict(self.stages)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, else 1."""
        return 0 if self.verdict is Status.PASS else 1

    def summary(self) -> str:
        """``PASS: 40 passed, 11 assumed (--yes), 0 failed, 2 skipped``."""
        counts = tally(self.stages)
        return (
            f"{self.verdict.upper()}: {counts[Status.PASS]} passed, {counts[Status.ASSUMED]} "
            f"assumed (--yes), {counts[Status.FAIL]} failed, {counts[Status.SKIP]} skipped"
        )

    def to_json(self) -> dict[str, Any]:
        counts = tally(self.stages)
        return {
            "format": REPORT_FORMAT,
            "tool": "crane-ctrl commission",
            "profile": {
                "path": self.profile_path,
                "name": self.profile_name,
                "version": self.profile_version,
                "protocol": self.protocol,
            },
            "plc": self.plc,
            "link": self.link,
            "site": self.site,
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "duration_s": round(self.finished - self.started, 1),
            "options": {"yes": self.assume_yes, "stages": [str(s) for s in self.selected]},
            "verdict": str(self.verdict),
            "counts": {str(status): n for status, n in counts.items()},
            "stages": [_stage_json(stage) for stage in self.stages],
        }

    def to_markdown(self) -> str:
        lines = [
            f"# Commissioning report: {self.profile_name}",
            "",
            "| | |",
            "|---|---|",
            f"| profile | `{_cell(self.profile_path)}` ({_cell(self.profile_name)} "
            f"{_cell(self.profile_version)}, {self.protocol}) |",
            f"| PLC | `{_cell(self.plc)}` |",
            f"| link | {_cell(self.link)} |",
            f"| site | `{_cell(self.site)}` |",
            f"| date | {_iso(self.started)} to {_iso(self.finished)} |",
            f"| options | {'--yes' if self.assume_yes else 'interactive'}; stages: "
            f"{', '.join(self.selected)} |",
            "",
            f"**Verdict: {self.summary()}**",
            "",
        ]
        for number, stage in enumerate(self.stages, 1):
            lines += _stage_markdown(number, stage)
        return "\n".join(lines) + "\n"

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write both files into ``folder`` (made if missing); their paths, JSON first."""
        folder.mkdir(parents=True, exist_ok=True)
        json_path, md_path = folder / JSON_NAME, folder / MARKDOWN_NAME
        text = json.dumps(self.to_json(), indent=2, allow_nan=False, ensure_ascii=False)
        json_path.write_text(text + "\n", encoding="utf-8")
        md_path.write_text(self.to_markdown(), encoding="utf-8")
        return json_path, md_path


def _iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).isoformat(timespec="seconds")


def _json_value(value: Measured) -> Measured:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or inf
    return value


def _stage_json(stage: StageResult) -> dict[str, Any]:
    return {
        "id": str(stage.id),
        "title": stage.title,
        "status": str(stage.status),
        "reason": stage.reason,
        "checks": [
            {
                "id": c.id,
                "status": str(c.status),
                "reason": c.reason,
                "measured": {k: _json_value(v) for k, v in c.measured.items()},
            }
            for c in stage.checks
        ],
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _measured_cell(check: Check) -> str:
    return ", ".join(f"{k}={measured_text(v)}" for k, v in check.measured.items())


def _stage_markdown(number: int, stage: StageResult) -> list[str]:
    lines = [f"## {number}. {stage.title}: {stage.status}", ""]
    if stage.reason:
        lines += [stage.reason, ""]
    if not stage.checks:
        return lines
    header: tuple[str, ...] = ("check", "result", "measured", "reason")
    rows: list[tuple[str, ...]]
    if stage.id is StageId.IO:
        header, rows = _IO_HEADER, io_rows(stage)
    else:
        rows = [(c.id, _result(c), _measured_cell(c), c.reason) for c in stage.checks]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(_cell(x) for x in row) + " |" for row in rows]
    return [*lines, ""]


def _result(check: Check) -> str:
    return "assumed (--yes)" if check.status is Status.ASSUMED else str(check.status)


def io_rows(stage: StageResult) -> list[tuple[str, ...]]:
    """The I/O check as rows: signal, place, value, quality, result, reason."""
    rows: list[tuple[str, ...]] = []
    for c in stage.checks:
        m = c.measured
        value = measured_text(m.get("value"))
        if "min" in m and m.get("min") != m.get("max"):
            value += f" ({measured_text(m['min'])}..{measured_text(m['max'])})"
        rows.append(
            (c.id, measured_text(m.get("place")), value, measured_text(m.get("quality")),
             _result(c), c.reason)
        )  # fmt: skip
    return rows


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    """A plain-text table with columns padded to width (the last column unpadded)."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header) - 1)]

    def line(row: Sequence[str]) -> str:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        return (indent + "  ".join([*cells, row[-1]])).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)])


def io_table(stage: StageResult) -> str:
    """The I/O check's table for the terminal."""
    return text_table(_IO_HEADER, io_rows(stage))


def stage_line(number: int, total: int, stage: StageResult) -> str:
    """``[2/5] io: pass (44 checks: 43 pass, 1 skip)``."""
    counts = tally([stage])
    parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    why = f" ({stage.reason})" if stage.reason else f" ({parts})" if parts else ""
    return f"[{number}/{total}] {stage.id}: {stage.status.upper()}{why}"
