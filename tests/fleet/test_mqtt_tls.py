"""MQTT over TLS (``mqtts://``): the fleet's clients against a real Mosquitto whose only
listener (a free loopback port) speaks TLS, with certificates of a throwaway CA
(tests/fleet/tls_ca.py). The broker's log witnesses who got in and why the others did not.

Then the settings themselves, no broker: every bad URL or TLS variable is one sentence naming
the variable, the file and the fix; and no password or key shows in a log or a repr.
"""

from __future__ import annotations

import dataclasses
import logging
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    load_pem_private_key,
)

from crane_ctrl.cli.main import main
from crane_ctrl.errors import BrokerUnreachable, FleetError
from crane_ctrl.fleet.broker import TLS_PORT, Broker, Credentials
from crane_ctrl.fleet.broker_tls import CA_FILE_ENV, CERT_FILE_ENV, KEY_FILE_ENV, BrokerTls
from crane_ctrl.fleet.edge_node import EdgeNode, EdgeNodeConfig
from crane_ctrl.fleet.fleet_view import CraneKey, Presence
from crane_ctrl.fleet.mosquitto import ListenerTls, MosquittoProcess
from crane_ctrl.fleet.operator_client import OperatorClient
from crane_ctrl.fleet.primary_host import PrimaryHost
from crane_ctrl.realtime import MonotonicClock, wait_until
from tests.fleet.ops_host_process import host_config
from tests.fleet.ticks import COUNTER, TOPICS, tick_config, tick_reading, ticking
from tests.fleet.tls_ca import LOOPBACK_NAMES, Issued, LocalCa

WITHIN_S = 5.0
"""Bound of every wait for something that should happen (a busy machine)."""
PASSWORD = "Pw-Zq9-secret-Xk"
"""Distinctive: a search for it finds nothing by chance."""
NODE_ID = "crane-ctrl-block-A-ASC-07"
CRANE = CraneKey(TOPICS.group, TOPICS.node)


@dataclass(frozen=True)
class Pki:
    """Our CA, the broker's certificate and a station's; another CA with a broker of its own."""

    ca: LocalCa
    server: Issued
    client: Issued
    other_ca: LocalCa
    impostor: Issued
    """A broker certificate for 127.0.0.1 signed by the other CA."""
    misnamed: Issued
    """A broker certificate of our CA for another host name only."""


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    ca, other = LocalCa.make(tmp_path / "ca"), LocalCa.make(tmp_path / "other", "other CA")
    return Pki(ca, ca.issue("broker", names=LOOPBACK_NAMES), ca.issue("station", client=True),
               other, other.issue("impostor", names=LOOPBACK_NAMES),
               ca.issue("elsewhere", names=("broker.example.org",)))  # fmt: skip


def listener(pki: Pki, served: Issued, *, require_certificate: bool = False) -> ListenerTls:
    return ListenerTls(
        pki.ca.cert, served.cert, served.key, require_certificate=require_certificate
    )


def broker_log(mosquitto: MosquittoProcess) -> str:
    return mosquitto.log.read_text(errors="replace") if mosquitto.log.exists() else ""


async def logged(mosquitto: MosquittoProcess, text: str) -> str:
    """The broker's log once it holds ``text`` (it writes after it acted), within a bound."""
    await wait_until(lambda: text in broker_log(mosquitto), within=WITHIN_S, what=text)
    return broker_log(mosquitto)


@asynccontextmanager
async def tls_broker(
    tmp_path: Path, tls: ListenerTls, env: dict[str, str]
) -> AsyncIterator[tuple[MosquittoProcess, Broker]]:
    """Mosquitto with ``tls``, and how a client configured by ``env`` reaches it."""
    async with MosquittoProcess(tmp_path, tls=tls) as mosquitto:
        yield mosquitto, Broker.parse(f"mqtts://127.0.0.1:{mosquitto.port}", env)


def node_config(broker: Broker, **changes: object) -> EdgeNodeConfig:
    return dataclasses.replace(tick_config(0, None), broker=broker, **changes)  # type: ignore[arg-type]


async def born_and_seen(broker: Broker, **node: object) -> None:
    """An edge node births on ``broker``; a primary host on it sees the crane online with data."""
    clock = MonotonicClock()
    host_settings = dataclasses.replace(host_config(0), broker=broker)
    async with PrimaryHost(host_settings, clock) as host:
        await host.connected(within_s=WITHIN_S)
        async with (
            EdgeNode(node_config(broker, **node), tick_reading, clock) as edge,
            ticking(edge, clock),
        ):
            await wait_until(lambda: _counter(host) > 3, within=WITHIN_S, what="data in the view")
            crane = host.view().crane(CRANE)
    assert crane is not None
    assert (crane.presence, crane.births) == (Presence.ONLINE, 1)


