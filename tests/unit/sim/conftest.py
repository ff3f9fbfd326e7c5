"""A hand on the controls for the physical-model tests: drive a Plant in lock-step like a careful
PLC would, without any supervisor.

Travel moves use a trapezoid whose ramps last whole pendulum periods, so they leave no sway (the
acceleration pulse of one full period excites no residual swing), and stop exactly on target.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import Slot
from simulators.plant import Plant
from simulators.yard import ContainerSpec, YardContents

DT = 0.01
"""The lock-step time step of every test, s."""

Axis = Literal["gantry", "trolley", "hoist"]


class Rig:
    """Drives one :class:`Plant` by writing its inputs and stepping it."""

    def __init__(self, plant: Plant) -> None:
        self.plant = plant
        self.plant.inputs.drives_enabled = True
        self.watched: tuple[str, ...] = ()
        self.events: list[tuple[str, bool | int | float]] = []
        """Changes of the watched signals, in order: (signal, new value)."""
        self._last: dict[str, bool | int | float] = {}

    def watch(self, *signals: str) -> None:
        """Record every change of these signals in :attr:`events` from now on."""
        self.watched = signals
        self._last = {name: self.s[name] for name in signals}

    def step(self) -> None:
        self.plant.step(DT)
        if self.watched:
            s = self.plant.sensors()
            for name in self.watched:
                if s[name] != self._last[name]:
                    self._last[name] = s[name]
                    self.events.append((name, s[name]))

    @property
    def s(self) -> dict[str, bool | int | float]:
        """The plant's sensors now."""
        return self.plant.sensors()

    def run(self, seconds: float) -> None:
        for _ in range(round(seconds / DT)):
            self.step()

    def run_until(self, done: Callable[[], bool], timeout_s: float, what: str) -> float:
        """Step until ``done()``; returns the time it took. Fails the test on timeout."""
        start = self.plant.time_s
        for _ in range(round(timeout_s / DT)):
            self.step()
            if done():
                return self.plant.time_s - start
        raise AssertionError(f"{what} did not happen within {timeout_s} s")

    def trace(self, seconds: float, signal: str) -> list[float]:
        """Step for ``seconds`` and return ``signal`` after every step."""
        out: list[float] = []
        for _ in range(round(seconds / DT)):
            self.step()
            out.append(float(self.plant.sensors()[signal]))
        return out

    def pendulum_period_s(self) -> float:
        """Small-swing period of the load hanging at the current hoist position, s."""
        return 2 * math.pi * math.sqrt(self.pendulum_length_m() / self.plant.params.gravity_mps2)

    def pendulum_length_m(self) -> float:
        """Sheave to centre of mass of what hangs from the ropes now, m."""
        p = self.plant.params
        c = self.plant.engaged if self.plant.carrying else None
        rope = p.suspension_height_m - self.plant.hoist.position_m
        m_s = p.spreader_mass_t
        if c is None:
            return rope - p.spreader_cog_above_twistlocks_m
        m_c = c.gross_mass_t
        return rope + (m_c * c.height_m / 2 - m_s * p.spreader_cog_above_twistlocks_m) / (m_s + m_c)

    def move(self, axis: Axis, target_m: float) -> None:
        """Move one axis to ``target_m`` exactly, sway-free: ramps of whole pendulum periods."""
        drive = getattr(self.plant, axis)
        distance = target_m - drive.position_m
        if abs(distance) < 1e-12:
            return
        vmax, accel = self._limits(axis)
        ramp = 1 if axis == "hoist" else round(self.pendulum_period_s() / DT)
        while vmax / (ramp * DT) > accel:
            ramp += 1 if axis == "hoist" else round(self.pendulum_period_s() / DT)
        cruise = max(0, math.ceil(abs(distance) / (vmax * DT) - ramp))
        v = math.copysign(abs(distance) / (DT * (ramp + cruise)), distance)
        refs = [v * k / ramp for k in range(1, ramp + 1)]
        refs += [v] * cruise + [v * k / ramp for k in range(ramp - 1, -1, -1)]
        for ref in refs:
            setattr(self.plant.inputs, f"{axis}_speed_ref_mps", ref)
            self.step()
        setattr(self.plant.inputs, f"{axis}_speed_ref_mps", 0.0)
        assert drive.position_m == pytest.approx(target_m, abs=1e-6), axis

    def _limits(self, axis: Axis) -> tuple[float, float]:
        p = self.plant.params
        loaded = self.plant.carrying or (
            self.plant.engaged is not None and not self.plant.spreader.all_free()
        )
        if axis == "gantry":
            v = p.gantry_speed_loaded_mps if loaded else p.gantry_speed_empty_mps
            return v, min(p.gantry_accel_mps2, p.gantry_decel_mps2)
        if axis == "trolley":
            return p.trolley_speed_mps, min(p.trolley_accel_mps2, p.trolley_decel_mps2)
        v = p.hoist_speed_loaded_mps if loaded else p.hoist_speed_empty_mps
        return v, min(p.hoist_accel_mps2, p.hoist_decel_mps2)

    def go(self, x: float, y: float) -> None:
        """Gantry, then trolley, to (x, y)."""
        self.move("gantry", x)
        self.move("trolley", y)

    def landed(self) -> bool:
        """Seated: all four pins pressed and the twistlocks carrying nothing (a box locked on
        keeps the pins pressed as it hangs, on the default spreader)."""
        s = self.s
        return all(s[f"spreader.landed_{k}"] for k in (1, 2, 3, 4)) and s["hoist.load"] < 1.0

    def land(self) -> None:
        """Creep down until all four pins or slack rope, then stop the hoist."""
        inp = self.plant.inputs
        inp.hoist_speed_ref_mps = -self.plant.params.creep_speed_mps
        self.run_until(lambda: self.landed() or bool(self.s["hoist.slack_rope"]), 60.0, "landing")
        inp.hoist_speed_ref_mps = 0.0
        self.run(0.5)

    def twistlocks(self, lock: bool) -> None:
        """Hold lock (or unlock) until all four confirm, then drop the command."""
        inp = self.plant.inputs
        inp.lock, inp.unlock = lock, not lock
        word = "locked" if lock else "unlocked"
        self.run_until(
            lambda: all(self.s[f"spreader.{word}_{k}"] for k in (1, 2, 3, 4)),
            self.plant.params.twistlock_confirm_timeout_s,
            f"all four {word}",
        )
        inp.lock = inp.unlock = False


@pytest.fixture
def params() -> CraneParams:
    return CraneParams()


@pytest.fixture
def make_rig() -> Callable[..., Rig]:
    """Build a rig: ``make_rig(containers=(...), params=..., gantry_m=..., ...)``."""

    def build(
        containers: tuple[ContainerSpec, ...] = (),
        params: CraneParams | None = None,
        *,
        gantry_m: float = 30.0,
        trolley_m: float = 10.0,
        hoist_m: float = 15.0,
        spreader_ft: int = 40,
    ) -> Rig:
        contents = YardContents(containers=containers)
        plant = Plant(params, None, contents, gantry_m=gantry_m, trolley_m=trolley_m,
                      hoist_m=hoist_m, spreader_ft=spreader_ft)  # fmt: skip
        return Rig(plant)

    return build


@pytest.fixture
def truck_and_stack() -> tuple[ContainerSpec, ...]:
    """A 40-ft box on truck lane T1 and one 40-ft box in the stack at bay 3, row 2."""
    return (
        ContainerSpec("TRUCK1", 40, 25.0, Slot.truck("T1")),
        ContainerSpec("STACK1", 40, 20.0, Slot.stack(3, 2, 1)),
    )
