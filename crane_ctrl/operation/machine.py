"""The crane's machine state (PackML / ISA-TR88), its operating modes (OPC 40020) and bypasses.

PackML, as an explicit table (:data:`TRANSITIONS`, :data:`COMPLETES`)::

    in state     command -> acting state        acting state ==> on its state complete
    STOPPED      reset -> RESETTING             RESETTING ==> IDLE
    IDLE         start -> STARTING              STARTING ==> EXECUTE
    EXECUTE      complete -> COMPLETING         COMPLETING ==> COMPLETE
                 hold -> HOLDING                HOLDING ==> HELD
                 suspend -> SUSPENDING          SUSPENDING ==> SUSPENDED
    COMPLETE     reset -> RESETTING
    HELD         unhold -> UNHOLDING            UNHOLDING ==> EXECUTE
    SUSPENDED    unsuspend -> UNSUSPENDING      UNSUSPENDING ==> EXECUTE
                 hold -> HOLDING
    ABORTED      clear -> CLEARING              CLEARING ==> STOPPED
    every state but STOPPED, STOPPING, ABORTING, ABORTED, CLEARING:  stop -> STOPPING ==> STOPPED
    every state but ABORTING, ABORTED:                              abort -> ABORTING ==> ABORTED

``->`` is a command, ``==>`` the acting state's own "state complete" (:meth:`MachineState.
state_complete`). EXECUTE is the crane running its jobs; it ends with the COMPLETE command (the
sequencer's "no more work"), not with a state complete. SUSPENDED may also be held (OPC 30050's
SuspendedToHolding): a crane waiting for a truck when the wind rises. Crane meaning: SUSPENDED is
waiting for a vehicle or a job, HELD an operator or interlock hold (wind, lane intrusion),
ABORTING an e-stop or safety stop. Two commands are idempotent instead of refused: STOP while
STOPPING or STOPPED and ABORT while ABORTING or ABORTED return no events, so a fault reaction
can repeat them every scan without raising.

State numbers never cross a wire raw: :data:`PACKML_NUMBER` (Stopped 0 ... Unholding 16) and
:data:`PACKTAGS_V3_NUMBER` (Undefined 0, Clearing 1, Stopped 2 ... Complete 17) map them.

Modes after OPC 40020 (:class:`Mode`, :class:`ModeRules`): interlocks act in every mode; only
MAINTENANCE lets the maintenance role bypass one interlock, for a limited time, at reduced speed,
never OVERLOAD (:class:`BypassBook`). Pure: time is an argument, nothing here reads a clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal, TypedDict

from crane_ctrl.errors import CommandRefused
from crane_ctrl.interlocks.evaluate import INTERLOCKS
from crane_ctrl.site import Area, Slot

__all__ = [
    "ACTING",
    "AUTOMATIC_MODES",
    "COMPLETES",
    "EVENT_KEYS",
    "MODE_CHANGE_STATES",
    "NEVER_BYPASSED",
    "PACKML_NUMBER",
    "PACKTAGS_V3_NUMBER",
    "TRANSITIONS",
    "Bypass",
    "BypassBook",
    "BypassEvent",
    "CommandRefused",
    "MachineEvent",
    "MachineState",
    "Mode",
    "ModeRules",
    "ModeSettings",
    "PackCommand",
    "PackState",
    "Role",
    "allowed_commands",
    "change_mode",
    "mode_refusals",
    "way_on",
]


# --- PackML -------------------------------------------------------------------------------------


class PackState(StrEnum):
    STOPPED = "stopped"
    RESETTING = "resetting"
    IDLE = "idle"
    STARTING = "starting"
    EXECUTE = "execute"
    COMPLETING = "completing"
    COMPLETE = "complete"
    HOLDING = "holding"
    HELD = "held"
    UNHOLDING = "unholding"
    SUSPENDING = "suspending"
    SUSPENDED = "suspended"
    UNSUSPENDING = "unsuspending"
    STOPPING = "stopping"
    ABORTING = "aborting"
    ABORTED = "aborted"
    CLEARING = "clearing"

    @property
    def packml_number(self) -> int:
        return PACKML_NUMBER[self]

    @property
    def packtags_v3_number(self) -> int:
        return PACKTAGS_V3_NUMBER[self]


class PackCommand(StrEnum):
    RESET = "reset"
    START = "start"
    HOLD = "hold"
    UNHOLD = "unhold"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    STOP = "stop"
    ABORT = "abort"
    CLEAR = "clear"
    COMPLETE = "complete"


_S = PackState
_C = PackCommand

PACKML_NUMBER: Mapping[PackState, int] = MappingProxyType({
    _S.STOPPED: 0, _S.RESETTING: 1, _S.IDLE: 2, _S.STARTING: 3, _S.EXECUTE: 4, _S.COMPLETING: 5,
    _S.COMPLETE: 6, _S.ABORTING: 7, _S.ABORTED: 8, _S.STOPPING: 9, _S.CLEARING: 10,
    _S.SUSPENDING: 11, _S.SUSPENDED: 12, _S.UNSUSPENDING: 13, _S.HOLDING: 14, _S.HELD: 15,
    _S.UNHOLDING: 16,
})  # fmt: skip
"""The PackML ``StateEnumeration`` of OPC 30060 (TMC), as ``research/domain.md`` 6.4 lists it:
Stopped 0 ... Unholding 16. Beware: the ``StateNumber`` of OPC 30050's own state objects follows
the PackTags numbering below (Suspended 5, Held 11), not this one."""

PACKTAGS_V3_NUMBER: Mapping[PackState, int] = MappingProxyType({
    _S.CLEARING: 1, _S.STOPPED: 2, _S.STARTING: 3, _S.IDLE: 4, _S.SUSPENDED: 5, _S.EXECUTE: 6,
    _S.STOPPING: 7, _S.ABORTING: 8, _S.ABORTED: 9, _S.HOLDING: 10, _S.HELD: 11, _S.UNHOLDING: 12,
    _S.SUSPENDING: 13, _S.UNSUSPENDING: 14, _S.RESETTING: 15, _S.COMPLETING: 16, _S.COMPLETE: 17,
})  # fmt: skip
"""PackTags v3 / ISA-TR88.00.02 numbering (Beckhoff ``E_PMLState``; 0 is Undefined)."""

_STOPPABLE = frozenset(_S) - {_S.STOPPED, _S.STOPPING, _S.ABORTING, _S.ABORTED, _S.CLEARING}
_ABORTABLE = frozenset(_S) - {_S.ABORTING, _S.ABORTED}

TRANSITIONS: Mapping[tuple[PackState, PackCommand], PackState] = MappingProxyType({
    (_S.STOPPED, _C.RESET): _S.RESETTING,
    (_S.IDLE, _C.START): _S.STARTING,
    (_S.EXECUTE, _C.COMPLETE): _S.COMPLETING,
    (_S.EXECUTE, _C.HOLD): _S.HOLDING,
    (_S.EXECUTE, _C.SUSPEND): _S.SUSPENDING,
    (_S.COMPLETE, _C.RESET): _S.RESETTING,
    (_S.HELD, _C.UNHOLD): _S.UNHOLDING,
    (_S.SUSPENDED, _C.UNSUSPEND): _S.UNSUSPENDING,
    (_S.SUSPENDED, _C.HOLD): _S.HOLDING,
    (_S.ABORTED, _C.CLEAR): _S.CLEARING,
    **{(state, _C.STOP): _S.STOPPING for state in sorted(_STOPPABLE)},
    **{(state, _C.ABORT): _S.ABORTING for state in sorted(_ABORTABLE)},
})  # fmt: skip
"""Every command a state accepts, and the state it leads to."""

COMPLETES: Mapping[PackState, PackState] = MappingProxyType({
    _S.RESETTING: _S.IDLE, _S.STARTING: _S.EXECUTE, _S.COMPLETING: _S.COMPLETE, _S.HOLDING: _S.HELD,
    _S.UNHOLDING: _S.EXECUTE, _S.SUSPENDING: _S.SUSPENDED, _S.UNSUSPENDING: _S.EXECUTE,
    _S.STOPPING: _S.STOPPED, _S.ABORTING: _S.ABORTED, _S.CLEARING: _S.STOPPED,
})  # fmt: skip
"""The acting states and where each goes when its work is done (:meth:`state_complete`)."""

ACTING: frozenset[PackState] = frozenset(COMPLETES)

_IDEMPOTENT = frozenset({(_S.STOPPING, _C.STOP), (_S.STOPPED, _C.STOP),
                         (_S.ABORTING, _C.ABORT), (_S.ABORTED, _C.ABORT)})  # fmt: skip
_WAY_ON: Mapping[PackState, PackCommand] = MappingProxyType({
    _S.STOPPED: _C.RESET, _S.IDLE: _C.START, _S.COMPLETE: _C.RESET, _S.HELD: _C.UNHOLD,
    _S.SUSPENDED: _C.UNSUSPEND, _S.ABORTED: _C.CLEAR,
})  # fmt: skip
_LEADS_TO: Mapping[PackCommand, PackState] = MappingProxyType({
    _C.RESET: _S.IDLE, _C.START: _S.EXECUTE, _C.COMPLETE: _S.COMPLETE, _C.HOLD: _S.HELD,
    _C.UNHOLD: _S.EXECUTE, _C.SUSPEND: _S.SUSPENDED, _C.UNSUSPEND: _S.EXECUTE, _C.STOP: _S.STOPPED,
    _C.ABORT: _S.ABORTED, _C.CLEAR: _S.STOPPED,
})  # fmt: skip


def allowed_commands(state: PackState) -> tuple[PackCommand, ...]:
    """The commands ``state`` accepts, in :class:`PackCommand` order."""
    return tuple(cmd for cmd in _C if (state, cmd) in TRANSITIONS)


def way_on(state: PackState) -> str:
    """What brings ``state`` towards running, for the operator ("UNHOLD first")."""
    if state in COMPLETES:
        return f"wait until it is {COMPLETES[state].name}"
    if state in _WAY_ON:
        return f"{_WAY_ON[state].name} first"
    return "allowed now: " + ", ".join(cmd.name for cmd in allowed_commands(state))


def _refusal(state: PackState, cmd: PackCommand) -> str:
    if _LEADS_TO[cmd] is state:
        return f"cannot {cmd.name} when {state.name}; it is {state.name} already"
    return f"cannot {cmd.name} when {state.name}; {way_on(state)}"


MachineEvent = TypedDict(
    "MachineEvent",
    {"time": float, "from": PackState, "to": PackState, "command": str, "reason": str},
)
"""One state change, as the journal stores it (kind ``mode``); ``command`` is the
:class:`PackCommand`'s value, or ``state_complete``."""
EVENT_KEYS = ("time", "from", "to", "command", "reason")
"""The keys of a :class:`MachineEvent`."""