def _counter(host: PrimaryHost) -> int:
    crane = host.view().crane(CRANE)
    value = None if crane is None else crane.value(COUNTER)
    return value if isinstance(value, int) else -1


# --- over a real broker


async def test_an_edge_node_births_over_mqtts_and_the_primary_host_sees_it(
    tmp_path: Path, pki: Pki
) -> None:
    """The CA from the environment; the broker takes nothing but TLS on its port."""
    env = {CA_FILE_ENV: str(pki.ca.cert)}
    async with tls_broker(tmp_path, listener(pki, pki.server), env) as (mosquitto, broker):
        assert str(broker) == f"mqtts://127.0.0.1:{mosquitto.port}"
        await born_and_seen(broker)
        log = await logged(mosquitto, f"as {NODE_ID} (p2, c1, k2)")
    assert "crane-ctrl-host-ops" in log


async def test_the_broker_is_reached_by_a_dns_name_its_certificate_holds(
    tmp_path: Path, pki: Pki
) -> None:
    env = {CA_FILE_ENV: str(pki.ca.cert)}
    async with MosquittoProcess(tmp_path, tls=listener(pki, pki.server)) as mosquitto:
        await born_and_seen(Broker.parse(f"mqtts://localhost:{mosquitto.port}", env))


async def test_a_broker_whose_certificate_another_ca_signed_is_refused_and_nothing_flows(
    tmp_path: Path, pki: Pki
) -> None:
    env = {CA_FILE_ENV: str(pki.ca.cert)}
    async with tls_broker(tmp_path, listener(pki, pki.impostor), env) as (mosquitto, broker):
        why = await _refused(broker)
        log = broker_log(mosquitto)
    assert "CERTIFICATE_VERIFY_FAILED" in why
    assert f"not signed by the CA in {pki.ca.cert}; set {CA_FILE_ENV} to the CA" in why
    assert "New client connected" not in log  # no CONNECT, so nothing published


async def test_a_broker_whose_certificate_names_another_host_is_refused(
    tmp_path: Path, pki: Pki
) -> None:
    env = {CA_FILE_ENV: str(pki.ca.cert)}
    async with tls_broker(tmp_path, listener(pki, pki.misnamed), env) as (mosquitto, broker):
        why = await _refused(broker)
        log = broker_log(mosquitto)
    assert "IP address mismatch" in why
    assert "does not name 127.0.0.1; give --broker the host name or address its certificate" in why
    assert "New client connected" not in log


async def _refused(broker: Broker) -> str:
    """Why the primary host (``crane-ctrl ops``) cannot start on ``broker``."""
    settings = dataclasses.replace(host_config(0), broker=broker)
    async with PrimaryHost(settings, MonotonicClock()) as host:
        with pytest.raises(BrokerUnreachable) as caught:
            await host.connected(within_s=0.5)
        assert host.stats.sessions == 0
    return str(caught.value)


async def test_a_broker_that_requires_a_certificate_refuses_a_node_without_one(
    tmp_path: Path, pki: Pki
) -> None:
    """Under TLS 1.3 the broker checks the client's certificate after the client's handshake
    ended: the client sees its connection closed before a CONNACK (aiomqtt: a time-out)."""
    tls = listener(pki, pki.server, require_certificate=True)
    env = {CA_FILE_ENV: str(pki.ca.cert)}
    async with tls_broker(tmp_path, tls, env) as (mosquitto, broker):
        config = node_config(broker, network_within_s=0.3)
        async with EdgeNode(config, tick_reading, MonotonicClock()) as node:
            await wait_until(lambda: bool(node.stats.last_error), within=WITHIN_S, what="failure")
            stats = node.stats
        log = await logged(mosquitto, "peer did not return a certificate")
    assert (stats.sessions, stats.births) == (0, 0)
    assert f"set {CERT_FILE_ENV} and {KEY_FILE_ENV}" in stats.last_error
    assert "New client connected" not in log


