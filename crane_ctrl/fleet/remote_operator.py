"""The operations centre's operator at every crane: one login for the ops session, a session at
each crane opened at the first action there, every command answered (never raised).

::

    async with RemoteOperator(Broker.parse("mqtt://127.0.0.1:1883"), "ops-1") as remote:
        await remote.log_in("kim", Role.OPERATOR, pin)   # kept in memory; nothing sent yet
        answer = await remote.command(CraneKey("block-A", "ASC-07"), "landing.take", {})
        if not answer.done:
            show(answer.why)                             # the station's words

It is the :class:`~crane_ctrl.fleet.command_path.CommandPath` the ops HMI is given. Each crane
gets its own :class:`~crane_ctrl.fleet.operator_client.OperatorClient` (one MQTT connection to
that crane's topics), opened and logged in (SRP) at the first command for it, and kept until the
operator logs out or the ``async with`` ends (each logged out there, with a deadline). The PIN
stays in this object's memory: it is never logged, never written, and forgotten as soon as a
station refuses it (the operator logs in again; a wrong PIN is not tried at every crane).

Every wait has a deadline: opening a line and logging in (:data:`COMMAND_WITHIN_S` each step,
as the client's), a command's answer (:data:`COMMAND_WITHIN_S`; a jog's :data:`JOG_WITHIN_S`).
A station that no longer knows the session (it restarted, or the session expired) refuses
without its MAC: the command is given again once, after a new login.

Jogs are paced (:meth:`RemoteOperator.jog`): a terminal's key repeat sends a key press some 30
times a second; the same jog goes to the crane at most every :data:`JOG_REPEAT_S`, and never
while the last one waits for its answer. Each holds at the station for its dead-man time; when
the repeats stop (the key let go, the path lost or late) the crane stops by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import Self

import aiomqtt

from crane_ctrl.clock import Clock
from crane_ctrl.errors import LoginRefused, SessionRefused
from crane_ctrl.fleet.broker import Broker, Credentials
from crane_ctrl.fleet.command_path import Answer, Verdict
from crane_ctrl.fleet.fleet_view import CraneKey
from crane_ctrl.fleet.mqtt_client import explain
from crane_ctrl.fleet.operator_client import JOG_REFRESH_S, OperatorClient
from crane_ctrl.fleet.operator_wire import Outcome, Result
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.operation.machine import Role
from crane_ctrl.realtime import MonotonicClock

__all__ = ["COMMAND_WITHIN_S", "JOG_REPEAT_S", "JOG_WITHIN_S", "RemoteOperator"]

log = logging.getLogger(__name__)

COMMAND_WITHIN_S = 5.0
"""Deadline of each step: connecting to the broker, each login step, a command's answer."""
JOG_WITHIN_S = 1.0
"""A jog's answer later than this is late: the station's dead-man (0.6 s) has stopped it."""
JOG_REPEAT_S = JOG_REFRESH_S
"""The same jog goes out at most this often (0.2 s: a third of the station's dead-man time, so
two lost repeats still do not stop a held key's jog)."""
STOP_JOG = "landing.stop"


@dataclass(frozen=True, slots=True)
class _Login:
    user: str
    role: Role
    pin: str = field(repr=False)


@dataclass(slots=True)
class _Pace:
    """The last jog sent to a crane: which, when (the pacing clock), whether still unanswered."""

    jog: tuple[str, int]
    sent_s: float
    busy: bool = True