class MachineState:
    """The PackML state machine of one crane: every change returns the events it caused.

    Starts STOPPED (OPC 30050's typical initial state). ``reason`` says why the machine is where
    it is; an acting state's reason carries into the state it completes to (HOLDING for wind ->
    HELD for wind).
    """

    __slots__ = ("_reason", "_since", "_state")

    def __init__(self, state: PackState = _S.STOPPED, since: float = 0.0, reason: str = "") -> None:
        self._state = state
        self._since = since
        self._reason = reason

    @property
    def state(self) -> PackState:
        return self._state

    @property
    def since(self) -> float:
        """Time the present state was entered, s (the caller's clock)."""
        return self._since

    @property
    def reason(self) -> str:
        return self._reason

    def allowed(self) -> tuple[PackCommand, ...]:
        """The commands accepted now."""
        return allowed_commands(self._state)

    def can(self, cmd: PackCommand) -> bool:
        return (self._state, cmd) in TRANSITIONS

    def command(self, cmd: PackCommand, now: float, reason: str = "") -> list[MachineEvent]:
        """Carry out ``cmd``; ``CommandRefused`` if the state does not accept it."""
        target = TRANSITIONS.get((self._state, cmd))
        if target is None:
            if (self._state, cmd) in _IDEMPOTENT:
                return []
            raise CommandRefused(_refusal(self._state, cmd))
        return [self._go(target, now, str(cmd), reason)]

    def state_complete(self, now: float) -> list[MachineEvent]:
        """The acting state's work is done: move on; ``CommandRefused`` outside acting states."""
        target = COMPLETES.get(self._state)
        if target is None:
            hint = "; the job ends with COMPLETE" if self._state is _S.EXECUTE else ""
            raise CommandRefused(
                f"cannot complete {self._state.name}: it is not an acting state{hint}"
            )
        return [self._go(target, now, "state_complete", self._reason)]

    def abort(self, now: float, reason: str) -> list[MachineEvent]:
        """Abort from any state; no events when already ABORTING or ABORTED. Never raises."""
        return self.command(_C.ABORT, now, reason)

    def as_dict(self) -> dict[str, object]:
        return {"state": self._state, "since": self._since, "reason": self._reason}

    def __repr__(self) -> str:
        return f"MachineState({self._state.name} since {self._since:g} s: {self._reason!r})"

    def _go(self, target: PackState, now: float, command: str, reason: str) -> MachineEvent:
        event: MachineEvent = {
            "time": now,
            "from": self._state,
            "to": target,
            "command": command,
            "reason": reason,
        }
        self._state, self._since, self._reason = target, now, reason
        return event


