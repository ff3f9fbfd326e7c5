"""The ``crane-ctrl`` command: one entry point, subcommands by area.

Error policy: a :class:`~crane_ctrl.errors.CraneCtrlError` is printed as its one-line message
and exits 2; so do usage errors. Nothing prints a traceback unless ``--debug`` (or
``CRANE_CTRL_DEBUG=1``) asks for it: an unexpected failure says so in one line and exits 70.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from crane_ctrl import log_redaction
from crane_ctrl.cli import (
    bench,
    commission,
    demo,
    dispatch,
    events,
    fleet,
    hmi,
    ops,
    pki,
    profile,
    rig,
    roles,
    run,
    sim,
    site,
    station,
)
from crane_ctrl.errors import CraneCtrlError

__all__ = ["EXIT_INTERNAL", "EXIT_USAGE", "build_parser", "main"]

EXIT_USAGE = 2
"""Bad input: a usage error, an invalid profile, a file that cannot be read."""
EXIT_INTERNAL = 70
"""A bug in crane-ctrl (EX_SOFTWARE)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crane-ctrl",
        description="Supervisory control for automated container cranes.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    profile.add_parser(commands)
    site.add_parser(commands)
    sim.add_parsers(commands)
    run.add_parser(commands)
    commission.add_parser(commands)
    bench.add_parser(commands)
    events.add_parser(commands)
    rig.add_parser(commands)
    demo.add_parser(commands)
    hmi.add_parsers(commands)
    roles.add_parsers(commands)
    station.add_parser(commands)
    ops.add_parser(commands)
    dispatch.add_parser(commands)
    fleet.add_parser(commands)
    pki.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("CRANE_CTRL_DEBUG") == "1"
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Our links report every failure themselves, in one line; pymodbus would add frame dumps
    # and asyncua a warning per reconnect attempt. -vv shows them.
    if args.verbose < 2:
        logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
        logging.getLogger("asyncua").setLevel(logging.ERROR)
        # asyncua's trust store logs a traceback for every untrusted certificate; our links
        # and the simulator say which one, and where it must go, in one line.
        logging.getLogger("asyncuagds").setLevel(logging.CRITICAL)
    log_redaction.install()  # no password, key or token in any log, at any level
    try:
        code: int = args.handler(args)
    except CraneCtrlError as exc:
        print(f"crane-ctrl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (head, less) went away: stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if debug:
            raise
        print(
            f"crane-ctrl: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return code


if __name__ == "__main__":
    sys.exit(main())
