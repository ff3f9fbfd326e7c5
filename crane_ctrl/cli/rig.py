"""``crane-ctrl rig run``: run test-rig scenarios and judge them (see :mod:`crane_ctrl.rig`).

Every scenario is loaded and checked before any runs: a bad file is reported with its line and
the command exits 2. Then each runs (lock-step scenarios in parallel processes), a progress line
per scenario goes to stderr, the summary to stdout, JUnit XML to ``--junit``. Exit 0 when every
scenario passes, 1 when any fails.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crane_ctrl.errors import ConfigError, CraneCtrlError

if TYPE_CHECKING:
    from crane_ctrl.rig.runner import Mode, Options

__all__ = ["add_parser"]

EXIT_FAILED = 1


def add_parser(commands: Any) -> None:
    rig = commands.add_parser("rig", help="test rigs: run scenarios against the simulator or a PLC")
    sub = rig.add_subparsers(dest="rig_command", metavar="ACTION", required=True)
    run = sub.add_parser("run", help="run scenario files and judge their expectations")
    run.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO", help="TOML files")
    run.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    run.add_argument("--csv", type=Path, metavar="DIR", help="a timeline CSV per scenario")
    run.add_argument("--plot", type=Path, metavar="DIR", help="a PNG per scenario")
    where = run.add_mutually_exclusive_group()
    where.add_argument(
        "--real",
        action="store_true",
        help="real time over loopback sockets to the bundled simulator",
    )
    where.add_argument(
        "--plc",
        metavar="URL",
        help="an external PLC: modbus://host:port or opc.tcp://host:port/path",
    )
    run.add_argument(
        "--control",
        metavar="HOST:PORT",
        help="with --plc: a crane-ctrl simulator's control channel for faults",
    )
    run.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="parallel processes (default: CPUs for lock-step, 1 otherwise)",
    )
    run.add_argument("--details", action="store_true", help="list every expectation's verdict")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from crane_ctrl.rig.loading import load_scenario
    from crane_ctrl.rig.report import summary, write_junit
    from crane_ctrl.rig.runner import RunResult, run_many

    options = _options(args)
    problems = []
    for path in args.scenarios:
        try:
            load_scenario(path)
        except ConfigError as exc:
            problems += [str(p) for p in exc.problems]
    if problems:
        print("\n".join(f"ERROR {p}" for p in problems), file=sys.stderr)
        return 2
    paths = [str(p) for p in args.scenarios]
    default = (os.cpu_count() or 1) if options.mode == "lockstep" else 1
    workers = args.jobs or default
    if options.mode == "plc":
        workers = 1  # one PLC runs one scenario at a time

    def progress(index: int, result: RunResult) -> None:
        verdict = "PASS" if result.passed else "FAIL"
        print(
            f"[{index + 1}/{len(paths)}] {result.name}: {verdict} (crane {result.crane_s:.1f} "
            f"s, wall {result.wall_s:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    results = run_many(paths, options, workers=min(workers, len(paths)), on_result=progress)
    for result in results:
        print(summary(result, details=args.details))
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    if args.junit is not None:
        write_junit(results, args.junit)
    return EXIT_FAILED if failed else 0


def _options(args: argparse.Namespace) -> Options:
    from crane_ctrl.rig.runner import Options

    if args.control and not args.plc:
        raise CraneCtrlError("--control goes with --plc (the bundled simulator needs none)")
    control = None
    if args.control:
        host, _, port = args.control.rpartition(":")
        if not host or not port.isdigit():
            raise CraneCtrlError(f"--control must be HOST:PORT, not {args.control!r}")
        control = (host, int(port))
    if args.jobs is not None and args.jobs < 1:
        raise CraneCtrlError(f"--jobs must be at least 1, not {args.jobs}")
    mode: Mode = "plc" if args.plc else "real" if args.real else "lockstep"
    return Options(mode, args.plc, control, args.csv, args.plot)
