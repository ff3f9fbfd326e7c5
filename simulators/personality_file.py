"""A PLC personality from a TOML file: a test-rig engineer models the PLC on the rig from its
manual without writing Python (``crane-ctrl sim --personality my-plc.toml``).

It starts from a preset (``based_on``, default ``level``) and says what differs::

    based_on = "s7-mbserver"          # level, twincat or s7-mbserver
    name = "ac500-gateway"
    description = "ABB AC500 behind a Modbus gateway, per its manual section 7"
    edge_triggered = true
    telescope_start = true
    clears_requests = false
    answers_kept = true                # done/error stay until the next request
    direction_bits = true              # speeds are magnitudes + forward/reverse, up/down bits
    heartbeat_echo = true              # the watchdog wants plc.heartbeat echoed back
    min_reset_pulse_s = 0.3
    life_bit = "St.Life"               # a status point the PLC toggles
    life_bit_period_s = 0.5
    watchdog_s = 1.5                   # the PLC's own timing
    restart_delay_s = 2.0

    [codes]                            # its error codes
    not_seated = 12

    [fault_codes]                      # its fault numbers (plc.fault_code; 0 is no fault)
    estop = 1001
    gantry_drive = 2001                # a drive fault, per axis
    trolley_drive = 2002
    hoist_drive = 2003
    watchdog = 3001

    [requests."spreader.lock"]         # the answer points of a handshake request
    busy = "Lock.Busy"
    done = "Lock.Done"
    error = "Lock.Err"
    code = "Lock.ErrNo"

Every problem is reported at its line with the fix, like every other file of crane-ctrl.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from crane_ctrl.config.file import parse_model, read_text
from crane_ctrl.config.file_kinds import PERSONALITY
from simulators.personality import (
    PERSONALITIES,
    PlcPersonality,
    RequestPoints,
    personality_named,
)
from simulators.plc_params import PlcParams

__all__ = ["load_personality", "personality_from"]

_CONFIG = ConfigDict(strict=True, frozen=True, extra="forbid")
Preset = Literal["level", "twincat", "s7-mbserver"]
RequestCommand = Literal["spreader.lock", "spreader.unlock", "spreader.telescope"]


class _Codes(BaseModel):
    model_config = _CONFIG
    not_ready: int | None = None
    not_seated: int | None = None
    loaded: int | None = None
    box_on_spreader: int | None = None
    not_reached: int | None = None


_MOST_FAULT_CODE = 2**31 - 1
"""The largest fault number (a DInt)."""


def _fault_number(value: int) -> int:
    if not 1 <= value <= _MOST_FAULT_CODE:
        raise ValueError(
            f"{value} cannot be a fault number: plc.fault_code 0 is no fault; give the number "
            f"the PLC's manual gives this fault (1..{_MOST_FAULT_CODE})"
        )
    return value


FaultCode = Annotated[int, AfterValidator(_fault_number)]
"""A fault number as ``plc.fault_code`` reports it; 0 is "no fault"."""


class _FaultCodes(BaseModel):
    """The PLC's fault numbers (``plc.fault_code``), as its manual gives them."""

    model_config = _CONFIG
    estop: FaultCode | None = None
    gantry_drive: FaultCode | None = None
    trolley_drive: FaultCode | None = None
    hoist_drive: FaultCode | None = None
    watchdog: FaultCode | None = None


class _Answer(BaseModel):
    """The vendor's names of one request's answer points."""

    model_config = _CONFIG
    busy: Annotated[str, Field(min_length=1)]
    done: Annotated[str, Field(min_length=1)]
    error: Annotated[str, Field(min_length=1)]
    code: Annotated[str, Field(min_length=1)]


class PersonalityFile(BaseModel):
    """What a personality file may say (see the module docstring)."""

    model_config = _CONFIG
    based_on: Preset = "level"
    name: Annotated[str, Field(min_length=1)] | None = None
    description: str | None = None
    edge_triggered: bool | None = None
    telescope_start: bool | None = None
    clears_requests: bool | None = None
    answers_kept: bool | None = None
    direction_bits: bool | None = None
    heartbeat_echo: bool | None = None
    min_reset_pulse_s: Annotated[float, Field(ge=0, le=5)] | None = None
    life_bit: Annotated[str, Field(min_length=1)] | None = None
    life_bit_period_s: Annotated[float, Field(gt=0, le=60)] | None = None
    unlock_refused_above_t: Annotated[float, Field(gt=0)] | None = None
    twistlock_run_limit_s: Annotated[float, Field(gt=0, le=60)] | None = None
    watchdog_s: Annotated[float, Field(gt=0, le=60)] | None = None
    restart_delay_s: Annotated[float, Field(ge=0, le=60)] | None = None
    codes: _Codes = Field(default_factory=_Codes)
    fault_codes: _FaultCodes = Field(default_factory=_FaultCodes)
    requests: dict[RequestCommand, _Answer] | None = Field(
        None, description="replaces the preset's requests when given (an empty table: none)"
    )


_OWN = ("name", "description", "edge_triggered", "telescope_start", "clears_requests",
        "answers_kept", "direction_bits", "heartbeat_echo", "min_reset_pulse_s", "life_bit",
        "life_bit_period_s", "unlock_refused_above_t", "twistlock_run_limit_s")  # fmt: skip


def personality_from(spec: PersonalityFile) -> PlcPersonality:
    """The preset ``spec`` is based on, with what ``spec`` says instead."""
    base = PERSONALITIES[spec.based_on]
    changes = {k: getattr(spec, k) for k in _OWN if getattr(spec, k) is not None}
    codes = {k: v for k, v in spec.codes.model_dump().items() if v is not None}
    personality = replace(
        base,
        **changes,
        codes=replace(base.codes, **codes) if codes else base.codes,
        params=_params(spec, base.params),
    )
    if spec.requests is not None:
        answers: dict[str, RequestPoints] = {
            c: RequestPoints(a.busy, a.done, a.error, a.code) for c, a in spec.requests.items()
        }
        personality = replace(personality, requests=answers)
    return personality


def _params(spec: PersonalityFile, base: PlcParams) -> PlcParams:
    """The preset's PLC timing and fault numbers, with what ``spec`` says instead."""
    timing = {k: getattr(spec, k) for k in ("watchdog_s", "restart_delay_s")}
    faults = {f"fault_code_{k}": v for k, v in spec.fault_codes.model_dump().items()}
    given = {k: v for k, v in {**timing, **faults}.items() if v is not None}
    return replace(base, **given)


def load_personality(name_or_path: str) -> PlcPersonality:
    """A preset by name, or a personality file (``.toml``) by path; :class:`ConfigError`
    located at the line for a bad file, :class:`ValueError` naming the presets otherwise."""
    if not name_or_path.endswith(".toml"):
        return personality_named(name_or_path)
    path = Path(name_or_path)
    spec = parse_model(read_text(path), str(path), PersonalityFile, PERSONALITY)
    return personality_from(spec)
