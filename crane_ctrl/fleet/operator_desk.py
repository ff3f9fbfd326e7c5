"""The station's desk for the operations centre: ``Operator/Login`` and ``Operator/Command`` writes
(NCMD) in, ``Operator/Result`` answers out, each command carried out by the station.

The edge node hands each write to :meth:`OperatorDesk.take` in its own task, in the order they
arrive, and publishes the answer (:mod:`crane_ctrl.fleet.node_commands`); the station's methods
are called on the station's loop between scans, as the seam calls them. A login goes to
:class:`~crane_ctrl.fleet.operator_logins.Logins`; a command is verified there (session, MAC,
user, counter), then carried out by its order (:data:`~crane_ctrl.fleet.operator_orders.ORDERS`)
with the station's own session of that user. The station journals what it does, done or refused,
exactly as for the local HMI; what never reaches it (an unreadable argument, an unknown command,
an authentication refused) the desk journals with the same fields.

A STOP is an order like the others: any authenticated operator may give it, whatever the role;
the station refuses it only where PackML has no STOP (already stopped). Nothing here is a safety
function: the crane's e-stop and the PLC's safety never depend on the broker.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from crane_ctrl.errors import CommandRefused, CraneCtrlError, OrderError, SessionRefused
from crane_ctrl.fleet.operator_logins import Logins, Remote
from crane_ctrl.fleet.operator_orders import ORDERS, Args
from crane_ctrl.fleet.operator_wire import (
    COMMAND,
    LANDING,
    LOGIN,
    METRICS,
    REFUSED,
    RESULT,
    LoginStart,
    Order,
    Outcome,
    Result,
    parse_login,
    request_of,
    seal,
)
from crane_ctrl.fleet.payload import MetricValue
from crane_ctrl.fleet.reading import MetricDef
from crane_ctrl.runtime.sessions import session_tag
from crane_ctrl.runtime.station import CraneStation

__all__ = ["LOGOUT", "OperatorDesk"]

log = logging.getLogger(__name__)

LOGOUT = "logout"
"""The order that ends the remote session."""


class OperatorDesk:
    """One station's :class:`~crane_ctrl.fleet.node_commands.NodeCommands`."""

    def __init__(self, station: CraneStation, node: str) -> None:
        """``node``: the station's Sparkplug id (``GROUP/NODE``), bound into every MAC."""
        self.station = station
        self.node = node
        self.logins = Logins(station.sessions, node)

    @property
    def defs(self) -> tuple[MetricDef, ...]:
        return METRICS

    def values(self) -> Mapping[str, MetricValue]:
        holder = self.station.landing_holder
        who = None if holder is None else f"{holder} {holder.source}"
        return {LOGIN: None, COMMAND: None, RESULT: None, REFUSED: self.logins.refused,
                LANDING: who}  # fmt: skip

    async def take(self, name: str, value: MetricValue) -> Mapping[str, MetricValue]:
        if name not in (LOGIN, COMMAND) or not isinstance(value, str):
            log.warning("fleet: a write to %s ignored (the station takes text for %s and %s)",
                        name, LOGIN, COMMAND)  # fmt: skip
            return {}
        if name == LOGIN:
            return {RESULT: await self._login(value)}
        return {RESULT: self._command(value)}

    # --- logins

    async def _login(self, text: str) -> str:
        try:
            message = parse_login(text)
        except OrderError as exc:
            self.logins.refused += 1
            return seal(Result(request_of(text), Outcome.REFUSED, str(exc)).body(), None, self.node)
        if isinstance(message, LoginStart):
            return seal((await self.logins.start(message)).body(), None, self.node)
        result, keys = await self.logins.prove(message)
        return seal(result.body(), keys.result if keys else None, self.node)

    # --- commands

    def _command(self, text: str) -> str:
        try:
            remote, order = self.logins.verify(text)
        except (OrderError, SessionRefused) as exc:
            return seal(Result(request_of(text), Outcome.REFUSED, str(exc)).body(), None, self.node)
        return seal(self._carry_out(remote, order).body(), remote.keys.result, self.node)

    def _carry_out(self, remote: Remote, order: Order) -> Result:
        """The order done by the station for the remote user (or why not)."""
        if order.cmd == LOGOUT:
            return self._logout(remote, order)
        call = ORDERS.get(order.cmd)
        if call is None:
            known = ", ".join([*ORDERS, LOGOUT])
            return self._unread(remote, order, f"no command {order.cmd!r}; commands: {known}")
        try:
            value = call(self.station, remote.user, Args(order.cmd, order.args))
        except OrderError as exc:
            return self._unread(remote, order, str(exc))
        except SessionRefused as exc:  # expired or logged out at the station (journaled there)
            self.logins.forget(remote)
            return _answer(order, Outcome.REFUSED, str(exc))
        except (CraneCtrlError, ValueError, KeyError) as exc:  # journaled by the station
            return _answer(order, Outcome.REFUSED, _why(exc))
        except Exception as exc:
            log.exception("fleet: %s from %s failed", order.cmd, remote.user)
            return _answer(order, Outcome.FAILED, f"{type(exc).__name__}: {exc}")
        return _answer(order, Outcome.DONE, values=dict(value or {}))

    def _logout(self, remote: Remote, order: Order) -> Result:
        try:
            self.logins.logout(remote)
        except SessionRefused as exc:
            self.logins.forget(remote)
            return _answer(order, Outcome.REFUSED, str(exc))
        return _answer(order, Outcome.DONE)

    def _unread(self, remote: Remote, order: Order, why: str) -> Result:
        """Refused before the station: journaled here as the station journals its refusals."""
        journal = self.station.supervisor.journal
        user = remote.user
        if journal is not None:
            journal.record("operator", order.cmd, user=user.name, role=str(user.role),
                           session=session_tag(user.session), source=user.source,
                           result="refused", why=why)  # fmt: skip
        return _answer(order, Outcome.REFUSED, why)


def _answer(order: Order, outcome: Outcome, why: str = "", values: dict[str, Any] | None = None
            ) -> Result:  # fmt: skip
    return Result(order.id, outcome, why, values or {})


def _why(exc: BaseException) -> str:
    if isinstance(exc, CommandRefused):
        return "; ".join(exc.reasons)
    return str(exc).strip("'\"") or type(exc).__name__
