"""The client's end of the seam: :class:`RemoteBridge`, the HMI's bridge to a station elsewhere.

``RemoteBridge`` implements the :class:`~crane_ctrl.runtime.bridge.Bridge` protocol over the
station's socket. It is an async context manager on the client's loop that owns one task: connect,
say hello, then read (views, replies, facts) until the connection ends; wait
:data:`RECONNECT_S` and connect again, for as long as it is open. ``view`` is the last view
received; ``lost`` says why there is no station while there is none (the HMI shows it);
``station`` stands in for the station: its static facts from the hello, and its actions by name,
to pass to :meth:`RemoteBridge.call` as the HMI passes the station's own methods. Every request
has a deadline; a request open when the connection ends raises
:class:`~crane_ctrl.errors.StationLost`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import (
    CommandRefused,
    JobRefused,
    LoginRefused,
    SeamError,
    SessionRefused,
    StationLost,
)
from crane_ctrl.operation.machine import Role
from crane_ctrl.profile.model import Profile
from crane_ctrl.realtime import sleep_unless
from crane_ctrl.runtime.seam.actions import ACTION_NAMES, action
from crane_ctrl.runtime.seam.messages import (
    MAX_VIEW_BYTES,
    PROTOCOL,
    Bye,
    ClientHello,
    Login,
    Logout,
    Reply,
    Request,
    StationHello,
    frame,
    parse_station,
)
from crane_ctrl.runtime.seam.wire import decoder
from crane_ctrl.runtime.sim_faults import FaultChannel
from crane_ctrl.runtime.station import CraneStation, StationView, User
from crane_ctrl.site import SiteLayout

__all__ = ["CALL_TIMEOUT_S", "RECONNECT_S", "SILENCE_S", "RemoteAction", "RemoteBridge"]

T = TypeVar("T")

CALL_TIMEOUT_S = 5.0
"""Longest wait for the station to answer one request (unless the call says otherwise)."""
CONNECT_TIMEOUT_S = 2.0
"""Longest wait to connect and to get the station's hello."""
RECONNECT_S = 0.5
"""Pause between attempts to reach a station that is not there."""
SILENCE_S = 5.0
"""A station that sends nothing for this long (it sends ~10 views a second) counts as lost."""
_decode_view = decoder(StationView)


@dataclass(frozen=True, slots=True)
class RemoteAction:
    """A station action by name: what ``bridge.station.<action>`` is on a remote bridge."""

    name: str


class RemoteStation:
    """Stands in for the station: static facts from the hello, actions by name."""

    def __init__(self, hello: StationHello) -> None:
        facts = hello.facts
        self.id = hello.station
        self.params: CraneParams = decoder(CraneParams)(facts["params"], "facts.params")
        self.site: SiteLayout = decoder(SiteLayout)(facts["site"], "facts.site")
        self.profile: Profile = decoder(Profile)(facts["profile"], "facts.profile")
        path = facts.get("profile_path")
        self.profile_path = None if path is None else Path(str(path))
        notes = facts.get("notes")
        self.notes = tuple(str(n) for n in notes) if isinstance(notes, list) else ()
        offset = facts["wall_offset_s"]
        if not isinstance(offset, int | float):
            raise SeamError(f"the station's hello has wall_offset_s {offset!r}, not a number")
        self.wall_offset_s = float(offset)
        """The station's times as wall time (its clock is its own: another process, perhaps
        another machine); as of the hello."""
        channel = facts.get("fault_channel")
        self.fault_channel = _fault_channel(channel)
        """Where the simulator's fault channel is (the demo), or ``None``."""

    def __getattr__(self, name: str) -> RemoteAction:
        if name in ACTION_NAMES:
            return RemoteAction(name)
        raise AttributeError(f"the station has no fact or action {name!r}")


