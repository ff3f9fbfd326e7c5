"""How a fleet client trusts its MQTT broker over TLS (``mqtts://``), and proves who it is.

Like the login, the TLS settings come from the environment, never from the URL:

- :data:`CA_FILE_ENV`: the CA certificate(s), PEM, that signed the broker's certificate; without
  it the system's trust store (a broker with a certificate from a public CA).
- :data:`CERT_FILE_ENV` and :data:`KEY_FILE_ENV`, both or neither: a client certificate and its
  private key, PEM (a broker with ``require_certificate true``).

The broker's certificate chain and its name (the URL's host among the certificate's DNS names
or IP addresses) are always verified, over TLS 1.2 or later: there is no switch that turns
either off. A broker reached by another name than its certificate's, or with a certificate of
its own making, gets a CA file or a certificate that says so, not a client that trusts anyone.

Every file is read and checked once, when the client starts (:meth:`BrokerTls.load`, by
:mod:`crane_ctrl.fleet.pem_files`, imported then): missing, unreadable, not PEM, a key that is
encrypted or not the certificate's own is a :class:`FleetError` naming the variable, the file
and the fix. Messages name files, never what a
key file holds; the :class:`ssl.SSLContext` built then serves every connection after (a
certificate renewed on disk counts from the next start).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crane_ctrl.errors import FleetError

__all__ = ["CA_FILE_ENV", "CERT_FILE_ENV", "KEY_FILE_ENV", "TLS_ENV", "BrokerTls"]

CA_FILE_ENV = "CRANE_CTRL_MQTT_CA_FILE"
"""The CA certificate(s), PEM, that signed the broker's certificate (default: the system's)."""
CERT_FILE_ENV = "CRANE_CTRL_MQTT_CERT_FILE"
"""A client certificate, PEM, for a broker that asks for one (with :data:`KEY_FILE_ENV`)."""
KEY_FILE_ENV = "CRANE_CTRL_MQTT_KEY_FILE"
"""The client certificate's private key, PEM, unencrypted, readable by the station's user only."""
TLS_ENV = (CA_FILE_ENV, CERT_FILE_ENV, KEY_FILE_ENV)
_CA_FIX = ("the PEM file of the CA that signed the broker's certificate (or unset it to trust "
           "the system's CAs)")  # fmt: skip


@dataclass(frozen=True, slots=True)
class BrokerTls:
    """TLS to the broker: the files it came from and the context they made (:meth:`load`)."""

    ca_file: Path | None
    cert_file: Path | None
    key_file: Path | None
    context: ssl.SSLContext = field(compare=False, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BrokerTls:
        """From :data:`CA_FILE_ENV`, :data:`CERT_FILE_ENV` and :data:`KEY_FILE_ENV` (each
        optional; an empty one counts as not set)."""
        env = os.environ if env is None else env
        ca, cert, key = (Path(env[name]) if env.get(name) else None for name in TLS_ENV)
        return cls.load(ca_file=ca, cert_file=cert, key_file=key)

    @classmethod
    def load(
        cls, *, ca_file: Path | None = None, cert_file: Path | None = None,
        key_file: Path | None = None,
    ) -> BrokerTls:  # fmt: skip
        """Read and check every file; :class:`FleetError` naming the variable, file and fix."""
        from crane_ctrl.fleet.pem_files import (  # cryptography: only for TLS, not every command
            PemFile,
            check_key,
            read_certificates,
        )

        if ca_file is not None:
            read_certificates(PemFile(CA_FILE_ENV, ca_file), _CA_FIX)
        context = _verifying_context(ca_file)
        if cert_file is not None or key_file is not None:
            cert_file, key_file = _both(cert_file, key_file)
            check_key(PemFile(KEY_FILE_ENV, key_file), PemFile(CERT_FILE_ENV, cert_file))
            _load_chain(context, cert_file, key_file)
        return cls(ca_file, cert_file, key_file, context)

    def __str__(self) -> str:
        trust = f"CA {self.ca_file}" if self.ca_file else "the system's CAs"
        own = f", client certificate {self.cert_file}" if self.cert_file else ""
        return f"TLS, trusting {trust}{own}"


def _verifying_context(ca_file: Path | None) -> ssl.SSLContext:
    """Chain and host name verified, TLS 1.2 at least; the CAs of ``ca_file`` or the system's."""
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    except ssl.SSLError as exc:  # parsed before; OpenSSL may still refuse one
        raise FleetError(f"{CA_FILE_ENV}: {ca_file}: OpenSSL refuses it ({exc.reason or exc}); "
                         f"set {CA_FILE_ENV} to {_CA_FIX}") from None  # fmt: skip
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.sslsocket_class = _ClosedIfRefused
    assert context.check_hostname, "create_default_context checks the host name"
    assert context.verify_mode == ssl.CERT_REQUIRED, "... and the chain"
    return context


class _ClosedIfRefused(ssl.SSLSocket):
    """A TLS socket that closes itself when its handshake fails: paho-mqtt (2.2) drops it then
    without closing, to the garbage collector, once per attempt against a broker refused."""

    def do_handshake(self, block: bool = False) -> None:
        try:
            super().do_handshake(block)
        except BaseException:
            self.close()
            raise


def _both(cert_file: Path | None, key_file: Path | None) -> tuple[Path, Path]:
    if cert_file is None:
        raise FleetError(
            f"{KEY_FILE_ENV} is set but {CERT_FILE_ENV} is not: set it to the "
            f"client certificate (PEM) of that key, or unset {KEY_FILE_ENV}"
        )
    if key_file is None:
        raise FleetError(
            f"{CERT_FILE_ENV} is set but {KEY_FILE_ENV} is not: set it to the "
            f"private key (PEM) of that certificate, or unset {CERT_FILE_ENV}"
        )
    return cert_file, key_file


def _load_chain(context: ssl.SSLContext, cert_file: Path, key_file: Path) -> None:
    try:
        context.load_cert_chain(cert_file, key_file)
    except ssl.SSLError as exc:  # checked before; OpenSSL may still refuse (an unknown key type)
        raise FleetError(f"{CERT_FILE_ENV} {cert_file} with {KEY_FILE_ENV} {key_file}: "
                         f"OpenSSL refuses them ({exc.reason or exc}): give a certificate "
                         "and key it can load (RSA or EC, PEM)") from None  # fmt: skip
