"""``crane-ctrl fleet crane``: one crane of a demo block, in a process of its own (started by
``crane-ctrl fleet demo`` and ``crane-ctrl bench fleet``, not by hand).

The simulated PLC (a PLC cycle of :data:`FLEET_SIM_DT_S`, its written references stamped for the
bench) and the station scanning it, serving the seam at ``--socket`` (``crane-ctrl hmi
--connect`` attaches a local HMI to any crane of the block) and, with ``--broker``, an edge node
of the block. The machine is RESET and STARTed in ``--mode`` with no job (the dispatcher gives
them), or with the demo's own jobs (``--demo-jobs``). Once it runs, one line on stdout says
where its simulator's control channel is; it stops on SIGTERM or SIGINT, or when ``--parent``
is gone, leaving the crane safe.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crane_ctrl.cli.fleet_options import add_fleet_options, fleet_attach
from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.operation.machine import Mode

__all__ = ["FLEET_SIM_DT_S", "add_crane_parser", "ready_line"]

FLEET_SIM_DT_S = 0.05
"""The simulated PLC's cycle in a fleet: 20 Hz, the scan's rate (100 Hz costs each crane's
process about twice the CPU, and many cranes share one machine)."""


def ready_line(name: str, control: tuple[str, int]) -> str:
    """What the crane prints once it runs (the launcher reads it)."""
    return f"crane {name}: control {control[0]}:{control[1]}"


def add_crane_parser(sub: Any) -> None:
    crane = sub.add_parser("crane", description=__doc__)
    crane.add_argument("--name", required=True, help="the crane's name (its edge node id)")
    crane.add_argument("--journal", type=Path, required=True, help="its event journal")
    crane.add_argument("--socket", type=Path, required=True, help="its seam's socket")
    crane.add_argument("--roles", type=Path, required=True, help="its roles file")
    crane.add_argument("--site", type=Path, help="site file (default: the border-gate site)")
    crane.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.FULLAUTOMATIC.value)
    crane.add_argument("--demo-jobs", action="store_true", help="queue the demo's own jobs")
    crane.add_argument("--parent", type=int, help="stop when this process is gone")
    add_fleet_options(crane)
    crane.set_defaults(handler=_crane)


def _crane(args: argparse.Namespace) -> int:
    from crane_ctrl.cli.station import until_stopped
    from crane_ctrl.operation.roles import Roles
    from crane_ctrl.profile.loader import load_profile
    from crane_ctrl.profile.shipped import GENERIC_MODBUS
    from crane_ctrl.runtime.demo import DEMO_JOBS, Demo, DemoOptions
    from simulators.site_file import DEFAULT_SITE, load_site

    journal: Path = args.journal
    options = DemoOptions(
        load_profile(GENERIC_MODBUS), GENERIC_MODBUS, load_site(args.site or DEFAULT_SITE),
        journal, jobs=DEMO_JOBS if args.demo_jobs else (), roles=Roles.load(args.roles),
        serve=args.socket, attach=fleet_attach(args, journal), mode=Mode(args.mode),
        sim_dt=FLEET_SIM_DT_S, stamp_commands=True,
    )  # fmt: skip
    demo = Demo(options)
    try:
        demo.start()
    except OSError as exc:
        raise CraneCtrlError(f"crane {args.name}: cannot start: {exc.strerror or exc}") from None
    try:
        served = demo.served
        assert served is not None
        for note in demo.notes:
            print(f"note: {note}", flush=True)
        print(ready_line(args.name, (served.host, served.control_port)), flush=True)
        with until_stopped(parent=args.parent) as stop:
            stop.wait()
    finally:
        demo.stop()
    return 0
