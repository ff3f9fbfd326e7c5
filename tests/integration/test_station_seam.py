"""The station's seam over a real Unix socket: views out, requests in, sessions checked by the
station. The station is a lock-step rig on the test's loop (the test drives its scans); the client
is the HMI's RemoteBridge, or a raw socket where the test must misbehave."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from crane_ctrl.errors import CommandRefused, LoginRefused, SessionRefused, StationLost
from crane_ctrl.operation.machine import PackCommand, PackState, Role
from crane_ctrl.operation.roles import DEMO_ROLES, Roles
from crane_ctrl.runtime.seam import server as seam_server
from crane_ctrl.runtime.seam.client import RemoteBridge
from crane_ctrl.runtime.seam.messages import PROTOCOL
from crane_ctrl.runtime.seam.server import StationServer
from crane_ctrl.runtime.sessions import Sessions
from crane_ctrl.runtime.station import User
from crane_ctrl.testing import StationRig
from tests.hmi.conftest import GENERIC

WITHIN_S = 10.0
"""Bound on every wait for the other end (real time)."""


class Events:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, object]]] = []

    def record(self, kind: str, subject: str, **values: object) -> None:
        self.events.append((kind, subject, values))

    def subjects(self) -> list[str]:
        return [subject for _, subject, _ in self.events]


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    """A short directory for the socket (a Unix socket path holds at most 107 bytes)."""
    where = Path(tempfile.mkdtemp(prefix="seam-"))
    yield where / "run"
    shutil.rmtree(where, ignore_errors=True)


@asynccontextmanager
async def serving(rig: StationRig, journal: Events, path: Path) -> AsyncIterator[StationServer]:
    del journal  # the station's sessions journal to the rig's journal
    async with StationServer(rig.station, rig.station.sessions, path) as server:
        yield server


@asynccontextmanager
async def station(journal: Events, path: Path) -> AsyncIterator[tuple[StationRig, RemoteBridge]]:
    sock = path / "station.sock"
    async with (
        StationRig(GENERIC, journal=journal) as rig,
        serving(rig, journal, sock),
        RemoteBridge(sock, silence_s=None) as bridge,
    ):
        await bridge.connected(within=WITHIN_S)
        yield rig, bridge


async def until_view(bridge: RemoteBridge, rig: StationRig) -> None:
    """Wait (bounded) until the bridge shows the rig's current view."""
    async with asyncio.timeout(WITHIN_S):
        while bridge.view != rig.view:
            await bridge.changed(within=WITHIN_S)


async def test_a_real_view_crosses_the_seam_equal_and_stays_current(socket_dir: Path) -> None:
    journal = Events()
    async with station(journal, socket_dir) as (rig, bridge):
        assert bridge.view == rig.view
        await rig.start_automatic()
        await until_view(bridge, rig)
        assert bridge.view.machine is rig.view.machine
        assert bridge.station.params == rig.station.params
        assert bridge.station.site == rig.station.site
        assert bridge.station.profile == rig.station.profile
    assert not os.path.exists(socket_dir / "station.sock")  # noqa: ASYNC240
    assert os.stat(socket_dir).st_mode & 0o777 == 0o700


async def test_the_socket_is_ours_alone(socket_dir: Path) -> None:
    async with StationRig(GENERIC) as rig, serving(rig, Events(), socket_dir / "station.sock"):
        assert (socket_dir / "station.sock").stat().st_mode & 0o777 == 0o600


