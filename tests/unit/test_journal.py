"""The event journal: events as data in SQLite, recorded without blocking, kept for a retention."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.runtime.journal import (
    DEFAULT_RETENTION_S,
    EventKind,
    Journal,
    JournalError,
    JournalReader,
    default_path,
)

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0


def wait_for(
    condition: Callable[[], bool], *, within: float = 5.0, what: str = "condition"
) -> None:
    """Return as soon as ``condition()`` holds; fail after ``within`` s."""
    deadline = time.monotonic() + within
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s")
        pause.wait(0.005)


def committed(path: Path) -> int:
    """Rows another connection sees committed."""
    conn = sqlite3.connect(path)
    try:
        count: int = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()
    return count


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.sqlite"


@pytest.fixture
def journal(path: Path, clock: ManualClock) -> Iterator[Journal]:
    with Journal(path, clock=clock, crane="crane-1") as journal:
        yield journal


def test_recorded_events_come_back_as_data_stamped_with_the_clocks_wall_time(
    journal: Journal, clock: ManualClock
) -> None:
    journal.record(EventKind.ALARM, "hoist.overload", state="unacknowledged", load_t=44.1)
    clock.advance(0.25)
    journal.record("operator", "acknowledge", user="kim", role="operator", alarm="hoist.overload")
    journal.flush()
    first, second = journal.events()
    assert first.as_dict() == {
        "id": first.id,
        "time": clock.wall() - 0.25,
        "crane": "crane-1",
        "kind": "alarm",
        "subject": "hoist.overload",
        "values": {"state": "unacknowledged", "load_t": 44.1},
    }
    assert first.kind is EventKind.ALARM
    assert second.time == clock.wall()
    assert second.values == {"user": "kim", "role": "operator", "alarm": "hoist.overload"}
    assert second.id > first.id


def test_every_kind_is_recorded_and_an_unknown_kind_is_refused_naming_the_kinds(
    journal: Journal,
) -> None:
    for kind in EventKind:
        journal.record(kind, "x")
    journal.flush()
    assert [e.kind for e in journal.events()] == list(EventKind)
    with pytest.raises(ValueError, match="unknown event kind 'warning'") as refused:
        journal.record("warning", "x")
    assert "alarm, trip, refusal, operator, mode, profile, link, system" in str(refused.value)
    with pytest.raises(ValueError, match="unknown event kind"):
        journal.events(kind="warning")


def test_values_that_are_not_json_data_are_refused_at_the_call(journal: Journal) -> None:
    with pytest.raises(TypeError, match="event trip 'estop': values must be JSON data"):
        journal.record("trip", "estop", when=object())


def test_events_filter_by_since_kind_and_subject(journal: Journal, clock: ManualClock) -> None:
    start = clock.wall()
    journal.record("link", "plc-1", state="lost")
    clock.advance(10)
    journal.record("trip", "estop", chain="open")
    journal.record("link", "plc-1", state="connected")
    journal.record("link", "plc-2", state="connected")
    journal.flush()
    assert len(journal.events(since=start)) == 4
    assert [e.subject for e in journal.events(since=start + 10)] == ["estop", "plc-1", "plc-2"]
    assert [e.values["state"] for e in journal.events(kind="link", subject="plc-1")] == [
        "lost",
        "connected",
    ]
    assert [e.subject for e in journal.events(since=start + 5, kind="link")] == ["plc-1", "plc-2"]
    assert journal.events(subject="plc-3") == []


def test_limit_keeps_the_most_recent_events_oldest_first(
    journal: Journal, clock: ManualClock
) -> None:
    for i in range(5):
        journal.record("mode", "state", n=i)
        clock.advance(1)
    journal.flush()
    assert [e.values["n"] for e in journal.events(limit=2)] == [3, 4]
    assert journal.events(limit=0) == []
    with pytest.raises(ValueError, match="`limit` must be non-negative"):
        journal.events(limit=-1)


def test_events_past_the_retention_are_pruned_once_per_prune_period_of_clock_time(
    path: Path, clock: ManualClock
) -> None:
    with Journal(
        path, clock=clock, crane="crane-1", retention_s=100, prune_every_s=3600
    ) as journal:
        journal.record("system", "start")
        clock.advance(200)
        journal.record("system", "tick")
        journal.flush()
        assert len(journal.events()) == 2  # expired, but the next prune is at 3600 s
        clock.advance(3400)
        journal.record("system", "tick")
        journal.flush()
        assert [e.time for e in journal.events()] == [clock.wall()]


def test_events_past_the_retention_are_pruned_when_the_journal_opens(
    path: Path, clock: ManualClock
) -> None:
    with Journal(path, clock=clock, crane="crane-1") as journal:
        journal.record("system", "start")
        clock.advance(DAY)
        journal.record("system", "stop")
    clock.advance(DEFAULT_RETENTION_S - DAY / 2)
    with Journal(path, clock=clock, crane="crane-1") as journal:
        journal.flush()
        assert [e.subject for e in journal.events()] == ["stop"]


def test_the_file_is_in_wal_mode_and_the_writer_uses_synchronous_normal(
    journal: Journal, path: Path
) -> None:
    assert journal.pragmas == {"journal_mode": "wal", "synchronous": 1}  # 1 = NORMAL
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert {"events", "events_time", "events_kind_time"} <= indexes


def test_record_returns_while_the_writer_is_blocked_inside_a_commit(
    journal: Journal, path: Path
) -> None:
    inside, release = threading.Event(), threading.Event()

    def block() -> None:
        inside.set()
        assert release.wait(5)

    journal._before_commit = block
    journal.record("system", "first")
    assert inside.wait(5), "the writer never started a commit"
    for i in range(1000):
        journal.record("refusal", "hoist.up", n=i)
    assert not release.is_set()  # every record() returned with the writer still blocked
    assert committed(path) == 0
    journal._before_commit = None
    release.set()
    journal.flush()
    assert committed(path) == 1001


def test_queries_answer_while_a_write_transaction_is_open(journal: Journal) -> None:
    journal.record("system", "start")
    journal.flush()
    inside, release = threading.Event(), threading.Event()

    def block() -> None:
        inside.set()
        assert release.wait(5)

    journal._before_commit = block
    journal.record("trip", "estop")
    assert inside.wait(5)
    assert [e.subject for e in journal.events()] == ["start"]  # the last commit, no waiting
    with JournalReader(journal.path) as other:
        assert len(other.events()) == 1
    release.set()
    journal.flush()
    assert len(journal.events()) == 2


def test_a_reader_thread_sees_a_growing_journal_while_the_writer_commits_batches(
    path: Path, clock: ManualClock
) -> None:
    seen: list[int] = []
    failures: list[BaseException] = []
    with Journal(path, clock=clock, crane="crane-1", batch_size=50) as journal:
        done = threading.Event()

        def read() -> None:
            try:
                while not done.is_set():
                    seen.append(len(journal.events(kind="alarm")))
            except BaseException as exc:
                failures.append(exc)

        reader = threading.Thread(target=read)
        reader.start()
        for i in range(2000):
            journal.record("alarm", "wind", gust=i)
        journal.flush()
        wait_for(lambda: bool(seen) and seen[-1] == 2000, what="reader sees every event")
        done.set()
        reader.join(5)
    assert not failures
    assert seen == sorted(seen)


def test_a_batch_is_committed_without_flush_when_full_or_old_enough(
    path: Path, clock: ManualClock
) -> None:
    with Journal(path, clock=clock, crane="c", batch_size=10, batch_interval_s=60) as journal:
        for _ in range(10):
            journal.record("system", "full")
        wait_for(lambda: committed(path) == 10, what="a full batch committed")
    with Journal(path, clock=clock, crane="c", batch_interval_s=0.02) as journal:
        journal.record("system", "old")
        wait_for(lambda: committed(path) == 11, what="a lone event committed")


def test_close_commits_what_was_recorded(path: Path, clock: ManualClock) -> None:
    with Journal(path, clock=clock, crane="crane-1") as journal:
        for i in range(100):
            journal.record("mode", "state", n=i)
    with JournalReader(path) as reader:
        assert [e.values["n"] for e in reader.events()] == list(range(100))


def test_another_process_closing_its_connection_leaves_the_writers_wal_alone(
    journal: Journal, path: Path
) -> None:
    journal.record("system", "start")
    journal.flush()
    probe = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM events'); c.close()"
    subprocess.run([sys.executable, "-c", probe, str(path)], check=True, timeout=30)
    assert path.with_name(path.name + "-wal").exists()  # the probe did not think it was the last
    journal.record("system", "tick")
    journal.flush()
    assert committed(path) == 2


def test_record_after_close_is_refused(path: Path, clock: ManualClock) -> None:
    journal = Journal(path, clock=clock, crane="crane-1")
    journal.close()
    journal.close()  # idempotent
    with pytest.raises(RuntimeError, match="is closed"):
        journal.record("system", "late")


def test_a_failed_write_is_reported_by_the_next_flush(journal: Journal) -> None:
    def fail() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    journal._before_commit = fail
    journal.record("system", "a")
    journal.record("system", "b")
    with pytest.raises(JournalError, match=r"2 events could not be written: disk I/O error"):
        journal.flush()
    journal._before_commit = None
    journal.record("system", "c")
    journal.flush()  # reported once; the journal goes on
    assert [e.subject for e in journal.events()] == ["c"]


async def test_aflush_commits_from_the_event_loop(journal: Journal) -> None:
    journal.record("link", "plc-1", state="connected")
    await journal.aflush()
    assert len(journal.events()) == 1


def test_a_path_that_cannot_be_opened_names_the_path_and_the_os_reason(
    tmp_path: Path, clock: ManualClock
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    path = blocker / "journal.sqlite"
    with pytest.raises(JournalError) as raised:
        Journal(path, clock=clock, crane="crane-1")
    assert str(raised.value) == f"cannot open journal {path}: Not a directory ({blocker})"
    assert isinstance(raised.value, CraneCtrlError)


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path, clock: ManualClock) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database, " * 100)
    with pytest.raises(JournalError, match=f"cannot open journal {text}: file is not a database"):
        Journal(text, clock=clock, crane="crane-1")
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(JournalError, match="is not a crane-ctrl journal"):
        Journal(other, clock=clock, crane="crane-1")
    with pytest.raises(JournalError, match="is not a crane-ctrl journal"):
        JournalReader(other)
    with pytest.raises(JournalError, match=f"no journal at {tmp_path / 'none.sqlite'}"):
        JournalReader(tmp_path / "none.sqlite")


def test_a_journal_from_a_newer_schema_is_refused(path: Path, clock: ManualClock) -> None:
    Journal(path, clock=clock, crane="crane-1").close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    with pytest.raises(JournalError, match="has schema version 7; this crane-ctrl reads version 1"):
        Journal(path, clock=clock, crane="crane-1")


def test_default_path_is_the_environment_variable_else_local_state(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CRANE_CTRL_JOURNAL", str(tmp_path / "j.sqlite"))
    assert default_path() == tmp_path / "j.sqlite"
    monkeypatch.delenv("CRANE_CTRL_JOURNAL")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local/state/crane-ctrl/journal.sqlite"


def test_bad_settings_are_refused_by_name(path: Path, clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="`retention_s` must be positive, not 0"):
        Journal(path, clock=clock, crane="crane-1", retention_s=0)


CHILD = textwrap.dedent(
    """
    import sys, threading
    from crane_ctrl.realtime import MonotonicClock
    from crane_ctrl.runtime.journal import Journal

    path, n = sys.argv[1], int(sys.argv[2])
    journal = Journal(path, clock=MonotonicClock(), crane="crane-1")
    for i in range(n):
        journal.record("system", "count", i=i)
    journal.flush()
    print(f"committed {n}", flush=True)
    pace = threading.Event()
    i = n
    while True:  # a scan loop that goes on recording until it is killed
        journal.record("system", "count", i=i)
        i += 1
        if i % 20 == 0:
            pace.wait(0.001)
    """
)


def test_kill_9_loses_no_committed_event(path: Path) -> None:
    n = 1000
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 30)
        assert ready, "the child printed nothing within 30 s"
        assert child.stdout.readline() == f"committed {n}\n"
        wait_for(lambda: committed(path) > n, what="more commits after the flush")
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        child.communicate()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    with JournalReader(path) as reader:
        counted = [e.values["i"] for e in reader.events()]
    assert counted[:n] == list(range(n))
    assert counted == list(range(len(counted)))  # whole batches, in order, nothing torn