# --- modes --------------------------------------------------------------------------------------


class Mode(StrEnum):
    """Operating modes after OPC 40020-1 (its BYPASS_ON is our MAINTENANCE bypass)."""

    MANUAL = "manual"
    SEMIAUTOMATIC = "semiautomatic"
    FULLAUTOMATIC = "fullautomatic"
    MAINTENANCE = "maintenance"


class Role(StrEnum):
    """Who asks: the HMI authenticates, these rules only check."""

    OPERATOR = "operator"
    MAINTENANCE = "maintenance"


AUTOMATIC_MODES = frozenset({Mode.SEMIAUTOMATIC, Mode.FULLAUTOMATIC})


@dataclass(frozen=True, slots=True)
class ModeSettings:
    """The crane parameters the modes use."""

    manual_speed_factor: float = 0.25
    """MANUAL jog speed as a fraction of rated speed."""
    maintenance_speed_factor: float = 0.10
    """MAINTENANCE speed as a fraction of rated speed (A)."""
    bypass_max_s: float = 1800.0
    """Longest bypass one grant may give, s (A: 30 min)."""
    operator_landing_areas: frozenset[Area] = frozenset({"truck"})
    """Areas where SEMIAUTOMATIC leaves the final landing to the remote operator, who jogs it
    and confirms: road trucks, where people may be near."""

    def __post_init__(self) -> None:
        for name in ("manual_speed_factor", "maintenance_speed_factor"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 < value <= 1.0):
                raise ValueError(f"`{name}` must be in (0, 1], not {value!r}")
        if not (math.isfinite(self.bypass_max_s) and self.bypass_max_s > 0):
            raise ValueError(f"`bypass_max_s` must be positive and finite, not {self.bypass_max_s}")


