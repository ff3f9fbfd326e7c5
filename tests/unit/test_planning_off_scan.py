"""Leg plans come from a planner the scan never waits on (issue 16, deliver 1).

A :class:`SlowPlanner` stands for a busy worker process: what it is asked waits until the test
lets it run. Meanwhile the crane holds zero references and the step says "planning"; a plan
later than ``PLAN_LATE_S`` raises PLANNING_LATE, one later than ``PLAN_GIVE_UP_S`` holds the
move; a plan asked for from where the crane no longer stands, or for a move that held, is
thrown away; a rope fit is taken in whenever it comes. With the inline planner a plan arrives
in the scan that asked for it (every lock-step test and bench runs so).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

from crane_ctrl.motion.rope_calibration import fit_rope_offset
from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import PackCommand, PackState
from crane_ctrl.runtime.station import StationView
from crane_ctrl.sequencer.leg_drive import STALE_START_M, LegRequest, plan_leg
from crane_ctrl.sequencer.planning import PLAN_GIVE_UP_S, PLAN_LATE_S, Background, InlinePlanner
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from tests.profile_texts import PROFILES

P = ParamSpec("P")
T = TypeVar("T")

PROFILE = PROFILES / "generic-modbus.toml"


class SlowPlanner:
    """A planner whose work waits until :meth:`finish` runs it (a busy worker process)."""

    def __init__(self) -> None:
        self.asked: list[tuple[Callable[..., Any], Future[Any], Callable[[], Any]]] = []

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        self.asked.append((fn, future, functools.partial(fn, *args, **kwargs)))
        return future

    def of(self, fn: Callable[..., Any]) -> list[Future[Any]]:
        return [future for f, future, _ in self.asked if f is fn]

    def finish(self) -> None:
        """Do every piece of work asked for and not yet done or cancelled."""
        for _, future, work in self.asked:
            if not future.done() and future.set_running_or_notify_cancel():
                future.set_result(work())


def _moving(view: StationView) -> bool:
    c = view.supervisor.commands
    refs = (c.gantry_speed_ref, c.trolley_speed_ref, c.hoist_speed_ref)
    return any(ref is not None and ref != 0.0 for ref in refs)


def _alarm(view: StationView, alarm_id: str) -> str | None:
    """The alarm's message and what it said, if it is active."""
    for alarm in view.supervisor.alarms:
        if alarm.id == alarm_id and alarm.active:
            return alarm.message
    return None


async def _asking(rig: StationRig, planner: SlowPlanner) -> StationView:
    """Start a truck -> AGV job and scan until its first leg's plan is asked for."""
    rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
    await rig.start_automatic()
    return await rig.until(lambda v: bool(planner.of(plan_leg)), within_s=30, what="a plan asked")


async def test_a_leg_waits_for_its_plan_with_zero_references_and_says_planning() -> None:
    planner = SlowPlanner()
    async with StationRig(PROFILE, planner=planner) as rig:
        await _asking(rig, planner)
        for _ in range(round(PLAN_LATE_S / 0.05) - 2):
            view = await rig.scan()
            assert not _moving(view), view.supervisor.commands
            assert view.step_detail.endswith("; planning"), view.step_detail
            assert _alarm(view, "PLANNING_LATE") is None
        view = await rig.until(lambda v: _alarm(v, "PLANNING_LATE") is not None, within_s=0.5,
                               what="PLANNING_LATE")  # fmt: skip
        assert not _moving(view)
        assert len(planner.of(plan_leg)) == 1  # asked once, not again every scan
        planner.finish()
        view = await rig.until(_moving, within_s=1, what="the leg under way")
        assert "planning" not in view.step_detail
        await rig.until(lambda v: _alarm(v, "PLANNING_LATE") is None, within_s=1, what="cleared")


async def test_a_plan_that_never_comes_holds_the_move_and_unhold_asks_again() -> None:
    planner = SlowPlanner()
    async with StationRig(PROFILE, planner=planner) as rig:
        await _asking(rig, planner)
        view = await rig.until(lambda v: v.step == "held", within_s=PLAN_GIVE_UP_S + 1,
                               what="held")  # fmt: skip
        assert "no plan for the leg" in view.step_detail
        assert planner.of(plan_leg)[0].cancelled()
        await rig.until(lambda v: v.machine is PackState.HELD, within_s=2, what="HELD")
        rig.station.pack(rig.operator, PackCommand.UNHOLD)
        await rig.until(lambda v: len(planner.of(plan_leg)) == 2, within_s=15, what="asked again")
        planner.finish()
        await rig.until(_moving, within_s=2, what="the leg under way")


async def test_a_plan_for_where_the_crane_no_longer_stands_is_thrown_away() -> None:
    planner = SlowPlanner()
    async with StationRig(PROFILE, planner=planner) as rig:
        await _asking(rig, planner)
        first = planner.of(plan_leg)[0]
        rig.sim.plant.trolley.position_m += 3 * STALE_START_M
        await rig.until(lambda v: len(planner.of(plan_leg)) == 2, within_s=1, what="asked again")
        assert first.cancelled()
        _fn, _, work = planner.asked[-1]
        request = work.args[0]
        assert isinstance(request, LegRequest)
        trolley = rig.view.supervisor.snapshot.number("trolley.position")
        assert request.start_xyz[1] == trolley
        planner.finish()
        await rig.until(_moving, within_s=2, what="the leg under way")


async def test_a_hold_while_planning_drops_the_plan() -> None:
    planner = SlowPlanner()
    async with StationRig(PROFILE, planner=planner) as rig:
        await _asking(rig, planner)
        rig.station.pack(rig.operator, PackCommand.HOLD)
        await rig.until(lambda v: v.step == "held", within_s=1, what="held")
        assert planner.of(plan_leg)[0].cancelled()
        planner.finish()  # a late answer to a dropped question moves nothing
        for _ in range(10):
            assert not _moving(await rig.scan())


async def test_a_whole_job_runs_with_plans_and_rope_fits_one_scan_late() -> None:
    """Every plan and fit answered a scan after it was asked (a fast worker): the job is done."""
    planner = SlowPlanner()
    async with StationRig(PROFILE, planner=planner) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
        await rig.start_automatic()
        for _ in range(round(400 / 0.05)):
            view = await rig.scan()
            planner.finish()
            if view.finished:
                break
    assert view.finished[-1].state is JobState.DONE, view.finished[-1]
    assert len(planner.of(plan_leg)) >= 2  # collect and deliver
    assert planner.of(fit_rope_offset)


def test_the_inline_planner_answers_at_once_and_keeps_the_error() -> None:
    planner = InlinePlanner()
    assert planner.submit(max, 1, 2).result() == 2
    failed = planner.submit(int, "not a number")
    assert failed.done()
    assert isinstance(failed.exception(), ValueError)


def test_background_work_is_taken_in_when_it_comes_and_a_failure_is_dropped() -> None:
    taken: list[tuple[int, float]] = []
    background = Background()
    ok: Future[int] = Future()
    bad: Future[int] = Future()
    background.then(ok, lambda result, now: taken.append((result, now)), 1.0)
    background.then(bad, lambda result, now: taken.append((result, now)), 1.0)
    assert len(background) == 2
    assert not taken
    ok.set_result(7)
    bad.set_exception(RuntimeError("worker died"))
    background.poll(2.5)
    assert taken == [(7, 2.5)]
    assert len(background) == 0
