"""A link from a profile and, optionally, a URL that says where the PLC is instead.

``modbus://host:port`` for a Modbus profile, ``opc.tcp://host:port/path`` for an OPC UA one; no
URL: where the profile says. Used by ``crane-ctrl run --plc``, the station host and the rig.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from crane_ctrl.clock import Clock
from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.links.base import Link
from crane_ctrl.profile.model import ModbusProfile, Profile

__all__ = ["make_link"]


def make_link(profile: Profile, profile_path: Path, clock: Clock, plc: str | None) -> Link:
    """The link the profile describes, optionally pointed elsewhere by ``plc`` (a URL)."""
    if isinstance(profile, ModbusProfile):
        from crane_ctrl.links.modbus import ModbusLink

        host = port = None
        if plc is not None:
            url = urlsplit(plc)
            if url.scheme != "modbus" or not url.hostname:
                raise CraneCtrlError(
                    f"--plc for a Modbus profile is modbus://host:port, not {plc!r}"
                )
            host, port = url.hostname, url.port
        return ModbusLink(profile, clock, host=host, port=port)
    from crane_ctrl.links.opcua import OpcUaLink

    if plc is not None and not plc.startswith("opc.tcp://"):
        raise CraneCtrlError(
            f"--plc for an OPC UA profile is opc.tcp://host:port/path, not {plc!r}"
        )
    return OpcUaLink(profile, clock, endpoint=plc, base_dir=profile_path.resolve().parent)
