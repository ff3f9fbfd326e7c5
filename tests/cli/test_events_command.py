"""``crane-ctrl events`` through the installed console script, as a maintenance engineer runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.runtime.journal import Journal, JournalReader


def _entry_point() -> str:
    beside = Path(sys.executable).with_name("crane-ctrl")
    found = str(beside) if beside.exists() else shutil.which("crane-ctrl")
    if found is None:
        raise RuntimeError("the crane-ctrl console script is not installed (make test installs it)")
    return found


CRANE_CTRL = _entry_point()
HOUR = 3600.0


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [CRANE_CTRL, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def local_iso(t: float) -> str:
    return datetime.fromtimestamp(t).isoformat(timespec="milliseconds")


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    """A journal with an old link loss, then (30 min ago) a trip and an operator reset."""
    path = tmp_path / "journal.sqlite"
    clock = ManualClock(wall_start=time.time() - 2 * HOUR)
    with Journal(path, clock=clock, crane="crane-7") as journal:
        journal.record("link", "plc-7", state="lost", error="read input 0..29 timed out")
        clock.advance(1.5 * HOUR)
        journal.record("trip", "estop", chain="open", latched=True)
        clock.advance(0.25)
        journal.record("operator", "reset", user="kim", role="technician")
    return path


@pytest.fixture
def times(journal_path: Path) -> list[float]:
    with JournalReader(journal_path) as journal:
        return [e.time for e in journal.events()]


def test_events_prints_a_table_oldest_first_with_local_times_and_values(
    journal_path: Path, times: list[float]
) -> None:
    result = run("events", "--journal", journal_path)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["TIME", "KIND", "SUBJECT", "VALUES"]
    assert [row.split()[:3] for row in rows] == [
        [local_iso(times[0]), "link", "plc-7"],
        [local_iso(times[1]), "trip", "estop"],
        [local_iso(times[2]), "operator", "reset"],
    ]
    assert rows[0].endswith('state=lost error="read input 0..29 timed out"')
    assert rows[1].endswith("chain=open latched=true")
    assert rows[0].index("plc-7") == header.index("SUBJECT")


def test_events_csv_has_a_header_and_parses_with_csv_reader(journal_path: Path) -> None:
    result = run("events", "--journal", journal_path, "--csv")
    assert result.returncode == 0, result.stderr
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert header == ["time", "crane", "kind", "subject", "data"]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("crane-7", "link", "plc-7"),
        ("crane-7", "trip", "estop"),
        ("crane-7", "operator", "reset"),
    ]
    assert json.loads(rows[0][4]) == {"state": "lost", "error": "read input 0..29 timed out"}
    assert datetime.fromisoformat(rows[2][0]).tzinfo is not None  # unambiguous for other tools


def test_events_kind_filter_shows_only_that_kind(journal_path: Path) -> None:
    result = run("events", "--journal", journal_path, "--kind", "trip", "--csv")
    assert result.returncode == 0, result.stderr
    assert [row[2] for row in csv.reader(io.StringIO(result.stdout))][1:] == ["trip"]


def test_events_since_an_age_leaves_out_older_events(journal_path: Path) -> None:
    result = run("events", "--journal", journal_path, "--since", "1h", "--csv")
    assert result.returncode == 0, result.stderr
    assert [row[3] for row in csv.reader(io.StringIO(result.stdout))][1:] == ["estop", "reset"]


def test_events_since_an_iso_local_time_and_subject_and_limit(
    journal_path: Path, times: list[float]
) -> None:
    since = datetime.fromtimestamp(times[1] - 1).isoformat(timespec="seconds")
    result = run("events", "--journal", journal_path, "--since", since, "--limit", "1")
    assert result.returncode == 0, result.stderr
    assert [row.split()[2] for row in result.stdout.splitlines()[1:]] == ["reset"]
    result = run("events", "--journal", journal_path, "--subject", "plc-7", "--csv")
    assert len(result.stdout.splitlines()) == 2


def test_events_uses_the_journal_named_by_the_environment(journal_path: Path) -> None:
    result = run("events", "--kind", "link", env={"CRANE_CTRL_JOURNAL": str(journal_path)})
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_events_with_nothing_matching_says_so(journal_path: Path) -> None:
    result = run("events", "--journal", journal_path, "--kind", "alarm")
    assert result.returncode == 0
    assert result.stdout == f"no events in {journal_path} match\n"


def test_missing_journal_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    result = run("events", "--journal", missing)
    assert result.returncode == 2
    assert result.stderr == (
        f"crane-ctrl: no journal at {missing} (give --journal PATH or set CRANE_CTRL_JOURNAL)\n"
    )
    assert not missing.exists()


def test_a_file_that_is_not_a_journal_exits_2_with_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shift handover: hoist brake noisy\n" * 50)
    result = run("events", "--journal", notes)
    assert result.returncode == 2
    assert result.stderr == f"crane-ctrl: cannot open journal {notes}: file is not a database\n"


@pytest.mark.parametrize("since", ["yesterday", "5x", "2026-13-01T07:00", "2 hours"])
def test_bad_since_exits_2_naming_the_accepted_forms(journal_path: Path, since: str) -> None:
    result = run("events", "--journal", journal_path, "--since", since)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"crane-ctrl events: error: argument --since: {since!r} is not a time; use an ISO 8601 "
        "time (2026-11-23T07:00, local time unless it has an offset such as +01:00 or Z) or an "
        "age (90s, 15m, 2h, 3d)"
    )
    assert result.stdout == ""
