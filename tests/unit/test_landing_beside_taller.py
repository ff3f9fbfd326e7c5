"""A landing does not bring a swinging load down beside something taller it may swing into.

The leg's plan keeps the load over a taller neighbour of its landing place until travel ends
when the neighbour is within the leg's margin of the landing footprint (a tight row pitch). The
landing then came straight down whatever the load did: a box arriving with a swing larger than
the gap went down past the neighbour's top swinging into it. Now the landing holds the load
above everything higher than its landing place that its footprint, grown by how far it is off
its goal (the crane's offset, the lean, the swing), reaches, until the landing law has put it
calm on its goal; then it lands as before.
"""

from __future__ import annotations

import asyncio

import pytest

import crane_ctrl.sequencer.landing as landing
from crane_ctrl.sequencer.automatic_move import Outcome, Step
from simulators.site_file import ContainerEntry, SiteFile, load_site
from tests.unit.sequencer_rig import JobRig

ROW_PITCH_M = 2.5
"""6.2 cm between the rows' footprints: less than a leg's margin (8 cm loaded in calm air)."""
KICK_M = 0.15
"""The swing the box arrives with, towards the taller row beside its landing, m."""


def _tight_site() -> SiteFile:
    """The border gate with rows 6.2 cm apart and a 2-high column in 7:2, beside 7:3 (where the
    rig's job lands its box on the ground)."""
    site = load_site()
    stack = site.site.stack.model_copy(update={"row_pitch_m": ROW_PITCH_M})
    column = [
        ContainerEntry(id=f"TEST000000{tier}", size_ft=40, mass_t=20.0, slot=f"stack:7:2:{tier}")
        for tier in (1, 2)
    ]
    return site.model_copy(
        update={"site": site.site.model_copy(update={"stack": stack}),
                "containers": [*site.containers, *column]}
    )  # fmt: skip


async def _land_swinging() -> tuple[JobRig, tuple[Outcome, str]]:
    async with JobRig(site=_tight_site()) as job:
        job.start()
        await job.until_step(Step.LOWER, delivering=True, within_s=200.0)
        plant = job.sim.plant
        rope = plant.params.suspension_height_m - plant.hoist.position_m
        plant.pendulum.angle_y = -KICK_M / rope  # towards row 2 (lower y)
        try:
            return job, await job.until_finished(within_s=300.0)
        except TimeoutError as why:  # (held: a damaged load, say)
            return job, (Outcome.FAILED, str(why))


def test_a_box_arriving_swinging_is_held_above_the_taller_row_until_calm_then_lands() -> None:
    job, (outcome, why) = asyncio.run(_land_swinging())
    assert not job.sim.model_faults, job.sim.model_faults
    assert outcome is Outcome.DONE, why


def test_without_the_hold_the_same_landing_swings_the_box_into_the_taller_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not vacuous: the landing as it was (down to the landing whatever the swing) puts the box
    on the edge of row 2's column (a collision, or set down on its castings' edge)."""
    monkeypatch.setattr(landing, "clear_of_taller_m", lambda m, run, snapshot, pos, land: land)
    job, _ = asyncio.run(_land_swinging())
    hit = [
        f for f in job.sim.model_faults if "TEST000000" in f.reason or f.kind.value == "collision"
    ]
    assert hit, job.sim.model_faults
