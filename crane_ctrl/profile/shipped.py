"""The PLC profiles shipped in ``plc_profiles/`` beside the package (a source checkout)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["GENERIC_MODBUS", "GENERIC_OPCUA", "PROFILES_DIR", "shipped_profiles"]

PROFILES_DIR = Path(__file__).resolve().parents[2] / "plc_profiles"
"""Where the shipped profiles are."""
GENERIC_MODBUS = PROFILES_DIR / "generic-modbus.toml"
"""The default profile of the simulator, the demo and the benchmarks."""
GENERIC_OPCUA = PROFILES_DIR / "generic-opcua.toml"


def shipped_profiles() -> list[Path]:
    """Every shipped profile, by file name."""
    return sorted(PROFILES_DIR.glob("*.toml"))
