"""``crane-ctrl bench ...``: benchmarks that print figures and ratios; last line one JSON object."""

from __future__ import annotations

import argparse
import json
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
        "--case", type=int, metavar="SEED",
        help="replay the one case SEED with its whole trace (a failing case's seed)",
    )  # fmt: skip
    safety.add_argument(
        "--profile", type=Path, metavar="FILE",
        help="the PLC profile (default plc_profiles/generic-opcua.toml); bad raw values are "
        "drawn from what its places can hold",
    )  # fmt: skip
    hmi = sub.add_parser("hmi", help="scan lateness without and with the HMI; the HMI's CPU share")
    hmi.add_argument("--seconds", type=float, default=20.0, help="length of each run (default 20)")
    bench.set_defaults(handler=_bench)


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
    if args.bench == "moves":
        conditions = Conditions(rope_off_m=args.rope_off_m, anti_sway=args.anti_sway)
        if args.learnt:
            conditions = learn_first(conditions)
        print(json.dumps(bench_moves(conditions=conditions)))
        return 0
    benches = {"sim": bench_sim, "scan": bench_scan}
    print(json.dumps(benches[args.bench]()))
    return 0


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
        figures = bench_safety(args.jobs, args.seed, args.workers, profile)
    print(json.dumps(figures))
    return 1 if figures["failing_jobs"] else 0
