"""The operations centre's end of the command path: log in to one station, give it commands, await
each answer by its request id, with a deadline. What the ops HMI calls::

    async with OperatorClient(Broker.parse("mqtt://127.0.0.1:1883"),
                              NodeTopics.of("block-A", "ASC-07"), host="ops-1") as ops:
        await ops.login("kim", Role.OPERATOR, pin)          # LoginRefused; the PIN stays here
        result = await ops.command("hold", reason="lashing check")
        if not result.done:
            show(result.why)                                 # the station's words
        result = await ops.command("job.add", {"from": "truck:T1", "to": "stack:7:3:1",
                                               "size_ft": 40, "container": "MSKU1234565"})
        await ops.command("landing.take")
        async with ops.holding_jog("hoist", -1):             # while the key is held
            await key_released()
        await ops.command("landing.confirm")

One client is one MQTT connection to one station's topics. It learns the station's aliases from
its NBIRTH (asking for a rebirth if it has seen none: NDATA and NCMD name metrics by alias). The
PIN is turned into its PBKDF2 key here, in a worker thread, and neither ever leaves the process:
the login is SRP (:mod:`crane_ctrl.fleet.srp`), and every command then carries the session's
tag, a counter one more each time, and a MAC under the login's key. An answer to a command is
taken only with a good MAC, except a refusal the station could not sign (an unknown session,
a bad MAC), which comes back with ``authentic`` false. Every wait has a deadline: a station that
does not answer raises :class:`TimeoutError` naming it and the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import aiomqtt

from crane_ctrl.clock import Clock
from crane_ctrl.errors import LoginRefused, PayloadError, SessionRefused
from crane_ctrl.fleet.broker import Broker, Credentials
from crane_ctrl.fleet.mqtt_client import mqtt_client
from crane_ctrl.fleet.operator_wire import (
    COMMAND,
    LOGIN,
    RESULT,
    Keys,
    Outcome,
    Result,
    keys,
    login_text,
    parse_result,
    seal,
)
from crane_ctrl.fleet.payload import REBIRTH, DataType, Metric, Payload, aliases_of, decode, encode
from crane_ctrl.fleet.srp import GROUP, client_proof, client_start, x_of
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import MIN_ITERATIONS, pin_key
from crane_ctrl.realtime import MonotonicClock

__all__ = ["ANSWER_WITHIN_S", "JOG_REFRESH_S", "OperatorClient", "RemoteLogin"]

log = logging.getLogger(__name__)

ANSWER_WITHIN_S = 5.0
"""How long a command waits for the station's answer by default (and each network call)."""
JOG_REFRESH_S = 0.2
""":meth:`OperatorClient.holding_jog` repeats the jog this often: a third of the station's
dead-man time (0.6 s), so two lost repeats still do not stop it."""
MAX_ITERATIONS = 10_000_000
"""More PBKDF2 rounds than this from a "station" is refused (it would stall the login)."""


@dataclass(frozen=True, slots=True)
class RemoteLogin:
    """Who this client is logged in as at the station (the keys never show in ``repr``)."""

    user: str
    role: Role
    session: str
    """The session's tag: what the station's journal shows (not a bearer token)."""
    keys: Keys


