"""``crane-ctrl bench ...``: benchmarks that print figures and ratios; last line one JSON object."""

from __future__ import annotations

import argparse
import json
from typing import Any

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
    if args.bench == "moves":
        conditions = Conditions(rope_off_m=args.rope_off_m, anti_sway=args.anti_sway)
        if args.learnt:
            conditions = learn_first(conditions)
        print(json.dumps(bench_moves(conditions=conditions)))
        return 0
    benches = {"sim": bench_sim, "scan": bench_scan}
    print(json.dumps(benches[args.bench]()))
    return 0
