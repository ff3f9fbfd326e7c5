"""The dispatcher's orders on disk: one SQLite file (WAL), one row per order, so a restart of
the dispatcher loses none. Written after every step that changed an order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Self

from crane_ctrl.errors import FleetError
from crane_ctrl.fleet.dispatcher import Tracked

__all__ = ["OrderStore"]


class OrderStore:
    """``async``-free and small: a few rows a minute; each write is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, "
                             "doc TEXT NOT NULL)")  # fmt: skip
            self._db.commit()
        except sqlite3.Error as exc:
            raise FleetError(f"the dispatcher's order store {path}: {exc}") from None

    def load(self) -> list[Tracked]:
        rows = self._db.execute("SELECT doc FROM orders ORDER BY rowid").fetchall()
        return [Tracked.from_json(doc) for (doc,) in rows]

    def save(self, orders: Iterable[Tracked]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO orders (id, doc) VALUES (?, ?)",
                                 [(t.order.id, t.to_json()) for t in orders])  # fmt: skip

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()
