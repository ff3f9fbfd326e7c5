"""A throwaway certificate authority for the TLS tests: a CA, a broker certificate for
127.0.0.1 and localhost, and a client certificate, all PEM in a test's tmp folder.

EC P-256 keys (milliseconds to make, where RSA takes tenths of a second on a busy machine),
valid from a minute ago for a day.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Issued:
    """A certificate and its key, each in a PEM file."""

    cert: Path
    key: Path


@dataclass(frozen=True)
class LocalCa:
    """A CA that signs what :meth:`issue` asks for."""

    name: str
    cert: Path
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    folder: Path

    @classmethod
    def make(cls, folder: Path, name: str = "crane-ctrl test CA") -> LocalCa:
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = _valid(x509.CertificateBuilder(), subject, subject, key.public_key())
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0),
                                        critical=True)  # fmt: skip
        builder = builder.add_extension(_key_usage(ca=True), critical=True)
        certificate = builder.sign(key, hashes.SHA256())
        stem = name.replace(" ", "-")
        cert = folder / f"{stem}.pem"
        cert.write_bytes(certificate.public_bytes(Encoding.PEM))
        return cls(name, cert, key, certificate, folder)

    def issue(self, common_name: str, *, names: tuple[str, ...] = (),
              client: bool = False) -> Issued:  # fmt: skip
        """A certificate for ``names`` (DNS names or IP addresses), for a server (or a client)."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        builder = _valid(x509.CertificateBuilder(), subject, self.certificate.subject,
                         key.public_key())  # fmt: skip
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                        critical=True)  # fmt: skip
        builder = builder.add_extension(_key_usage(ca=False), critical=True)
        use = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([use]), critical=False)
        if names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False
            )
        certificate = builder.sign(self.key, hashes.SHA256())
        stem = common_name.replace(" ", "-")
        cert, key_file = self.folder / f"{stem}.crt.pem", self.folder / f"{stem}.key.pem"
        cert.write_bytes(certificate.public_bytes(Encoding.PEM))
        key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        key_file.chmod(0o600)
        return Issued(cert, key_file)


def _valid(
    builder: x509.CertificateBuilder, subject: x509.Name, issuer: x509.Name,
    public: ec.EllipticCurvePublicKey,
) -> x509.CertificateBuilder:  # fmt: skip
    now = datetime.datetime.now(datetime.UTC)
    return (builder.subject_name(subject).issuer_name(issuer).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1)))  # fmt: skip


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not ca, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                         decipher_only=False)  # fmt: skip


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)
