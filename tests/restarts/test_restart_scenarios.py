"""The PLC-restart scenarios under ``scenarios/`` pass in lock-step (the shipped one,
``simulators/scenarios/plc-restart-mid-travel-with-load.toml``, runs with the library in
``tests/rig/test_runs.py``). The quick one always; the rest with ``HOSTILE_FULL=1``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crane_ctrl.rig.report import summary
from crane_ctrl.rig.runner import Options, run_one

SCENARIOS = Path(__file__).parent / "scenarios"
QUICK = frozenset({"plc-restart-while-locking-s7"})
FULL = os.environ.get("HOSTILE_FULL") == "1"


def _params() -> list[object]:
    return [
        pytest.param(
            path,
            id=path.stem,
            marks=[]
            if path.stem in QUICK or FULL
            else [pytest.mark.skip(reason="long: set HOSTILE_FULL=1")],
        )
        for path in sorted(SCENARIOS.glob("*.toml"))
    ]


@pytest.mark.parametrize("path", _params())
def test_restart_scenario_passes_in_lock_step(path: Path) -> None:
    result = run_one(str(path), Options())
    assert result.passed, summary(result, details=True)
