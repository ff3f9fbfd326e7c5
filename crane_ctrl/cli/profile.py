"""``crane-ctrl profile ...``: validate, show, schema and diff PLC profiles."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.advice import profile_warnings
from crane_ctrl.profile.diff import diff_profiles, scaling_text, type_text, validity_text
from crane_ctrl.profile.loader import fingerprint, load_profile
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.profile.point_rules import JournalRule, journal_rule
from crane_ctrl.profile.schema import profile_json_schema
from crane_ctrl.profile.validity import status_blocks
from crane_ctrl.signals import SIGNALS

__all__ = ["add_parser", "validate_paths"]

EXIT_INVALID = 2
EXIT_DIFFERENT = 1


def add_parser(commands: Any) -> None:
    """Add ``profile`` and its subcommands to the top-level subparsers."""
    profile = commands.add_parser("profile", help="validate, show, diff PLC profiles")
    sub = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    validate = sub.add_parser("validate", help="check profiles: one OK or error line per file")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.add_argument("--all", action="store_true", help="list every problem of each file")
    validate.set_defaults(handler=_validate)

    show = sub.add_parser("show", help="table of a profile's signals and where they live")
    show.add_argument("file", type=Path, metavar="FILE")
    show.set_defaults(handler=_show)

    schema = sub.add_parser("schema", help="print the JSON Schema of profile files")
    schema.set_defaults(handler=_schema)

    diff = sub.add_parser("diff", help="what swapping profile A for B changes (exit 1 if any)")
    diff.add_argument("old", type=Path, metavar="A")
    diff.add_argument("new", type=Path, metavar="B")
    diff.set_defaults(handler=_diff)


def validate_paths(paths: Iterable[Path], *, show_all: bool) -> int:
    failed = 0
    for path in paths:
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            failed += 1
            lines = [str(p) for p in exc.problems] if show_all else [exc.summary()]
            print("\n".join(f"ERROR {line}" for line in lines))
            continue
        print(f"OK    {path} ({profile.name}, {profile.protocol}, {len(profile.signals)} signals)")
        for warning in profile_warnings(profile):
            print(f"WARN  {path}: {warning}")
    return EXIT_INVALID if failed else 0


def _validate(args: argparse.Namespace) -> int:
    return validate_paths(args.files, show_all=args.all)


def _show(args: argparse.Namespace) -> int:
    profile = load_profile(args.file)
    text = args.file.read_text(encoding="utf-8")
    print(_header(profile, fingerprint(text)))
    rows = [("SIGNAL", "DIR", "PLACE", "TYPE", "SCALING")]
    for name, spec in SIGNALS.items():
        m = profile.signals.get(name)
        if m is not None:
            place = m.place() if isinstance(profile, ModbusProfile) else _ua_place(m)
            rows.append((name, spec.direction.value, place, type_text(m), scaling_text(m)))
    print(_table(rows))
    missing = [n for n, s in SIGNALS.items() if not s.required and n not in profile.signals]
    if missing:
        print(f"\nnot mapped (optional): {', '.join(missing)}")
    for block in status_blocks(profile):
        entry = profile.validity[block.name]
        print(f"\nstatus block {block.name}: {validity_text(entry)} ({len(block.covers)} signals)")
    if profile.points:
        print("\n" + _table(_point_rows(profile)))
    if profile.alarms:
        print("\n" + _table(_alarm_rows(profile)))
    return 0


def _point_rows(profile: Profile) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("POINT", "PLACE", "TYPE", "SCALING", "UNIT", "JOURNAL", "TEXT")]
    for name, m in profile.points.items():
        place = m.place() if isinstance(profile, ModbusProfile) else _ua_place(m)
        rule = journal_rule(name, m)
        journal = f"deadband {m.deadband:g}" if rule is JournalRule.DEADBAND else str(rule)
        rows.append((name, place, type_text(m), scaling_text(m), m.unit or "-", str(journal),
                     m.text or "-"))  # fmt: skip
    return rows


def _alarm_rows(profile: Profile) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("ALARM", "PRIORITY", "DELAY", "CONDITION")]
    for alarm_id, alarm in profile.alarms.items():
        rows.append((alarm_id, alarm.priority, f"{alarm.delay_s:g} s", alarm.condition))
    return rows


def _ua_place(m: Any) -> str:
    place: str = m.place()
    return place + " (rw)" if m.access == "read_write" else place


def _header(profile: Profile, print_id: str) -> str:
    meta = profile.profile
    if isinstance(profile, ModbusProfile):
        link = profile.link
        where = f"modbus tcp {link.host}:{link.port} unit {link.unit_id}"
    else:
        ua = profile.link
        where = f"opcua {ua.endpoint} namespace {ua.namespace_uri}"
        where += f", security {ua.security_policy}/{ua.security_mode}"
    lines = [
        f"profile:     {meta.name} {meta.version} ({print_id})",
        f"plc:         {meta.vendor}: {meta.plc_model}",
        f"link:        {where}, timeout {profile.link.timeout_s} s",
    ]
    if meta.description:
        lines.append(f"description: {meta.description}")
    return "\n".join(lines) + "\n"


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _schema(args: argparse.Namespace) -> int:
    del args
    json.dump(profile_json_schema(), sys.stdout, indent=2)
    print()
    return 0


def _diff(args: argparse.Namespace) -> int:
    old = load_profile(args.old)
    new = load_profile(args.new)
    changes = diff_profiles(old, new)
    if not changes:
        print(f"{args.old} and {args.new} map every signal the same way")
        return 0
    for change in changes:
        print(change)
    counts = Counter(str(c.kind) for c in changes)
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    print(f"\n{len(changes)} changes: {summary}")
    return EXIT_DIFFERENT
