"""The supervisor against the simulator over real loopback sockets, both protocols, real time.

Drop the link mid-motion: references go to zero, qualities go bad, an alarm is raised, and the
link comes back by itself. Take the server away and bring it back: the link returns within 2 s.
Stop the supervisor: the PLC's watchdog trips.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from cryptography.x509.oid import ExtendedKeyUsageOID

from crane_ctrl.commands import Commands
from crane_ctrl.link_report import LinkState
from crane_ctrl.links.base import Link
from crane_ctrl.links.modbus import ModbusLink
from crane_ctrl.links.opcua import OpcUaLink, resolve_path
from crane_ctrl.pki import facts, read_certificate
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile, Profile
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.runtime.supervisor import Supervisor
from crane_ctrl.snapshot import Quality
from crane_ctrl.testing import wait_until
from simulators.runner import Served, run_realtime, serve
from simulators.simulator import CraneSimulator
from tests.profile_texts import PROFILES

ALL = ["generic-modbus", "modicon-m580-modbus", "generic-opcua", "siemens-s7-1500-opcua"]
TRAVEL_HEIGHT_M = 17.95  # above the default safe travel height (17.876 m)


@dataclass
class Rig:
    sim: CraneSimulator
    served: Served
    supervisor: Supervisor
    stop_supervisor: asyncio.Event


async def _client_pki(profile: OpcUaProfile, base: Path, served: Served) -> None:
    """Client certificate, and the simulator's certificate in the trust folder the profile names."""
    link = profile.link
    assert link.certificate is not None
    assert link.private_key is not None
    assert link.trust_dir is not None
    key, cert = resolve_path(link.private_key, base), resolve_path(link.certificate, base)
    trust = resolve_path(link.trust_dir, base)
    for folder in (key.parent, cert.parent, trust):
        folder.mkdir(parents=True, exist_ok=True)
    await setup_self_signed_certificate(
        key, cert, "urn:crane-ctrl:supervisor", "127.0.0.1",
        [ExtendedKeyUsageOID.CLIENT_AUTH], {"organizationName": "crane-ctrl tests"},
    )  # fmt: skip
    server_cert = getattr(served.server, "certificate", None)
    assert server_cert is not None
    shutil.copy(server_cert, trust / "simulator.der")


async def _link(profile: Profile, served: Served, base: Path, clock: MonotonicClock) -> Link:
    if isinstance(profile, ModbusProfile):
        return ModbusLink(profile, clock, host="127.0.0.1", port=served.port)
    if profile.link.security_policy != "None":
        await _client_pki(profile, base, served)
    return OpcUaLink(profile, clock, endpoint=served.endpoint, base_dir=base)


@asynccontextmanager
async def supervised(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Rig]:
    profile = load_profile(PROFILES / f"{name}.toml")
    if isinstance(profile, OpcUaProfile) and profile.link.username_env:
        monkeypatch.setenv(profile.link.username_env, "crane")
        monkeypatch.setenv(profile.link.password_env or "", "s3cret")
    sim = CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)
    clock = MonotonicClock()
    stop_sim, stop_supervisor = asyncio.Event(), asyncio.Event()
    async with serve(sim, profile) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop_sim))
        link = await _link(profile, served, tmp_path, clock)
        async with link:
            supervisor = Supervisor(profile, link, clock)
            task = tasks.create_task(supervisor.run(stop_supervisor))
            try:
                yield Rig(sim, served, supervisor, stop_supervisor)
            finally:
                stop_supervisor.set()
                await task
                stop_sim.set()


async def _moving(rig: Rig) -> None:
    await wait_until(lambda: rig.supervisor.view.snapshot.comms_ok, within=10, what="comms")
    rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=0.4))
    await wait_until(
        lambda: rig.sim.plant.trolley.speed_mps > 0.3, within=10, what="trolley moving"
    )