@dataclass(frozen=True, slots=True)
class ModeRules:
    """What one mode allows. Interlocks act in every mode (a MAINTENANCE bypass excepted)."""

    mode: Mode
    automatic: bool
    """Jobs run: the sequencer plans and drives travel, hoisting and the spreader."""
    jog: bool
    """The operator moves the axes directly."""
    speed_factor: float
    """Fraction of rated speed every axis is limited to."""
    operator_lands_at: frozenset[Area]
    """Areas where the final landing is jogged and confirmed by the remote operator."""
    bypass: bool
    """One interlock may be bypassed (maintenance role, time-limited, journaled)."""

    @classmethod
    def of(cls, mode: Mode, settings: ModeSettings | None = None) -> ModeRules:
        s = settings or ModeSettings()
        if mode in AUTOMATIC_MODES:
            lands = s.operator_landing_areas if mode is Mode.SEMIAUTOMATIC else frozenset()
            return cls(mode, automatic=True, jog=False, speed_factor=1.0,
                       operator_lands_at=lands, bypass=False)  # fmt: skip
        maintenance = mode is Mode.MAINTENANCE
        factor = s.maintenance_speed_factor if maintenance else s.manual_speed_factor
        return cls(mode, automatic=False, jog=True, speed_factor=factor,
                   operator_lands_at=frozenset(), bypass=maintenance)  # fmt: skip

    def operator_lands(self, slot: Slot) -> bool:
        """Whether the remote operator jogs and confirms the final landing at ``slot``."""
        return slot.area in self.operator_lands_at


