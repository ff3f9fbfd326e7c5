"""Load a PLC profile from TOML, and turn every problem into a located, fixable message.

``load_profile(path)`` returns a validated :data:`~crane_ctrl.profile.model.Profile` or raises
:class:`~crane_ctrl.errors.ProfileError` listing every problem found, each as
``file:line key.path: what is wrong; how to fix it``. Problems come in up to two rounds: field
errors first (with the signal-name checks), then, once the fields are right, the cross-signal rules.
A problem inside a derived signal's expression or an alarm's condition also names its column in
the file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from crane_ctrl.config.file import (
    Finding,
    format_path,
    located,
    merge_unions,
    read_text,
    read_toml,
)
from crane_ctrl.config.file_kinds import PROFILE, wrong_kind
from crane_ctrl.config.messages import close_matches, explain
from crane_ctrl.config.toml_lines import KeyLines, key_lines
from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.model import (
    PROFILE_MODELS,
    CommandWrite,
    ModbusMapping,
    ModbusPoint,
    ModbusValidity,
    OpcUaMapping,
    OpcUaPoint,
    OpcUaValidity,
    Profile,
    ProfileAlarm,
)
from crane_ctrl.profile.rules import ExpressionStart, check_names, check_profile

__all__ = ["fingerprint", "format_path", "load_profile", "parse_profile"]

_SECTIONS = ("profile", "link", "signals")
_OPTIONAL_SECTIONS = ("points", "alarms", "plc", "validity.<block>")
_EXPRESSION_VALUE = re.compile(
    r"""(?:^|[\s{,.])(?P<key>derived|condition|ack|refused|reason)\s*=\s*"""
    r"""(?P<quote>"(?!"")|'(?!''))"""
)
"""``derived = "``, ``condition = "``, or a handshake's ``ack``, ``refused`` or ``reason``
(or ``'``) on a line: the expression starts right after the quote."""


def load_profile(path: str | Path) -> Profile:
    """Read, parse and validate the profile at ``path``."""
    path = Path(path)
    return parse_profile(read_text(path, ProfileError), str(path))


def parse_profile(text: str, source: str = "<profile>") -> Profile:
    """Validate profile ``text``; ``source`` names it in messages."""
    data = read_toml(text, source, ProfileError)
    lines = key_lines(text)
    protocol, findings = _protocol(data)
    if protocol is None:
        raise _error(source, lines, findings + _name_findings(data), data)
    model = PROFILE_MODELS[protocol]
    try:
        profile = model.model_validate(data)
    except ValidationError as exc:
        findings = [_from_pydantic(err, data) for err in merge_unions(exc)]
        raise _error(source, lines, findings + _name_findings(data), data) from None
    findings = check_profile(profile, expression_start=_expression_start(text, lines))
    if findings:
        raise _error(source, lines, findings)
    return profile


def fingerprint(text: str) -> str:
    """A short stable id of a profile's exact text (for the journal and the HMI)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _error(
    source: str,
    lines: KeyLines,
    findings: Sequence[Finding],
    data: Mapping[str, Any] | None = None,
) -> ProfileError:
    """The error for ``findings``; or, for ``data`` plainly of another kind of file, one problem
    that says which."""
    other = None if data is None else wrong_kind(data, source, PROFILE)
    if other is not None:
        return ProfileError([other])
    error = located(source, lines, findings, ProfileError)
    assert isinstance(error, ProfileError)
    return error


def _protocol(data: Mapping[str, Any]) -> tuple[str | None, list[Finding]]:
    link = data.get("link")
    if not isinstance(link, Mapping):
        return None, [Finding(("link",), 'missing [link] table; add one with protocol = "modbus"')]
    protocol = link.get("protocol")
    if protocol in PROFILE_MODELS:
        return str(protocol), []
    if protocol is None:
        return None, [Finding(("link",), 'missing protocol; add protocol = "modbus" or "opcua"')]
    return None, [
        Finding(("link", "protocol"), f'unknown protocol {protocol!r}; use "modbus" or "opcua"')
    ]


def _name_findings(data: Mapping[str, Any]) -> list[Finding]:
    signals = data.get("signals")
    names = list(signals) if isinstance(signals, Mapping) else []
    return check_names(names)


def _expression_start(text: str, lines: KeyLines) -> ExpressionStart:
    """Where each expression (derived signal, alarm condition, handshake) starts in the file:
    on the line of its key, right after the opening quote. Unknown (``None``) for a multi-line
    string or one with escapes, whose columns do not match the file's."""
    rows = text.split("\n")  # as TOML counts lines

    def start(path: tuple[str, ...]) -> int | None:
        line = lines.line_of(path) if lines.has(path) else None
        if line is None or line > len(rows):
            return None
        row = rows[line - 1]
        found = next((f for f in _EXPRESSION_VALUE.finditer(row) if f["key"] == path[-1]), None)
        if found is None or (found["quote"] == '"' and "\\" in row[found.end() :]):
            return None
        return found.end() + 1

    return start


def _from_pydantic(err: Mapping[str, Any], data: Mapping[str, Any]) -> Finding:
    loc = err["loc"]
    signal = loc[1] if len(loc) > 1 and loc[0] == "signals" else None
    if len(loc) == 1 and err["type"] == "extra_forbidden":
        sections = ", ".join(f"[{s}]" for s in _SECTIONS)
        optional = ", ".join(f"[{s}]" for s in _OPTIONAL_SECTIONS)
        return Finding(loc, f"unknown table; a profile has {sections} (and may have {optional})")
    if len(loc) == 3 and err["type"] == "extra_forbidden" and loc[0] in _KEYED:
        return Finding(loc, _unknown_field(loc[0], loc[2], _protocol_of(data)), signal)
    if len(loc) > 1 and loc[-1] == "[key]":  # a code of texts or fault_texts
        return Finding(loc[:-1], f'a code is a whole number, not "{loc[-2]}"; e.g. 3 = "..."')
    if len(loc) == 3 and err["type"] == "extra_forbidden" and loc[0] == "validity":
        return Finding(loc, _unknown_validity_field(loc[2], _protocol_of(data)))
    if loc[0] == "validity" and len(loc) <= 2 and err["type"] in ("dict_type", "model_type"):
        return Finding(
            loc,
            "each status block is a table of its own, named after the block: "
            "[validity.status_word] with signals = [...] (or registers / nodes) and its proof",
        )
    return Finding(loc, explain(err, PROFILE_MODELS[_protocol_of(data)]), signal)


_KEYED = ("signals", "points", "alarms")
"""Tables of entries keyed by a name, whose unknown settings get a list of the known ones."""


def _unknown_field(section: str, key: str, protocol: str) -> str:
    if section == "points" and key == "derived":
        return (
            "a point is read from a place; compute values in a derived signal under [signals] "
            '(e.g. "sway.trolley" = { derived = "..." })'
        )
    model: type[ModbusMapping | OpcUaMapping | ProfileAlarm]
    if section == "alarms":
        model = ProfileAlarm
    elif section == "points":
        model = ModbusPoint if protocol == "modbus" else OpcUaPoint
    else:
        model = ModbusMapping if protocol == "modbus" else OpcUaMapping
    extra = ["derived"] if section == "signals" else []
    if section == "signals" and protocol == "opcua":
        extra += ["method", "object", "arguments"]
    fields = sorted([*model.model_fields, *extra])
    if section == "points":  # a point is read: how a command is written is not for it
        fields = [f for f in fields if f not in CommandWrite.model_fields]
    close = close_matches(key, fields, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    return f'unknown setting "{key}"; {hint}settings here: {", ".join(fields)}'


def _unknown_validity_field(key: str, protocol: str) -> str:
    model = ModbusValidity if protocol == "modbus" else OpcUaValidity
    fields = sorted(model.model_fields)
    if key == "nodes":
        return (
            "nodes are for OPC UA profiles; a Modbus block covers registers = "
            '["holding 0..4"] and/or signals = [names or globs]'
        )
    if key == "registers":
        return (
            "registers are for Modbus profiles; an OPC UA block covers nodes = "
            "[node identifiers] and/or signals = [names or globs]"
        )
    close = close_matches(key, fields, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    return f'unknown setting "{key}"; {hint}settings here: {", ".join(fields)}'


def _protocol_of(data: Mapping[str, Any]) -> str:
    link = data.get("link")
    protocol = link.get("protocol") if isinstance(link, Mapping) else None
    return str(protocol) if protocol in PROFILE_MODELS else "modbus"
