"""The station's end of the seam: serves clients on a Unix socket from the station's own loop.

:class:`StationServer` is an async context manager run on the loop that scans (every action is
then called from the scan's thread, between scans, as the station asks). It owns the listening
socket, one task group of connection tasks, and the publisher: at most :data:`VIEW_HZ` times a
second, and only while a client wants views, it encodes the station's latest view once and offers
the line to every client. A client keeps only the newest line it has not sent yet (latest wins),
so a slow client never queues views and never backs up the station; one that has not taken a
line within :data:`STALL_S` is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import secrets
import stat
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import Any

from crane_ctrl.errors import ClientClosed, CommandRefused, CraneCtrlError, SeamError
from crane_ctrl.realtime import sleep_unless
from crane_ctrl.runtime.seam.actions import action
from crane_ctrl.runtime.seam.messages import (
    MAX_REQUEST_BYTES,
    PROTOCOL,
    Bye,
    ClientHello,
    Login,
    Logout,
    Reply,
    Request,
    StationHello,
    frame,
    parse_client,
)
from crane_ctrl.runtime.seam.wire import encoder
from crane_ctrl.runtime.sessions import Sessions
from crane_ctrl.runtime.station import CraneStation, StationView

__all__ = ["ACTION_TIMEOUT_S", "HELLO_WITHIN_S", "STALL_S", "VIEW_HZ", "StationServer"]

log = logging.getLogger(__name__)

VIEW_HZ = 10.0
"""Most views a second to any client (a screen refreshes at 10 Hz)."""
STALL_S = 2.0
"""A client that has not taken the bytes sent to it within this long is dropped."""
HELLO_WITHIN_S = 5.0
"""A client must say hello within this long of connecting."""
ACTION_TIMEOUT_S = {"swap_profile": 30.0, "probe_profile": 30.0}
"""Longest an action may take on the station (others: :data:`DEFAULT_ACTION_TIMEOUT_S`)."""
DEFAULT_ACTION_TIMEOUT_S = 5.0
MAX_PENDING = 16
"""Requests one client may have open at once; more are refused."""
_encode_view = encoder(StationView)


class _Client:
    """One connection: what waits to be written to it, newest view last."""

    def __init__(self, writer: asyncio.StreamWriter, hello: ClientHello) -> None:
        self.writer = writer
        self.name = hello.client
        self.interval_s = 1.0 / hello.view_hz if hello.view_hz > 0 else None
        self.control: deque[bytes] = deque()
        self.view: bytes | None = None
        self.view_at = -1e9
        self.wake = asyncio.Event()
        self.pending = 0
        self.sessions: set[str] = set()
        """Sessions logged in over this connection and not logged out: they end with it."""

    def send(self, line: bytes) -> None:
        self.control.append(line)
        self.wake.set()

    def offer(self, line: bytes, now: float) -> None:
        """The latest view, if this client wants one now (replaces one not yet written)."""
        if self.interval_s is not None and now - self.view_at >= self.interval_s * 0.95:
            self.view, self.view_at = line, now
            self.wake.set()


class StationServer:
    """Serves ``station`` at ``path`` (mode 0600, in a directory only we can enter)."""

    def __init__(
        self, station: CraneStation, sessions: Sessions, path: Path, *, notes: tuple[str, ...] = ()
    ) -> None:
        self.station = station
        self.sessions = sessions
        self.path = path
        self.notes = notes
        """Lines for every client, in the facts (:attr:`StationConfig.notes`)."""
        self.id = secrets.token_hex(8)
        """This station process's id in every hello."""
        self.clients: set[_Client] = set()
        self.encode_s = 0.0
        """The last view's encoding time (``crane-ctrl station`` reports it)."""
        self._tasks: asyncio.TaskGroup | None = None
        self._server: asyncio.Server | None = None
        self._facts_of: object = None
        self._facts = b""
        self._stop = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> StationServer:
        _private_dir(self.path.parent)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISSOCK(self.path.lstat().st_mode):
                self.path.unlink()  # a socket left by a station that died
        self._tasks = asyncio.TaskGroup()
        await self._tasks.__aenter__()
        try:
            self._server = await asyncio.start_unix_server(self._accept, self.path,
                                                           limit=MAX_REQUEST_BYTES)  # fmt: skip
            os.chmod(self.path, 0o600)
        except BaseException as exc:
            self._stop.set()
            await self._tasks.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        self._tasks.create_task(self._publish())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tasks is not None
        assert self._server is not None
        self._server.close()
        self._stop.set()
        bye = frame(Bye(reason="the station is stopping"))
        for writer in list(self._writers):
            writer.write(bye)
            writer.close()  # the connection's reader sees its end; what is buffered goes first
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        try:
            await self._tasks.__aexit__(kind, exc, tb)
        finally:
            async with asyncio.timeout(2.0):
                await self._server.wait_closed()

    # --- connections

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._tasks is not None
        self._tasks.create_task(self._connection(reader, writer))

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client: _Client | None = None
        self._writers.add(writer)
        try:
            hello = await self._hello(reader, writer)
            if hello is None:
                return
            client = _Client(writer, hello)
            client.send(self._facts_line("hello"))
            self.clients.add(client)
            self._journal("client connected", client.name)
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._write(client))
                await self._read(client, reader, tasks)
                await _flush(client)  # a bye for a broken message goes out before we close
                raise ClientClosed  # the client closed its end (or broke the protocol): stop
        except* (ConnectionError, TimeoutError, SeamError):  # (ClientClosed is one)
            pass
        finally:
            self._writers.discard(writer)
            if client is not None:
                self.clients.discard(client)
                self._journal("client disconnected", client.name)
                for session in client.sessions:
                    self.sessions.end(session, client=client.name, reason="connection closed")
            writer.close()
            with contextlib.suppress(ConnectionError, TimeoutError):
                async with asyncio.timeout(1.0):
                    await writer.wait_closed()

    async def _hello(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> ClientHello | None:
        try:
            async with asyncio.timeout(HELLO_WITHIN_S):
                line = await _line(reader)
            hello = parse_client(line)
            if not isinstance(hello, ClientHello):
                raise SeamError(f"say hello first, not {hello.type}")
            if hello.protocol != PROTOCOL:
                raise SeamError(f"protocol {hello.protocol} asked; this station speaks {PROTOCOL}")
        except (SeamError, TimeoutError) as exc:
            reason = str(exc) or f"no hello within {HELLO_WITHIN_S:g} s"
            writer.write(frame(Bye(reason=reason)))
            async with asyncio.timeout(1.0):
                await writer.drain()
            return None
        return hello

    async def _read(
        self, client: _Client, reader: asyncio.StreamReader, tasks: asyncio.TaskGroup
    ) -> None:
        while True:
            try:
                line = await _line(reader)
                if not line:
                    return
                message = parse_client(line)
                if isinstance(message, ClientHello):
                    raise SeamError("hello said twice")
            except SeamError as exc:
                client.send(frame(Bye(reason=str(exc))))
                return
            if client.pending >= MAX_PENDING:
                client.send(frame(_refused(message.id, SeamError("too many requests at once"))))
                continue
            client.pending += 1
            tasks.create_task(self._answer(client, message))

    async def _write(self, client: _Client) -> None:
        """Write what waits for ``client``, control lines first; drop it when it stalls."""
        while True:
            await client.wake.wait()
            client.wake.clear()
            while client.control:
                client.writer.write(client.control.popleft())
            if client.view is not None:
                client.writer.write(client.view)
                client.view = None
            try:
                async with asyncio.timeout(STALL_S):
                    await client.writer.drain()
            except TimeoutError:
                self._journal("client dropped", client.name, reason=f"not reading for {STALL_S} s")
                client.writer.transport.abort()
                raise

    # --- answers

    async def _answer(self, client: _Client, message: Login | Logout | Request) -> None:
        try:
            result = await self._carry_out(client, message)
            reply = Reply(id=message.id, ok=True, result=result)
        except (CraneCtrlError, TimeoutError, ValueError, KeyError) as exc:
            reply = _refused(message.id, exc)
        except Exception as exc:
            log.exception("seam request %s from %s failed", message.id, client.name)
            reply = Reply(id=message.id, ok=False, error="InternalError", reasons=[repr(exc)])
        finally:
            client.pending -= 1
        client.send(frame(reply))

    async def _carry_out(self, client: _Client, message: Login | Logout | Request) -> Any:
        if isinstance(message, Login):
            user = await self.sessions.login(message.role, message.pin, client=client.name)
            client.sessions.add(user.session)
            return {"session": user.session, "user": user.name, "role": str(user.role)}
        if isinstance(message, Logout):
            self.sessions.logout(message.session, client=client.name)
            client.sessions.discard(message.session)
            return None
        user = self.sessions.resolve(message.session, client=client.name, action=message.action)
        act = action(message.action)
        args, kwargs = act.decode_args(message.args, message.kwargs, f"request {message.id}")
        result = getattr(self.station, act.name)(user, *args, **kwargs)
        if inspect.isawaitable(result):
            limit = ACTION_TIMEOUT_S.get(act.name, DEFAULT_ACTION_TIMEOUT_S)
            async with asyncio.timeout(limit):
                result = await result
        return act.encode_result(result)

    # --- views and facts

    async def _publish(self) -> None:
        loop = asyncio.get_running_loop()
        sent: StationView | None = None
        while not self._stop.is_set():
            await sleep_unless(self._stop, 1.0 / VIEW_HZ)
            if self.station.profile is not self._facts_of:
                facts = self._facts_line("facts")
                for client in self.clients:
                    client.send(facts)
            view = self.station.view
            if view is sent or not any(c.interval_s for c in self.clients):
                continue
            line, sent = self._view_line(view), view
            now = loop.time()
            for client in self.clients:
                client.offer(line, now)

    def _view_line(self, view: StationView) -> bytes:
        started = asyncio.get_running_loop().time()
        line = frame({"type": "view", "seq": view.supervisor.stats.scans,
                      "view": _encode_view(view)})  # fmt: skip
        self.encode_s = asyncio.get_running_loop().time() - started
        return line

    def _facts_line(self, kind: str) -> bytes:
        s = self.station
        if s.profile is not self._facts_of:
            self._facts_of = s.profile
            path = None if s.profile_path is None else str(s.profile_path)
            channel = None if s.fault_channel is None else str(s.fault_channel)
            facts = {"params": s.params.model_dump(mode="json"),
                     "site": s.site.model_dump(mode="json"),
                     "profile": s.profile.model_dump(mode="json"),
                     "profile_path": path, "notes": list(self.notes),
                     "wall_offset_s": s.wall_offset_s,
                     "fault_channel": channel}  # fmt: skip
            self._facts = frame(StationHello(type="facts", protocol=PROTOCOL, station=self.id,
                                             crane=s.profile.name, facts=facts))  # fmt: skip
        line = self._facts
        return line if kind == "facts" else line.replace(b'"type":"facts"', b'"type":"hello"', 1)

    def _journal(self, subject: str, client: str, **values: object) -> None:
        journal = self.station.supervisor.journal
        if journal is not None:
            journal.record("system", subject, client=client, **values)


async def _line(reader: asyncio.StreamReader) -> bytes:
    """The next line, or b"" at the end; :class:`SeamError` for a line over the limit."""
    try:
        return await reader.readline()
    except ValueError:  # asyncio: the line is longer than the reader's limit
        raise SeamError(f"a line longer than {MAX_REQUEST_BYTES} bytes") from None


async def _flush(client: _Client) -> None:
    while client.control:
        client.writer.write(client.control.popleft())
    async with asyncio.timeout(1.0):
        await client.writer.drain()


def _refused(request_id: int, exc: BaseException) -> Reply:
    """A refusal: the error's class name and every reason, as the station words them."""
    name = type(exc).__name__
    reasons = exc.reasons if isinstance(exc, CommandRefused) else (str(exc).strip("'\""),)
    return Reply(id=request_id, ok=False, error=name, reasons=[r for r in reasons if r] or [name])


def _private_dir(path: Path) -> None:
    """Make ``path`` (mode 0700) or check that only we can enter it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise SeamError(f"{path}: the seam's directory must be ours alone (mode 0700); it is "
                        f"mode {mode:o}, owner uid {info.st_uid}")  # fmt: skip
