"""The SEMIAUTOMATIC hand-over: the remote operator jogs the last of a landing and confirms it.

Where the operator lands (road trucks: people may be near), the sequencer brings the load to an
approach height over the landing place (:data:`APPROACH_M` over the set-down or pick height),
over the goal with the swing settled, and hands over: :class:`OperatorLanding` turns the
operator's jogs into speed references. A jog runs at ``jog_speed_factor`` of the axis's rated
speed (the hoist at creep speed in the creep zone above the landing) and only while the operator
keeps asking: each :meth:`OperatorLanding.jog` holds for ``jog_hold_s`` (dead-man). Travel jogs
only with the load over everything around it by the safe clearance (the travel interlock gets
that height); lower down, only the hoist moves. Lowering stops by itself once all four pins are
pressed. The operator then confirms; the sequencer checks Landed before it goes on. Pure: time
comes in as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import MotionLimits
from crane_ctrl.operation.machine import CommandRefused
from crane_ctrl.sequencer.base import (
    SETTLE_MARGIN_M,
    Run,
    SequencerBase,
    Step,
    not_landed_why,
    position_of,
)
from crane_ctrl.sequencer.transfer import all_corners
from crane_ctrl.site import Slot
from crane_ctrl.snapshot import Snapshot

__all__ = ["OperatorLanding", "OperatorSteps"]


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


class OperatorSteps(SequencerBase):
    """The hand-over step and the operator's way in (jog, confirm)."""

    @property
    def awaiting_operator(self) -> str | None:
        """What the remote operator must do now ("land J1 on truck lane T1 and confirm"), or
        ``None`` while nothing waits for them."""
        run = self.run
        if run is None or run.step is not Step.OPERATOR_LANDING or run.handover is None:
            return None
        return run.handover.task

    def operator_jog(self, axis: str, direction: int, now: float) -> None:
        """The operator jogs ``axis`` (``gantry``, ``trolley``, ``hoist``) in ``direction`` (+1,
        -1, 0 to stop) during a hand-over; repeat within ``jog_hold_s`` to keep it moving.
        :class:`~crane_ctrl.operation.machine.CommandRefused` outside a hand-over, or a travel jog
        with the load too low to travel."""
        self._handover("jog").jog(axis, direction, now, self.settings.jog_hold_s)

    def confirm_landing(self, now: float) -> None:
        """The operator confirms the landing: go on (lock or unlock) if Landed, all four pins
        at the expected height; else :class:`~crane_ctrl.operation.machine.CommandRefused` says
        why."""
        handover = self._handover("confirm a landing")
        run, snapshot = self.run, self._last
        assert run is not None
        why = not_landed_why(snapshot, handover.landing_m, self.settings)
        if why:
            raise CommandRefused(f"landing not confirmed: {why}")
        handover.jogs.clear()
        self._landed(run, handover.landing_m, handover.landing_m, now)

    def _handover(self, what: str) -> OperatorLanding:
        run = self.run
        if run is None or run.step is not Step.OPERATOR_LANDING or run.handover is None:
            step = "no job" if run is None else f"the job is in {run.step.value!r}"
            raise CommandRefused(f"cannot {what}: no landing waits for the operator ({step})")
        return run.handover

    def _operator_lands_here(self, run: Run) -> bool:
        slot = run.transfer.to if run.delivering else run.transfer.box.slot
        return run.operator_lands is not None and run.operator_lands(slot)

    def _hand_over(self, run: Run, z: float, landing: float, now: float) -> Commands:
        """At the approach height, over the goal, calm: the operator lands it."""
        t = run.transfer
        slot = t.to if run.delivering else t.box.slot
        if run.delivering:
            task = f"land {t.job_id} (container {t.box.id}) on {slot} and confirm"
        else:
            task = f"land the spreader on container {t.box.id} on {slot} for {t.job_id} and confirm"
        run.handover = OperatorLanding(slot, landing, task)
        self._enter(Step.OPERATOR_LANDING, now, reason=task)
        return self._operator_landing(run, self._last_snapshot(), now)

    def _operator_landing(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        """The operator's jogs (dead-man, reduced speed, creep near the landing); travel jogs
        only with the load clear of what is around it."""
        pos, handover = position_of(snapshot), run.handover
        if pos is None or handover is None:
            return Commands(drives_enable=True)
        here = (pos[0], pos[1])
        clear = run.transfer.clear_height_m(
            self.yard, self.params, (here, here), delivering=run.delivering,
            margin_m=SETTLE_MARGIN_M,
        )  # fmt: skip
        handover.travel_ok = self._publish_clear(clear, pos[2])
        vx, vy, vz = handover.references(
            now, pos[2], self.params, loaded=run.delivering,
            factor=self.settings.jog_speed_factor, landed=all_corners(snapshot, "landed"),
        )  # fmt: skip
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                        hoist_speed_ref=vz)  # fmt: skip
