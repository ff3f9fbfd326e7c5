"""``crane-ctrl bench fuzz``: mutated profiles, sites and scenarios; no input an internal error.

Case ``KIND:S`` takes a shipped file of that kind and mutates it with ``random.Random("KIND:S")``
(:mod:`.fuzz_mutations`), writes it to a temporary file and loads it exactly as the CLI does
(``profile validate``, ``site validate``, ``rig run``). A case passes when the file loads, or
when it is refused with a :class:`~crane_ctrl.errors.ConfigError` whose every problem names a
file and a line in it (``file:line key.path: ...``), in under :data:`CASE_LIMIT_S`. Any other
exception is an internal error. A progress bar goes to stderr, a summary to stdout, then one
JSON object (the CLI prints it as its last line).
"""

from __future__ import annotations

import random
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crane_ctrl.bench.fuzz_mutations import mutate
from crane_ctrl.bench.progress import ProgressBar
from crane_ctrl.errors import ConfigError, CraneCtrlError

__all__ = [
    "CASE_LIMIT_S",
    "KINDS",
    "SPLIT",
    "FuzzCase",
    "bench_fuzz",
    "mutant",
    "run_case",
    "split",
]

REPO = Path(__file__).resolve().parents[2]
CASE_LIMIT_S = 1.0
"""The longest any one file may take to load or be refused (issue 17: every case under 1 s)."""
SPLIT = {"profile": 10, "site": 3, "scenario": 3}
"""How ``--kind all`` shares the cases out: 1,000 profiles, 300 sites, 300 scenarios."""
SHOWN = 10
"""Failing cases listed in the JSON object."""


def _load_profile(path: Path) -> object:
    from crane_ctrl.profile.loader import load_profile

    return load_profile(path)


def _load_site(path: Path) -> object:
    from simulators.site_file import load_site

    return load_site(path)


def _load_scenario(path: Path) -> object:
    from crane_ctrl.rig.loading import load_scenario

    return load_scenario(path)


KINDS: dict[str, tuple[str, Callable[[Path], object]]] = {
    "profile": ("plc_profiles", _load_profile),
    "site": ("simulators/sites", _load_site),
    "scenario": ("simulators/scenarios", _load_scenario),
}
"""Each kind of file: where the shipped ones are, and the loader its command uses."""


@dataclass(frozen=True, slots=True)
class FuzzCase:
    """What one mutated file did."""

    kind: str
    seed: int
    source: str
    """The shipped file it was mutated from."""
    mutations: tuple[str, ...]
    outcome: str
    """``ok`` (it loads), ``located`` (refused, every problem at a file and line),
    ``unlocated`` (refused, some problem without a line) or ``internal`` (any other exception)."""
    seconds: float
    message: str = ""
    """The error's first problem, or the internal error and where it was raised."""
    longest: int = 0
    """The length of the error's longest problem, characters."""

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.seed}"

    @property
    def failed(self) -> bool:
        return self.outcome in ("internal", "unlocated") or self.seconds > CASE_LIMIT_S


def sources(kind: str) -> list[Path]:
    """The shipped files of ``kind``, in name order."""
    return sorted((REPO / KINDS[kind][0]).glob("*.toml"))


def mutant(kind: str, seed: int) -> tuple[Path, bytes, tuple[str, ...]]:
    """Case ``kind:seed``: the shipped file, its mutated bytes and the mutations' names."""
    rng = random.Random(f"{kind}:{seed}")
    source = rng.choice(sources(kind))
    data, names = mutate(source.read_bytes(), rng)
    return source, data, names


def run_case(kind: str, seed: int, folder: Path) -> FuzzCase:
    """Write case ``kind:seed`` into ``folder`` under its source's name and load it."""
    source, data, names = mutant(kind, seed)
    path = folder / source.name
    path.write_bytes(data)
    started = time.perf_counter()
    outcome, message, longest = _load(kind, path)
    seconds = time.perf_counter() - started
    return FuzzCase(kind, seed, source.name, names, outcome, seconds, message, longest)


def _load(kind: str, path: Path) -> tuple[str, str, int]:
    """What loading ``path`` did: outcome, first (or first unlocated) problem, longest one."""
    try:
        KINDS[kind][1](path)
    except ConfigError as exc:
        longest = max(len(str(p)) for p in exc.problems)
        unlocated = [p for p in exc.problems if not _located(p.file, p.line)]
        if unlocated:
            return "unlocated", str(unlocated[0]), longest
        return "located", str(exc), longest
    except CraneCtrlError as exc:  # deliberate, but says no file and line
        return "unlocated", f"{type(exc).__name__}: {exc}", len(str(exc))
    except Exception as exc:
        return "internal", _internal(exc), 0
    return "ok", "", 0


