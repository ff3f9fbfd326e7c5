"""The event journal: every alarm transition, trip, refusal, operator command, mode change,
profile load, link state change and change of a profile's point, as data, in SQLite.

An event is a row of stable keys (time, crane, kind, subject, values); the journal stores them
and the HMI and ``crane-ctrl events`` render them. ``time`` comes from the clock given to the
journal (its ``wall()``), never from the system clock inside this module.

Durability: the file is in WAL mode with ``synchronous=NORMAL``. A committed transaction is in
the write-ahead log before ``commit`` returns, so it survives ``kill -9`` of the process (the
next opener replays the log); only a power loss or an operating-system crash can lose the last
few commits, and never corrupts the file. Events recorded but not yet committed (at most one
batch, ``BATCH_INTERVAL_S`` old) are lost when the process dies; ``flush()`` and ``close()``
commit them.

Threads: the scan loop must never wait on the disk. :meth:`Journal.record` only stamps the time,
encodes the values as JSON and puts the row on a queue; one writer thread per journal commits the
queue in batches and prunes events older than the retention. Queries use a separate read-only
connection and never wait for the writer (WAL readers see the last commit).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

from crane_ctrl.clock import Clock
from crane_ctrl.errors import JournalError

__all__ = [
    "DEFAULT_RETENTION_S",
    "Event",
    "EventKind",
    "Journal",
    "JournalError",
    "JournalReader",
    "default_path",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""``PRAGMA user_version`` of the journal files this module writes and reads."""
DEFAULT_RETENTION_S = 90 * 86400.0
"""Events older than this (90 days) are deleted."""
PRUNE_EVERY_S = 3600.0
"""Clock time between two retention passes of the writer (the first one runs at open)."""
BATCH_SIZE = 500
"""The writer commits as soon as this many events are pending ..."""
BATCH_INTERVAL_S = 0.1
"""... or when the oldest pending event is this old (real time), whichever comes first."""
IDLE_WAKE_S = 60.0
"""Longest real-time sleep of an idle writer before it looks at the retention schedule again."""
BUSY_TIMEOUT_MS = 5000
"""How long a connection waits for a lock held by another process (a checkpoint, say)."""

_SCHEMA = (
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        time REAL NOT NULL,
        crane TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX events_time ON events (time)",
    "CREATE INDEX events_kind_time ON events (kind, time)",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)
_INSERT = "INSERT INTO events (time, crane, kind, subject, data) VALUES (?, ?, ?, ?, ?)"
_Row = tuple[float, str, str, str, str]
_Item = _Row | threading.Event | None
"""What the writer's queue carries: an event row, a flush marker, or None to stop."""


class EventKind(StrEnum):
    """What an event is about."""

    ALARM = "alarm"
    """An alarm transition (raised, acknowledged, cleared, shelved ...)."""
    TRIP = "trip"
    """An interlock tripped or was reset."""
    REFUSAL = "refusal"
    """A command the interlocks refused."""
    OPERATOR = "operator"
    """An operator command, with user and role."""
    MODE = "mode"
    """A machine mode or state change."""
    PROFILE = "profile"
    """A PLC profile loaded, swapped or rejected, with its fingerprint."""
    LINK = "link"
    """A link state change: connected, lost, reconnecting."""
    SYSTEM = "system"
    """The supervisor started or stopped, or warns of itself (scan near the PLC watchdog)."""
    PLC = "plc"
    """What the supervisor did with the PLC: a request written, taken over, refused or timed
    out; an automatic reset."""
    POINT = "point"
    """A point of the profile (``[points]``, no canonical signal) changed its value."""
    YARD = "yard"
    """The yard inventory after a change (every box and where it stands), or as restored at a
    start: a restart takes the last one back."""


