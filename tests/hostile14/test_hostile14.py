"""Issue 14's hostile set: every scenario under ``scenarios/`` passes in lock-step.

The quick ones run always (under 20 s together); the rest with ``HOSTILE_FULL=1``. Scenarios in
:data:`KNOWN_FAILING` are open findings, expected to fail until they are fixed (strict: one that
starts passing must be moved out of the list).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crane_ctrl.rig.report import summary
from crane_ctrl.rig.runner import Options, run_one

SCENARIOS = Path(__file__).parent / "scenarios"
QUICK = frozenset({"load-drifts-away-in-travel", "trolley-encoder-stuck-in-travel"})
"""Run always: the two classes fixed here (a box gone light, a frozen encoder)."""
KNOWN_FAILING: dict[str, str] = {}
"""Open findings (none now: FINDINGS.md), each as a strict expected failure under HOSTILE_FULL."""
FULL = os.environ.get("HOSTILE_FULL") == "1"


def _params() -> list[object]:
    params: list[object] = []
    for path in sorted(SCENARIOS.glob("*.toml")):
        marks: list[pytest.MarkDecorator] = []
        if path.stem not in QUICK and not FULL:
            marks.append(pytest.mark.skip(reason="long: set HOSTILE_FULL=1"))
        if path.stem in KNOWN_FAILING:
            marks.append(pytest.mark.xfail(reason=KNOWN_FAILING[path.stem], strict=True))
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


@pytest.mark.parametrize("path", _params())
def test_hostile_scenario_passes_in_lock_step(path: Path) -> None:
    result = run_one(str(path), Options())
    assert result.passed, summary(result, details=True)
