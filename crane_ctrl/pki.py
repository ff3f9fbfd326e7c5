"""OPC UA certificates as a maintenance engineer handles them: make, show, trust.

Everything cryptographic is asyncua's (:mod:`asyncua.crypto.cert_gen` makes the key and the
self-signed application certificate) or the ``cryptography`` package's (parsing, thumbprints);
this module only decides file names, modes and messages. A trust folder holds certificates as
asyncua's ``TrustStore`` reads them: every file whose name has a dot and holds ``der`` or
``pem`` (its own pattern), PEM when it ends in ``.pem``, DER otherwise; so a file it would read
that is not a certificate is named here, before asyncua fails on it without saying which.

No private key is ever printed or logged; one written here is mode 0600 in a 0700 folder.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asyncua.crypto.cert_gen import (
    dump_private_key_as_pem,
    generate_private_key,
    generate_self_signed_app_certificate,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from crane_ctrl.errors import CraneCtrlError

__all__ = [
    "CertificateFacts",
    "ClientFiles",
    "client_files",
    "facts",
    "make_client_certificate",
    "read_certificate",
    "thumbprint",
    "trust_certificate",
    "trusted_certificates",
]

_STORE_READS = re.compile(r".*(der|pem)")
"""The names asyncua's ``TrustStore`` loads from a trust folder (``glob("*.*")``, then this,
matched on the lower-cased name)."""
_OTHER_SUFFIXES = (".crt", ".cer")


def read_certificate(path: Path) -> x509.Certificate:
    """The X.509 certificate in ``path`` (PEM or DER, whatever its name says); else a message
    naming the file and what it holds instead."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CraneCtrlError(f"cannot read the certificate {path}: {exc.strerror}") from None
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise CraneCtrlError(f"{path} is not a certificate: {_what_it_is(data)}") from None


def _what_it_is(data: bytes) -> str:
    if b"PRIVATE KEY-----" in data:
        return "it holds a private key (keep it where it is, and never copy it to a trust folder)"
    if not data:
        return "it is empty"
    return "neither a PEM nor a DER X.509 certificate"


def thumbprint(certificate: x509.Certificate, algorithm: hashes.HashAlgorithm) -> str:
    """The certificate's fingerprint as PLC screens show it, ``AB:CD:...``."""
    return certificate.fingerprint(algorithm).hex(":").upper()


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """What an engineer compares between a PLC's screen and a file."""

    subject: str
    application_uri: str | None
    not_before: datetime
    not_after: datetime
    uses: tuple[str, ...]
    sha1: str
    sha256: str

    def validity(self, now: datetime) -> str:
        state = "valid now"
        if now < self.not_before:
            state = "NOT YET VALID"
        elif now > self.not_after:
            state = "EXPIRED"
        return f"{self.not_before:%Y-%m-%d %H:%M} to {self.not_after:%Y-%m-%d %H:%M} UTC ({state})"

    def lines(self, now: datetime) -> list[str]:
        return [
            f"subject:         {self.subject}",
            f"application URI: {self.application_uri or '(none: OPC UA needs one)'}",
            f"valid:           {self.validity(now)}",
            f"use:             {', '.join(self.uses) or '(not said)'}",
            f"SHA-1:           {self.sha1}",
            f"SHA-256:         {self.sha256}",
        ]


def facts(certificate: x509.Certificate) -> CertificateFacts:
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(),
        application_uri=_application_uri(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        uses=_uses(certificate),
        sha1=thumbprint(certificate, hashes.SHA1()),
        sha256=thumbprint(certificate, hashes.SHA256()),
    )


def _application_uri(certificate: x509.Certificate) -> str | None:
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    uris = san.get_values_for_type(x509.UniformResourceIdentifier)
    return str(uris[0]) if uris else None


