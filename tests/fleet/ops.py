"""A station in lock-step as an edge node on a real Mosquitto, its own roles file and journal, and
operations-centre clients logged in to it: what the command-path tests share."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from crane_ctrl.clock import ManualClock
from crane_ctrl.errors import JournalError
from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.edge_node import EdgeNodeConfig
from crane_ctrl.fleet.operator_client import OperatorClient
from crane_ctrl.fleet.operator_wire import RESULT, Result, parse_result
from crane_ctrl.fleet.payload import DataType, Metric, Payload, encode
from crane_ctrl.fleet.station_node import station_edge_node
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.operation.machine import Mode, Role
from crane_ctrl.operation.roles import MIN_ITERATIONS, Roles, hash_pin, roles_toml
from crane_ctrl.runtime.journal import Journal, JournalReader
from crane_ctrl.testing import StationRig
from tests.fleet.conftest import Mosquitto
from tests.fleet.host import Host
from tests.profile_texts import PROFILES

GENERIC = PROFILES / "generic-modbus.toml"
TOPICS = NodeTopics.of("block-A", "ASC-07")
NODE = str(TOPICS)
HOST = "ops-1"
PINS = {"kim": "Kq7-pin-Zx", "lee": "Lm8-pin-Wy"}
"""Distinctive PINs: a search for one finds nothing by chance."""
ROLE_OF = {"kim": Role.OPERATOR, "lee": Role.MAINTENANCE}


def roles_file(path: Path) -> Roles:
    """kim (operator) and lee (maintenance), each with a PIN of its own (fewest rounds allowed:
    the tests log in often)."""
    text = "\n".join(f'[users.{name}]\nrole = "{ROLE_OF[name]}"\npin_hash = '
                     f'"{hash_pin(pin, iterations=MIN_ITERATIONS)}"\n'
                     for name, pin in PINS.items())  # fmt: skip
    path.write_text(text)
    roles = Roles.load(path)
    assert roles_toml(roles)  # the file is one the roles tool would write
    return roles


@dataclass
class Ops:
    """The rig, its journal, a test host that sees every message, and how to reach the node."""

    rig: StationRig
    journal: Journal
    host: Host
    broker: Broker

    def client(self, *, within_s: float = 5.0, host: str = HOST) -> OperatorClient:
        return OperatorClient(self.broker, TOPICS, host=host, within_s=within_s)

    async def answer(self, request: str, *, within_s: float = 5.0) -> Result:
        """The station's answer to ``request``, as the test host saw it go by."""
        found: list[Result] = []

        def seen() -> bool:
            found.extend(a for a in self.answers() if a.id == request)
            return bool(found)

        await self.host.until(seen, within_s=within_s, what=f"the answer to {request}")
        return found[0]

    def answers(self) -> list[Result]:
        out = []
        for r in self.host.of("NDATA", TOPICS):
            for m in r.payload.metrics if r.payload else ():
                if m.name == RESULT and isinstance(m.value, str):
                    out.append(parse_result(m.value, NODE))
        return out

    def operator_events(
        self, source: str | None = f"ops:{HOST}"
    ) -> list[tuple[str, dict[str, object]]]:
        """(subject, values) of every ``operator`` event from ``source`` (``None``: any) in
        the journal."""
        with contextlib.suppress(JournalError):  # (closed: all of it is in the file)
            self.journal.flush()
        with JournalReader(self.journal.path) as reader:
            events = reader.events(kind="operator")
        return [(e.subject, dict(e.values)) for e in events if source is None
                or e.values.get("source", e.values.get("client")) == source]  # fmt: skip

    async def write(self, name: str, text: str) -> None:
        """An NCMD writing ``text`` to ``name``, by name, as any broker client could send it."""
        metric = Metric(name, text, DataType.STRING)
        await self.host.publish(TOPICS.ncmd, encode(Payload(int(time.time() * 1000), None,
                                                            (metric,))), qos=1)  # fmt: skip


@asynccontextmanager
async def ops_station(
    mosquitto: Mosquitto, tmp_path: Path, *, mode: Mode = Mode.FULLAUTOMATIC
) -> AsyncIterator[Ops]:
    """A station with kim and lee in its roles file, born on the broker (the host saw it)."""
    roles = roles_file(tmp_path / "roles.toml")
    broker = Broker("127.0.0.1", mosquitto.port)
    config = EdgeNodeConfig(broker, TOPICS, network_within_s=2.0)
    with Journal(tmp_path / "journal.sqlite", clock=ManualClock(), crane="ASC-07") as journal:
        async with AsyncExitStack() as owned:
            host = await owned.enter_async_context(Host(mosquitto.port))
            rig = await owned.enter_async_context(StationRig(GENERIC, mode=mode, journal=journal))
            rig.station.sessions.roles = roles
            await station_edge_node(config)(rig.station, owned)
            await rig.scan()
            await host.until(lambda: bool(host.of("NBIRTH", TOPICS)), what="NBIRTH")
            yield Ops(rig, journal, host, broker)


@asynccontextmanager
async def logged_in(ops: Ops, user: str, *, within_s: float = 5.0) -> AsyncIterator[OperatorClient]:
    async with ops.client(within_s=within_s) as client:
        await client.login(user, ROLE_OF[user], PINS[user])
        yield client


def envelope(body: dict[str, object], mac: str) -> str:
    """An ``Operator/Command`` value with any MAC (to forge one)."""
    return json.dumps({"body": json.dumps({"v": 1, **body}), "mac": mac})
