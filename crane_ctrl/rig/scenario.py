"""A rig scenario file: which crane and yard, which jobs, which faults when, what must happen.

::

    name = "wind stop mid-lift"                # default: the file name
    profile = "generic-modbus.toml"            # plc_profiles/ or beside this file
    personality = "level"                      # the simulated PLC: level, twincat,
                                               #   s7-mbserver, or a personality file (.toml)
    site = "simulators/sites/border-gate.toml" # default; plus [[containers]], [[vehicles]],
    mode = "FULLAUTOMATIC"                     #   remove = ["ID"], [start]
    duration_s = 400                           # the run's limit in crane time

    [[jobs]]                                   # from, to: truck:T1, agv:A1, stack:7:3:1
    id = "J1"
    from = "truck:T1"
    to = "stack:7:3:1"

    [[faults]]                                 # at_s = 12.0, or when = "<condition>"
    when = "hoist.position > 5 and load.locked"
    fault = "wind"
    params = { speed_mps = 22 }
    clear_after_s = 30                         # or clear_at_s, clear_when

    [[actions]]                                # at_s = 12.0, or when = "<condition>"
    action = "unhold"                          #   (with delay_s, repeat_s)
    when = "machine == 'held' and not trip.WIND_STOP"

    [[actions]]
    action = "mode"                            # mode = "manual", "semiautomatic",
    mode = "manual"                            #   "fullautomatic" or "maintenance"
    when = "machine == 'stopped'"

    [[actions]]
    action = "cancel"                          # job = one of [[jobs]]
    job = "J2"
    at_s = 5

    [[expect.stops]]                           # see :mod:`crane_ctrl.rig.expectations`
    after_fault = 1
    within_s = 0.5

Actions (:data:`ACTIONS`): ``stop``, ``abort``, ``clear``, ``start``, ``hold``, ``unhold`` (the
PackML commands), ``reset`` (interlocks and PLC; PackML RESET too when STOPPED or COMPLETE),
``acknowledge`` (every alarm), ``mode`` (with ``mode``), ``cancel`` (with ``job``) and
``set_down``. ``mode`` and ``job`` go with their action only. A refused action is journaled as
refused and the run goes on.

Validated strictly (unknown keys, wrong types); :func:`crane_ctrl.rig.loading.load_scenario`
adds the checks that need the catalogue, the site and the condition parser.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crane_ctrl.site import parse_slot
from simulators.site_file import ContainerEntry, StartPose, VehicleEntry

__all__ = [
    "ACTIONS",
    "ACTION_FIELDS",
    "RIG_FAULTS",
    "ActionEntry",
    "ActionName",
    "AlarmExpect",
    "ConditionExpect",
    "ContainerExpect",
    "Expectations",
    "FaultEntry",
    "JobEntry",
    "JobExpect",
    "ScenarioFile",
    "StopExpect",
    "TripExpect",
]

_STRICT = ConfigDict(strict=True, frozen=True, extra="forbid")
Seconds = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Id = Annotated[str, Field(min_length=1)]


def _slot(text: str) -> str:
    parse_slot(text)
    return text


SlotText = Annotated[str, AfterValidator(_slot)]
"""``truck:LANE``, ``agv:LANE``, ``stack:BAY:ROW[:TIER]`` or ``stack:NAME[:TIER]``, as in site
files."""

RIG_FAULTS = {
    "supervisor_freeze": "the supervisor stops scanning for `seconds` (its heartbeat freezes: "
    "the PLC's watchdog must stop the crane)",
}
"""Faults the rig makes itself, besides the simulator's (:data:`simulators.faults.FAULTS`)."""
ActionName = Literal[
    "stop", "abort", "clear", "reset", "start", "hold", "unhold", "acknowledge", "mode", "cancel",
    "set_down",
]  # fmt: skip
ACTIONS: dict[ActionName, str] = {
    "stop": "PackML STOP",
    "abort": "PackML ABORT",
    "clear": "PackML CLEAR (ABORTED to STOPPED)",
    "reset": "reset the latched interlocks and pulse the PLC's reset; also PackML RESET when the "
    "machine is STOPPED or COMPLETE (the operator's one reset button)",
    "start": "PackML START",
    "hold": "PackML HOLD",
    "unhold": "PackML UNHOLD",
    "acknowledge": "acknowledge every unacknowledged alarm",
    "mode": 'switch mode (mode = "manual", "semiautomatic", "fullautomatic" or "maintenance"; '
    "maintenance as the maintenance role, the others as the operator)",
    "cancel": 'cancel a job (job = "J1")',
    "set_down": "send the interrupted job's load down to a legal place below it",
}
"""What the rig's operator can do (:mod:`crane_ctrl.rig.operator` does it). A refused action is
journaled as refused; it does not fail the run."""
ACTION_FIELDS: dict[str, ActionName] = {"mode": "mode", "job": "cancel"}
"""The fields that go with one action only: field -> its action."""


