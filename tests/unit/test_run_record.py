"""A run that never stopped (killed, a power cut) is told at the next start: "unclean shutdown"
with when it started and its last event; a clean stop, or a first start, says nothing."""

from __future__ import annotations

from pathlib import Path

from crane_ctrl.clock import ManualClock
from crane_ctrl.runtime.journal import Journal, JournalReader
from crane_ctrl.runtime.run_record import journal_unclean_shutdown


def _run(path: Path, *, stops: bool) -> None:
    with Journal(path, clock=ManualClock(), crane="crane-1") as journal:
        journal.record("system", "supervisor", event="started")
        journal.record("operator", "start", user="op")
        if stops:
            journal.record("system", "supervisor", event="stopped")


async def _start(path: Path) -> list[dict[str, object]]:
    with Journal(path, clock=ManualClock(), crane="crane-1") as journal:
        await journal_unclean_shutdown(path, journal)
    with JournalReader(path) as reader:
        said = reader.events(kind="system", subject="supervisor")
    return [dict(e.values) for e in said if e.values.get("event") == "unclean shutdown"]


async def test_a_run_that_never_stopped_is_told_at_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    _run(path, stops=False)  # as after kill -9: "started", and never "stopped"
    [unclean] = await _start(path)
    assert set(unclean) == {"event", "started_at", "last_event_at"}


async def test_a_clean_stop_and_a_first_start_say_nothing(tmp_path: Path) -> None:
    assert await _start(tmp_path / "first.sqlite") == []
    path = tmp_path / "journal.sqlite"
    _run(path, stops=True)
    assert await _start(path) == []