class OperatorClient:
    """One operator's line to one station, over an MQTT broker."""

    def __init__(self, broker: Broker, topics: NodeTopics, *, host: str,
                 credentials: Credentials | None = None, clock: Clock | None = None,
                 within_s: float = ANSWER_WITHIN_S) -> None:  # fmt: skip
        """``host``: the operations centre's id (the journal's source is ``ops:HOST``)."""
        self.broker, self.topics, self.host = broker, topics, host
        self.node = str(topics)
        self.credentials = credentials
        self.clock: Clock = clock or MonotonicClock()
        self.within_s = within_s
        self.login_as: RemoteLogin | None = None
        self._n = 0
        self._sending = asyncio.Lock()
        """Held from numbering a command to its publish: counters go out in order."""
        self._pending: dict[str, tuple[asyncio.Future[Result], bool]] = {}
        self._aliases: dict[str, int] = {}
        self._by_alias: dict[int, Metric] = {}
        self._born = asyncio.Event()
        self._client: aiomqtt.Client | None = None
        self._reader: asyncio.Task[None] | None = None

    # --- lifetime

    async def __aenter__(self) -> Self:
        name = f"crane-ctrl-ops-{self.host}-{secrets.token_hex(4)}"
        client = mqtt_client(self.broker, self.credentials, identifier=name, timeout=self.within_s)
        async with asyncio.timeout(self.within_s * 2):
            await client.__aenter__()
        self._client = client
        try:
            for topic in (self.topics.nbirth, self.topics.ndata):
                await client.subscribe(topic, qos=1, timeout=self.within_s)
            self._reader = asyncio.create_task(self._read(client), name=f"ops {self.node}")
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close()

    @property
    def is_open(self) -> bool:
        """Whether the line is up: connected, and its reader still reading (a lost broker ends
        it: open a new client)."""
        return self._client is not None and self._reader is not None and not self._reader.done()

    async def _close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except asyncio.CancelledError:
                pass
            except (aiomqtt.MqttError, OSError) as exc:  # the line was lost before: it ended so
                log.info("ops %s: the line had ended: %s", self.node, exc)
        for future, _ in self._pending.values():
            if not future.done():
                future.set_exception(SessionRefused(f"the line to {self.node} is closed"))
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, OSError, TimeoutError):
                async with asyncio.timeout(self.within_s):
                    await client.__aexit__(None, None, None)

    # --- logging in and out

    async def login(self, user: str, role: Role, pin: str, *, within_s: float | None = None
                    ) -> RemoteLogin:  # fmt: skip
        """Log in as ``user`` with ``role``'s PIN; :class:`LoginRefused` with the station's
        reason (a wrong user or PIN, the wait after wrong PINs), :class:`TimeoutError` when it
        does not answer."""
        a, a_pub = client_start()
        start = {"step": "start", "user": user, "role": str(role), "host": self.host,
                 "A": f"{a_pub:x}"}  # fmt: skip
        challenge = await self._login_step(start, within_s)
        salt, rounds, b_pub, login = _challenge(challenge)
        key = await asyncio.to_thread(pin_key, pin, salt, rounds)
        m1, session_key = await asyncio.to_thread(client_proof, GROUP, user.encode(), salt,
                                                  x_of(key), a, b_pub)  # fmt: skip
        done = await self._login_step({"step": "proof", "login": login, "M1": m1.hex()}, within_s)
        if done.values.get("M2") != GROUP.m2(a_pub, m1, session_key).hex():
            raise LoginRefused(f"{self.node} answered the login without the station's proof: "
                               "not that station (or someone posing as it)")  # fmt: skip
        self._n = 0
        self.login_as = RemoteLogin(user, role, str(done.values.get("session", "")),
                                    keys(session_key))  # fmt: skip
        return self.login_as

    async def _login_step(self, doc: dict[str, Any], within_s: float | None) -> Result:
        rid = _request_id()
        result = await self._ask(LOGIN, login_text({"id": rid, **doc}), rid, within_s,
                                 signed=False)  # fmt: skip
        if result.outcome is Outcome.REFUSED or result.outcome is Outcome.FAILED:
            raise LoginRefused(f"{self.node}: {result.why}")
        return result

    async def logout(self, *, within_s: float | None = None) -> Result:
        result = await self.command("logout", within_s=within_s)
        self.login_as = None
        return result

    # --- commands

    async def command(self, cmd: str, args: Mapping[str, Any] | None = None, /, *,
                      within_s: float | None = None, **more: Any) -> Result:  # fmt: skip
        """Give the station ``cmd`` with ``args`` and ``more`` (docs/fleet.md lists them) and
        await its answer: done, refused (with the station's reasons) or failed.
        :class:`SessionRefused` before a login; :class:`TimeoutError` when the station does not
        answer in time."""
        login = self.login_as
        if login is None:
            raise SessionRefused(f"{cmd}: log in to {self.node} first")
        rid = _request_id()
        async with self._sending:
            self._n += 1
            body = {"id": rid, "user": login.user, "session": login.session, "n": self._n,
                    "cmd": cmd, "args": {**(args or {}), **more}}  # fmt: skip
            text = seal(body, login.keys.command, self.node)
            future = self._expect(rid, signed=True)
            await self._publish(COMMAND, text)
        return await self._answer(rid, future, within_s)

    async def jog(self, axis: str, direction: int) -> Result:
        """One jog of the landing taken (``landing.jog``): it holds for the station's dead-man
        time; repeat it (or use :meth:`holding_jog`) to keep the crane moving."""
        return await self.command("landing.jog", axis=axis, direction=direction)

    @contextlib.asynccontextmanager
    async def holding_jog(self, axis: str, direction: int, *, every_s: float = JOG_REFRESH_S
                          ) -> AsyncIterator[Result]:  # fmt: skip
        """Jog while the block runs (a key held down): the first jog's answer, then a repeat
        every ``every_s`` until the block ends or one is refused; then ``landing.stop``."""
        first = await self.jog(axis, direction)
        repeating = asyncio.create_task(self._repeat(axis, direction, every_s, first))
        try:
            yield first
        finally:
            repeating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await repeating
            with contextlib.suppress(TimeoutError, SessionRefused):
                await self.command("landing.stop")

    async def _repeat(self, axis: str, direction: int, every_s: float, first: Result) -> None:
        result = first
        while result.done:
            await asyncio.sleep(every_s)  # the key repeat's pace, not a wait for anything
            try:
                result = await self.jog(axis, direction)
            except TimeoutError:
                log.warning("ops %s: a jog repeat was not answered", self.node)
            except SessionRefused:
                return

    # --- the wire

    def _expect(self, rid: str, *, signed: bool) -> asyncio.Future[Result]:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending[rid] = (future, signed)
        return future

    async def _ask(self, name: str, text: str, rid: str, within_s: float | None, *,
                   signed: bool) -> Result:  # fmt: skip
        future = self._expect(rid, signed=signed)
        async with self._sending:
            await self._publish(name, text)
        return await self._answer(rid, future, within_s)

    async def _answer(self, rid: str, future: asyncio.Future[Result], within_s: float | None
                      ) -> Result:  # fmt: skip
        limit = self.within_s if within_s is None else within_s
        try:
            async with asyncio.timeout(limit):
                return await future
        except TimeoutError:
            raise TimeoutError(f"{self.node} did not answer request {rid} within "
                               f"{limit:g} s") from None  # fmt: skip
        finally:
            self._pending.pop(rid, None)

    async def _publish(self, name: str, text: str) -> None:
        """``name`` = ``text`` in an NCMD, by alias (asking for a birth if none was seen)."""
        client = self._client
        if client is None:
            raise SessionRefused(f"the line to {self.node} is closed")
        if not self._born.is_set():
            await self._rebirth(client)
        metric = Metric(None, text, DataType.STRING, alias=self._aliases[name],
                        timestamp_ms=self._now_ms())  # fmt: skip
        data = encode(Payload(self._now_ms(), None, (metric,)))
        await client.publish(self.topics.ncmd, data, qos=1, timeout=self.within_s)

    async def _rebirth(self, client: aiomqtt.Client) -> None:
        ask = Metric(REBIRTH, True, DataType.BOOLEAN, timestamp_ms=self._now_ms())
        await client.publish(self.topics.ncmd, encode(Payload(self._now_ms(), None, (ask,))),
                             qos=1, timeout=self.within_s)  # fmt: skip
        try:
            async with asyncio.timeout(self.within_s):
                await self._born.wait()
        except TimeoutError:
            raise TimeoutError(f"{self.node} is not born: no NBIRTH within {self.within_s:g} s "
                               "of asking for one") from None  # fmt: skip

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            data = message.payload if isinstance(message.payload, bytes) else b""
            try:
                self._take(message.topic.value, data)
            except PayloadError as exc:
                log.warning("ops %s: ignored a message on %s: %s", self.node, message.topic, exc)

    def _take(self, topic: str, data: bytes) -> None:
        if topic == self.topics.nbirth:
            birth = decode(data)
            self._by_alias = aliases_of(birth)
            self._aliases = {m.name: a for a, m in self._by_alias.items() if m.name}
            if RESULT in self._aliases:
                self._born.set()
            return
        for metric in decode(data, self._by_alias).metrics:
            if metric.name == RESULT and isinstance(metric.value, str):
                self._resolve(parse_result(metric.value, self.node, self._result_key))

    def _result_key(self, rid: str) -> bytes | None:
        login = self.login_as
        return login.keys.result if login is not None else None

    def _resolve(self, result: Result) -> None:
        waiting = self._pending.get(result.id)
        if waiting is None or waiting[0].done():
            return
        future, signed = waiting
        if signed and result.done and not result.authentic:
            log.warning("ops %s: a 'done' for %s without the station's MAC ignored", self.node,
                        result.id)  # fmt: skip
            return
        future.set_result(result)

    def _now_ms(self) -> int:
        return round(self.clock.wall() * 1000.0)


def _request_id() -> str:
    return secrets.token_hex(8)


def _challenge(result: Result) -> tuple[bytes, int, int, str]:
    """(salt, rounds, B, login id) of the station's first answer; :class:`LoginRefused` if
    they are not what a station sends."""
    v = result.values
    try:
        salt, rounds = bytes.fromhex(str(v["salt"])), v["iterations"]
        b_pub, login = int(str(v["B"]), 16), str(v["login"])
    except (KeyError, ValueError):
        raise LoginRefused(f"the station's challenge is incomplete: {sorted(v)}") from None
    if not isinstance(rounds, int) or not MIN_ITERATIONS <= rounds <= MAX_ITERATIONS:
        raise LoginRefused(f"the station asks for {rounds!r} PBKDF2 rounds: not a station's")
    return salt, rounds, b_pub, login