def _one_of(model: BaseModel, names: tuple[str, ...], *, required: bool = True) -> None:
    given = [n for n in names if getattr(model, n) is not None]
    if len(given) > 1 or (required and not given):
        which = " or ".join(names)
        raise ValueError(f"give {'exactly' if required else 'at most'} one of {which}")


class JobEntry(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", populate_by_name=True)

    id: Id
    from_slot: SlotText = Field(alias="from")
    to: SlotText
    size_ft: Literal[20, 40, 45] | None = None
    """Default: the size of the container standing at ``from``."""
    mass_t: Positive | None = None
    """The mass the TOS declares, t (optional)."""


class FaultEntry(BaseModel):
    model_config = _STRICT

    fault: str
    params: dict[str, bool | int | float | str] = Field(default_factory=dict)
    at_s: Seconds | None = None
    when: str | None = None
    clear_at_s: Positive | None = None
    clear_after_s: Positive | None = None
    clear_when: str | None = None

    @model_validator(mode="after")
    def _timing(self) -> Self:
        _one_of(self, ("at_s", "when"))
        _one_of(self, ("clear_at_s", "clear_after_s", "clear_when"), required=False)
        if self.clear_at_s is not None and (self.at_s is None or self.clear_at_s <= self.at_s):
            raise ValueError("clear_at_s needs at_s and must come after it; or use clear_after_s")
        return self


class ActionEntry(BaseModel):
    model_config = _STRICT

    action: ActionName
    mode: Literal["manual", "semiautomatic", "fullautomatic", "maintenance"] | None = None
    """With ``action = "mode"`` (and only then): the mode to switch to."""
    job: Id | None = None
    """With ``action = "cancel"`` (and only then): the job to cancel."""
    at_s: Seconds | None = None
    when: str | None = None
    delay_s: Seconds = 0.0
    """With ``when``: act once the condition has held this long (an operator's reaction)."""
    repeat_s: Positive | None = None
    """With ``when``: act again each ``repeat_s`` while the condition holds."""

    @field_validator("mode", mode="before")
    @classmethod
    def _mode_in_either_case(cls, value: object) -> object:
        """``"MANUAL"`` as the scenario's own ``mode`` spells it, or ``"manual"``."""
        return value.lower() if isinstance(value, str) else value

    @field_validator(*ACTION_FIELDS)
    @classmethod
    def _only_with_its_action(cls, value: str | None, info: ValidationInfo) -> str | None:
        name = str(info.field_name)
        owner, given = ACTION_FIELDS[name], info.data.get("action")
        if given is not None and given != owner:
            raise ValueError(
                f'{name} goes only with action = "{owner}", not with action = "{given}"; '
                f"remove {name} (or make it a {owner} action)"
            )
        return value

    @model_validator(mode="after")
    def _timing(self) -> Self:
        _one_of(self, ("at_s", "when"))
        if (self.repeat_s is not None or self.delay_s) and self.when is None:
            raise ValueError("repeat_s and delay_s go with when (an at_s action acts once)")
        return self

    @model_validator(mode="after")
    def _its_fields(self) -> Self:
        if self.action == "mode" and self.mode is None:
            raise ValueError(
                'action "mode" needs the mode to switch to; add mode = "manual", '
                '"semiautomatic", "fullautomatic" or "maintenance"'
            )
        if self.action == "cancel" and self.job is None:
            raise ValueError('action "cancel" needs the job to cancel; add job = "<its id>"')
        return self


class StopExpect(BaseModel):
    """Every speed reference written (and held by the PLC) is 0 from ``within_s`` after the
    trigger, for ``for_s``."""

    model_config = _STRICT

    within_s: Positive
    after_fault: Annotated[int, Field(ge=1)] | None = None
    after: str | None = None
    """A condition: its first scan true is the trigger."""
    for_s: Seconds = 2.0
    at_plc: bool = True
    """Also the references the PLC holds (bundled simulator); ``false`` where a link fault
    keeps the supervisor's zeros from reaching it (the PLC's watchdog stops the crane then)."""

    @model_validator(mode="after")
    def _trigger(self) -> Self:
        _one_of(self, ("after_fault", "after"))
        return self


class JobExpect(BaseModel):
    model_config = _STRICT

    id: Id
    ends: Literal[
        "queued",
        "moving_to_collect",
        "ready_to_collect",
        "moving_to_deliver",
        "ready_to_deliver",
        "interrupted",
        "done",
        "failed",
        "cancelled",
    ]
    """The job's state at the end: ``done``, ``failed``, or an active state it is held in."""
    reason_contains: str | None = None


class AlarmExpect(BaseModel):
    model_config = _STRICT

    id: Id
    raised: bool = True
    """Activated and journaled (``false``: never)."""


class TripExpect(BaseModel):
    model_config = _STRICT

    id: Id
    tripped: bool = True
    """Active at some scan (``false``: never)."""


class ContainerExpect(BaseModel):
    model_config = _STRICT

    id: Id
    at: SlotText


class ConditionExpect(BaseModel):
    model_config = _STRICT

    holds: str
    at: Literal["end", "always", "ever", "never"] | None = None
    """Default ``end``: at the last scan."""
    at_s: Seconds | None = None

    @model_validator(mode="after")
    def _when(self) -> Self:
        _one_of(self, ("at", "at_s"), required=False)
        return self


class Expectations(BaseModel):
    model_config = _STRICT

    invariants: bool = True
    """No safety invariant broken at any scan (:mod:`crane_ctrl.interlocks.invariants`)."""
    no_model_fault: bool = True
    """Nothing dropped, damaged or collided in the simulator."""
    stops: list[StopExpect] = Field(default_factory=list)
    jobs: list[JobExpect] = Field(default_factory=list)
    alarms: list[AlarmExpect] = Field(default_factory=list)
    trips: list[TripExpect] = Field(default_factory=list)
    containers: list[ContainerExpect] = Field(default_factory=list)
    conditions: list[ConditionExpect] = Field(default_factory=list)


class ScenarioFile(BaseModel):
    """The file as written (paths unresolved, conditions unparsed)."""

    model_config = _STRICT

    name: Id | None = None
    description: str = ""
    profile: Id
    personality: Id = "level"
    """The simulated PLC's personality: a preset's name, or a personality file (``.toml``) beside
    the scenario (:mod:`simulators.personality_file`)."""
    site: Id | None = None
    start: StartPose | None = None
    containers: list[ContainerEntry] = Field(default_factory=list)
    vehicles: list[VehicleEntry] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)
    """Containers of the site taken away before the start."""
    mode: Literal["MANUAL", "SEMIAUTOMATIC", "FULLAUTOMATIC", "MAINTENANCE"] = "FULLAUTOMATIC"
    duration_s: Annotated[float, Field(gt=0, le=7200)]
    stop_when: str | None = None
    """End the run early when this holds (default: when every job has ended)."""
    tail_s: Seconds = 3.0
    """Scans run on after the end condition (nothing may move then either)."""
    jobs: list[JobEntry] = Field(default_factory=list)
    faults: list[FaultEntry] = Field(default_factory=list)
    actions: list[ActionEntry] = Field(default_factory=list)
    expect: Expectations = Field(default_factory=Expectations)
