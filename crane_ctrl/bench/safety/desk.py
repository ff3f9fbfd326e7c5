"""The operator's desk and the reasonable operator who sits at it.

:class:`Desk` is the one way in for every command of a safety case (the random ones, the
reasonable operator's, the wedge checks'): it calls the :class:`~crane_ctrl.runtime.automation.
Automation` and the supervisor as the station does, counts what was asked and what was refused,
writes the trace, and tells the harness when the operator has let the crane go on (an UNHOLD or
START that was accepted): only then may it move again after a hold.

:class:`Operator` is reasonable and ``reaction_s`` late at everything. It resets the interlocks
when a latched trip's cause is gone or the PLC reports a trip of its own; resumes a held move
(UNHOLD) when no trip of :data:`WAIT_OUT` is active, and when three UNHOLDs in a row have not got
the move going (refused, or held again at once) stops the crane to resume it with START; clears,
resets and starts a stopped machine; switches back to FULLAUTOMATIC when it finds the crane in
another mode; and, in SEMIAUTOMATIC, lowers the load onto the landing the sequencer hands over
and confirms it. A refused command is tried again after :data:`RETRY_S`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from crane_ctrl.commands import AXES
from crane_ctrl.errors import CommandRefused
from crane_ctrl.operation.machine import MODE_CHANGE_STATES, Mode, PackCommand, PackState, Role
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorView
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.sequencer.readings import seated
from crane_ctrl.sequencer.safety import securing_trips
from crane_ctrl.snapshot import Snapshot

__all__ = ["JOB_ID", "RETRY_S", "WAIT_OUT", "Desk", "Operator"]

JOB_ID = "J1"
RETRY_S = 5.0
"""A refused command (or a reset that changed nothing) is tried again this long after, s."""
WAIT_OUT = frozenset(
    {"COMMS_FAULT", "ESTOP", "NOT_REMOTE", "WATCHDOG_TRIP", "DRIVE_FAULT", "WIND_STORM",
     "RESTART_INHIBIT", "WIND_STOP", "LANE_NOT_CLEAR", "STORM_PINS_DOWN"}
)  # fmt: skip
"""Trips whose cause goes away without the crane (weather, people, the link, a reset): the
operator resumes a held job only when none is active. Not OVERLOAD or TRUCK_LIFTED: only the
crane setting the load down removes their cause, so the operator lets it go on."""
UNHOLDS_BEFORE_STOP = 3
"""UNHOLDs in a row that did not get the move going (refused, or held again before it left the
settling), after which the operator stops the crane and resumes it with START."""


@dataclass
class Desk:
    """Every command of a case goes through here: counted, traced, and judged for the latch."""

    automation: Automation
    supervisor: Supervisor
    now: Callable[[], float]
    trace: Callable[[str], None]
    asked: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    released: bool = False
    """An UNHOLD or START was accepted since the harness last looked (it clears this)."""
    last_accepted: float = 0.0
    """When a command that changes the machine, the mode or the job was last accepted."""

    def pack(self, cmd: PackCommand, who: str) -> bool:
        """A PackML command; whether it was accepted."""

        def command() -> None:
            self.automation.command(cmd, self.now(), who)

        release = cmd in (PackCommand.UNHOLD, PackCommand.START)
        return self._do(who, cmd.value, "", command, release=release)

    def set_mode(self, mode: Mode, role: Role, who: str) -> bool:
        def change() -> None:
            self.automation.set_mode(mode, role, self.now(), who)

        return self._do(who, "mode", f"{mode.name} as {role}", change)

    def cancel(self, who: str) -> bool:
        def cancel() -> None:
            self.automation.cancel(JOB_ID, self.now(), f"cancelled by the {who}")

        return self._do(who, "cancel", JOB_ID, cancel)

    def set_down(self, who: str) -> bool:
        return self._do(who, "set_down", "", lambda: self.automation.set_down(self.now()))

    def reset_interlocks(self, who: str) -> bool:
        return self._do(who, "interlock_reset", "", lambda: self.supervisor.request_reset(who))

    def jog_down(self, who: str) -> bool:
        def jog() -> None:
            self.automation.sequencer.operator_jog("hoist", -1, self.now())

        return self._do(who, "jog", "hoist down", jog, quiet=True)

    def confirm_landing(self, who: str) -> bool:
        return self._do(who, "confirm_landing", "",
                        lambda: self.automation.sequencer.confirm_landing(self.now()))  # fmt: skip

    def _do(
        self, who: str, kind: str, detail: str, act: Callable[[], None], *,
        release: bool = False, quiet: bool = False,
    ) -> bool:  # fmt: skip
        key = f"{who}:{kind}"
        what = f"{who}: {kind.upper()}{f' {detail}' if detail else ''}"
        self.asked[key] += 1
        try:
            act()
        except CommandRefused as refused:
            self.refused[key] += 1
            if not quiet:
                self.trace(f"{what} refused: {refused}")
            return False
        self.released |= release
        if kind not in ("interlock_reset", "jog"):
            self.last_accepted = self.now()
        if not quiet:
            self.trace(what)
        return True


@dataclass
class Operator:
    """A reasonable operator, ``reaction_s`` late at everything (see the module docstring)."""

    reaction_s: float
    seen: dict[str, float] = field(default_factory=dict)
    """What the operator has noticed, since when."""
    last: dict[str, float] = field(default_factory=dict)
    """When the operator last did each thing."""
    unholds: int = 0
    """UNHOLDs since the move last went on (beyond settling the swing after a resume)."""

    def __call__(self, desk: Desk, view: SupervisorView) -> None:
        automation, now = desk.automation, desk.now()
        run = automation.sequencer.run
        if run is None or run.step not in (Step.HELD, Step.SETTLE):
            self.unholds = 0  # the move goes on
        permits, s = view.permits, view.snapshot
        if permits is None or not s.comms_ok:
            self.seen.clear()
            return
        code = s.number("plc.fault_code")
        needs_reset = (
            any(t.cause_gone for t in permits.active)
            or (code is not None and code != 0)
            or s.flag("plc.watchdog_trip", unsafe=False)
            or any(s.flag(f"{axis}.fault", unsafe=False) for axis in AXES)
        )
        if self._due("interlock_reset", needs_reset, now):
            desk.reset_interlocks("operator")
        if self._landing(desk, view):
            return
        waiting = any(t.id in WAIT_OUT - _securable(automation, s) for t in permits.active)
        action = self._next_action(automation, waiting)
        for name in list(self.seen):
            if name not in ("interlock_reset", action):
                del self.seen[name]
        if action and self._due(action, True, now):
            self._act(desk, action)

    def _next_action(self, automation: Automation, waiting: bool) -> str:
        """What brings the crane back to work now ("" if nothing, or not yet)."""
        state, job = automation.machine.state, automation.queue.get(JOB_ID)
        if job.final:
            return ""
        if not automation.rules.automatic:
            return "mode" if state in MODE_CHANGE_STATES else "stop"
        run = automation.sequencer.run
        held = state is PackState.HELD and (run is None or run.step is Step.HELD)
        if (
            state in MODE_CHANGE_STATES
            and run is not None
            and run.interrupted
            and any("unexpected contact" in why for why in automation.sequencer.resume_refusals())
        ):
            return "take over"  # the crane says: take it over in MANUAL (case 1649)
        return {
            PackState.ABORTED: "clear",
            PackState.STOPPED: "reset",
            PackState.COMPLETE: "reset",
            PackState.IDLE: "start",
            PackState.HELD: "unhold" if held and not waiting else "",
        }.get(state, "")

    def _act(self, desk: Desk, action: str) -> None:
        if action == "mode":
            desk.set_mode(Mode.FULLAUTOMATIC, Role.OPERATOR, "operator")
            return
        if action == "take over":
            desk.set_mode(Mode.MANUAL, Role.OPERATOR, "operator")
            return
        if action == "unhold":
            self.unholds += 1
            if self.unholds > UNHOLDS_BEFORE_STOP:
                action, self.unholds = "stop", 0  # START resumes from where it stands
        desk.pack(PackCommand(action), "operator")

    def _landing(self, desk: Desk, view: SupervisorView) -> bool:
        """SEMIAUTOMATIC: a landing waits for the operator: lower onto it, confirm it."""
        automation, now = desk.automation, desk.now()
        if automation.sequencer.awaiting_operator is None:
            self.seen.pop("land", None)
            return False
        if not self._due("land", True, now, retry_s=0.0):
            return True
        s = view.snapshot
        if seated(s):
            if now - self.last.get("confirm", -math.inf) >= RETRY_S:
                self.last["confirm"] = now
                desk.confirm_landing("operator")
        else:
            desk.jog_down("operator")
        return True

    def _due(self, what: str, wanted: bool, now: float, *, retry_s: float = RETRY_S) -> bool:
        """Whether to do ``what`` now: wanted for ``reaction_s``, and not done in ``retry_s``."""
        if not wanted:
            self.seen.pop(what, None)
            return False
        since = self.seen.setdefault(what, now)
        if now - since < self.reaction_s or now - self.last.get(what, -math.inf) < retry_s:
            return False
        self.last[what] = now
        return True


def _securable(automation: Automation, s: Snapshot) -> frozenset[str]:
    """The trips a resume is for while the load hangs free and the wind has not had it made
    safe yet (the HMI says so: held for another reason, or stopped): the operator resumes it so
    that the crane sets it down or raises it clear."""
    run = automation.sequencer.run
    return frozenset() if run is None else securing_trips(s, run.may_be_secured)