MODE_CHANGE_STATES = frozenset({_S.STOPPED, _S.IDLE, _S.ABORTED})
"""Machine states in which the mode may change: nothing moves, no job runs."""


def mode_refusals(
    mode: Mode, role: Role, machine_state: PackState, *, bypass: Bypass | None = None
) -> list[str]:
    """Why ``role`` may not switch to ``mode`` now (empty: it may).

    ``bypass``: the active bypass (:meth:`BypassBook.active`); none may outlive MAINTENANCE.
    """
    reasons = []
    if machine_state not in MODE_CHANGE_STATES:
        reasons.append(
            f"mode changes only when the machine is STOPPED, IDLE or ABORTED, "
            f"not {machine_state.name}"
        )
    if mode is Mode.MAINTENANCE and role is not Role.MAINTENANCE:
        reasons.append(f"MAINTENANCE mode needs the maintenance role, not {role}")
    if bypass is not None and mode is not Mode.MAINTENANCE:
        reasons.append(
            f"{bypass.interlock_id} is bypassed until {bypass.until:g} s: "
            f"end the bypass before leaving MAINTENANCE"
        )
    return reasons


def change_mode(
    mode: Mode, role: Role, machine_state: PackState, *, bypass: Bypass | None = None
) -> Mode:
    """``mode`` if ``role`` may switch to it now, else ``CommandRefused`` with every reason."""
    reasons = mode_refusals(mode, role, machine_state, bypass=bypass)
    if reasons:
        raise CommandRefused(*reasons)
    return mode


# --- bypasses -----------------------------------------------------------------------------------

NEVER_BYPASSED: Mapping[str, str] = MappingProxyType({
    "OVERLOAD": "OVERLOAD cannot be bypassed to lift",
    "ESTOP": "ESTOP cannot be bypassed: the emergency stop is a safety function",
    "COMMS_FAULT": "COMMS_FAULT cannot be bypassed: nothing moves on data that cannot be trusted",
    "SIGNAL_QUALITY": "SIGNAL_QUALITY cannot be bypassed: nothing moves on data that cannot be "
    "real",
    "NOT_REMOTE": "NOT_REMOTE cannot be bypassed: the PLC is under local control",
    "WATCHDOG_TRIP": "WATCHDOG_TRIP cannot be bypassed: the PLC has stopped itself",
    "RESTART_INHIBIT": "RESTART_INHIBIT cannot be bypassed: the PLC refuses to restart yet",
})  # fmt: skip
"""Interlocks no bypass may lift, with the sentence that says why. As only one interlock is
bypassed at a time and OVERLOAD is never it, no bypass ever lets a load be hoisted after an
overload trip."""


@dataclass(frozen=True, slots=True)
class Bypass:
    """One interlock bypassed for maintenance."""

    interlock_id: str
    by: Role
    since: float
    """Granted at, s (the caller's clock)."""
    until: float
    """Ends at, s: not in force from this time on, whether or not :meth:`BypassBook.expire`
    has run."""
    reason: str
    user: str = ""
    """Who, if the caller knows (the HMI's login)."""

    def in_force(self, now: float) -> bool:
        return self.since <= now < self.until


