"""``crane-ctrl bench ...``: benchmarks that print figures and ratios; last line one JSON object."""

from __future__ import annotations

import argparse
import difflib
import json
import math
from pathlib import Path
from typing import Any

from crane_ctrl.errors import CraneCtrlError

__all__ = ["add_parser"]


def add_parser(commands: Any) -> None:
    bench = commands.add_parser("bench", help="run a benchmark (figures, last line JSON)")
    sub = bench.add_subparsers(dest="bench", metavar="WHAT", required=True)
    sub.add_parser("sim", help="lock-step simulator speed; server requests/s on loopback")
    sub.add_parser("scan", help="scan I/O vs bare clients, cranes per process, fault reaction")
    moves = sub.add_parser(
        "moves", help="reference container moves: cycle vs lower bound, vs a baseline"
    )
    moves.add_argument(
        "--rope-off-m", type=float, default=0.0, metavar="M",
        help="the simulated ropes this much longer than the crane model the controllers plan "
        "with (0.5: the pendulum 2.5-4 %% off; default 0: the model is exact)",
    )  # fmt: skip
    moves.add_argument(
        "--anti-sway", choices=["fastest", "zv", "zvd"], default="fastest",
        help="our controller's anti-sway shaping (CraneParams.anti_sway; default fastest)",
    )  # fmt: skip
    moves.add_argument(
        "--learnt", action="store_true",
        help="start every move with the rope our controller learnt on the first one (as in "
        "service after the crane's first job; default: every move starts from the model)",
    )  # fmt: skip
    safety = sub.add_parser(
        "safety", help="random jobs, faults, bad values and operator commands: safety violations"
    )
    safety.add_argument(
        "--jobs", type=int, default=200, metavar="N", help="random cases to run (default 200)"
    )
    safety.add_argument(
        "--seed", type=int, default=0, metavar="S",
        help="the first case's seed: runs cases S .. S+N-1 (default 0)",
    )  # fmt: skip
    safety.add_argument(
        "--workers", type=int, default=2, metavar="W",
        help="processes to spread the cases over (default 2)",
    )  # fmt: skip
    safety.add_argument(
        "--minutes", type=float, metavar="M",
        help="start no case after M minutes; the summary is of the cases done (Ctrl-C too)",
    )  # fmt: skip
    safety.add_argument(
        "--case", type=int, metavar="SEED",
        help="replay the one case SEED with its whole trace (a failing case's seed)",
    )  # fmt: skip
    safety.add_argument(
        "--profile", type=Path, metavar="FILE",
        help="the PLC profile (default plc_profiles/generic-opcua.toml); bad raw values are "
        "drawn from what its places can hold",
    )  # fmt: skip
    _add_fuzz(sub)
    hmi = sub.add_parser("hmi", help="scan lateness without and with the HMI; the HMI's CPU share")
    hmi.add_argument("--seconds", type=float, default=20.0, help="length of each run (default 20)")
    _add_realtime(sub)
    _add_fleet(sub)
    bench.set_defaults(handler=_bench)


def _add_fleet(sub: Any) -> None:
    fleet = sub.add_parser(
        "fleet", help="a block of cranes on Mosquitto: PLC -> ops view, command -> PLC, scan "
        "lateness with and without publishing, broker outage, a crane killed, a stalled jog",
    )  # fmt: skip
    fleet.add_argument("--cranes", type=int, default=20, metavar="N",
                       help="cranes of the block (default 20)")  # fmt: skip
    fleet.add_argument("--seconds", type=_positive, default=45.0, metavar="S",
                       help="measuring window of each run, at most 60 (default 45)")  # fmt: skip
    fleet.add_argument("--broker-outage-s", type=_positive, default=30.0, metavar="S",
                       help="how long the broker stays dead (default 30)")  # fmt: skip
    fleet.add_argument(
        "--landing-cranes",
        type=int,
        default=2,
        metavar="K",
        help="cranes in SEMIAUTOMATIC whose landings the bench jogs (default 2)",
    )
    fleet.add_argument("--jogs", type=int, default=10, metavar="J",
                       help="jog pairs (up, down) at each landing (default 10)")  # fmt: skip


def _add_fuzz(sub: Any) -> None:
    fuzz = sub.add_parser(
        "fuzz", help="mutated profiles, sites and scenarios: internal errors, unlocated messages"
    )
    fuzz.add_argument(
        "--cases", type=int, default=1600, metavar="N",
        help="mutated files to load (default 1600: 1000 profiles, 300 sites, 300 scenarios)",
    )  # fmt: skip
    fuzz.add_argument(
        "--seed", type=int, default=0, metavar="S",
        help="the first case's seed: runs cases S .. of each kind (default 0)",
    )  # fmt: skip
    fuzz.add_argument(
        "--kind", choices=["profile", "site", "scenario", "all"], default="all",
        help="which files to mutate (default all, shared 10:3:3)",
    )  # fmt: skip


