"""A lock-step rig for automatic jobs with a journal: the sequencer's step events go into it too.

:class:`JobRig` runs the default site (box MSKU1234565 on truck T1) on a shipped profile in
lock-step, with an :class:`EventList` as the supervisor's journal and the sequencer's ``on_event``
routed into the same list (kind ``"sequencer"``), so one list holds the whole story of a job:
trips, refusals, alarms, operator actions and every step the sequencer took, with its reason.
Faults are injected at moments the tests choose from the sequencer's steps or the crane's state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal, Self

from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.sequencer.automatic_move import (
    Outcome,
    Sequencer,
    SequencerSettings,
    Step,
    Transfer,
)
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from simulators.site_file import SiteFile, load_site, yard_model_of
from simulators.yard import Container
from tests.profile_texts import PROFILES
from tests.unit.test_supervisor_lockstep import EventList

__all__ = ["BOX", "DESTINATION", "SOURCE", "JobRig"]

BOX = "MSKU1234565"
SOURCE = Slot.truck("T1")
DESTINATION = Slot.stack(7, 3, 1)
SPEED_REFS = ("gantry.speed_ref", "trolley.speed_ref", "hoist.speed_ref")
AT_REST_MPS = 1e-3


@functools.cache
def shipped(name: str) -> Profile:
    return load_profile(PROFILES / f"{name}.toml")


class JobRig:
    """One crane, one job, one journal: ``async with JobRig() as job: job.start(); ...``."""

    def __init__(
        self,
        profile: str | Profile = "generic-modbus",
        settings: SequencerSettings | None = None,
        *,
        pins: Literal["pressed", "released"] | None = None,
        site: SiteFile | None = None,
    ) -> None:
        """``pins``: what the spreader's landing pins do while a box hangs (the site's crane
        file by default: pressed). ``site``: the crane and yard (default: the border gate)."""
        site = site or load_site()
        if pins is not None:
            crane = site.crane.model_copy(update={"landing_pins_carrying": pins})
            site = site.model_copy(update={"crane": crane})
        self.sim = site.simulator()
        self.yard = yard_model_of(site)
        self.journal = EventList()
        self.sequencer = Sequencer(site.crane, self.yard, settings, on_event=self._event)
        self.rig = LockStep(
            shipped(profile) if isinstance(profile, str) else profile,
            self.sim,
            sequencer=self.sequencer,
            journal=self.journal,
        )
        self.view: SupervisorView = self.rig.supervisor.view

    def _event(self, event: dict[str, object]) -> None:
        subject = event.get("step", event.get("outcome"))
        self.journal.record("sequencer", str(subject), **event)

    async def __aenter__(self) -> Self:
        await self.rig.__aenter__()
        await self.until(lambda: self.view.snapshot.comms_ok, within_s=2, what="comms")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.rig.__aexit__(*exc)

    # --- driving the job

    def start(
        self,
        box: str = BOX,
        to: Slot = DESTINATION,
        *,
        job_id: str = "J1",
        operator_lands: Callable[[Slot], bool] | None = None,
    ) -> None:
        transfer = Transfer(job_id, self.yard.boxes[box], to)
        self.sequencer.start(transfer, self.rig.clock.now(), operator_lands=operator_lands)

    def inject(self, fault: str, **params: object) -> None:
        self.sim.faults.inject(fault, **params)

    def clear(self, fault: str) -> None:
        self.sim.faults.clear(fault)

    def resume(self) -> None:
        self.sequencer.resume(self.rig.clock.now())

    async def scan(self, count: int = 1) -> SupervisorView:
        self.view = await self.rig.scan(count)
        return self.view

    async def run_for(self, seconds: float) -> SupervisorView:
        self.view = await self.rig.run_for(seconds)
        return self.view

    async def until(
        self, condition: Callable[[], bool], *, within_s: float, what: str
    ) -> SupervisorView:
        """Scan until ``condition()``; ``TimeoutError`` after ``within_s`` of crane time."""
        for _ in range(max(1, round(within_s / self.rig.period_s))):
            await self.scan()
            if condition():
                return self.view
        raise TimeoutError(f"{what} not met within {within_s} s of crane time (at {self.where})")

    async def until_step(
        self, step: Step, *, delivering: bool | None = None, within_s: float = 200.0
    ) -> SupervisorView:
        """Scan until the job is in ``step`` (of the deliver or collect phase, if given)."""

        def there() -> bool:
            run = self.sequencer.run
            return (
                run is not None
                and run.step is step
                and (delivering is None or run.delivering is delivering)
            )

        phase = "" if delivering is None else (" deliver" if delivering else " collect")
        return await self.until(there, within_s=within_s, what=f"step {step}{phase}")

    async def until_held(self, within_s: float = 5.0) -> SupervisorView:
        return await self.until_step(Step.HELD, within_s=within_s)

    async def until_finished(self, within_s: float = 300.0) -> tuple[Outcome, str]:
        await self.until(lambda: self.sequencer.outcome is not None, within_s=within_s,
                         what="job end")  # fmt: skip
        outcome = self.sequencer.outcome
        assert outcome is not None
        return outcome[1], outcome[2]

    async def reset_until_clear(self, *interlocks: str, within_s: float = 3.0) -> None:
        """The operator's reset, repeated each second until none of ``interlocks`` is active."""

        def cleared() -> bool:
            permits = self.view.permits
            return permits is not None and not {t.id for t in permits.active} & set(interlocks)

        for _ in range(max(1, round(within_s))):
            self.rig.supervisor.request_reset()
            try:
                await self.until(cleared, within_s=1.0, what=f"{', '.join(interlocks)} cleared")
            except TimeoutError:
                continue
            return
        raise TimeoutError(f"{', '.join(interlocks)} still active after resets ({self.where})")

    # --- what the crane is doing

    @property
    def step(self) -> Step | None:
        run = self.sequencer.run
        return None if run is None else run.step

    @property
    def box(self) -> Container:
        return self.sim.plant.yard.containers[BOX]

    def hoist_m(self) -> float:
        return self.sim.plant.hoist.position_m

    def xy(self) -> tuple[float, float]:
        return self.sim.plant.gantry.position_m, self.sim.plant.trolley.position_m

    def twistlocks(self) -> tuple[float, ...]:
        return tuple(self.sim.plant.spreader.twistlocks)

    def written_refs(self) -> tuple[float, ...]:
        """The speed references the PLC last received."""
        return tuple(float(self.sim.plc.commands[name]) for name in SPEED_REFS)

    def at_rest(self) -> bool:
        p = self.sim.plant
        return all(abs(d.speed_mps) < AT_REST_MPS for d in (p.gantry, p.trolley, p.hoist))

    @property
    def where(self) -> str:
        x, y = self.xy()
        run = self.sequencer.run
        phase = "" if run is None else (" deliver" if run.delivering else " collect")
        return (
            f"t {self.rig.clock.now():.2f} s, step {self.step}{phase}, x {x:.2f} y {y:.2f} "
            f"z {self.hoist_m():.2f}, carrying {self.sim.plant.carrying}, "
            f"outcome {self.sequencer.outcome}, faults {self.sim.model_faults}"
        )

    # --- the journal

    def steps(self) -> list[dict[str, object]]:
        """The sequencer's step events (not its outcome)."""
        return [v for k, _, v in self.journal.events if k == "sequencer" and "step" in v]

    def sequencer_reasons(self) -> list[str]:
        return [str(v["reason"]) for k, _, v in self.journal.events if k == "sequencer"]

    def trips(self, interlock: str) -> list[dict[str, object]]:
        return [v for v in self.journal.of("trip", interlock) if v["state"] == "tripped"]

    def alarms(self, alarm: str) -> list[dict[str, object]]:
        return self.journal.of("alarm", alarm)
