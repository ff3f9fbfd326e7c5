"""Faults on a timetable, from a TOML file: the scenario-file way into the fault injector.

```toml
[[faults]]
at_s = 5.0                 # simulated seconds after start
fault = "wind"
params = { speed_mps = 22.0, gust_mps = 3.0 }
clear_at_s = 60.0          # optional

[[faults]]
at_s = 12.5
fault = "drive_fault"
params = { axis = "hoist" }
```

:meth:`FaultSchedule.apply` is called with the simulated time after each step (lock-step tests)
or each tick (``crane-ctrl sim --faults F``); it injects and clears what has fallen due, once.
Every fault and parameter is checked against the catalogue when the file is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crane_ctrl.config.file import load_model
from crane_ctrl.config.file_kinds import FAULT_SCHEDULE
from crane_ctrl.errors import ConfigError, Problem
from simulators.faults import FAULTS, FaultError, check_fault
from simulators.simulator import CraneSimulator

__all__ = ["FaultSchedule", "ScheduleFile", "TimedFault", "load_schedule"]

_STRICT = ConfigDict(strict=True, frozen=True, extra="forbid")


class TimedFault(BaseModel):
    model_config = _STRICT

    at_s: Annotated[float, Field(ge=0)]
    fault: str
    params: dict[str, bool | int | float | str] = Field(default_factory=dict)
    clear_at_s: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _clears_after(self) -> TimedFault:
        if self.clear_at_s is not None and self.clear_at_s <= self.at_s:
            raise ValueError(f"clear_at_s ({self.clear_at_s}) must come after at_s ({self.at_s})")
        fault = FAULTS.get(self.fault)
        if self.clear_at_s is not None and fault is not None and fault.clear is None:
            raise ValueError(f"fault {self.fault} is one-shot and cannot be cleared")
        return self


class ScheduleFile(BaseModel):
    """The file: a list of timed faults."""

    model_config = _STRICT

    faults: list[TimedFault] = Field(default_factory=list)


class FaultSchedule:
    """Timed faults; ``apply(sim)`` fires those due (each once)."""

    def __init__(self, faults: list[TimedFault]) -> None:
        self.faults = faults
        self._fired: set[int] = set()
        self._cleared: set[int] = set()
        self._keys: dict[int, str] = {}

    def apply(self, sim: CraneSimulator) -> None:
        now = sim.time_s
        for i, timed in enumerate(self.faults):
            if i not in self._fired and now >= timed.at_s:
                self._fired.add(i)
                self._keys[i] = sim.faults.inject(timed.fault, **timed.params)
            if (
                timed.clear_at_s is not None
                and i in self._fired
                and i not in self._cleared
                and now >= timed.clear_at_s
            ):
                self._cleared.add(i)
                sim.faults.clear(self._keys[i])


def load_schedule(path: str | Path) -> FaultSchedule:
    """Load a fault schedule; unknown faults or parameters are reported with their entry."""
    schedule = load_model(path, ScheduleFile, FAULT_SCHEDULE)
    problems = []
    for i, timed in enumerate(schedule.faults):
        try:
            check_fault(timed.fault, timed.params)
        except FaultError as exc:
            problems.append(Problem(str(path), None, f"faults.{i}", str(exc)))
    if problems:
        raise ConfigError(problems)
    return FaultSchedule(schedule.faults)