def _add_realtime(sub: Any) -> None:
    from crane_ctrl.bench.realtime_cases import CONDITIONS, GC_MODES, LOOPS, PLANNING, PRIORITIES

    realtime = sub.add_parser(
        "realtime", help="reference jobs at 1x over loopback, idle and with every core busy: "
        "scan lateness, write gaps, planning time, PLC watchdog margin",
    )  # fmt: skip
    realtime.add_argument(
        "--seconds", type=_positive, default=120.0, metavar="N",
        help="length of each case (default 120)",
    )  # fmt: skip
    realtime.add_argument(
        "--conditions", type=_choices(CONDITIONS), default=CONDITIONS,
        metavar="C[,C...]", help=f"of {', '.join(CONDITIONS)} or all (default all)",
    )  # fmt: skip
    realtime.add_argument(
        "--gc", type=_choices(GC_MODES), default=GC_MODES[:1], metavar="G[,G...]",
        help=f"garbage collection: {', '.join(GC_MODES)} or all (default paced, as the "
        "station runs)",
    )  # fmt: skip
    realtime.add_argument(
        "--loop", type=_choices(LOOPS), default=LOOPS[:1], metavar="L[,L...]",
        help="event loop: asyncio, uvloop (if installed) or all (default asyncio)",
    )  # fmt: skip
    realtime.add_argument(
        "--planning", type=_choices(PLANNING), default=PLANNING[:1], metavar="P[,P...]",
        help="leg plans in the planning worker (pool), in the scan (inline) or all (default "
        "pool, as the station runs)",
    )  # fmt: skip
    realtime.add_argument(
        "--priority", type=_choices(PRIORITIES), default=PRIORITIES[:1], metavar="P[,P...]",
        help="the scan thread's priority: raised (nice -10, as the station runs where it may), "
        "normal (as started) or all (default raised)",
    )  # fmt: skip


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def _choices(allowed: tuple[str, ...]) -> Any:
    """A comma-separated list of ``allowed`` names (``all``: every one), in the given order."""

    def parse(text: str) -> tuple[str, ...]:
        if text == "all":
            return allowed
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        for name in names:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise argparse.ArgumentTypeError(
                    f"no {name!r} (one of {', '.join(allowed)}, or all){hint}"
                )
        if not names:
            raise argparse.ArgumentTypeError(f"name at least one of {', '.join(allowed)}")
        return names

    return parse


def _bench(args: argparse.Namespace) -> int:
    from crane_ctrl.bench.moves import Conditions, bench_moves, learn_first
    from crane_ctrl.bench.scan import bench_scan
    from crane_ctrl.bench.sim import bench_sim

    if args.bench == "hmi":
        from crane_ctrl.bench.hmi import bench_hmi

        print(json.dumps(bench_hmi(args.seconds)))
        return 0
    if args.bench == "safety":
        return _safety(args)
    if args.bench == "fuzz":
        return _fuzz(args)
    if args.bench == "fleet":
        return _fleet(args)
    if args.bench == "realtime":
        from crane_ctrl.bench.realtime import bench_realtime
        from crane_ctrl.bench.realtime_cases import RealtimeOptions

        options = RealtimeOptions(
            args.seconds, args.conditions, args.gc, args.loop, args.planning, args.priority
        )
        print(json.dumps(bench_realtime(options)))
        return 0
    if args.bench == "moves":
        conditions = Conditions(rope_off_m=args.rope_off_m, anti_sway=args.anti_sway)
        if args.learnt:
            conditions = learn_first(conditions)
        print(json.dumps(bench_moves(conditions=conditions)))
        return 0
    benches = {"sim": bench_sim, "scan": bench_scan}
    print(json.dumps(benches[args.bench]()))
    return 0


def _fleet(args: argparse.Namespace) -> int:
    """Exit 1 when a safety or loss target failed (timing targets only inform)."""
    from crane_ctrl.bench.fleet import SAFETY_TARGETS, FleetBenchOptions, bench_fleet

    if not 1 <= args.landing_cranes < args.cranes or args.jogs < 1 or args.seconds > 60:
        raise CraneCtrlError(
            f"--landing-cranes 1 to --cranes - 1 ({args.cranes - 1}), --jogs at least 1 and "
            f"--seconds at most 60 (the scan keeps a minute of figures), not "
            f"{args.landing_cranes}, {args.jogs} and {args.seconds:g}"
        )
    options = FleetBenchOptions(args.cranes, args.seconds, args.broker_outage_s,
                                args.landing_cranes, args.jogs)  # fmt: skip
    figures = bench_fleet(options)
    print(json.dumps(figures))
    return 0 if all(figures["targets"][t] is not False for t in SAFETY_TARGETS) else 1


def _safety(args: argparse.Namespace) -> int:
    """Exit 1 when any case broke a safety rule (its seed is in the JSON), else 0."""
    from crane_ctrl.bench.safety.bench import PROFILE, bench_safety, replay

    profile = args.profile or PROFILE
    if args.case is not None:
        figures = replay(args.case, profile)
    else:
        if args.jobs < 1 or args.workers < 1:
            raise CraneCtrlError(f"--jobs and --workers must be at least 1, not {args.jobs} "
                                 f"and {args.workers}")  # fmt: skip
        if args.minutes is not None and not (math.isfinite(args.minutes) and args.minutes > 0):
            raise CraneCtrlError(f"--minutes must be more than 0, not {args.minutes:g}")
        figures = bench_safety(args.jobs, args.seed, args.workers, profile, minutes=args.minutes)
    print(json.dumps(figures))
    return 1 if figures["failing_jobs"] else 0


def _fuzz(args: argparse.Namespace) -> int:
    """Exit 1 when any case was an internal error, a message without a line or over 1 s."""
    from crane_ctrl.bench.fuzz import bench_fuzz

    if args.cases < 1:
        raise CraneCtrlError(f"--cases must be at least 1, not {args.cases}")
    figures = bench_fuzz(args.cases, args.seed, args.kind)
    print(json.dumps(figures))
    failed = figures["internal_errors"] + figures["unlocated_messages"] + figures["over_limit"]
    return 1 if failed else 0
