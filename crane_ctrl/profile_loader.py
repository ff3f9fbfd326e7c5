"""Load a PLC profile from TOML, and turn every problem into a located, fixable message.

``load_profile(path)`` returns a validated :data:`~crane_ctrl.profile.Profile` or raises
:class:`~crane_ctrl.errors.ProfileError` listing every problem found, each as
``file:line key.path: what is wrong; how to fix it``. Problems come in up to two rounds: field
errors first (with the signal-name checks), then, once the fields are right, the cross-signal rules.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from crane_ctrl.errors import Problem, ProfileError
from crane_ctrl.profile import PROFILE_MODELS, Profile
from crane_ctrl.profile_rules import Finding, check_names, check_profile
from crane_ctrl.pydantic_messages import UNION_TAGS, explain
from crane_ctrl.toml_lines import KeyLines, key_lines

__all__ = ["fingerprint", "format_path", "load_profile", "parse_profile", "read_toml"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_SECTIONS = ("profile", "link", "signals")


def load_profile(path: str | Path) -> Profile:
    """Read, parse and validate the profile at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problem = Problem(str(path), None, "", f"cannot read the file: {exc.strerror or exc}")
        raise ProfileError([problem]) from None
    except UnicodeDecodeError as exc:
        raise ProfileError(
            [Problem(str(path), None, "", f"not UTF-8 text ({exc.reason}); save it as UTF-8")]
        ) from None
    return parse_profile(text, str(path))


def parse_profile(text: str, source: str = "<profile>") -> Profile:
    """Validate profile ``text``; ``source`` names it in messages."""
    data = read_toml(text, source)
    lines = key_lines(text)
    protocol, findings = _protocol(data)
    if protocol is None:
        raise _error(source, lines, findings + _name_findings(data))
    model = PROFILE_MODELS[protocol]
    try:
        profile = model.model_validate(data)
    except ValidationError as exc:
        findings = [_from_pydantic(err, data) for err in _merge_unions(exc)]
        raise _error(source, lines, findings + _name_findings(data)) from None
    findings = check_profile(profile)
    if findings:
        raise _error(source, lines, findings)
    return profile


def read_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a one-problem :class:`ProfileError`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError([_syntax_problem(str(exc), source)]) from None


def fingerprint(text: str) -> str:
    """A short stable id of a profile's exact text (for the journal and the HMI)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def format_path(path: Sequence[str | int]) -> str:
    """A key path as TOML writes it: ``signals."hoist.position".address``."""
    parts = []
    for part in path:
        text = str(part)
        parts.append(text if _BARE_KEY.match(text) else '"' + text.replace('"', '\\"') + '"')
    return ".".join(parts)


def _syntax_problem(message: str, source: str) -> Problem:
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(found.group(1)) if found else None
    text = re.sub(r"\s*\(at line \d+, column \d+\)", "", message).strip()
    text = text[0].lower() + text[1:] if text else "invalid TOML"
    if "twice" in text or "overwrite" in text:
        text += "; each key (and each signal) may appear only once"
    where = f"column {found.group(2)}: " if found else ""
    return Problem(source, line, "", f"not valid TOML: {where}{text}")


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


def _merge_unions(exc: ValidationError) -> list[dict[str, Any]]:
    """One error per location: a value that fits no member of a union fails once per member."""
    merged: dict[tuple[str, ...], dict[str, Any]] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(str(p) for p in err["loc"] if str(p) not in UNION_TAGS)
        if loc in merged and err["type"].endswith("_type"):
            first = merged[loc]
            first["alternatives"] = [*first.get("alternatives", [first["type"]]), err["type"]]
            continue
        merged[loc] = {**err, "loc": loc}
    return list(merged.values())


def _from_pydantic(err: Mapping[str, Any], data: Mapping[str, Any]) -> Finding:
    loc = err["loc"]
    signal = loc[1] if len(loc) > 1 and loc[0] == "signals" else None
    if len(loc) == 1 and err["type"] == "extra_forbidden":
        sections = ", ".join(f"[{s}]" for s in _SECTIONS)
        return Finding(loc, f"unknown table; a profile has {sections}")
    return Finding(loc, explain(err, _protocol_of(data)), signal)


def _protocol_of(data: Mapping[str, Any]) -> str:
    link = data.get("link")
    return str(link.get("protocol")) if isinstance(link, Mapping) else "modbus"


def _error(source: str, lines: KeyLines, findings: Sequence[Finding]) -> ProfileError:
    """Located problems; those at a key the file gives come first, in file order."""
    ranked: list[tuple[bool, int, Problem]] = []
    seen: set[tuple[tuple[str, ...], str]] = set()
    for f in findings:
        if (f.path, f.message) in seen:
            continue
        seen.add((f.path, f.message))
        line = lines.line_of(f.path)
        problem = Problem(source, line, format_path(f.path), f.message, f.signal)
        ranked.append((not lines.has(f.path), line or 0, problem))
    ranked.sort(key=lambda r: r[:2])
    return ProfileError([problem for *_, problem in ranked])
