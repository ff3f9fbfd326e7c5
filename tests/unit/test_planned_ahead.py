"""The loaded leg is planned ahead, while the trial lift weighs the box (issue 16, deliver 1).

A :class:`LaggingPlanner` stands for a worker process that answers a few scans after it is
asked. Planned at the rise, the crane would stand with the box hanging and zero references for
those scans; asked for during the trial lift, the plan is back before the box is weighed and the
rise goes straight on. A plan asked for ahead is taken only for the crane where it was asked
from and for the weight then read (within :data:`SAME_MASS_T`); otherwise it is asked again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any, ParamSpec, TypeVar

from crane_ctrl.operation.jobs import JobState
from crane_ctrl.runtime.station import StationView
from crane_ctrl.sequencer.leg_drive import SAME_MASS_T, STALE_START_M, LegRequest, plan_leg
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from tests.profile_texts import PROFILES

P = ParamSpec("P")
T = TypeVar("T")

PROFILE = PROFILES / "generic-modbus.toml"
LAG_SCANS = 6
"""Scans a plan takes to come back (0.3 s: a busy worker)."""


class LaggingPlanner:
    """Work is done :data:`LAG_SCANS` ticks after it is asked for; every ask is kept with the
    step the crane was in."""

    def __init__(self, step_now: Callable[[], str]) -> None:
        self._step_now = step_now
        self.asked: list[tuple[str, LegRequest | None, Future[Any]]] = []
        self._work: list[tuple[int, Future[Any], Callable[[], Any]]] = []

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        request = args[0] if fn is plan_leg and isinstance(args[0], LegRequest) else None
        self.asked.append((self._step_now(), request, future))
        self._work.append((LAG_SCANS, future, functools.partial(fn, *args, **kwargs)))
        return future

    def tick(self) -> None:
        left: list[tuple[int, Future[Any], Callable[[], Any]]] = []
        for n, future, work in self._work:
            if n > 1:
                left.append((n - 1, future, work))
            elif future.set_running_or_notify_cancel():
                future.set_result(work())
        self._work = left

    def legs(self, *, loaded: bool) -> list[tuple[str, LegRequest]]:
        return [(s, r) for s, r, _ in self.asked if r is not None and r.loaded is loaded]


async def test_the_loaded_leg_is_asked_for_during_the_trial_lift_and_the_rise_never_waits() -> None:
    rig_box: list[StationRig] = []
    planner = LaggingPlanner(lambda: rig_box[0].view.step if rig_box else "")
    async with StationRig(PROFILE, planner=planner) as rig:
        rig_box.append(rig)
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
        await rig.start_automatic()
        waited: list[str] = []

        def watch(view: StationView) -> bool:
            planner.tick()
            loaded = bool(planner.legs(loaded=True))
            if loaded and view.step == "raise" and view.step_detail.endswith("; planning"):
                waited.append(view.step_detail)
            return bool(view.finished)

        view = await rig.until(watch, within_s=400, what="the job ended")
    assert view.finished[-1].state is JobState.DONE, view.finished[-1]
    loaded = planner.legs(loaded=True)
    assert {step for step, _ in loaded} == {"trial lift"}, loaded  # asked ahead only
    assert len(loaded) <= 2  # again only if the load cell still settled
    taken = [f for _, r, f in planner.asked if r is not None and r.loaded and not f.cancelled()]
    assert len(taken) == 1
    assert waited == []  # the rise never stood waiting for its plan
    empty = planner.legs(loaded=False)
    assert empty
    assert all(step != "trial lift" for step, _ in empty)


def _request() -> LegRequest:
    from crane_ctrl.crane import CraneParams

    return LegRequest(
        start_xyz=(10.0, 5.0, 3.0), goal_xyz=(40.0, 12.0, 1.5), obstacles=(),
        params=CraneParams(), loaded=True, container_height_m=2.59, container_mass_t=24.0,
        half_size_m=(6.1, 1.22),
    )  # fmt: skip


def test_a_plan_asked_ahead_serves_the_same_leg_within_the_start_and_weight_tolerances() -> None:
    ahead = _request()
    moved = replace(ahead, start_xyz=(10.0, 5.0, 3.0 + 0.8 * STALE_START_M))
    heavier = replace(ahead, container_mass_t=24.0 + 0.9 * SAME_MASS_T)
    assert ahead.still_holds_for(moved)
    assert ahead.still_holds_for(heavier)


def test_a_plan_asked_ahead_is_not_taken_for_another_weight_start_or_goal() -> None:
    ahead = _request()
    for other in (
        replace(ahead, container_mass_t=24.0 + 1.5 * SAME_MASS_T),
        replace(ahead, container_mass_t=None),
        replace(ahead, start_xyz=(10.0, 5.0, 3.0 + 1.5 * STALE_START_M)),
        replace(ahead, goal_xyz=(41.0, 12.0, 1.5)),
        replace(ahead, loaded=False),
    ):
        assert not ahead.still_holds_for(other), other