class BypassEvent(TypedDict):
    """A bypass granted, expired or revoked, as the journal stores it (kind ``operator``)."""

    time: float
    event: Literal["granted", "expired", "revoked"]
    interlock: str
    by: str
    user: str
    until: float
    reason: str


class BypassBook:
    """The one bypass a crane may have, its limits, and every change for the journal."""

    def __init__(self, settings: ModeSettings | None = None) -> None:
        self.settings = settings or ModeSettings()
        self._current: Bypass | None = None
        self._events: list[BypassEvent] = []

    def active(self, now: float) -> Bypass | None:
        """The bypass in force at ``now``, if any."""
        b = self._current
        return b if b is not None and b.in_force(now) else None

    def refusals(
        self, interlock_id: str, role: Role, now: float, duration_s: float, reason: str, *,
        mode: Mode,
    ) -> list[str]:  # fmt: skip
        """Why :meth:`grant` would refuse (empty: it would grant)."""
        out = []
        if role is not Role.MAINTENANCE:
            out.append(f"maintenance role required to bypass an interlock, not {role}")
        if mode is not Mode.MAINTENANCE:
            out.append(f"a bypass needs MAINTENANCE mode, not {mode.name}")
        if interlock_id in NEVER_BYPASSED:
            out.append(NEVER_BYPASSED[interlock_id])
        elif interlock_id not in INTERLOCKS:
            out.append(f"no interlock {interlock_id!r} to bypass")
        present = self.active(now)
        if present is not None:
            out.append(
                f"only one interlock may be bypassed at a time: {present.interlock_id} is "
                f"bypassed until {present.until:g} s"
            )
        limit_min = self.settings.bypass_max_s / 60
        if not (math.isfinite(duration_s) and duration_s > 0):
            out.append(f"a bypass lasts a positive time, not {duration_s!r} s")
        elif duration_s > self.settings.bypass_max_s:
            out.append(f"a bypass lasts at most {limit_min:g} minutes, not {duration_s / 60:g}")
        if not reason.strip():
            out.append("a bypass needs a reason for the journal")
        return out

    def grant(
        self, interlock_id: str, role: Role, now: float, duration_s: float, reason: str, *,
        mode: Mode, user: str = "",
    ) -> Bypass:  # fmt: skip
        """Bypass ``interlock_id`` for ``duration_s``; ``CommandRefused`` with every reason."""
        self.expire(now)
        why = self.refusals(interlock_id, role, now, duration_s, reason, mode=mode)
        if why:
            raise CommandRefused(*why)
        bypass = Bypass(interlock_id, role, now, now + duration_s, reason, user)
        self._current = bypass
        self._record(now, "granted", bypass, reason)
        return bypass

    def expire(self, now: float) -> Bypass | None:
        """End the bypass if its time is up; the one that ended, if any."""
        b = self._current
        if b is None or now < b.until:
            return None
        self._current = None
        self._record(b.until, "expired", b, "time limit reached")
        return b

    def revoke(self, now: float, reason: str) -> Bypass | None:
        """End the bypass now (maintenance done, mode left); the one that ended, if any."""
        ended = self.expire(now)
        if ended is not None or self._current is None:
            return ended
        b, self._current = self._current, None
        self._record(now, "revoked", b, reason)
        return b

    def take_events(self) -> list[BypassEvent]:
        """The events since the last call, oldest first (for the journal)."""
        events, self._events = self._events, []
        return events

    def _record(
        self, time: float, kind: Literal["granted", "expired", "revoked"], b: Bypass, reason: str
    ) -> None:
        self._events.append({"time": time, "event": kind, "interlock": b.interlock_id,
                             "by": str(b.by), "user": b.user, "until": b.until,
                             "reason": reason})  # fmt: skip
