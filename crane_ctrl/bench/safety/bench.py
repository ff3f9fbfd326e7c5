"""``crane-ctrl bench safety``: many random safety cases, in parallel; the last line is JSON.

Case ``S`` is drawn from ``random.Random(S)`` (:func:`case_of`), so ``--jobs N --seed S`` runs
cases ``S .. S+N-1`` and ``--case S`` replays one of them with its whole trace. A progress bar
goes to stderr (a line per failing case too), a summary to stdout, then one JSON object: cases,
faults and bad values injected, commands by kind and those refused, violations by kind, wedges,
collisions, wall seconds, and the first failing cases with their seeds.

A long campaign may be cut short and still report: ``--minutes M`` starts no case after M
minutes, and Ctrl-C (or SIGTERM) starts none after it; the cases under way finish, and the summary
and JSON are of the cases done (``"stopped_early"`` says why, ``"jobs_asked"`` how many were).
"""

from __future__ import annotations

import functools
import logging
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from crane_ctrl.bench.progress import ProgressBar
from crane_ctrl.bench.safety.cases import BadValue, Case, RandomDraw, bad_value_menu, draw_case
from crane_ctrl.bench.safety.harness import CaseResult, run_case
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.profile.shipped import GENERIC_OPCUA

__all__ = [
    "FAILING_SHOWN",
    "PROFILE",
    "WORKERS",
    "bench_safety",
    "case_of",
    "replay",
    "run_seed",
    "run_seeds",
    "summarise",
]

PROFILE = GENERIC_OPCUA
"""Maps every optional signal (slack rope, lane, truck lift) and is the cheapest to scan."""
WORKERS = 2
"""Processes the cases are spread over (this machine has two cores)."""
FAILING_SHOWN = 5
"""Failing cases the JSON lists (by seed, lowest first)."""


@functools.cache
def _profile(path: str) -> Profile:
    return load_profile(path)


@functools.cache
def _menu(path: str) -> tuple[BadValue, ...]:
    return bad_value_menu(_profile(path))


def case_of(seed: int, profile: Path = PROFILE) -> Case:
    """Case ``seed``: drawn from ``random.Random(seed)``, bad values from what ``profile``
    can carry."""
    return draw_case(RandomDraw(seed), _menu(str(profile)), seed)


def run_seed(seed: int, profile: Path = PROFILE, *, trace: bool = False) -> CaseResult:
    """Run case ``seed`` (a process pool's unit of work). The simulator's warning that it serves
    a forced value its profile cannot encode as the nearest raw is what a bad value is for here:
    it is not logged."""
    logging.getLogger("simulators.served_status").setLevel(logging.ERROR)
    return run_case(case_of(seed, profile), _profile(str(profile)), trace=trace)


def run_seeds(
    seeds: Sequence[int],
    profile: Path = PROFILE,
    workers: int = WORKERS,
    on_result: Callable[[int, CaseResult], None] | None = None,
    *,
    stop: Callable[[], bool] | None = None,
) -> list[CaseResult]:
    """Run cases ``seeds`` over ``workers`` processes (spawned; one: in this process); results by
    seed. ``on_result(count, result)`` as each finishes. Once ``stop()`` is true, or on Ctrl-C
    (KeyboardInterrupt), no case starts: those under way finish, and the results are of the
    cases done (the workers ignore SIGINT: the run, not each case, is interrupted)."""
    results: list[CaseResult] = []

    def done(result: CaseResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(len(results), result)

    stopping = stop or (lambda: False)
    if workers <= 1 or len(seeds) <= 1:
        try:
            for seed in seeds:
                if stopping():
                    break
                done(run_seed(seed, profile))
        except KeyboardInterrupt:
            pass
        return sorted(results, key=lambda r: r.seed or 0)
    context = get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_sigint) as pool:
        futures = [pool.submit(run_seed, seed, profile) for seed in seeds]
        taken = set()
        try:
            for future in as_completed(futures):
                taken.add(future)
                done(future.result())
                if stopping():
                    break
        except KeyboardInterrupt:
            pass
        for future in futures:
            future.cancel()
        for future in futures:  # those under way finish (the pool waits for them anyway)
            if future not in taken and not future.cancelled():
                done(future.result())
    return sorted(results, key=lambda r: r.seed or 0)


