"""What a rig run leaves behind: a readable summary, a JUnit XML file for CI, a timeline CSV.

JUnit: one ``<testcase>`` per scenario (``classname`` ``rig``, ``name`` the scenario's name,
``file`` its path, ``time`` its wall time); a failing scenario has one ``<failure>`` whose
``message`` is its first failed expectation with the values seen and whose text lists them all;
every verdict is in ``<system-out>``.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from crane_ctrl.rig.conditions import Scalar
from crane_ctrl.rig.expectations import SPEED_REFS
from crane_ctrl.rig.result import RunResult
from crane_ctrl.rig.timeline import Observed, Sample, shown

__all__ = ["CSV_SIGNALS", "junit_xml", "summary", "write_csv", "write_junit"]

CSV_SIGNALS = (
    "gantry.position",
    "trolley.position",
    "hoist.position",
    "gantry.speed",
    "trolley.speed",
    "hoist.speed",
    *SPEED_REFS,
    "sway.trolley",
    "sway.gantry",
    "hoist.load",
    "env.wind",
    "load.locked",
    "load.unlocked",
    "load.landed",
    "comms.ok",
    "step",
    "phase",
    "machine",
    "mode",
)
"""The timeline's signal columns, after ``time_s`` (speed references: as written), followed by
the references the PLC holds (``plc.<axis>.speed_ref``), one ``job.ID`` column per job, the
active trips and the invariants broken at that scan."""


def summary(result: RunResult, *, details: bool = False) -> str:
    """PASS/FAIL with crane and wall time; for a failure the first failed expectation and the
    values seen, then the other failures; ``details``: every verdict."""
    verdict = "PASS" if result.passed else "FAIL"
    lines = [
        f"{verdict}  {result.name}  ({result.path}): crane {result.crane_s:.1f} s, wall "
        f"{result.wall_s:.1f} s, ended: {result.ended_by or 'not run'}"
    ]
    lines += [f"    note: {note}" for note in result.notes]
    first = result.first_failure
    if first is not None:
        lines.append(f"    first failure: {first.what}: {first.seen}")
    shown = result.verdicts if details else [v for v in result.verdicts if v.failed][1:]
    lines += [f"    {v}" for v in shown]
    skipped = [v for v in result.verdicts if v.passed is None]
    if skipped and not details:
        lines.append(f"    {len(skipped)} skipped: " + "; ".join(v.what for v in skipped))
    return "\n".join(lines)


def junit_xml(results: Sequence[RunResult]) -> ET.ElementTree[ET.Element]:
    suite = ET.Element(
        "testsuite",
        name="crane-ctrl rig",
        tests=str(len(results)),
        failures=str(sum(not r.passed for r in results)),
        errors="0",
        skipped="0",
        time=f"{sum(r.wall_s for r in results):.3f}",
    )
    for r in results:
        case = ET.SubElement(
            suite, "testcase", classname="rig", name=r.name, file=r.path, time=f"{r.wall_s:.3f}"
        )
        first = r.first_failure
        if first is not None:
            failure = ET.SubElement(
                case, "failure", type="expectation", message=f"{first.what}: {first.seen}"
            )
            failure.text = "\n".join([*r.notes, *(str(v) for v in r.verdicts if v.failed)])
        out = ET.SubElement(case, "system-out")
        out.text = summary(r, details=True)
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.ElementTree(root)


def write_junit(results: Sequence[RunResult], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = junit_xml(results)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def write_csv(observed: Observed, path: Path) -> Path:
    """One row per scan: the key signals, the PLC's references, job states, trips, breaks."""
    jobs = sorted(observed.jobs)
    header = [
        "time_s",
        *CSV_SIGNALS,
        *(f"plc.{r}" for r in SPEED_REFS),
        *(f"job.{j}" for j in jobs),
        "trips",
        "broken",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for s in observed.samples:
            writer.writerow(_row(s, jobs))
    return path


def _cell(value: Scalar | None) -> str:
    return shown(value, quote=False)


def _row(s: Sample, jobs: Sequence[str]) -> list[str]:
    plc = [""] * 3 if s.plc_refs is None else [_cell(v) for v in s.plc_refs]
    return [
        f"{s.time_s:.3f}",
        *(_cell(s.values.get(n)) for n in CSV_SIGNALS),
        *plc,
        *(_cell(s.values.get(f"job.{j}")) for j in jobs),
        " ".join(sorted(s.trips)),
        "; ".join(s.broken),
    ]
