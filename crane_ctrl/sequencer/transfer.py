"""One container's move, and where it takes the spreader: goal, landing height, path clearance.

Shared by every controller that moves containers (the sequencer, the benchmark's naive baseline)
so they all aim at the same place, land at the same height and clear the stack by the same rule.
Pure: the yard model and the crane parameters come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import clearance_height_m
from crane_ctrl.operation.yard_model import Box, Obstacle, YardModel
from crane_ctrl.signals import CORNERS
from crane_ctrl.site import CONTAINER_SIZES, CONTAINER_WIDTH_M, Slot, container_length_m
from crane_ctrl.snapshot import Snapshot

__all__ = ["Transfer", "all_corners", "any_corner"]

XY = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Transfer:
    """A job as a controller needs it: which box, from where, to where."""

    job_id: str
    box: Box
    to: Slot

    def goal_xy(self, yard: YardModel, *, delivering: bool) -> XY:
        """Where the spreader must stand: over the box to collect, or over its destination."""
        return yard.centre(self.box, self.to if delivering else self.box.slot)

    def landing_height_m(self, yard: YardModel, *, delivering: bool) -> float:
        """Twistlock-plane height when landed on the box, or with the box set down."""
        if delivering:
            return yard.drop_height_m(self.to, self.box)
        return yard.pick_height_m(self.box)

    def obstacles(self, yard: YardModel, *, delivering: bool) -> list[Obstacle]:
        """What the load must clear: everything standing, except the box on the spreader (the
        box still to be fetched is an obstacle on the way to it)."""
        return list(yard.obstacles(exclude=self.box.id if delivering else None))

    def half_size_m(self, spreader_ft: int | None = None) -> XY:
        """Half the load's footprint (x, y): the box's, or the spreader's while it is longer
        (telescoping on the way to the box; unknown or 0 counts as the longest)."""
        length = container_length_m(self.box.size_ft)
        if spreader_ft is not None:
            known = spreader_ft in CONTAINER_SIZES
            length = max(length, container_length_m(spreader_ft if known else 45))
        return length / 2, CONTAINER_WIDTH_M / 2

    def clear_height_m(
        self,
        yard: YardModel,
        params: CraneParams,
        path: tuple[XY, XY],
        *,
        delivering: bool,
        margin_m: float = 0.0,
    ) -> float:
        """The lowest hoist height at which the spreader (and the box on it) clears everything
        under ``path`` by the safe clearance. The box on the spreader is no obstacle; the box
        still to be fetched is one; the spreader has a footprint, not just a centre line, grown
        by ``margin_m`` each way (for small motions around the path, such as damping sway)."""
        hx, hy = self.half_size_m()
        return clearance_height_m(
            path,
            self.obstacles(yard, delivering=delivering),
            carrying_height_m=self.box.height_m if delivering else 0.0,
            clearance_m=params.safe_clearance_m,
            half_size_m=(hx + margin_m, hy + margin_m),
        )


def all_corners(snapshot: Snapshot, what: str) -> bool:
    """All four ``spreader.<what>_N`` good and true (``landed``, ``locked``, ``unlocked``)."""
    return all(snapshot.flag(f"spreader.{what}_{c}", unsafe=False) for c in CORNERS)


def any_corner(snapshot: Snapshot, what: str) -> bool:
    return any(snapshot.flag(f"spreader.{what}_{c}", unsafe=False) for c in CORNERS)