def _located(file: str, line: int | None) -> bool:
    """A problem names a file and a line that is in that file (its last line + 1 for an
    unterminated construct at its end)."""
    if not file or line is None or line < 1:
        return False
    try:
        count = Path(file).read_bytes().count(b"\n") + 1
    except OSError:
        return False
    return line <= count + 1


def _internal(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames)
                  if "crane_ctrl" in f.filename or "simulators" in f.filename), "?")  # fmt: skip
    return f"{type(exc).__name__}: {str(exc)[:160]} (at {where})"


def split(cases: int, kind: str) -> dict[str, int]:
    """Cases per kind: all of them for one kind; shared :data:`SPLIT`-wise for ``all``."""
    if kind != "all":
        return {kind: cases}
    total = sum(SPLIT.values())
    shares = {k: cases * n // total for k, n in SPLIT.items()}
    shares["profile"] += cases - sum(shares.values())
    return shares


def run_cases(
    counts: dict[str, int], seed: int, on_case: Callable[[int, FuzzCase], None] | None = None
) -> list[FuzzCase]:
    """Cases ``seed .. seed+n-1`` of each kind, in one temporary folder per kind."""
    results: list[FuzzCase] = []
    with tempfile.TemporaryDirectory(prefix="crane-fuzz-") as tmp:
        for kind, n in counts.items():
            folder = Path(tmp) / kind
            folder.mkdir()
            for case_seed in range(seed, seed + n):
                results.append(run_case(kind, case_seed, folder))
                if on_case is not None:
                    on_case(len(results), results[-1])
    return results


def bench_fuzz(cases: int, seed: int = 0, kind: str = "all") -> dict[str, Any]:
    """Run the cases; print the progress (stderr) and a summary; the JSON object."""
    counts = split(cases, kind)
    shares = ", ".join(f"{n} {k}s" for k, n in counts.items())
    print(f"{cases} mutated files ({shares}) from seed {seed} ...", flush=True)
    started = time.perf_counter()
    bar = ProgressBar(sum(counts.values()), "files")

    def advance(count: int, case: FuzzCase) -> None:
        failure = (f"{case.name} FAILED ({case.outcome}, {case.seconds:.2f} s): "
                   f"{case.message[:160]}") if case.failed else None  # fmt: skip
        bar.advance(count, failure)

    results = run_cases(counts, seed, advance)
    bar.close()
    summary = summarise(results, seed, time.perf_counter() - started)
    for line in _summary_lines(summary, results):
        print(line)
    return summary


def summarise(results: Sequence[FuzzCase], seed: int, seconds: float) -> dict[str, Any]:
    """The JSON object of a run."""
    slowest = max(results, key=lambda r: r.seconds, default=None)
    failing = [r for r in results if r.failed]
    return {
        "bench": "fuzz",
        "seed": seed,
        "cases": _by_kind(r.kind for r in results),
        "ok": _by_kind(r.kind for r in results if r.outcome == "ok"),
        "located_errors": _by_kind(r.kind for r in results if r.outcome == "located"),
        "internal_errors": sum(r.outcome == "internal" for r in results),
        "unlocated_messages": sum(r.outcome == "unlocated" for r in results),
        "over_limit": sum(r.seconds > CASE_LIMIT_S for r in results),
        "limit_s": CASE_LIMIT_S,
        "longest_message": max((r.longest for r in results), default=0),
        "slowest_s": round(slowest.seconds, 3) if slowest else None,
        "slowest_case": slowest.name if slowest else None,
        "seconds": round(seconds, 1),
        "failing": [_failing_json(r) for r in failing[:SHOWN]],
    }


def _by_kind(kinds: Iterable[str]) -> dict[str, int]:
    counts = Counter(kinds)
    return {k: counts[k] for k in KINDS if k in counts}


def _failing_json(case: FuzzCase) -> dict[str, Any]:
    return {
        "case": case.name,
        "source": case.source,
        "mutations": list(case.mutations),
        "outcome": case.outcome,
        "seconds": round(case.seconds, 3),
        "message": case.message[:300],
    }


def _summary_lines(s: dict[str, Any], results: Sequence[FuzzCase]) -> list[str]:
    lines = [
        f"{kind}s: {n} cases, {s['ok'].get(kind, 0)} load, {s['located_errors'].get(kind, 0)} "
        "refused at a file and line"
        for kind, n in s["cases"].items()
    ]
    lines.append(
        f"internal errors {s['internal_errors']}, unlocated messages {s['unlocated_messages']}, "
        f"over {CASE_LIMIT_S:g} s {s['over_limit']}; slowest {s['slowest_s']} s "
        f"({s['slowest_case']}); {s['seconds']} s in all"
    )
    for r in results:
        if r.failed:
            lines.append(f"  {r.name} ({r.source}, {'+'.join(r.mutations)}) {r.outcome} "
                         f"{r.seconds:.2f} s: {r.message[:200]}")  # fmt: skip
    return lines
