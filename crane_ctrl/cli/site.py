"""``crane-ctrl site ...``: validate site files and print their JSON Schema.

A maintenance engineer writes the site file (the crane's reach, heights, speeds and wind
limits; the stack's bay grid or named slots; the truck and AGV lanes) from the yard's drawings.
``site validate`` checks it exactly as ``crane-ctrl run --site``, ``sim --site`` and the rig do
(:func:`simulators.site_file.load_site`: every slot and lane in reach, every container in a slot
that takes its size, every vehicle in its lane, the crane able to lift a box clear over what
stands highest), one ``OK`` line with what it describes, or every problem at its line.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crane_ctrl.errors import ConfigError

__all__ = ["add_parser", "validate_sites"]

EXIT_INVALID = 2


def add_parser(commands: Any) -> None:
    """Add ``site`` and its subcommands to the top-level subparsers."""
    site = commands.add_parser("site", help="validate site files, print their JSON Schema")
    sub = site.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    validate = sub.add_parser("validate", help="check site files: one OK or error line per file")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.add_argument("--all", action="store_true", help="list every problem of each file")
    validate.set_defaults(handler=_validate)
    schema = sub.add_parser("schema", help="print the JSON Schema of site files")
    schema.set_defaults(handler=_schema)


def validate_sites(paths: Iterable[Path], *, show_all: bool) -> int:
    """One ``OK`` line per good file, ``ERROR`` lines for a bad one; exit 2 if any was bad."""
    from simulators.site_file import load_site

    failed = 0
    for path in paths:
        try:
            site = load_site(path)
        except ConfigError as exc:
            failed += 1
            lines = [str(p) for p in exc.problems] if show_all else [exc.summary()]
            print("\n".join(f"ERROR {line}" for line in lines))
            continue
        print(f"OK    {path} ({_summary(site)})")
    return EXIT_INVALID if failed else 0


def _summary(site: Any) -> str:
    crane, stack = site.crane, site.site.stack
    slots = []
    if stack.has_grid:
        slots.append(f"{stack.bays} bays x {stack.rows} rows")
    if named := stack.named_slots():
        slots.append(f"{len(named)} named slots")
    lanes = ", ".join(f"{area} {lane.id}" for area, lane in site.site.lanes()) or "no lanes"
    if site.site.default_lanes:
        lanes += " (the default lanes: the file lists none)"
    return (
        f"lift {crane.lift_height_m:g} m, gantry 0..{crane.gantry_travel_m:g} m, trolley "
        f"0..{crane.trolley_travel_m:g} m, wind stop {crane.wind_stop_mps:g} m/s; "
        f"{' + '.join(slots) or 'no slots'}, {stack.max_tiers} tiers; {lanes}; "
        f"{len(site.containers)} containers, {len(site.vehicles)} vehicles"
    )


def _validate(args: argparse.Namespace) -> int:
    return validate_sites(args.files, show_all=args.all)


def _schema(_args: argparse.Namespace) -> int:
    from simulators.site_file import SiteFile

    print(json.dumps(SiteFile.model_json_schema(), indent=2))
    return 0
