"""The run-time planner: leg plans and rope fits in a worker process (issue 16, deliver 1).

The requests are the ones a lock-step job really asks (caught by the unit tests' slow planner);
the worker's plan is the inline plan, bit for bit; a worker that dies fails the plan it had and
the next plan is made by a new one.
"""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import pytest

from crane_ctrl.runtime.planning_pool import PlanningPool
from crane_ctrl.sequencer.leg_drive import LegRequest, plan_leg
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from tests.unit.test_planning_off_scan import PROFILE, SlowPlanner

T = TypeVar("T")
WITHIN_S = 30.0


async def _answer(future: Future[T]) -> T:
    return await asyncio.wait_for(asyncio.wrap_future(future), WITHIN_S)


async def _first_request() -> LegRequest:
    planner = SlowPlanner()
    async with StationRig(PROFILE, planner=planner) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
        await rig.start_automatic()
        await rig.until(lambda v: bool(planner.of(plan_leg)), within_s=30, what="a plan asked")
    request = planner.asked[0][2].args[0]
    assert isinstance(request, LegRequest)
    return request


def _kill_worker() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def test_a_leg_planned_in_the_worker_is_the_plan_made_in_the_scan() -> None:
    request = await _first_request()
    async with PlanningPool() as pool:
        planned = await _answer(pool.submit(plan_leg, request))
    inline = plan_leg(request)
    assert planned.travel.duration_s == inline.travel.duration_s
    assert planned.touchdown_s == inline.touchdown_s
    assert planned.expected_sway == inline.expected_sway
    assert planned.path_clear_height_m(1.0) == inline.path_clear_height_m(1.0)


async def test_a_worker_that_dies_fails_its_plan_and_a_new_one_plans_the_next() -> None:
    request = await _first_request()
    async with PlanningPool() as pool:
        with pytest.raises(BrokenProcessPool):
            await _answer(pool.submit(_kill_worker))
        planned = await _answer(pool.submit(plan_leg, request))
    assert planned.goal_xyz == request.goal_xyz
