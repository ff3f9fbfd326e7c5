"""A commissioning jog: one axis, slowly, a few cm, the way it has room, watched scan by scan.

:func:`plan_jog` picks the direction (the hoist up if it has room, gantry and trolley toward
the end with more room) and the speed (a fraction of rated); :func:`jog` asks the supervisor for
it (the interlocks still filter every scan) and checks the PLC's answer: the position moves the
commanded way by the distance within the timeout, and the axis stops once the reference is back
at zero. A jog that moves the wrong way, or that the interlocks refuse midway, is stopped at once.
The command stage jogs each axis out and back again (:meth:`JogPlan.reversed`), so that both
directions are seen and the crane ends about where it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from crane_ctrl.commands import Commands
from crane_ctrl.commission.context import StageContext
from crane_ctrl.commission.outcome import Check, Measured, Status
from crane_ctrl.commission.preconditions import flag_text
from crane_ctrl.crane import CraneParams, rated_speeds
from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.runtime.supervisor import SupervisorView

__all__ = ["JogPlan", "jog", "plan_jog", "travel_range"]

_MOTIONS = {
    ("gantry", 1): Motion.GANTRY_FWD,
    ("gantry", -1): Motion.GANTRY_REV,
    ("trolley", 1): Motion.TROLLEY_FWD,
    ("trolley", -1): Motion.TROLLEY_REV,
    ("hoist", 1): Motion.HOIST_UP,
    ("hoist", -1): Motion.HOIST_DOWN,
}


@dataclass(frozen=True, slots=True)
class JogPlan:
    axis: str
    direction: int
    """+1 (forward, up) or -1."""
    speed_mps: float
    """Speed reference, always positive; the direction gives the sign."""
    distance_m: float

    @property
    def motion(self) -> Motion:
        return _MOTIONS[(self.axis, self.direction)]

    @property
    def reference(self) -> float:
        return self.direction * self.speed_mps

    def reversed(self) -> JogPlan:
        """The same jog the other way (back to where the first one started)."""
        return replace(self, direction=-self.direction)


def travel_range(axis: str, crane: CraneParams) -> tuple[float, float]:
    """Where ``axis`` can be, end to end, m."""
    if axis == "gantry":
        return 0.0, crane.gantry_travel_m
    if axis == "trolley":
        return 0.0, crane.trolley_travel_m
    return crane.hoist_lowest_m, crane.hoist_highest_m


def plan_jog(
    axis: str, position: float, crane: CraneParams, *, fraction: float, distance_m: float,
    clearance_m: float,
) -> JogPlan | str:  # fmt: skip
    """The jog of ``axis`` from ``position``, or why there is none (no room either way)."""
    low, high = travel_range(axis, crane)
    room_up, room_down = high - position, position - low
    need = distance_m + clearance_m
    if axis == "hoist":
        direction = 1 if room_up >= need else -1
    else:
        direction = 1 if room_up >= room_down else -1
    if (room_up if direction > 0 else room_down) < need:
        return (
            f"no room for {distance_m:g} m and {clearance_m:g} m clearance: {axis} at "
            f"{position:.3f} m of {low:g}..{high:g} m"
        )
    speed = fraction * rated_speeds(crane)[axis]
    return JogPlan(axis, direction, speed, distance_m)


@dataclass
class _Watch:
    """Follows a jog scan by scan until its distance is covered or something goes wrong."""

    plan: JogPlan
    start_m: float
    wrong_way_m: float
    moved_m: float = 0.0
    peak_mps: float = 0.0
    problem: str = ""

    def __call__(self, view: SupervisorView) -> bool:
        snapshot, axis = view.snapshot, self.plan.axis
        refused = [r for r in view.refusals if r.motion is self.plan.motion]
        if refused:
            self.problem = f"refused midway: {refused[0]}"
            return True
        position = snapshot.number(f"{axis}.position")
        if position is None:
            self.problem = f"position lost: {flag_text(snapshot, f'{axis}.position')}"
            return True
        self.moved_m = (position - self.start_m) * self.plan.direction
        speed = snapshot.number(f"{axis}.speed")
        if speed is not None:
            self.peak_mps = max(self.peak_mps, abs(speed))
        if self.moved_m <= -self.wrong_way_m:
            self.problem = f"moved {self.moved_m:+.3f} m against the reference"
            return True
        return self.moved_m >= self.plan.distance_m


async def jog(ctx: StageContext, plan: JogPlan, start_m: float, name: str) -> Check:
    """Run ``plan`` from ``start_m`` with the drives enabled, as check ``name``; leaves the
    drives enabled at zero."""
    session, s = ctx.session, ctx.settings
    watch = _Watch(plan, start_m, s.wrong_way_m)
    started = session.clock.now()
    session.propose(Commands(drives_enable=True).with_speed(plan.axis, plan.reference))
    try:
        reached = await session.until(watch, within_s=s.jog_timeout_s)
    finally:
        session.propose(Commands(drives_enable=True))  # the reference back to zero
    reached_s = session.clock.now() - started

    def still(view: SupervisorView) -> bool:
        speed = view.snapshot.number(f"{plan.axis}.speed")
        return speed is not None and abs(speed) <= s.standstill_mps

    stopped = await session.until(still, within_s=s.stop_timeout_s)
    stop_s = session.clock.now() - started - reached_s
    end = session.view.snapshot.number(f"{plan.axis}.position")
    total = None if end is None else (end - start_m) * plan.direction
    measured: dict[str, Measured] = {
        "direction": "+" if plan.direction > 0 else "-",
        "speed_ref_mps": round(plan.reference, 4),
        "start_m": round(start_m, 4),
        "end_m": None if end is None else round(end, 4),
        "moved_m": None if end is None else round(end - start_m, 4),
        "peak_speed_mps": round(watch.peak_mps, 4),
        "reach_s": round(reached_s, 3),
        "stop_s": round(stop_s, 3),
    }
    asked = f"{plan.reference:+.3f} m/s for {plan.direction * plan.distance_m:+.3f} m"
    if watch.problem:
        return Check(name, Status.FAIL, f"{asked}: {watch.problem}; stopped", measured)
    if reached is None:
        return Check(
            name,
            Status.FAIL,
            f"{asked}: moved only {watch.moved_m * plan.direction:+.3f} m in "
            f"{s.jog_timeout_s:g} s (peak speed {watch.peak_mps:.3f} m/s)",
            measured,
        )
    if stopped is None or total is None:
        return Check(
            name,
            Status.FAIL,
            f"{asked}: still moving {s.stop_timeout_s:g} s after the reference went to 0",
            measured,
        )
    return Check(
        name,
        Status.PASS,
        f"{asked}: moved {total * plan.direction:+.3f} m the commanded way, reached in "
        f"{reached_s:.2f} s; stopped {stop_s:.2f} s after the reference went to 0",
        measured,
    )
