"""``crane-ctrl commission``: the integrator's I/O check and acceptance test of a live PLC.

Loads the profile and the site as ``crane-ctrl run`` does (:func:`crane_ctrl.cli.run.supervision`),
runs the stages of :mod:`crane_ctrl.commission` against the PLC at ``--plc`` with progress on
stdout, and writes ``commission.md`` and ``commission.json`` into ``--report DIR`` (default
``./commission-report-<date>-<time>/``). Exit code 0 when nothing failed, 1 when a check failed
(the PLC unreachable included), 2 for bad input (profile, site, options).

The fail-safe stage needs an engineer at the crane and at this terminal (it asks for each
device to be operated); ``--yes`` accepts the current healthy readings instead (test rigs), and
the report marks those checks "assumed (--yes)".
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crane_ctrl.commission.outcome import StageId, Status
from crane_ctrl.commission.settings import CommissionSettings
from crane_ctrl.errors import CraneCtrlError

if TYPE_CHECKING:
    from crane_ctrl.commission.safety_inputs import SafetyInput

__all__ = ["ConsoleEngineer", "add_parser"]

_STAGES = [str(s) for s in StageId]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value < 3600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 3600 s, not {text}")
    return value


def add_parser(commands: Any) -> None:
    defaults = CommissionSettings()
    p = commands.add_parser(
        "commission",
        help="I/O check and acceptance test of a live PLC: link, signals, fail-safe inputs, "
        "commands at low speed, watchdog; writes a report",
    )
    p.add_argument("--profile", type=Path, required=True, help="the PLC's profile")
    p.add_argument(
        "--plc",
        metavar="URL",
        required=True,
        help="the PLC under test: modbus://host:port or opc.tcp://host:port/path",
    )
    p.add_argument(
        "--site",
        type=Path,
        metavar="FILE",
        help="site file: the crane's parameters and the site layout (default: border-gate)",
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help="folder for commission.md and commission.json "
        "(default ./commission-report-<date>-<time>)",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="test rigs: accept each fail-safe input's current healthy reading instead of "
        "asking for it to be operated (marked 'assumed (--yes)')",
    )
    p.add_argument(
        "--only",
        nargs="+",
        choices=_STAGES,
        metavar="STAGE",
        help=f"run only these stages ({', '.join(_STAGES)}); the link stage always runs",
    )
    p.add_argument(
        "--connect-timeout",
        type=_seconds,
        metavar="S",
        default=defaults.connect_timeout_s,
        help=f"how long the link may take to come up (default {defaults.connect_timeout_s:g} s)",
    )
    p.add_argument(
        "--plc-watchdog",
        type=_seconds,
        metavar="S",
        help="the PLC's watchdog time from its manual, if not the profile's (default: the "
        "profile's [plc] watchdog_s; the report says which it used)",
    )
    p.set_defaults(handler=_commission)


def _commission(args: argparse.Namespace) -> int:
    from crane_ctrl.cli.run import supervision
    from crane_ctrl.commission.runner import Options, Target, commission, plc_url

    setup = supervision(args.profile, args.site, args.plc)
    stages = frozenset(StageId(s) for s in args.only) if args.only else frozenset(StageId)
    if StageId.FAILSAFE in stages and not args.yes and not sys.stdin.isatty():
        raise CraneCtrlError(
            "commission: the fail-safe stage asks the engineer to operate each device, but "
            "stdin is not a terminal; run it at a terminal, pass --yes on a test rig, or leave "
            "the stage out with --only"
        )
    target = Target(setup.profile, setup.profile_path, setup.plc, setup.settings, setup.site_path)
    settings = CommissionSettings(
        connect_timeout_s=args.connect_timeout, plc_watchdog_s=args.plc_watchdog
    )
    folder = args.report or Path(f"commission-report-{time.strftime('%Y%m%d-%H%M%S')}")
    _writable(folder)  # before anything moves: a report that cannot be written is no test
    _say(f"crane-ctrl commission: {setup.profile.name} at {plc_url(target)}")
    _say(f"site: {setup.site_path}; report: {folder}")
    engineer = None if args.yes else ConsoleEngineer()
    report = asyncio.run(
        commission(target, Options(settings, stages), engineer=engineer, progress=_say)
    )
    try:
        json_path, md_path = report.write(folder)
    except OSError as exc:
        raise CraneCtrlError(f"commission: cannot write the report to {folder}: {exc}") from None
    _say(f"verdict: {report.summary()}")
    _say(f"report: {md_path} and {json_path}")
    link = report.stages[0]
    if link.status is Status.FAIL:
        failed = next(c for c in link.checks if c.status is Status.FAIL)
        print(f"crane-ctrl: commission: cannot use the PLC: {failed.reason}", file=sys.stderr)
    return report.exit_code


def _writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CraneCtrlError(f"commission: cannot make the report folder {folder}: {exc}") from None


def _say(line: str) -> None:
    print(line, flush=True)


class ConsoleEngineer:
    """The engineer at this terminal: asked before each device, told when it read false."""

    async def operate(self, device: SafetyInput) -> bool:
        _say(f"  {device.signal}: {device.operate}; it must read false ({device.false_means}).")
        answer = await _read_line("  Press Enter, then operate it (s + Enter skips it): ")
        if not answer:
            return False  # end of input: nobody there to operate it
        return answer.strip().lower() not in {"s", "skip"}

    async def restore(self, device: SafetyInput) -> None:
        _say(f"  {device.signal} reads false, as it must: now {device.restore}.")


async def _read_line(prompt: str) -> str:
    """One line from stdin without blocking the scan loop ("" at end of input)."""
    print(prompt, end="", flush=True)
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()
    fd = sys.stdin.fileno()

    def readable() -> None:
        if not answer.done():
            answer.set_result(sys.stdin.readline())

    loop.add_reader(fd, readable)
    try:
        return await answer
    finally:
        loop.remove_reader(fd)
