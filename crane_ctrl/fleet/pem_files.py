"""Certificates and keys in PEM files as an operator names them (an environment variable each):
each read and parsed, each problem one sentence naming the variable, the file and the fix.

Its own module so that :mod:`cryptography` loads only when TLS is asked for (every crane-ctrl
command imports :mod:`crane_ctrl.fleet.broker`). A message never quotes what a file holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

from crane_ctrl.errors import FleetError

__all__ = ["PemFile", "check_key", "read_certificates"]

_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
_PRIVATE_KEY = b"PRIVATE KEY-----"
_DER_HINT = " (DER? convert it: openssl x509 -inform der -in F -out F.pem)"


@dataclass(frozen=True, slots=True)
class PemFile:
    """A file and the variable that named it."""

    variable: str
    path: Path


def read_certificates(
    file: PemFile, fix: str, *, key_beside: bool = False
) -> list[x509.Certificate]:
    """The PEM certificates in ``file``, one at least, each parsed (``key_beside``: a private
    key may share the file); else what is wrong, and ``set VARIABLE to {fix}``."""
    data = _read(file, f"set {file.variable} to {fix}")
    problem = ""
    if _CERTIFICATE not in data:
        problem = "it holds no PEM certificate"
        if _PRIVATE_KEY in data:
            problem = "it holds a private key, not a certificate"
        elif not data.strip():
            problem = "it is empty"
        elif not data.lstrip().startswith(b"-----"):
            problem += _DER_HINT
    elif _PRIVATE_KEY in data and not key_beside:
        problem = "it holds a private key too (a CA file never should: remove it from there)"
    certificates: list[x509.Certificate] = []
    if not problem:
        try:
            certificates = x509.load_pem_x509_certificates(data)
        except ValueError:
            problem = "a PEM certificate in it does not parse"
    if problem:
        raise FleetError(f"{file.variable}: {file.path}: {problem}; set {file.variable} to {fix}")
    return certificates


def check_key(key: PemFile, cert: PemFile) -> None:
    """``key`` holds the unencrypted PEM private key of the (first) certificate in ``cert``."""
    certificate = read_certificates(cert, "the client certificate (PEM) the broker's CA signed",
                                    key_beside=True)[0]  # fmt: skip
    fix = f"set {key.variable} to the unencrypted PEM private key of {cert.path}"
    data = _read(key, fix)
    try:
        private = load_pem_private_key(data, password=None)
    except TypeError:  # a key that needs a password: nothing here could ask for it
        raise FleetError(
            f"{key.variable}: {key.path}: the key is encrypted; decrypt it to a file readable "
            f"by the station's user only (openssl pkey -in {key.path} -out NEW.pem) and set "
            f"{key.variable} to that"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise FleetError(f"{key.variable}: {key.path}: no PEM private key in it; {fix}") from None
    if _spki(private.public_key()) != _spki(certificate.public_key()):
        raise FleetError(f"{key.variable}: {key.path} is not the private key of the "
                         f"certificate in {cert.variable} ({cert.path}): set the two to a "
                         "certificate and its own key")  # fmt: skip


def _spki(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _read(file: PemFile, fix: str) -> bytes:
    try:
        return file.path.read_bytes()
    except OSError as exc:
        raise FleetError(
            f"{file.variable}: cannot read {file.path}: {exc.strerror}; {fix}"
        ) from None
