"""Store and forward: what an edge node could not send, kept on disk until it can.

While the broker (or the primary host) is away, every sample goes to the node's store, a small
SQLite file beside the journal (``fleet-GROUP-NODE.sqlite``); when the node is born again it sends
them back, oldest first, as NDATA whose metrics carry ``is_historical`` and the time they were
taken. The store is bounded (:attr:`NodeStore.capacity` samples): when it is full the oldest go
first, counted in :attr:`NodeStore.dropped`. The same file keeps the last ``bdSeq``, so a
restarted process goes on counting (:mod:`crane_ctrl.fleet.sequence`).

A sample is stored as a Sparkplug payload with metric names and datatypes (never aliases: the
next NBIRTH may number them otherwise). Durability is the journal's: WAL with
``synchronous=NORMAL``, so a sample stored survives ``kill -9`` of the process.

Threads: every method does disk I/O and is called through ``asyncio.to_thread`` by the edge node
(never from the scan); one lock keeps the calls one at a time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from crane_ctrl.errors import FleetError, PayloadError
from crane_ctrl.fleet.changes import Sample
from crane_ctrl.fleet.payload import Payload, decode, encode
from crane_ctrl.fleet.sequence import next_bd_seq

__all__ = ["DEFAULT_CAPACITY", "Cursor", "NodeStore", "store_path"]

Cursor = tuple[int, int]
"""A stored sample's place: its time (ms) and row id, the order samples are sent back in."""

DEFAULT_CAPACITY = 500_000
"""Samples kept while offline: at one changed view every scan (20 Hz, the worst case) that is
about seven hours; a crane at work changes a few metrics a second, days."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS node (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS spool (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms INTEGER NOT NULL,
        payload BLOB NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS spool_time ON spool (time_ms, id)",
)


def store_path(journal: Path, group: str, node: str) -> Path:
    """The node's store beside ``journal`` (ids made safe for a file name)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{group}-{node}")
    return journal.parent / f"fleet-{safe}.sqlite"


class NodeStore:
    """The samples waiting to be sent, oldest first, and the last ``bdSeq``."""

    def __init__(self, path: Path | None, capacity: int = DEFAULT_CAPACITY) -> None:
        """``path`` ``None``: in memory (lost with the process)."""
        if capacity < 1:
            raise FleetError(f"the store's capacity must be at least 1 sample, not {capacity}")
        self.path = path
        self.capacity = capacity
        self.dropped = 0
        """Samples thrown away, oldest first, because the store was full."""
        self._lock = threading.Lock()
        self._conn = _open(path)
        self.depth: int = self._conn.execute("SELECT count(*) FROM spool").fetchone()[0]
        """Samples waiting now."""

    def next_bd_seq(self) -> int:
        """The ``bdSeq`` for the next CONNECT (one more than the last one :meth:`used`)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM node WHERE key = 'bdSeq'").fetchone()
        return next_bd_seq(None if row is None else int(row[0]))

    def used(self, bd_seq: int) -> None:
        """``bd_seq`` went out in a CONNECT (or may have): the next one is one more."""
        with self._lock, self._conn:
            self._conn.execute("INSERT OR REPLACE INTO node VALUES ('bdSeq', ?)", (bd_seq,))

    def put(self, samples: Iterable[Sample]) -> None:
        """Keep ``samples``; the oldest beyond :attr:`capacity` are dropped (and counted)."""
        rows = [(s.time_ms, encode(Payload(s.time_ms, None, s.metrics))) for s in samples]
        if not rows:
            return
        with self._lock, self._conn:
            self._conn.executemany("INSERT INTO spool (time_ms, payload) VALUES (?, ?)", rows)
            self.depth += len(rows)
            excess = self.depth - self.capacity
            if excess > 0:
                self._conn.execute("DELETE FROM spool WHERE id IN (SELECT id FROM spool ORDER BY "
                                   "time_ms, id LIMIT ?)", (excess,))  # fmt: skip
                self.depth -= excess
                self.dropped += excess

    def oldest(self, limit: int, after: Cursor | None = None) -> list[tuple[Cursor, Sample]]:
        """Up to ``limit`` samples, oldest first (after ``after``), each with its place: give
        the last one's as ``after`` to read on, and their places to :meth:`remove`."""
        time_ms, row_id = after if after is not None else (-1, -1)
        with self._lock:
            rows = self._conn.execute(
                "SELECT time_ms, id, payload FROM spool WHERE time_ms > ? OR (time_ms = ? AND "
                "id > ?) ORDER BY time_ms, id LIMIT ?", (time_ms, time_ms, row_id, limit),
            ).fetchall()  # fmt: skip
        return [((t, i), _sample(t, blob)) for t, i, blob in rows]

    def remove(self, places: Iterable[Cursor]) -> None:
        """Forget the samples at these places (they were sent long enough ago)."""
        with self._lock, self._conn:
            gone = self._conn.executemany("DELETE FROM spool WHERE id = ?",
                                          [(i,) for _, i in places])  # fmt: skip
            self.depth -= gone.rowcount

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _open(path: Path | None) -> sqlite3.Connection:
    where = ":memory:" if path is None else str(path)
    try:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(where, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.isolation_level = "DEFERRED"
        with conn:
            for statement in _SCHEMA:
                conn.execute(statement)
    except (OSError, sqlite3.Error) as exc:
        raise FleetError(f"cannot open the edge node's store {where}: {exc}") from None
    return conn


def _sample(time_ms: int, blob: bytes) -> Sample:
    try:
        return Sample(time_ms, decode(blob).metrics)
    except PayloadError:
        return Sample(time_ms, ())  # a damaged row: sent as nothing, then removed