@dataclass(frozen=True, slots=True)
class Event:
    """One journal entry."""

    id: int
    """Row number in the journal, increasing in the order events were recorded."""
    time: float
    """Wall time, seconds since the Unix epoch."""
    crane: str
    kind: str
    """An :class:`EventKind` (a plain string if a newer crane-ctrl wrote a kind unknown here)."""
    subject: str
    """What the event is about: an alarm or interlock id, a signal, a link, a user."""
    values: Mapping[str, Any] = field(hash=False)
    """The rest of the event's data, as recorded."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": self.time,
            "crane": self.crane,
            "kind": str(self.kind),
            "subject": self.subject,
            "values": dict(self.values),
        }


def default_path() -> Path:
    """``$CRANE_CTRL_JOURNAL`` if set, else ``~/.local/state/crane-ctrl/journal.sqlite``."""
    env = os.environ.get("CRANE_CTRL_JOURNAL")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "state" / "crane-ctrl" / "journal.sqlite"


_KIND_VALUES = {kind.value: kind.value for kind in EventKind}
_JSON = json.JSONEncoder(separators=(",", ":"))


def _kind(kind: str) -> EventKind:
    try:
        return EventKind(kind)
    except ValueError:
        kinds = ", ".join(EventKind)
        raise ValueError(f"unknown event kind {kind!r}; the kinds are: {kinds}") from None


class JournalReader:
    """Read-only access to a journal file; safe to use from any thread, beside a writer."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise JournalError(f"no journal at {self.path}")
        _check_access(self.path, os.R_OK)
        uri = self.path.resolve().as_uri() + "?mode=ro"
        self._conn = _connect(self.path, uri, uri=True)
        self._lock = threading.Lock()
        try:
            version = _user_version(self._conn, self.path)
            if version == 0:
                raise JournalError(f"{self.path} is not a crane-ctrl journal")
            _check_version(version, self.path)
        except BaseException:
            self._conn.close()
            raise

    def events(
        self,
        since: float | None = None,
        kind: str | None = None,
        subject: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Events in the order they happened, filtered; ``limit`` keeps the most recent ones.

        ``since`` is wall time (epoch seconds, inclusive); ``kind`` an :class:`EventKind`;
        ``subject`` matches exactly.
        """
        where: list[str] = []
        params: list[object] = []
        if since is not None:
            where.append("time >= ?")
            params.append(since)
        if kind is not None:
            where.append("kind = ?")
            params.append(_kind(kind).value)
        if subject is not None:
            where.append("subject = ?")
            params.append(subject)
        sql = "SELECT id, time, crane, kind, subject, data FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY time DESC, id DESC"
        if limit is not None:
            if limit < 0:
                raise ValueError(f"`limit` must be non-negative, not {limit}")
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            try:
                rows = self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(f"cannot read journal {self.path}: {exc}") from None
        return [_event(*row) for row in reversed(rows)]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> JournalReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Journal:
    """Records events without blocking the caller; a writer thread commits them in batches.

    Use as a context manager; closing commits everything recorded before it::

        with Journal(path, clock=clock, crane="crane-1") as journal:
            journal.record(EventKind.TRIP, "estop", chain="open")
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: Clock,
        crane: str,
        retention_s: float = DEFAULT_RETENTION_S,
        prune_every_s: float = PRUNE_EVERY_S,
        batch_size: int = BATCH_SIZE,
        batch_interval_s: float = BATCH_INTERVAL_S,
    ) -> None:
        for name, value in [
            ("retention_s", retention_s), ("prune_every_s", prune_every_s),
            ("batch_size", batch_size), ("batch_interval_s", batch_interval_s),
        ]:  # fmt: skip
            if value <= 0:
                raise ValueError(f"`{name}` must be positive, not {value}")
        self.path = default_path() if path is None else Path(path)
        self.crane = crane
        self._clock = clock
        self._retention_s = retention_s
        self._prune_every_s = prune_every_s
        self._batch_size = batch_size
        self._batch_interval_s = batch_interval_s
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._due = threading.Event()
        """Set when the writer should commit without waiting out the batch interval."""
        self._closed = False
        self._lost = 0
        self._lost_reported = 0
        self._last_error = ""
        self._next_prune = clock.now()
        self._before_commit: Callable[[], None] | None = None
        """Test hook: called on the writer thread inside each write transaction."""
        self._conn = _open_writer(self.path)
        try:
            self.pragmas: dict[str, object] = {
                name: self._conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "synchronous")
            }
            """Read back from the writer connection: journal_mode "wal", synchronous 1 (NORMAL)."""
            self._reader = JournalReader(self.path)
        except BaseException:
            self._conn.close()
            raise
        self._thread = threading.Thread(target=self._run, name=f"journal {crane}", daemon=True)
        self._thread.start()

    def record(self, kind: str, subject: str, **values: Any) -> None:
        """Queue one event stamped with the clock's wall time; returns in microseconds.

        ``values`` must be JSON data (str, int, float, bool, None, lists and dicts of them).
        """
        if self._closed:
            raise RuntimeError(f"journal {self.path} is closed")
        known = _KIND_VALUES.get(kind) or _kind(kind).value
        try:
            data = _JSON.encode(values)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"event {kind} {subject!r}: values must be JSON data: {exc}") from None
        self._queue.put((self._clock.wall(), self.crane, known, subject, data))
        if self._queue.qsize() >= self._batch_size and not self._due.is_set():
            self._due.set()  # a full batch: commit it now

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every event recorded so far is committed.

        Raises ``TimeoutError`` after ``timeout`` s, and :class:`JournalError` if events were
        lost to a write error since the last flush.
        """
        if not self._thread.is_alive():
            raise JournalError(f"journal {self.path}: the writer is not running")
        done = threading.Event()
        self._queue.put(done)
        self._due.set()
        if not done.wait(timeout):
            raise TimeoutError(f"journal {self.path}: not committed within {timeout} s")
        lost, self._lost_reported = self._lost - self._lost_reported, self._lost
        if lost:
            raise JournalError(
                f"journal {self.path}: {lost} events could not be written: {self._last_error}"
            )

    async def aflush(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """:meth:`flush` for the event loop: waits in a worker thread, so the bound is ``timeout``
        (cancelling the awaiting task could not stop that thread's wait)."""
        await asyncio.to_thread(self.flush, timeout)

    def events(
        self,
        since: float | None = None,
        kind: str | None = None,
        subject: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Committed events; see :meth:`JournalReader.events`."""
        return self._reader.events(since=since, kind=kind, subject=subject, limit=limit)

    def close(self, timeout: float = 5.0) -> None:
        """Commit what is queued, stop the writer and close the file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._due.set()
        self._thread.join(timeout)
        self._reader.close()
        if self._thread.is_alive():
            raise TimeoutError(f"journal {self.path}: writer did not stop within {timeout} s")
        self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # The writer thread.

    def _run(self) -> None:
        try:
            self._prune_if_due()
            self._serve()
        except Exception:
            log.exception("journal %s: the writer stopped", self.path)

    def _serve(self) -> None:
        stop = False
        while not stop:
            try:
                first = self._queue.get(timeout=self._idle_wait_s())
            except queue.Empty:
                self._prune_if_due()
                continue
            if isinstance(first, tuple):
                # Let the batch fill: record() does not wake this thread again until it is full.
                self._due.wait(self._batch_interval_s)
            self._due.clear()
            rows, markers, stop = self._drain(first)
            if rows:
                self._write(rows)
            self._prune_if_due()
            for marker in markers:
                marker.set()

    def _idle_wait_s(self) -> float:
        """Real time to wait for a first event: at most until the next prune is due."""
        return min(max(self._next_prune - self._clock.now(), 0.0), IDLE_WAKE_S)

    def _drain(self, item: _Item) -> tuple[list[_Row], list[threading.Event], bool]:
        """``item`` and everything queued behind it: rows, flush markers, and whether to stop."""
        rows: list[_Row] = []
        markers: list[threading.Event] = []
        stop = False
        while True:
            if item is None:
                stop = True
            elif isinstance(item, threading.Event):
                markers.append(item)
            else:
                rows.append(item)
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return rows, markers, stop

    def _write(self, rows: list[_Row]) -> None:
        try:
            self._conn.execute("BEGIN")
            self._conn.executemany(_INSERT, rows)
            if self._before_commit is not None:
                self._before_commit()
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._lost += len(rows)
            self._last_error = str(exc)
            log.error("journal %s: %d events not written: %s", self.path, len(rows), exc)

    def _prune_if_due(self) -> None:
        now = self._clock.now()
        if now < self._next_prune:
            return
        self._next_prune = now + self._prune_every_s
        cutoff = self._clock.wall() - self._retention_s
        try:
            gone = self._conn.execute("DELETE FROM events WHERE time < ?", (cutoff,)).rowcount
        except sqlite3.Error as exc:
            log.error("journal %s: pruning old events failed: %s", self.path, exc)
            return
        if gone:
            log.info("journal %s: %d events past the retention deleted", self.path, gone)


def _connect(path: Path, target: str, *, uri: bool = False) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(target, uri=uri, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise JournalError(f"cannot open journal {path}: {exc}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except sqlite3.Error as exc:
        conn.close()
        raise JournalError(f"cannot open journal {path}: {exc}") from None
    return conn


def _open_writer(path: Path) -> sqlite3.Connection:
    """Create the folder and the file if needed; the schema; WAL and synchronous=NORMAL."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except OSError as exc:
        # mkdir says "File exists" for a file where a folder should be: say what is wrong.
        reason = os.strerror(errno.ENOTDIR) if isinstance(exc, FileExistsError) else exc.strerror
        raise JournalError(f"cannot open journal {path}: {reason}{_where(exc, path)}") from None
    _check_access(path, os.R_OK | os.W_OK)
    conn = _connect(path, str(path))
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise JournalError(f"journal {path}: cannot use WAL mode here (got {mode!r})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        version = _user_version(conn, path)
        if version == 0:
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise JournalError(f"{path} is not a crane-ctrl journal (it has other tables)")
            for statement in _SCHEMA:
                conn.execute(statement)
            version = SCHEMA_VERSION
        conn.execute("COMMIT")
        _check_version(version, path)
    except sqlite3.Error as exc:
        conn.close()
        raise JournalError(f"cannot open journal {path}: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _check_access(path: Path, mode: int) -> None:
    """Say in the OS's words why ``path`` cannot be opened (SQLite only says "unable to open
    database file"), without opening it: closing any descriptor of a database file drops every
    SQLite lock this process holds on it (POSIX record locks), and another process may then
    checkpoint and delete the WAL under a live writer."""
    if path.is_dir():
        code = errno.EISDIR
    elif not os.access(path, mode):
        code = errno.EACCES
    else:
        return
    raise JournalError(f"cannot open journal {path}: {os.strerror(code)}")


def _where(exc: OSError, path: Path) -> str:
    return "" if exc.filename in (None, str(path)) else f" ({exc.filename})"


def _user_version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise JournalError(f"cannot open journal {path}: {exc}") from None
    return version


def _check_version(version: int, path: Path) -> None:
    if version != SCHEMA_VERSION:
        raise JournalError(
            f"journal {path} has schema version {version}; this crane-ctrl reads version "
            f"{SCHEMA_VERSION}"
        )


def _event(id: int, time: float, crane: str, kind: str, subject: str, data: str) -> Event:
    with contextlib.suppress(ValueError):  # a kind from a newer crane-ctrl stays a string
        kind = EventKind(kind)
    return Event(id, time, crane, kind, subject, json.loads(data))
