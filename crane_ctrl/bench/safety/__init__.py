"""The randomized safety proof of the automatic crane, and ``crane-ctrl bench safety``.

Random jobs of the default site run in lock-step through the automation (PackML machine, job
queue, modes), the supervisor and the simulated crane, while random faults, transient bad values
and random operator commands hit them at random steps, and a reasonable operator resets and
resumes. Every scan is checked against the safety invariants; wedge checks prove that STOP (or
ABORT) and RESET always bring the machine to IDLE.

- :mod:`.cases`: the jobs, the events, and drawing a case (``random.Random`` or Hypothesis);
- :mod:`.desk`: every command's way in (counted, traced), and the reasonable operator;
- :mod:`.harness`: one case run and checked (what is checked, and when a run ends);
- :mod:`.bench`: many cases in parallel, the summary and its JSON line, replaying one.
"""

from __future__ import annotations

from crane_ctrl.bench.safety.bench import bench_safety, case_of, replay, run_seed, run_seeds
from crane_ctrl.bench.safety.cases import (
    JOBS,
    BadValue,
    Case,
    Command,
    Draw,
    Event,
    FaultPlan,
    Job,
    RandomDraw,
    WedgeCheck,
    When,
    bad_value_menu,
    draw_case,
)
from crane_ctrl.bench.safety.harness import CaseResult, Violation, run_case

__all__ = [
    "JOBS",
    "BadValue",
    "Case",
    "CaseResult",
    "Command",
    "Draw",
    "Event",
    "FaultPlan",
    "Job",
    "RandomDraw",
    "Violation",
    "WedgeCheck",
    "When",
    "bad_value_menu",
    "bench_safety",
    "case_of",
    "draw_case",
    "replay",
    "run_case",
    "run_seed",
    "run_seeds",
]
