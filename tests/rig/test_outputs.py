"""What a run leaves behind: the summary, JUnit XML, the timeline CSV and the PNG."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from crane_ctrl.rig.expectations import Verdict
from crane_ctrl.rig.report import CSV_SIGNALS, summary, write_junit
from crane_ctrl.rig.runner import Options, RunResult, run_one
from tests.profile_texts import ROOT

SCENARIOS = ROOT / "simulators" / "scenarios"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    """One short scenario in lock-step, with its CSV and PNG."""
    where = tmp_path_factory.mktemp("rig")
    options = Options(csv_dir=where / "csv", plot_dir=where / "png")
    return run_one(str(SCENARIOS / "estop-at-standstill.toml"), options), where


def failed_result() -> RunResult:
    verdicts = (
        Verdict("no safety invariant broken at any scan", True, "12 scans checked"),
        Verdict("interlock WIND_STOP trips", False, "never active; active trips seen: none"),
        Verdict("job J1 ends done", False, "failed: 'overweight'"),
        Verdict("container X ends at truck:T1", None, "the yard cannot be seen from here"),
    )
    return RunResult("x.toml", "a failing one", verdicts, 12.5, 0.25, "every job ended")


def test_the_run_writes_a_csv_and_a_png_named_after_the_scenario(
    outputs: tuple[RunResult, Path],
) -> None:
    result, where = outputs
    assert result.passed, summary(result, details=True)
    assert result.files == (
        str(where / "csv" / "estop-at-standstill.csv"),
        str(where / "png" / "estop-at-standstill.png"),
    )
    assert (where / "png" / "estop-at-standstill.png").read_bytes()[:8] == PNG_MAGIC


def test_the_csv_has_one_row_per_scan_with_the_key_signals(outputs: tuple[RunResult, Path]) -> None:
    _, where = outputs
    with (where / "csv" / "estop-at-standstill.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "time_s", *CSV_SIGNALS, "plc.gantry.speed_ref", "plc.trolley.speed_ref",
        "plc.hoist.speed_ref", "trips", "broken",
    ]  # fmt: skip
    for column in ("hoist.position", "gantry.speed_ref", "sway.trolley", "hoist.load",
                   "env.wind", "step", "trips"):  # fmt: skip
        assert column in rows[0]
    assert [r["time_s"] for r in rows[:2]] == ["0.000", "0.050"]
    assert float(rows[-1]["time_s"]) > 5.0
    during = [r for r in rows if 2.0 <= float(r["time_s"]) <= 3.0]
    assert all("ESTOP" in r["trips"].split() for r in during)
    assert all(float(r["plc.hoist.speed_ref"]) == 0.0 for r in rows)


def test_the_summary_shows_the_first_failure_with_what_was_seen() -> None:
    text = summary(failed_result())
    assert text.splitlines() == [
        "FAIL  a failing one  (x.toml): crane 12.5 s, wall 0.2 s, ended: every job ended",
        "    first failure: interlock WIND_STOP trips: never active; active trips seen: none",
        "    FAILED: job J1 ends done (failed: 'overweight')",
        "    1 skipped: container X ends at truck:T1",
    ]


def test_the_summary_says_first_when_fault_injections_were_skipped() -> None:
    note = "1 of 1 fault injections skipped (no control channel): expectations that rest on them cannot pass"
    result = replace(failed_result(), notes=(note,))
    assert summary(result).splitlines()[1] == f"    note: {note}"


def test_junit_xml_has_one_testcase_per_scenario_and_counts_the_failures(
    outputs: tuple[RunResult, Path], tmp_path: Path
) -> None:
    passed, _ = outputs
    path = write_junit([passed, failed_result()], tmp_path / "out" / "rig.xml")
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["e-stop at standstill", "a failing one"]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "interlock WIND_STOP trips: never active; active trips seen: none"
    )
    assert "job J1 ends done" in (failure.text or "")
    assert "skipped: container X" in (cases[1].findtext("system-out") or "")
