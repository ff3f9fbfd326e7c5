"""Profile texts for tests: the shipped generic Modbus map, and a generated minimal OPC UA one.

Both put one signal per line under ``[signals]``, so a test can replace, drop or add one mapping.
"""

from __future__ import annotations

import re
from pathlib import Path

from crane_ctrl.signals import SIGNALS, Kind

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "plc_profiles"
GENERIC_MODBUS = (PROFILES / "generic-modbus.toml").read_text(encoding="utf-8")


def _opcua_text() -> str:
    lines = [
        "[profile]",
        'name = "test-opcua"',
        'vendor = "tests"',
        'plc_model = "generated"',
        'version = "0"',
        "",
        "[link]",
        'protocol = "opcua"',
        'endpoint = "opc.tcp://127.0.0.1:4840/test/"',
        'namespace_uri = "urn:test"',
        "",
        "[signals]",
    ]
    ua_type = {Kind.BOOL: "Boolean", Kind.INT: "UInt32", Kind.FLOAT: "Double"}
    for name, spec in SIGNALS.items():
        access = ', access = "read_write"' if spec.is_command else ""
        lines.append(
            f'"{name}" = {{ node = "s=Crane.{name}", type = "{ua_type[spec.kind]}"{access} }}'
        )
    return "\n".join(lines) + "\n"


GENERIC_OPCUA = _opcua_text()


def with_signal(text: str, name: str, mapping: str | None) -> str:
    """``text`` with the one-line mapping of ``name`` replaced (``None`` drops it; adds if absent)."""
    pattern = re.compile(rf'^"{re.escape(name)}"\s*=.*$', re.MULTILINE)
    line = "" if mapping is None else f'"{name}" = {mapping}'
    if pattern.search(text):
        return pattern.sub(line, text)
    return text + line + "\n"


def with_setting(text: str, key: str, value: str | None) -> str:
    """``text`` with the first ``key = ...`` line set to ``value`` (``None`` drops it)."""
    pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)
    line = "" if value is None else f"{key} = {value}"
    if pattern.search(text):
        return pattern.sub(line, text, count=1)
    return text.replace("\n[signals]", f"\n{line}\n\n[signals]", 1)


def line_of(text: str, fragment: str) -> int:
    """1-based number of the first line containing ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")
