"""OPC UA certificates as a maintenance engineer sets them up, over real loopback sockets.

The client certificate is made by ``crane-ctrl pki client`` and trusted with ``crane-ctrl pki
trust``, as the docs say; the simulator requires trusted client certificates (``trust_dir``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from crane_ctrl.cli.main import main
from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.link_report import LinkState
from crane_ctrl.links.opcua import OpcUaLink, resolve_path
from crane_ctrl.pki import facts, read_certificate
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import OpcUaProfile
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.testing import wait_until
from simulators.runner import Served, serve
from simulators.simulator import CraneSimulator
from tests.profile_texts import PROFILES


def crane_ctrl(*args: str | Path) -> None:
    assert main([str(a) for a in args]) == 0, args


@pytest.fixture
def profile(monkeypatch: pytest.MonkeyPatch) -> OpcUaProfile:
    profile = load_profile(PROFILES / "siemens-s7-1500-opcua.toml")
    assert isinstance(profile, OpcUaProfile)
    monkeypatch.setenv(profile.link.username_env or "", "crane")
    monkeypatch.setenv(profile.link.password_env or "", "s3cret")
    return profile


def client_certificate(base: Path) -> Path:
    """The supervisor's certificate, made where the shipped profile looks for it."""
    crane_ctrl("pki", "client", "--dir", base / "pki" / "own")
    return base / "pki" / "own" / "certs" / "crane-ctrl-client.der"


@asynccontextmanager
async def linked(profile: OpcUaProfile, base: Path, trust_dir: Path | None) -> AsyncIterator[
    tuple[Served, OpcUaLink]
]:  # fmt: skip
    """The simulator requiring the client certificates in ``trust_dir``, and the supervisor's
    link to it, the simulator's certificate trusted with ``crane-ctrl pki trust``."""
    async with serve(
        CraneSimulator(), profile, pki_dir=base / "sim-pki", trust_dir=trust_dir
    ) as served:
        certificate = getattr(served.server, "certificate", None)
        assert certificate is not None
        assert profile.link.trust_dir is not None
        crane_ctrl("pki", "trust", certificate, "--dir", resolve_path(profile.link.trust_dir, base))
        await served.server.publish()
        async with OpcUaLink(
            profile, MonotonicClock(), endpoint=served.endpoint, base_dir=base
        ) as link:
            yield served, link


async def test_a_client_certificate_made_and_trusted_with_pki_connects_and_reads(
    profile: OpcUaProfile, tmp_path: Path
) -> None:
    crane_ctrl("pki", "trust", client_certificate(tmp_path), "--dir", tmp_path / "sim-trust")
    async with linked(profile, tmp_path, tmp_path / "sim-trust") as (served, link):

        async def reads() -> bool:
            return (await link.read()).ok

        await wait_until(reads, within=10, what="a read over the secure link")
        assert served.server.refused == []  # type: ignore[union-attr]


async def test_an_untrusted_client_certificate_is_refused_and_the_link_says_which_and_why(
    profile: OpcUaProfile, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ours = client_certificate(tmp_path)
    crane_ctrl("pki", "client", "--dir", tmp_path / "other", "--name", "someone else")
    crane_ctrl("pki", "trust", tmp_path / "other" / "certs" / "someone-else.der",
               "--dir", tmp_path / "sim-trust")  # fmt: skip
    thumbprint = facts(read_certificate(ours)).sha1
    with caplog.at_level(logging.WARNING, logger="simulators.opcua_server"):
        async with linked(profile, tmp_path, tmp_path / "sim-trust") as (served, link):
            await wait_until(lambda: "refused this client" in link.health.last_error, within=10,
                             what="the refusal reported")  # fmt: skip
            error = link.health.last_error
            assert link.health.state is LinkState.DOWN
            assert not (await link.read()).ok
            # The engineer trusts it as the message says; the next attempt gets through.
            crane_ctrl("pki", "trust", ours, "--dir", tmp_path / "sim-trust")
            await wait_until(lambda: link.health.state is LinkState.UP, within=10, what="link up")
    assert f"the server refused this client's certificate {ours}" in error
    assert thumbprint in error
    assert "BadCertificateUntrusted" in error
    assert "internal" not in error.lower()
    assert f"crane-ctrl pki trust {ours} --dir DIR" in error
    refused = served.server.refused  # type: ignore[union-attr]
    assert refused
    assert set(refused) == {f"O=crane-ctrl,CN=crane-ctrl client, SHA-1 {thumbprint}"}
    logged = [r.getMessage() for r in caplog.records if "refused the client" in r.getMessage()]
    assert logged
    assert thumbprint in logged[0]
    assert str(tmp_path / "sim-trust") in logged[0]
    assert "CN=crane-ctrl client" in logged[0]


async def test_a_file_that_is_no_certificate_in_the_simulators_trust_folder_is_named(
    profile: OpcUaProfile, tmp_path: Path
) -> None:
    trust = tmp_path / "sim-trust"
    trust.mkdir()
    (trust / "notes.pem").write_text("call the PLC vendor on Monday\n")
    with pytest.raises(CraneCtrlError) as refused:
        async with serve(CraneSimulator(), profile, trust_dir=trust):
            pass
    assert f"{trust / 'notes.pem'} is not a certificate" in str(refused.value)
    assert f"in the OPC UA trust folder {trust}" in str(refused.value)


async def test_a_file_that_is_no_certificate_in_the_links_trust_folder_is_named(
    profile: OpcUaProfile, tmp_path: Path
) -> None:
    client_certificate(tmp_path)
    assert profile.link.trust_dir is not None
    trust = resolve_path(profile.link.trust_dir, tmp_path)
    trust.mkdir(parents=True)
    # asyncua reads every file in a trust folder whose name holds "der" or "pem" as one
    (trust / "plc-folder.txt").write_bytes(b"\x00not a certificate")
    async with linked(profile, tmp_path, None) as (_, link):
        await wait_until(lambda: "plc-folder.txt" in link.health.last_error, within=10,
                         what="the file named")  # fmt: skip
        error = link.health.last_error
    assert f"{trust / 'plc-folder.txt'} is not a certificate" in error
    assert "remove it or replace it with the PLC's server certificate" in error
