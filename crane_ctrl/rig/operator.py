"""The rig's operator: what each scenario action (:data:`~crane_ctrl.rig.scenario.ACTIONS`) does
to the supervisor and the automation, as the HMI's buttons would.

====================  ===================================================================
action                calls
====================  ===================================================================
stop, abort, clear,   ``automation.command(PackCommand.<ACTION>, ...)``
start, hold, unhold
reset                 ``supervisor.request_reset`` always; and ``automation.command(RESET)``
                      when the machine is STOPPED or COMPLETE
acknowledge           ``supervisor.acknowledge(None, ...)``: every unacknowledged alarm
mode                  ``automation.set_mode(Mode(mode), role, ...)``: ``Role.MAINTENANCE``
                      for maintenance, ``Role.OPERATOR`` otherwise
cancel                ``automation.cancel(job, ...)``
set_down              ``automation.set_down(...)``
====================  ===================================================================

Each raises :class:`~crane_ctrl.errors.CommandRefused` when the crane refuses it; the script
journals the refusal and the run goes on.
"""

from __future__ import annotations

from crane_ctrl.operation.machine import Mode, PackCommand, PackState, Role
from crane_ctrl.rig.scenario import ActionEntry
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.runtime.supervisor import Supervisor

__all__ = ["USER", "operate"]

USER = "rig"
"""Who the journal says acted."""
_RESETTABLE = frozenset({PackState.STOPPED, PackState.COMPLETE})
"""Machine states the operator's reset button also sends PackML RESET in."""


def operate(action: ActionEntry, supervisor: Supervisor, automation: Automation, at: float) -> None:
    """Take ``action`` at ``at`` (the supervisor's clock); ``CommandRefused`` says why not."""
    match action.action:
        case "reset":
            supervisor.request_reset(USER)
            if automation.machine.state in _RESETTABLE:
                automation.command(PackCommand.RESET, at, "rig operator")
        case "acknowledge":
            supervisor.acknowledge(None, USER)
        case "mode":
            assert action.mode is not None, "the scenario's schema requires it"
            mode = Mode(action.mode)
            role = Role.MAINTENANCE if mode is Mode.MAINTENANCE else Role.OPERATOR
            automation.set_mode(mode, role, at, USER)
        case "cancel":
            assert action.job is not None, "the scenario's schema requires it"
            automation.cancel(action.job, at, "cancelled by the rig's operator")
        case "set_down":
            automation.set_down(at)
        case "stop" | "abort" | "clear" | "start" | "hold" | "unhold":
            automation.command(PackCommand(action.action), at, "rig operator")
