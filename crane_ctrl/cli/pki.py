"""``crane-ctrl pki``: the OPC UA certificates a maintenance engineer makes, reads and trusts.

``pki client`` makes the supervisor's key and self-signed client certificate and says which
profile fields take them; ``pki show`` reads a certificate as a PLC's screen shows it (subject,
application URI, validity, thumbprints); ``pki trust`` copies one into a trust folder (the
supervisor's ``trust_dir`` for the PLC's certificate, the simulator's ``--trust-dir`` for the
supervisor's). The work is :mod:`crane_ctrl.pki`'s, imported when a command runs (asyncua is
slow to load and other commands do not need it).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["add_parser"]

DEFAULT_NAME = "crane-ctrl client"
DEFAULT_DAYS = 365


def add_parser(commands: Any) -> None:
    pki = commands.add_parser("pki", help="OPC UA certificates: make, show, trust")
    sub = pki.add_subparsers(dest="pki_command", metavar="ACTION", required=True)
    client = sub.add_parser("client", help="make the supervisor's key and client certificate")
    client.add_argument("--dir", type=Path, required=True, help="folder for certs/ and private/")
    client.add_argument(
        "--name", default=DEFAULT_NAME, help=f"common name (default {DEFAULT_NAME!r})"
    )
    client.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"valid this long (default {DEFAULT_DAYS})"
    )
    client.add_argument("--uri", help="application URI (default urn:HOST:crane-ctrl:NAME)")
    client.add_argument("--force", action="store_true", help="replace existing files")
    client.set_defaults(handler=_client)
    show = sub.add_parser("show", help="subject, URI, validity and thumbprints of a certificate")
    show.add_argument("file", type=Path, metavar="FILE", help="certificate (.der or .pem)")
    show.set_defaults(handler=_show)
    trust = sub.add_parser("trust", help="copy a certificate into a trust folder")
    trust.add_argument("certificate", type=Path, metavar="CERT", help="certificate to trust")
    trust.add_argument("--dir", type=Path, required=True, help="trust folder (made if missing)")
    trust.set_defaults(handler=_trust)


def _client(args: argparse.Namespace) -> int:
    from crane_ctrl.pki import facts, make_client_certificate, read_certificate

    made = make_client_certificate(
        args.dir, args.name, days=args.days, uri=args.uri, force=args.force
    )
    cert, key = made.certificate.resolve(), made.private_key.resolve()
    print(f"client certificate: {cert}")
    print(f"private key:        {key} (mode 0600: it stays on this machine, never copy it)")
    print(f"application URI:    {made.application_uri}")
    print(f"SHA-1 thumbprint:   {facts(read_certificate(cert)).sha1}")
    print("in the PLC profile's [link] table (paths may be relative to the profile's folder):")
    print('  security_policy = "Basic256Sha256"')
    print(f'  certificate = "{cert}"')
    print(f'  private_key = "{key}"')
    print('  trust_dir = "FOLDER"   # holding the PLC\'s server certificate (pki trust puts it)')
    print("then make the server trust this certificate: the PLC's trusted clients (e.g. TIA "
          f"Portal), or for the simulator: crane-ctrl pki trust {cert} --dir DIR; "
          "crane-ctrl sim --trust-dir DIR")  # fmt: skip
    return 0


def _show(args: argparse.Namespace) -> int:
    from crane_ctrl.pki import facts, read_certificate

    seen = facts(read_certificate(args.file))
    print(f"file:            {args.file}")
    for line in seen.lines(datetime.now(UTC)):
        print(line)
    return 0


def _trust(args: argparse.Namespace) -> int:
    from crane_ctrl.pki import facts, trust_certificate

    target, cert = trust_certificate(args.certificate, args.dir)
    seen = facts(cert)
    print(f"trusted: {target} ({seen.subject})")
    print(f"SHA-1 thumbprint: {seen.sha1}")
    return 0
