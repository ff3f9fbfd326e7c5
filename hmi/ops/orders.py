"""What the operations centre orders a crane, each the way its key gives it: the PackML commands
(ABORT only once confirmed), the operating mode (chosen), the interlock reset, job orders (added
and cancelled through forms), alarms shelved (a form) and unshelved (chosen among the shelved).

Every order goes through :class:`~hmi.ops.commander.Commander`: before a form or a question
opens, it checks there is a command path, a crane and a login (and says which is missing: no
form is filled in vain, nothing is sent); the answer is said on the message line. The crane
checks the role: nothing is hidden here, its refusal is said.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from textual.screen import Screen

from crane_ctrl.fleet.command_path import Answer
from crane_ctrl.fleet.fleet_view import ALARMS, CraneKey, FleetView
from crane_ctrl.operation.machine import Mode, PackCommand
from hmi.ops.commander import Commander, Say
from hmi.ops.forms.job_orders import CancelJobModal, JobOrderModal
from hmi.ops.forms.shelve import Shelve, ShelveModal
from hmi.screens.choice import ChoiceModal
from hmi.screens.confirm import ConfirmModal

__all__ = ["REASONS", "CraneOrders", "shelved_alarms"]

REASONS: Mapping[PackCommand, str] = {
    PackCommand.HOLD: "held from the operations centre",
    PackCommand.STOP: "STOP from the operations centre",
    PackCommand.ABORT: "ABORT from the operations centre",
}
"""The reason a PackML command carries (journaled, and the crane's state reason)."""
_SHELVED = "shelved"


def shelved_alarms(view: FleetView, crane: CraneKey | None = None) -> list[tuple[CraneKey, str]]:
    """(crane, alarm id) of every shelved alarm: of ``crane``, or of the whole fleet."""
    return [(c.key, name.removeprefix(ALARMS)) for c in view.cranes
            if crane is None or c.key == crane
            for name, point in sorted(c.metrics.items())
            if name.startswith(ALARMS) and point.value == _SHELVED]  # fmt: skip


class CraneOrders:
    """The orders of the ops HMI's keys and palette, given through ``commands``; ``view``: the
    fleet's view as shown (where the current job and the shelved alarms are read)."""

    def __init__(self, commands: Commander, view: Callable[[], FleetView]) -> None:
        self.commands, self.view = commands, view

    def say(self, text: str, *, refused: bool = False) -> None:
        self.commands.say(text, refused=refused)

    def ask(self, dialog: Screen[Any], then: Callable[[Any], None]) -> None:
        self.commands.app.push_screen(dialog, then)

    def machine(self, crane: CraneKey | None, command: PackCommand) -> None:
        """A PackML command at once; ABORT (drives off at once, the load where it is) only once
        the operator confirms it. STOP never asks: a stop is never delayed."""
        what = command.name
        if command is not PackCommand.ABORT:
            reason = REASONS.get(command)
            self._send(crane, str(command), what, None if reason is None else {"reason": reason})
            return
        if not self.commands.ready(crane, what):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._send(crane, str(command), what, {"reason": REASONS[command]})
            else:
                self.say(f"ABORT at {crane}: not sent")

        self.ask(ConfirmModal(f"ABORT {crane}?", "References zero and drives off at once; CLEAR, "
                              "then RESET to go on. STOP (S) ramps down instead."),
                 confirmed)  # fmt: skip

    def mode(self, crane: CraneKey | None) -> None:
        """The operating mode, chosen (the crane takes it STOPPED, IDLE or ABORTED)."""
        if not self.commands.ready(crane, "mode"):
            return

        def chosen(mode: Mode | None) -> None:
            if mode is not None:
                self._send(crane, "mode", f"mode {mode.name}", {"mode": str(mode)})

        options = [(m.name, m) for m in Mode]
        title = f"Operating mode of {crane} (machine STOPPED, IDLE or ABORTED)"
        self.ask(ChoiceModal(title, options), chosen)

    def reset_interlocks(self, crane: CraneKey | None) -> None:
        """Latched interlocks whose cause is gone clear at the crane's next scan."""
        self._send(crane, "interlocks.reset", "interlock reset")

    def add_job(self, crane: CraneKey | None) -> None:
        if not self.commands.ready(crane, "job order"):
            return

        def given(args: Mapping[str, object] | None) -> None:
            if args is not None:
                then = _queued(self.say, crane, args)
                self._send(crane, "job.add", "job order", args, then=then)

        self.ask(JobOrderModal(f"Job order for {crane}"), given)

    def cancel_job(self, crane: CraneKey | None) -> None:
        if not self.commands.ready(crane, "cancel job") or crane is None:
            return
        view = self.view().crane(crane)
        current = None if view is None else view.text("Job/Id")

        def given(job: str | None) -> None:
            if job is not None:
                self._send(crane, "job.cancel", f"cancel job {job}", {"job": job})

        self.ask(CancelJobModal(f"Cancel a job of {crane}", current), given)

    def shelve(self, crane: CraneKey | None, alarm: str | None) -> None:
        """Shelve ``alarm`` (the one under the cursor) at ``crane``: minutes and reason."""
        if alarm is None:
            self.say("shelve: no alarm under the cursor", refused=True)
            return
        if not self.commands.ready(crane, f"shelve {alarm}"):
            return

        def given(shelve: Shelve | None) -> None:
            if shelve is not None:
                minutes, reason = shelve
                self._send(crane, "alarm.shelve", f"shelve {alarm} for {minutes:g} min",
                           {"alarm": alarm, "minutes": minutes, "reason": reason})  # fmt: skip

        self.ask(ShelveModal(f"Shelve {alarm} at {crane}"), given)

    def unshelve(self, crane: CraneKey | None, *, fleet: bool = False) -> None:
        """Unshelve one of the shelved alarms (of ``crane``; of every crane with ``fleet``),
        chosen from their list (a shelved alarm is not in the alarm lists)."""
        if not (self.commands.logged_in("unshelve") if fleet
                else self.commands.ready(crane, "unshelve")):  # fmt: skip
            return
        shelved = shelved_alarms(self.view(), None if fleet else crane)
        if not shelved:
            where = "the fleet" if fleet else str(crane)
            self.say(f"unshelve: no alarm of {where} is shelved", refused=True)
            return

        def chosen(pick: tuple[CraneKey, str] | None) -> None:
            if pick is not None:
                key, alarm = pick
                self._send(key, "alarm.unshelve", f"unshelve {alarm}", {"alarm": alarm})

        options = [(f"{key} · {alarm}" if fleet else alarm, (key, alarm)) for key, alarm in shelved]
        self.ask(ChoiceModal("Unshelve which alarm?", options), chosen)

    def _send(self, crane: CraneKey | None, cmd: str, what: str,
              args: Mapping[str, object] | None = None,
              then: Callable[[Answer], object] | None = None) -> None:  # fmt: skip
        self.commands.send(crane, cmd, what, args, then=then)


def _queued(say: Say, crane: CraneKey | None, args: Mapping[str, object]
            ) -> Callable[[Answer], object]:  # fmt: skip
    """After a done ``job.add``: the job's id and slots on the message line."""

    def queued(answer: Answer) -> None:
        if answer.done:
            job = answer.values.get("job", "?")
            say(
                f"job order at {crane}: done: job {job} queued, {args['from']} → {args['to']}, "
                f"{args['size_ft']} ft"
            )

    return queued