class RemoteBridge:
    """The station at ``path``, over the seam; open with ``async with``."""

    def __init__(
        self,
        path: Path,
        *,
        client: str = "hmi",
        view_hz: float = 10.0,
        timeout_s: float = CALL_TIMEOUT_S,
        silence_s: float | None = SILENCE_S,
    ) -> None:
        self.path = path
        self.client = client
        self.view_hz = view_hz
        self.timeout_s = timeout_s
        self.silence_s = silence_s
        self.lost: str | None = "not connected yet"
        """Why there is no station now; ``None`` while connected."""
        self.connections = 0
        """How many times a connection was made (a reconnect counts)."""
        self._view: StationView | None = None
        self._station: RemoteStation | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[int, asyncio.Future[Reply]] = {}
        self._ids = itertools.count(1)
        self._stop = asyncio.Event()
        self._tasks: asyncio.TaskGroup | None = None
        self._changed = asyncio.Event()

    # --- the Bridge protocol

    @property
    def station(self) -> CraneStation:
        """The station's stand-in (facts and action names), typed as what it stands in for."""
        if self._station is None:
            raise StationLost(f"no station yet at {self.path}: {self.lost}")
        return cast(CraneStation, self._station)

    @property
    def notes(self) -> tuple[str, ...]:
        """The station's notes for whoever attaches (from its hello); none before it."""
        return () if self._station is None else self._station.notes

    @property
    def view(self) -> StationView:
        """The last view the station sent (it stays while the station is lost)."""
        if self._view is None:
            raise StationLost(f"no view yet from {self.path}: {self.lost}")
        return self._view

    async def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        timeout_s: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """``fn`` (``bridge.station.<action>``) as ``args[0]`` (the logged-in user)."""
        if not isinstance(fn, RemoteAction) or not args or not isinstance(args[0], User):
            raise TypeError("a remote call takes bridge.station.<action> and the user first")
        act = action(fn.name)
        encoded, named = act.encode_args(args[1:], kwargs)
        request_id = next(self._ids)
        request = Request(id=request_id, session=args[0].session, action=act.name,
                          args=encoded, kwargs=named)  # fmt: skip
        reply = await self._ask(request, self.timeout_s if timeout_s is None else timeout_s)
        return act.decode_result(reply.result, f"reply {request_id}")

    async def login(self, role: Role, pin: str) -> User:
        """A session from the station for ``role``; :class:`LoginRefused` on a wrong PIN."""
        reply = await self._ask(Login(id=next(self._ids), role=role, pin=pin), self.timeout_s)
        result = reply.result
        if not isinstance(result, dict):
            raise SeamError(f"login reply {reply.id}: expected an object, got {result!r}")
        return User(str(result["user"]), Role(str(result["role"])), session=str(result["session"]))

    async def logout(self, user: User) -> None:
        """End ``user``'s session at the station; :class:`SessionRefused` if it has none."""
        await self._ask(Logout(id=next(self._ids), session=user.session), self.timeout_s)

    # --- open and close

    async def __aenter__(self) -> RemoteBridge:
        self._tasks = asyncio.TaskGroup()
        await self._tasks.__aenter__()
        self._tasks.create_task(self._run())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tasks is not None
        self._stop.set()
        if self._writer is not None:
            self._writer.close()
        await self._tasks.__aexit__(kind, exc, tb)

    async def connected(self, within: float) -> None:
        """Wait (bounded) until the station has sent its hello and (if views are asked) a view."""
        async with asyncio.timeout(within):
            while self.lost is not None or (self._view is None and self.view_hz > 0):
                self._changed.clear()
                await self._changed.wait()

    async def changed(self, within: float) -> None:
        """Wait (bounded) for the next view, connection or loss."""
        self._changed.clear()
        async with asyncio.timeout(within):
            await self._changed.wait()

    # --- the connection

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT_S):
                    opened = asyncio.open_unix_connection(self.path, limit=MAX_VIEW_BYTES)
                    reader, writer = await opened
            except (OSError, TimeoutError) as exc:
                self._set_lost(f"no station at {self.path} ({_why(exc)})")
            else:
                await self._connection(reader, writer)
            await sleep_unless(self._stop, RECONNECT_S)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        try:
            hello = ClientHello(protocol=PROTOCOL, client=self.client, view_hz=self.view_hz)
            writer.write(frame(hello))
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await writer.drain()
                self._hello(parse_station(await reader.readline()))
            self.connections += 1
            self._set_lost(None)
            await self._read(reader)
        except (OSError, SeamError, TimeoutError, ValueError) as exc:
            self._set_lost(f"station at {self.path} lost ({_why(exc)})")
        finally:
            self._writer = None
            writer.close()
            self._fail_pending(StationLost(f"the station at {self.path} went away ({self.lost})"))
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(1.0):
                    await writer.wait_closed()

    def _hello(self, message: object) -> None:
        if isinstance(message, Bye):
            raise StationLost(f"the station said: {message.reason}")
        if not isinstance(message, StationHello) or message.type != "hello":
            raise SeamError("the station did not say hello first")
        if message.protocol != PROTOCOL:
            raise SeamError(f"the station speaks protocol {message.protocol}, we {PROTOCOL}")
        self._station = RemoteStation(message)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            async with asyncio.timeout(self.silence_s):
                line = await reader.readline()
            if not line:
                raise StationLost("the station closed the connection")
            message = parse_station(line)
            if isinstance(message, dict):
                self._view = _decode_view(message.get("view"), "view")
                self._set_lost(None)
            elif isinstance(message, Reply):
                waiting = self._pending.pop(message.id, None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(message)
            elif isinstance(message, StationHello):
                self._station = RemoteStation(message)
            else:
                raise StationLost(f"the station said: {message.reason}")

    async def _ask(self, message: Login | Logout | Request, timeout_s: float) -> Reply:
        writer = self._writer
        if writer is None or self.lost is not None:
            raise StationLost(f"no station: {self.lost}")
        waiting: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending[message.id] = waiting
        try:
            async with asyncio.timeout(timeout_s):
                writer.write(frame(message))
                await writer.drain()
                reply = await waiting
        except TimeoutError:
            raise TimeoutError(f"the station did not answer within {timeout_s:g} s") from None
        finally:
            self._pending.pop(message.id, None)
        if not reply.ok:
            raise _refusal(reply)
        return reply

    def _fail_pending(self, error: Exception) -> None:
        for waiting in self._pending.values():
            if not waiting.done():
                waiting.set_exception(error)
        self._pending.clear()

    def _set_lost(self, why: str | None) -> None:
        if why != self.lost or why is None:
            self.lost = why
            self._changed.set()


def _fault_channel(fact: object) -> FaultChannel | None:
    """The ``fault_channel`` fact (``HOST:PORT``); ``None`` when there is none, or it is not
    one (an older or foreign station: no fault panel rather than no HMI)."""
    if not isinstance(fact, str):
        return None
    try:
        return FaultChannel.parse(fact)
    except ValueError:
        return None


def _refusal(reply: Reply) -> Exception:
    """The station's refusal as the error the station raised (or a CommandRefused)."""
    reasons = tuple(reply.reasons) or (reply.error or "refused",)
    if reply.error == "LoginRefused":
        return LoginRefused("; ".join(reasons))
    if reply.error in ("SeamError", "InternalError"):
        return SeamError(f"the station: {'; '.join(reasons)}")
    kind = {"JobRefused": JobRefused, "SessionRefused": SessionRefused}.get(reply.error)
    return (kind or CommandRefused)(*reasons)


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) and not str(exc):
        return "timed out"
    return str(exc) or type(exc).__name__