async def test_a_broker_that_requires_a_certificate_takes_the_node_and_host_with_one(
    tmp_path: Path, pki: Pki
) -> None:
    tls = listener(pki, pki.server, require_certificate=True)
    env = {CA_FILE_ENV: str(pki.ca.cert), CERT_FILE_ENV: str(pki.client.cert),
           KEY_FILE_ENV: str(pki.client.key)}  # fmt: skip
    async with tls_broker(tmp_path, tls, env) as (mosquitto, broker):
        await born_and_seen(broker)
        async with OperatorClient(broker, TOPICS, host="ops-1", within_s=WITHIN_S):
            pass  # an operator's command line (the ops HMI's, the dispatcher's): connected
        await logged(mosquitto, f"as {NODE_ID} (p2, c1, k2)")
        await logged(mosquitto, "as crane-ctrl-ops-ops-1-")


async def test_no_password_or_key_shows_in_logs_reprs_or_the_broker_s_log(
    tmp_path: Path, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tls = listener(pki, pki.server, require_certificate=True)
    env = {CA_FILE_ENV: str(pki.ca.cert), CERT_FILE_ENV: str(pki.client.cert),
           KEY_FILE_ENV: str(pki.client.key)}  # fmt: skip
    login = Credentials("station-7", PASSWORD)
    async with tls_broker(tmp_path, tls, env) as (mosquitto, broker):
        await born_and_seen(broker, credentials=login)
        log = await logged(mosquitto, f"as {NODE_ID} (p2, c1, k2, u'station-7')")
    shown = [caplog.text, log, repr(broker), str(broker), str(broker.tls), repr(login), str(login),
             repr(node_config(broker, credentials=login))]  # fmt: skip
    key_lines = _secret_lines(pki.client.key)
    for text in shown:
        assert PASSWORD not in text
        assert not [line for line in key_lines if line in text]
    assert str(pki.client.key) in repr(broker)  # the path is no secret, and says which file


def _secret_lines(key: Path) -> list[str]:
    """The base64 lines of a PEM key (the armour lines are no secret)."""
    return [line for line in key.read_text().splitlines() if not line.startswith("-----")]


# --- the settings, no broker


def test_mqtts_defaults_to_port_8883_and_verifies_chain_and_name_over_tls_1_2_or_later(
    pki: Pki,
) -> None:
    broker = Broker.parse("mqtts://broker.example.org", {CA_FILE_ENV: str(pki.ca.cert)})
    assert (broker.port, str(broker)) == (TLS_PORT, "mqtts://broker.example.org:8883")
    assert broker.tls is not None
    context = broker.tls.context
    assert context.check_hostname
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert Broker.parse("mqtt://broker.example.org", {}) == Broker("broker.example.org", 1883)


def test_without_a_ca_file_the_system_trust_store_is_used() -> None:
    broker = Broker.parse("mqtts://broker.example.org:8884", {})
    assert broker.tls is not None
    assert (broker.port, broker.tls.ca_file, broker.tls.cert_file) == (8884, None, None)
    assert str(broker.tls) == "TLS, trusting the system's CAs"


def _error(url: str, env: dict[str, str]) -> str:
    with pytest.raises(FleetError) as caught:
        Broker.parse(url, env)
    text = str(caught.value)
    assert "\n" not in text
    return text


URL = "mqtts://127.0.0.1:8883"


BAD_PEM = b"-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n"
BAD_CA_FILES = {
    "missing": ("cannot read {file}: No such file", lambda p, f: f / "missing.pem"),
    "a folder": ("cannot read {file}: Is a directory", lambda p, f: f),
    "empty": ("{file}: it is empty", lambda p, f: _write(f / "empty.pem", b"")),
    "DER": ("{file}: it holds no PEM certificate (DER?", lambda p, f: _der(p, f)),
    "a key": ("{file}: it holds a private key, not a cert", lambda p, f: p.client.key),
    "broken": ("{file}: a PEM certificate in it does not parse",
               lambda p, f: _write(f / "bad.pem", BAD_PEM)),
}  # fmt: skip
"""What the CA file holds: what the message says, and how to make such a file."""


@pytest.mark.parametrize("case", BAD_CA_FILES)
def test_a_ca_file_that_cannot_serve_is_named_with_the_fix(
    pki: Pki, tmp_path: Path, case: str
) -> None:
    said, make = BAD_CA_FILES[case]
    file = make(pki, tmp_path)
    text = _error(URL, {CA_FILE_ENV: str(file)})
    assert text.startswith(f"{CA_FILE_ENV}: ")
    assert said.format(file=file) in text
    assert f"set {CA_FILE_ENV} to the PEM file of the CA that signed the broker's" in text


def test_a_certificate_without_its_key_or_a_key_without_its_certificate_is_refused(
    pki: Pki,
) -> None:
    text = _error(URL, {CERT_FILE_ENV: str(pki.client.cert)})
    assert text == (f"{CERT_FILE_ENV} is set but {KEY_FILE_ENV} is not: set it to the private "
                    f"key (PEM) of that certificate, or unset {CERT_FILE_ENV}")  # fmt: skip
    text = _error(URL, {KEY_FILE_ENV: str(pki.client.key)})
    assert text.startswith(f"{KEY_FILE_ENV} is set but {CERT_FILE_ENV} is not: set it to")


def test_a_key_that_is_not_the_certificate_s_own_is_refused(pki: Pki) -> None:
    env = {CERT_FILE_ENV: str(pki.client.cert), KEY_FILE_ENV: str(pki.server.key)}
    text = _error(URL, env)
    assert text == (f"{KEY_FILE_ENV}: {pki.server.key} is not the private key of the certificate "
                    f"in {CERT_FILE_ENV} ({pki.client.cert}): set the two to a certificate and "
                    "its own key")  # fmt: skip


def test_a_key_file_that_holds_no_key_or_an_encrypted_one_is_refused(
    pki: Pki, tmp_path: Path
) -> None:
    env = {CERT_FILE_ENV: str(pki.client.cert), KEY_FILE_ENV: str(pki.client.cert)}
    assert f"{KEY_FILE_ENV}: {pki.client.cert}: no PEM private key in it; set" in _error(URL, env)
    key = load_pem_private_key(pki.client.key.read_bytes(), password=None)
    locked = _write(tmp_path / "locked.pem", key.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"pass-phrase")))  # fmt: skip
    env[KEY_FILE_ENV] = str(locked)
    text = _error(URL, env)
    assert f"{KEY_FILE_ENV}: {locked}: the key is encrypted; decrypt it to a file" in text
    env = {CERT_FILE_ENV: str(tmp_path / "nope.pem"), KEY_FILE_ENV: str(pki.client.key)}
    assert f"{CERT_FILE_ENV}: cannot read {tmp_path / 'nope.pem'}" in _error(URL, env)


