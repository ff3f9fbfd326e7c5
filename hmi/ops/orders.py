"""What the operations centre orders a crane, each the way its key gives it: the PackML commands
(ABORT only once confirmed), the operating mode (chosen), the interlock reset and the end of a
bypass, job orders (added and cancelled through forms), the interrupted job's set-down, alarms
acknowledged (one, or all of a crane's or the fleet's), shelved (a form) and unshelved (chosen
among the shelved), taken out of service (once confirmed) and returned (chosen among them).

Every order goes through :class:`~hmi.ops.commander.Commander`: before a form or a question
opens, it checks there is a command path, a crane and a login (and says which is missing: no
form is filled in vain, nothing is sent); the answer is said on the message line. The crane
checks the role: nothing is hidden here, its refusal is said.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from textual.screen import Screen

from crane_ctrl.alarms.states import AlarmState
from crane_ctrl.fleet.command_path import Answer
from crane_ctrl.fleet.fleet_view import ALARMS, CraneKey, FleetView
from crane_ctrl.operation.machine import Mode, PackCommand
from hmi.ops.commander import Commander, Say
from hmi.ops.forms.job_orders import CancelJobModal, JobOrderModal
from hmi.ops.forms.shelve import Shelve, ShelveModal
from hmi.screens.choice import ChoiceModal
from hmi.screens.confirm import ConfirmModal

__all__ = ["REASONS", "CraneOrders", "alarms_in", "shelved_alarms"]

REASONS: Mapping[PackCommand, str] = {
    PackCommand.HOLD: "held from the operations centre",
    PackCommand.STOP: "STOP from the operations centre",
    PackCommand.ABORT: "ABORT from the operations centre",
}
"""The reason a PackML command carries (journaled, and the crane's state reason)."""


def alarms_in(
    view: FleetView, states: frozenset[AlarmState], crane: CraneKey | None = None
) -> list[tuple[CraneKey, str]]:
    """(crane, alarm id) of every alarm in one of ``states``: of ``crane``, or of the fleet."""
    wanted = {str(s) for s in states}
    return [(c.key, name.removeprefix(ALARMS)) for c in view.cranes
            if crane is None or c.key == crane
            for name, point in sorted(c.metrics.items())
            if name.startswith(ALARMS) and point.value in wanted]  # fmt: skip


def shelved_alarms(view: FleetView, crane: CraneKey | None = None) -> list[tuple[CraneKey, str]]:
    """(crane, alarm id) of every shelved alarm: of ``crane``, or of the whole fleet."""
    return alarms_in(view, frozenset({AlarmState.SHELVED}), crane)


_UNACKNOWLEDGED = frozenset({AlarmState.UNACK, AlarmState.RTN_UNACK})
_OUT_OF_SERVICE = frozenset({AlarmState.OUT_OF_SERVICE})


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

    def end_bypass(self, crane: CraneKey | None) -> None:
        """The bypassed interlock protects again (a bypass itself is granted only at the
        crane's own HMI)."""
        self._send(crane, "interlocks.end_bypass", "end bypass")

    def set_down(self, crane: CraneKey | None) -> None:
        """STOPPED with an interrupted job: its box planned straight down to a legal place
        below it; START then carries it out (the job fails naming the place)."""
        self._send(crane, "job.set_down", "set down (START carries it out)")

    def acknowledge_all(self, crane: CraneKey | None, *, fleet: bool = False) -> None:
        """Every unacknowledged alarm of ``crane`` (of every crane with ``fleet``): one order
        per crane that has one."""
        if not (self.commands.logged_in("acknowledge all") if fleet
                else self.commands.ready(crane, "acknowledge all")):  # fmt: skip
            return
        cranes = sorted({key for key, _ in alarms_in(self.view(), _UNACKNOWLEDGED,
                                                      None if fleet else crane)})  # fmt: skip
        if not cranes:
            where = "the fleet" if fleet else str(crane)
            self.say(f"acknowledge all: no alarm of {where} is unacknowledged", refused=True)
            return
        for key in cranes:
            self._send(key, "alarm.acknowledge", "acknowledge all")

    def out_of_service(self, crane: CraneKey | None, alarm: str | None) -> None:
        """Take ``alarm`` (the one under the cursor) out of service at ``crane``, once
        confirmed: it is not annunciated until returned (the maintenance role, at the crane)."""
        if alarm is None:
            self.say("out of service: no alarm under the cursor", refused=True)
            return
        if not self.commands.ready(crane, f"{alarm} out of service"):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._send(crane, "alarm.out_of_service", f"{alarm} out of service",
                           {"alarm": alarm, "on": True})  # fmt: skip
            else:
                self.say(f"{alarm} out of service at {crane}: not sent")

        self.ask(ConfirmModal(f"Take {alarm} at {crane} out of service?", "It is not "
                              "annunciated until returned to service (i); the maintenance role."),
                 confirmed)  # fmt: skip

    def return_to_service(self, crane: CraneKey | None, *, fleet: bool = False) -> None:
        """Return one of the alarms out of service (of ``crane``; of every crane with
        ``fleet``) to service, chosen from their list."""
        self._choose_alarm(crane, fleet, _OUT_OF_SERVICE, "return to service",
                           "alarm.out_of_service", {"on": False})  # fmt: skip

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
        self._choose_alarm(crane, fleet, frozenset({AlarmState.SHELVED}), "unshelve",
                           "alarm.unshelve")  # fmt: skip

    def _choose_alarm(
        self, crane: CraneKey | None, fleet: bool, states: frozenset[AlarmState], what: str,
        cmd: str, extra: Mapping[str, object] | None = None,
    ) -> None:  # fmt: skip
        """One alarm in ``states`` (hidden from the alarm lists), chosen, then ``cmd``."""
        if not (self.commands.logged_in(what) if fleet
                else self.commands.ready(crane, what)):  # fmt: skip
            return
        hidden = alarms_in(self.view(), states, None if fleet else crane)
        if not hidden:
            where = "the fleet" if fleet else str(crane)
            state = "/".join(sorted(s.name.lower().replace("_", " ") for s in states))
            self.say(f"{what}: no alarm of {where} is {state}", refused=True)
            return

        def chosen(pick: tuple[CraneKey, str] | None) -> None:
            if pick is not None:
                key, alarm = pick
                self._send(key, cmd, f"{what} {alarm}", {"alarm": alarm, **(extra or {})})

        options = [(f"{key} · {alarm}" if fleet else alarm, (key, alarm)) for key, alarm in hidden]
        self.ask(ChoiceModal(f"{what.capitalize()}: which alarm?", options), chosen)

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
