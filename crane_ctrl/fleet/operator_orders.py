"""What each ``Operator/Command`` does at the station: a table of orders, each a call to the same
:class:`~crane_ctrl.runtime.station.CraneStation` method the local HMI calls.

The station checks the session and the role and journals the action, done or refused, exactly as
for the local HMI (only the source differs: ``ops:HOST``). An order's arguments are read here
first (:class:`Args`), each refusal naming the argument. ``docs/fleet.md`` lists the orders.

A bypass is not an order: an interlock is bypassed only at the crane's own station HMI (the
maintenance role, MAINTENANCE mode, time-limited), never from the operations centre, so that no
remote session, mistaken or stolen, can take a protection away. Ending a bypass gives one back:
that is an order (``interlocks.end_bypass``).

Remote jogs move only a SEMIAUTOMATIC landing the operator took (``landing.take``): there is no
remote MANUAL jogging (a ``landing.jog`` before a ``landing.take`` breaks the protocol). Each
``landing.jog`` holds the jog for the sequencer's dead-man time (``jog_hold_s``, 0.6 s of the
station's clock); the operations centre repeats it while the key is held, and the jog stops by
itself, in the scan, once repeats stop arriving.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from crane_ctrl.commands import AXES
from crane_ctrl.errors import OrderError
from crane_ctrl.operation.machine import Mode, PackCommand
from crane_ctrl.runtime.sessions import User
from crane_ctrl.runtime.station import CraneStation
from crane_ctrl.site import Slot, parse_slot

__all__ = ["ORDERS", "STOP", "Args", "Order"]

_E = TypeVar("_E", bound=StrEnum)
Value = Mapping[str, Any] | None
"""What an order answers beyond done (a new job's id), if anything."""
Order = Callable[[CraneStation, User, "Args"], Value]

STOP = "stop"
"""Accepted from any authenticated operator, whatever the role."""


class Args:
    """An order's arguments, read with the name of what is wrong."""

    def __init__(self, cmd: str, args: Mapping[str, Any]) -> None:
        self.cmd = cmd
        self.args = args

    def bad(self, name: str, want: str) -> OrderError:
        got = self.args.get(name)
        return OrderError(f"{self.cmd} args.{name}: {want}, not "
                          f"{'nothing' if got is None else repr(got)[:40]}")  # fmt: skip

    def text(self, name: str) -> str:
        value = self.args.get(name)
        if not isinstance(value, str) or not value:
            raise self.bad(name, "text")
        return value

    def maybe_text(self, name: str) -> str | None:
        return None if self.args.get(name) is None else self.text(name)

    def number(self, name: str) -> float:
        value = self.args.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.bad(name, "a number")
        return float(value)

    def maybe_number(self, name: str) -> float | None:
        return None if self.args.get(name) is None else self.number(name)

    def whole(self, name: str) -> int:
        value = self.args.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.bad(name, "a whole number")
        return value

    def flag(self, name: str) -> bool:
        value = self.args.get(name)
        if not isinstance(value, bool):
            raise self.bad(name, "true or false")
        return value

    def slot(self, name: str) -> Slot:
        text = self.text(name)
        try:
            return parse_slot(text)
        except ValueError:
            raise self.bad(name, "a slot (truck:T1, agv:A1, stack:BAY:ROW[:TIER])") from None

    def choice(self, name: str, kind: type[_E]) -> _E:
        value = self.args.get(name)
        if not isinstance(value, str) or value not in {str(k) for k in kind}:
            raise self.bad(name, f"one of {', '.join(str(k) for k in kind)}")
        return kind(value)


def _add_job(station: CraneStation, user: User, a: Args) -> Value:
    job = station.add_job(user, a.slot("from"), a.slot("to"), a.whole("size_ft"),
                          declared_mass_t=a.maybe_number("declared_mass_t"),
                          job_id=a.maybe_text("job"),
                          container_id=a.maybe_text("container"))  # fmt: skip
    return {"job": job.id}


def _cancel_job(station: CraneStation, user: User, a: Args) -> Value:
    station.cancel_job(user, a.text("job"))
    return None


def _set_down(station: CraneStation, user: User, a: Args) -> Value:
    station.set_down(user)
    return None


def _pack(command: PackCommand) -> Order:
    def order(station: CraneStation, user: User, a: Args) -> Value:
        station.pack(user, command, a.maybe_text("reason") or "")
        return None

    return order


def _mode(station: CraneStation, user: User, a: Args) -> Value:
    station.set_mode(user, a.choice("mode", Mode))
    return None


def _interlock_reset(station: CraneStation, user: User, a: Args) -> Value:
    station.reset(user)
    return None


def _acknowledge(station: CraneStation, user: User, a: Args) -> Value:
    station.acknowledge(user, a.maybe_text("alarm"))
    return None


def _shelve(station: CraneStation, user: User, a: Args) -> Value:
    minutes = a.number("minutes")
    if minutes <= 0:
        raise a.bad("minutes", "more than 0")
    station.shelve(user, a.text("alarm"), minutes * 60.0, reason=a.text("reason"))
    return None


def _unshelve(station: CraneStation, user: User, a: Args) -> Value:
    station.unshelve(user, a.text("alarm"))
    return None


def _out_of_service(station: CraneStation, user: User, a: Args) -> Value:
    station.set_out_of_service(user, a.text("alarm"), a.flag("on"))
    return None


def _end_bypass(station: CraneStation, user: User, a: Args) -> Value:
    station.end_bypass(user)
    return None


def _take(station: CraneStation, user: User, a: Args) -> Value:
    station.take_landing(user)
    return None


def _jog(station: CraneStation, user: User, a: Args) -> Value:
    axis, direction = a.text("axis"), a.whole("direction")
    if axis not in AXES or direction not in (-1, 0, 1):
        raise a.bad("axis" if axis not in AXES else "direction",
                     "gantry, trolley or hoist" if axis not in AXES else "-1, 0 or +1")  # fmt: skip
    if station.view.awaiting_confirm is None or station.landing_holder is None:
        raise OrderError("landing.jog: a remote jog moves only a landing you took "
                         "(landing.take) while it waits for the operator")  # fmt: skip
    station.jog(user, axis, direction)  # which refuses a landing someone else took
    return None


def _stop_jog(station: CraneStation, user: User, a: Args) -> Value:
    station.stop_jog(user)
    return None


def _confirm(station: CraneStation, user: User, a: Args) -> Value:
    station.confirm_landing(user)
    return None


def _release(station: CraneStation, user: User, a: Args) -> Value:
    station.release_landing(user)
    return None


ORDERS: Mapping[str, Order] = {
    "job.add": _add_job,
    "job.cancel": _cancel_job,
    "job.set_down": _set_down,
    **{str(c): _pack(c) for c in (PackCommand.HOLD, PackCommand.UNHOLD, PackCommand.STOP,
                                  PackCommand.RESET, PackCommand.START, PackCommand.ABORT,
                                  PackCommand.CLEAR)},
    "mode": _mode,
    "interlocks.reset": _interlock_reset,
    "interlocks.end_bypass": _end_bypass,
    "alarm.acknowledge": _acknowledge,
    "alarm.shelve": _shelve,
    "alarm.unshelve": _unshelve,
    "alarm.out_of_service": _out_of_service,
    "landing.take": _take,
    "landing.jog": _jog,
    "landing.stop": _stop_jog,
    "landing.confirm": _confirm,
    "landing.release": _release,
}  # fmt: skip
"""Every order but ``logout`` (the desk's own), by the name ``cmd`` gives."""