async def test_a_refused_action_comes_back_as_command_refused_with_the_station_reason(
    socket_dir: Path,
) -> None:
    journal = Events()
    async with station(journal, socket_dir) as (rig, bridge):
        operator = await bridge.login(Role.OPERATOR, "1111")
        assert operator.role is Role.OPERATOR
        assert operator.session
        with pytest.raises(CommandRefused, match="suspend is the crane's own"):
            await bridge.call(bridge.station.pack, operator, PackCommand.SUSPEND)
        await bridge.call(bridge.station.pack, operator, PackCommand.RESET, "from afar")
        await rig.until(lambda v: v.machine is PackState.IDLE, within_s=2, what="IDLE")
        with pytest.raises(LoginRefused, match="wrong PIN for maintenance"):
            await bridge.login(Role.MAINTENANCE, "1111")
        await bridge.call(bridge.station.note_refusal, operator, "add job", "from: no such lane")
    [noted] = [v for k, s, v in journal.events if s == "add job"]  # the HMI's own refusal
    assert (noted["result"], noted["why"], noted["user"]) == ("refused", "from: no such lane",
                                                              "operator")  # fmt: skip


async def test_a_client_cannot_declare_its_own_role(socket_dir: Path) -> None:
    journal = Events()
    async with station(journal, socket_dir) as (_, bridge):
        operator = await bridge.login(Role.OPERATOR, "1111")
        claimed = User("operator", Role.MAINTENANCE, session=operator.session)
        with pytest.raises(
            CommandRefused, match="needs the maintenance role; operator is operator"
        ):
            await bridge.call(bridge.station.set_out_of_service, claimed, "A_WIND_HIGH", True)
        forged = User("mallory", Role.MAINTENANCE, session="forged-token")
        with pytest.raises(SessionRefused, match="no such session"):
            await bridge.call(bridge.station.end_bypass, forged)
        with pytest.raises(SessionRefused):
            await bridge.call(bridge.station.reset, User("nobody", Role.MAINTENANCE))
    refused = [v for k, s, v in journal.events if s == "session refused"]
    assert [(v["action"], v["reason"]) for v in refused] == [
        ("end_bypass", "unknown"),
        ("reset", "no session"),
    ]
    assert all(v["client"] == "hmi" for v in refused)
    assert not any("forged-token" in json.dumps(v) for _, _, v in journal.events)


