"""The yard inventory kept across restarts, in the journal.

A station starts from the site file's yard and takes back the inventory last journaled
(:func:`kept_yard`): where the jobs of the last run left every box. Every change from then on
is journaled as it happens (kind ``yard``), and so is the inventory it started with, so the last
record is never older than the last start (the journal's retention cannot take it). A record
that does not fit the site is not taken: the station starts from the site file and journals why.
A ``kill -9`` loses at most the journal's last uncommitted batch (see
:mod:`crane_ctrl.runtime.journal`).
"""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Any

from crane_ctrl.operation.yard_inventory import inventory_of, restored
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.runtime.journal import Journal, JournalReader
from simulators.site_file import SiteFile, yard_model_of

__all__ = ["kept_yard", "last_inventory"]


async def kept_yard(site: SiteFile, journal_path: Path | None, journal: Journal) -> YardModel:
    """The site file's yard with the inventory last journaled in ``journal_path`` taken back;
    every change from now on journaled in ``journal``."""
    yard = yard_model_of(site)
    record = await asyncio.to_thread(last_inventory, journal_path)
    taken = False
    if record is not None:
        yard, why = restored(yard, record)
        taken = not why
        if why:
            journal.record("system", "yard", event="inventory not taken", reason=why)
    journal.record("yard", "inventory", restored=taken, **inventory_of(yard))
    yard.on_change = partial(_journal_inventory, journal)
    return yard


def last_inventory(path: Path | None) -> dict[str, Any] | None:
    """The yard inventory last journaled in ``path`` (``None``: none, or no journal)."""
    if path is None or not path.exists():
        return None
    with JournalReader(path) as reader:
        last = reader.events(kind="yard", subject="inventory", limit=1)
    return dict(last[0].values) if last else None


def _journal_inventory(journal: Journal, yard: YardModel) -> None:
    journal.record("yard", "inventory", **inventory_of(yard))
