"""No secret in any log at any level (issue 17, deliver 4). At debug level asyncua dumps the
ActivateSession request, and with it the UserNameIdentityToken and its password in clear (no
security on the link is the worst case): with the filter on the handler, the password never
reaches it, while the rest of the dump does."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crane_ctrl.cli.main import main
from crane_ctrl.links.opcua import OpcUaLink
from crane_ctrl.log_redaction import MASK, RedactSecrets, redact, register_secret
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.testing import wait_until
from simulators.runner import serve
from simulators.simulator import CraneSimulator

PASSWORD = "Zebra-Pa55-7731"
PROFILE = Path(__file__).resolve().parents[2] / "plc_profiles" / "generic-opcua.toml"


@contextmanager
def debug_log() -> Iterator[io.StringIO]:
    """Everything logged at any level, through a handler with the filter, as `-vv` does."""
    out, root = io.StringIO(), logging.getLogger()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactSecrets())
    levels = {name: logging.getLogger(name).level for name in ("", "asyncua", "pymodbus")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_the_opc_ua_password_never_reaches_a_handler_at_debug_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = PROFILE.read_text(encoding="utf-8").replace(
        'namespace_uri = "urn:crane-ctrl:sim"\n',
        'namespace_uri = "urn:crane-ctrl:sim"\nusername_env = "T_USER"\npassword_env = "T_PASS"\n',
    )
    profile = parse_profile(text, "with-password.toml")
    monkeypatch.setenv("T_USER", "crane")
    monkeypatch.setenv("T_PASS", PASSWORD)
    with debug_log() as out:
        async with (
            serve(CraneSimulator(), profile) as served,
            OpcUaLink(profile, MonotonicClock(), endpoint=served.endpoint) as link,
        ):
            await wait_until(lambda: link.health.state == "up", within=10, what="link up")
            assert (await link.read()).ok
    logged = out.getvalue()
    assert "UserNameIdentityToken" in logged  # the library did dump the token ...
    assert f"Password={MASK}" in logged
    assert PASSWORD not in logged  # ... and the password never reached the handler


def test_the_command_line_puts_the_filter_on_every_handler() -> None:
    assert main(["-vv", "profile", "validate", str(PROFILE)]) == 0
    handlers = logging.getLogger().handlers
    assert handlers
    assert all(any(isinstance(f, RedactSecrets) for f in h.filters) for h in handlers)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("UserNameIdentityToken(UserName='op', Password=b'x\\'y', Alg=None)", "Alg=None"),
        ('{"password": "hunter2", "user": "op"}', '"user": "op"'),
        ("connect pwd=s3 retry", "retry"),
        ("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- done", "done"),
    ],
)
def test_password_fields_and_keys_are_blanked_out_whatever_the_value(line: str, kept: str) -> None:
    out = redact(line)
    assert MASK in out
    assert kept in out
    assert not any(s in out for s in ("x\\'y", "hunter2", "s3 ", "MIIE"))


def test_a_registered_secret_is_blanked_out_anywhere() -> None:
    register_secret("Ocelot-9911")
    assert redact("login as op with b'Ocelot-9911' failed") == f"login as op with b'{MASK}' failed"


async def test_no_password_or_key_reaches_a_handler_over_a_secure_session(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The target's case: `-vv` (every logger at debug) over Basic256Sha256 with a client
    certificate made and trusted as the docs say, user name and password set: neither the
    password nor the client's private key reaches a handler."""
    from crane_ctrl.links.opcua import resolve_path
    from crane_ctrl.profile.loader import load_profile
    from crane_ctrl.profile.model import OpcUaProfile
    from tests.profile_texts import PROFILES

    profile = load_profile(PROFILES / "siemens-s7-1500-opcua.toml")
    assert isinstance(profile, OpcUaProfile)
    assert profile.link.security_policy == "Basic256Sha256"
    monkeypatch.setenv(profile.link.username_env or "", "crane")
    monkeypatch.setenv(profile.link.password_env or "", PASSWORD)
    assert main(["pki", "client", "--dir", str(tmp_path / "pki" / "own")]) == 0
    key = next((tmp_path / "pki" / "own" / "private").iterdir()).read_text()
    key_body = "".join(key.strip().splitlines()[1:-1])
    own = tmp_path / "pki" / "own" / "certs" / "crane-ctrl-client.der"
    assert main(["pki", "trust", str(own), "--dir", str(tmp_path / "sim-trust")]) == 0
    with debug_log() as out:
        async with serve(CraneSimulator(), profile, pki_dir=tmp_path / "sim-pki",
                         trust_dir=tmp_path / "sim-trust") as served:  # fmt: skip
            certificate = getattr(served.server, "certificate", None)
            assert certificate is not None
            assert profile.link.trust_dir is not None
            trust = resolve_path(profile.link.trust_dir, tmp_path)
            assert main(["pki", "trust", str(certificate), "--dir", str(trust)]) == 0
            await served.server.publish()
            async with OpcUaLink(profile, MonotonicClock(), endpoint=served.endpoint,
                                 base_dir=tmp_path) as link:  # fmt: skip

                async def reads() -> bool:
                    return (await link.read()).ok

                await wait_until(reads, within=10, what="a read over the secure link")
    logged = out.getvalue()
    assert "Created internal session" in logged  # asyncua logged at debug level, server and
    assert ": up" in logged  # client, and the link came up over the secure session
    assert PASSWORD not in logged
    assert key_body[:40] not in logged.replace("\n", "")