def test_a_key_s_contents_never_show_in_an_error(pki: Pki) -> None:
    env = {CA_FILE_ENV: str(pki.client.key)}
    env2 = {CERT_FILE_ENV: str(pki.client.key), KEY_FILE_ENV: str(pki.client.key)}
    for text in (_error(URL, env), _error(URL, env2)):
        assert not [line for line in _secret_lines(pki.client.key) if line in text]


@pytest.mark.parametrize("variable", [CA_FILE_ENV, CERT_FILE_ENV, KEY_FILE_ENV])
def test_a_tls_variable_with_a_plain_mqtt_url_is_refused(variable: str) -> None:
    text = _error("mqtt://127.0.0.1:1883", {variable: "/etc/crane/x.pem"})
    assert text == (f"{variable} is set but --broker mqtt://127.0.0.1:1883 is plain TCP: give "
                    f"mqtts://host:port for TLS, or unset {variable}")  # fmt: skip


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://127.0.0.1", "give mqtt://host:port, or mqtts://host:port for TLS"),
        ("mqtts://u:secret@127.0.0.1", "no user name or password in the URL"),
        ("mqtts://127.0.0.1/?cafile=x", f"no path or query (TLS files come from {CA_FILE_ENV}"),
    ],
)
def test_a_broker_url_that_cannot_serve_says_the_forms(url: str, said: str) -> None:
    text = _error(url, {})
    assert said in text
    assert "secret" not in text


def test_crane_ctrl_ops_says_a_tls_file_problem_in_one_line_at_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CA_FILE_ENV, str(tmp_path / "ca.pem"))
    code = main(["ops", "--broker", "mqtts://127.0.0.1:1", "--log", str(tmp_path / "ops.log")])
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "Traceback" not in out + err
    assert err.strip() == (f"crane-ctrl: {CA_FILE_ENV}: cannot read {tmp_path / 'ca.pem'}: No "
                           f"such file or directory; set {CA_FILE_ENV} to the PEM file of the CA "
                           "that signed the broker's certificate (or unset it to trust the "
                           "system's CAs)")  # fmt: skip


def test_broker_tls_loads_files_given_directly(pki: Pki) -> None:
    tls = BrokerTls.load(ca_file=pki.ca.cert, cert_file=pki.client.cert, key_file=pki.client.key)
    assert str(tls) == f"TLS, trusting CA {pki.ca.cert}, client certificate {pki.client.cert}"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _der(pki: Pki, folder: Path) -> Path:
    return _write(folder / "ca.der", pki.ca.certificate.public_bytes(Encoding.DER))
