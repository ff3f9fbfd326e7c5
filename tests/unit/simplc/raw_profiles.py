"""Profiles for the raw-value tests: the shipped ones, and variants with the places they lack.

No shipped profile maps a bool to a whole register or integer node (where a PLC can hold 2), nor
a value map with unused codes in a register (the Modicon size field uses all four of its codes),
and the Siemens one needs certificates; these variants add exactly that, one line each.
"""

from __future__ import annotations

from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.profile.model import Profile
from tests.profile_texts import PROFILES, with_setting, with_signal

SHIPPED = ["generic-modbus", "modicon-m580-modbus", "generic-opcua", "siemens-s7-1500-opcua"]


def _text(name: str) -> str:
    return (PROFILES / f"{name}.toml").read_text(encoding="utf-8")


def _renamed(base: str, name: str) -> str:
    return with_setting(_text(base), "name", f'"{name}"')


def _variant(base: str, name: str, signal: str, mapping: str) -> str:
    return with_signal(_renamed(base, name), signal, mapping)


def _siemens_insecure() -> str:
    text = _renamed("siemens-s7-1500-opcua", "siemens-insecure")
    text = with_setting(text, "security_policy", '"None"')
    text = with_setting(text, "security_mode", '"None"')
    for key in ("certificate", "private_key", "trust_dir", "username_env", "password_env"):
        text = with_setting(text, key, None)
    return text


VARIANTS: dict[str, str] = {
    "bool-register-modbus": _variant(
        "generic-modbus",
        "bool-register-modbus",
        "plc.estop_ok",
        '{ table = "input", address = 23, type = "uint16" }',
    ),
    "wide-code-modbus": _variant(
        "modicon-m580-modbus",
        "wide-code-modbus",
        "spreader.size",
        '{ table = "holding", address = 2, type = "uint16", bit = 12, width = 3, '
        'map = { "0" = 0, "1" = 20, "2" = 40, "3" = 45 } }',
    ),
    "int-bool-opcua": _variant(
        "generic-opcua",
        "int-bool-opcua",
        "plc.estop_ok",
        '{ node = "s=Crane.Plc.EStopOk", type = "Int16" }',
    ),
    "siemens-insecure": _siemens_insecure(),
}
"""Variant profile texts by name: a bool in a whole input register (uint16), the Modicon size
code in three bits (codes 4..7 unmapped), a bool in an Int16 node, Siemens without security."""


def profile(name: str) -> Profile:
    """A shipped profile or a variant, by name."""
    if name in VARIANTS:
        return parse_profile(VARIANTS[name], name)
    return load_profile(PROFILES / f"{name}.toml")
