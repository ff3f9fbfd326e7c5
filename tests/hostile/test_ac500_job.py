"""Full truck -> stack job with the invented AC500 (tests/hostile/ac500.py) over real sockets."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from crane_ctrl.sequencer.automatic_move import Outcome
from crane_ctrl.site import parse_slot
from tests.hostile.ac500 import fine_sway_profile, run_job


async def test_ac500_truck_to_stack_job_completes() -> None:
    """F2: the manual's 0.1 degree sway sensor (3 cm steps at 17 m of rope). The sequencer
    learns the step from the readings and damps with its pendulum observer, not the raw
    steps."""
    job = await run_job()
    _assert_done(job)
    assert job.sequencer.crane.sway_step.step_m(_omega(17.0)) == pytest.approx(0.0297, rel=0.05)


async def test_ac500_job_completes_with_a_0_01_degree_sway_sensor(tmp_path: Path) -> None:
    job = await run_job(profile=fine_sway_profile(tmp_path))
    _assert_done(job)


def _omega(rope_m: float) -> float:
    return math.sqrt(9.81 / rope_m)


def _assert_done(job) -> None:  # type: ignore[no-untyped-def]
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.DONE, job.sequencer.outcome
    assert job.sim.plant.yard.containers["TGHU7654321"].location == parse_slot("stack:A20-3:1")
    assert job.sim.model_faults == ()
    for cmd in ("spreader.lock", "spreader.unlock", "spreader.telescope"):
        assert len(job.journal.plc(cmd, "requested")) == 1, (cmd, job.journal.plc(cmd, "requested"))
        assert len(job.journal.plc(cmd, "taken over")) == 1, cmd