class RemoteOperator:
    """One operator's sessions at the cranes, over an MQTT broker; owned by ``async with``."""

    def __init__(self, broker: Broker, host_id: str, *, credentials: Credentials | None = None,
                 clock: Clock | None = None, within_s: float = COMMAND_WITHIN_S,
                 jog_within_s: float = JOG_WITHIN_S) -> None:  # fmt: skip
        """``host_id``: the operations centre's id (the stations journal ``ops:HOST``);
        ``credentials``: the broker's login; ``clock``: what jogs are paced by."""
        self.broker, self.host_id, self.credentials = broker, host_id, credentials
        self.clock: Clock = clock or MonotonicClock()
        self.within_s, self.jog_within_s = within_s, jog_within_s
        self._login: _Login | None = None
        self._lines: dict[CraneKey, OperatorClient] = {}
        self._logged: dict[CraneKey, _Login] = {}
        self._opening: dict[CraneKey, asyncio.Lock] = {}
        self._pace: dict[CraneKey, _Pace] = {}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.log_out()

    # --- who

    @property
    def operator(self) -> tuple[str, Role] | None:
        login = self._login
        return None if login is None else (login.user, login.role)

    @property
    def sessions(self) -> tuple[CraneKey, ...]:
        return tuple(sorted(k for k, c in self._lines.items() if c.login_as is not None))

    async def log_in(self, user: str, role: Role, pin: str) -> None:
        """Keep ``user``'s login for this ops session; the sessions of the one before end."""
        if self._login is not None:
            await self.log_out()
        self._login = _Login(user, role, pin)

    async def log_out(self) -> Answer:
        """Log out at every crane (each with a deadline), close the lines, forget the login."""
        self._login = None
        lines, self._lines = self._lines, {}
        self._logged.clear()
        self._pace.clear()
        async with asyncio.TaskGroup() as tasks:
            for client in lines.values():
                tasks.create_task(self._close(client))
        return Answer(Verdict.DONE, f"logged out at {len(lines)} crane(s)")

    async def _close(self, client: OperatorClient) -> None:
        if client.login_as is not None and client.is_open:
            with contextlib.suppress(TimeoutError, SessionRefused, aiomqtt.MqttError, OSError):
                await client.logout(within_s=self.within_s)
        with contextlib.suppress(aiomqtt.MqttError, OSError, TimeoutError):
            await client.__aexit__(None, None, None)

    # --- commands

    async def command(self, crane: CraneKey, cmd: str, args: Mapping[str, object]) -> Answer:
        """``cmd`` at ``crane``: done, refused or failed (the station's words), or no answer."""
        if cmd == STOP_JOG:
            self._pace.pop(crane, None)
        within = self.jog_within_s if cmd == "landing.jog" else self.within_s
        try:
            return _answer(await self._command(crane, cmd, args, within))
        except LoginRefused as exc:
            return Answer(Verdict.REFUSED, f"login refused: {exc}; the PIN is forgotten: L "
                          "logs in again")  # fmt: skip
        except SessionRefused as exc:
            return Answer(Verdict.REFUSED, str(exc))
        except TimeoutError as exc:
            return Answer(Verdict.NO_ANSWER, str(exc) or f"{crane}: no answer in time")
        except (aiomqtt.MqttError, OSError) as exc:
            await self._drop(crane)
            why = explain(self.broker, str(exc) or type(exc).__name__)
            return Answer(Verdict.NO_ANSWER, f"cannot reach {crane} through the broker at "
                          f"{self.broker}: {why}")  # fmt: skip

    async def _command(self, crane: CraneKey, cmd: str, args: Mapping[str, object],
                       within_s: float) -> Result:  # fmt: skip
        client = await self._line(crane)
        result = await client.command(cmd, dict(args), within_s=within_s)
        if result.outcome is Outcome.REFUSED and not result.authentic:
            log.info("ops %s: %s refused unsigned (%s): logging in again", crane, cmd, result.why)
            client.login_as = None  # the station does not know the session: a new one, once
            client = await self._line(crane)
            result = await client.command(cmd, dict(args), within_s=within_s)
        return result

    async def jog(self, crane: CraneKey, axis: str, direction: int) -> Answer | None:
        """``landing.jog``; ``None`` when the same jog went out less than
        :data:`JOG_REPEAT_S` ago or still waits for its answer (not sent again)."""
        now = self.clock.now()
        last = self._pace.get(crane)
        due = last is None or (not last.busy and now - last.sent_s >= JOG_REPEAT_S)
        if last is not None and last.jog == (axis, direction) and not due:
            return None
        pace = self._pace[crane] = _Pace((axis, direction), now)
        try:
            return await self.command(crane, "landing.jog", {"axis": axis,
                                                             "direction": direction})  # fmt: skip
        finally:
            pace.busy = False

    # --- the lines

    async def _line(self, crane: CraneKey) -> OperatorClient:
        """The open line to ``crane``, logged in with the login given (opened and logged in
        now if need be)."""
        login = self._login
        if login is None:
            raise SessionRefused("nobody is logged in at the operations centre: L logs in")
        async with self._opening.setdefault(crane, asyncio.Lock()):
            client = self._lines.get(crane)
            if client is None or not client.is_open:
                client = await self._open(crane)
            if client.login_as is None or self._logged.get(crane) is not login:
                await self._log_in(crane, client, login)
            return client

    async def _open(self, crane: CraneKey) -> OperatorClient:
        await self._drop(crane)
        client = OperatorClient(self.broker, NodeTopics.of(crane.group, crane.node),
                                host=self.host_id, credentials=self.credentials,
                                within_s=self.within_s)  # fmt: skip
        await client.__aenter__()
        self._lines[crane] = client
        return client

    async def _log_in(self, crane: CraneKey, client: OperatorClient, login: _Login) -> None:
        try:
            await client.login(login.user, login.role, login.pin)
        except LoginRefused:
            if self._login is login:  # never tried again at this or any other crane
                self._login = None
            raise
        self._logged[crane] = login
        log.info("ops: %s (%s) logged in at %s", login.user, login.role, crane)

    async def _drop(self, crane: CraneKey) -> None:
        """Close the line to ``crane`` (lost, or to be opened anew)."""
        client = self._lines.pop(crane, None)
        self._logged.pop(crane, None)
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, OSError, TimeoutError):
                await client.__aexit__(None, None, None)


def _answer(result: Result) -> Answer:
    verdict = {Outcome.DONE: Verdict.DONE, Outcome.REFUSED: Verdict.REFUSED}.get(
        result.outcome, Verdict.FAILED
    )
    why = result.why
    if verdict is Verdict.REFUSED and not result.authentic:
        why = f"{why} (an answer without the station's MAC)"
    return Answer(verdict, why, MappingProxyType(dict(result.values)))