@pytest.mark.parametrize("name", ALL)
async def test_dropped_link_zeroes_references_marks_qualities_and_alarms_then_recovers(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with supervised(name, tmp_path, monkeypatch) as rig:
        await _moving(rig)
        rig.served.server.faults.freeze()  # the PLC stops answering: the worst kind of drop
        await wait_until(
            lambda: not rig.supervisor.view.snapshot.comms_ok, within=5, what="comms fault"
        )
        view = rig.supervisor.view
        assert view.commands.trolley_speed_ref == 0.0
        assert view.snapshot.reading("trolley.position").quality is Quality.STALE
        await wait_until(
            lambda: {"COMMS_FAULT", "LINK_DOWN"} & {a.id for a in rig.supervisor.view.annunciated},
            within=5, what="comms alarm",
        )  # fmt: skip
        # Without our heartbeat the PLC's watchdog stops the crane on its own.
        await wait_until(lambda: rig.sim.plc.watchdog_trip, within=5, what="PLC watchdog")
        await wait_until(
            lambda: abs(rig.sim.plant.trolley.speed_mps) < 1e-6, within=5, what="trolley stopped"
        )
        rig.served.server.faults.thaw()
        rig.served.server.drop_connections()
        await wait_until(
            lambda: rig.supervisor.view.snapshot.comms_ok, within=10, what="comms back"
        )
        # Nothing moves again by itself: the proposal was dropped with the link.
        assert rig.supervisor.view.commands.trolley_speed_ref == 0.0
        assert rig.sim.plc.commands["trolley.speed_ref"] == 0.0


@pytest.mark.parametrize("name", ["generic-modbus", "generic-opcua"])
async def test_link_returns_within_two_seconds_of_the_server(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = load_profile(PROFILES / f"{name}.toml")
    sim = CraneSimulator()
    clock = MonotonicClock()
    async with serve(sim, profile) as served:
        port = served.port
        link = await _link(profile, served, tmp_path, clock)
    async with link:
        await wait_until(lambda: link.health.state is LinkState.DOWN, within=5, what="link down")
        async with serve(sim, profile, port=port) as back:
            await back.server.publish()
            started = asyncio.get_running_loop().time()

            async def reads() -> bool:
                return (await link.read()).ok

            await wait_until(reads, within=2.0, what="link back within 2 s")
            took = asyncio.get_running_loop().time() - started
    assert took < 2.0


@pytest.mark.parametrize("name", ["generic-modbus", "generic-opcua"])
async def test_stopping_the_supervisor_trips_the_plc_watchdog(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with supervised(name, tmp_path, monkeypatch) as rig:
        await _moving(rig)
        rig.stop_supervisor.set()
        await wait_until(lambda: rig.sim.plc.watchdog_trip, within=3, what="PLC watchdog trip")
        # the supervisor left the crane safe on its way out, and the PLC holds it so
        assert rig.sim.plc.commands["trolley.speed_ref"] == 0.0
        assert rig.sim.plc.commands["drives.enable"] is False


async def test_opcua_link_refuses_a_server_certificate_not_in_the_trust_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = load_profile(PROFILES / "siemens-s7-1500-opcua.toml")
    assert isinstance(profile, OpcUaProfile)
    monkeypatch.setenv(profile.link.username_env or "", "crane")
    monkeypatch.setenv(profile.link.password_env or "", "s3cret")
    sim = CraneSimulator()
    async with serve(sim, profile) as served:
        link = await _link(profile, served, tmp_path, MonotonicClock())
        assert profile.link.trust_dir is not None
        trust = resolve_path(profile.link.trust_dir, tmp_path)
        for trusted in trust.iterdir():
            trusted.unlink()  # the simulator's certificate is no longer trusted ...
        await setup_self_signed_certificate(  # ... only some other server's is
            tmp_path / "other-key.pem", trust / "other-server.der", "urn:other:server", "127.0.0.1",
            [ExtendedKeyUsageOID.SERVER_AUTH], {"organizationName": "elsewhere"},
        )  # fmt: skip
        async with link:
            await wait_until(
                lambda: "cannot connect" in link.health.last_error, within=10, what="refusal"
            )
            assert link.health.state is LinkState.DOWN
            assert "Untrusted" in link.health.last_error, link.health.last_error
            # which certificate, and where it must go to be trusted
            assert served.server.certificate is not None  # type: ignore[union-attr]
            cert = read_certificate(served.server.certificate)  # type: ignore[union-attr]
            assert f"SHA-1 {facts(cert).sha1}) is refused here" in link.health.last_error
            assert f"copy it into the trust folder {trust}" in link.health.last_error
            assert not (await link.read()).ok


@pytest.mark.parametrize("folder", ["empty", "missing"])
async def test_an_empty_or_missing_trust_folder_is_named_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    profile = load_profile(PROFILES / "siemens-s7-1500-opcua.toml")
    assert isinstance(profile, OpcUaProfile)
    assert profile.link.trust_dir is not None
    monkeypatch.setenv(profile.link.username_env or "", "crane")
    monkeypatch.setenv(profile.link.password_env or "", "s3cret")
    async with serve(CraneSimulator(), profile) as served:
        link = await _link(profile, served, tmp_path, MonotonicClock())
        trust = resolve_path(profile.link.trust_dir, tmp_path)
        for trusted in trust.iterdir():
            trusted.unlink()
        if folder == "missing":
            trust.rmdir()
        async with link:
            await wait_until(lambda: "trust folder" in link.health.last_error, within=10,
                             what="the trust folder named")  # fmt: skip
            error = link.health.last_error
    said = "holds no certificate" if folder == "empty" else "does not exist"
    assert f"the OPC UA trust folder {trust} {said}" in error
    assert "copy the PLC's server certificate" in error
