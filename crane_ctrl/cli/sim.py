"""``crane-ctrl sim`` serves a simulated crane PLC; ``crane-ctrl fault`` drives its control channel.

The simulator lives in the ``simulators`` package; this module only parses arguments and runs it
(imports are deferred so profile tools stay fast and never load protocol servers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.profile.shipped import GENERIC_MODBUS

__all__ = ["DEFAULT_PORTS", "add_parsers", "run_simulator"]

DEFAULT_PORTS = {"modbus": 15020, "opcua": 14840}
"""Unprivileged default ports of the simulator (the PLC's real 502 / 4840 need root)."""
GENERIC_PROFILE = GENERIC_MODBUS
PERSONALITY_NAMES = ("level", "twincat", "s7-mbserver")
"""The simulator's PLC personalities (``simulators.personality.PERSONALITIES``; a test holds
them equal, so this module need not import the simulators)."""


def add_parsers(commands: Any) -> None:
    sim = commands.add_parser("sim", help="serve a simulated crane PLC (Modbus TCP or OPC UA)")
    sim.add_argument("--profile", type=Path, default=GENERIC_PROFILE, help="PLC profile to serve")
    sim.add_argument(
        "--port", type=int, help="TCP port (default 15020 Modbus, 14840 OPC UA; 0 = any)"
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sim.add_argument("--speed", type=float, default=1.0, help="times real time (default 1)")
    sim.add_argument("--site", type=Path, help="site file: crane, site layout, yard at start")
    sim.add_argument("--control-port", type=int, default=0, help="fault control channel (0 = any)")
    sim.add_argument("--faults", type=Path, help="fault schedule: [[faults]] at_s, fault, params")
    sim.add_argument(
        "--personality",
        default="level",
        metavar="NAME|FILE.toml",
        help="how the simulated PLC takes commands (default level: as held; twincat, "
        "s7-mbserver: edge-triggered handshakes, as the vendor profiles expect), or a "
        "personality file that starts from one of them (based_on) and says what differs",
    )
    sim.add_argument(
        "--pki-dir", type=Path, metavar="DIR",
        help="OPC UA: keep the server's key and certificate here, made once and reused "
        "(default: new ones in a temporary folder at each start)",
    )  # fmt: skip
    sim.add_argument(
        "--trust-dir", type=Path, metavar="DIR",
        help="OPC UA: accept only the client certificates in DIR (crane-ctrl pki trust puts "
        "them there; default: any client certificate)",
    )  # fmt: skip
    sim.add_argument(
        "--print-cert", action="store_true",
        help="OPC UA: print the server certificate's subject, URI, validity and thumbprints",
    )  # fmt: skip
    sim.set_defaults(handler=_sim)

    fault = commands.add_parser("fault", help="inject or clear faults in a running simulator")
    fault.add_argument("--control", required=True, metavar="HOST:PORT", help="its control channel")
    sub = fault.add_subparsers(dest="fault_command", metavar="ACTION", required=True)
    inject = sub.add_parser("inject", help="inject a fault: NAME key=value ...")
    inject.add_argument("name")
    inject.add_argument("params", nargs="*", metavar="KEY=VALUE")
    clear = sub.add_parser("clear", help="clear one fault (by name or key) or all")
    clear.add_argument("key", nargs="?")
    sub.add_parser("list", help="active faults and the catalogue")
    sub.add_parser("status", help="the simulated PLC's status signals now")
    fault.set_defaults(handler=_fault)


def _sim(args: argparse.Namespace) -> int:
    name = args.personality
    if not name.endswith(".toml") and name not in PERSONALITY_NAMES:
        print(
            f"crane-ctrl sim: no PLC personality {name!r}; use one of "
            f"{', '.join(PERSONALITY_NAMES)} or a personality file (.toml)",
            file=sys.stderr,
        )
        return 2  # fmt: skip
    profile = load_profile(args.profile)
    port = DEFAULT_PORTS[profile.protocol] if args.port is None else args.port
    asyncio.run(
        run_simulator(
            profile, host=args.host, port=port, speed=args.speed, site=args.site,
            control_port=args.control_port, faults=args.faults, personality=args.personality,
            pki_dir=args.pki_dir, trust_dir=args.trust_dir, print_cert=args.print_cert,
        )
    )  # fmt: skip
    return 0


async def run_simulator(
    profile: Profile,
    *,
    host: str,
    port: int,
    speed: float,
    site: Path | None,
    control_port: int,
    faults: Path | None = None,
    personality: str = "level",
    pki_dir: Path | None = None,
    trust_dir: Path | None = None,
    print_cert: bool = False,
) -> None:
    """Serve until SIGINT or SIGTERM; print where it can be reached (and, for a secure OPC UA
    profile, where its certificate is and which client certificates it accepts)."""
    from simulators.fault_schedule import load_schedule
    from simulators.personality_file import load_personality
    from simulators.runner import run_realtime, serve
    from simulators.site_file import DEFAULT_SITE, load_site

    site_file = load_site(site or DEFAULT_SITE)
    schedule = load_schedule(faults) if faults is not None else None
    sim = site_file.simulator(personality=load_personality(personality))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with serve(
            sim, profile, host=host, port=port, control_port=control_port,
            pki_dir=pki_dir, trust_dir=trust_dir,
        ) as served:  # fmt: skip
            unit = f", unit {profile.link.unit_id}" if isinstance(profile, ModbusProfile) else ""
            print(f"simulator: {profile.name} ({profile.protocol}) at {served.endpoint}{unit}")
            for line in _certificate_lines(
                profile, served.server, print_cert=print_cert, kept=pki_dir is not None
            ):
                print(line)
            print(f"control: {host}:{served.control_port}  (crane-ctrl fault --control "
                  f"{host}:{served.control_port} inject wind speed_mps=22)")  # fmt: skip
            print(f"site: {site or DEFAULT_SITE}; PLC personality {personality}; speed {speed:g}x; "
                  "Ctrl-C stops", flush=True)  # fmt: skip
            tick = None if schedule is None else lambda: schedule.apply(sim)
            await run_realtime(sim, served, speed=speed, stop=stop, on_tick=tick)
    except OSError as exc:
        raise CraneCtrlError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _certificate_lines(
    profile: Profile, server: object, *, print_cert: bool, kept: bool
) -> list[str]:
    """Where a secure OPC UA simulator's certificate is, its thumbprint (all it says with
    ``print_cert``), and which client certificates it accepts."""
    from crane_ctrl.pki import facts, read_certificate

    certificate: Path | None = getattr(server, "certificate", None)
    if certificate is None:
        return [
            f"no server certificate: {profile.name} is not a secure OPC UA profile"
        ] * print_cert
    seen = facts(read_certificate(certificate))
    lines = [
        f"server certificate: {certificate} (copy it into the client's trust_dir: "
        f"crane-ctrl pki trust {certificate} --dir TRUST_DIR)",
        f"  SHA-1 thumbprint {seen.sha1}"
        + ("" if kept else " (a new certificate at each start: --pki-dir DIR keeps one)"),
    ]
    if print_cert:
        lines += [f"  {line}" for line in seen.lines(datetime.now(UTC))]
    trust_dir: Path | None = getattr(server, "trust_dir", None)
    if trust_dir is None:
        lines.append("client certificates: accepts any client certificate; --trust-dir D to "
                     "require trusted ones")  # fmt: skip
    else:
        lines.append(f"client certificates: only those in {trust_dir} (refusals are logged "
                     "with the certificate and where to put it)")  # fmt: skip
    return lines


def _fault(args: argparse.Namespace) -> int:
    from simulators.control import request

    host, _, port = args.control.rpartition(":")
    if not host or not port.isdigit():
        raise CraneCtrlError(f"--control must be HOST:PORT, not {args.control!r}")
    message: dict[str, Any]
    if args.fault_command == "inject":
        message = {"op": "inject", "fault": args.name, "params": _params(args.params)}
    elif args.fault_command == "clear":
        message = {"op": "clear", "key": args.key}
    else:
        message = {"op": "faults" if args.fault_command == "list" else "status"}
    try:
        answer = asyncio.run(request(host, int(port), message))
    except (OSError, TimeoutError) as exc:
        raise CraneCtrlError(f"no simulator control channel at {args.control}: {exc}") from None
    if not answer.get("ok"):
        raise CraneCtrlError(str(answer.get("error")))
    answer.pop("ok")
    json.dump(answer, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CraneCtrlError(f"parameters are KEY=VALUE, not {pair!r}")
        params[key] = value
    return params
