"""Whether the last run of the station stopped cleanly, told at the next start.

Each run journals ``system`` / ``supervisor`` "started" when it starts and "stopped" when it
leaves the crane safe and closes. A run killed (``kill -9``, a power cut, a crash) never says
"stopped": the next start finds "started" as the last word of the one before and journals
"unclean shutdown" with when that run started and the last event it journaled, so an incident
review can tell a crash from a stop (nothing that run committed is lost).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from crane_ctrl.runtime.journal import Journal, JournalReader

__all__ = ["journal_unclean_shutdown", "unclean_shutdown"]


def unclean_shutdown(path: Path | None) -> dict[str, Any] | None:
    """What the journal at ``path`` says of a last run that never stopped (``None``: it
    stopped cleanly, or there was none)."""
    if path is None or not path.exists():
        return None
    with JournalReader(path) as reader:
        said = reader.events(kind="system", subject="supervisor", limit=1)
        last = reader.events(limit=1)
    if not said or said[0].values.get("event") != "started":
        return None
    return {"started_at": said[0].time, "last_event_at": last[0].time if last else said[0].time}


async def journal_unclean_shutdown(path: Path | None, journal: Journal) -> None:
    """Journal "unclean shutdown" if the last run in ``path`` never stopped."""
    found = await asyncio.to_thread(unclean_shutdown, path)
    if found is not None:
        journal.record("system", "supervisor", event="unclean shutdown", **found)