async def _raw(
    path: Path, hello: dict[str, Any]
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_unix_connection(path, limit=16 * 1024 * 1024)
    writer.write(json.dumps(hello).encode() + b"\n")
    await writer.drain()
    return reader, writer


async def test_a_request_naming_a_role_or_another_protocol_ends_the_connection(
    socket_dir: Path,
) -> None:
    async with station(Events(), socket_dir) as (_, bridge):
        path = bridge.path
        reader, writer = await _raw(
            path, {"type": "hello", "protocol": PROTOCOL + 1, "client": "x"}
        )
        async with asyncio.timeout(WITHIN_S):
            bye = json.loads(await reader.readline())
        assert bye == {
            "type": "bye",
            "reason": f"protocol {PROTOCOL + 1} asked; this station speaks {PROTOCOL}",
        }
        writer.close()
        reader, writer = await _raw(
            path, {"type": "hello", "protocol": PROTOCOL, "client": "x", "view_hz": 0}
        )
        request = {
            "type": "request",
            "id": 1,
            "session": "s",
            "action": "reset",
            "role": "maintenance",
        }
        writer.write(json.dumps(request).encode() + b"\n")
        async with asyncio.timeout(WITHIN_S):
            hello = json.loads(await reader.readline())
            bye = json.loads(await reader.readline())
        assert (hello["type"], hello["protocol"]) == ("hello", PROTOCOL)
        assert bye["type"] == "bye"
        assert "role" in bye["reason"]
        writer.close()


async def test_a_client_that_stops_reading_is_dropped_and_never_backs_up_the_station(
    socket_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seam_server, "STALL_S", 0.3)
    journal = Events()
    async with station(journal, socket_dir) as (rig, bridge):
        server_clients = _server_of(rig)
        stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # never read from
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(str(bridge.path))
        stalled.sendall(
            json.dumps({"type": "hello", "protocol": PROTOCOL, "client": "stalled"}).encode()
            + b"\n"
        )
        largest = 0
        async with asyncio.timeout(WITHIN_S * 3):
            while "client dropped" not in journal.subjects():
                await rig.scan(2)
                await bridge.changed(within=WITHIN_S)  # the reading client keeps getting views
                for client in server_clients():
                    largest = max(largest, client.writer.transport.get_write_buffer_size())
        dropped = [v for _, s, v in journal.events if s == "client dropped"]
        assert [v["client"] for v in dropped] == ["stalled"]
        view_bytes = len(json.dumps(seam_server._encode_view(rig.view)))
        assert largest <= 2 * view_bytes + 64 * 1024  # one view waits, never a queue of them
        await rig.scan(2)
        await until_view(bridge, rig)
        stalled.close()


def _server_of(rig: StationRig) -> Any:
    """The clients of the server serving ``rig`` (found by what the server hooked into)."""
    import gc

    servers = [o for o in gc.get_referrers(rig.station) if isinstance(o, StationServer)]
    assert len(servers) == 1
    return lambda: list(servers[0].clients)


async def test_a_lost_station_shows_and_the_client_reconnects_when_it_is_back(
    socket_dir: Path,
) -> None:
    journal = Events()
    async with StationRig(GENERIC, journal=journal) as rig:
        path = socket_dir / "station.sock"
        async with RemoteBridge(path, silence_s=None) as bridge:
            async with serving(rig, journal, path):
                await bridge.connected(within=WITHIN_S)
                operator = await bridge.login(Role.OPERATOR, "1111")
            async with asyncio.timeout(WITHIN_S):
                while bridge.lost is None:
                    await bridge.changed(within=WITHIN_S)
            assert bridge.view == rig.view  # the last view stays on the screen
            with pytest.raises(StationLost):
                await bridge.call(bridge.station.reset, operator)
            # the station restarted: its sessions start empty
            rig.station.sessions = Sessions(Roles.load(DEMO_ROLES), rig.lockstep.clock, journal)
            async with serving(rig, journal, path):
                await bridge.connected(within=WITHIN_S)
                assert bridge.connections == 2
                with pytest.raises(SessionRefused):  # a restarted station forgot every login
                    await bridge.call(bridge.station.reset, operator)


async def test_a_session_ends_with_the_connection_it_was_opened_over(socket_dir: Path) -> None:
    """An HMI that dies (or is dropped) leaves no session behind at the station: the session
    it logged in over that connection ends, journaled as a logout, and is refused from then on;
    one logged out before is not ended twice, and the other client's session goes on."""
    journal = Events()
    async with StationRig(GENERIC, journal=journal) as rig:
        path = socket_dir / "station.sock"
        async with serving(rig, journal, path), RemoteBridge(path, silence_s=None) as stays:
            await stays.connected(within=WITHIN_S)
            kept = await stays.login(Role.OPERATOR, "1111")
            async with RemoteBridge(path, silence_s=None, client="dies", view_hz=0) as dies:
                await dies.connected(within=WITHIN_S)
                gone = await dies.login(Role.MAINTENANCE, "2222")
                out = await dies.login(Role.OPERATOR, "1111")
                await dies.logout(out)
                assert rig.station.sessions.is_open(gone.session)
            async with asyncio.timeout(WITHIN_S):
                while rig.station.sessions.is_open(gone.session):
                    await rig.scan()
                    await stays.changed(within=WITHIN_S)  # the loop serves the seam meanwhile
            with pytest.raises(SessionRefused, match="no such session"):
                await stays.call(stays.station.reset, gone)
            await stays.call(stays.station.pack, kept, PackCommand.RESET, "still here")
    logouts = [(v["client"], v["user"], v.get("reason")) for _, s, v in journal.events
               if s == "logout"]  # fmt: skip
    assert logouts == [("dies", "operator", None), ("dies", "maintenance", "connection closed"),
                       ("hmi", "operator", "connection closed")]  # fmt: skip
