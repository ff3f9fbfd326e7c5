"""``crane-ctrl pki ...`` (through the command line's ``main``, in process: each console-script
start would cost seconds of imports) and the simulator's certificate options (through the
console script, as a process of its own)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from tests.cli.test_profile_commands import CRANE_CTRL, run
from tests.cli.test_sim_commands import _read_banner
from tests.profile_texts import PROFILES, ROOT

SECURE = PROFILES / "siemens-s7-1500-opcua.toml"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``crane-ctrl ARGS`` in this process: its exit code and what it printed."""
    from crane_ctrl.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return subprocess.CompletedProcess(list(map(str, args)), code, out.getvalue(), err.getvalue())


def made(tmp_path: Path, *args: str) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    result = cli("pki", "client", "--dir", tmp_path / "own", *args)
    assert result.returncode == 0, result.stderr
    name = "crane-ctrl-client"
    return tmp_path / "own/certs" / f"{name}.der", tmp_path / "own/private" / f"{name}.pem", result


def fingerprint(path: Path, algorithm: hashes.HashAlgorithm) -> str:
    cert = x509.load_der_x509_certificate(path.read_bytes())
    return cert.fingerprint(algorithm).hex(":").upper()


def test_pki_client_makes_a_private_key_and_names_the_profile_fields(tmp_path: Path) -> None:
    cert, key, result = made(tmp_path, "--days", "30", "--uri", "urn:quay7:crane-ctrl")
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.parent.stat().st_mode & 0o077 == 0
    assert f"client certificate: {cert}" in result.stdout
    assert f"private key:        {key}" in result.stdout
    for field in (f'certificate = "{cert}"', f'private_key = "{key}"', "trust_dir = "):
        assert field in result.stdout
    assert "PRIVATE KEY" not in result.stdout + result.stderr
    shown = cli("pki", "show", cert)
    assert "application URI: urn:quay7:crane-ctrl" in shown.stdout
    assert "use:             client" in shown.stdout
    parsed = x509.load_der_x509_certificate(cert.read_bytes())
    assert (parsed.not_valid_after_utc - parsed.not_valid_before_utc).days == 30


def test_pki_client_keeps_existing_files_unless_forced(tmp_path: Path) -> None:
    cert, key, _ = made(tmp_path)
    before = fingerprint(cert, hashes.SHA256())
    again = cli("pki", "client", "--dir", tmp_path / "own")
    assert again.returncode == 2
    assert again.stderr.startswith(f"crane-ctrl: {cert} and {key} already exist")
    assert "--force" in again.stderr
    assert fingerprint(cert, hashes.SHA256()) == before
    made(tmp_path, "--force")
    assert fingerprint(cert, hashes.SHA256()) != before
    assert key.stat().st_mode & 0o777 == 0o600


def test_pki_show_gives_subject_uri_validity_and_thumbprints_of_der_and_pem(
    tmp_path: Path,
) -> None:
    cert, _, _ = made(tmp_path, "--name", "Quay 7 supervisor")
    cert = tmp_path / "own/certs/quay-7-supervisor.der"
    pem = tmp_path / "copy.pem"
    pem.write_bytes(x509.load_der_x509_certificate(cert.read_bytes()).public_bytes(Encoding.PEM))
    for path in (cert, pem):
        shown = cli("pki", "show", path)
        assert shown.returncode == 0, shown.stderr
        assert "subject:         O=crane-ctrl,CN=Quay 7 supervisor" in shown.stdout
        assert "application URI: urn:" in shown.stdout
        assert "(valid now)" in shown.stdout
        assert f"SHA-1:           {fingerprint(cert, hashes.SHA1())}" in shown.stdout
        assert f"SHA-256:         {fingerprint(cert, hashes.SHA256())}" in shown.stdout


