"""One hand-over of a landing to the remote operator: what they must do, and the jogs they hold.

:class:`OperatorLanding` turns the operator's jogs into speed references. A jog runs at
``jog_speed_factor`` of the axis's rated speed (the hoist at creep speed in the creep zone above
the landing) and only while the operator keeps asking: each :meth:`OperatorLanding.jog` holds for
``jog_hold_s`` (dead-man). Travel jogs only with the load over everything around it by the safe
clearance; lower down, only the hoist moves. Lowering stops by itself once all four pins are
pressed. The step around it is in :mod:`crane_ctrl.sequencer.operator`. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crane_ctrl.commands import AXES
from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import MotionLimits
from crane_ctrl.operation.machine import CommandRefused
from crane_ctrl.site import Slot

__all__ = ["OperatorLanding"]


@dataclass
class OperatorLanding:
    """One hand-over: what the operator must do, and the jogs they hold."""

    slot: Slot
    landing_m: float
    """Twistlock-plane height at touchdown, m."""
    task: str
    """What the operator must do, in words ("land J1 on truck lane T1 and confirm")."""
    jogs: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Axis -> (direction, held until), for the jogs the operator holds."""
    travel_ok: bool = False
    """The load is high enough for travel jogs (set every scan)."""

    def jog(self, axis: str, direction: int, now: float, hold_s: float) -> None:
        """The operator jogs ``axis`` (``gantry``, ``trolley``, ``hoist``) in ``direction``
        (+1, -1; 0 stops it) until ``now + hold_s`` unless asked again."""
        if axis not in AXES:
            raise CommandRefused(f"jog axis must be gantry, trolley or hoist, not {axis!r}")
        if direction not in (-1, 0, 1):
            raise CommandRefused(f"jog direction must be -1, 0 or +1, not {direction!r}")
        if axis != "hoist" and direction and not self.travel_ok:
            raise CommandRefused(
                f"{axis} jog refused: the load is too low over what is around it to travel; "
                "raise it first"
            )
        if direction == 0:
            self.jogs.pop(axis, None)
        else:
            self.jogs[axis] = (direction, now + hold_s)

    def references(
        self,
        now: float,
        z: float,
        params: CraneParams,
        *,
        loaded: bool,
        factor: float,
        landed: bool,
    ) -> tuple[float, float, float]:
        """(gantry, trolley, hoist) speed references for the jogs still held, m/s."""
        limits = MotionLimits.from_params(params, loaded=loaded)
        rated = {"gantry": limits.gantry.vmax_mps, "trolley": limits.trolley.vmax_mps,
                 "hoist": limits.hoist.vmax_mps}  # fmt: skip
        refs = dict.fromkeys(AXES, 0.0)
        for axis, (direction, until) in list(self.jogs.items()):
            if now > until:
                del self.jogs[axis]  # dead-man: released
                continue
            speed = factor * rated[axis]
            if axis == "hoist" and direction < 0:
                if landed:
                    continue  # seated: lowering on stops by itself
                if z <= self.landing_m + params.creep_distance_m:
                    speed = min(speed, params.creep_speed_mps)
            elif axis != "hoist" and not self.travel_ok:
                continue
            refs[axis] = direction * speed
        return refs["gantry"], refs["trolley"], refs["hoist"]