def _ignore_sigint() -> None:
    """A worker's initializer: Ctrl-C reaches the whole process group; the parent stops the run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def bench_safety(
    jobs: int,
    seed: int = 0,
    workers: int = WORKERS,
    profile: Path = PROFILE,
    *,
    minutes: float | None = None,
) -> dict[str, Any]:
    """Run cases ``seed .. seed+jobs-1`` (none started after ``minutes``, or after Ctrl-C or
    SIGTERM); print the progress and the summary; the JSON object."""
    budget = "" if minutes is None else f", none started after {minutes:g} min"
    print(f"{jobs} random safety cases (seeds {seed}..{seed + jobs - 1}) in lock-step on "
          f"{profile.stem}, {workers} processes{budget} ...", flush=True)  # fmt: skip
    started = time.perf_counter()
    bar = ProgressBar(jobs, "cases")

    def out_of_time() -> bool:
        return minutes is not None and time.perf_counter() - started >= minutes * 60.0

    def advance(count: int, result: CaseResult) -> None:
        failure = None
        if not result.ok:
            v = result.violations[0]
            failure = f"case {result.seed} FAILED [{v.kind}]: {v.message.split(chr(10), 1)[0]}"
        bar.advance(count, failure)

    terminate = signal.signal(signal.SIGTERM, _interrupt)
    try:
        results = run_seeds(range(seed, seed + jobs), profile, workers, advance, stop=out_of_time)
    finally:
        signal.signal(signal.SIGTERM, terminate)
    bar.close()
    summary = summarise(results, time.perf_counter() - started, profile)
    if len(results) < jobs:
        summary["jobs_asked"] = jobs
        summary["stopped_early"] = (f"--minutes {minutes:g} reached" if out_of_time()
                                    else "interrupted (Ctrl-C or SIGTERM)")  # fmt: skip
    for line in _summary_lines(summary, results):
        print(line)
    return summary


def summarise(
    results: Sequence[CaseResult], seconds: float, profile: Path = PROFILE
) -> dict[str, Any]:
    """The JSON object of a run: what was done to the crane, and what it broke."""
    asked, refused = _by_who(r.commands for r in results), _by_who(r.refused for r in results)
    failing = [r for r in results if not r.ok]
    violations = Counter(v.kind for r in results for v in r.violations)
    cpu = sum(r.wall_s for r in results)
    return {
        "bench": "safety",
        "profile": profile.stem,
        "seeds": _seed_range(results),
        "jobs": len(results),
        "faults": sum(r.faults for r in results),
        "bad_values": sum(r.bad_values for r in results),
        "commands": dict(sorted(asked.get("random", Counter()).items())),
        "refused_commands": dict(sorted(refused.get("random", Counter()).items())),
        "operator_commands": dict(sorted(asked.get("operator", Counter()).items())),
        "operator_refused": sum(refused.get("operator", Counter()).values()),
        "wedge_checks": sum(r.wedge_checks for r in results),
        "wedges": sum(r.wedges for r in results),
        "violations": dict(sorted(violations.items())),
        "failing_jobs": len(failing),
        "collisions": sum(r.collisions for r in results),
        "beyond_control": sum(r.beyond_control is not None for r in results),
        "outcomes": dict(sorted(Counter(r.outcome.split(":")[0] for r in results).items())),
        "seconds": round(seconds, 1),
        "seconds_per_job": round(cpu / len(results), 2) if results else None,
        "crane_seconds": round(sum(r.crane_s for r in results), 1),
        "scans": sum(r.scans for r in results),
        "failing": [_failing_json(r) for r in failing[:FAILING_SHOWN]],
    }


def _seed_range(results: Sequence[CaseResult]) -> list[int]:
    seeds = [r.seed for r in results if r.seed is not None]
    return [min(seeds), max(seeds)] if seeds else []


def _by_who(counters: Iterable[Counter[str]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for counter in counters:
        for key, n in counter.items():
            who, _, kind = key.partition(":")
            out.setdefault(who, Counter())[kind] += n
    return out


def _failing_json(result: CaseResult) -> dict[str, Any]:
    v = result.violations[0]
    return {
        "seed": result.seed,
        "kind": v.kind,
        "what": v.message.split("\n", 1)[0],
        "job": result.job,
        "at_s": round(v.time_s, 2),
        "scan": v.scan,
        "replay": f"crane-ctrl bench safety --case {result.seed}",
    }


def _summary_lines(s: dict[str, Any], results: Sequence[CaseResult]) -> list[str]:
    lines = [
        f"{s['jobs']} cases, {s['crane_seconds']:.0f} s of crane time in {s['seconds']} s "
        f"({s['seconds_per_job']} s per case per process): {s['faults']} faults, "
        f"{s['bad_values']} bad values, {sum(s['commands'].values())} random commands "
        f"({sum(s['refused_commands'].values())} refused), {s['wedge_checks']} wedge checks",
        f"outcomes: {', '.join(f'{k} {n}' for k, n in s['outcomes'].items())}",
        f"violations: {', '.join(f'{k} {n}' for k, n in s['violations'].items()) or 'none'}"
        f"; wedges {s['wedges']}, collisions {s['collisions']}",
        f"beyond the crane's control: {s['beyond_control']} (a collision in wind that came "
        "while the drives were off, the link down, a trip besides the wind's stopped it, or the "
        "operator had stopped or aborted it)",
    ]
    for r in results:
        for v in [*r.violations[:1], *([r.beyond_control] if r.beyond_control else [])]:
            what = v.message.split("\n", 1)[0]
            lines.append(f"  case {r.seed} [{v.kind}] at {v.time_s:.2f} s: {what}  "
                         f"(replay: --case {r.seed})")  # fmt: skip
    return lines


def replay(seed: int, profile: Path = PROFILE) -> dict[str, Any]:
    """Run case ``seed`` alone and print it with its whole trace; the JSON object of its run."""
    started = time.perf_counter()
    result = run_seed(seed, profile, trace=True)
    print(result.case)
    print("trace (job time, s):")
    for line in result.trace:
        print(line)
    print(f"outcome: {result.outcome}")
    for v in [*result.violations, *([result.beyond_control] if result.beyond_control else [])]:
        print(f"VIOLATION [{v.kind}] at scan {v.scan} ({v.time_s:.2f} s):\n{v.message}")
    if result.ok:
        print("no violation")
    return summarise([result], time.perf_counter() - started, profile)
