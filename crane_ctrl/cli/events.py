"""``crane-ctrl events``: what the journal recorded, as a table or as CSV."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from crane_ctrl.clock import Clock
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.runtime.journal import Event, EventKind, JournalError, JournalReader, default_path
from crane_ctrl.runtime.since import SINCE_FORMS, parse_since

__all__ = ["add_parser"]

CSV_HEADER = ("time", "crane", "kind", "subject", "data")


def add_parser(commands: Any) -> None:
    """Add ``events`` to the top-level subparsers."""
    events = commands.add_parser(
        "events",
        help="show the event journal (alarms, trips, refusals, operator actions ...)",
        description="Show journal events, oldest first. The journal is --journal, else "
        "$CRANE_CTRL_JOURNAL, else ~/.local/state/crane-ctrl/journal.sqlite.",
    )
    events.add_argument("--journal", type=Path, metavar="PATH", help="journal file")
    events.add_argument(
        "--since", type=_since_type(MonotonicClock()), metavar="T",
        help=f"only events at or after T: {SINCE_FORMS}",
    )  # fmt: skip
    events.add_argument("--kind", choices=[k.value for k in EventKind], help="only this kind")
    events.add_argument("--subject", metavar="S", help="only events about S (exact match)")
    events.add_argument("--limit", type=_count, metavar="N", help="only the N most recent")
    events.add_argument("--csv", action="store_true", help=f"CSV: {','.join(CSV_HEADER)}")
    events.set_defaults(handler=_events)


def _since_type(clock: Clock) -> Callable[[str], float]:
    def since(text: str) -> float:
        try:
            return parse_since(text, clock.wall())
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return since


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count (0, 1, 2 ...)")
    return value


def _events(args: argparse.Namespace) -> int:
    path = args.journal or default_path()
    if not path.exists():
        raise JournalError(f"no journal at {path} (give --journal PATH or set CRANE_CTRL_JOURNAL)")
    with JournalReader(path) as journal:
        found = journal.events(
            since=args.since, kind=args.kind, subject=args.subject, limit=args.limit
        )
    if args.csv:
        _write_csv(found)
    elif found:
        print(_table(found))
    else:
        print(f"no events in {path} match")
    return 0


def _write_csv(found: Sequence[Event]) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(CSV_HEADER)
    for e in found:
        when = datetime.fromtimestamp(e.time).astimezone().isoformat(timespec="milliseconds")
        data = json.dumps(dict(e.values), separators=(",", ":"), ensure_ascii=False)
        out.writerow((when, e.crane, e.kind, e.subject, data))


def _table(found: Sequence[Event]) -> str:
    rows = [("TIME", "KIND", "SUBJECT", "VALUES")]
    for e in found:
        when = datetime.fromtimestamp(e.time).isoformat(timespec="milliseconds")
        pairs = " ".join(f"{k}={_compact(v)}" for k, v in e.values.items())
        rows.append((when, str(e.kind), e.subject, pairs))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _compact(value: object) -> str:
    """A value as it reads best after ``k=``: plain words bare, anything else as JSON."""
    if isinstance(value, str) and value and not re.search(r"[\s=\"']", value):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