def test_pki_show_names_a_file_that_is_not_a_certificate(tmp_path: Path) -> None:
    _, key, _ = made(tmp_path)
    notes = tmp_path / "notes.der"
    notes.write_text("not a certificate", encoding="utf-8")
    result = cli("pki", "show", notes)
    assert result.returncode == 2
    assert result.stderr == f"crane-ctrl: {notes} is not a certificate: neither a PEM nor a DER X.509 certificate\n"  # fmt: skip
    as_key = cli("pki", "show", key)
    assert as_key.returncode == 2
    assert f"crane-ctrl: {key} is not a certificate: it holds a private key" in as_key.stderr
    assert "BEGIN" not in as_key.stderr


def test_pki_trust_copies_a_certificate_into_a_new_trust_folder(tmp_path: Path) -> None:
    cert, _, _ = made(tmp_path)
    pem = tmp_path / "plc.pem"
    pem.write_bytes(x509.load_der_x509_certificate(cert.read_bytes()).public_bytes(Encoding.PEM))
    trust = tmp_path / "pki/trusted/certs"
    result = cli("pki", "trust", pem, "--dir", trust)
    assert result.returncode == 0, result.stderr
    assert f"trusted: {trust / 'plc.der'}" in result.stdout
    assert f"SHA-1 thumbprint: {fingerprint(cert, hashes.SHA1())}" in result.stdout
    assert (trust / "plc.der").read_bytes() == cert.read_bytes()
    assert cli("pki", "trust", pem, "--dir", trust).returncode == 0  # the same again: fine
    other, _, _ = made(tmp_path / "other")
    (tmp_path / "other/plc.der").write_bytes(other.read_bytes())
    clash = cli("pki", "trust", tmp_path / "other/plc.der", "--dir", trust)
    assert clash.returncode == 2
    assert f"{trust / 'plc.der'} already holds another certificate" in clash.stderr


@asynccontextmanager
async def sim(*args: str | Path) -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        CRANE_CTRL, "sim", "--profile", str(SECURE), "--port", "0", *map(str, args),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        yield await asyncio.wait_for(_read_banner(process), timeout=30)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), timeout=15)


async def test_sim_prints_where_its_certificate_is_and_that_it_accepts_any_client(
    tmp_path: Path,
) -> None:
    async with sim("--pki-dir", tmp_path / "sim", "--print-cert") as banner:
        cert = tmp_path / "sim/simulator-cert.der"
        assert f"server certificate: {cert} (copy it into the client's trust_dir" in banner
        assert f"SHA-1 thumbprint {fingerprint(cert, hashes.SHA1())}\n" in banner
        assert f"SHA-256:         {fingerprint(cert, hashes.SHA256())}" in banner
        assert "accepts any client certificate; --trust-dir D to require trusted ones" in banner
    async with sim("--pki-dir", tmp_path / "sim") as again:  # the same certificate, kept
        assert f"SHA-1 thumbprint {fingerprint(cert, hashes.SHA1())}\n" in again
        assert "SHA-256" not in again


async def test_sim_with_a_trust_folder_says_it_requires_trusted_clients(tmp_path: Path) -> None:
    cert, _, _ = made(tmp_path)
    assert cli("pki", "trust", cert, "--dir", tmp_path / "trusted").returncode == 0
    async with sim("--trust-dir", tmp_path / "trusted") as banner:
        assert f"client certificates: only those in {tmp_path / 'trusted'}" in banner
        assert "(a new certificate at each start: --pki-dir DIR keeps one)" in banner


@pytest.mark.parametrize("case", ["empty", "modbus"])
def test_sim_refuses_a_trust_folder_it_cannot_use_in_one_line(tmp_path: Path, case: str) -> None:
    (tmp_path / "trusted").mkdir()
    profile = SECURE if case == "empty" else PROFILES / "generic-modbus.toml"
    result = run("sim", "--profile", profile, "--port", "0", "--trust-dir", tmp_path / "trusted")
    assert result.returncode == 2
    said = (
        f"the OPC UA trust folder {tmp_path / 'trusted'} holds no certificate: copy the "
        "supervisor's client certificate"
        if case == "empty"
        else "generic-modbus is a Modbus profile: certificates are for OPC UA profiles"
    )
    assert result.stderr.startswith(f"crane-ctrl: {said}"), result.stderr