def _uses(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    names = {ExtendedKeyUsageOID.CLIENT_AUTH: "client", ExtendedKeyUsageOID.SERVER_AUTH: "server"}
    return tuple(names[oid] for oid in names if oid in usage)


def trusted_certificates(folder: Path, *, wanted: str, fix: str) -> list[Path]:
    """The certificate files in trust folder ``folder`` that asyncua reads, each checked to be
    one. A missing or empty folder, or a file it would read that is not a certificate, is a
    message naming it and what to copy there: ``wanted`` (``"the PLC's server certificate"``),
    then ``fix`` (where that is set or found)."""
    if not folder.is_dir():
        raise CraneCtrlError(
            f"the OPC UA trust folder {folder} does not exist: create it and copy {wanted} "
            f"(.der or .pem) into it; {fix}"
        )
    read = sorted(p for p in folder.iterdir() if p.is_file() and _store_reads(p.name))
    for path in read:
        try:
            read_certificate(path)
        except CraneCtrlError as exc:
            raise CraneCtrlError(
                f"in the OPC UA trust folder {folder}: {exc}; every file named *.der or *.pem "
                f"there is read as a certificate: remove it or replace it with {wanted}"
            ) from None
    if not read:
        others = [p.name for p in sorted(folder.iterdir()) if p.suffix.lower() in _OTHER_SUFFIXES]
        renamed = f" ({', '.join(others)}: not read; rename to .der or .pem)" if others else ""
        raise CraneCtrlError(
            f"the OPC UA trust folder {folder} holds no certificate{renamed}: copy {wanted} "
            f"(.der or .pem) into it; {fix}"
        )
    return read


def _store_reads(name: str) -> bool:
    return "." in name and _STORE_READS.match(name.lower()) is not None


def trust_certificate(certificate: Path, folder: Path) -> tuple[Path, x509.Certificate]:
    """Copy ``certificate`` into trust folder ``folder`` (made if missing) as DER, named after
    it with ``.der``; the file written and the certificate. A different certificate already
    there under that name is not overwritten."""
    cert = read_certificate(certificate)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{certificate.stem}.der"
    data = cert.public_bytes(Encoding.DER)
    if target.exists() and target.resolve() != certificate.resolve():
        try:
            same = read_certificate(target) == cert
        except CraneCtrlError:
            same = False
        if not same:
            raise CraneCtrlError(
                f"{target} already holds another certificate: remove it first, or rename "
                f"{certificate} (the file in the trust folder takes its name)"
            )
    target.write_bytes(data)
    return target, cert


@dataclass(frozen=True, slots=True)
class ClientFiles:
    """A client certificate made by :func:`make_client_certificate`."""

    certificate: Path
    private_key: Path
    application_uri: str


def client_files(directory: Path, name: str) -> tuple[Path, Path]:
    """Where :func:`make_client_certificate` puts them: OPC UA's usual ``certs``/``private``."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "client"
    return directory / "certs" / f"{stem}.der", directory / "private" / f"{stem}.pem"


def make_client_certificate(
    directory: Path, name: str, *, days: int, uri: str | None = None, force: bool = False
) -> ClientFiles:
    """A new private key and a self-signed OPC UA client certificate for it (asyncua's
    generator, valid ``days``), in ``directory``; existing files are kept unless ``force``."""
    cert_path, key_path = client_files(directory, name)
    existing = [p for p in (cert_path, key_path) if p.exists()]
    if existing and not force:
        raise CraneCtrlError(
            f"{' and '.join(map(str, existing))} already exist: keep them (a PLC may trust "
            "that certificate already), or pass --force to make new ones"
        )
    if days < 1:
        raise CraneCtrlError(f"--days must be 1 or more, not {days}")
    host = socket.gethostname()
    uri = uri or f"urn:{host}:crane-ctrl:{cert_path.stem}"
    key = generate_private_key()
    cert = generate_self_signed_app_certificate(
        key, name, {"organizationName": "crane-ctrl"},
        [x509.UniformResourceIdentifier(uri), x509.DNSName(host)],
        [ExtendedKeyUsageOID.CLIENT_AUTH], days=days,
    )  # fmt: skip
    _write_private(key_path, dump_private_key_as_pem(key))
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert.public_bytes(Encoding.DER))
    return ClientFiles(cert_path, key_path, uri)


def _write_private(path: Path, data: bytes) -> None:
    """``data`` in ``path``, readable by its owner only, from the moment it exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    path.chmod(0o600)  # whatever the umask was
